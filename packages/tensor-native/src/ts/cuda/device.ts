/** Device names: "cpu", "cuda" (device 0), "cuda:N". Storages carry "cpu" or "cuda:N". */
import type { Device } from "../dispatch.js";

/** The canonical name: "cuda" becomes "cuda:0". Throws on anything that is not a device. */
export function normalizeDevice(device: string): Device {
  if (device === "cpu") return "cpu";
  if (device === "cuda") return "cuda:0";
  const m = /^cuda:(\d+)$/.exec(device);
  if (m) return `cuda:${Number(m[1])}`;
  throw new TypeError(`unknown device ${JSON.stringify(device)}; expected "cpu", "cuda" or "cuda:N"`);
}

export function isDeviceName(s: string): boolean {
  return s === "cpu" || s === "cuda" || /^cuda:\d+$/.test(s);
}

/** The GPU index of "cuda:N" (or "cuda"). */
export function cudaIndex(device: string): number {
  const d = normalizeDevice(device);
  if (d === "cpu") throw new TypeError("cudaIndex: not a CUDA device");
  return Number(d.slice(5));
}
