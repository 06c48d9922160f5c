/** MultiheadAttention and TransformerEncoderLayer, with PyTorch's parameter names and layouts. */
import { empty, fmtShape, tidy, zeros, type Device, type Tensor } from "./core.js";
import { Dropout } from "./dropout.js";
import { gelu, linear } from "./functional.js";
import { attend, causalMask } from "./functional-attention.js";
import { xavierUniform_, zeros_ } from "./init.js";
import { Linear, positiveInt, type FactoryOptions } from "./linear.js";
import { Module } from "./module.js";
import { LayerNorm } from "./normalization.js";
import { Parameter } from "./parameter.js";

/** Options of MultiheadAttention. */
export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and output are [N, L, E] instead of PyTorch's default [L, N, E]. */
  batchFirst?: boolean;
}

/** Options of MultiheadAttention.forward. */
export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): bool true marks a key to ignore (padding); float is added. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [N·numHeads, L, S]: bool true blocks a query-key pair; float is added. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads (default true): [N, L, S], else [N, numHeads, L, S]. */
  averageAttnWeights?: boolean;
  /** Without attnMask: block every key after the query's position. */
  isCausal?: boolean;
}

/** What MultiheadAttention.forward returns. */
export interface AttentionOutput {
  output: Tensor;
  /** The attention weights (after dropout, as PyTorch), or null when needWeights is false. */
  weights: Tensor | null;
}

/**
 * Multi-head attention (as torch.nn.MultiheadAttention): q, k, v projections packed in
 * in_proj_weight [3E, E] / in_proj_bias [3E], then out_proj, so state dicts match
 * PyTorch's. Inputs are [L, N, E] (or [N, L, E] with batchFirst, or [L, E] unbatched).
 *
 * @example
 * const mha = new nn.MultiheadAttention(64, 4, { batchFirst: true });
 * const { output, weights } = mha.forward(x, x, x, { keyPaddingMask: pad });
 */
export class MultiheadAttention extends Module {
  in_proj_weight: Tensor;
  in_proj_bias: Tensor | null;
  out_proj: Linear;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: MultiheadAttentionOptions = {},
  ) {
    super();
    positiveInt("MultiheadAttention", "embedDim", embedDim);
    positiveInt("MultiheadAttention", "numHeads", numHeads);
    if (embedDim % numHeads !== 0)
      throw new Error(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    const { dropout = 0, bias = true, batchFirst = false, dtype = "float32" } = options;
    this.headDim = embedDim / numHeads;
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    this.in_proj_weight = Parameter(empty([3 * embedDim, embedDim], { dtype }));
    this.in_proj_bias = bias ? Parameter(zeros([3 * embedDim], { dtype })) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype });
    this.resetParameters();
  }

  /** PyTorch's init: xavier uniform in_proj_weight, zero biases. @example mha.resetParameters() */
  resetParameters(): void {
    xavierUniform_(this.in_proj_weight);
    if (this.in_proj_bias) zeros_(this.in_proj_bias);
    if (this.out_proj.bias) zeros_(this.out_proj.bias);
  }

  /** The packed q/k/v projection weight (PyTorch's in_proj_weight). */
  get inProjWeight(): Tensor {
    return this.in_proj_weight;
  }

  /** The output projection (PyTorch's out_proj). */
  get outProj(): Linear {
    return this.out_proj;
  }

  /** Attends from query [L, N, E] to key/value [S, N, E] (batchFirst: [N, L, E], [N, S, E]). @example mha.forward(q, k, v).output */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): AttentionOutput {
    const { keyPaddingMask = null, needWeights = true, attnMask = null, averageAttnWeights = true, isCausal = false } = options;
    const batched = query.ndim === 3;
    if ((query.ndim !== 2 && !batched) || key.ndim !== query.ndim || value.ndim !== query.ndim)
      throw new Error(
        `MultiheadAttention: query, key and value must all be 3-d (batched) or 2-d, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
      );
    const toNLE = (t: Tensor): Tensor => (batched ? (this.batchFirst ? t : t.transpose(0, 1)) : t.unsqueeze(0));
    const H = this.numHeads,
      E = this.embedDim;
    return tidy(() => {
      const q0 = toNLE(query),
        k0 = toNLE(key),
        v0 = toNLE(value);
      const [N, L] = q0.shape,
        S = k0.shape[1];
      if (q0.shape[2] !== E || k0.shape[2] !== E || v0.shape[2] !== E || v0.shape[1] !== S || k0.shape[0] !== N || v0.shape[0] !== N)
        throw new Error(
          `MultiheadAttention: expected query/key/value with embedDim ${E} and matching batch and source sizes, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
        );
      let q: Tensor, k: Tensor, v: Tensor;
      if (query === key && key === value) {
        [q, k, v] = linear(q0, this.in_proj_weight, this.in_proj_bias).chunk(3, -1);
      } else {
        const [wq, wk, wv] = this.in_proj_weight.chunk(3, 0);
        const [bq, bk, bv] = this.in_proj_bias ? this.in_proj_bias.chunk(3, 0) : [null, null, null];
        [q, k, v] = [linear(q0, wq, bq), linear(k0, wk, bk), linear(v0, wv, bv)];
      }
      const heads = (t: Tensor, len: number): Tensor => t.reshape(N, len, H, this.headDim).transpose(1, 2);
      let blocked: Tensor | null = null,
        bias: Tensor | null = null;
      const addMask = (m: Tensor): void => {
        if (m.dtype === "bool") blocked = blocked ? blocked.logicalOr(m) : m;
        else bias = bias ? bias.add(m) : m;
      };
      if (attnMask) {
        const ok2 = attnMask.ndim === 2 && attnMask.shape[0] === L && attnMask.shape[1] === S;
        const ok3 = attnMask.ndim === 3 && fmtShape(attnMask.shape) === fmtShape([N * H, L, S]);
        if (!ok2 && !ok3)
          throw new Error(
            `MultiheadAttention: attnMask must have shape [${L},${S}] or [${N * H},${L},${S}], got ${fmtShape(attnMask.shape)}`,
          );
        addMask(ok3 ? attnMask.reshape(N, H, L, S) : attnMask);
      } else if (isCausal) addMask(causalMask(L, S, q0.device));
      if (keyPaddingMask) {
        const kpm = batched ? keyPaddingMask : keyPaddingMask.unsqueeze(0);
        if (fmtShape(kpm.shape) !== fmtShape([N, S]))
          throw new Error(`MultiheadAttention: keyPaddingMask must have shape [${N},${S}], got ${fmtShape(keyPaddingMask.shape)}`);
        addMask(kpm.reshape(N, 1, 1, S));
      }
      const dropoutP = this.training ? this.dropout : 0;
      const r = attend(heads(q, L), heads(k, S), heads(v, S), { blocked, bias, dropoutP });
      const merged = this.out_proj.forward(r.output.transpose(1, 2).reshape(N, L, E));
      const output = batched ? (this.batchFirst ? merged : merged.transpose(0, 1)) : merged.squeeze(0);
      let weights: Tensor | null = null;
      if (needWeights) {
        weights = averageAttnWeights ? r.weights.mean(1) : r.weights;
        if (!batched) weights = weights.squeeze(0);
      }
      return { output, weights };
    });
  }
}

