/**
 * @tessera/tensor: PyTorch-shaped tensors for TypeScript, on native CPU and CUDA backends.
 *
 * @example
 * import * as tt from "@tessera/tensor";
 * const x = tt.randn([64, 784]);
 * const w = tt.randn([784, 10]);
 * console.log(x.matmul(w).relu().softmax(-1).sum(1));
 */
import "./install-methods.js";

import { native } from "./native.js";
import { binaryFunctions, unaryFunctions } from "./ops/elementwise-methods.js";
import type { Scalar, TensorLike } from "./elementwise.js";
import type { Tensor } from "./tensor.js";

export { Tensor } from "./tensor.js";
export type { ValuesIndices } from "./methods.js";
export { DTYPES, promoteTypes, type DType } from "./dtype.js";
export type { Device } from "./dispatch.js";
export {
  arange,
  empty,
  eye,
  fromTypedArray,
  full,
  linspace,
  manualSeed,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  tensor,
  zeros,
  zerosLike,
  type NestedArray,
  type TensorOptions,
} from "./creation.js";
export type { Scalar, TensorLike };
export { oneHot } from "./indexing.js";
export { index, maskedSelect, nonzero } from "./advanced-indexing.js";
export type { Conv2dOptions, Pair, Pool2dOptions } from "./conv.js";
export {
  autocast,
  autocastDType,
  avgPool2d,
  cat,
  chunk,
  GradScaler,
  clamp,
  conv2d,
  embedding,
  enableGrad,
  gather,
  gradcheck,
  indexSelect,
  isGradEnabled,
  matmul,
  maxPool2d,
  noGrad,
  scatterAdd,
  split,
  stack,
  where,
  type AutocastOptions,
  type BackwardOptions,
  type GradcheckOptions,
  type GradScalerOptions,
  type GradHook,
  type HookHandle,
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

// Made from the op tables (ops/unary-table.ts, ops/binary-table.ts); test/op-table.test.ts
// checks that every record is listed in these two lines.
/** A unary elementwise op as a function: `tt.exp(x)` is `x.exp()` (see the method's doc). */
export const { neg, abs, exp, log, sqrt, rsqrt, sin, cos, tanh, sigmoid, relu, gelu, silu, logicalNot } = unaryFunctions;
/** A binary elementwise op as a function: `tt.add(a, b)` is `a.add(b)`, `tt.eq(a, b)` is `a.eq(b)` (see the method's doc). */
export const { add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge } = binaryFunctions;
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
