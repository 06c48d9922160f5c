/** Tests for special values and the logical reductions, built from comparisons. */
import { Tensor } from "./tensor.js";

declare module "./tensor.js" {
  interface Tensor {
    /** True where NaN. @example x.isnan() */
    isnan(): Tensor;
    /** True where +Inf or -Inf. @example x.isinf() */
    isinf(): Tensor;
    /** True where neither NaN nor infinite. @example x.isfinite().all().item() */
    isfinite(): Tensor;
    /** Whether any element is true (non-zero), as a 0-d bool tensor. @example mask.any().item() */
    any(): Tensor;
    /** Whether every element is true (non-zero), as a 0-d bool tensor. @example mask.all().item() */
    all(): Tensor;
    /** Elementwise and of two masks. @example a.logicalAnd(b) */
    logicalAnd(other: Tensor): Tensor;
    /** Elementwise or of two masks. @example a.logicalOr(b) */
    logicalOr(other: Tensor): Tensor;
  }
}

const P = Tensor.prototype;
const asBool = (t: Tensor): Tensor => (t.dtype === "bool" ? t : t.ne(0));
const owned = (src: Tensor, t: Tensor, fn: (t: Tensor) => Tensor): Tensor => {
  const r = fn(t);
  if (t !== src) t.dispose();
  return r;
};

P.isnan = function () {
  return this.ne(this);
};
P.isinf = function () {
  return owned(this, this.abs(), (a) => a.eq(Infinity));
};
P.isfinite = function () {
  return owned(this, this.abs(), (a) => a.lt(Infinity));
};
P.any = function () {
  return owned(this, asBool(this), (b) => owned(b, b.sum(), (s) => s.gt(0)));
};
P.all = function () {
  return owned(this, asBool(this), (b) => owned(b, b.sum(), (s) => s.eq(b.numel())));
};
P.logicalAnd = function (other) {
  return owned(this, asBool(this), (a) => owned(other, asBool(other), (b) => a.mul(b)));
};
P.logicalOr = function (other) {
  return owned(this, asBool(this), (a) => owned(other, asBool(other), (b) => a.add(b)));
};
