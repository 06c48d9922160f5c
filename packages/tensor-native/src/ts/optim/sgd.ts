/** Stochastic gradient descent with momentum, as `torch.optim.SGD`. */
import { zerosLike } from "../creation.js";
import { withoutScopes } from "../memory.js";
import { OPTIM } from "../opcodes.js";
import type { Tensor } from "../tensor.js";
import { fusedStep } from "./fused.js";
import { Optimizer, type ParamGroup, type ParamGroupInit } from "./optimizer.js";

/** SGD's hyperparameters (PyTorch's, in camelCase). */
export interface SGDOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor; 0 (default) is plain SGD. */
  momentum: number;
  /** Dampening of the gradient's share of the momentum (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

/** Per-parameter state: the momentum buffer, null until momentum is used. */
export interface SGDState {
  momentumBuffer: Tensor | null;
}

/**
 * Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay, with
 * PyTorch's update rule: buf = momentum·buf + (1 − dampening)·g (buf = g at the first
 * step), then p −= lr·buf (or lr·(g + momentum·buf) with Nesterov).
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInit<SGDOptions>>, options: Partial<SGDOptions> & { lr: number }) {
    if (options?.lr === undefined) throw new TypeError("SGD: lr is required, e.g. new optim.SGD(params, { lr: 0.01 })");
    super(params, {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected override validateGroup(g: ParamGroup & SGDOptions): void {
    for (const k of ["lr", "momentum", "dampening", "weightDecay"] as const)
      if (typeof g[k] !== "number" || Number.isNaN(g[k])) throw new TypeError(`SGD: ${k} must be a number, got ${String(g[k])}`);
    if (g.lr < 0) throw new RangeError(`SGD: Invalid learning rate: ${g.lr}`);
    if (g.momentum < 0) throw new RangeError(`SGD: Invalid momentum value: ${g.momentum}`);
    if (g.weightDecay < 0) throw new RangeError(`SGD: Invalid weight_decay value: ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0))
      throw new Error("SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  protected override initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected override update(p: Tensor, grad: Tensor, g: ParamGroup & SGDOptions, state: SGDState): void {
    let first = 0;
    if (g.momentum !== 0 && (!state.momentumBuffer || state.momentumBuffer.isDisposed)) {
      state.momentumBuffer = withoutScopes(() => zerosLike(p));
      first = 1;
    }
    const buf = g.momentum !== 0 ? state.momentumBuffer : null;
    fusedStep(OPTIM.sgd, p, grad, buf, null, [g.lr, g.momentum, g.dampening, g.weightDecay, g.nesterov ? 1 : 0, first, g.maximize ? 1 : 0]);
  }
}
