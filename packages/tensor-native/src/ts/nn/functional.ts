/**
 * nn.functional (also exported as nn.F): the stateless forms of the layers and losses,
 * built from differentiable tensor ops, so backward() works through all of them.
 *
 * @example
 * const loss = nn.F.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 */
import { lowPrecision } from "../autograd/autocast.js";
import { embedding as ttEmbedding, isFloating, noGrad, oneHot as ttOneHot, tidy, where, type Tensor } from "./core.js";

export * from "./functional-conv.js";
export * from "./functional-norm.js";
export * from "./functional-loss.js";
export { scaledDotProductAttention, type SdpaOptions } from "./functional-attention.js";
export * from "./functional-dropout.js";

/** max(x, 0). @example nn.F.relu(x) */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/** x where x > 0, else negativeSlope·x. @example nn.F.leakyRelu(x, 0.2) */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return tidy(() => where(x.gt(0), x, x.mul(negativeSlope)));
}

/** Options of gelu: "none" is the exact erf form, "tanh" the approximation. */
export interface GeluOptions {
  approximate?: "none" | "tanh";
}

/**
 * GELU: x·Φ(x) exactly (the default), or with the tanh approximation.
 *
 * @example
 * nn.F.gelu(x, { approximate: "tanh" });
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const { approximate = "none" } = options;
  if (approximate === "none") return x.gelu();
  if (approximate !== "tanh") throw new Error(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  return tidy(() => {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(inner.tanh().add(1));
  });
}

/** x·sigmoid(x) (swish). @example nn.F.silu(x) */
export function silu(x: Tensor): Tensor {
  return x.silu();
}

/** @example nn.F.sigmoid(x) */
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}

/** @example nn.F.tanh(x) */
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}

/** log(1 + exp(beta·x)) / beta, linear above `threshold`. @example nn.F.softplus(x) */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return tidy(() => {
    const bx = x.mul(beta);
    // Clamp before exp so the branch where() discards cannot overflow into the gradient.
    const soft = bx.clamp(undefined, threshold).exp().add(1).log().div(beta);
    return where(bx.gt(threshold), x, soft);
  });
}

/** Softmax along dim. @example nn.F.softmax(logits, -1) */
export function softmax(x: Tensor, dim: number): Tensor {
  return x.softmax(dim);
}

/** log(softmax(x)) computed stably. @example nn.F.logSoftmax(logits, 1) */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return x.logSoftmax(dim);
}

/**
 * x·Wᵀ + b for x [..., in], W [out, in], b [out].
 *
 * @example
 * nn.F.linear(x, layer.weight, layer.bias);
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return tidy(() => {
    const y = x.matmul(weight.t());
    if (!bias) return y;
    // Inside autocast the bias joins the matmul's low precision, as PyTorch's linear (one op) does;
    // a float32 bias would otherwise promote the result back to float32.
    const b = lowPrecision(bias);
    // One op in PyTorch: a bias of another dtype is an error there, not a promotion.
    if (b.dtype !== y.dtype)
      throw new TypeError(
        `linear: the bias is ${b.dtype} but the input and weight are ${y.dtype}; cast it first, e.g. bias.to("${y.dtype}")`,
      );
    return y.add(b);
  });
}

/** Options of embedding. */
export interface EmbeddingOptions {
  /** Rows looked up at this index get no gradient (as PyTorch's padding_idx). */
  paddingIdx?: number | null;
}

/**
 * Rows of `weight` [num, dim] picked by integer `input` (any shape): [...input.shape, dim].
 *
 * @example
 * nn.F.embedding(tt.tensor([[1, 0, 2]]), weight, { paddingIdx: 0 });
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (input.dtype !== "int64" && input.dtype !== "int32")
    throw new TypeError(`embedding: indices must be int64 or int32, got ${input.dtype}`);
  const pad = options.paddingIdx;
  if (pad === undefined || pad === null || !weight.requiresGrad) return ttEmbedding(input, weight);
  const p = pad < 0 ? pad + weight.shape[0] : pad;
  return tidy(() => {
    const out = ttEmbedding(input, weight);
    // Same values; padding positions take them from a detached view, so no gradient reaches that row.
    return where(input.eq(p).unsqueeze(-1), out.detach(), out);
  });
}

/**
 * One-hot encoding (int64) with a new last dimension of size numClasses (inferred when -1).
 *
 * @example
 * nn.F.oneHot(tt.tensor([0, 2]), 3); // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  return ttOneHot(x, numClasses);
}

/** Normalizes x to unit p-norm along dim (as F.normalize). @example nn.F.normalize(x, { dim: 1 }) */
export function normalize(x: Tensor, options: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  const { p = 2, dim = 1, eps = 1e-12 } = options;
  if (!isFloating(x.dtype)) throw new TypeError(`normalize: needs a floating point input, got ${x.dtype}`);
  return tidy(() => x.div(vectorNorm(x, p, dim).clamp(eps)));
}

/**
 * The p-norm along dim (kept), with PyTorch's values and gradients: the largest |x| for
 * p = Infinity (its gradient shared evenly by ties), the count of non-zeros for p = 0, and
 * no NaN gradient from |x|^p at x = 0 when p < 1.
 */
function vectorNorm(x: Tensor, p: number, dim: number): Tensor {
  const a = x.abs();
  if (p === Infinity) {
    const top = noGrad(() => a.max(dim, true).values);
    const mask = a.eq(top);
    return where(mask, a, 0).sum(dim, true).div(mask.sum(dim, true));
  }
  if (p === 0) return a.ne(0).sum(dim, true).to(x.dtype);
  if (p >= 1)
    return a
      .pow(p)
      .sum(dim, true)
      .pow(1 / p);
  const zero = a.eq(0);
  return where(zero, 0, where(zero, 1, a).pow(p))
    .sum(dim, true)
    .pow(1 / p);
}
