import type { FastifyInstance, FastifyRequest } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { MetricsSample } from "@tessera/protocol";
import { HttpError } from "../http/http-error.js";
import type { GpuSnapshot } from "./gpu-sampler.js";
import type { MetricsHub } from "./metrics-hub.js";
import { isReported, readNumber, type GpuRow } from "./nvidia-smi-parse.js";

const MIB = 1024 * 1024;
type Convert = (raw: string | undefined) => number | null;
const scaled =
  (k: number): Convert =>
  (raw) => {
    const v = readNumber(raw);
    return v === null ? null : v * k;
  };
const percent: Convert = (raw) => {
  const v = readNumber(raw);
  return v === null ? null : v / 100;
};
const pstate: Convert = (raw) => (raw && /^P(\d+)$/.exec(raw.trim()) ? Number(raw.trim().slice(1)) : null);
const enabled: Convert = (raw) => (!isReported(raw) ? null : /^enabled$/i.test(raw.trim()) ? 1 : 0);

/**
 * GPU gauges: name, help and unit as nvidia_gpu_exporter publishes them (help is the
 * nvidia-smi field and its unit; % becomes a 0..1 ratio, MiB bytes, MHz Hz), so its
 * Grafana dashboards work unchanged. A value the GPU does not report is left out.
 */
const GPU_GAUGES: Array<[name: string, field: string, help: string, convert: Convert]> = [
  ["nvidia_smi_index", "index", "index", scaled(1)],
  ["nvidia_smi_pstate", "pstate", "pstate", pstate],
  ["nvidia_smi_mig_mode_current", "mig.mode.current", "mig.mode.current", enabled],
  ["nvidia_smi_utilization_gpu_ratio", "utilization.gpu", "utilization.gpu [%]", percent],
  ["nvidia_smi_utilization_memory_ratio", "utilization.memory", "utilization.memory [%]", percent],
  ["nvidia_smi_memory_total_bytes", "memory.total", "memory.total [MiB]", scaled(MIB)],
  ["nvidia_smi_memory_used_bytes", "memory.used", "memory.used [MiB]", scaled(MIB)],
  ["nvidia_smi_memory_free_bytes", "memory.free", "memory.free [MiB]", scaled(MIB)],
  ["nvidia_smi_memory_reserved_bytes", "memory.reserved", "memory.reserved [MiB]", scaled(MIB)],
  ["nvidia_smi_temperature_gpu", "temperature.gpu", "temperature.gpu", scaled(1)],
  ["nvidia_smi_temperature_memory", "temperature.memory", "temperature.memory", scaled(1)],
  ["nvidia_smi_power_draw_watts", "power.draw", "power.draw [W]", scaled(1)],
  ["nvidia_smi_power_limit_watts", "power.limit", "power.limit [W]", scaled(1)],
  ["nvidia_smi_clocks_current_graphics_clock_hz", "clocks.current.graphics", "clocks.current.graphics [MHz]", scaled(1e6)],
  ["nvidia_smi_clocks_current_sm_clock_hz", "clocks.current.sm", "clocks.current.sm [MHz]", scaled(1e6)],
  ["nvidia_smi_clocks_current_memory_clock_hz", "clocks.current.memory", "clocks.current.memory [MHz]", scaled(1e6)],
  ["nvidia_smi_clocks_max_sm_clock_hz", "clocks.max.sm", "clocks.max.sm [MHz]", scaled(1e6)],
  ["nvidia_smi_fan_speed_ratio", "fan.speed", "fan.speed [%]", percent],
];

const INFO_LABELS = {
  compute_cap: "compute_cap",
  driver_model_current: "driver_model.current",
  driver_model_pending: "driver_model.pending",
  driver_version: "driver_version",
  index: "index",
  name: "name",
  pci_bus_id: "pci.bus_id",
  pci_sub_device_id: "pci.sub_device_id",
  serial: "serial",
  vbios_version: "vbios_version",
} as const;

/** The exporter labels GPUs by UUID without nvidia-smi's "GPU-" prefix. */
const uuidLabel = (uuid: string) => uuid.replace(/^GPU-/i, "");

