/** Backward formulas of the elementwise ops (methods on Tensor and their free twins). */
import { where as rawWhere, type Scalar, type TensorLike } from "../../elementwise.js";
import { zeros } from "../../creation.js";
import { Tensor } from "../../tensor.js";
import { sumTo } from "../grad-utils.js";
import { autocastDType, fullPrecision } from "../autocast.js";
import { record, untracked } from "../record.js";

const P = Tensor.prototype;
const asT = (x: TensorLike): Tensor | null => (x instanceof Tensor ? x : null);
const shapeOf = (x: TensorLike): readonly number[] => (x instanceof Tensor ? x.shape : []);
/** What a binary formula may read: only the tensors its op saved, and which inputs need a gradient. */
interface Ctx2 {
  a: Tensor;
  b: TensorLike;
  out: Tensor;
  needA: boolean;
  needB: boolean;
}
type Grad2 = (g: Tensor, c: Ctx2) => [Tensor | null, Tensor | null];
type Part = "a" | "b" | "out";

/**
 * Wraps a binary op for autograd. `saves` names what the formula reads for the inputs that
 * need a gradient, as PyTorch saves them, so the same in-place changes are refused: after
 * `y = a.mul(w)` with only `w` requiring grad, changing `w` in place is fine and changing
 * `a` makes backward() refuse.
 */
function binary(name: "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum", label: string, saves: (needA: boolean, needB: boolean) => Part[], formula: Grad2): void {
  const raw = P[name];
  P[name] = function (this: Tensor, other: TensorLike): Tensor {
    const out = untracked(() => raw.call(this, other));
    const b = asT(other);
    const needA = this.requiresGrad, needB = b?.requiresGrad ?? false;
    const parts = [...new Set(saves(needA, needB))].filter((p) => p !== "b" || b);
    const tensors = parts.map((p) => (p === "a" ? this : p === "b" ? b! : out));
    return record(label, out, [this, other], tensors, (g, s) => {
      const at = (p: Part): Tensor => s[parts.indexOf(p)];
      const c: Ctx2 = {
        get a() { return at("a"); },
        get b() { return b ? at("b") : other; },
        get out() { return at("out"); },
        needA, needB: needB && b !== null,
      };
      const [ga, gb] = formula(g, c);
      return [needA && ga ? sumTo(ga, this.shape) : null, c.needB && gb ? sumTo(gb, shapeOf(other)) : null];
    });
  };
}

const none = (): Part[] => [];
binary("add", "AddBackward", none, (g) => [g, g]);
binary("sub", "SubBackward", none, (g) => [g, g.neg()]);
binary("mul", "MulBackward", (na, nb) => [...(na ? ["b" as const] : []), ...(nb ? ["a" as const] : [])],
  (g, c) => [c.needA ? g.mul(c.b) : null, c.needB ? g.mul(c.a) : null]);
binary("div", "DivBackward", (na, nb) => [...(na || nb ? ["b" as const] : []), ...(nb ? ["a" as const] : [])],
  // -g·(a/b)/b, as PyTorch: a·g or b·b alone could overflow where the quotient does not.
  (g, c) => [c.needA ? g.div(c.b) : null, c.needB ? g.mul(c.a.div(c.b).div(c.b)).neg() : null]);
