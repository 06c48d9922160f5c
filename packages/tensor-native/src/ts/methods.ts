/**
 * Tensor's reduction, shape, indexing and cast methods (the elementwise ones come from the
 * op tables in ops/). The interface below is what editors show; defineOps installs the
 * functions (see method-layers.ts).
 */
import { isHalf, type DType } from "./dtype.js";
import { clamp, where, type Scalar, type TensorLike } from "./elementwise.js";
import { gather, indexSelect, maskedFill, scatterAdd } from "./indexing.js";
import { matmul } from "./matmul.js";
import { defineOps } from "./method-layers.js";
import { R } from "./opcodes.js";
import { reduceOp, softmaxOp, type Dims } from "./reduce.js";
import * as S from "./shape.js";
import { castOwned, contiguousOrSelf, emptyTensor, fmtShape, Tensor } from "./tensor.js";
import { backend } from "./dispatch.js";

/** Values and their indices, as returned by max(dim) and min(dim). */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

declare module "./tensor.js" {
  interface Tensor {
    /** Clamps into [min, max]. @example x.clamp(0, 1) */
    clamp(min?: TensorLike, max?: TensorLike): Tensor;
    /**
     * Sum over dims: all when omitted or an empty list (as PyTorch 1.13); naming a dim twice
     * throws. A zero-size reduction gives 0.
     * @example x.sum(); x.sum(1, true); x.sum([0, 2])
     */
    sum(dim?: Dims, keepdim?: boolean): Tensor;
    /** Mean over dims (all when omitted or []); NaN over zero elements. @example x.mean(0) */
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    /** @example x.prod(1) */
    prod(dim?: Dims, keepdim?: boolean): Tensor;
    /**
     * Variance over dims (all when omitted or []), dividing by max(0, n - correction)
     * (Bessel's correction 1 by default): with n <= correction the result is +inf, or NaN
     * where the values are equal or n is 0, as in PyTorch.
     * @example x.var(1, false, 0)
     */
    var(dim?: Dims, keepdim?: boolean, correction?: number): Tensor;
    /** Standard deviation: sqrt of var with the same dims and correction. @example x.std() */
    std(dim?: Dims, keepdim?: boolean, correction?: number): Tensor;
    /**
     * log(sum(exp(x))) computed stably; -inf over zero elements. Integer and bool inputs
     * give float32, as in PyTorch.
     * @example x.logsumexp(1)
     */
    logsumexp(dim: Dims, keepdim?: boolean): Tensor;
    /** Largest value, or {values, indices} along a dim. @example x.max(); x.max(1).indices */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ValuesIndices;
    /** Smallest value, or {values, indices} along a dim. @example x.min(0).values */
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ValuesIndices;
    /**
     * Index of the largest value (into the flattened tensor when dim is omitted; keepdim
     * then gives a tensor of x's rank with every size 1). @example x.argmax(1)
     */
    argmax(dim?: number, keepdim?: boolean): Tensor;
    /** @example x.argmin(1) */
    argmin(dim?: number, keepdim?: boolean): Tensor;
    /** exp(x) / sum(exp(x)) along dim; a contiguous result in x's (floating) dtype. @example logits.softmax(-1) */
    softmax(dim: number): Tensor;
    /** x - logsumexp(x) along dim, as softmax. @example logits.logSoftmax(-1) */
    logSoftmax(dim: number): Tensor;
    /** Matrix product (see tt.matmul). @example a.matmul(b) */
    matmul(other: Tensor): Tensor;
    /** New shape, a view when possible; one size may be -1. @example x.reshape(2, -1) */
    reshape(...shape: S.ShapeArg[]): Tensor;
    /**
     * New shape as a view (no copy). Works on non-contiguous tensors too when the merged
     * or split dims are contiguous among themselves (PyTorch's rule); else throws, and
     * reshape() copies instead.
     * @example x.view([4, 4]); x.t().view(-1) // throws: use reshape
     */
    view(...shape: S.ShapeArg[]): Tensor;
    /** Swaps two dims (a view). @example x.transpose(0, 1) */
    transpose(dim0: number, dim1: number): Tensor;
    /** Transpose of a 2-d tensor. @example x.t() */
    t(): Tensor;
    /** Reorders dims (a view). @example x.permute(2, 0, 1) */
    permute(...dims: S.ShapeArg[]): Tensor;
    /** Broadcasts size-1 dims to a larger shape (a view); -1 keeps a size. @example x.expand(4, 3) */
    expand(...shape: S.ShapeArg[]): Tensor;
    /** Removes size-1 dims. @example x.squeeze(0) */
    squeeze(dim?: number): Tensor;
    /** Inserts a size-1 dim. @example x.unsqueeze(0) */
    unsqueeze(dim: number): Tensor;
    /** @example x.flatten(1) */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** This tensor laid out row-major (itself when it already is). @example x.t().contiguous() */
    contiguous(): Tensor;
    /** length entries from start along dim, as a view (not for 0-d tensors). @example x.narrow(0, 1, 2) */
    narrow(dim: number, start: number, length: number): Tensor;
    /** Indexes one position along dim, removing it. @example x.select(0, -1) */
    select(dim: number, index: number): Tensor;
    /** Python's x[start:end:step] along dim, as a view. @example x.slice(1, 0, null, 2) */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    /** Views of `size` entries along dim (or the given sizes); a zero-size dim gives one empty piece. @example x.split(2, 0) */
    split(size: number | readonly number[], dim?: number): Tensor[];
    /** At most `chunks` views of ceil(n / chunks) entries; a zero-size dim gives `chunks` empty pieces. @example x.chunk(3, 1) */
    chunk(chunks: number, dim?: number): Tensor[];
    /** Entries along dim at a 0-d/1-d int64 or int32 index (no negative entries). @example x.indexSelect(0, tt.tensor([2, 0])) */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** Entries at index along dim (index no larger than x outside dim; see tt.gather). @example x.gather(1, idx) */
    gather(dim: number, index: Tensor): Tensor;
    /** Out-of-place scatter-add along dim; src has x's dtype (see tt.scatterAdd). @example x.scatterAdd(0, idx, src) */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** @example x.maskedFill(x.lt(0), 0) */
    maskedFill(mask: Tensor, value: Scalar | Tensor): Tensor;
    /** @example x.float() */
    float(): Tensor;
    /** @example x.double() */
    double(): Tensor;
    /** @example x.half() */
    half(): Tensor;
    /** @example x.bfloat16() */
    bfloat16(): Tensor;
    /** @example x.int() */
    int(): Tensor;
    /** @example x.long() */
    long(): Tensor;
    /** @example x.bool() */
    bool(): Tensor;
    /** A copy in new storage. @example x.clone() */
    clone(): Tensor;
  }
}

