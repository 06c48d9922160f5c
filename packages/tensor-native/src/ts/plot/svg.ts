/**
 * A static SVG picture of a chart: what JupyterLab, VS Code and GitHub show for a live
 * chart once it is closed (they do not know the live chart's mime type).
 */
import { CHART_COLORS, formatValue, formatX, lttb, type ChartState } from "@tessera/protocol";
import { linearTicks, logTicks } from "./format.js";

export interface ChartSvgOptions {
  /** @default 640 */
  width?: number;
  /** @default 320 */
  height?: number;
  /** Points drawn per series at most (downsampled with LTTB beyond that). @default 500 */
  maxPoints?: number;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[c]};`);
const num = (v: number) => (Math.round(v * 10) / 10).toString();

interface Line {
  name: string;
  color: string;
  xs: Float64Array;
  ys: Float64Array;
  last: number | null;
}

/** Each series' plottable points (finite; positive on a log axis), in x order as logged. */
function linesOf(state: ChartState): Line[] {
  return state.series.map((name, s) => {
    const column = state.y[name] ?? [];
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < state.x.length; i++) {
      const v = column[i];
      if (typeof v !== "number" || !Number.isFinite(v) || (state.logY && v <= 0) || !Number.isFinite(state.x[i])) continue;
      xs.push(state.x[i]);
      ys.push(v);
    }
    return {
      name,
      color: CHART_COLORS.light[s % CHART_COLORS.light.length],
      xs: Float64Array.from(xs),
      ys: Float64Array.from(ys),
      last: ys.length ? ys[ys.length - 1] : null,
    };
  });
}

function extent(arrays: Float64Array[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] < lo) lo = a[i];
      if (a[i] > hi) hi = a[i];
    }
  }
  return [lo, hi];
}

/**
 * The chart as a standalone SVG document: title, legend with each series' last value,
 * axes with ticks, one polyline per series.
 * @example display.svg(chartSvg(chart.state()))
 */
export function chartSvg(state: ChartState, options: ChartSvgOptions = {}): string {
  const W = options.width ?? 640;
  const H = options.height ?? 320;
  const maxPoints = options.maxPoints ?? 500;
  const left = 64;
  const right = W - 16;
  const top = 52;
  const bottom = H - 40;
  const lines = linesOf(state);
  const plotted = lines.filter((l) => l.xs.length > 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="600" fill="#1f2328">${escapeXml(state.title)}</text>`,
  ];
  // Legend: a swatch, the name and the last value of each series.
  let lx = left;
  for (const l of lines) {
    const label = `${l.name}${l.last === null ? "" : ` ${formatValue(l.last)}`}`;
    parts.push(
      `<rect x="${lx}" y="31" width="12" height="3" fill="${l.color}"/>`,
      `<text x="${lx + 16}" y="36" fill="#1f2328">${escapeXml(label)}</text>`,
    );
    lx += 16 + label.length * 6.5 + 14;
  }
  parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#d5dbe1"/>`);
  if (plotted.length === 0) {
    parts.push(`<text x="${(left + right) / 2}" y="${(top + bottom) / 2}" text-anchor="middle" fill="#5c6670">no points</text>`, `</svg>`);
    return parts.join("\n");
  }

  let [x0, x1] = extent(plotted.map((l) => l.xs));
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = extent(plotted.map((l) => l.ys));
  const log = state.logY;
  const fy = log ? Math.log10 : (v: number) => v;
  if (y1 === y0) [y0, y1] = log ? [y0 / 2, y1 * 2] : [y0 - Math.abs(y0 || 1) * 0.5, y1 + Math.abs(y1 || 1) * 0.5];
  const pad = (fy(y1) - fy(y0)) * 0.05;
  const ly0 = fy(y0) - pad;
  const ly1 = fy(y1) + pad;
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * (right - left);
  const py = (y: number) => bottom - ((fy(y) - ly0) / (ly1 - ly0)) * (bottom - top);

  const yTicks = log ? logTicks(10 ** ly0, 10 ** ly1) : linearTicks(ly0, ly1, 5);
  for (const t of yTicks) {
    const y = num(py(t));
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="#e6eaee"/>`,
      `<text x="${left - 6}" y="${y}" dy="3.5" text-anchor="end" fill="#5c6670">${escapeXml(formatValue(t))}</text>`,
    );
  }
  for (const t of linearTicks(x0, x1, 6)) {
    const x = num(px(t));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}" stroke="#5c6670"/>`,
      `<text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#5c6670">${escapeXml(formatX(t))}</text>`,
    );
  }
  parts.push(`<text x="${(left + right) / 2}" y="${H - 6}" text-anchor="middle" fill="#5c6670">${escapeXml(state.xLabel)}</text>`);

  const picked = new Uint32Array(maxPoints);
  for (const l of plotted) {
    const count = lttb(l.xs, l.ys, 0, l.xs.length, maxPoints, picked);
    const points: string[] = new Array(count);
    for (let k = 0; k < count; k++) points[k] = `${num(px(l.xs[picked[k]]))},${num(py(l.ys[picked[k]]))}`;
    parts.push(
      `<polyline fill="none" stroke="${l.color}" stroke-width="1.5" stroke-linejoin="round" points="${points.join(" ")}"><title>${escapeXml(l.name)}</title></polyline>`,
    );
  }
  parts.push(`</svg>`);
  return parts.join("\n");
}
