/** The Tensor class: a strided view over a reference-counted storage. */
import { inspect } from "node:util";

import type { GradNode } from "./autograd/node.js";
import { requireCuda } from "./cuda/availability.js";
import { isDeviceName, normalizeDevice } from "./cuda/device.js";
import { backend, type Device, type ViewLike } from "./dispatch.js";
import { checkDType, DTYPES, dtypeSize, isFloating, typedArrayFor, type AnyTypedArray, type DType } from "./dtype.js";
import { allocStorage, disposeTensor, track, type Storage } from "./memory.js";
import { formatTensor, tensorHtml } from "./printing.js";
import { contiguousStrides, isContiguousView, numelOf } from "./strides.js";

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/**
 * An n-dimensional array on a device. Ops return new tensors; views (transpose, narrow,
 * reshape of a contiguous tensor…) share storage with their source.
 *
 * @example
 * const x = tt.tensor([[1, 2], [3, 4]], { dtype: "float32" });
 * x.add(1).relu().sum().item(); // 14
 */
export class Tensor implements ViewLike {
  /** True once dispose() ran (or the enclosing tidy() ended). */
  isDisposed = false;
  /**
   * The gradient accumulated by backward(): set on leaf tensors that require grad (and
   * on others after retainGrad()). Add to it, read it, or set it to null to free it.
   */
  grad: Tensor | null = null;
  /** @internal The autograd node that made this tensor; null for leaves. */
  gradFn: GradNode | null = null;
  /** @internal */
  _requiresGrad = false;

  /** @internal Use the creation functions (tt.tensor, tt.zeros…) instead. */
  constructor(
    readonly storage: Storage,
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
  ) {
    track(this);
  }

  /**
   * Whether ops on this tensor are recorded so backward() can compute its gradient.
   * Only floating point leaf tensors can be switched.
   *
   * @example
   * const w = tt.randn([3, 3]); w.requiresGrad = true;
   */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(flag: boolean) {
    if (flag === this._requiresGrad) return;
    if (this.gradFn) throw new Error("requiresGrad: only leaf tensors can change it; use detach() for a tensor that does not require grad");
    if (flag && !isFloating(this.dtype))
      throw new TypeError(`requiresGrad: only floating point tensors can require gradients, got ${this.dtype}`);
    this._requiresGrad = flag;
  }

  /** True for tensors not made by a recorded op (user-created, or requiresGrad false). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Where the data lives: "cpu" or "cuda:N". */
  get device(): Device {
    return this.storage.device;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    return numelOf(this.shape);
  }

  /** The shape, or one dimension's size (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    return this.shape[normDim(dim, this.ndim, "size")];
  }

  /** Whether the elements are laid out row-major without gaps. */
  isContiguous(): boolean {
    return isContiguousView(this);
  }

  /** @internal Throws if this tensor was disposed. */
  check(op: string): this {
    if (this.isDisposed) throw new Error(`${op}: this tensor was disposed and cannot be used`);
    return this;
  }

