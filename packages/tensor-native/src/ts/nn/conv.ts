/** Conv2d, the 2-d poolings, and the Flatten/Unflatten reshapes that usually follow them. */
import { empty, type Pair, type Tensor } from "./core.js";
import { adaptiveAvgPool2d, avgPool2d, conv2d, maxPool2d, type AvgPoolOptions, type MaxPoolOptions } from "./functional.js";
import { positiveInt, resetLinearLike, type FactoryOptions } from "./linear.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

const pairOf = (p: Pair): [number, number] => (typeof p === "number" ? [p, p] : [p[0], p[1]]);
const show = (v: unknown): string => (Array.isArray(v) ? `[${v.join(", ")}]` : typeof v === "string" ? `"${v}"` : String(v));

/** Options of Conv2d (PyTorch's keyword arguments). */
export interface Conv2dLayerOptions extends FactoryOptions {
  stride?: Pair;
  /** Zero padding per side, or "valid" (none) or "same" (keep the size; stride 1). */
  padding?: Pair | "same" | "valid";
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** Only "zeros" (PyTorch's default). */
  paddingMode?: "zeros";
}

/**
 * 2-d convolution over [N, C, H, W] (or [C, H, W]): weight [out, in/groups, kh, kw], bias
 * [out]; PyTorch's default initialization.
 *
 * @example
 * const conv = new nn.Conv2d(3, 16, 3, { padding: 1 });
 * conv.forward(tt.randn([8, 3, 32, 32])).shape; // [8, 16, 32, 32]
 */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | "same" | "valid";
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    options: Conv2dLayerOptions = {},
  ) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = "zeros", dtype = "float32" } = options;
    positiveInt("Conv2d", "inChannels", inChannels);
    positiveInt("Conv2d", "outChannels", outChannels);
    positiveInt("Conv2d", "groups", groups);
    if (inChannels % groups !== 0) throw new Error(`Conv2d: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0) throw new Error(`Conv2d: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    if (paddingMode !== "zeros") throw new Error(`Conv2d: paddingMode "${String(paddingMode)}" is not supported; pad with nn.F.pad first`);
    this.kernelSize = pairOf(kernelSize);
    this.stride = pairOf(stride);
    this.padding = typeof padding === "string" ? padding : pairOf(padding);
    this.dilation = pairOf(dilation);
    this.groups = groups;
    if (this.padding === "same" && this.stride.some((s) => s !== 1))
      throw new Error('Conv2d: padding="same" is not supported for strided convolutions');
    this.weight = Parameter(empty([outChannels, inChannels / groups, ...this.kernelSize], { dtype }));
    this.bias = bias ? Parameter(empty([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  /** Re-draws the weights with PyTorch's default initialization. @example conv.resetParameters() */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias, (this.inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1]);
  }

  /** @example conv.forward(x) */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}`;
    if (typeof this.padding === "string" || this.padding.some((p) => p !== 0)) s += `, padding=${show(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${show(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ", bias=false";
    return s;
  }
}

/**
 * Max over windows (stride defaults to the kernel size).
 *
 * @example
 * new nn.MaxPool2d(2).forward(tt.randn([1, 3, 32, 32])).shape; // [1, 3, 16, 16]
 */
export class MaxPool2d extends Module {
  readonly options: MaxPoolOptions;

  constructor(
    readonly kernelSize: Pair,
    options: MaxPoolOptions = {},
  ) {
    super();
    this.options = {
      stride: options.stride ?? kernelSize,
      padding: options.padding ?? 0,
      dilation: options.dilation ?? 1,
      ceilMode: options.ceilMode ?? false,
    };
    if (this.options.ceilMode) throw new Error("MaxPool2d: ceilMode is not supported; pad the input so the windows fit instead");
  }

  /** @example pool.forward(x) */
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${show(this.kernelSize)}, stride=${show(o.stride)}, padding=${show(o.padding)}, dilation=${show(o.dilation)}, ceil_mode=${o.ceilMode}`;
  }
}

/**
 * Mean over windows (stride defaults to the kernel size; padding counted unless
 * countIncludePad is false).
 *
 * @example
 * new nn.AvgPool2d(2).forward(x);
 */
export class AvgPool2d extends Module {
  readonly options: AvgPoolOptions;

  constructor(
    readonly kernelSize: Pair,
    options: AvgPoolOptions = {},
  ) {
    super();
    this.options = { ...options, stride: options.stride ?? kernelSize, padding: options.padding ?? 0 };
    if (options.ceilMode) throw new Error("AvgPool2d: ceilMode is not supported; pad the input so the windows fit instead");
  }

  /** @example pool.forward(x) */
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.options.stride)}, padding=${show(this.options.padding)}`;
  }
}

/**
 * Average pooling to a fixed output size, whatever the input size (null keeps a dim).
 *
 * @example
 * new nn.AdaptiveAvgPool2d(1).forward(tt.randn([2, 512, 7, 7])).shape; // [2, 512, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }

  /** @example pool.forward(x) */
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}

/**
 * Flattens dims startDim..endDim into one (default: all but the batch dim).
 *
 * @example
 * new nn.Flatten().forward(tt.zeros([8, 16, 4, 4])).shape; // [8, 256]
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  /** @example flat.forward(x) */
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits dim into the given sizes (the inverse of Flatten).
 *
 * @example
 * new nn.Unflatten(1, [16, 4, 4]).forward(tt.zeros([8, 256])).shape; // [8, 16, 4, 4]
 */
export class Unflatten extends Module {
  constructor(
    readonly dim: number,
    readonly unflattenedSize: readonly number[],
  ) {
    super();
  }

  /** @example unflat.forward(x) */
  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    return x.reshape([...x.shape.slice(0, d), ...this.unflattenedSize, ...x.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${show(this.unflattenedSize)}`;
  }
}