function extremum(op: typeof R.max | typeof R.min, argop: typeof R.argmax | typeof R.argmin) {
  return function (this: Tensor, dim?: number, keepdim?: boolean): any {
    if (dim === undefined) return reduceOp(op, this, undefined, false);
    return { values: reduceOp(op, this, dim, keepdim), indices: reduceOp(argop, this, dim, keepdim) };
  };
}
function argext(op: typeof R.argmax | typeof R.argmin) {
  return function (this: Tensor, dim?: number, keepdim?: boolean): Tensor {
    // PyTorch has no bool kernel for these (max/min with a dim do take bool).
    if (this.dtype === "bool")
      throw new TypeError(
        `${op === R.argmax ? "argmax" : "argmin"}: bool tensors are not supported (as in PyTorch); cast first, e.g. x.int()`,
      );
    if (dim !== undefined) return reduceOp(op, this, dim, keepdim);
    const flat = S.reshape(this, [-1]);
    const r = reduceOp(op, flat, 0, false);
    flat.dispose();
    if (!keepdim) return r;
    // PyTorch keeps every dim as size 1 when keepdim is asked for without a dim.
    const kept = S.reshape(
      r,
      this.shape.map(() => 1),
    );
    r.dispose();
    return kept;
  };
}
const cast = (d: DType) =>
  function (this: Tensor) {
    return this.dtype === d ? S.reshape(this, [...this.shape]) : this.to(d);
  };

