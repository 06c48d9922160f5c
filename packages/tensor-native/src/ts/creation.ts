/** Creating tensors: from JS data, filled, ranges, random (seeded by manualSeed). */
import { requireCuda } from "./cuda/availability.js";
import { normalizeDevice } from "./cuda/device.js";
import { setCudaSeed } from "./cuda/random-state.js";
import { backend, type Device } from "./dispatch.js";
import { checkDType, isFloating, type AnyTypedArray, type DType } from "./dtype.js";
import { readNested } from "./nested-array.js";
import { RANDOM } from "./opcodes.js";
import { numelOf } from "./strides.js";
import { emptyTensor, fmtShape, type Tensor } from "./tensor.js";

/** Options accepted by every creation function. */
export interface TensorOptions {
  dtype?: DType;
  /** "cpu" (default), "cuda" or "cuda:N". */
  device?: Device;
  /** Record ops on the new tensor for autograd (floating dtypes only). */
  requiresGrad?: boolean;
}

function withGrad(t: Tensor, o: TensorOptions | undefined): Tensor {
  if (o?.requiresGrad) t.requiresGrad = true;
  return t;
}

export type NestedArray = number | boolean | readonly NestedArray[];

function opts(o: TensorOptions | undefined, fallback: DType): { dtype: DType; device: Device } {
  const device = normalizeDevice(o?.device ?? "cpu");
  if (device !== "cpu") requireCuda(o?.device ?? device);
  return { dtype: o?.dtype === undefined ? fallback : checkDType(o.dtype), device };
}

