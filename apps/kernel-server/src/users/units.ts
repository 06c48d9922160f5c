/** Sizes and durations as a teacher writes them in users.yaml ("4GiB", "30m"). */

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Bytes from "4GiB", "512 MB", "2g" or a plain number of bytes; null when it is not one.
 * @example parseSize("4GiB") === 4 * 1024 ** 3
 */
export function parseSize(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? Math.floor(value) : null;
  if (typeof value !== "string") return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return null;
  const unit = SIZE_UNITS[(m[2] || "b").toLowerCase()];
  const bytes = Number(m[1]) * (unit ?? NaN);
  return Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes) : null;
}

/**
 * Milliseconds from "30m", "1h", "90s" or a plain number of seconds; null when it is not one.
 * @example parseDuration("30m") === 1_800_000
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : null;
  if (typeof value !== "string") return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) return null;
  const unit = TIME_UNITS[(m[2] || "s").toLowerCase()];
  const ms = Number(m[1]) * (unit ?? NaN);
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : null;
}

/** "4 GiB", "512 MiB": the binary units the page shows too. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

/** "30 min", "90 s", "2 h". */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
