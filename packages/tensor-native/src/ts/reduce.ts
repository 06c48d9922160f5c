/** Reductions over dims (with keepdim) and softmax, on top of one row-reduce primitive. */
import { backend, type ViewLike } from "./dispatch.js";
import { isFloating, isHalf, type DType } from "./dtype.js";
import { R } from "./opcodes.js";
import { transpose } from "./shape.js";
import { castOwned, contiguousOrSelf, emptyTensor, isContiguousView, normDim, numelOf, Tensor } from "./tensor.js";

export type Dims = number | readonly number[] | undefined;

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(R).map(([k, v]) => [v, k]));

function outDType(op: number, d: DType): DType {
  const name = NAMES[op];
  switch (op) {
    case R.sum: case R.prod:
      return isFloating(d) ? d : "int64";
    case R.argmax: case R.argmin:
      return "int64";
    case R.max: case R.min:
      return d;
    default:
      if (!isFloating(d)) throw new TypeError(`${name}: needs a floating point input, got ${d}; cast first, e.g. x.float().${name}()`);
      return d;
  }
}

export function reduceOp(op: number, x: Tensor, dims: Dims, keepdim = false, correction = 1): Tensor {
  const name = NAMES[op];
  x.check(name);
  const nd = x.ndim;
  const list = dims === undefined ? Array.from({ length: nd }, (_, i) => i) : typeof dims === "number" ? [dims] : [...dims];
  const red = [...new Set(list.map((d) => normDim(d, nd, name)))].filter((d) => d < nd).sort((a, b) => a - b);
  const kept = Array.from({ length: nd }, (_, i) => i).filter((i) => !red.includes(i));
  const outer = numelOf(kept.map((i) => x.shape[i]));
  const n = numelOf(red.map((i) => x.shape[i]));
  if (n === 0 && op !== R.sum && op !== R.prod && op !== R.mean)
    throw new Error(`${name}: cannot reduce over a zero-size dimension of a tensor with shape [${x.shape.join(",")}]`);
  const dt = outDType(op, x.dtype);
  const cdt: DType = isHalf(x.dtype) ? "float32" : x.dtype;
  const ocdt: DType = isHalf(dt) ? "float32" : dt;
  const outShape = keepdim ? x.shape.map((s, i) => (red.includes(i) ? 1 : s)) : kept.map((i) => x.shape[i]);
  if ((op === R.sum || op === R.mean) && (x.dtype === "float32" || x.dtype === "float64") && n > 0 && outer > 0 &&
      red.length > 0 && red.every((d, i) => d === i) && x.isContiguous()) {
    return columnSum(x, n, outer, op === R.mean, outShape);
  }
  const src = x.dtype === cdt ? x : x.to(cdt);
  const order = [...kept, ...red];
  const perm: ViewLike = {
    storage: src.storage, dtype: src.dtype, offset: src.offset,
    shape: order.map((i) => src.shape[i]), strides: order.map((i) => src.strides[i]),
  };
  let c: Tensor | undefined;
  if (!isContiguousView(perm)) {
    c = emptyTensor(perm.shape, perm.dtype, x.device);
    backend(x.device).copy(perm, c);
  }
  const out = emptyTensor(outShape, ocdt, x.device);
  try {
    if (n === 0) backend(x.device).fill(out, op === R.prod ? 1 : op === R.mean ? NaN : 0);
    else backend(x.device).reduce(op, c ?? perm, out, outer, n, correction);
  } finally {
    c?.dispose();
    if (src !== x) src.dispose();
  }
  return castOwned(out, dt);
}

/**
 * Sums over leading dims (a bias gradient's batch dim) as ones[1, n] x X[n, outer]: one
 * GEMM reads X once in row order, where the generic path would transpose it first.
 */
function columnSum(x: Tensor, n: number, outer: number, mean: boolean, outShape: readonly number[]): Tensor {
  const ones = emptyTensor([1, n], x.dtype, x.device);
  backend(x.device).fill(ones, mean ? 1 / n : 1);
  const out = emptyTensor(outShape, x.dtype, x.device);
  const rows: ViewLike = { storage: x.storage, dtype: x.dtype, offset: x.offset, shape: [n, outer], strides: [outer, 1] };
  const dst: ViewLike = { storage: out.storage, dtype: out.dtype, offset: 0, shape: [1, outer], strides: [outer, 1] };
  try {
    backend(x.device).matmul(ones, rows, dst);
  } finally {
    ones.dispose();
  }
  return out;
}

/** softmax / logSoftmax along dim. */
export function softmaxOp(op: number, x: Tensor, dim: number): Tensor {
  const name = NAMES[op];
  x.check(name);
  if (!isFloating(x.dtype)) throw new TypeError(`${name}: needs a floating point input, got ${x.dtype}`);
  if (x.ndim === 0) {
    const one = emptyTensor([], x.dtype, x.device);
    backend(x.device).fill(one, op === R.softmax ? 1 : 0);
    return one;
  }
  const d = normDim(dim, x.ndim, name);
  const cdt: DType = isHalf(x.dtype) ? "float32" : x.dtype;
  const src = x.dtype === cdt ? x : x.to(cdt);
  const moved = transpose(src, d, -1);
  const c = contiguousOrSelf(moved);
  const out = emptyTensor(c.shape, cdt, x.device);
  const n = x.shape[d];
  try {
    if (out.numel() > 0) backend(x.device).reduce(op, c, out, out.numel() / n, n, 0);
  } finally {
    if (c !== moved) c.dispose();
    moved.dispose();
    if (src !== x) src.dispose();
  }
  let r = transpose(out, d, -1);
  out.dispose();
  if (d !== x.ndim - 1) {
    const cr = contiguousOrSelf(r);
    r.dispose();
    r = cr;
  }
  if (cdt !== x.dtype) {
    const h = r.to(x.dtype);
    r.dispose();
    return h;
  }
  return r;
}
