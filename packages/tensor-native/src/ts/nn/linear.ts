/** Linear and Identity. */
import { empty, type DType, type Tensor } from "./core.js";
import { linear } from "./functional.js";
import { kaimingUniform_, uniform_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/** Options shared by layers that create parameters. */
export interface FactoryOptions {
  /** dtype of the parameters (default float32). */
  dtype?: DType;
}

/** @internal Checks a layer size argument. */
export function positiveInt(op: string, what: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${op}: ${what} must be a positive integer, got ${v}`);
  return v;
}

/**
 * @internal PyTorch's default weight and bias init for Linear and Conv: kaiming uniform with
 * a = √5 (bound 1/√fan_in) and a bias in U(-1/√fan_in, 1/√fan_in).
 */
export function resetLinearLike(weight: Tensor, bias: Tensor | null, fanIn: number): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}

/**
 * y = x·Wᵀ + b over the last dim: x [..., inFeatures] → [..., outFeatures]. weight is
 * [outFeatures, inFeatures]; both start as PyTorch's defaults.
 *
 * @example
 * const fc = new nn.Linear(784, 10);
 * fc.forward(tt.randn([32, 784])).shape; // [32, 10]
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: FactoryOptions & { bias?: boolean } = {},
  ) {
    super();
    positiveInt("Linear", "inFeatures", inFeatures);
    positiveInt("Linear", "outFeatures", outFeatures);
    const dtype = options.dtype ?? "float32";
    this.weight = Parameter(empty([outFeatures, inFeatures], { dtype }));
    this.bias = options.bias === false ? null : Parameter(empty([outFeatures], { dtype }));
    this.resetParameters();
  }

  /** Re-draws the weights with PyTorch's default initialization. @example fc.resetParameters() */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias, this.inFeatures);
  }

  /** @example fc.forward(x) */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Returns its input: a placeholder in a Sequential, or to switch a layer off.
 *
 * @example
 * new nn.Identity().forward(x) === x; // true
 */
export class Identity extends Module {
  /** @example id.forward(x) */
  forward(x: Tensor): Tensor {
    return x;
  }
}
