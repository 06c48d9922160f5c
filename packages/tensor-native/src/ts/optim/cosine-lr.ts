/** Cosine annealing, as `torch.optim.lr_scheduler.CosineAnnealingLR`. */
import { LRScheduler, type AnyOptimizer, type SchedulerOptions } from "./lr-scheduler.js";

/** CosineAnnealingLR's options. */
export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** Steps in a half period (the lr reaches etaMin at step tMax). */
  tMax: number;
  /** The minimum lr (default 0). */
  etaMin?: number;
}

/**
 * Anneals the lr from initialLr to etaMin along half a cosine over tMax steps:
 * lr = etaMin + (initialLr − etaMin)(1 + cos(π·step/tMax))/2, computed recursively as
 * PyTorch does (so changes made to the lr from outside carry on); past tMax it rises
 * again.
 *
 * @example
 * const sched = new optim.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer, options?.lastEpoch);
    if (typeof options.tMax !== "number" || !(options.tMax > 0))
      throw new RangeError(`CosineAnnealingLR: tMax must be positive, got ${String(options.tMax)}`);
    const etaMin = options.etaMin ?? 0;
    if (typeof etaMin !== "number" || !Number.isFinite(etaMin))
      throw new TypeError(`CosineAnnealingLR: etaMin must be a number, got ${String(etaMin)}`);
    this.tMax = options.tMax;
    this.etaMin = etaMin;
    this._initialStep();
  }

  override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return groups.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0) return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((e - 1 - T) % (2 * T) === 0) return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return groups.map((g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}