function build(registry: Registry) {
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  return {
    gpu: GPU_GAUGES.map(([name, field, help, convert]) => ({ gauge: gauge(name, help, ["uuid"]), field, convert })),
    info: gauge(
      "nvidia_smi_gpu_info",
      "A metric with a constant '1' value labeled by gpu uuid, name, driver_model_current, driver_model_pending, vbios_version, driver_version, pci_bus_id, serial, compute_cap, pci_sub_device_id, index, cuda_version.",
      ["uuid", "cuda_version", ...Object.keys(INFO_LABELS)],
    ),
    apps: gauge("nvidia_smi_compute_apps", "Number of processes with a compute context on the GPU.", ["uuid"]),
    appInfo: gauge(
      "nvidia_smi_compute_app_info",
      "A metric with a constant '1' value labeled by the identity of a process with a compute context on a GPU.",
      ["pid", "process_name", "uuid"],
    ),
    appMemory: gauge(
      "nvidia_smi_compute_app_used_memory_bytes",
      "GPU memory used by the process. Absent when the driver cannot report it (e.g. Windows WDDM).",
      ["pid", "process_name", "uuid"],
    ),
    success: gauge("nvidia_smi_last_collect_success", "Whether the most recent collection succeeded (1) or not (0)"),
    appsSuccess: gauge(
      "nvidia_smi_compute_apps_last_collect_success",
      "Whether the most recent per-process collection succeeded (1) or not (0)",
    ),
    exitCode: gauge("nvidia_smi_command_exit_code", "Exit code of the most recent nvidia-smi run"),
    failed: new Counter({ name: "nvidia_smi_failed_scrapes_total", help: "Number of failed collections", registers: [registry] }),
    kernelCpu: gauge("tessera_kernel_cpu_ratio", "CPU used by a kernel process over the last sample (1 = one core busy).", [
      "kernel_id",
      "notebook",
      "user",
    ]),
    kernelRss: gauge("tessera_kernel_resident_memory_bytes", "Resident memory of a kernel process.", ["kernel_id", "notebook", "user"]),
    kernelGpu: gauge("tessera_kernel_gpu_memory_bytes", "GPU memory held by a kernel process and its children.", [
      "kernel_id",
      "notebook",
      "user",
    ]),
    kernels: gauge("tessera_kernels", "Number of kernels."),
    systemCpu: gauge("tessera_system_cpu_ratio", "CPU used by the whole machine over the last sample (0..1, all cores)."),
    systemMemUsed: gauge("tessera_system_memory_used_bytes", "Memory in use on the machine (total less available)."),
    systemMemTotal: gauge("tessera_system_memory_total_bytes", "Memory of the machine."),
  };
}

type Metrics = ReturnType<typeof build>;

function fillGpu(m: Metrics, gpu: GpuSnapshot): void {
  for (const g of m.gpu) g.gauge.reset();
  for (const g of [m.info, m.apps, m.appInfo, m.appMemory]) g.reset();
  for (const row of gpu.rows) {
    const uuid = uuidLabel(row.uuid);
    for (const g of m.gpu) {
      const v = g.convert(row[g.field]);
      if (v !== null) g.gauge.set({ uuid }, v);
    }
    const labels: Record<string, string> = { uuid, cuda_version: gpu.cudaVersion ?? "" };
    for (const [label, field] of Object.entries(INFO_LABELS)) labels[label] = (row as GpuRow)[field] ?? "";
    m.info.set(labels, 1);
    if (gpu.apps) m.apps.set({ uuid }, gpu.apps.filter((a) => a.gpuUuid === row.uuid).length);
  }
  for (const a of gpu.apps ?? []) {
    const labels = { pid: String(a.pid), process_name: a.processName, uuid: uuidLabel(a.gpuUuid) };
    m.appInfo.set(labels, 1);
    if (a.usedMemoryBytes !== null) m.appMemory.set(labels, a.usedMemoryBytes);
  }
  m.success.set(gpu.status.state === "ok" ? 1 : 0);
  m.appsSuccess.set(gpu.appsOk ? 1 : 0);
  m.exitCode.set(gpu.exitCode);
  m.failed.reset();
  m.failed.inc(gpu.failures);
}

/** 12.3 (%) → 0.123, without float noise in the text. */
const ratio = (percent: number) => Math.round(percent * 10) / 1000;

function fillTessera(m: Metrics, s: MetricsSample | null): void {
  for (const g of [m.kernelCpu, m.kernelRss, m.kernelGpu]) g.reset();
  if (!s) return;
  for (const k of s.kernels) {
    const labels = { kernel_id: k.kernelId, notebook: k.notebook ?? "", user: k.user ?? "" };
    if (k.cpuPercent !== null) m.kernelCpu.set(labels, ratio(k.cpuPercent));
    if (k.rssBytes !== null) m.kernelRss.set(labels, k.rssBytes);
    if (k.gpuMemoryBytes !== null) m.kernelGpu.set(labels, k.gpuMemoryBytes);
  }
  m.kernels.set(s.kernels.length);
  if (s.system.cpuPercent !== null) m.systemCpu.set(ratio(s.system.cpuPercent));
  m.systemMemUsed.set(s.system.memoryUsedBytes);
  m.systemMemTotal.set(s.system.memoryTotalBytes);
}

/**
 * `GET /metrics`: Prometheus text format, behind the same token/cookie auth as the REST
 * API. GPU metrics use nvidia_gpu_exporter's names; `tessera_*` are per kernel and
 * machine; `process_*`/`nodejs_*` describe the server process itself. Teachers only.
 */
export function prometheusRoute(app: FastifyInstance, opts: { hub: MetricsHub; allowed: (req: FastifyRequest) => boolean }): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = build(registry);
  app.get("/metrics", async (req, reply) => {
    // Every user's kernels are in it: in workshop mode, the teacher's only.
    if (!opts.allowed(req)) throw new HttpError(403, "Only a teacher can read /metrics");
    const { sample, gpu } = await opts.hub.scrape();
    fillGpu(metrics, gpu);
    fillTessera(metrics, sample);
    reply.header("content-type", registry.contentType).header("cache-control", "no-store");
    return registry.metrics();
  });
}
