/**
 * Losses as modules: forward(input, target) calls the functional form with the options
 * given at construction. Class weights are buffers named as in PyTorch ("weight",
 * "pos_weight"), so they follow to() and appear in the state dict.
 */
import type { Tensor } from "./core.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
  type BceOptions,
  type BceWithLogitsOptions,
  type CrossEntropyOptions,
  type NllLossOptions,
  type Reduction,
  type ReductionOptions,
} from "./functional.js";
import { Module } from "./module.js";

/** A loss with a reduction. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(reduction: Reduction = "mean") {
    super();
    if (reduction !== "mean" && reduction !== "sum" && reduction !== "none")
      throw new Error(`${this.constructor.name}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
    this.reduction = reduction;
  }

  /** The loss of input against target. */
  abstract override forward(input: Tensor, target: Tensor): Tensor;

  override extraRepr(): string {
    return this.reduction === "mean" ? "" : `reduction="${this.reduction}"`;
  }
}

/** A loss with an optional per-class weight buffer. */
abstract class WeightedLoss extends Loss {
  weight: Tensor | null = null;

  constructor(weight: Tensor | null | undefined, reduction: Reduction | undefined) {
    super(reduction);
    this.registerBuffer("weight", weight ?? null);
  }
}

/**
 * Cross entropy of logits [N, C] (or [N, C, d1, ...]) against class indices or class
 * probabilities: log-softmax and NLL in one, with weight, ignoreIndex, labelSmoothing.
 *
 * @example
 * const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = lossFn.forward(model.forward(x), y);
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyOptions = {}) {
    super(options.weight, options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  /** @example lossFn.forward(logits, labels) */
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/**
 * Negative log-likelihood of log-probabilities (pair it with LogSoftmax).
 *
 * @example
 * new nn.NLLLoss().forward(logits.logSoftmax(1), labels);
 */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;

  constructor(options: NllLossOptions = {}) {
    super(options.weight, options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }

  /** @example lossFn.forward(logProbs, labels) */
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Mean squared error. @example new nn.MSELoss().forward(pred, y) */
export class MSELoss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super(options.reduction);
  }

  /** @example lossFn.forward(pred, y) */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error. @example new nn.L1Loss().forward(pred, y) */
export class L1Loss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super(options.reduction);
  }

  /** @example lossFn.forward(pred, y) */
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Smooth L1 (quadratic below beta, linear above). @example new nn.SmoothL1Loss({ beta: 0.5 }).forward(pred, y) */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(options: ReductionOptions & { beta?: number } = {}) {
    super(options.reduction);
    this.beta = options.beta ?? 1;
  }

  /** @example lossFn.forward(pred, y) */
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Binary cross entropy of probabilities in [0, 1]. @example new nn.BCELoss().forward(p, y) */
export class BCELoss extends WeightedLoss {
  constructor(options: BceOptions = {}) {
    super(options.weight, options.reduction);
  }

  /** @example lossFn.forward(probs, y) */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Sigmoid and binary cross entropy in one stable step, with optional posWeight.
 *
 * @example
 * new nn.BCEWithLogitsLoss({ posWeight: tt.full([5], 3) }).forward(logits, y);
 */
export class BCEWithLogitsLoss extends WeightedLoss {
  pos_weight: Tensor | null = null;

  constructor(options: BceWithLogitsOptions = {}) {
    super(options.weight, options.reduction);
    this.registerBuffer("pos_weight", options.posWeight ?? null);
  }

  /** @example lossFn.forward(logits, y) */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
