/**
 * The kernel calls of the elementwise ops, with broadcasting and type promotion (the methods
 * and their records: ops/). Binary ops' dtype rules live here, by op code.
 */
import { backend, resultDevice, type ViewLike } from "./dispatch.js";
import { allocStorage, type Storage } from "./memory.js";
import { isFloating, isHalf, resultType, scalarDType, type DType, type PromoteOperand } from "./dtype.js";
import { B, U, type BinaryCode, type UnaryCode } from "./opcodes.js";
import { broadcastShapes, broadcastView } from "./shape.js";
import { castOwned, emptyTensor, fmtShape, Tensor } from "./tensor.js";

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar;

function operand(x: TensorLike): PromoteOperand {
  if (x instanceof Tensor) return { dtype: x.dtype, kind: x.ndim === 0 ? "zerodim" : "dim" };
  return { dtype: scalarDType(x), kind: "scalar" };
}

/** A 0-d tensor holding a JS scalar. */
export function scalarTensor(v: Scalar, dtype: DType): Tensor {
  const t = emptyTensor([], dtype);
  backend("cpu").fill(t, typeof v === "boolean" ? Number(v) : v);
  return t;
}

// Scalars go to kernels through small scratch storages (two slots per dtype), so
// `x.add(1)` allocates nothing beyond its result.
const scratch = new Map<string, Storage>();
function scalarView(v: Scalar, dt: DType, slot: number): ViewLike {
  const key = `${dt}:${slot}`;
  let st = scratch.get(key);
  if (!st) {
    st = allocStorage(8, "cpu");
    scratch.set(key, st);
  }
  const view: ViewLike = { storage: st, dtype: dt, shape: [], strides: [], offset: 0 };
  backend("cpu").fill(view, typeof v === "boolean" ? Number(v) : v);
  return view;
}

/** x as a tensor (or scratch view) of dtype `dt`; `temps` collects what the caller must dispose. */
function asTensor(x: TensorLike, dt: DType, temps: Tensor[], op: string, slot: number): Tensor | ViewLike {
  if (!(x instanceof Tensor)) {
    if (typeof x !== "number" && typeof x !== "boolean") throw new TypeError(`${op}: expected a tensor or a number, got ${typeof x}`);
    return scalarView(x, dt, slot);
  }
  x.check(op);
  if (x.dtype === dt) return x;
  const c = x.to(dt);
  temps.push(c);
  return c;
}

const COMPARE = new Set<number>([B.eq, B.ne, B.lt, B.le, B.gt, B.ge]);
const NAMES: Record<number, string> = Object.fromEntries(Object.entries(B).map(([k, v]) => [v, k]));

/** Kernels compute in these dtypes; half types widen to float32 and narrow back. */
function computeType(d: DType): DType {
  return isHalf(d) ? "float32" : d;
}

export function binaryOp(op: BinaryCode, a: TensorLike, b: TensorLike): Tensor {
  let dt = resultType([operand(a), operand(b)]);
  if (op === B.div && !isFloating(dt)) dt = "float32"; // true division, as torch.div
  if (op === B.sub && (isBool(a) || isBool(b))) {
    throw new TypeError(
      isBool(a) && isBool(b)
        ? "sub: subtracting two bool tensors is not supported (as in PyTorch); use logicalXor, or cast first"
        : "sub: subtraction with a bool tensor is not supported (as in PyTorch); to invert a mask use logicalNot(), or cast first",
    );
  }
  if (dt === "bool" && op === B.pow)
    throw new TypeError("pow: bool ** bool is not supported (as in PyTorch); cast to an integer or float dtype first");
  if (dt === "bool" && !COMPARE.has(op) && op !== B.maximum && op !== B.minimum) dt = op === B.add || op === B.mul ? "bool" : "int64";
  if (op === B.pow && a instanceof Tensor && a.dtype === dt && typeof b === "number") {
    const special = floatPowScalar(a, b);
    if (special) return special;
  }
  if (op === B.pow && !isFloating(dt)) {
    if (typeof b === "number" && b < 0)
      throw new Error("pow: integers to negative integer powers are not allowed (as in PyTorch); use a float base or exponent");
    if (b instanceof Tensor && (b.dtype === "int32" || b.dtype === "int64")) return intPowTensor(a, b, dt);
  }
  return runBinary(op, a, b, dt);
}

/**
 * PyTorch's CPU pow of a float32/float64/bfloat16 tensor by a number: exponents 0.5 and -0.5
 * run as sqrt and rsqrt (so pow(-inf, 0.5) is NaN, not inf), and the exponent stays a
 * double, which matters when float32 would round it to an integer (x ** 3.0000001 is NaN
 * for x < 0, not x³). Null when the plain kernel already agrees.
 */
function floatPowScalar(a: Tensor, b: number): Tensor | null {
  if (a.dtype !== "float32" && a.dtype !== "float64" && a.dtype !== "bfloat16") return null;
  if (b === 0.5) return runUnary(U.sqrt, a.check("pow"), a.dtype);
  if (b === -0.5) return runUnary(U.rsqrt, a.check("pow"), a.dtype);
  if (a.dtype !== "float32" || Number.isInteger(b) || !Number.isInteger(Math.fround(b))) return null;
  const wide = a.to("float64");
  const r = runBinary(B.pow, wide, b, "float64");
  wide.dispose();
  return castOwned(r, "float32");
}

