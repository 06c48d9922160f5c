/**
 * `tt.cuda`: the CUDA device API (as torch.cuda). Tensors go to a GPU with
 * `x.to("cuda")`, `x.cuda()` or `{ device: "cuda" }`; ops on them run there.
 *
 * @example
 * const device = tt.cuda.isAvailable() ? "cuda" : "cpu";
 * const x = tt.randn([1024, 1024], { device });
 */
import { probe, requireCuda } from "./availability.js";
import { nativeCuda, type CudaProbe } from "./native-cuda.js";

export { deviceCount, getDeviceName, getDeviceProperties, isAvailable, unavailableReason } from "./availability.js";
export {
  emptyCache,
  maxMemoryAllocated,
  maxMemoryReserved,
  memoryAllocated,
  memoryReserved,
  memoryStats,
  memorySummary,
  resetPeakMemoryStats,
  setPerProcessMemoryFraction,
  type DeviceArg,
} from "./memory.js";
export type { CudaDeviceInfo, CudaMemoryStats, CudaProbe } from "./native-cuda.js";

/**
 * Waits until every op queued on the GPU(s) has run (ops are asynchronous; reading a value
 * with item(), data() or toArray() waits by itself). Stopping the cell interrupts the wait.
 *
 * @example
 * tt.cuda.synchronize(); // before timing with performance.now()
 */
export function synchronize(device?: number): void {
  requireCuda(device === undefined ? "cuda" : `cuda:${device}`);
  nativeCuda.synchronize(device ?? -1);
}

/** What was found: driver version, device count, the library files opened, NVML's status. @example tt.cuda.info().libraries */
export function info(): CudaProbe {
  return { ...probe(), libraries: { ...probe().libraries } };
}

/**
 * Compiles (or loads from the kernel cache) every kernel for a device now instead of on
 * first use, e.g. before timing. @example tt.cuda.compileKernels()
 */
export function compileKernels(device = 0): void {
  requireCuda(`cuda:${device}`);
  nativeCuda.loadAllModules(device);
}
