/**
 * Live charts for training loops: `tt.plot.live(…)` shows a chart under the cell, and each
 * `chart.log({ step, loss })` adds a point to it while the loop runs.
 *
 * Logging a point is a few typed-array stores; what reaches the front end is throttled to
 * one update per interval (100 ms), carrying only the points logged since the last one.
 * Timers cannot fire while a synchronous loop runs, so `log` itself looks at the clock
 * (when the ticker says a few ms went by) and sends once the interval has passed; a
 * timer sends what the last calls left.
 */
import { inspect } from "node:util";
import { CHART_MIME, formatValue, formatX, type ChartAppend, type ChartState } from "@tessera/protocol";
import { chartSvg } from "./svg.js";
import { ticker } from "./ticker.js";

export interface LiveChartOptions {
  /** Shown above the chart. @default "chart" */
  title?: string;
  /** The key of each point that holds its x value; every other key is a series. A point without it takes its index. @default "step" */
  x?: string;
  /** A logarithmic y axis (the page can switch it). @default false */
  logY?: boolean;
  /** At most one update per this many ms reaches the front end. @default 100 */
  intervalMs?: number;
}

/** A value of a point: a number, a one-element tensor (anything with `item()`), or null/undefined for no point. */
export type ChartValue = number | null | undefined | { item(): number | boolean };

/** One logged point: the x key and one value per series. A series left out has no point here. */
export type ChartPoint = Record<string, ChartValue>;

interface Column {
  name: string;
  /** NaN where the series has no point. */
  values: Float64Array;
  /** Index of its last point (-1: none yet). */
  last: number;
}

interface Handle {
  update(value: unknown, options?: { raw?: boolean }): void;
}
type Display = (value: unknown, options?: { raw?: boolean }) => Handle;

/** The kernel's `display` global, or null outside a kernel. */
function kernelDisplay(): Display | null {
  const d = (globalThis as { display?: unknown }).display;
  return typeof d === "function" ? (d as Display) : null;
}

// In a kernel, start the ticker when the library is imported: its worker may only get going
// once this thread yields, which a cell that builds a chart and then loops never does.
if (kernelDisplay()) ticker();

function toNumber(v: ChartValue): number {
  if (typeof v === "object" && v !== null && typeof v.item === "function") return Number(v.item());
  return NaN;
}

/** Values from..to-1 as JSON numbers (non-finite → null). Pushed, so a column without gaps stays an unboxed double array. */
function jsonColumn(values: Float64Array, from: number, to: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = from; i < to; i++) {
    const v = values[i];
    out.push(Number.isFinite(v) ? v : null);
  }
  return out;
}

function jsonX(xs: Float64Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(Number.isFinite(xs[i]) ? xs[i] : i);
  return out;
}

/**
 * A chart that grows while a loop runs. Make one with {@link live}.
 *
 * @example
 * const chart = tt.plot.live({ title: "loss", x: "step", logY: true });
 * for (let step = 0; step < 1000; step++) {
 *   const loss = trainStep();
 *   chart.log({ step, train: loss, val: step % 100 === 0 ? evaluate() : undefined });
 * }
 * chart.close();
 */
export class LiveChart {
  readonly title: string;
  readonly xLabel: string;
  readonly logY: boolean;
  private readonly xKey: string;
  private readonly intervalMs: number;
  private xs = new Float64Array(1024);
  private n = 0;
  private readonly columns: Column[] = [];
  private readonly byName = new Map<string, Column>();
  private handle: Handle | null = null;
  /** Points and series the front end already has. */
  private sent = 0;
  private sentSeries = 0;
  private lastFlush = 0;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private closed = false;
  /** The ticker's counter (null: read the clock on every call) and its value when last looked at. */
  private ticks: Int32Array | null = null;
  private tick = 0;

  constructor(options: LiveChartOptions = {}) {
    this.title = options.title ?? "chart";
    this.xKey = options.x ?? "step";
    this.xLabel = this.xKey;
    this.logY = options.logY ?? false;
    this.intervalMs = Math.max(0, options.intervalMs ?? 100);
    const display = kernelDisplay();
    if (display) {
      try {
        this.handle = display({ [CHART_MIME]: this.state(), "text/plain": `${this.title}: live chart, no points yet` }, { raw: true });
        this.ticks = ticker();
      } catch {
        this.handle = null;
      }
    }
    this.lastFlush = performance.now();
  }

