/** PyTorch-style text (`tensor([[1.0000, 2.5000], ...], dtype=float32)`) and an HTML table. */
import { isFloating, type DType } from "./dtype.js";

const SUMMARIZE_OVER = 1000;
const EDGE = 3;

function formatter(values: (number | boolean)[], dtype: DType): (v: number | boolean) => string {
  if (dtype === "bool") return (v) => (v ? "True" : "False");
  if (!isFloating(dtype)) return (v) => String(v);
  const finite = (values as number[]).filter((v) => Number.isFinite(v));
  const special = (v: number): string | undefined =>
    Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : undefined;
  if (finite.length === 0) return (v) => special(v as number) ?? String(v);
  const abs = finite.map(Math.abs);
  const max = Math.max(...abs);
  const nonzero = abs.filter((v) => v > 0);
  const min = nonzero.length ? Math.min(...nonzero) : 0;
  if (finite.every((v) => Number.isInteger(v)) && max < 1e8) {
    return (v) => special(v as number) ?? `${(v as number).toFixed(0)}.`;
  }
  if (max >= 1e8 || (min > 0 && min < 1e-4) || (min > 0 && max / min > 1000 && max > 1e3)) {
    return (v) => special(v as number) ?? (v as number).toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  }
  return (v) => special(v as number) ?? (v as number).toFixed(4);
}

/** Indices shown along a dimension of size n, with -1 marking the "..." gap. */
function shown(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

export function formatTensor(values: (number | boolean)[], shape: readonly number[], dtype: DType): string {
  const suffix = `dtype=${dtype}`;
  if (shape.length === 0) return `tensor(${formatter(values, dtype)(values[0])}, ${suffix})`;
  if (values.length === 0) return `tensor([], size=(${shape.join(", ")}${shape.length === 1 ? "," : ""}), ${suffix})`;
  const summarize = values.length > SUMMARIZE_OVER;
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  // Format only the elements that will show, so widths line up across them.
  const visible: (number | boolean)[] = [];
  const walk = (dim: number, base: number): void => {
    for (const i of shown(shape[dim], summarize)) {
      if (i < 0) continue;
      if (dim === shape.length - 1) visible.push(values[base + i]);
      else walk(dim + 1, base + i * strides[dim]);
    }
  };
  walk(0, 0);
  const fmt = formatter(visible, dtype);
  const width = Math.max(...visible.map((v) => fmt(v).length));
  const indent = "tensor(".length;
  const render = (dim: number, base: number): string => {
    const idx = shown(shape[dim], summarize);
    if (dim === shape.length - 1) {
      return `[${idx.map((i) => (i < 0 ? "..." : fmt(values[base + i]).padStart(width))).join(", ")}]`;
    }
    const sep = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + dim + 1);
    return `[${idx.map((i) => (i < 0 ? "..." : render(dim + 1, base + i * strides[dim]))).join(sep)}]`;
  };
  return `tensor(${render(0, 0)}, ${suffix})`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A small HTML table for 0-, 1- and 2-d tensors (at most 20 x 20 cells shown). */
export function htmlTable(values: (number | boolean)[], shape: readonly number[], dtype: DType): string {
  const fmt = formatter(values, dtype);
  const rows = shape.length === 2 ? shape[0] : 1;
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const lim = 20;
  const out: string[] = [`<table class="tt-tensor"><caption>${escapeHtml(`${dtype} [${shape.join(", ")}]`)}</caption>`];
  for (let r = 0; r < Math.min(rows, lim); r++) {
    const cells: string[] = [];
    for (let c = 0; c < Math.min(cols, lim); c++) cells.push(`<td>${escapeHtml(fmt(values[r * cols + c]))}</td>`);
    if (cols > lim) cells.push("<td>…</td>");
    out.push(`<tr>${cells.join("")}</tr>`);
  }
  if (rows > lim) out.push("<tr><td>…</td></tr>");
  out.push("</table>");
  return out.join("");
}
