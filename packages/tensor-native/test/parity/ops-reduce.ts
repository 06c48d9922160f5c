/** Reductions (with dim lists, keepdim, correction), extrema with indices, softmax, logical reductions. */
import type { Gen } from "./gen.js";
import { kw, method, type Arg, type OpGen } from "./op.js";

/** Python spelling of "all dims" with keepdim: torch takes no None dim for these. */
const allDims = (n: number): Arg => (n === 0 ? [] : Array.from({ length: n }, (_, i) => i));

export const REDUCE: readonly OpGen[] = [
  {
    name: "sum-mean",
    weight: 4,
    gen(g) {
      const x = g.rng.chance(0.85) ? g.pickFloat() : g.pick();
      const op = g.rng.pick(["sum", "mean"]);
      const dims = g.dims(x.shape.length);
      const keep = g.rng.chance(0.4);
      if (dims === undefined)
        return keep ? method(x, op, [undefined, true], { args: [allDims(x.shape.length), kw("keepdim", true)] }) : method(x, op);
      return method(x, op, [dims, keep]);
    },
  },
  {
    name: "prod",
    weight: 1.5,
    gen(g) {
      const x = g.rng.chance(0.85) ? g.pickFloat() : g.pick();
      // torch.prod takes one dim, not a list.
      if (g.rng.chance(0.3)) return method(x, "prod");
      return method(x, "prod", [g.dim(x.shape.length), g.rng.chance(0.4)]);
    },
  },
  {
    name: "var-std",
    weight: 2,
    gen(g) {
      const x = g.pickFloat();
      const op = g.rng.pick(["var", "std"]);
      // PyTorch 1.13's backward of var/std over `[]` divides by a count of 1: not its forward.
      const d = g.dims(x.shape.length);
      const dims = Array.isArray(d) && d.length === 0 ? undefined : d;
      const keep = g.rng.chance(0.3);
      const corr = g.rng.weighted([
        [1, 4],
        [0, 2],
        [2, 1],
      ] as const);
      return method(x, op, [dims, keep, corr], { args: [dims === undefined ? null : dims, kw("correction", corr), kw("keepdim", keep)] });
    },
  },
  {
    name: "logsumexp",
    weight: 1.5,
    gen(g) {
      const x = g.rng.chance(0.9) ? g.pickFloat() : g.pick();
      // PyTorch 1.13's logsumexp fails on an empty dim list with keepdim results: no [] here.
      const d = g.dims(x.shape.length);
      const dims = d === undefined || (Array.isArray(d) && d.length === 0) ? g.dim(x.shape.length) : d;
      return method(x, "logsumexp", [dims, g.rng.chance(0.3)]);
    },
  },
  {
    name: "extremum",
    weight: 3,
    gen(g) {
      const x = g.rng.chance(0.8) ? g.pickFloat() : g.pick();
      const op = g.rng.pick(["max", "min"]);
      if (g.rng.chance(0.4)) return method(x, op);
      return method(x, op, [g.dim(x.shape.length), g.rng.chance(0.4)]);
    },
  },
  {
    name: "extremum-part",
    weight: 1,
    gen(g) {
      // The parts of max(dim): values carry gradients, indices are int64.
      const x = g.pickFloat();
      const op = g.rng.pick(["max", "min"]);
      const d = g.dim(x.shape.length),
        k = g.rng.chance(0.4),
        part = g.rng.pick(["values", "indices"]);
      const m = method(x, op, [d, k]);
      return { ts: `${m.ts}.${part}`, py: `${m.py}.${part}`, refs: m.refs };
    },
  },
  {
    name: "arg",
    weight: 1.5,
    gen(g) {
      const x = g.pick();
      const op = g.rng.pick(["argmax", "argmin"]);
      if (g.rng.chance(0.3)) return method(x, op);
      return method(x, op, [g.dim(x.shape.length), g.rng.chance(0.4)]);
    },
  },
  {
    name: "softmax",
    weight: 2.5,
    gen(g) {
      const x = g.rng.chance(0.95) ? g.pickFloat() : g.pick();
      return method(x, g.rng.pick(["softmax", "logSoftmax"]), [g.dim(x.shape.length)]);
    },
  },
  {
    name: "any-all",
    weight: 1,
    gen(g: Gen) {
      const x = g.pick((t) => t.dtype === "bool", { dtype: "bool" });
      const op = g.rng.pick(["any", "all"]);
      if (g.rng.chance(0.4)) return method(x, op);
      return method(x, op, [g.dim(x.shape.length), g.rng.chance(0.4)]);
    },
  },
];
