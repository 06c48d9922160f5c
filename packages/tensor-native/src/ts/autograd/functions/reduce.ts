/** Backward formulas of reductions and softmax. */
import type { ValuesIndices } from "../../methods.js";
import { ones, zeros } from "../../creation.js";
import { where as rawWhere } from "../../elementwise.js";
import type { Dims } from "../../reduce.js";
import * as S from "../../shape.js";
import { wrapMethod } from "../../method-layers.js";
import { numelOf } from "../../strides.js";
import { Tensor } from "../../tensor.js";
import { keepDims, reducedDims, unreduce } from "../grad-utils.js";
import { autocastDType, fullPrecision } from "../autocast.js";
import { record, untracked } from "../record.js";

type Formula = (g: Tensor, x: Tensor, y: Tensor, dims: number[], n: number, all: boolean, shape: readonly number[]) => Tensor;
/**
 * `saves`: whether the node keeps the input and result. sum and mean need only shapes, but
 * PyTorch's mean over given dims keeps its input (so changing it in place, or a second
 * backward, is refused there): the same tensors are kept here, so the same things raise.
 */
function reduction(name: "sum" | "mean" | "prod" | "logsumexp", saves: (dim: Dims) => boolean, formula: Formula): void {
  const label = `${name[0].toUpperCase()}${name.slice(1)}Backward`;
  wrapMethod(
    "grad",
    name,
    (raw) =>
      function (this: Tensor, dim?: Dims, keepdim?: boolean): Tensor {
        const out = untracked(() => raw.call(this, dim, keepdim));
        const dims = reducedDims(dim, this.ndim, name);
        const n = numelOf(dims.map((d) => this.shape[d]));
        const shape = this.shape;
        return record(label, out, [this], saves(dim) ? [this, out] : [], (g, [x, y]) => [
          formula(g, x, y, dims, n, dims.length === shape.length, shape),
        ]);
      },
  );
}

reduction(
  "sum",
  () => false,
  (g, _x, _y, dims, _n, _all, shape) => unreduce(g, shape, dims),
);
reduction(
  "mean",
  (dim) => dim !== undefined,
  (g, _x, _y, dims, n, _all, shape) => unreduce(g, shape, dims).div(n),
);
/**
 * Along the last dim, each element's product of all the others, without dividing (so
 * zeros are fine): exclusive prefix times exclusive suffix products, each scanned by
 * doubling as there is no cumprod kernel. PyTorch's prod_safe_zeros_backward.
 */
function othersProduct(x: Tensor): Tensor {
  const d = x.ndim - 1,
    n = x.shape[d];
  if (n <= 1) return ones(x.shape, { dtype: x.dtype, device: x.device });
  // p moved s places along d (towards the end, or the start), the gap filled with ones.
  const shift = (p: Tensor, s: number, toEnd: boolean): Tensor => {
    const pad = ones([...x.shape.slice(0, d), s], { dtype: x.dtype, device: x.device });
    return toEnd ? S.cat([pad, p.narrow(d, 0, n - s)], d) : S.cat([p.narrow(d, s, n - s), pad], d);
  };
  let before = x,
    after = x;
  for (let s = 1; s < n; s *= 2) {
    before = before.mul(shift(before, s, true));
    after = after.mul(shift(after, s, false));
  }
  return shift(before, 1, true).mul(shift(after, 1, false));
}

// Dividing the product by x fails at zeros; where there are any, PyTorch multiplies the
// others instead (and, over all elements, gives zeros outright for two or more).
reduction(
  "prod",
  () => true,
  (g, x, y, dims, n, all) => {
    const gx = unreduce(g, x.shape, dims);
    const zeroCount = Number(x.eq(0).sum().item());
    if (zeroCount === 0) return gx.mul(keepDims(y, x.shape, dims).div(x));
    if (all && zeroCount > 1) return zeros(x.shape, { dtype: g.dtype, device: g.device });
    // Reduced dims to the end, flattened into one, and back.
    const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i)),
      order = [...kept, ...dims];
    const moved = x.permute(order);
    const others = othersProduct(moved.reshape([...kept.map((i) => x.shape[i]), n])).reshape([...moved.shape]);
    const back = new Array<number>(order.length);
    order.forEach((d, i) => (back[d] = i));
    return gx.mul(others.permute(back));
  },
);
reduction(
  "logsumexp",
  () => true,
  (g, x, y, dims) => unreduce(g, x.shape, dims).mul(x.sub(keepDims(y, x.shape, dims)).exp()),
);

