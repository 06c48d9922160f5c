/** Whether CUDA can be used here, and if not, exactly why. Probing loads libraries once; it never creates a context. */
import { nativeCuda, type CudaDeviceInfo, type CudaProbe } from "./native-cuda.js";

let probed: CudaProbe | undefined;

export function probe(): CudaProbe {
  probed ??= nativeCuda.probe();
  return probed;
}

/**
 * Whether a CUDA device, its driver and the toolkit libraries Tessera needs (NVRTC, cuBLAS)
 * were found. When false, `tt.cuda.unavailableReason()` says which one is missing.
 *
 * @example
 * const device = tt.cuda.isAvailable() ? "cuda" : "cpu";
 */
export function isAvailable(): boolean {
  return probe().available;
}

/**
 * Why CUDA is unavailable ("" when it is available), e.g.
 * "libcuda.so.1 not found (no NVIDIA driver)".
 *
 * @example
 * if (!tt.cuda.isAvailable()) console.log(tt.cuda.unavailableReason());
 */
export function unavailableReason(): string {
  return probe().reason;
}

/** GPUs visible to this process (after CUDA_VISIBLE_DEVICES); 0 when CUDA is unavailable. @example tt.cuda.deviceCount() */
export function deviceCount(): number {
  return probe().available ? probe().deviceCount : 0;
}

/** Throws the reason CUDA is unavailable, naming the device that was asked for. */
export function requireCuda(device: string): void {
  const p = probe();
  if (!p.available) throw new Error(`device "${device}" is not available: ${p.reason}`);
}

function checkIndex(i: number): void {
  requireCuda(`cuda:${i}`);
  if (!Number.isInteger(i) || i < 0 || i >= probe().deviceCount)
    throw new RangeError(`cuda:${i} does not exist: ${probe().deviceCount} CUDA device(s) are visible`);
}

/** The GPU's name. @example tt.cuda.getDeviceName(0) // "NVIDIA H100 80GB HBM3" */
export function getDeviceName(index = 0): string {
  checkIndex(index);
  return nativeCuda.deviceInfo(index).name;
}

/**
 * Facts about a GPU from the driver (name, compute capability, memory) and, when NVML is
 * there, its current memory use, utilization, temperature and power.
 *
 * @example
 * tt.cuda.getDeviceProperties(0).totalMemory;
 */
export function getDeviceProperties(index = 0): CudaDeviceInfo {
  checkIndex(index);
  return nativeCuda.deviceInfo(index);
}
