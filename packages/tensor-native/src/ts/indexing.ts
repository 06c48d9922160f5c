/** Index-driven selection: indexSelect, gather, maskedFill. */
import { backend } from "./dispatch.js";
import { where, type Scalar } from "./elementwise.js";
import { isHalf, type DType } from "./dtype.js";
import { INDEX } from "./opcodes.js";
import { contiguousStrides, numelOf } from "./strides.js";
import { castOwned, contiguousOrSelf, emptyTensor, fmtShape, normDim, Tensor } from "./tensor.js";

/**
 * `index` as a contiguous int64 tensor (the caller disposes it when it is not `index`),
 * after checking every entry is in [0, size). Negative entries are out of range, as in
 * PyTorch's indexSelect/gather/scatterAdd (x.index() wraps them itself, as x[idx] does).
 */
function checkIndex(op: string, index: Tensor, size: number, dim: number): Tensor {
  checkIndexDType(op, index);
  const idx = contiguousOrSelf(index.dtype === "int64" ? index : index.to("int64"));
  for (const v of idx.data() as BigInt64Array) {
    if (v < 0n || v >= BigInt(size)) {
      if (idx !== index) idx.dispose();
      throw new RangeError(`${op}: index ${v} is out of range for a dimension of size ${size} (dimension ${dim})`);
    }
  }
  return idx;
}

/** Index tensors are int64, or int32 (see docs/pytorch-coverage.md, int32-scatter-gather-index). */
function checkIndexDType(op: string, index: Tensor): void {
  index.check(op);
  if (index.dtype !== "int64" && index.dtype !== "int32")
    throw new TypeError(`${op}: index must be an int64 or int32 tensor, got ${index.dtype}`);
}

/** PyTorch treats a 0-d tensor as 1-d of size 1 in gather/scatter: the shape to compute with. */
const atLeast1d = (shape: readonly number[]): number[] => (shape.length === 0 ? [1] : [...shape]);

/**
 * Picks entries along `dim` by a 0-d or 1-D index tensor (int64 or int32).
 *
 * @example
 * tt.arange(10).reshape(5, 2).indexSelect(0, tt.tensor([4, 0])); // rows 4 and 0
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  x.check("indexSelect");
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 0-d or 1-d (a vector), got shape ${fmtShape(index.shape)}`);
  const d = normDim(dim, x.ndim, "indexSelect");
  const size = x.ndim === 0 ? 1 : x.shape[d];
  const n = index.numel();
  // PyTorch returns a 0-d tensor for a 0-d input whatever the index length (all entries
  // must be 0); with no index entries it returns uninitialized memory, so we refuse that.
  if (x.ndim === 0 && n === 0) throw new Error("indexSelect: a 0-d input needs a non-empty index");
  const idx = checkIndex("indexSelect", index, size, d);
  const shape = [...x.shape];
  if (x.ndim > 0) shape[d] = n;
  const out = emptyTensor(shape, x.dtype, x.device);
  const c = contiguousOrSelf(x);
  const outer = numelOf(x.shape.slice(0, d)),
    inner = numelOf(x.shape.slice(d + 1));
  if (x.ndim === 0) backend(x.device).copy(x, out);
  else if (out.numel() > 0) backend(x.device).indexOp(INDEX.select, c, idx, out, outer, size, inner, n);
  if (idx !== index) idx.dispose();
  if (c !== x) c.dispose();
  return out;
}

/**
 * Checks gather/scatterAdd shapes as PyTorch: index has x's rank (0-d counts as 1-d) and
 * is no larger than x in every dim but `dim` (there it may be any size).
 */
function checkScatterGather(op: string, x: Tensor, d: number, index: Tensor): void {
  const xs = atLeast1d(x.shape),
    is = atLeast1d(index.shape);
  if (xs.length !== is.length)
    throw new Error(`${op}: index ${fmtShape(index.shape)} must have the same number of dimensions as input ${fmtShape(x.shape)}`);
  for (let i = 0; i < xs.length; i++)
    if (i !== d && is[i] > xs[i])
      throw new Error(
        `${op}: index ${fmtShape(index.shape)} must be no larger than input ${fmtShape(x.shape)} apart from dimension ${d} (${is[i]} > ${xs[i]} at dimension ${i})`,
      );
}

/** x narrowed to `shape` in every dim but `d` (x and shape of one rank). */
function narrowTo(x: Tensor, shape: readonly number[], d: number): Tensor {
  let v = x.view_(x.shape, x.strides, x.offset);
  for (let i = 0; i < shape.length; i++) {
    if (i === d || shape[i] === v.shape[i]) continue;
    const next = v.view_(
      v.shape.map((s, k) => (k === i ? shape[i] : s)),
      v.strides,
      v.offset,
    );
    v.dispose();
    v = next;
  }
  return v;
}