function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of sizes, e.g. [2, 3]`);
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${op}: invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
  return [...shape];
}

function writeValues(t: Tensor, values: ArrayLike<number | boolean>): void {
  const n = values.length;
  let arr: AnyTypedArray;
  switch (t.dtype) {
    case "float64":
      arr = Float64Array.from(values as ArrayLike<number>, Number);
      break;
    case "int32":
      arr = Int32Array.from(values as ArrayLike<number>, Number);
      break;
    case "int64":
      arr = BigInt64Array.from(values as ArrayLike<number>, (v) => BigInt(Math.trunc(Number(v))));
      break;
    case "uint8":
      arr = Uint8Array.from(values as ArrayLike<number>, Number);
      break;
    case "bool":
      arr = Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
      break;
    default:
      arr = Float32Array.from(values as ArrayLike<number>, Number);
  }
  if (t.dtype === "float16" || t.dtype === "bfloat16") {
    const tmp = emptyTensor(t.shape, "float32", t.device);
    backend(t.device).write(tmp.storage.handle, 0, arr);
    backend(t.device).copy(tmp, t);
    tmp.dispose();
    return;
  }
  if (n > 0) backend(t.device).write(t.storage.handle, 0, arr);
}

/**
 * A tensor from nested arrays. The dtype is inferred as in PyTorch (all booleans: bool;
 * all integers: int64; otherwise float32) unless given.
 *
 * @example
 * tt.tensor([[1, 2], [3, 4]]);                      // int64
 * tt.tensor([[1, 2], [3, 4]], { dtype: "float32" }); // float32
 */
export function tensor(data: NestedArray, options?: TensorOptions): Tensor {
  const { shape, flat } = readNested(data);
  const inferred: DType =
    flat.length > 0 && flat.every((v) => typeof v === "boolean")
      ? "bool"
      : flat.every((v) => typeof v === "boolean" || Number.isInteger(v)) && flat.length > 0
        ? "int64"
        : "float32";
  const o = opts(options, inferred);
  const t = emptyTensor(shape, o.dtype, o.device);
  writeValues(t, flat);
  return withGrad(t, options);
}

/**
 * Wraps a copy of a typed array (dtype from the array type unless given).
 *
 * @example
 * tt.fromTypedArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
 */
export function fromTypedArray(data: AnyTypedArray, shape?: readonly number[], options?: TensorOptions): Tensor {
  const natural: DType =
    data instanceof Float32Array
      ? "float32"
      : data instanceof Float64Array
        ? "float64"
        : data instanceof Int32Array
          ? "int32"
          : data instanceof BigInt64Array
            ? "int64"
            : data instanceof Uint16Array
              ? "float16"
              : "uint8";
  const s = checkShape("fromTypedArray", shape ?? [data.length]);
  if (numelOf(s) !== data.length)
    throw new Error(`fromTypedArray: shape ${fmtShape(s)} needs ${numelOf(s)} elements, the array has ${data.length}`);
  const o = opts(options, natural);
  const t = emptyTensor(s, o.dtype, o.device);
  if (o.dtype === natural || (natural === "float16" && o.dtype === "bfloat16") || (natural === "uint8" && o.dtype === "bool")) {
    if (data.length > 0) backend(t.device).write(t.storage.handle, 0, data);
  } else {
    const tmp = emptyTensor(s, natural, o.device);
    if (data.length > 0) backend(t.device).write(tmp.storage.handle, 0, data);
    backend(t.device).copy(tmp, t);
    tmp.dispose();
  }
  return withGrad(t, options);
}

/** A tensor filled with `value`. @example tt.full([2, 2], 7) */
export function full(shape: readonly number[], value: number | boolean, options?: TensorOptions): Tensor {
  const fallback: DType = typeof value === "boolean" ? "bool" : Number.isInteger(value) ? "int64" : "float32";
  const o = opts(options, fallback);
  const t = emptyTensor(checkShape("full", shape), o.dtype, o.device);
  backend(o.device).fill(t, Number(value));
  return withGrad(t, options);
}

/** Zeros (float32 unless a dtype is given). @example tt.zeros([2, 3]) */
export function zeros(shape: readonly number[], options?: TensorOptions): Tensor {
  return full(shape, 0, { dtype: "float32", ...options });
}

/** Ones (float32 unless a dtype is given). @example tt.ones([2, 3]) */
export function ones(shape: readonly number[], options?: TensorOptions): Tensor {
  return full(shape, 1, { dtype: "float32", ...options });
}

/** Uninitialized memory (float32 unless a dtype is given). @example tt.empty([2, 3]) */
export function empty(shape: readonly number[], options?: TensorOptions): Tensor {
  const o = opts(options, "float32");
  return withGrad(emptyTensor(checkShape("empty", shape), o.dtype, o.device), options);
}

/** Zeros with x's shape, dtype and device. */
export function zerosLike(x: Tensor, options?: TensorOptions): Tensor {
  return full(x.shape, 0, { dtype: x.dtype, device: x.device, ...options });
}

/** Ones with x's shape, dtype and device. */
export function onesLike(x: Tensor, options?: TensorOptions): Tensor {
  return full(x.shape, 1, { dtype: x.dtype, device: x.device, ...options });
}

/**
 * Values from start to end (exclusive) by step; `arange(n)` is 0..n-1. int64 when all
 * arguments are integers, else float32.
 *
 * @example
 * tt.arange(5);          // [0, 1, 2, 3, 4]
 * tt.arange(0, 1, 0.25); // [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, end?: number, step = 1, options?: TensorOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const o = opts(options, [start, end, step].every(Number.isInteger) ? "int64" : "float32");
  // An integer dtype takes integer bounds and step, truncated as PyTorch casts them
  // (arange(0.25, 3.85, 1.5, int64) is [0, 1, 2]; a step of 0.5 becomes 0, an error).
  if (!isFloating(o.dtype)) [start, end, step] = [Math.trunc(start), Math.trunc(end), Math.trunc(step)];
  if (step === 0) throw new RangeError("arange: step must be nonzero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const t = emptyTensor([n], o.dtype, o.device);
  if (n > 0) backend(o.device).random(RANDOM.arange, t, start, step);
  return withGrad(t, options);
}

/** `steps` evenly spaced values from start to end inclusive. @example tt.linspace(0, 1, 5) */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const o = opts(options, "float32");
  const vals = Array.from({ length: steps }, (_, i) =>
    steps === 1 ? start : i === steps - 1 ? end : start + ((end - start) * i) / (steps - 1),
  );
  const t = emptyTensor([steps], o.dtype, o.device);
  writeValues(t, vals);
  return withGrad(t, options);
}

/** Identity matrix n x m (m defaults to n). @example tt.eye(3) */
export function eye(n: number, m = n, options?: TensorOptions): Tensor {
  const o = opts(options, "float32");
  const vals = new Array<number>(n * m).fill(0);
  for (let i = 0; i < Math.min(n, m); i++) vals[i * m + i] = 1;
  const t = emptyTensor(checkShape("eye", [n, m]), o.dtype, o.device);
  writeValues(t, vals);
  return withGrad(t, options);
}

function floatOpts(op: string, options?: TensorOptions): { dtype: DType; device: Device } {
  const o = opts(options, "float32");
  if (!isFloating(o.dtype)) throw new TypeError(`${op}: needs a floating point dtype, got ${o.dtype}`);
  return o;
}

/** Uniform samples in [0, 1). @example tt.manualSeed(0); tt.rand([2, 2]) */
export function rand(shape: readonly number[], options?: TensorOptions): Tensor {
  const o = floatOpts("rand", options);
  const t = emptyTensor(checkShape("rand", shape), o.dtype, o.device);
  backend(o.device).random(RANDOM.uniform, t, 0, 1);
  return withGrad(t, options);
}

/** Standard normal samples. @example tt.randn([64, 784]) */
export function randn(shape: readonly number[], options?: TensorOptions): Tensor {
  const o = floatOpts("randn", options);
  const t = emptyTensor(checkShape("randn", shape), o.dtype, o.device);
  backend(o.device).random(RANDOM.normal, t, 0, 1);
  return withGrad(t, options);
}

/** Integers uniform in [low, high) (int64 unless given). @example tt.randint(0, 10, [3]) */
export function randint(low: number, high: number, shape: readonly number[], options?: TensorOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low)
    throw new RangeError(`randint: expected integers low < high, got ${low} and ${high}`);
  const o = opts(options, "int64");
  const t = emptyTensor(checkShape("randint", shape), o.dtype, o.device);
  backend(o.device).random(RANDOM.randint, t, low, high);
  return withGrad(t, options);
}

/**
 * Seeds the generators behind rand, randn and randint, the CPU's and every GPU's (which
 * give different values for the same seed, as in PyTorch). @example tt.manualSeed(42)
 */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`manualSeed: expected a non-negative integer, got ${seed}`);
  backend("cpu").manualSeed(seed);
  setCudaSeed(seed);
}