// As PyTorch: an exponent of 0 gives the base a zero gradient (not 0 * 0^-1 = NaN), and a
// base of 0 under an exponent >= 0 gives the exponent one (not 0 * log 0 = NaN).
binary("pow", "PowBackward", (_na, nb) => ["a", "b", ...(nb ? ["out" as const] : [])], (g, c) => {
  const { a, b } = c;
  if (!(b instanceof Tensor)) return [b === 0 ? zeros(a.shape, { dtype: g.dtype, device: g.device }) : g.mul(b).mul(a.pow((b as number) - 1)), null];
  const ga = c.needA ? rawWhere(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null;
  return [ga, c.needB ? g.mul(rawWhere(a.eq(0).logicalAnd(b.ge(0)), 0, c.out.mul(a.log()))) : null];
});
// As PyTorch: ties split the gradient evenly, the strict loser gets 0 (selected, since
// g * 0 would keep a NaN or Inf of g), and a NaN on either side passes g to both.
const pick = (lose: Tensor, tie: Tensor, g: Tensor): Tensor => rawWhere(lose, 0, rawWhere(tie, g.div(2), g));
const both = (): Part[] => ["a", "b"];
binary("maximum", "MaximumBackward", both, (g, { a, b, needB }) => [pick(a.lt(b), a.eq(b), g), needB ? pick(a.gt(b), a.eq(b), g) : null]);
binary("minimum", "MinimumBackward", both, (g, { a, b, needB }) => [pick(a.gt(b), a.eq(b), g), needB ? pick(a.lt(b), a.eq(b), g) : null]);

type Grad1 = (g: Tensor, saved: Tensor) => Tensor;
/** Wraps a unary op; its formula gets the input (`saves` "x") or the result ("y"), as PyTorch saves it. */
function unary(name: "neg" | "abs" | "exp" | "log" | "sqrt" | "rsqrt" | "sin" | "cos" | "tanh" | "sigmoid" | "relu" | "gelu" | "silu", saves: "x" | "y" | "none", formula: Grad1): void {
  const raw = P[name];
  const label = `${name[0].toUpperCase()}${name.slice(1)}Backward`;
  P[name] = function (this: Tensor): Tensor {
    const out = untracked(() => raw.call(this));
    const saved = saves === "x" ? [this] : saves === "y" ? [out] : [];
    return record(label, out, [this], saved, (g, [t]) => [formula(g, t)]);
  };
}

const sign = (x: Tensor): Tensor => rawWhere(x.gt(0), 1, rawWhere(x.lt(0), -1, 0));
unary("neg", "none", (g) => g.neg());
unary("abs", "x", (g, x) => g.mul(sign(x)));
unary("exp", "y", (g, y) => g.mul(y));
unary("log", "x", (g, x) => g.div(x));
unary("sqrt", "y", (g, y) => g.div(y.mul(2)));
unary("rsqrt", "y", (g, y) => g.mul(y.pow(3)).mul(-0.5));
unary("sin", "x", (g, x) => g.mul(x.cos()));
unary("cos", "x", (g, x) => g.mul(x.sin()).neg());
unary("tanh", "y", (g, y) => g.mul(y.mul(y).neg().add(1)));
unary("sigmoid", "y", (g, y) => g.mul(y).mul(y.neg().add(1)));
// Zero only where the result is <= 0 (x <= 0): a NaN passes its gradient on, as PyTorch's threshold_backward.
unary("relu", "y", (g, y) => rawWhere(y.le(0), 0, g));
// d/dx x·Φ(x) = Φ(x) + x·φ(x); Φ(x) = gelu(x) / x away from 0 (gelu recomputed: only x is saved).
unary("gelu", "x", (g, x) => {
  // Near 0 (denormals included, where gelu(x) / x underflows) Φ(x) is 1/2 to double precision.
  const cdf = rawWhere(x.abs().lt(1e-30), 0.5, x.gelu().div(x));
  const pdf = x.mul(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
  return g.mul(cdf.add(x.mul(pdf)));
});
unary("silu", "x", (g, x) => {
  const s = x.sigmoid();
  return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
});

const rawClamp = P.clamp;
P.clamp = function (this: Tensor, min?: TensorLike, max?: TensorLike): Tensor {
  const out = untracked(() => rawClamp.call(this, min, max));
  const bounds = [min, max].filter((t): t is Tensor => t instanceof Tensor);
  return record("ClampBackward", out, [this, min, max], [this, ...bounds], (g, [x, ...s]) => {
    const lo = min instanceof Tensor ? s.shift()! : min, hi = max instanceof Tensor ? s.shift()! : max;
    // PyTorch's rule: x gets g where lo <= x <= hi; lo where x < lo < hi; hi where x > hi
    // or hi < lo, since clamp is min(max(x, lo), hi) and so gives hi when the bounds cross.
    const both = (p: Tensor | null, q: Tensor | null): Tensor | null => (p && q ? p.logicalAnd(q) : p ?? q);
    const pass = (m: Tensor | null, shape: readonly number[]): Tensor => sumTo(m ? rawWhere(m, g, 0) : g, shape);
    const toX = both(lo === undefined ? null : x.ge(lo), hi === undefined ? null : x.le(hi));
    const toLo = lo instanceof Tensor ? both(x.lt(lo), hi === undefined ? null : lo.lt(hi)) : null;
    const toHi = hi instanceof Tensor ? (lo === undefined ? x.gt(hi) : x.gt(hi).logicalOr(hi.lt(lo))) : null;
    return [pass(toX, x.shape), lo instanceof Tensor ? pass(toLo, lo.shape) : null, hi instanceof Tensor ? pass(toHi, hi.shape) : null];
  });
};

/**
 * Picks from `a` where `cond` is true, else from `b` (all broadcast together).
 *
 * @example
 * tt.where(x.gt(0), x, 0); // relu
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const out = untracked(() => rawWhere(cond, a, b));
  return record("WhereBackward", out, [cond, a, b], [cond], (g, [c]) => [
    null,
    a instanceof Tensor ? sumTo(rawWhere(c, g, 0), a.shape) : null,
    b instanceof Tensor ? sumTo(rawWhere(c, 0, g), b.shape) : null,
  ]);
}

/** Clamps into [min, max]; either bound may be omitted. @example tt.clamp(x, 0, 1) */
export function clamp(x: Tensor, min?: TensorLike, max?: TensorLike): Tensor {
  return x.clamp(min, max);
}

const rawMaskedFill = P.maskedFill;
P.maskedFill = function (this: Tensor, mask: Tensor, value: Scalar | Tensor): Tensor {
  const out = untracked(() => rawMaskedFill.call(this, mask, value));
  return record("MaskedFillBackward", out, [this, value], [mask], (g, [m]) => [
    sumTo(rawWhere(m, 0, g), this.shape),  // a larger mask broadcasts x
    value instanceof Tensor ? sumTo(rawWhere(m, g, 0), value.shape) : null,
  ]);
};

// Inside autocast these run in float32, as PyTorch's fp32 list has them.
for (const name of ["exp", "log", "pow", "rsqrt"] as const) {
  const inner = P[name] as (this: Tensor, ...args: unknown[]) => Tensor;
  (P as unknown as Record<string, unknown>)[name] = function (this: Tensor, ...args: unknown[]): Tensor {
    return autocastDType() ? inner.apply(fullPrecision(this), args) : inner.apply(this, args);
  };
}
