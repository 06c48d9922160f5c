import type { MetricsSample, MetricsServerMessage } from "@tessera/protocol";
import type { UserAccount } from "../users/users-file.js";

/**
 * What of the metrics a user may see: a teacher sees everything; a student sees the GPUs
 * and the machine (as `nvidia-smi` would show them) but only their own kernels, GPU
 * processes and kernel history series.
 */
export function metricsFilterFor(user: UserAccount, ownKernelIds: () => Set<string>): (msg: MetricsServerMessage) => MetricsServerMessage {
  if (user.role === "teacher") return (msg) => msg;
  const sampleFor = (s: MetricsSample, own: Set<string>): MetricsSample => ({
    ...s,
    kernels: s.kernels.filter((k) => k.user === user.name),
    gpuProcesses: s.gpuProcesses && s.gpuProcesses.filter((p) => p.kernelId !== null && own.has(p.kernelId)),
  });
  return (msg) => {
    if (msg.type === "error") return msg;
    const own = ownKernelIds();
    if (msg.type === "sample") {
      for (const k of msg.sample.kernels) if (k.user === user.name) own.add(k.kernelId);
      return { type: "sample", sample: sampleFor(msg.sample, own) };
    }
    for (const k of msg.latest?.kernels ?? []) if (k.user === user.name) own.add(k.kernelId);
    const series: typeof msg.series = {};
    for (const [key, values] of Object.entries(msg.series)) {
      if (key.startsWith("kernel.") && !own.has(key.slice("kernel.".length, key.lastIndexOf(".")))) continue;
      series[key] = values;
    }
    return { ...msg, series, latest: msg.latest && sampleFor(msg.latest, own) };
  };
}
