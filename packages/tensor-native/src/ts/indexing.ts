/** Index-driven selection: indexSelect, gather, maskedFill. */
import { backend } from "./dispatch.js";
import { where, type Scalar } from "./elementwise.js";
import { castOwned, contiguousOrSelf, emptyTensor, fmtShape, normDim, numelOf, Tensor } from "./tensor.js";

function checkIndex(op: string, index: Tensor, size: number): Tensor {
  index.check(op);
  if (index.dtype !== "int64" && index.dtype !== "int32")
    throw new TypeError(`${op}: index must be an int64 or int32 tensor, got ${index.dtype}`);
  const idx = contiguousOrSelf(index.dtype === "int64" ? index : index.to("int64"));
  for (const v of idx.data() as BigInt64Array) {
    if (v < -BigInt(size) || v >= BigInt(size)) {
      if (idx !== index) idx.dispose();
      throw new RangeError(`${op}: index ${v} is out of range for a dimension of size ${size}`);
    }
  }
  return idx;
}

/** Negative indices count from the end, as in Python. */
function wrapNegative(idx: Tensor, size: number): Tensor {
  const vals = idx.data() as BigInt64Array;
  if (!vals.some((v) => v < 0n)) return idx;
  const fixed = vals.map((v) => (v < 0n ? v + BigInt(size) : v));
  const t = emptyTensor(idx.shape, "int64", idx.device);
  backend(idx.device).write(t.storage.handle, 0, fixed);
  return t;
}

/**
 * Picks entries along `dim` by a 1-D index tensor.
 *
 * @example
 * tt.arange(10).reshape(5, 2).indexSelect(0, tt.tensor([4, 0])); // rows 4 and 0
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  x.check("indexSelect");
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 0-d or 1-d, got shape ${fmtShape(index.shape)}`);
  const d = normDim(dim, x.ndim, "indexSelect");
  const size = x.ndim === 0 ? 1 : x.shape[d];
  const checked = checkIndex("indexSelect", index, size);
  const idx = wrapNegative(checked, size);
  const c = contiguousOrSelf(x);
  const shape = [...x.shape];
  const n = index.numel();
  if (x.ndim > 0) shape[d] = n;
  const out = emptyTensor(shape, x.dtype, x.device);
  const outer = numelOf(x.shape.slice(0, d)), inner = numelOf(x.shape.slice(d + 1));
  if (out.numel() > 0) backend(x.device).indexOp(0, c, idx, out, outer, size, inner, n);
  for (const t of new Set([checked, idx, c])) if (t !== index && t !== x) t.dispose();
  return out;
}

/**
 * out[i][j] = x[index[i][j]][j] for dim 0 (and likewise for other dims); index has x's rank.
 *
 * @example
 * tt.tensor([[1, 2], [3, 4]]).gather(1, tt.tensor([[0, 0], [1, 0]])); // [[1, 1], [4, 3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  x.check("gather");
  const d = normDim(dim, x.ndim, "gather");
  if (index.ndim !== x.ndim) throw new Error(`gather: index ${fmtShape(index.shape)} must have as many dims as input ${fmtShape(x.shape)}`);
  for (let i = 0; i < x.ndim; i++)
    if (i !== d && index.shape[i] !== x.shape[i])
      throw new Error(`gather: index shape ${fmtShape(index.shape)} must match input shape ${fmtShape(x.shape)} except in dimension ${d}`);
  const size = x.shape[d];
  const checked = checkIndex("gather", index, size);
  const idx = wrapNegative(checked, size);
  const c = contiguousOrSelf(x);
  const out = emptyTensor(index.shape, x.dtype, x.device);
  const outer = numelOf(x.shape.slice(0, d)), inner = numelOf(x.shape.slice(d + 1));
  if (out.numel() > 0) backend(x.device).indexOp(1, c, idx, out, outer, size, inner, index.shape[d]);
  for (const t of new Set([checked, idx, c])) if (t !== index && t !== x) t.dispose();
  return out;
}

/** Sets entries where `mask` is true to `value` (mask broadcasts). */
export function maskedFill(x: Tensor, mask: Tensor, value: Scalar | Tensor): Tensor {
  if (mask.dtype !== "bool") throw new TypeError(`maskedFill: mask must be a bool tensor, got ${mask.dtype}`);
  const v = value instanceof Tensor ? value.to(x.dtype) : value;
  // The cast copy of `value` is freed on every path (it leaked when the result needed a cast).
  const out = castOwned(where(mask, v, x), x.dtype);
  if (v instanceof Tensor && v !== value) v.dispose();
  return out;
}