/**
 * out[i][j] = x[index[i][j]][j] for dim 0 (and likewise for other dims). index has x's
 * rank and is no larger than x outside `dim`; the result has index's shape.
 *
 * @example
 * tt.tensor([[1, 2], [3, 4]]).gather(1, tt.tensor([[0, 0], [1, 0]])); // [[1, 1], [4, 3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  x.check("gather");
  checkIndexDType("gather", index);
  const d = normDim(dim, x.ndim, "gather");
  checkScatterGather("gather", x, d, index);
  const xs = atLeast1d(x.shape),
    is = atLeast1d(index.shape);
  const out = emptyTensor(index.shape, x.dtype, x.device);
  if (out.numel() === 0) return out;
  const idx = checkIndex("gather", index, xs[d], d);
  // Only the part of x the index covers takes part; the kernel wants it contiguous.
  const lifted = x.view_(xs, atLeast1d(x.strides), x.offset);
  const part = narrowTo(lifted, is, d);
  lifted.dispose();
  const c = contiguousOrSelf(part);
  const outer = numelOf(is.slice(0, d)),
    inner = numelOf(is.slice(d + 1));
  backend(x.device).indexOp(INDEX.gather, c, idx, out, outer, xs[d], inner, is[d]);
  if (idx !== index) idx.dispose();
  if (c !== part) c.dispose();
  part.dispose();
  return out;
}

/** Sets entries where `mask` is true to `value`, a number or 0-d tensor (x and mask broadcast together). */
export function maskedFill(x: Tensor, mask: Tensor, value: Scalar | Tensor): Tensor {
  if (mask.dtype !== "bool") throw new TypeError(`maskedFill: mask must be a bool tensor, got ${mask.dtype}`);
  if (value instanceof Tensor && value.ndim !== 0)
    throw new Error(
      `maskedFill: a value tensor must be 0-d (as in PyTorch), got shape ${fmtShape(value.shape)}; use tt.where for elementwise values`,
    );
  const v = value instanceof Tensor ? value.to(x.dtype) : value;
  // The cast copy of `value` is freed on every path (it leaked when the result needed a cast).
  const out = castOwned(where(mask, v, x), x.dtype);
  if (v instanceof Tensor && v !== value) v.dispose();
  return out;
}

/**
 * Out-of-place scatter-add: a copy of x with src[i][j] added at x[index[i][j]][j] (dim 0;
 * likewise for other dims). Repeated indices accumulate. As in PyTorch, index has x's
 * rank, is no larger than x outside `dim` and no larger than src anywhere, and src has x's
 * dtype; on bool tensors the sum is a logical or.
 *
 * @example
 * tt.zeros([3]).scatterAdd(0, tt.tensor([0, 2, 0]), tt.ones([3])); // [2, 0, 1]
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  x.check("scatterAdd");
  src.check("scatterAdd");
  checkIndexDType("scatterAdd", index);
  const d = normDim(dim, x.ndim, "scatterAdd");
  if (src.dtype !== x.dtype)
    throw new TypeError(`scatterAdd: src must have the dtype of the input, got ${src.dtype} and ${x.dtype}; cast src first`);
  const out = emptyTensor(x.shape, x.dtype, x.device);
  backend(x.device).copy(x, out);
  if (index.numel() === 0) return out; // PyTorch skips the shape checks too
  checkScatterGather("scatterAdd", x, d, index);
  const is = atLeast1d(index.shape),
    ss = atLeast1d(src.shape);
  if (ss.length !== is.length || is.some((s, i) => s > ss[i]))
    throw new Error(`scatterAdd: index ${fmtShape(index.shape)} must be no larger than src ${fmtShape(src.shape)} in every dimension`);
  const xs = atLeast1d(x.shape);
  const idx = checkIndex("scatterAdd", index, xs[d], d);
  // The kernel adds into a contiguous [outer, size, inner] block: the part of `out` the
  // index covers (a copy, written back, when the index is smaller than x outside `dim`).
  // Half types add in float32, bool in int32 (cast back as != 0: true + true stays true).
  const acc: DType = isHalf(x.dtype) ? "float32" : x.dtype === "bool" ? "int32" : x.dtype;
  const temps: Tensor[] = [idx];
  const temp = (t: Tensor): Tensor => {
    temps.push(t);
    return t;
  };
  const whole = temp(out.view_(xs, contiguousStrides(xs), 0));
  const part = temp(narrowTo(whole, [...is.slice(0, d), xs[d], ...is.slice(d + 1)], d));
  const block = temp(acc !== x.dtype ? part.to(acc) : contiguousOrSelf(part));
  const srcPart = temp(narrowTo(temp(src.view_(ss, atLeast1d(src.strides), src.offset)), is, -1));
  const s = temp(contiguousOrSelf(temp(srcPart.to(acc))));
  const outer = numelOf(is.slice(0, d)),
    inner = numelOf(is.slice(d + 1));
  try {
    backend(x.device).indexOp(INDEX.scatterAdd, block, idx, s, outer, xs[d], inner, is[d]);
    if (block !== part) backend(x.device).copy(block, part);
  } finally {
    for (const t of new Set(temps)) if (t !== index && t !== src && t !== out) t.dispose();
  }
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
  if (numClasses < 0 && vals.length === 0)
    throw new Error("oneHot: cannot infer the number of classes from an empty tensor; pass numClasses");
  const n = numClasses < 0 ? vals.reduce((m, v) => Math.max(m, v + 1), 0) : numClasses;
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
