/**
 * Loss scaling for float16 training (as torch.amp.GradScaler): the loss is multiplied by
 * a large factor so small gradients survive 16-bit range, gradients are divided back
 * before the optimizer step, and a step whose gradients overflowed is skipped while the
 * factor shrinks. bfloat16 has float32's range and rarely needs it.
 */
import type { Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";

/** What GradScaler needs of an optimizer (every optimizer in tt.optim has it). */
export interface ScalableOptimizer {
  readonly paramGroups: readonly { readonly params: readonly Tensor[] }[];
  step(): unknown;
}

/** Options of GradScaler (PyTorch's defaults). */
export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  enabled?: boolean;
}

/**
 * @example
 * const scaler = new tt.GradScaler();
 * const loss = tt.autocast({ dtype: "float16" }, () => lossFn(model.forward(x), y));
 * scaler.scale(loss).backward();
 * scaler.step(opt);   // skipped if a gradient is inf or NaN
 * scaler.update();
 */
export class GradScaler {
  private scaleValue: number;
  private growthTracker = 0;
  private readonly growthFactor: number;
  private readonly backoffFactor: number;
  private readonly growthInterval: number;
  private readonly enabled: boolean;
  private unscaled = new WeakSet<ScalableOptimizer>();
  private foundInf = false;

  constructor(options: GradScalerOptions = {}) {
    this.scaleValue = options.initScale ?? 2 ** 16;
    this.growthFactor = options.growthFactor ?? 2;
    this.backoffFactor = options.backoffFactor ?? 0.5;
    this.growthInterval = options.growthInterval ?? 2000;
    this.enabled = options.enabled ?? true;
    if (!(this.growthFactor > 1)) throw new RangeError("GradScaler: growthFactor must be > 1");
    if (!(this.backoffFactor > 0 && this.backoffFactor < 1)) throw new RangeError("GradScaler: backoffFactor must be in (0, 1)");
  }

  /** The current scale factor. */
  getScale(): number {
    return this.enabled ? this.scaleValue : 1;
  }

  /** loss × scale (a recorded op, so backward() scales every gradient). */
  scale(loss: Tensor): Tensor {
    return this.enabled ? loss.mul(this.scaleValue) : loss;
  }

  /** Divides the optimizer's gradients by the scale in place (once per step), e.g. before clipping. */
  unscale_(optimizer: ScalableOptimizer): void {
    if (!this.enabled || this.unscaled.has(optimizer)) return;
    const inv = 1 / this.scaleValue;
    noGrad(() => {
      for (const group of optimizer.paramGroups)
        for (const p of group.params) {
          if (!p.grad) continue;
          p.grad.mul_(inv);
          const worst = p.grad.abs().max().item(); // NaN and Inf both survive the max
          if (!Number.isFinite(worst)) this.foundInf = true;
        }
    });
    this.unscaled.add(optimizer);
  }

  /** Unscales (if not done yet) and steps, unless a gradient was inf or NaN. Returns whether it stepped. */
  step(optimizer: ScalableOptimizer): boolean {
    if (!this.enabled) {
      optimizer.step();
      return true;
    }
    this.unscale_(optimizer);
    if (this.foundInf) return false;
    optimizer.step();
    return true;
  }

  /** Adjusts the scale for the next iteration: back off after an overflow, grow after a calm stretch. */
  update(newScale?: number): void {
    if (!this.enabled) return;
    if (newScale !== undefined) {
      this.scaleValue = newScale;
    } else if (this.foundInf) {
      this.scaleValue *= this.backoffFactor;
      this.growthTracker = 0;
    } else if (++this.growthTracker >= this.growthInterval) {
      this.scaleValue *= this.growthFactor;
      this.growthTracker = 0;
    }
    this.foundInf = false;
    this.unscaled = new WeakSet();
  }

  /** The scaler's state, for checkpoints (PyTorch's keys). */
  stateDict(): { scale: number; growth_factor: number; backoff_factor: number; growth_interval: number; _growth_tracker: number } {
    return {
      scale: this.scaleValue,
      growth_factor: this.growthFactor,
      backoff_factor: this.backoffFactor,
      growth_interval: this.growthInterval,
      _growth_tracker: this.growthTracker,
    };
  }

  /** Restores stateDict(). */
  loadStateDict(state: { scale: number; _growth_tracker?: number }): void {
    this.scaleValue = state.scale;
    this.growthTracker = state._growth_tracker ?? 0;
  }
}
