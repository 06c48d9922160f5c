/** Element types and PyTorch's type promotion. Codes match src/native/common.h. */

/** The element types a tensor can hold. */
export type DType = "float32" | "float64" | "float16" | "bfloat16" | "int32" | "int64" | "uint8" | "bool";

export const DTYPES: readonly DType[] = ["float32", "float64", "float16", "bfloat16", "int32", "int64", "uint8", "bool"];

export const dtypeCode: Record<DType, number> = {
  float32: 0,
  float64: 1,
  float16: 2,
  bfloat16: 3,
  int32: 4,
  int64: 5,
  uint8: 6,
  bool: 7,
};

export const dtypeSize: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  bool: 1,
};

export function isFloating(d: DType): boolean {
  return d === "float32" || d === "float64" || d === "float16" || d === "bfloat16";
}

export function isHalf(d: DType): boolean {
  return d === "float16" || d === "bfloat16";
}

export function checkDType(d: unknown): DType {
  if (typeof d === "string" && (DTYPES as readonly string[]).includes(d)) return d as DType;
  throw new TypeError(`unknown dtype ${JSON.stringify(d)}; expected one of ${DTYPES.join(", ")}`);
}

/** The typed array that `data()` returns for each dtype (half types come back as raw bits). */
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int32"
      ? Int32Array
      : D extends "int64"
        ? BigInt64Array
        : D extends "float16" | "bfloat16"
          ? Uint16Array
          : Uint8Array;

export type AnyTypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint16Array | Uint8Array;

export function typedArrayFor(d: DType, buf: ArrayBuffer): AnyTypedArray {
  switch (d) {
    case "float32":
      return new Float32Array(buf);
    case "float64":
      return new Float64Array(buf);
    case "int32":
      return new Int32Array(buf);
    case "int64":
      return new BigInt64Array(buf);
    case "float16":
    case "bfloat16":
      return new Uint16Array(buf);
    default:
      return new Uint8Array(buf);
  }
}

// Category ranks: bool < integer < floating.
function category(d: DType): number {
  return d === "bool" ? 0 : isFloating(d) ? 2 : 1;
}

/**
 * Whether an in-place op may write a `from` result into a `to` tensor: not into a lower
 * category (float into an integer tensor, integer into bool), as PyTorch's canCast.
 */
export function canCast(from: DType, to: DType): boolean {
  return category(from) <= category(to);
}

/** Promotion of two tensor dtypes of the same priority (PyTorch's promote_types). */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a),
    cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  if (ca === 2) {
    if ((a === "float16" && b === "bfloat16") || (a === "bfloat16" && b === "float16")) return "float32";
    const order: DType[] = ["float16", "bfloat16", "float32", "float64"];
    return order.indexOf(a) > order.indexOf(b) ? a : b;
  }
  // integers: uint8 < int32 < int64 (we carry no int8/int16)
  const order: DType[] = ["uint8", "int32", "int64"];
  return order.indexOf(a) > order.indexOf(b) ? a : b;
}

/**
 * An operand for promotion: a tensor with dims, a 0-d tensor, or a JS scalar. As in
 * PyTorch, 0-d tensors and scalars only decide the result when they are of a higher
 * category (bool < int < float) than every dimensioned operand.
 */
export interface PromoteOperand {
  dtype: DType;
  kind: "dim" | "zerodim" | "scalar";
}

export function resultType(ops: PromoteOperand[]): DType {
  let dim: DType | undefined, zero: DType | undefined, scal: DType | undefined;
  for (const o of ops) {
    if (o.kind === "dim") dim = dim ? promoteTypes(dim, o.dtype) : o.dtype;
    else if (o.kind === "zerodim") zero = zero ? promoteTypes(zero, o.dtype) : o.dtype;
    else scal = scal ? promoteTypes(scal, o.dtype) : o.dtype;
  }
  let r = dim;
  if (zero && (!r || category(zero) > category(r))) r = zero;
  // A Python-like scalar picks the default dtype of its category (float32, int64).
  if (scal && (!r || category(scal) > category(r))) r = category(scal) === 2 ? "float32" : scal;
  return r ?? "float32";
}

/** The dtype a JS value infers: booleans -> bool, integers -> int64, others -> float32. */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int64" : "float64";
}
