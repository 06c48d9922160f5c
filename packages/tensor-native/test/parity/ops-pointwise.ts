/** Elementwise ops: unary, binary with broadcasting and scalars, comparisons, logical ops, clamp, where, maskedFill, casts. */
import type { TensorInfo } from "./builder.js";
import { isFloat, type Gen } from "./gen.js";
import { call, kw, method, ref, Ref, type Arg, type OpGen } from "./op.js";
import { pyLit } from "./program.js";

/** The unary ops the fuzzer compares with PyTorch: name, and PyTorch spelling (test/op-table.test.ts checks it covers ops/unary-table.ts). */
export const UNARY: readonly (readonly [string, string])[] = [
  ["neg", "x.neg()"],
  ["abs", "x.abs()"],
  ["exp", "x.exp()"],
  ["log", "x.log()"],
  ["sqrt", "x.sqrt()"],
  ["rsqrt", "x.rsqrt()"],
  ["sin", "x.sin()"],
  ["cos", "x.cos()"],
  ["tanh", "x.tanh()"],
  ["sigmoid", "x.sigmoid()"],
  ["relu", "x.relu()"],
  ["gelu", "gelu(x)"],
  ["silu", "F.silu(x)"],
  ["logicalNot", "x.logical_not()"],
  ["isnan", "x.isnan()"],
  ["isinf", "x.isinf()"],
  ["isfinite", "x.isfinite()"],
];
/** The binary ops the fuzzer compares with PyTorch (test/op-table.test.ts checks it covers ops/binary-table.ts). */
export const BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"] as const;
const CASTS = ["float", "double", "half", "bfloat16", "int", "long", "bool"] as const;

/** A scalar operand for x: an int, a float, or (rarely) a bool. */
function scalar(g: Gen, x: TensorInfo): number | boolean {
  const r = g.rng;
  if (r.chance(0.05)) return r.chance(0.5);
  if (x.dtype === "bool" || !isFloat(x.dtype) || r.chance(0.4)) return r.int(-3, 4);
  return r.pick([0.5, -1.5, 2.5, 0.25, 3.0000001]);
}

/** A second operand for a binary op on x: a broadcastable tensor (any dtype) or a scalar. */
function other(g: Gen, x: TensorInfo): Arg {
  if (g.rng.chance(0.3)) return scalar(g, x);
  const shape = g.broadcastable(x.shape);
  const sameShape = g.b.tensors().filter((t) => t.name !== x.name && t.shape.join() === shape.join());
  if (sameShape.length && g.rng.chance(0.5)) return ref(g.rng.pick(sameShape));
  if (g.rng.chance(0.08)) return ref(x); // the same tensor twice: x.add(x)
  return ref(g.input({ shape, dtype: g.rng.chance(0.75) ? x.dtype : g.dtype() }));
}

export const POINTWISE: readonly OpGen[] = [
  {
    name: "unary",
    weight: 5,
    gen(g) {
      const [name, py] = g.rng.pick(UNARY);
      const x = g.rng.chance(0.85) ? g.pickFloat() : g.pick();
      return { ts: `${x.name}.${name}()`, py: py.replace(/\bx\b/, x.name), refs: [x.name] };
    },
  },
  {
    name: "binary",
    weight: 6,
    gen(g) {
      const x = g.rng.chance(0.8) ? g.pickFloat() : g.pick();
      const op = g.rng.pick(BINARY);
      const b = other(g, x);
      // torch.maximum/minimum take tensors only (a documented superset here): PyTorch gets
      // the scalar as a 0-d tensor, which promotes as a scalar does against a tensor with dims.
      if ((op === "maximum" || op === "minimum") && !(b instanceof Ref)) {
        // A 0-d tensor against a 0-d tensor promotes by category, unlike a scalar: no stand-in there.
        if (x.shape.length === 0) return null;
        const m = method(x, op, [b]);
        return { ...m, py: `${x.name}.${op}(torch.tensor(${pyLit(b)}))` };
      }
      return method(x, op, [b]);
    },
  },
  {
    name: "logical",
    weight: 1,
    gen(g) {
      const x = g.pick();
      const y = g.input({ shape: g.broadcastable(x.shape), dtype: g.rng.chance(0.6) ? "bool" : g.dtype() });
      return method(x, g.rng.pick(["logicalAnd", "logicalOr"]), [ref(y)]);
    },
  },
  {
    name: "clamp",
    weight: 2,
    gen(g) {
      const x = g.rng.chance(0.85) ? g.pickFloat() : g.pick();
      const bound = (): Arg => {
        if (g.rng.chance(0.25)) return undefined;
        if (g.rng.chance(0.35)) return ref(g.input({ shape: g.broadcastable(x.shape), dtype: x.dtype }));
        return scalar(g, x);
      };
      let lo = bound(),
        hi = bound();
      if (lo === undefined && hi === undefined) lo = -0.5;
      // torch.clamp takes two numbers or two tensors, not one of each.
      if (lo !== undefined && hi !== undefined && lo instanceof Ref !== hi instanceof Ref) hi = undefined;
      return method(x, "clamp", [lo, hi], { args: [kw("min", lo), kw("max", hi)] });
    },
  },
  {
    name: "where",
    weight: 1.5,
    gen(g) {
      const a = g.pickFloat();
      const c = g.input({ shape: g.broadcastable(a.shape), dtype: "bool" });
      const b = g.input({ shape: g.broadcastable(a.shape), dtype: g.rng.chance(0.8) ? a.dtype : g.floatDType() });
      return call("where", "torch.where", [ref(c), ref(a), ref(b)]);
    },
  },
  {
    name: "maskedFill",
    weight: 1.5,
    gen(g) {
      const x = g.pick();
      const m = g.input({ shape: g.broadcastable(x.shape), dtype: "bool" });
      const v = g.rng.chance(0.2) ? ref(g.input({ shape: [], dtype: x.dtype, views: false })) : scalar(g, x);
      return method(x, "maskedFill", [ref(m), v]);
    },
  },
  {
    name: "cast",
    weight: 1.5,
    gen(g) {
      const x = g.pick();
      const c = g.rng.pick(CASTS);
      if (g.rng.chance(0.3)) {
        const d = g.dtype();
        return { ts: `${x.name}.to(${JSON.stringify(d)})`, py: `${x.name}.to(torch.${d})`, refs: [x.name] };
      }
      return method(x, c);
    },
  },
];
