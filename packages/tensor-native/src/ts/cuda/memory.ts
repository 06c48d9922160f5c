/** GPU memory as the caching allocator sees it (torch.cuda's memory functions). */
import { cudaIndex } from "./device.js";
import { probe, requireCuda } from "./availability.js";
import { nativeCuda, type CudaMemoryStats } from "./native-cuda.js";

/** A device: an index, "cuda" or "cuda:N" (default 0). */
export type DeviceArg = number | string;

function index(device: DeviceArg = 0): number {
  const i = typeof device === "number" ? device : cudaIndex(device);
  if (!Number.isInteger(i) || i < 0) throw new RangeError(`bad CUDA device ${String(device)}`);
  return i;
}

const zero: CudaMemoryStats = {
  allocated: 0,
  allocatedPeak: 0,
  reserved: 0,
  reservedPeak: 0,
  requested: 0,
  activeBlocks: 0,
  segments: 0,
  allocations: 0,
  frees: 0,
  deviceAllocations: 0,
  deviceFrees: 0,
  retries: 0,
  ooms: 0,
};

/** The allocator's counters (all zero for a device not used yet, or without CUDA). @example tt.cuda.memoryStats().retries */
export function memoryStats(device?: DeviceArg): CudaMemoryStats {
  const i = index(device);
  return probe().available ? nativeCuda.memoryStats(i) : { ...zero };
}

/** Bytes in tensors now (rounded to the allocator's 512-byte blocks). @example tt.cuda.memoryAllocated() */
export function memoryAllocated(device?: DeviceArg): number {
  return memoryStats(device).allocated;
}

/** The most memoryAllocated() has been (since start or resetPeakMemoryStats). @example tt.cuda.maxMemoryAllocated() */
export function maxMemoryAllocated(device?: DeviceArg): number {
  return memoryStats(device).allocatedPeak;
}

/** Bytes held from the device: tensors plus the allocator's cache. @example tt.cuda.memoryReserved() */
export function memoryReserved(device?: DeviceArg): number {
  return memoryStats(device).reserved;
}

/** The most memoryReserved() has been. @example tt.cuda.maxMemoryReserved() */
export function maxMemoryReserved(device?: DeviceArg): number {
  return memoryStats(device).reservedPeak;
}

/** Starts the peaks over from the current values. @example tt.cuda.resetPeakMemoryStats() */
export function resetPeakMemoryStats(device?: DeviceArg): void {
  const i = index(device);
  if (probe().available) nativeCuda.resetPeakMemoryStats(i);
}

/**
 * Returns cached blocks to the device (so other processes, or nvidia-smi, see the memory
 * as free). Tensors in use are untouched.
 *
 * @example
 * tt.cuda.emptyCache();
 */
export function emptyCache(device?: DeviceArg): void {
  const i = index(device);
  if (probe().available) nativeCuda.emptyCache(i);
}

/**
 * Caps this process's GPU memory at fraction x the device's total; going over gives the
 * usual out-of-memory error (after the cache is freed and the allocation retried). For one
 * GPU shared by several kernels. TESSERA_CUDA_MEMORY_FRACTION sets it at start.
 *
 * @example
 * tt.cuda.setPerProcessMemoryFraction(0.25);
 */
export function setPerProcessMemoryFraction(fraction: number, device?: DeviceArg): void {
  const i = index(device);
  requireCuda(`cuda:${i}`);
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`setPerProcessMemoryFraction: expected a fraction in (0, 1], got ${fraction}`);
  nativeCuda.setMemoryFraction(i, fraction);
}

/** A text table of the allocator's state, like torch.cuda.memory_summary(). @example console.log(tt.cuda.memorySummary()) */
export function memorySummary(device?: DeviceArg): string {
  const i = index(device);
  requireCuda(`cuda:${i}`);
  return nativeCuda.memorySummary(i);
}
