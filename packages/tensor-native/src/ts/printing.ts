/** PyTorch-style text (`tensor([[1.0000, 2.5000], ...], dtype=float32)`) and the HTML view for notebooks. */
import { isFloating, type DType } from "./dtype.js";
import { contiguousStrides, numelOf } from "./strides.js";

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

export function formatTensor(values: (number | boolean)[], shape: readonly number[], dtype: DType, device = "cpu"): string {
  const suffix = device === "cpu" ? `dtype=${dtype}` : `device='${device}', dtype=${dtype}`;
  if (shape.length === 0) return `tensor(${formatter(values, dtype)(values[0])}, ${suffix})`;
  if (values.length === 0) return `tensor([], size=(${shape.join(", ")}${shape.length === 1 ? "," : ""}), ${suffix})`;
  const summarize = values.length > SUMMARIZE_OVER;
  const strides = contiguousStrides(shape);
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
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// ---- the notebook view ---------------------------------------------------------------

const HTML_FONT = "font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace";
const TD = "padding:1px 6px;text-align:right;border:1px solid rgba(128,128,128,.28);white-space:pre";
const TH = "padding:1px 6px;text-align:right;border:0;font-weight:400;opacity:.55";
/** A dimension longer than this shows its first and last HTML_EDGE entries, even in a small tensor. */
const HTML_MAX_DIM = 20;
const HTML_EDGE = 10;
/** Slices of a rank > 2 tensor drawn as tables (the rest are counted). */
const HTML_SLICES = 3;

function htmlShown(n: number, summarize: boolean): number[] {
  if (summarize) return shown(n, true);
  if (n <= HTML_MAX_DIM) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: HTML_EDGE }, (_, i) => i), -1, ...Array.from({ length: HTML_EDGE }, (_, i) => n - HTML_EDGE + i)];
}

/** Four significant digits, without trailing noise: 0.001234, 4.331, 1.235e+7. */
function stat(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e6 || a < 1e-4 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** min / max / mean of the finite values, and how many are NaN or infinite. */
function floatStats(values: ArrayLike<number | boolean>): string[] {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) {
      finite++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    } else if (Number.isNaN(v)) nan++;
    else inf++;
  }
  const out = finite ? [`min ${stat(min)}`, `max ${stat(max)}`, `mean ${stat(sum / finite)}`] : [];
  if (nan) out.push(`${nan.toLocaleString("en-US")} nan`);
  if (inf) out.push(`${inf.toLocaleString("en-US")} inf`);
  return out;
}

/**
 * The tensor as HTML for notebooks: a header (shape, dtype, device, element count, and
 * min/max/mean for floating types) and its values as tables, summarized as PyTorch's print
 * does for large tensors (first and last three along each dimension, with ellipses); a
 * tensor of rank > 2 shows its last two dimensions for the first few slices.
 * @example tensorHtml(t.values(), t.shape, t.dtype, t.device)
 */
export function tensorHtml(values: ArrayLike<number | boolean>, shape: readonly number[], dtype: DType, device: string): string {
  const numel = values.length;
  const info = [`[${shape.join(", ")}]`, dtype, device, `${numel.toLocaleString("en-US")} element${numel === 1 ? "" : "s"}`];
  if (isFloating(dtype) && numel > 0) info.push(...floatStats(values));
  const head = `<div style="margin:0 0 4px"><span style="font-weight:600">tensor</span> <span style="opacity:.7">${escapeHtml(info.join(" · "))}</span></div>`;
  const wrap = (body: string) => `<div class="tt-tensor-view" style="${HTML_FONT}">${head}${body}</div>`;
  if (numel === 0) return wrap(`<div style="opacity:.7">(empty)</div>`);

  const summarize = numel > SUMMARIZE_OVER;
  const strides = contiguousStrides(shape);
  const rank = shape.length;
  const rowsDim = rank >= 2 ? rank - 2 : -1;
  const rowIdx = rowsDim >= 0 ? htmlShown(shape[rowsDim], summarize) : [0];
  const colIdx = rank >= 1 ? htmlShown(shape[rank - 1], summarize) : [0];
  const rowStride = rowsDim >= 0 ? strides[rowsDim] : 0;

  // The slices drawn: leading indices in row-major order, the first few.
  const lead = shape.slice(0, Math.max(0, rank - 2));
  const sliceCount = numelOf(lead);
  const slices: number[][] = [];
  for (let s = 0; s < Math.min(sliceCount, HTML_SLICES); s++) {
    const ix: number[] = [];
    let rest = s;
    for (let d = lead.length - 1; d >= 0; d--) {
      ix[d] = rest % lead[d];
      rest = Math.floor(rest / lead[d]);
    }
    slices.push(ix);
  }
  const baseOf = (ix: number[]) => ix.reduce((b, v, d) => b + v * strides[d], 0);

  // One formatter over every value shown, so columns line up across slices (as in the text).
  const visible: (number | boolean)[] = [];
  for (const ix of slices) {
    const base = baseOf(ix);
    for (const r of rowIdx) if (r >= 0) for (const c of colIdx) if (c >= 0) visible.push(values[base + r * rowStride + c]);
  }
  const fmt = formatter(visible, dtype);

  const table = (base: number): string => {
    const header =
      rank >= 1
        ? `<tr>${rank >= 2 ? `<th style="${TH}"></th>` : ""}${colIdx.map((c) => `<th style="${TH}">${c < 0 ? "…" : c}</th>`).join("")}</tr>`
        : "";
    const rows = rowIdx.map((r) => {
      const label = rank >= 2 ? `<th style="${TH}">${r < 0 ? "⋮" : r}</th>` : "";
      const cells = colIdx.map(
        (c) => `<td style="${TD}">${r < 0 ? (c < 0 ? "⋱" : "⋮") : c < 0 ? "…" : escapeHtml(fmt(values[base + r * rowStride + c]))}</td>`,
      );
      return `<tr>${label}${cells.join("")}</tr>`;
    });
    return `<table class="tt-tensor" style="border-collapse:collapse;font:inherit;margin:0 0 6px">${header}${rows.join("")}</table>`;
  };

  if (rank <= 2) return wrap(table(0));
  const parts = slices.map((ix) => `<div style="opacity:.7;margin:4px 0 2px">[${ix.join(", ")}, :, :]</div>${table(baseOf(ix))}`);
  const more = sliceCount - slices.length;
  if (more > 0)
    parts.push(
      `<div style="opacity:.7">… ${more.toLocaleString("en-US")} more slice${more === 1 ? "" : "s"} of [${shape.slice(-2).join(", ")}]</div>`,
    );
  return wrap(parts.join(""));
}