/**
 * The float [size, size] mask that lets position i attend only to j ≤ i: 0 on and below
 * the diagonal, -Infinity above (PyTorch's generate_square_subsequent_mask).
 *
 * @example
 * layer.forward(x, { srcMask: nn.generateSquareSubsequentMask(x.shape[1], x.device) });
 */
export function generateSquareSubsequentMask(size: number, device: Device = "cpu"): Tensor {
  return tidy(() => zeros([size, size], { device }).maskedFill(causalMask(size, size, device), -Infinity));
}

/** An activation for TransformerEncoderLayer: a name, a function, or a module. */
export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

/** Options of TransformerEncoderLayer (PyTorch's keyword arguments). */
export interface TransformerEncoderLayerOptions extends FactoryOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: TransformerActivation;
  layerNormEps?: number;
  batchFirst?: boolean;
  /** Pre-norm (LayerNorm before attention and feed-forward) instead of post-norm (default false). */
  normFirst?: boolean;
  bias?: boolean;
}

/** Options of TransformerEncoderLayer.forward. */
export interface TransformerEncoderLayerForwardOptions {
  /** Attention mask [L, L] or [N·nhead, L, L] (bool true blocks; float is added). */
  srcMask?: Tensor | null;
  /** [N, L]: true marks padding positions. */
  srcKeyPaddingMask?: Tensor | null;
  /** Without srcMask: causal self-attention. */
  isCausal?: boolean;
}

/**
 * One transformer encoder block (as torch.nn.TransformerEncoderLayer): self-attention and
 * a feed-forward network, each with dropout, a residual and a LayerNorm (after, or before
 * with normFirst). Submodule names match PyTorch's (self_attn, linear1, norm1…).
 *
 * @example
 * const layer = new nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 256, batchFirst: true });
 * layer.forward(tt.randn([2, 10, 64])).shape; // [2, 10, 64]
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation: TransformerActivation;
  readonly normFirst: boolean;

  constructor(
    readonly dModel: number,
    readonly nhead: number,
    options: TransformerEncoderLayerOptions = {},
  ) {
    super();
    const {
      dimFeedforward = 2048,
      dropout = 0.1,
      activation = "relu",
      layerNormEps = 1e-5,
      batchFirst = false,
      normFirst = false,
      bias = true,
      dtype,
    } = options;
    if (activation !== "relu" && activation !== "gelu" && typeof activation !== "function" && !(activation instanceof Module))
      throw new Error(
        `TransformerEncoderLayer: activation should be "relu", "gelu", a function or a module, not ${JSON.stringify(activation)}`,
      );
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout, bias, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { bias, dtype });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dimFeedforward, dModel, { bias, dtype });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, bias, dtype });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    this.activation = activation;
  }

  /** The self-attention block (PyTorch's self_attn). */
  get selfAttn(): MultiheadAttention {
    return this.self_attn;
  }

  private act(x: Tensor): Tensor {
    const a = this.activation;
    if (a === "relu") return x.relu();
    if (a === "gelu") return gelu(x);
    return a instanceof Module ? a.forward(x) : a(x);
  }

  /** src [L, N, E] (batchFirst: [N, L, E]) → same shape. @example layer.forward(x, { srcKeyPaddingMask: pad }) */
  forward(src: Tensor, options: TransformerEncoderLayerForwardOptions = {}): Tensor {
    const { srcMask = null, srcKeyPaddingMask = null, isCausal = false } = options;
    const sa = (x: Tensor): Tensor =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, { attnMask: srcMask, keyPaddingMask: srcKeyPaddingMask, needWeights: false, isCausal }).output,
      );
    const ff = (x: Tensor): Tensor => this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.act(this.linear1.forward(x)))));
    return tidy(() => {
      if (this.normFirst) {
        const x = src.add(sa(this.norm1.forward(src)));
        return x.add(ff(this.norm2.forward(x)));
      }
      const x = this.norm1.forward(src.add(sa(src)));
      return this.norm2.forward(x.add(ff(x)));
    });
  }
}