  /** How many points were logged. */
  get length(): number {
    return this.n;
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Adds a point: the x key (its index when left out) and a value for any of the series.
   * A key never seen before starts a new series. Cheap enough to call every step; after
   * `close()` it does nothing.
   * @example chart.log({ step, train: loss.item(), lr: sched.lr })
   */
  log(point: ChartPoint): void {
    if (this.closed) return;
    const i = this.n;
    if (i === this.xs.length) this.grow();
    const xv = point[this.xKey];
    this.xs[i] = typeof xv === "number" ? xv : xv == null ? i : toNumber(xv);
    for (const key in point) {
      if (key === this.xKey) continue;
      const v = point[key];
      const value = typeof v === "number" ? v : toNumber(v);
      if (value !== value) continue; // NaN, null, undefined: no point for this series
      let column = this.byName.get(key);
      if (column === undefined) column = this.addSeries(key);
      column.values[i] = value;
      column.last = i;
    }
    this.n = i + 1;
    if (this.handle === null) return;
    if (this.timer === undefined) this.arm();
    else if (this.ticks === null) this.poll();
    else {
      // Atomics.load: a plain read of a counter nothing in the loop writes is hoisted out of it once optimized.
      // 0: the worker has not started yet (it may need this thread to yield first): read the clock.
      const t = Atomics.load(this.ticks, 0);
      if (t === 0 || t !== this.tick) this.poll();
    }
  }

  /**
   * Ends the chart: sends every point with `done: true`, a static SVG and a one-line
   * summary (outside a kernel, prints the summary). `using chart = tt.plot.live(…)` closes
   * it when the block ends.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer();
    const state = this.state();
    if (this.handle) {
      this.sent = this.n;
      this.sentSeries = this.columns.length;
      this.send({ [CHART_MIME]: state, "image/svg+xml": chartSvg(state), "text/plain": this.summary() });
    } else {
      console.log(this.summary());
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Every point so far, in the chart's wire form. */
  state(): ChartState {
    const y: ChartState["y"] = {};
    for (const c of this.columns) y[c.name] = jsonColumn(c.values, 0, this.n);
    return {
      version: 1,
      title: this.title,
      xLabel: this.xLabel,
      logY: this.logY,
      series: this.columns.map((c) => c.name),
      x: jsonX(this.xs, 0, this.n),
      y,
      done: this.closed,
    };
  }

  /** One line: the point count and each series' last value. */
  summary(): string {
    const values = this.columns.filter((c) => c.last >= 0).map((c) => `${c.name}=${formatValue(c.values[c.last])}`);
    const at = this.n > 0 ? `, ${this.xLabel} ${formatX(this.xs[this.n - 1])}` : "";
    return `${this.title}: ${this.n.toLocaleString("en-US")} point${this.n === 1 ? "" : "s"}${at}${values.length ? `: ${values.join(", ")}` : ""}`;
  }

  [inspect.custom](): string {
    return `LiveChart ${JSON.stringify(this.title)} (${this.n} points${this.closed ? "" : ", live"})`;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (!this.closed) this.flush(performance.now());
  };

  /** The first point since an update: sends now if the interval has passed, else sets the timer for the trailing update. */
  private arm(): void {
    const now = performance.now();
    if (this.ticks) this.tick = Atomics.load(this.ticks, 0);
    const wait = this.intervalMs - (now - this.lastFlush);
    if (wait <= 0) this.flush(now);
    else {
      this.timer = setTimeout(this.onTimer, wait);
      this.timer.unref?.();
    }
  }

  /** A few ms went by while the loop logged: sends if the interval has passed. */
  private poll(): void {
    if (this.ticks) this.tick = Atomics.load(this.ticks, 0);
    const now = performance.now();
    if (now - this.lastFlush >= this.intervalMs) this.flush(now);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends the points logged since the last update (`now`: the clock, already read). */
  private flush(now: number): void {
    this.cancelTimer();
    this.lastFlush = now;
    const start = this.sent;
    const end = this.n;
    if (start === end) return;
    const y: ChartAppend["append"]["y"] = {};
    for (const c of this.columns) if (c.last >= start) y[c.name] = jsonColumn(c.values, start, end);
    const delta: ChartAppend = { version: 1, append: { start, x: jsonX(this.xs, start, end), y } };
    if (this.columns.length > this.sentSeries) delta.series = this.columns.slice(this.sentSeries).map((c) => c.name);
    this.sent = end;
    this.sentSeries = this.columns.length;
    this.send({ [CHART_MIME]: delta, "text/plain": this.summary() });
    // The interval runs from the end of this update: a big one (or a slow reader) spaces the next further out.
    this.lastFlush = performance.now();
  }

  private send(bundle: Record<string, unknown>): void {
    try {
      this.handle?.update(bundle, { raw: true });
    } catch {
      // The front end is gone (the kernel is shutting down): the loop carries on.
    }
  }

  private addSeries(name: string): Column {
    const column: Column = { name, values: new Float64Array(this.xs.length).fill(NaN), last: -1 };
    this.columns.push(column);
    this.byName.set(name, column);
    return column;
  }

  private grow(): void {
    const size = this.xs.length * 2;
    const xs = new Float64Array(size);
    xs.set(this.xs);
    this.xs = xs;
    for (const c of this.columns) {
      const values = new Float64Array(size);
      values.set(c.values);
      values.fill(NaN, c.values.length);
      c.values = values;
    }
  }
}

/**
 * A live chart under the cell that runs this: call `log` with each new point; every key
 * but the x key is a series. Outside a notebook it only keeps the points.
 *
 * @example
 * const chart = tt.plot.live({ title: "loss", x: "step", logY: true });
 * chart.log({ step: 0, train: 2.3 });
 * chart.log({ step: 1, train: 1.9, val: 2.0 });
 * chart.close();
 */
export function live(options: LiveChartOptions = {}): LiveChart {
  return new LiveChart(options);
}
