/**
 * A user's limits and kernel use in words, for the teacher page and the home page's account
 * bar. Limits are round numbers an admin wrote in users.yaml, so they read without ".0".
 */
import type { KernelUsage, UserLimits } from "@tessera/protocol";
import { formatBytes } from "../metrics/format.js";

/** @example formatLimitBytes(4 * 2 ** 30) // "4 GiB"; formatLimitBytes(1.5 * 2 ** 30) // "1.5 GiB" */
export function formatLimitBytes(bytes: number): string {
  return formatBytes(bytes).replace(/\.0 /, " ");
}

/** @example formatDuration(30 * 60_000) // "30 min"; formatDuration(90 * 60_000) // "1 h 30 min" */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** The GPUs a user's kernels see: null is every GPU, [] none. @example formatGpus([0, 1]) // "0, 1" */
export function formatGpus(gpus: number[] | null): string {
  if (gpus === null) return "all";
  return gpus.length ? gpus.join(", ") : "none";
}

/** Kernels that count against `maxKernels`: a dead one is only listed for its reason. */
export function liveKernelCount(kernels: KernelUsage[]): number {
  return kernels.filter((k) => k.executionState !== "dead").length;
}

/**
 * Each limit as a short sentence, leaving out the ones that are not set.
 * @example limitWords({ maxKernels: 2, memoryBytes: 4 * 2 ** 30, idleTimeoutMs: null, cpuThreads: null, gpus: [0], gpuMemoryFraction: null }, 1)
 * // ["Kernels: 1 of 2", "Memory per kernel: 4 GiB", "GPUs: 0"]
 */
export function limitWords(limits: UserLimits, running: number): string[] {
  const words: string[] = [];
  if (limits.maxKernels !== null) words.push(`Kernels: ${running} of ${limits.maxKernels}`);
  if (limits.memoryBytes !== null) words.push(`Memory per kernel: ${formatLimitBytes(limits.memoryBytes)}`);
  if (limits.idleTimeoutMs !== null) words.push(`Idle kernels stop after ${formatDuration(limits.idleTimeoutMs)}`);
  if (limits.cpuThreads !== null) words.push(`CPU threads per kernel: ${limits.cpuThreads}`);
  if (limits.gpus !== null) words.push(`GPUs: ${formatGpus(limits.gpus)}`);
  if (limits.gpuMemoryFraction) words.push(`GPU memory per kernel: ${Math.round(limits.gpuMemoryFraction * 100)}%`);
  return words;
}

/** "1.2 GiB / 4 GiB", or just the use without a limit; "—" before the first sample. */
export function formatMemoryAgainst(used: number | null, limit: number | null): string {
  if (used === null) return limit === null ? "—" : `— / ${formatLimitBytes(limit)}`;
  return limit === null ? formatBytes(used) : `${formatBytes(used)} / ${formatLimitBytes(limit)}`;
}

/** How close to the limit, for the bar's colour: the kernel is stopped when it crosses it. */
export function memoryLevel(used: number, limit: number): "ok" | "warn" | "high" {
  const share = used / limit;
  return share >= 0.9 ? "high" : share >= 0.7 ? "warn" : "ok";
}

/** The teacher page's Stop button's accessible name (end-to-end tests find it by this). */
export function stopLabel(user: string, k: KernelUsage): string {
  return `Stop kernel of ${user}: ${k.notebook ?? k.kernelId}`;
}
