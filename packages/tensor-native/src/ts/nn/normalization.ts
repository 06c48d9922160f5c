/** BatchNorm1d, BatchNorm2d and LayerNorm, with PyTorch's parameter and buffer names. */
import { full, noGrad, ones, zeros, type DType, type Tensor } from "./core.js";
import { batchNorm, layerNorm } from "./functional.js";
import { ones_, zeros_ } from "./init.js";
import { positiveInt, type FactoryOptions } from "./linear.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/** Options of the batch norms (PyTorch's keyword arguments). */
export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** Weight of each new batch in the running averages (default 0.1); null: a plain cumulative average. */
  momentum?: number | null;
  /** Learnable per-channel weight and bias (default true). */
  affine?: boolean;
  /** Keep running_mean/running_var for evaluation (default true); false uses batch statistics always. */
  trackRunningStats?: boolean;
}

/**
 * Shared batch norm: per-channel statistics over every dim but 1. Buffers keep PyTorch's
 * names (running_mean, running_var, num_batches_tracked) so state dicts match.
 */
abstract class BatchNormBase extends Module {
  weight: Tensor | null = null;
  bias: Tensor | null = null;
  running_mean: Tensor | null = null;
  running_var: Tensor | null = null;
  num_batches_tracked: Tensor | null = null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    const name = this.constructor.name;
    positiveInt(name, "numFeatures", numFeatures);
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = options;
    const dtype: DType = options.dtype ?? "float32";
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    if (affine) {
      this.weight = Parameter(ones([numFeatures], { dtype }));
      this.bias = Parameter(zeros([numFeatures], { dtype }));
    }
    if (trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", full([], 0, { dtype: "int64" }));
    }
  }

  /** The running mean (PyTorch's running_mean). */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }

  /** The running variance (PyTorch's running_var). */
  get runningVar(): Tensor | null {
    return this.running_var;
  }

  /** Batches seen in training mode (PyTorch's num_batches_tracked). */
  get numBatchesTracked(): number {
    return this.num_batches_tracked ? Number(this.num_batches_tracked.item()) : 0;
  }

  /** Running statistics back to mean 0, variance 1, no batches. @example bn.resetRunningStats() */
  resetRunningStats(): void {
    if (this.running_mean) zeros_(this.running_mean);
    if (this.running_var) ones_(this.running_var);
    if (this.num_batches_tracked) noGrad(() => this.num_batches_tracked?.zero_());
  }

  /** Running statistics reset, weight 1, bias 0. @example bn.resetParameters() */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  protected abstract checkInput(x: Tensor): void;

  /** @example bn.forward(x) */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked) {
      const nbt = this.num_batches_tracked;
      noGrad(() => nbt.add_(1));
      if (this.momentum === null) factor = 1 / Number(nbt.item());
    }
    const useBatch = this.training || !this.running_mean;
    const tracked = !this.training || this.trackRunningStats;
    return batchNorm(x, tracked ? this.running_mean : null, tracked ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, track_running_stats=${this.trackRunningStats}`;
  }
}

/**
 * Batch norm over [N, C] or [N, C, L]: batch statistics in training (updating the running
 * ones with momentum 0.1 and the unbiased variance), running statistics after eval().
 *
 * @example
 * const bn = new nn.BatchNorm1d(64);
 * bn.forward(tt.randn([32, 64]));
 */
export class BatchNorm1d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new Error(`BatchNorm1d: expected 2D or 3D input (got ${x.ndim}D input)`);
  }
}

/**
 * Batch norm over [N, C, H, W]: batch statistics in training (updating the running ones
 * with momentum 0.1 and the unbiased variance), running statistics after eval().
 *
 * @example
 * const bn = new nn.BatchNorm2d(16);
 * bn.forward(tt.randn([8, 16, 32, 32]));
 */
export class BatchNorm2d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new Error(`BatchNorm2d: expected 4D input (got ${x.ndim}D input)`);
  }
}

/** Options of LayerNorm. */
export interface LayerNormLayerOptions extends FactoryOptions {
  eps?: number;
  /** Learnable weight (and bias) of the normalized shape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, also learn a bias (default true). */
  bias?: boolean;
}

/**
 * Normalizes over the trailing normalizedShape dims of each sample (biased variance),
 * then applies a learnable weight (ones) and bias (zeros).
 *
 * @example
 * const ln = new nn.LayerNorm(512);
 * ln.forward(tt.randn([8, 20, 512]));
 */
export class LayerNorm extends Module {
  weight: Tensor | null = null;
  bias: Tensor | null = null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], options: LayerNormLayerOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    for (const s of this.normalizedShape) positiveInt("LayerNorm", "normalizedShape", s);
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = "float32" } = options;
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    if (elementwiseAffine) {
      this.weight = Parameter(ones(this.normalizedShape, { dtype }));
      if (bias) this.bias = Parameter(zeros(this.normalizedShape, { dtype }));
    }
  }

  /** Weight 1, bias 0. @example ln.resetParameters() */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  /** @example ln.forward(x) */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps}, elementwise_affine=${this.elementwiseAffine}`;
  }
}
