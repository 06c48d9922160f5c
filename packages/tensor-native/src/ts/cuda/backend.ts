/**
 * The Backend for "cuda:N": every op becomes one queued launch on the device's stream
 * (src/native/cuda). Views go through the shared metadata buffer as for the CPU; a CPU
 * 0-d operand (a JS scalar, a 0-d CPU tensor) is passed by value, as PyTorch allows.
 * Copies between devices go through pinned host buffers; reading values waits for the
 * stream, nothing else does.
 */
import { backend, sameDeviceError, type Backend, type Device, type ViewLike } from "../dispatch.js";
import { dtypeCode, dtypeSize, isFloating, type DType } from "../dtype.js";
import { meta, native, writeView, type Handle } from "../native.js";
import {
  HOST_COPY,
  type BinaryCode,
  type IndexKind,
  type OptimKind,
  type RandomKind,
  type ReduceCode,
  type UnaryCode,
  type WindowBackwardKind,
  type WindowKind,
} from "../opcodes.js";
import { contiguousStrides, isContiguousView, numelOf } from "../strides.js";
import { requireCuda } from "./availability.js";
import { planGemm, type GemmCall } from "./gemm-plan.js";
import { nativeCuda as nc } from "./native-cuda.js";
import { nextRandom } from "./random-state.js";
import { backends } from "./settings.js";

/** A scratch buffer on `device` (not a Tensor: nothing tracks it; release() frees it). */
function temp(device: Device, shape: readonly number[], dtype: DType): ViewLike {
  const handle = backend(device).alloc(numelOf(shape) * dtypeSize[dtype]);
  return { storage: { handle, device }, dtype, shape: [...shape], strides: contiguousStrides(shape), offset: 0 };
}

function release(v: ViewLike): void {
  backend(v.storage.device).free(v.storage.handle);
}

/** A contiguous copy of v on its own device (or v itself when already contiguous). */
function dense(v: ViewLike): ViewLike {
  if (isContiguousView(v)) return v;
  const t = temp(v.storage.device, v.shape, v.dtype);
  backend(v.storage.device).copy(v, t);
  return t;
}

/** src -> dst between two different devices (dst's dtype and strides, src's values). */
function transfer(src: ViewLike, dst: ViewLike): void {
  const sd = src.storage.device,
    dd = dst.storage.device;
  const n = numelOf(dst.shape);
  if (n === 0) return;
  if (sd !== "cpu" && dd !== "cpu") {
    // GPU to GPU, through the host
    const host = temp("cpu", src.shape, src.dtype);
    try {
      transfer(src, host);
      transfer(host, dst);
    } finally {
      release(host);
    }
    return;
  }
  const es = dtypeSize[src.dtype];
  const direct = isContiguousView(dst) && dst.dtype === src.dtype;
  const s = dense(src);
  const staging = direct ? dst : temp(dd, src.shape, src.dtype);
  try {
    if (sd === "cpu") nc.copyHost(HOST_COPY.upload, staging.storage.handle, staging.offset * es, s.storage.handle, s.offset * es, n * es);
    else nc.copyHost(HOST_COPY.download, s.storage.handle, s.offset * es, staging.storage.handle, staging.offset * es, n * es);
    if (!direct) backend(dd).copy(staging, dst);
  } finally {
    if (s !== src) release(s);
    if (staging !== dst) release(staging);
  }
}

export class CudaBackend implements Backend {
  private major = 0;

  constructor(
    readonly index: number,
    readonly device: Device,
  ) {}

  /** cuBLAS multiplies float16 natively, bfloat16 from compute capability 8.0 (Ampere). */
  matmulKeeps(dtype: DType): boolean {
    if (dtype === "float16") return true;
    if (dtype !== "bfloat16") return false;
    this.major ||= nc.deviceInfo(this.index).major;
    return this.major >= 8;
  }

  private on(...views: ViewLike[]): void {
    for (const v of views) if (v.storage.device !== this.device) throw sameDeviceError(this.device, v.storage.device);
  }

