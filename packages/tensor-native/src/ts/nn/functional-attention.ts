/** Scaled dot-product attention, the core of MultiheadAttention. */
import { arange, fmtShape, tidy, type Device, type Tensor } from "./core.js";
import { dropout } from "./functional-dropout.js";

/** @internal What attend() needs: masks already in "true = blocked" or additive form. */
export interface AttendOptions {
  /** Bool, broadcastable to [..., L, S]: true where a query may not look. */
  blocked?: Tensor | null;
  /** Float, broadcastable to [..., L, S]: added to the scores. */
  bias?: Tensor | null;
  dropoutP?: number;
  scale?: number;
}

/** @internal softmax(q·kᵀ·scale + masks)·v, and the attention weights. */
export function attend(q: Tensor, k: Tensor, v: Tensor, o: AttendOptions): { output: Tensor; weights: Tensor } {
  const scale = o.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]);
  let scores = q.mul(scale).matmul(k.transpose(-2, -1));
  if (o.bias) scores = scores.add(o.bias);
  if (o.blocked) scores = scores.maskedFill(o.blocked, -Infinity);
  let weights = scores.softmax(-1);
  if (o.dropoutP) weights = dropout(weights, o.dropoutP, true);
  return { output: weights.matmul(v), weights };
}

/** @internal A bool [L, S] mask, true above the diagonal: position i may not look at j > i. */
export function causalMask(L: number, S: number, device: Device = "cpu"): Tensor {
  return tidy(() =>
    arange(S, undefined, 1, { device })
      .unsqueeze(0)
      .gt(arange(L, undefined, 1, { device }).unsqueeze(1)),
  );
}

/** Options of scaledDotProductAttention (PyTorch 2's F.scaled_dot_product_attention). */
export interface SdpaOptions {
  /** Bool: true where attention is ALLOWED (PyTorch's convention here); or float: added to the scores. */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights (always applied when > 0; pass 0 in evaluation). */
  dropoutP?: number;
  /** Each query attends only to keys at or before its position. */
  isCausal?: boolean;
  /** Default 1/√E. */
  scale?: number;
}

/**
 * softmax(q·kᵀ/√E + mask)·v for q [..., L, E], k [..., S, E], v [..., S, Ev].
 *
 * @example
 * nn.F.scaledDotProductAttention(q, k, v, { isCausal: true });
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions = {}): Tensor {
  const { attnMask = null, dropoutP = 0, isCausal = false, scale } = options;
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2 || q.shape[q.ndim - 1] !== k.shape[k.ndim - 1] || k.shape[k.ndim - 2] !== v.shape[v.ndim - 2])
    throw new Error(
      `scaledDotProductAttention: expected q [..., L, E], k [..., S, E], v [..., S, Ev], got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ${fmtShape(v.shape)}`,
    );
  if (isCausal && attnMask) throw new Error("scaledDotProductAttention: pass either attnMask or isCausal, not both");
  return tidy(() => {
    const L = q.shape[q.ndim - 2],
      S = k.shape[k.ndim - 2];
    const blocked = isCausal ? causalMask(L, S, q.device) : attnMask?.dtype === "bool" ? attnMask.logicalNot() : null;
    const bias = attnMask && attnMask.dtype !== "bool" ? attnMask : null;
    return attend(q, k, v, { blocked, bias, dropoutP, scale }).output;
  });
}
