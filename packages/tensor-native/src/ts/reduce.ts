/** Reductions over dims (with keepdim) and softmax, on top of one row-reduce primitive. */
import { backend, type ViewLike } from "./dispatch.js";
import { isFloating, isHalf, type DType } from "./dtype.js";
import { R, type ReduceCode } from "./opcodes.js";
import { transpose } from "./shape.js";
import { isContiguousView, numelOf } from "./strides.js";
import { castOwned, contiguousOrSelf, emptyTensor, fmtShape, normDim, Tensor } from "./tensor.js";

export type Dims = number | readonly number[] | undefined;

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(R).map(([k, v]) => [v, k]));

function outDType(op: ReduceCode, d: DType): DType {
  const name = NAMES[op];
  switch (op) {
    case R.sum:
    case R.prod:
      return isFloating(d) ? d : "int64";
    case R.argmax:
    case R.argmin:
      return "int64";
    case R.max:
    case R.min:
      return d;
    case R.logsumexp:
      return isFloating(d) ? d : "float32"; // PyTorch promotes integer and bool inputs
    default:
      if (!isFloating(d)) throw new TypeError(`${name}: needs a floating point input, got ${d}; cast first, e.g. x.float().${name}()`);
      return d;
  }
}

/**
 * The dims a reduction reduces, normalized and sorted. Omitted or an empty list means all
 * dims, as in PyTorch 1.13 (`x.sum([])` sums everything); a dim named twice is an error.
 * A 0-d tensor accepts dim 0 or -1 and reduces nothing.
 */
export function reductionDims(dims: Dims, ndim: number, op: string): number[] {
  const list = typeof dims === "number" ? [dims] : [...(dims ?? [])];
  if (list.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  const norm = list.map((d) => normDim(d, ndim, op));
  const dup = norm.find((d, i) => norm.indexOf(d) !== i);
  if (dup !== undefined) throw new Error(`${op}: dim ${dup} appears multiple times in the list of dims`);
  return norm.filter((d) => d < ndim).sort((a, b) => a - b);
}

/** What a reduction over zero elements gives (PyTorch's identities); undefined where it raises. */
function emptyValue(op: ReduceCode): number | undefined {
  switch (op) {
    case R.sum:
      return 0;
    case R.prod:
      return 1;
    case R.mean:
    case R.var:
      return NaN;
    case R.logsumexp:
      return -Infinity;
    default:
      return undefined;
  }
}

/**
 * `op` over `dims`. `wide` (float64) keeps a float32 or 16-bit input's result in float64, for
 * a caller that finishes it there (std: a variance past float32's range has a root inside it).
 */
export function reduceOp(op: ReduceCode, x: Tensor, dims: Dims, keepdim = false, correction = 1, wide?: "float64"): Tensor {
  const name = NAMES[op];
  x.check(name);
  const nd = x.ndim;
  const red = reductionDims(dims, nd, name);
  const kept = Array.from({ length: nd }, (_, i) => i).filter((i) => !red.includes(i));
  const outer = numelOf(kept.map((i) => x.shape[i]));
  const n = numelOf(red.map((i) => x.shape[i]));
  if (n === 0 && emptyValue(op) === undefined)
    throw new Error(
      `${name}: cannot reduce over a zero-size dimension of a tensor with shape ${fmtShape(x.shape)} (${name} has no identity value)`,
    );
  const dt = outDType(op, x.dtype);
  // Integer inputs of a float-valued reduction (logsumexp) are computed in its output dtype.
  const cdt: DType = isHalf(x.dtype) ? "float32" : isFloating(x.dtype) || !isFloating(dt) ? x.dtype : dt;
  const ocdt: DType = wide ?? (isHalf(dt) ? "float32" : dt);
  const outShape = keepdim ? x.shape.map((s, i) => (red.includes(i) ? 1 : s)) : kept.map((i) => x.shape[i]);
  if (op === R.var && n - correction <= 0 && n > 0) {
    // PyTorch divides by max(0, n - correction): +inf, or NaN where every value is equal.
    const pop = reduceOp(R.var, x, red, keepdim, 0, wide);
    const r = pop.mul(Infinity);
    pop.dispose();
    return r;
  }
  if (
    (op === R.sum || op === R.mean) &&
    (x.dtype === "float32" || x.dtype === "float64") &&
    n > 0 &&
    outer > 0 &&
    red.length > 0 &&
    red.every((d, i) => d === i) &&
    x.isContiguous()
  ) {
    return columnSum(x, n, outer, op === R.mean, outShape);
  }
  const src = x.dtype === cdt ? x : x.to(cdt);
  const order = [...kept, ...red];
  const perm: ViewLike = {
    storage: src.storage,
    dtype: src.dtype,
    offset: src.offset,
    shape: order.map((i) => src.shape[i]),
    strides: order.map((i) => src.strides[i]),
  };
  let c: Tensor | undefined;
  if (!isContiguousView(perm)) {
    c = emptyTensor(perm.shape, perm.dtype, x.device);
    backend(x.device).copy(perm, c);
  }
  const out = emptyTensor(outShape, ocdt, x.device);
  try {
    if (n === 0) backend(x.device).fill(out, emptyValue(op) as number);
    else if (outer > 0) backend(x.device).reduce(op, c ?? perm, out, outer, n, correction);
  } finally {
    c?.dispose();
    if (src !== x) src.dispose();
  }
  return castOwned(out, wide ?? dt);
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

/** softmax / logSoftmax along dim; the result is contiguous, in x's dtype. */
export function softmaxOp(op: typeof R.softmax | typeof R.logSoftmax, x: Tensor, dim: number): Tensor {
  const name = NAMES[op];
  x.check(name);
  if (!isFloating(x.dtype)) throw new TypeError(`${name}: needs a floating point input, got ${x.dtype}`);
  const d = normDim(dim, x.ndim, name);
  if (x.ndim === 0) {
    // One row of one element: exp(x - x) / 1, so NaN and ±inf give NaN, as in PyTorch.
    const row = x.view_([1], [1], x.offset);
    const r = softmaxOp(op, row, 0);
    row.dispose();
    const out = r.view_([], [], r.offset);
    r.dispose();
    return out;
  }
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
  const back = transpose(out, d, -1);
  out.dispose();
  // contiguousOrSelf gives `back` itself when it is already row-major (size-1 dims), so
  // only a copy lets `back` go.
  const r = contiguousOrSelf(back);
  if (r !== back) back.dispose();
  return castOwned(r, x.dtype);
}
