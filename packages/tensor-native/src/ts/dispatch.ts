/**
 * The one place ops reach a device. Every op calls `backend(device)` and one of these
 * primitives; the CPU backend is below, the CUDA one in cuda/backend.ts.
 */
import { cudaBackend } from "./cuda/backend.js";
import { cudaIndex, normalizeDevice } from "./cuda/device.js";
import type { DType } from "./dtype.js";
import { meta, native, writeView, type Handle } from "./native.js";
import type { BinaryCode, IndexKind, OptimKind, RandomKind, ReduceCode, UnaryCode, WindowBackwardKind, WindowKind } from "./opcodes.js";

/** "cpu", "cuda" (GPU 0) or "cuda:N". Storages hold the canonical "cpu" or "cuda:N". */
export type Device = "cpu" | "cuda" | `cuda:${number}`;

/** A strided view over a storage, in elements. */
export interface ViewLike {
  readonly storage: { readonly handle: Handle; readonly device: Device };
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface Backend {
  alloc(nbytes: number): Handle;
  free(h: Handle): void;
  read(h: Handle, byteOffset: number, byteLength: number): ArrayBuffer;
  write(h: Handle, byteOffset: number, data: ArrayBufferView): void;
  /** dst (any strides) = src converted to dst's dtype. */
  copy(src: ViewLike, dst: ViewLike): void;
  fill(dst: ViewLike, value: number): void;
  unary(op: UnaryCode, x: ViewLike, out: ViewLike): void;
  /** a, b already broadcast to out's shape and in the compute dtype. */
  binary(op: BinaryCode, a: ViewLike, b: ViewLike, out: ViewLike): void;
  where(cond: ViewLike, a: ViewLike, b: ViewLike, out: ViewLike): void;
  /** x contiguous [outer, n]. */
  reduce(op: ReduceCode, x: ViewLike, out: ViewLike, outer: number, n: number, correction: number): void;
  matmul(a: ViewLike, b: ViewLike, out: ViewLike): void;
  /** uniform in [p1, p2), normal(mean p1, std p2), randint in [p1, p2), or arange(start p1, step p2). */
  random(kind: RandomKind, out: ViewLike, p1: number, p2: number): void;
  manualSeed(seed: number): void;
  /** indexSelect, gather, or scatterAdd (x updated from `out`) over [outer, xdim, inner]. */
  indexOp(kind: IndexKind, x: ViewLike, idx: ViewLike, out: ViewLike, outer: number, xdim: number, inner: number, idim: number): void;
  /** im2col, max pool or average pool; geom = [kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]. */
  window2d(kind: WindowKind, x: ViewLike, out: ViewLike, geom: readonly number[]): void;
  /** col2im (a = cols, out = image), or max / average pool backward (a = x, b = grad of the output, out = grad of x). */
  window2dBackward(kind: WindowBackwardKind, a: ViewLike, b: ViewLike, out: ViewLike, geom: readonly number[]): void;
  /** Fused in-place optimizer update: SGD, Adam or AdamW (see optim_step in kernels.h for `hyper`). */
  optimStep(kind: OptimKind, p: ViewLike, g: ViewLike, s1: ViewLike, s2: ViewLike, hyper: readonly number[]): void;
  stats(): { liveBytes: number; cachedBytes: number; osAllocations: number; liveBlocks: number };
  /** Whether matmul may pass operands of this 16-bit dtype as they are (else they are widened to float32). */
  matmulKeeps?(dtype: DType): boolean;
}

/** PyTorch's message for operands on two devices. */
export function sameDeviceError(a: string, b: string): Error {
  return new Error(`Expected all tensors to be on the same device, but found at least two devices, ${a} and ${b}!`);
}

/**
 * The device an op on these operands runs on: the one GPU among them, else the CPU. CPU
 * operands of a GPU op may only be 0-d (scalars), as in PyTorch.
 */
export function resultDevice(...xs: ViewLike[]): Device {
  let dev: Device = "cpu";
  for (const x of xs) {
    const d = x.storage.device;
    if (d === "cpu" || d === dev) continue;
    if (dev !== "cpu") throw sameDeviceError(dev, d);
    dev = d;
  }
  if (dev !== "cpu") for (const x of xs) if (x.storage.device === "cpu" && x.shape.length !== 0) throw sameDeviceError(dev, "cpu");
  return dev;
}

function put(pos: number, v: ViewLike): number {
  if (v.storage.device !== "cpu") throw sameDeviceError("cpu", v.storage.device);
  return writeView(pos, v);
}

function puts(...vs: ViewLike[]): number {
  let p = 0;
  for (const v of vs) p = put(p, v);
  return p;
}

const cpu: Backend = {
  alloc: (n) => native.alloc(n),
  free: (h) => native.free(h),
  read: (h, o, n) => native.read(h, o, n),
  write: (h, o, d) => native.write(h, o, d),
  copy(src, dst) {
    // Between devices: the GPU side's backend moves the data.
    if (src.storage.device !== "cpu") return backend(src.storage.device).copy(src, dst);
    if (dst.storage.device !== "cpu") return backend(dst.storage.device).copy(src, dst);
    puts(src, dst);
    native.copy(src.storage.handle, dst.storage.handle);
  },
  fill(dst, value) {
    meta[puts(dst)] = value;
    native.fill(dst.storage.handle);
  },
  unary(op, x, out) {
    puts(x, out);
    native.unary(op, x.storage.handle, out.storage.handle);
  },
  binary(op, a, b, out) {
    puts(a, b, out);
    native.binary(op, a.storage.handle, b.storage.handle, out.storage.handle);
  },
  where(c, a, b, out) {
    puts(c, a, b, out);
    native.where(c.storage.handle, a.storage.handle, b.storage.handle, out.storage.handle);
  },
  reduce(op, x, out, outer, n, correction) {
    const p = puts(x, out);
    meta[p] = outer;
    meta[p + 1] = n;
    meta[p + 2] = correction;
    native.reduce(op, x.storage.handle, out.storage.handle);
  },
  matmul(a, b, out) {
    puts(a, b, out);
    native.matmul(a.storage.handle, b.storage.handle, out.storage.handle);
  },
  random(kind, out, p1, p2) {
    const p = puts(out);
    meta[p] = p1;
    meta[p + 1] = p2;
    native.random(kind, out.storage.handle);
  },
  manualSeed: (seed) => native.manualSeed(seed),
  indexOp(kind, x, idx, out, outer, xdim, inner, idim) {
    const p = puts(x, idx, out);
    meta[p] = outer;
    meta[p + 1] = xdim;
    meta[p + 2] = inner;
    meta[p + 3] = idim;
    native.indexOp(kind, x.storage.handle, idx.storage.handle, out.storage.handle);
  },
  window2d(kind, x, out, geom) {
    const p = puts(x, out);
    for (let i = 0; i < geom.length; i++) meta[p + i] = geom[i];
    native.window2d(kind, x.storage.handle, out.storage.handle);
  },
  window2dBackward(kind, a, b, out, geom) {
    const p = puts(a, b, out);
    for (let i = 0; i < geom.length; i++) meta[p + i] = geom[i];
    native.window2dBackward(kind, a.storage.handle, b.storage.handle, out.storage.handle);
  },
  optimStep(kind, p, g, s1, s2, hyper) {
    const at = puts(p, g, s1, s2);
    for (let i = 0; i < hyper.length; i++) meta[at + i] = hyper[i];
    native.optimStep(kind, p.storage.handle, g.storage.handle, s1.storage.handle, s2.storage.handle);
  },
  stats: () => native.stats(),
};

export function backend(device: Device): Backend {
  if (device === "cpu") return cpu;
  const d = normalizeDevice(device);
  return cudaBackend(d, cudaIndex(d));
}
