/**
 * What a step produced, in a form both runners write as JSON: tensors as dtype, shape,
 * requires-grad and row-major values (NaN and infinities as strings), lists for tuples
 * and named results ({ values, indices } is [values, indices]), or the error it raised.
 */
import { Tensor } from "../../src/ts/index.js";

export type Num = number | "nan" | "inf" | "-inf";

export type Value =
  | { kind: "tensor"; dtype: string; shape: number[]; data: Num[]; rg: boolean }
  | { kind: "scalar"; value: Num | boolean }
  | { kind: "list"; items: Value[] }
  | { kind: "none" }
  | { kind: "error"; message: string }
  /** Not run: a value it reads was an error. */
  | { kind: "skip" }
  | { kind: "other"; text: string };

export function encodeNum(x: number): Num {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return x;
}

export function decodeNum(x: Num): number {
  return x === "nan" ? NaN : x === "inf" ? Infinity : x === "-inf" ? -Infinity : x;
}

/** Encodes a value produced by @tessera/tensor. */
export function encode(v: unknown): Value {
  if (v === undefined || v === null) return { kind: "none" };
  if (v instanceof Tensor) {
    const vals = v.values();
    return {
      kind: "tensor",
      dtype: v.dtype,
      shape: [...v.shape],
      rg: v.requiresGrad,
      data: vals.map((x) => (typeof x === "boolean" ? (x ? 1 : 0) : encodeNum(x))),
    };
  }
  if (typeof v === "number") return { kind: "scalar", value: encodeNum(v) };
  if (typeof v === "boolean") return { kind: "scalar", value: v };
  if (Array.isArray(v)) return { kind: "list", items: v.map(encode) };
  if (typeof v === "object" && "values" in v && "indices" in v) return { kind: "list", items: [encode(v.values), encode(v.indices)] };
  return { kind: "other", text: String(v) };
}

/** A one-line summary for reports. */
export function describe(v: Value): string {
  switch (v.kind) {
    case "tensor": {
      const shown = v.data.slice(0, 8).map(String).join(", ");
      return `tensor(shape=[${v.shape}], dtype=${v.dtype}${v.rg ? ", requiresGrad" : ""}, [${shown}${v.data.length > 8 ? ", …" : ""}])`;
    }
    case "scalar":
      return `scalar ${String(v.value)}`;
    case "list":
      return `[${v.items.map(describe).join("; ")}]`;
    case "error":
      return `error: ${v.message.split("\n")[0]}`;
    default:
      return v.kind === "other" ? `other ${v.text}` : v.kind;
  }
}