function spread(name: "var" | "std"): void {
  wrapMethod(
    "grad",
    name,
    (raw) =>
      function (this: Tensor, dim?: Dims, keepdim?: boolean, correction = 1): Tensor {
        const out = untracked(() => raw.call(this, dim, keepdim, correction));
        const dims = reducedDims(dim, this.ndim, name);
        const n = numelOf(dims.map((d) => this.shape[d]));
        return record(name === "var" ? "VarBackward" : "StdBackward", out, [this], [this, out], (g, [x, y]) => {
          // d std = d var / (2 std), taken as 0 where std is 0 (a constant), as PyTorch.
          const gv = name === "var" ? g : rawWhere(y.eq(0), 0, g.div(y.mul(2)));
          return [
            unreduce(gv, x.shape, dims)
              .mul(x.sub(x.mean(dims, true)))
              .mul(2 / (n - correction)),
          ];
        });
      },
  );
}
spread("var");
spread("std");

function extremum(name: "max" | "min"): void {
  const label = name === "max" ? "MaxBackward" : "MinBackward";
  wrapMethod(
    "grad",
    name,
    (inner) =>
      function (this: Tensor, dim?: number, keepdim?: boolean): any {
        const raw = inner as (this: Tensor, dim?: number, keepdim?: boolean) => Tensor | ValuesIndices;
        const r = untracked(() => raw.call(this, dim, keepdim));
        if (r instanceof Tensor) {
          // Over all elements: ties share the gradient evenly (NaNs tie with a NaN result), as
          // PyTorch; selected rather than multiplied by a mask to keep g's dtype and any Inf.
          return record(label, r, [this], [this, r], (g, [x, y]) => {
            const hit = x.eq(y).logicalOr(x.isnan().logicalAnd(y.isnan()));
            return [rawWhere(hit, g.div(hit.sum()), 0)];
          });
        }
        const d = dim as number;
        record(label, r.values, [this], [r.indices], (g, [idx]) => {
          if (this.ndim === 0) return [g]; // a 0-d input's only element is the result
          const gk = keepdim ? g : g.unsqueeze(d);
          const ik = keepdim ? idx : idx.unsqueeze(d);
          return [zeros(this.shape, { dtype: g.dtype, device: g.device }).scatterAdd(d, ik, gk)];
        });
        return r;
      },
  );
}
extremum("max");
extremum("min");

wrapMethod(
  "grad",
  "softmax",
  (raw) =>
    function (this: Tensor, dim: number): Tensor {
      const out = untracked(() => raw.call(this, dim));
      return record("SoftmaxBackward", out, [this], [out], (g, [y]) => [y.mul(g.sub(g.mul(y).sum(dim, true)))]);
    },
);

wrapMethod(
  "grad",
  "logSoftmax",
  (raw) =>
    function (this: Tensor, dim: number): Tensor {
      const out = untracked(() => raw.call(this, dim));
      return record("LogSoftmaxBackward", out, [this], [out], (g, [y]) => [g.sub(y.exp().mul(g.sum(dim, true)))]);
    },
);

// Inside autocast these run in float32 (PyTorch's "fp32" list for reductions and softmax).
for (const name of ["sum", "mean", "prod", "logsumexp", "var", "std", "softmax", "logSoftmax"] as const) {
  wrapMethod(
    "autocast",
    name,
    (inner) =>
      function (this: Tensor, ...args: unknown[]): Tensor {
        const run = inner as (this: Tensor, ...args: unknown[]) => Tensor;
        return autocastDType() ? run.apply(fullPrecision(this), args) : run.apply(this, args);
      },
  );
}
