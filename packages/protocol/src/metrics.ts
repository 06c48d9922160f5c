/**
 * The metrics channel: GPU, machine and per-kernel usage, sampled by the server.
 *
 * WebSocket: `GET /api/tessera/metrics` (same auth and Origin checks as the rest). The
 * page sends `{"type":"subscribe","intervalMs":1000}` and gets a `history` message (the
 * last ten minutes, one point per `periodMs`), then a `sample` message every `intervalMs`.
 *
 * Units are in the field names: percentages are 0..100 (a kernel's `cpuPercent` is per
 * core, so a kernel busy on two cores shows 200), memory is in bytes, temperatures in °C,
 * power in watts, clocks in MHz. A value the hardware does not report is `null`.
 *
 * @example
 * ws.send(JSON.stringify({ type: "subscribe", intervalMs: 1000 } satisfies MetricsClientMessage));
 */

/** Fastest rate a client may ask for; faster requests are clamped to it. */
export const METRICS_MIN_INTERVAL_MS = 250;
/** Slowest rate a client may ask for; slower requests are clamped to it. */
export const METRICS_MAX_INTERVAL_MS = 60_000;
/** The rate when `subscribe` names none. */
export const METRICS_DEFAULT_INTERVAL_MS = 1000;

/**
 * Whether GPU numbers can be had. "unavailable": no NVIDIA driver or tool on this machine
 * (nothing to fix in Tessera); "error": the tool is there but failed (the message says how).
 */
export interface GpuStatus {
  state: "starting" | "ok" | "unavailable" | "error";
  /** Why, in words a user can act on; null when state is "ok" or "starting". */
  message: string | null;
}

/** One physical GPU. With MIG enabled, utilization is not reported (null) for the whole GPU. */
export interface GpuMetrics {
  index: number;
  /** "GPU-…", as nvidia-smi prints it. */
  uuid: string;
  name: string;
  pciBusId: string | null;
  driverVersion: string | null;
  migMode: boolean;
  /** "P0" (full speed) … "P12" (idle). */
  pstate: string | null;
  utilizationPercent: number | null;
  memoryUtilizationPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  memoryFreeBytes: number | null;
  temperatureC: number | null;
  memoryTemperatureC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
  smClockMHz: number | null;
  memoryClockMHz: number | null;
  fanPercent: number | null;
}

/** A process holding GPU memory, and the kernel it belongs to (itself or a child of it). */
export interface GpuProcessMetrics {
  gpuUuid: string;
  pid: number;
  processName: string;
  usedMemoryBytes: number | null;
  /** The kernel whose process (or a descendant of it) this is; null for other programs. */
  kernelId: string | null;
}

export interface KernelMetrics {
  kernelId: string;
  /** The user the kernel belongs to (in workshop mode a student sees only their own kernels). */
  user?: string;
  /** Notebook path of the session the kernel belongs to, if any. */
  notebook: string | null;
  pid: number | null;
  executionState: string;
  /** Per core: 100 = one core busy. Null on the first sample (a rate needs two readings). */
  cpuPercent: number | null;
  rssBytes: number | null;
  /** GPU memory of the kernel's process and its children; null when GPU use is unknown. */
  gpuMemoryBytes: number | null;
}

export interface SystemMetrics {
  /** Whole machine, 0..100 (all cores together). */
  cpuPercent: number | null;
  cpuCount: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
}

export interface MetricsSample {
  /** Epoch milliseconds. */
  t: number;
  system: SystemMetrics;
  gpuStatus: GpuStatus;
  gpus: GpuMetrics[];
  /** Null when the process list could not be read (no GPU, tool failing). */
  gpuProcesses: GpuProcessMetrics[] | null;
  kernels: KernelMetrics[];
}

export type MetricsClientMessage =
  /** Starts (or re-rates) the stream; answered with `history`, then `sample`s. */
  { type: "subscribe"; intervalMs?: number } | { type: "unsubscribe" };

/** Series values over time, oldest first; `series[key][i]` belongs to `t[i]` (null: no value then). */
export interface MetricsHistory {
  t: number[];
  series: Record<string, (number | null)[]>;
}

export type MetricsServerMessage =
  | ({
      type: "history";
      /** The rate this client will get (its request, clamped). */
      intervalMs: number;
      /** Spacing of history points. */
      periodMs: number;
      /** How far back history reaches. */
      windowMs: number;
      /** The newest sample (GPU names, notebook paths for the series keys), or null before the first. */
      latest: MetricsSample | null;
    } & MetricsHistory)
  | { type: "sample"; sample: MetricsSample }
  | { type: "error"; message: string };

/** GPU fields kept as history series, keyed `gpu.<uuid>.<field>`. */
export const GPU_SERIES_FIELDS = [
  "utilizationPercent",
  "memoryUtilizationPercent",
  "memoryUsedBytes",
  "temperatureC",
  "powerDrawW",
  "smClockMHz",
  "fanPercent",
] as const satisfies readonly (keyof GpuMetrics)[];

/** Kernel fields kept as history series, keyed `kernel.<kernelId>.<field>`. */
export const KERNEL_SERIES_FIELDS = ["cpuPercent", "rssBytes", "gpuMemoryBytes"] as const satisfies readonly (keyof KernelMetrics)[];

/**
 * Flattens a sample into history series (`system.cpuPercent`, `gpu.<uuid>.powerDrawW`,
 * `kernel.<id>.rssBytes`, …). The server builds its history with it and the page appends
 * live samples with it, so both agree on the keys.
 * @example sampleSeries(msg.sample)["system.cpuPercent"]
 */
export function sampleSeries(s: MetricsSample): Record<string, number | null> {
  const out: Record<string, number | null> = {
    "system.cpuPercent": s.system.cpuPercent,
    "system.memoryUsedBytes": s.system.memoryUsedBytes,
  };
  for (const g of s.gpus) for (const f of GPU_SERIES_FIELDS) out[`gpu.${g.uuid}.${f}`] = g[f];
  for (const k of s.kernels) for (const f of KERNEL_SERIES_FIELDS) out[`kernel.${k.kernelId}.${f}`] = k[f];
  return out;
}
