/** Tests for special values and the logical reductions, built from comparisons. */
import { full } from "./creation.js";
import { isFloating } from "./dtype.js";
import { defineOps } from "./method-layers.js";
import { castOwned, normDim, type Tensor } from "./tensor.js";

declare module "./tensor.js" {
  interface Tensor {
    /** True where NaN. @example x.isnan() */
    isnan(): Tensor;
    /** True where +Inf or -Inf. @example x.isinf() */
    isinf(): Tensor;
    /** True where neither NaN nor infinite. @example x.isfinite().all().item() */
    isfinite(): Tensor;
    /**
     * Whether any element is true (non-zero; NaN counts as true): over everything as a 0-d
     * tensor, or along `dim` (kept as size 1 with keepdim). bool, or uint8 for a uint8
     * input as in PyTorch; an empty reduction gives false.
     * @example mask.any().item(); mask.any(1); mask.any(-1, true)
     */
    any(dim?: number, keepdim?: boolean): Tensor;
    /**
     * Whether every element is true (non-zero), overall or along `dim` (see any); an empty
     * reduction gives true.
     * @example mask.all().item(); mask.all(0)
     */
    all(dim?: number, keepdim?: boolean): Tensor;
    /** Elementwise and of two masks. @example a.logicalAnd(b) */
    logicalAnd(other: Tensor): Tensor;
    /** Elementwise or of two masks. @example a.logicalOr(b) */
    logicalOr(other: Tensor): Tensor;
  }
}

const asBool = (t: Tensor): Tensor => (t.dtype === "bool" ? t : t.ne(0));
const owned = (src: Tensor, t: Tensor, fn: (t: Tensor) => Tensor): Tensor => {
  const r = fn(t);
  if (t !== src) t.dispose();
  return r;
};

/** any/all as a count of true (or false) entries compared with 0, so empty dims need no special case. */
function anyAll(x: Tensor, op: "any" | "all", dim: number | undefined, keepdim: boolean): Tensor {
  x.check(op);
  if (dim !== undefined) normDim(dim, x.ndim, op);
  const dims = dim ?? []; // [] reduces over every dim
  const hits = op === "any" ? asBool(x) : x.eq(0);
  const count = owned(x, hits, (b) => b.sum(dims, keepdim));
  const r = op === "any" ? count.gt(0) : count.eq(0);
  count.dispose();
  return x.dtype === "uint8" ? castOwned(r, "uint8") : r;
}

defineOps({
  isnan() {
    return this.ne(this);
  },
  // Integer and bool tensors hold no infinities (and bool has no abs()).
  isinf() {
    this.check("isinf");
    if (!isFloating(this.dtype)) return full(this.shape, false, { device: this.device });
    return owned(this, this.abs(), (a) => a.eq(Infinity));
  },
  isfinite() {
    this.check("isfinite");
    if (!isFloating(this.dtype)) return full(this.shape, true, { device: this.device });
    return owned(this, this.abs(), (a) => a.lt(Infinity));
  },
  any(dim, keepdim = false) {
    return anyAll(this, "any", dim, keepdim);
  },
  all(dim, keepdim = false) {
    return anyAll(this, "all", dim, keepdim);
  },
  logicalAnd(other) {
    return owned(this, asBool(this), (a) => owned(other, asBool(other), (b) => a.mul(b)));
  },
  logicalOr(other) {
    return owned(this, asBool(this), (a) => owned(other, asBool(other), (b) => a.add(b)));
  },
});