defineOps({
  clamp(min, max) {
    return clamp(this, min, max);
  },
  sum(dim, keepdim) {
    return reduceOp(R.sum, this, dim, keepdim);
  },
  mean(dim, keepdim) {
    return reduceOp(R.mean, this, dim, keepdim);
  },
  prod(dim, keepdim) {
    return reduceOp(R.prod, this, dim, keepdim);
  },
  var(dim, keepdim, correction = 1) {
    return reduceOp(R.var, this, dim, keepdim, correction);
  },
  std(dim, keepdim, correction = 1) {
    // The variance of float32 values can pass float32's range while their std does not
    // (PyTorch: std of [0, 1e30] is 7.07e29): take the root in float64, then round.
    const wide = this.dtype === "float32" || isHalf(this.dtype);
    const v = reduceOp(R.var, this, dim, keepdim, correction, wide ? "float64" : undefined);
    const s = v.sqrt();
    v.dispose();
    return castOwned(s, this.dtype);
  },
  logsumexp(dim, keepdim) {
    return reduceOp(R.logsumexp, this, dim, keepdim);
  },
  max: extremum(R.max, R.argmax),
  min: extremum(R.min, R.argmin),
  argmax: argext(R.argmax),
  argmin: argext(R.argmin),
  softmax(dim) {
    return softmaxOp(R.softmax, this, dim);
  },
  logSoftmax(dim) {
    return softmaxOp(R.logSoftmax, this, dim);
  },
  matmul(o) {
    return matmul(this, o);
  },
  reshape(...s) {
    return S.reshape(this, S.flatShape(s));
  },
  view(...s) {
    return S.view(this, S.flatShape(s));
  },
  transpose(a, b) {
    return S.transpose(this, a, b);
  },
  t() {
    if (this.ndim > 2) throw new Error(`t: expects a tensor with at most 2 dims, got ${this.ndim}; use transpose()`);
    return this.ndim < 2 ? S.reshape(this, [...this.shape]) : S.transpose(this, 0, 1);
  },
  permute(...d) {
    return S.permute(this, S.flatShape(d));
  },
  expand(...s) {
    const shape = S.flatShape(s);
    const off = shape.length - this.ndim;
    const lead = shape.findIndex((d, i) => d === -1 && i < off);
    if (lead >= 0)
      throw new Error(
        `expand: -1 (keep the size) is not allowed in the new leading dimension ${lead} when expanding ${fmtShape(this.shape)} to ${fmtShape(shape)}`,
      );
    return S.expandTo(
      this,
      shape.map((d, i) => (d === -1 ? this.shape[i - off] : d)),
    );
  },
  squeeze(dim) {
    return S.squeeze(this, dim);
  },
  unsqueeze(dim) {
    return S.unsqueeze(this, dim);
  },
  flatten(a, b) {
    return S.flatten(this, a, b);
  },
  contiguous() {
    this.check("contiguous");
    const c = contiguousOrSelf(this);
    return c === this ? S.reshape(this, [...this.shape]) : c;
  },
  narrow(d, s, l) {
    return S.narrow(this, d, s, l);
  },
  select(d, i) {
    return S.select(this, d, i);
  },
  slice(d, s, e, st) {
    return S.slice(this, d, s ?? 0, e ?? undefined, st ?? 1);
  },
  split(size, dim) {
    return S.split(this, size, dim);
  },
  chunk(n, dim) {
    return S.chunk(this, n, dim);
  },
  indexSelect(d, i) {
    return indexSelect(this, d, i);
  },
  gather(d, i) {
    return gather(this, d, i);
  },
  scatterAdd(d, i, s) {
    return scatterAdd(this, d, i, s);
  },
  maskedFill(m, v) {
    return maskedFill(this, m, v);
  },
  float: cast("float32"),
  double: cast("float64"),
  half: cast("float16"),
  bfloat16: cast("bfloat16"),
  int: cast("int32"),
  long: cast("int64"),
  bool: cast("bool"),
  clone() {
    this.check("clone");
    const out = emptyTensor(this.shape, this.dtype, this.device);
    backend(this.device).copy(this, out);
    return out;
  },
});

export { where };
