/**
 * Reading `nvidia-smi --format=csv,noheader,nounits` output. The text is not a stable
 * interface (values come back as `[N/A]`, `[Not Supported]`, `N/A`,
 * `[Requested functionality has been deprecated]`, with spaces, sometimes with units), so
 * every value is kept as the raw string and turned into a number only where it reads as one.
 */
import type { GpuMetrics, GpuProcessMetrics } from "@tessera/protocol";

/**
 * What the GPU sampler asks for, in this order. Names are the canonical ones of
 * `nvidia-smi --help-query-gpu`; a driver that does not know one (older drivers lack
 * `memory.reserved`, `temperature.memory`) makes the sampler drop it and ask again.
 */
export const GPU_QUERY_FIELDS = [
  "index",
  "uuid",
  "name",
  "pci.bus_id",
  "pci.sub_device_id",
  "driver_version",
  "driver_model.current",
  "driver_model.pending",
  "vbios_version",
  "serial",
  "compute_cap",
  "mig.mode.current",
  "pstate",
  "utilization.gpu",
  "utilization.memory",
  "memory.total",
  "memory.used",
  "memory.free",
  "memory.reserved",
  "temperature.gpu",
  "temperature.memory",
  "power.draw",
  "power.limit",
  "clocks.current.graphics",
  "clocks.current.sm",
  "clocks.current.memory",
  "clocks.max.sm",
  "fan.speed",
] as const;

/** Without these a row cannot be told apart from another GPU's: never dropped. */
export const REQUIRED_GPU_FIELDS = new Set(["index", "uuid", "name"]);

/** `process_name` last: a path may hold a comma, and the rest of the line is all of it. */
export const COMPUTE_APPS_FIELDS = ["gpu_uuid", "pid", "used_gpu_memory", "process_name"] as const;

/** One GPU as the tool printed it: field name → raw text (trimmed). */
export type GpuRow = Record<string, string>;

export type ComputeApp = Omit<GpuProcessMetrics, "kernelId">;

const MIB = 1024 * 1024;

/**
 * A number, or null for anything the tool prints instead of one (`[N/A]`,
 * `[Not Supported]`, `N/A`, empty). Tolerates a unit left on (`69.85 W`, `0 %`).
 * @example readNumber(" 69.85 W") === 69.85
 */
export function readNumber(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(?:%|MiB|W|MHz|C|us)?\s*$/.exec(raw);
  return m ? Number(m[1]) : null;
}

/** Is this a value at all (not `[N/A]`, `N/A`, `[Not Supported]`, …)? */
export function isReported(raw: string | undefined): raw is string {
  if (raw === undefined) return false;
  const v = raw.trim();
  return v !== "" && !/^\[.*\]$/.test(v) && !/^n\/?a$/i.test(v);
}

/** Splits a CSV line as nvidia-smi writes it (`, ` between values, no quoting). */
function splitCsv(line: string): string[] {
  return line.split(",").map((v) => v.trim());
}

/**
 * One line of `--query-gpu` output for `fields`, or null for a line that is not a whole
 * row (a partial line from a dying tool, a message, a blank line).
 */
export function parseGpuLine(fields: readonly string[], line: string): GpuRow | null {
  if (!line.trim()) return null;
  const values = splitCsv(line);
  if (values.length !== fields.length) return null;
  const row: GpuRow = {};
  fields.forEach((f, i) => (row[f] = values[i]));
  // An index that is not a number means this is not a GPU row (an error message with commas).
  if ("index" in row && !/^\d+$/.test(row.index)) return null;
  if ("uuid" in row && !/^GPU-/i.test(row.uuid)) return null;
  return row;
}

/** One line of `--query-compute-apps` output (fields as COMPUTE_APPS_FIELDS), or null. */
export function parseComputeAppLine(line: string): ComputeApp | null {
  if (!line.trim()) return null;
  const values = splitCsv(line);
  if (values.length < COMPUTE_APPS_FIELDS.length) return null;
  const [gpuUuid, pidText, mem] = values;
  const processName = values.slice(3).join(", ");
  if (!/^\d+$/.test(pidText) || !/^(GPU|MIG)-/i.test(gpuUuid)) return null;
  const mib = readNumber(mem);
  return { gpuUuid, pid: Number(pidText), processName, usedMemoryBytes: mib === null ? null : mib * MIB };
}

/** Every process line of a `--query-compute-apps` run (an empty list when none run). */
export function parseComputeApps(text: string): ComputeApp[] {
  return text.split(/\r?\n/).flatMap((l) => parseComputeAppLine(l) ?? []);
}

/** "CUDA Version : 13.1" from `nvidia-smi --version`; null when not there. */
export function parseCudaVersion(text: string): string | null {
  return /CUDA Version\s*:\s*([\d.]+)/i.exec(text)?.[1] ?? null;
}

/** The field a driver refused (`Field "memory.reserved" is not a valid field to query.`). */
export function invalidField(text: string): string | null {
  return /Field "([^"]+)" is not a valid field to query/i.exec(text)?.[1] ?? null;
}

/**
 * Why the tool stopped, in its own words where it gave some ("NVIDIA-SMI has failed
 * because it couldn't communicate with the NVIDIA driver. …"), else how it exited.
 */
export function describeToolFailure(output: string, code: number | null, signal: string | null): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const failed = lines.find((l) => /NVIDIA-SMI has failed/i.test(l));
  if (failed) return failed;
  const last = lines.filter((l) => !/^\d+\s*,/.test(l)).pop();
  const how = signal ? `nvidia-smi was killed by ${signal}` : `nvidia-smi exited with code ${code}`;
  return last ? `${how}: ${last.slice(0, 300)}` : how;
}

const pct = (raw: string | undefined) => readNumber(raw);
const mib = (raw: string | undefined) => {
  const v = readNumber(raw);
  return v === null ? null : v * MIB;
};
const text = (raw: string | undefined) => (isReported(raw) ? raw.trim() : null);

/** The page's view of a GPU row. */
export function toGpuMetrics(row: GpuRow): GpuMetrics {
  return {
    index: Number(row.index),
    uuid: row.uuid,
    name: row.name ?? "",
    pciBusId: text(row["pci.bus_id"]),
    driverVersion: text(row.driver_version),
    migMode: /^enabled$/i.test(row["mig.mode.current"] ?? ""),
    pstate: text(row.pstate),
    utilizationPercent: pct(row["utilization.gpu"]),
    memoryUtilizationPercent: pct(row["utilization.memory"]),
    memoryUsedBytes: mib(row["memory.used"]),
    memoryTotalBytes: mib(row["memory.total"]),
    memoryFreeBytes: mib(row["memory.free"]),
    temperatureC: readNumber(row["temperature.gpu"]),
    memoryTemperatureC: readNumber(row["temperature.memory"]),
    powerDrawW: readNumber(row["power.draw"]),
    powerLimitW: readNumber(row["power.limit"]),
    smClockMHz: readNumber(row["clocks.current.sm"]),
    memoryClockMHz: readNumber(row["clocks.current.memory"]),
    fanPercent: pct(row["fan.speed"]),
  };
}