  private puts(...views: ViewLike[]): number {
    this.on(...views);
    let p = 0;
    for (const v of views) p = writeView(p, v);
    return p;
  }

  /** Writes an operand that may be a CPU scalar (passed by value); returns its handle or null. */
  private operand(pos: number, v: ViewLike): { pos: number; handle: Handle | null } {
    if (v.storage.device === this.device) return { pos: writeView(pos, v), handle: v.storage.handle };
    if (v.storage.device !== "cpu" || !(v.strides.every((s) => s === 0) || numelOf(v.shape) === 1))
      throw sameDeviceError(this.device, v.storage.device);
    const es = dtypeSize[v.dtype];
    const bytes = new Uint8Array(8);
    bytes.set(new Uint8Array(native.read(v.storage.handle, v.offset * es, es)));
    const words = new Uint32Array(bytes.buffer);
    meta[pos] = dtypeCode[v.dtype];
    meta[pos + 1] = -1;
    meta[pos + 2] = words[0];
    meta[pos + 3] = words[1];
    return { pos: pos + 4, handle: null };
  }

  alloc(nbytes: number): Handle {
    requireCuda(this.device);
    return nc.alloc(this.index, nbytes);
  }
  free(h: Handle): void {
    nc.free(h);
  }
  read(h: Handle, byteOffset: number, byteLength: number): ArrayBuffer {
    return nc.download(h, byteOffset, byteLength);
  }
  write(h: Handle, byteOffset: number, data: ArrayBufferView): void {
    nc.upload(h, byteOffset, data);
  }
  copy(src: ViewLike, dst: ViewLike): void {
    if (src.storage.device === this.device && dst.storage.device === this.device) {
      this.puts(src, dst);
      nc.copy(src.storage.handle, dst.storage.handle);
    } else {
      transfer(src, dst);
    }
  }
  fill(dst: ViewLike, value: number): void {
    meta[this.puts(dst)] = value;
    nc.fill(dst.storage.handle);
  }
  unary(op: UnaryCode, x: ViewLike, out: ViewLike): void {
    this.puts(x, out);
    nc.unary(op, x.storage.handle, out.storage.handle);
  }
  binary(op: BinaryCode, a: ViewLike, b: ViewLike, out: ViewLike): void {
    this.on(out);
    const ra = this.operand(0, a),
      rb = this.operand(ra.pos, b);
    writeView(rb.pos, out);
    nc.binary(op, ra.handle, rb.handle, out.storage.handle);
  }
  where(cond: ViewLike, a: ViewLike, b: ViewLike, out: ViewLike): void {
    this.on(out);
    const rc = this.operand(0, cond),
      ra = this.operand(rc.pos, a),
      rb = this.operand(ra.pos, b);
    writeView(rb.pos, out);
    nc.where(rc.handle, ra.handle, rb.handle, out.storage.handle);
  }
  reduce(op: ReduceCode, x: ViewLike, out: ViewLike, outer: number, n: number, correction: number): void {
    const p = this.puts(x, out);
    meta[p] = outer;
    meta[p + 1] = n;
    meta[p + 2] = correction;
    nc.reduce(op, x.storage.handle, out.storage.handle);
  }
  matmul(a: ViewLike, b: ViewLike, out: ViewLike): void {
    this.on(a, b, out);
    const nd = out.shape.length;
    if (!isFloating(out.dtype)) {
      this.puts(a, b, out);
      nc.matmulInt(a.storage.handle, b.storage.handle, out.storage.handle);
      return;
    }
    if (a.shape[nd - 1] === 0) {
      const z = dense(out);
      this.fill(z, 0);
      if (z !== out) {
        this.copy(z, out);
        release(z);
      }
      return;
    }
    let plan = planGemm(a, b, out);
    const temps: ViewLike[] = [];
    let [ea, eb, eo] = [a, b, out];
    if (plan.materialize) {
      // A contiguous layout always maps onto cuBLAS, so one copy is enough.
      if (plan.materialize.includes("a")) temps.push((ea = this.contiguousCopy(a)));
      if (plan.materialize.includes("b")) temps.push((eb = this.contiguousCopy(b)));
      if (plan.materialize.includes("out")) temps.push((eo = temp(this.device, out.shape, out.dtype)));
      plan = planGemm(ea, eb, eo);
    }
    try {
      if (!plan.call) throw new Error("matmul: no cuBLAS layout for these operands");
      this.gemm(eb, ea, eo, plan.call);
      if (eo !== out) this.copy(eo, out);
    } finally {
      for (const t of temps) release(t);
    }
  }
  private contiguousCopy(v: ViewLike): ViewLike {
    const t = temp(this.device, v.shape, v.dtype);
    this.copy(v, t);
    return t;
  }
  private gemm(A: ViewLike, B: ViewLike, C: ViewLike, c: GemmCall): void {
    const p = this.puts(A, B, C);
    const nums = [c.transa, c.transb, c.m, c.n, c.k, c.lda, c.ldb, c.ldc, c.strideA, c.strideB, c.strideC, c.batch];
    for (let i = 0; i < nums.length; i++) meta[p + i] = nums[i];
    nc.gemm(A.storage.handle, B.storage.handle, C.storage.handle, backends.cuda.matmul.allowTf32);
  }
  random(kind: RandomKind, out: ViewLike, p1: number, p2: number): void {
    const p = this.puts(out);
    const { seed, offset } = nextRandom(this.index);
    meta[p] = p1;
    meta[p + 1] = p2;
    meta[p + 2] = seed % 2 ** 32;
    meta[p + 3] = Math.floor(seed / 2 ** 32);
    meta[p + 4] = offset % 2 ** 32;
    meta[p + 5] = Math.floor(offset / 2 ** 32);
    nc.random(kind, out.storage.handle);
  }
  manualSeed(): void {
    // Seeding is TypeScript state (random-state.ts), set by tt.manualSeed for every device.
  }
  indexOp(kind: IndexKind, x: ViewLike, idx: ViewLike, out: ViewLike, outer: number, xdim: number, inner: number, idim: number): void {
    const p = this.puts(x, idx, out);
    meta[p] = outer;
    meta[p + 1] = xdim;
    meta[p + 2] = inner;
    meta[p + 3] = idim;
    nc.indexOp(kind, x.storage.handle, idx.storage.handle, out.storage.handle);
  }
  window2d(kind: WindowKind, x: ViewLike, out: ViewLike, geom: readonly number[]): void {
    const p = this.puts(x, out);
    for (let i = 0; i < geom.length; i++) meta[p + i] = geom[i];
    nc.window2d(kind, x.storage.handle, out.storage.handle);
  }
  window2dBackward(kind: WindowBackwardKind, a: ViewLike, b: ViewLike, out: ViewLike, geom: readonly number[]): void {
    const p = this.puts(a, b, out);
    for (let i = 0; i < geom.length; i++) meta[p + i] = geom[i];
    nc.window2dBackward(kind, a.storage.handle, b.storage.handle, out.storage.handle);
  }
  optimStep(kind: OptimKind, p: ViewLike, g: ViewLike, s1: ViewLike, s2: ViewLike, hyper: readonly number[]): void {
    const at = this.puts(p, g, s1, s2);
    for (let i = 0; i < hyper.length; i++) meta[at + i] = hyper[i];
    nc.optimStep(kind, p.storage.handle, g.storage.handle, s1.storage.handle, s2.storage.handle);
  }
  stats(): { liveBytes: number; cachedBytes: number; osAllocations: number; liveBlocks: number } {
    const s = nc.memoryStats(this.index);
    return {
      liveBytes: s.allocated,
      cachedBytes: s.reserved - s.allocated,
      osAllocations: s.deviceAllocations,
      liveBlocks: s.activeBlocks,
    };
  }
}

const instances = new Map<string, CudaBackend>();

/** The backend of "cuda:N"; throws why when CUDA is unavailable. */
export function cudaBackend(device: Device, index: number): CudaBackend {
  let b = instances.get(device);
  if (!b) {
    requireCuda(device);
    b = new CudaBackend(index, device);
    instances.set(device, b);
  }
  return b;
}
