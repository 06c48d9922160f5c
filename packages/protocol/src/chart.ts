/**
 * Live charts: the mime type a kernel's `tt.plot.live(…)` chart is displayed with, and
 * how its updates merge into the stored output.
 *
 * The first `display_data` carries a {@link ChartState}. While the chart is live, each
 * `update_display_data` carries a {@link ChartAppend}: only the points logged since the
 * previous update. The document reducer ({@link mergeChartOutput}, called by `applyOp`)
 * appends them to the stored state, so the server's document, the saved `.ipynb` and a
 * page that loads mid-run always hold every point. `close()` sends the whole state again
 * with `done: true`, beside an `image/svg+xml` picture and a `text/plain` summary for
 * front ends that do not know this mime type.
 */
import type { Output } from "./nbformat.js";

export const CHART_MIME = "application/vnd.tessera.chart.v1+json";

/** The whole chart: one x column and one y column per series (null where a series has no point). */
export interface ChartState {
  version: 1;
  title: string;
  xLabel: string;
  logY: boolean;
  /** Series names, in the order they first appeared. */
  series: string[];
  x: number[];
  /** One array per series, each as long as `x`. */
  y: Record<string, (number | null)[]>;
  /** The chart was closed: no more points will come. */
  done: boolean;
}

/** Points logged since the previous update. */
export interface ChartAppend {
  version: 1;
  append: {
    /** Index in `x` of the first point here (= how many points came before). */
    start: number;
    x: number[];
    /** Per series, as long as `x`; a series left out has no point in this range. */
    y: Record<string, (number | null)[]>;
  };
  /** Series that appeared since the previous update. */
  series?: string[];
  /** The chart is closed (see {@link chartUpdateAsAppend}). */
  done?: boolean;
}

export type ChartData = ChartState | ChartAppend;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function isChartState(v: unknown): v is ChartState {
  return isRecord(v) && v.version === 1 && Array.isArray(v.x) && Array.isArray(v.series) && isRecord(v.y);
}

export function isChartAppend(v: unknown): v is ChartAppend {
  return (
    isRecord(v) &&
    v.version === 1 &&
    isRecord(v.append) &&
    typeof v.append.start === "number" &&
    Array.isArray(v.append.x) &&
    isRecord(v.append.y)
  );
}

/**
 * `state` with `delta`'s points appended (and `done` set, if the delta says so), or `state`
 * itself when the delta adds nothing (a duplicate, or a gap: it starts past the end).
 * Points already held are never appended again, so applying the same delta twice changes nothing.
 *
 * The arrays are extended in place and shared with the result (the chart object itself is
 * new): a chart of a million points grows by the size of the delta, not by a copy. Stored
 * points are never rewritten, so an older state that shares the arrays only sees them longer.
 */
export function mergeChartAppend(state: ChartState, delta: ChartAppend): ChartState {
  const n = state.x.length;
  const { start, x, y } = delta.append;
  const skip = n - start;
  const closes = delta.done === true && !state.done;
  if (!Number.isInteger(start) || skip < 0 || (skip >= x.length && !closes)) return state;
  let series = state.series;
  let ys = state.y;
  // A series named "__proto__" would set the record's prototype instead of adding a column.
  const added = [...(delta.series ?? []), ...Object.keys(y)].filter(
    (name) => typeof name === "string" && name !== "__proto__" && !Object.hasOwn(ys, name),
  );
  if (added.length > 0) {
    series = series.slice();
    ys = { ...ys };
    for (const name of added) {
      if (Object.hasOwn(ys, name)) continue;
      series.push(name);
      ys[name] = new Array<number | null>(n).fill(null);
    }
  }
  for (let i = skip; i < x.length; i++) state.x.push(typeof x[i] === "number" ? x[i] : state.x.length);
  for (const name of series) {
    const column = ys[name];
    const values = Object.hasOwn(y, name) && Array.isArray(y[name]) ? y[name] : [];
    for (let i = skip; i < x.length; i++) {
      const v = values[i];
      column.push(typeof v === "number" ? v : null);
    }
  }
  return { ...state, series, y: ys, done: state.done || delta.done === true };
}

const sameValues = (a: readonly unknown[], b: readonly unknown[], n: number) => {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * An update's bundle with its whole chart turned into an append, when the output already
 * holds the beginning of that chart (the usual case: `close()` sends every point again, for
 * clients that only ever keep the last update). The server sends pages the append, so a
 * chart of a million points is not sent, parsed and read again when it closes; the merged
 * result is the same chart. Anything else comes back as it was.
 */
export function chartUpdateAsAppend(current: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const old = current[CHART_MIME];
  const full = next[CHART_MIME];
  if (!isChartState(old) || !isChartState(full)) return next;
  const n = old.x.length;
  if (full.x.length < n || full.title !== old.title || full.xLabel !== old.xLabel || full.logY !== old.logY) return next;
  if (!sameValues(old.series, full.series, old.series.length) || !sameValues(old.x, full.x, n)) return next;
  for (const name of old.series) if (!Array.isArray(full.y[name]) || !sameValues(old.y[name], full.y[name], n)) return next;
  const y: ChartAppend["append"]["y"] = {};
  for (const name of full.series) if (Array.isArray(full.y[name])) y[name] = full.y[name].slice(n);
  const added = full.series.slice(old.series.length);
  const append: ChartAppend = {
    version: 1,
    append: { start: n, x: full.x.slice(n), y },
    ...(added.length ? { series: added } : {}),
    ...(full.done ? { done: true } : {}),
  };
  return { ...next, [CHART_MIME]: append };
}

/**
 * What an output becomes when `next` replaces `current` (update_display_data): a chart
 * append is merged into the chart `current` holds; anything else replaces it. An append
 * with no chart to go into, or one that adds nothing, leaves `current` as it is.
 */
export function mergeChartOutput(current: Output, next: Output): Output {
  if (!("data" in next) || !isChartAppend(next.data?.[CHART_MIME])) return next;
  if (!("data" in current)) return current;
  const chart = current.data?.[CHART_MIME];
  if (!isChartState(chart)) return current;
  const merged = mergeChartAppend(chart, next.data[CHART_MIME] as ChartAppend);
  if (merged === chart) return current;
  return { ...current, ...next, data: { ...current.data, ...next.data, [CHART_MIME]: merged } } as Output;
}

/**
 * Series colours, in order (the n-th series takes colour n modulo the length). The kernel's
 * static SVG uses the light ones, so it matches the live chart on a light page.
 */
export const CHART_COLORS = {
  light: ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#db2777", "#65a30d"],
  dark: ["#5b9cff", "#ff7b72", "#3fb950", "#c297ff", "#ffa657", "#39c5cf", "#ff80c0", "#a5d64c"],
} as const;
