/** Numbers for the resource panel and header, short and in binary units (as nvidia-smi's MiB). */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/**
 * Bytes in the largest binary unit that keeps the number under 1024: one decimal below
 * 10 ("1.2 GiB"), none above ("850 MiB").
 * @example formatBytes(1288490188) // "1.2 GiB"
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  const text = v < 10 ? v.toFixed(1) : String(Math.round(v));
  return `${text} ${UNITS[u]}`;
}

/** "used / total GiB", both in the total's unit. @example formatUsedTotal(12.3 * 2 ** 30, 80 * 2 ** 30) // "12.3 / 80.0 GiB" */
export function formatUsedTotal(used: number | null | undefined, total: number | null | undefined): string {
  if (used === null || used === undefined) return "—";
  if (!total) return formatBytes(used);
  let u = 0;
  let scale = 1;
  while (total / scale >= 1024 && u < UNITS.length - 1) {
    scale *= 1024;
    u++;
  }
  const digits = total / scale < 100 ? 1 : 0;
  return `${(used / scale).toFixed(digits)} / ${(total / scale).toFixed(digits)} ${UNITS[u]}`;
}

export function formatPercent(p: number | null | undefined): string {
  return p === null || p === undefined || !Number.isFinite(p) ? "—" : `${Math.round(p)}%`;
}

export function formatNumber(v: number | null | undefined, unit: string, digits = 0): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(digits)} ${unit}`;
}

/**
 * A kernel's figures for the notebook header: "GPU 1.2 GiB · CPU 98% · 850 MiB" (GPU only
 * when GPU use is known).
 */
export function kernelFigures(k: { gpuMemoryBytes: number | null; cpuPercent: number | null; rssBytes: number | null }): string {
  const parts: string[] = [];
  if (k.gpuMemoryBytes !== null) parts.push(`GPU ${formatBytes(k.gpuMemoryBytes)}`);
  parts.push(`CPU ${formatPercent(k.cpuPercent)}`);
  parts.push(formatBytes(k.rssBytes));
  return parts.join(" · ");
}
