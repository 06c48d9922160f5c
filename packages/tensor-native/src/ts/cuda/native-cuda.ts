/** The addon's `cuda` object (src/native/cuda/addon_cuda.cpp): what the CUDA backend calls. */
import { native, type Handle } from "../native.js";
import type {
  BinaryCode,
  HostCopyKind,
  IndexKind,
  OptimKind,
  RandomKind,
  ReduceCode,
  UnaryCode,
  WindowBackwardKind,
  WindowKind,
} from "../opcodes.js";

export interface CudaProbe {
  available: boolean;
  /** Why CUDA is unavailable, e.g. "libcuda.so.1 not found (no NVIDIA driver)"; "" when available. */
  reason: string;
  /** The driver's CUDA version as 1000 * major + 10 * minor (12040 = 12.4). */
  driverVersion: number;
  deviceCount: number;
  nvrtcVersion: string;
  /** The files that were opened. */
  libraries: { cuda: string; nvrtc: string; cublas: string; cublasLt: string; nvml: string };
  /** Why NVML (device facts) is unavailable; CUDA works without it. */
  nvmlError: string;
}

export interface CudaDeviceInfo {
  name: string;
  major: number;
  minor: number;
  multiProcessorCount: number;
  totalMemory: number;
  pciBusId: string;
  memoryUsed?: number;
  memoryFree?: number;
  utilization?: number;
  temperature?: number;
  powerWatts?: number;
  driverVersion?: string;
}

export interface CudaMemoryStats {
  allocated: number;
  allocatedPeak: number;
  reserved: number;
  reservedPeak: number;
  requested: number;
  activeBlocks: number;
  segments: number;
  allocations: number;
  frees: number;
  deviceAllocations: number;
  deviceFrees: number;
  retries: number;
  ooms: number;
}

export interface KernelFile {
  name: string;
  text: string;
}

/** Views are read from the shared metadata buffer (see dispatch.ts); a null handle marks a by-value scalar. */
export interface NativeCuda {
  probe(): CudaProbe;
  deviceInfo(index: number): CudaDeviceInfo;
  kernelSources(): { sources: KernelFile[]; headers: KernelFile[]; options: string[] };
  alloc(index: number, nbytes: number): Handle;
  free(h: Handle): void;
  upload(h: Handle, byteOffset: number, data: ArrayBufferView): void;
  download(h: Handle, byteOffset: number, byteLength: number): ArrayBuffer;
  /** HOST_COPY.upload: CPU storage -> CUDA storage; HOST_COPY.download: CUDA -> CPU. */
  copyHost(kind: HostCopyKind, cuda: Handle, cudaByteOffset: number, cpu: Handle, cpuByteOffset: number, nbytes: number): void;
  copy(src: Handle, dst: Handle): void;
  fill(dst: Handle): void;
  unary(op: UnaryCode, x: Handle, out: Handle): void;
  binary(op: BinaryCode, a: Handle | null, b: Handle | null, out: Handle): void;
  where(c: Handle | null, a: Handle | null, b: Handle | null, out: Handle): void;
  reduce(op: ReduceCode, x: Handle, out: Handle): void;
  gemm(a: Handle, b: Handle, c: Handle, allowTf32: boolean): void;
  matmulInt(a: Handle, b: Handle, out: Handle): void;
  random(kind: RandomKind, out: Handle): void;
  indexOp(kind: IndexKind, x: Handle, idx: Handle, out: Handle): void;
  window2d(kind: WindowKind, x: Handle, out: Handle): void;
  window2dBackward(kind: WindowBackwardKind, a: Handle, b: Handle, out: Handle): void;
  optimStep(kind: OptimKind, p: Handle, g: Handle, s1: Handle, s2: Handle): void;
  synchronize(index: number): void;
  memoryStats(index: number): CudaMemoryStats;
  emptyCache(index: number): void;
  setMemoryFraction(index: number, fraction: number): void;
  resetPeakMemoryStats(index: number): void;
  memorySummary(index: number): string;
  loadAllModules(index: number): void;
  /** Every kernel file through this machine's NVRTC for each target; needs no driver or GPU. */
  nvrtcCheck(archs: string[]): {
    path: string;
    version: string;
    /** Set when no NVRTC was found. */
    error: string;
    results: { file: string; arch: string; error: string; image: ArrayBuffer }[];
  };
}

export const nativeCuda = (native as unknown as { cuda: NativeCuda }).cuda;
