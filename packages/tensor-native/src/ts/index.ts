/**
 * @tessera/tensor: PyTorch-shaped tensors for TypeScript on a native CPU core.
 *
 * @example
 * import * as tt from "@tessera/tensor";
 * const x = tt.randn([64, 784]);
 * const w = tt.randn([784, 10]);
 * console.log(x.matmul(w).relu().softmax(-1).sum(1));
 */
import "./methods.js";
import "./inplace.js";
import "./advanced-indexing.js";
import "./logical.js";
import "./autograd/index.js";

import { native } from "./native.js";
import type { TensorLike } from "./elementwise.js";
import type { Tensor } from "./tensor.js";

export { Tensor } from "./tensor.js";
export type { ValuesIndices } from "./methods.js";
export { DTYPES, promoteTypes, type DType } from "./dtype.js";
export type { Device } from "./dispatch.js";
export {
  arange, empty, eye, fromTypedArray, full, linspace, manualSeed, ones, onesLike, rand, randint, randn, tensor,
  zeros, zerosLike, type NestedArray, type TensorOptions,
} from "./creation.js";
export type { Scalar, TensorLike } from "./elementwise.js";
export { oneHot } from "./indexing.js";
export { index, maskedSelect, nonzero } from "./advanced-indexing.js";
export type { Conv2dOptions, Pair, Pool2dOptions } from "./conv.js";
export {
  autocast, autocastDType, avgPool2d, cat, chunk, GradScaler, clamp, conv2d, embedding, enableGrad, gather, gradcheck, indexSelect, isGradEnabled, matmul,
  maxPool2d, noGrad, scatterAdd, split, stack, where,
  type AutocastOptions, type BackwardOptions, type GradcheckOptions, type GradScalerOptions, type GradHook, type HookHandle,
} from "./autograd/index.js";
export { keep, memory, tidy, type MemoryInfo } from "./memory.js";
export * from "./io/index.js";
export * as data from "./data/index.js";
export * as optim from "./optim/index.js";
export * as nn from "./nn/index.js";
export * as cuda from "./cuda/index.js";
export { backends } from "./cuda/settings.js";
export * as plot from "./plot/index.js";
export { progress, Progress, type ProgressOptions, type ProgressState } from "./display/progress.js";
export * as display from "./display/index.js";

/** Elementwise a + b with broadcasting. @example tt.add(x, 1) */
export const add = (a: Tensor, b: TensorLike): Tensor => a.add(b);
/** @example tt.sub(x, y) */
export const sub = (a: Tensor, b: TensorLike): Tensor => a.sub(b);
/** @example tt.mul(x, y) */
export const mul = (a: Tensor, b: TensorLike): Tensor => a.mul(b);
/** @example tt.div(x, 2) */
export const div = (a: Tensor, b: TensorLike): Tensor => a.div(b);
/** @example tt.pow(x, 2) */
export const pow = (a: Tensor, b: TensorLike): Tensor => a.pow(b);
/** @example tt.maximum(x, y) */
export const maximum = (a: Tensor, b: TensorLike): Tensor => a.maximum(b);
/** @example tt.minimum(x, y) */
export const minimum = (a: Tensor, b: TensorLike): Tensor => a.minimum(b);
/** @example tt.exp(x) */
export const exp = (x: Tensor): Tensor => x.exp();
/** @example tt.log(x) */
export const log = (x: Tensor): Tensor => x.log();
/** @example tt.sqrt(x) */
export const sqrt = (x: Tensor): Tensor => x.sqrt();
/** @example tt.tanh(x) */
export const tanh = (x: Tensor): Tensor => x.tanh();
/** @example tt.sigmoid(x) */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** @example tt.relu(x) */
export const relu = (x: Tensor): Tensor => x.relu();
/** @example tt.softmax(x, -1) */
export const softmax = (x: Tensor, dim: number): Tensor => x.softmax(dim);
/** @example tt.logSoftmax(x, -1) */
export const logSoftmax = (x: Tensor, dim: number): Tensor => x.logSoftmax(dim);

/**
 * Threads used by matmul and large elementwise ops (default: TESSERA_NUM_THREADS, else
 * the core count). Pass n to change it.
 *
 * @example
 * tt.numThreads(1);
 */
export function numThreads(n?: number): number {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new RangeError(`numThreads: expected a positive integer, got ${n}`);
  return native.threads(n);
}

/**
 * The instruction set the CPU kernels run with ("avx512", "avx2" or "base"); pass one to
 * force a lower one (TESSERA_CPU_ISA does the same at load).
 *
 * @example
 * tt.cpuIsa(); // "avx2"
 */
export function cpuIsa(force?: "avx512" | "avx2" | "base"): string {
  return native.isa(force);
}

/** Returns the allocator's cached blocks to the operating system. @example tt.emptyCache() */
export function emptyCache(): void {
  native.emptyCache();
}

/**
 * Lets long native ops stop early: while `flag[0]` is nonzero, matmul throws
 * "interrupted" at its next block boundary. Share the Int32Array (on a
 * SharedArrayBuffer) with whatever delivers interrupts; pass null to detach.
 *
 * @example
 * const flag = new Int32Array(new SharedArrayBuffer(4));
 * tt.setInterruptFlag(flag); // elsewhere: Atomics.store(flag, 0, 1)
 */
export function setInterruptFlag(flag: Int32Array | null): void {
  native.setInterruptFlag(flag);
}

// Inside a Tessera kernel, the kernel's interrupt flag is published on globalThis: use it,
// so stopping a cell also stops a long native op.
const kernelFlag = (globalThis as Record<symbol, unknown>)[Symbol.for("tessera.interruptFlag")];
if (kernelFlag instanceof Int32Array && kernelFlag.buffer instanceof SharedArrayBuffer) setInterruptFlag(kernelFlag);