/**
 * Out-of-place scatter-add: a copy of x with src[i][j] added at x[index[i][j]][j] (dim 0;
 * likewise for other dims). Repeated indices accumulate.
 *
 * @example
 * tt.zeros([3]).scatterAdd(0, tt.tensor([0, 2, 0]), tt.ones([3])); // [2, 0, 1]
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  x.check("scatterAdd");
  src.check("scatterAdd");
  const d = normDim(dim, x.ndim, "scatterAdd");
  if (index.ndim !== x.ndim || fmtShape(index.shape) !== fmtShape(src.shape))
    throw new Error(`scatterAdd: index ${fmtShape(index.shape)} and src ${fmtShape(src.shape)} must have one shape and the rank of input ${fmtShape(x.shape)}`);
  for (let i = 0; i < x.ndim; i++)
    if (i !== d && index.shape[i] !== x.shape[i])
      throw new Error(`scatterAdd: index shape ${fmtShape(index.shape)} must match input shape ${fmtShape(x.shape)} except in dimension ${d}`);
  if (x.dtype === "float16" || x.dtype === "bfloat16") {
    const wide = scatterAdd(x.to("float32"), dim, index, src.to("float32"));
    const r = wide.to(x.dtype);
    wide.dispose();
    return r;
  }
  const size = x.shape[d];
  const checked = checkIndex("scatterAdd", index, size);
  const idx = wrapNegative(checked, size);
  const out = emptyTensor(x.shape, x.dtype, x.device);
  backend(x.device).copy(x, out);
  const s = contiguousOrSelf(src.dtype === x.dtype ? src : src.to(x.dtype));
  const outer = numelOf(x.shape.slice(0, d)), inner = numelOf(x.shape.slice(d + 1));
  if (index.numel() > 0) backend(x.device).indexOp(2, out, idx, s, outer, size, inner, index.shape[d]);
  for (const t of new Set([checked, idx, s])) if (t !== index && t !== src) t.dispose();
  return out;
}

/**
 * One-hot encoding of an integer tensor: a new last dim of size numClasses (int64).
 *
 * @example
 * tt.oneHot(tt.tensor([0, 2]), 3); // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(index: Tensor, numClasses = -1): Tensor {
  index.check("oneHot");
  if (index.dtype !== "int64" && index.dtype !== "int32") throw new TypeError(`oneHot: expected an integer tensor, got ${index.dtype}`);
  const vals = Array.from(index.data() as BigInt64Array | Int32Array, Number);
  if (vals.some((v) => v < 0)) throw new RangeError("oneHot: class values must be non-negative");
  const n = numClasses < 0 ? (vals.length ? Math.max(...vals) + 1 : 0) : numClasses;
  if (vals.some((v) => v >= n)) throw new RangeError(`oneHot: class values must be smaller than numClasses (${n})`);
  const flat = new BigInt64Array(vals.length * n);
  vals.forEach((v, i) => (flat[i * n + v] = 1n));
  const out = emptyTensor([...index.shape, n], "int64", index.device);
  if (flat.length > 0) backend(index.device).write(out.storage.handle, 0, flat);
  return out;
}

/**
 * Rows of `weight` picked by integer `indices` (any shape): the result has shape
 * [...indices.shape, weight.shape[1]].
 *
 * @example
 * tt.embedding(tt.tensor([[1, 0]]), tt.randn([10, 4])).shape; // [1, 2, 4]
 */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  weight.check("embedding");
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-d, got shape ${fmtShape(weight.shape)}`);
  const flat = indices.reshape(-1);
  const rows = indexSelect(weight, 0, flat);
  flat.dispose();
  const out = rows.reshape([...indices.shape, weight.shape[1]]);
  rows.dispose();
  return out;
}
