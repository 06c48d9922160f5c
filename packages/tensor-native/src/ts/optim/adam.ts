/** Adam and AdamW, as `torch.optim.Adam` / `torch.optim.AdamW`. */
import { zerosLike } from "../creation.js";
import { tidy, withoutScopes } from "../memory.js";
import { OPTIM } from "../opcodes.js";
import type { Tensor } from "../tensor.js";
import { fusedStep } from "./fused.js";
import { Optimizer, type ParamGroup, type ParamGroupInit } from "./optimizer.js";

/** Adam's hyperparameters (PyTorch's, in camelCase). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
  /** Use the maximum of past second moments (AMSGrad; default false). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/** Per-parameter state, PyTorch's `step`, `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq`). */
export interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

type AdamParams = Iterable<Tensor> | Iterable<ParamGroupInit<AdamOptions>>;

function adamDefaults(o: Partial<AdamOptions>, weightDecay: number): AdamOptions {
  return {
    lr: o.lr ?? 1e-3,
    betas: o.betas ? [o.betas[0], o.betas[1]] : [0.9, 0.999],
    eps: o.eps ?? 1e-8,
    weightDecay: o.weightDecay ?? weightDecay,
    amsgrad: o.amsgrad ?? false,
    maximize: o.maximize ?? false,
  };
}

/**
 * Adam (Kingma & Ba) with PyTorch's bias-corrected update; `weightDecay` adds wd·p to the
 * gradient (L2). For decoupled weight decay use AdamW.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 3e-4 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  /** AdamW: decay the parameter itself (p *= 1 − lr·wd) instead of adding wd·p to the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: AdamParams, options: Partial<AdamOptions> = {}) {
    super(params, adamDefaults(options ?? {}, 0));
  }

  protected override validateGroup(g: ParamGroup & AdamOptions): void {
    const name = this.constructor.name;
    for (const k of ["lr", "eps", "weightDecay"] as const)
      if (typeof g[k] !== "number" || Number.isNaN(g[k])) throw new TypeError(`${name}: ${k} must be a number, got ${String(g[k])}`);
    if (!Array.isArray(g.betas) || g.betas.length !== 2)
      throw new TypeError(`${name}: betas must be a pair [beta1, beta2], got ${String(g.betas)}`);
    if (g.lr < 0) throw new RangeError(`${name}: Invalid learning rate: ${g.lr}`);
    if (g.eps < 0) throw new RangeError(`${name}: Invalid epsilon value: ${g.eps}`);
    g.betas.forEach((b, i) => {
      if (typeof b !== "number" || !(b >= 0 && b < 1)) throw new RangeError(`${name}: Invalid beta parameter at index ${i}: ${b}`);
    });
    if (g.weightDecay < 0) throw new RangeError(`${name}: Invalid weight_decay value: ${g.weightDecay}`);
  }

  protected override initState(p: Tensor, g: ParamGroup & AdamOptions): AdamState {
    const s: AdamState = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
    if (g.amsgrad) s.maxExpAvgSq = zerosLike(p);
    return s;
  }

  protected override update(p: Tensor, grad: Tensor, g: ParamGroup & AdamOptions, s: AdamState): void {
    s.step += 1;
    const [b1, b2] = g.betas;
    if (!g.amsgrad) {
      const kind = this.decoupled ? OPTIM.adamW : OPTIM.adam;
      fusedStep(kind, p, grad, s.expAvg, s.expAvgSq, [g.lr, b1, b2, g.eps, g.weightDecay, s.step, g.maximize ? 1 : 0]);
      return;
    }
    if (!s.maxExpAvgSq || s.maxExpAvgSq.isDisposed) s.maxExpAvgSq = withoutScopes(() => zerosLike(p));
    const vmax = s.maxExpAvgSq;
    // AMSGrad's denominator uses the running maximum, which the fused kernel does not keep.
    tidy(() => {
      let d = g.maximize ? grad.neg() : grad;
      if (g.weightDecay !== 0) {
        if (this.decoupled) p.mul_(1 - g.lr * g.weightDecay);
        else d = d.add(p.mul(g.weightDecay));
      }
      s.expAvg.mul_(b1).add_(d.mul(1 - b1));
      s.expAvgSq.mul_(b2).add_(d.mul(d).mul(1 - b2));
      vmax.copy_(vmax.maximum(s.expAvgSq));
      const bc1 = 1 - b1 ** s.step,
        bc2 = 1 - b2 ** s.step;
      const denom = vmax.sqrt().div(Math.sqrt(bc2)).add(g.eps);
      p.sub_(s.expAvg.div(denom).mul(g.lr / bc1));
    });
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, p *= 1 − lr·wd before
 * the Adam step; weightDecay defaults to 1e-2.
 *
 * @example
 * const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: AdamParams, options: Partial<AdamOptions> = {}) {
    super(params, { ...options, weightDecay: options?.weightDecay ?? 1e-2 });
  }
}