function isBool(x: TensorLike): boolean {
  return x instanceof Tensor ? x.dtype === "bool" : typeof x === "boolean";
}

/** The kernel call of binaryOp, in result dtype `dt` (checks done). */
function runBinary(op: BinaryCode, a: TensorLike, b: TensorLike, dt: DType): Tensor {
  const name = NAMES[op];
  const cdt = computeType(dt);
  const temps: Tensor[] = [];
  try {
    const ta = asTensor(a, cdt, temps, name, 0),
      tb = asTensor(b, cdt, temps, name, 1);
    const shape = broadcastShapes(name, ta.shape, tb.shape);
    const ea = broadcastView(ta, shape, name),
      eb = broadcastView(tb, shape, name);
    const outDt = COMPARE.has(op) ? "bool" : cdt;
    // Bool add/mul are logical or/and: compute in uint8 then clamp through a bool cast.
    const out = emptyTensor(shape, dt === "bool" && !COMPARE.has(op) ? "uint8" : outDt, resultDevice(ta, tb));
    backend(out.device).binary(op, ea, eb, out);
    return castOwned(out, COMPARE.has(op) ? "bool" : dt);
  } finally {
    for (const t of temps) t.dispose();
  }
}

/**
 * Integer pow with a tensor exponent, which may hold negative values: PyTorch gives
 * x ** -k = 1 for x = 1, (-1) ** k for x = -1 and 0 otherwise. The kernel only does k >= 0,
 * so it runs on |k| (same parity, so ±1 come out right) and the rest is masked to 0.
 */
function intPowTensor(a: TensorLike, b: Tensor, dt: DType): Tensor {
  const absB = b.abs();
  const raw = runBinary(B.pow, a, absB, dt);
  absB.dispose();
  const notUnit = a instanceof Tensor ? owned2(a.ne(1), a.ne(-1), (p, q) => p.logicalAnd(q)) : Math.abs(Number(a)) !== 1;
  if (notUnit === false) return raw;
  const neg = b.lt(0);
  const zero = notUnit === true ? neg : owned2(neg, notUnit, (p, q) => p.logicalAnd(q));
  const out = where(zero, 0, raw);
  zero.dispose();
  raw.dispose();
  return out;
}

/** f(p, q), then frees p and q. */
function owned2(p: Tensor, q: Tensor, f: (p: Tensor, q: Tensor) => Tensor): Tensor {
  const r = f(p, q);
  p.dispose();
  q.dispose();
  return r;
}

/**
 * The kernel call of a unary op, its dtype rules done by the caller (ops/elementwise-methods.ts):
 * x computed in `dt`'s compute dtype, the result cast to `result`.
 */
export function runUnary(op: UnaryCode, x: Tensor, dt: DType, result: DType = dt): Tensor {
  const cdt = computeType(dt);
  const src = x.dtype === cdt ? x : x.to(cdt);
  try {
    const out = emptyTensor(x.shape, cdt, x.device);
    backend(x.device).unary(op, src, out);
    // logicalNot's kernel writes 0/1 in the input dtype; the bool cast makes it a mask.
    return castOwned(out, result);
  } finally {
    if (src !== x) src.dispose();
  }
}

/**
 * Picks from `a` where `cond` is true, else from `b` (all broadcast together).
 *
 * @example
 * tt.where(x.gt(0), x, 0); // relu
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  cond.check("where");
  if (cond.dtype !== "bool") throw new TypeError(`where: the condition must be a bool tensor, got ${cond.dtype}`);
  const dt = resultType([operand(a), operand(b)]);
  const temps: Tensor[] = [];
  try {
    const ta = asTensor(a, dt, temps, "where", 0),
      tb = asTensor(b, dt, temps, "where", 1);
    const shape = broadcastShapes("where", cond.shape, ta.shape, tb.shape);
    const ec = broadcastView(cond, shape),
      ea = broadcastView(ta, shape),
      eb = broadcastView(tb, shape);
    const out = emptyTensor(shape, dt, resultDevice(cond, ta, tb));
    backend(out.device).where(ec, ea, eb, out);
    return out;
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** Clamps into [min, max]; either bound may be omitted. */
export function clamp(x: Tensor, min?: TensorLike, max?: TensorLike): Tensor {
  if (min === undefined && max === undefined) throw new Error("clamp: at least one of min and max must be given");
  // PyTorch has no bool clamp kernel: a bool scalar bound, or two bool tensor bounds, reach it
  // (one bool tensor bound goes through maximum/minimum, which have one).
  const isBoolTensor = (b: TensorLike | undefined): boolean => b instanceof Tensor && b.dtype === "bool";
  if (x.dtype === "bool" && (typeof min === "boolean" || typeof max === "boolean" || (isBoolTensor(min) && isBoolTensor(max))))
    throw new TypeError("clamp: a bool tensor with a bool bound is not supported (as in PyTorch); cast first, e.g. x.int().clamp(0, 1)");
  let r = x;
  if (min !== undefined) r = binaryOp(B.maximum, r, min);
  if (max !== undefined) {
    const prev = r;
    r = binaryOp(B.minimum, r, max);
    if (prev !== x) prev.dispose();
  }
  return r;
}

export function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  if (fmtShape(a.shape) !== fmtShape(b.shape)) throw new Error(`${op}: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} differ`);
}
