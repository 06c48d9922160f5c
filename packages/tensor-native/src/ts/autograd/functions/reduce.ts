/** Backward formulas of reductions and softmax. */
import type { ValuesIndices } from "../../methods.js";
import { zeros } from "../../creation.js";
import type { Dims } from "../../reduce.js";
import { numelOf, Tensor } from "../../tensor.js";
import { keepDims, reducedDims, unreduce } from "../grad-utils.js";
import { autocastDType, fullPrecision } from "../autocast.js";
import { record, untracked } from "../record.js";

const P = Tensor.prototype;

type Formula = (g: Tensor, x: Tensor, y: Tensor, dims: number[], n: number) => Tensor;
function reduction(name: "sum" | "mean" | "prod" | "logsumexp", formula: Formula): void {
  const raw = P[name] as (this: Tensor, dim?: Dims, keepdim?: boolean) => Tensor;
  const label = `${name[0].toUpperCase()}${name.slice(1)}Backward`;
  (P as unknown as Record<string, unknown>)[name] = function (this: Tensor, dim?: Dims, keepdim?: boolean): Tensor {
    const out = untracked(() => raw.call(this, dim, keepdim));
    const dims = reducedDims(dim, this.ndim, name);
    const n = numelOf(dims.map((d) => this.shape[d]));
    return record(label, out, [this], [this, out], (g, [x, y]) => [formula(g, x, y, dims, n)]);
  };
}

reduction("sum", (g, x, _y, dims) => unreduce(g, x.shape, dims));
reduction("mean", (g, x, _y, dims, n) => unreduce(g, x.shape, dims).div(n));
reduction("prod", (g, x, y, dims) => unreduce(g, x.shape, dims).mul(keepDims(y, x.shape, dims)).div(x));
reduction("logsumexp", (g, x, y, dims) => unreduce(g, x.shape, dims).mul(x.sub(keepDims(y, x.shape, dims)).exp()));

function spread(name: "var" | "std"): void {
  const raw = P[name];
  P[name] = function (this: Tensor, dim?: Dims, keepdim?: boolean, correction = 1): Tensor {
    const out = untracked(() => raw.call(this, dim, keepdim, correction));
    const dims = reducedDims(dim, this.ndim, name);
    const n = numelOf(dims.map((d) => this.shape[d]));
    return record(name === "var" ? "VarBackward" : "StdBackward", out, [this], [this, out], (g, [x, y]) => {
      const centered = x.sub(x.mean(dims, true));
      const gx = unreduce(g, x.shape, dims).mul(centered).div(n - correction);
      return [name === "var" ? gx.mul(2) : gx.div(keepDims(y, x.shape, dims))];
    });
  };
}
spread("var");
spread("std");

function extremum(name: "max" | "min"): void {
  const raw = P[name] as (this: Tensor, dim?: number, keepdim?: boolean) => Tensor | ValuesIndices;
  const label = name === "max" ? "MaxBackward" : "MinBackward";
  (P as unknown as Record<string, unknown>)[name] = function (this: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
    const r = untracked(() => raw.call(this, dim, keepdim));
    if (r instanceof Tensor) {
      // Over all elements: ties share the gradient evenly.
      return record(label, r, [this], [this, r], (g, [x, y]) => {
        const hit = x.eq(y).float();
        return [hit.mul(g.div(hit.sum()))];
      });
    }
    const d = dim as number;
    record(label, r.values, [this], [r.indices], (g, [idx]) => {
      const gk = keepdim ? g : g.unsqueeze(d);
      const ik = keepdim ? idx : idx.unsqueeze(d);
      return [zeros(this.shape, { dtype: g.dtype, device: g.device }).scatterAdd(d, ik, gk)];
    });
    return r;
  };
}
extremum("max");
extremum("min");

P.softmax = (function (raw: typeof P.softmax) {
  return function (this: Tensor, dim: number): Tensor {
    const out = untracked(() => raw.call(this, dim));
    return record("SoftmaxBackward", out, [this], [out], (g, [y]) => [y.mul(g.sub(g.mul(y).sum(dim, true)))]);
  };
})(P.softmax);

P.logSoftmax = (function (raw: typeof P.logSoftmax) {
  return function (this: Tensor, dim: number): Tensor {
    const out = untracked(() => raw.call(this, dim));
    return record("LogSoftmaxBackward", out, [this], [out], (g, [y]) => [g.sub(y.exp().mul(g.sum(dim, true)))]);
  };
})(P.logSoftmax);

// Inside autocast these run in float32 (PyTorch's "fp32" list for reductions and softmax).
for (const name of ["sum", "mean", "prod", "logsumexp", "var", "std", "softmax", "logSoftmax"] as const) {
  const inner = P[name] as (this: Tensor, ...args: unknown[]) => Tensor;
  (P as unknown as Record<string, unknown>)[name] = function (this: Tensor, ...args: unknown[]): Tensor {
    if (!autocastDType()) return inner.apply(this, args);
    const wide = fullPrecision(this);
    return inner.apply(wide, args);
  };
}