  /** Frees this tensor now (its storage goes when its last view goes). Idempotent. */
  dispose(): void {
    disposeTensor(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal Same storage, new geometry. */
  view_(shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    return new Tensor(this.storage, this.dtype, shape, strides, offset);
  }

  /** The elements as a typed array (a copy, row-major). int64 gives a BigInt64Array; half types their raw bits. */
  data(): AnyTypedArray {
    this.check("data");
    const src = contiguousOrSelf(this);
    const es = dtypeSize[this.dtype];
    const buf = backend(this.device).read(src.storage.handle, src.offset * es, this.numel() * es);
    if (src !== this) src.dispose();
    return typedArrayFor(this.dtype, buf);
  }

  /** The elements as JS numbers (booleans for bool), row-major. */
  values(): (number | boolean)[] {
    const d = this.dtype;
    if (d === "float16" || d === "bfloat16") {
      const f = this.to("float32");
      const v = f.values();
      f.dispose();
      return v;
    }
    const arr = this.data();
    if (d === "bool") return Array.from(arr as Uint8Array, (x) => x !== 0);
    if (arr instanceof BigInt64Array) return Array.from(arr, (x) => Number(x));
    return Array.from(arr as Float32Array);
  }

  /** The value of a one-element tensor. */
  item(): number | boolean {
    this.check("item");
    if (this.numel() !== 1) throw new Error(`item: a tensor with ${this.numel()} elements cannot be converted to a scalar`);
    return this.values()[0];
  }

  /** The elements as nested arrays (a 0-d tensor gives its value). */
  toArray(): unknown {
    const vals = this.values();
    if (this.ndim === 0) return vals[0];
    const build = (dim: number, start: number): unknown[] => {
      const n = this.shape[dim];
      const out: unknown[] = [];
      if (dim === this.ndim - 1) {
        for (let i = 0; i < n; i++) out.push(vals[start + i]);
        return out;
      }
      const step = numelOf(this.shape.slice(dim + 1));
      for (let i = 0; i < n; i++) out.push(build(dim + 1, start + i * step));
      return out;
    };
    return build(0, 0);
  }

  /**
   * A copy in another dtype and/or on another device (this tensor itself when nothing
   * changes). Differentiable: the gradient goes back to this tensor's dtype and device.
   *
   * @example
   * x.to("float64"); x.to("cuda"); x.to("cuda:1", "float16"); y.to("cpu");
   */
  to(target: DType | Device | (string & {}), dtype?: DType): Tensor {
    this.check("to");
    let device: Device = this.device;
    let dt = this.dtype;
    if ((DTYPES as readonly string[]).includes(target)) {
      dt = target as DType;
    } else if (isDeviceName(target)) {
      device = normalizeDevice(target);
      if (device !== "cpu") requireCuda(target);
    } else {
      throw new TypeError(
        `to: expected a dtype (${DTYPES.join(", ")}) or a device ("cpu", "cuda", "cuda:N"), got ${JSON.stringify(target)}`,
      );
    }
    if (dtype !== undefined) dt = checkDType(dtype);
    if (device === this.device && dt === this.dtype) return this;
    const out = emptyTensor(this.shape, dt, device);
    backend(this.device).copy(this, out);
    return out;
  }

  /** to("cuda") or to("cuda:N"). @example x.cuda() */
  cuda(device: number | Device = "cuda"): Tensor {
    return this.to(typeof device === "number" ? `cuda:${device}` : device);
  }

  /** to("cpu"). @example y.cpu().toArray() */
  cpu(): Tensor {
    return this.to("cpu");
  }

  toString(): string {
    if (this.isDisposed) return "tensor(<disposed>)";
    return formatTensor(this.values(), this.shape, this.dtype, this.device);
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** Rich output for notebooks: text/plain as printed, and an HTML view with a summary header. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    if (this.isDisposed) return { "text/plain": this.toString() };
    const values = this.values();
    return {
      "text/plain": formatTensor(values, this.shape, this.dtype),
      "text/html": tensorHtml(values, this.shape, this.dtype, this.device),
    };
  }
}

export function normDim(dim: number, ndim: number, op: string): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n)
    throw new RangeError(`${op}: dimension ${dim} is out of range for a tensor with ${ndim} dimension(s) (expected -${n}..${n - 1})`);
  return dim < 0 ? dim + n : dim;
}

/** A new uninitialized contiguous tensor. */
/**
 * `t` in `dtype`, taking ownership of `t`: a result computed in another dtype (float32 for
 * half types, uint8 for bool sums) is cast, and the temporary freed.
 * @example return castOwned(out, "float16");
 */
export function castOwned(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const cast = t.to(dtype);
  t.dispose();
  return cast;
}

export function emptyTensor(shape: readonly number[], dtype: DType, device: Device = "cpu"): Tensor {
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
  const st = allocStorage(numelOf(shape) * dtypeSize[dtype], device);
  return new Tensor(st, dtype, [...shape], contiguousStrides(shape), 0);
}

export function contiguousOrSelf(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  const out = emptyTensor(t.shape, t.dtype, t.device);
  backend(t.device).copy(t, out);
  return out;
}
