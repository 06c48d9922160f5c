/**
 * Progress bars for loops, tqdm-style: `for (const x of tt.progress(xs))`. In a notebook
 * kernel the bar is one output updated in place (a styled HTML bar, with tqdm's text line
 * as the `text/plain` fallback); elsewhere it prints its last line when the loop ends.
 */
import { escapeHtml, kernelDisplay, type DisplayFunction, type DisplayHandle, type MimeBundle } from "./kernel-display.js";

export interface ProgressOptions {
  /** How many items the loop will see; default: the number given, or the source's `length` or `size`. */
  total?: number;
  /** A label shown before the bar. */
  desc?: string;
  /** What one item is called in the rate ("it" → "35.20it/s"). */
  unit?: string;
  /** Least time between two redraws in milliseconds (default 100: at most ~10 a second). */
  minIntervalMs?: number;
  /**
   * Where the bar goes. Default: the kernel's global `display` inside a notebook, else one
   * line on stderr when the loop ends. `null`: nowhere (the counts are still kept).
   */
  display?: DisplayFunction | null;
  /** The clock, in milliseconds (default `performance.now`). */
  now?: () => number;
}

/** Where a loop stands: what the text and HTML views are drawn from. */
export interface ProgressState {
  n: number;
  total: number | null;
  elapsedMs: number;
  desc: string;
  unit: string;
  postfix: string;
  /** "running"; "done" when the source ran out (or n reached total); "stopped" on break or throw. */
  status: "running" | "done" | "stopped";
}

const PARTIAL = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const BAR_CHARS = 10;

/** tqdm's elapsed/remaining time: "mm:ss", or "h:mm:ss" past an hour. @example formatInterval(75) // "01:15" */
export function formatInterval(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (v: number) => String(v).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** Items per second, or null before any time has passed. */
function rateOf(s: ProgressState): number | null {
  return s.elapsedMs > 0 && s.n > 0 ? s.n / (s.elapsedMs / 1000) : null;
}

/** "35.20it/s", or "2.50s/it" below one item a second, or "?it/s" before the first. */
export function formatRate(rate: number | null, unit = "it"): string {
  if (rate === null || !Number.isFinite(rate)) return `?${unit}/s`;
  return rate >= 1 || rate === 0 ? `${rate.toFixed(2)}${unit}/s` : `${(1 / rate).toFixed(2)}s/${unit}`;
}

/** Seconds left at the average rate so far, or null when it cannot be told. */
function etaSeconds(s: ProgressState): number | null {
  const rate = rateOf(s);
  if (s.total === null || rate === null || rate === 0) return null;
  return Math.max(0, (s.total - s.n) / rate);
}

function textBar(frac: number): string {
  const eighths = Math.floor(Math.min(1, Math.max(0, frac)) * BAR_CHARS * 8);
  const full = Math.floor(eighths / 8);
  const bar = "█".repeat(full) + (full < BAR_CHARS ? PARTIAL[eighths % 8] : "");
  return bar.padEnd(BAR_CHARS, " ");
}

/**
 * tqdm's line: `desc:  42%|████▏     | 42/100 [00:01<00:02, 35.20it/s]`, or without a
 * total `desc: 42it [00:01, 35.20it/s]`.
 */
export function progressText(s: ProgressState): string {
  const head = s.desc ? `${s.desc}: ` : "";
  const elapsed = formatInterval(s.elapsedMs / 1000);
  const rate = formatRate(rateOf(s), s.unit);
  const post = s.postfix ? `, ${s.postfix}` : "";
  if (s.total === null) return `${head}${s.n}${s.unit} [${elapsed}, ${rate}${post}]`;
  const frac = s.total > 0 ? s.n / s.total : 1;
  const pct = `${Math.floor(frac * 100)}%`.padStart(4, " ");
  const eta = etaSeconds(s);
  return `${head}${pct}|${textBar(frac)}| ${s.n}/${s.total} [${elapsed}<${eta === null ? "?" : formatInterval(eta)}, ${rate}${post}]`;
}

const COLORS = { running: "#3b82f6", done: "#22a04b", stopped: "#d97706" };

/** The bar as inline-styled HTML (outputs render in a sandboxed frame: no classes, no scripts). */
export function progressHtml(s: ProgressState): string {
  const font = "font:12px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace";
  const parts: string[] = [];
  if (s.desc) parts.push(`<span style="font-weight:600">${escapeHtml(s.desc)}</span>`);
  const elapsed = formatInterval(s.elapsedMs / 1000);
  const rate = formatRate(rateOf(s), s.unit);
  const post = s.postfix ? `, ${escapeHtml(s.postfix)}` : "";
  if (s.total !== null) {
    const frac = s.total > 0 ? Math.min(1, s.n / s.total) : 1;
    const pct = Math.floor((s.total > 0 ? s.n / s.total : 1) * 100);
    const eta = etaSeconds(s);
    parts.push(`<span style="display:inline-block;min-width:3.2em;text-align:right">${pct}%</span>`);
    parts.push(
      `<span role="progressbar" aria-valuemin="0" aria-valuemax="${s.total}" aria-valuenow="${s.n}" ` +
        `style="position:relative;display:inline-block;flex:0 1 280px;min-width:80px;height:10px;border-radius:5px;background:rgba(128,128,128,.22);overflow:hidden">` +
        `<span style="position:absolute;left:0;top:0;bottom:0;width:${(frac * 100).toFixed(2)}%;border-radius:5px;background:${COLORS[s.status]}"></span></span>`,
    );
    parts.push(`<span>${s.n}/${s.total} [${elapsed}&lt;${eta === null ? "?" : formatInterval(eta)}, ${rate}${post}]</span>`);
  } else {
    parts.push(`<span>${s.n}${escapeHtml(s.unit)} [${elapsed}, ${rate}${post}]</span>`);
  }
  return `<div style="display:flex;align-items:center;gap:10px;white-space:nowrap;${font}">${parts.join("")}</div>`;
}

type Source<T> = Iterable<T> | AsyncIterable<T>;

function isIterable(x: unknown): x is Iterable<unknown> {
  return x !== null && x !== undefined && typeof (x as Record<symbol, unknown>)[Symbol.iterator] === "function";
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x !== null && x !== undefined && typeof (x as Record<symbol, unknown>)[Symbol.asyncIterator] === "function";
}

/** A source's item count when it says (arrays, typed arrays, DataLoader: `length`; Set, Map: `size`). */
function lengthOf(source: unknown): number | null {
  for (const key of ["length", "size"] as const) {
    const v = (source as Record<string, unknown>)[key];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  }
  return null;
}

function* range(n: number): Generator<number, void, undefined> {
  for (let i = 0; i < n; i++) yield i;
}

/**
 * A progress bar over a loop; see {@link progress}. Iterate it once (sync or `for await`),
 * or drive it by hand with `update` and `close`.
 */
export class Progress<T> implements Iterable<T>, AsyncIterable<T> {
  /** Items done so far. */
  n = 0;
  total: number | null;
  desc: string;
  readonly unit: string;
  private postfixText = "";
  private readonly source: Source<T> | null;
  private readonly now: () => number;
  private readonly minIntervalMs: number;
  private readonly sink: DisplayFunction | null | undefined;
  private handle: DisplayHandle | null = null;
  private startedAt: number | null = null;
  private lastDraw = -Infinity;
  private iterated = false;
  private closed = false;
  private status: ProgressState["status"] = "running";

  constructor(source: Source<T> | null, options: ProgressOptions = {}) {
    const { total, desc = "", unit = "it", minIntervalMs = 100, now = () => performance.now() } = options;
    if (total !== undefined && (!Number.isFinite(total) || total < 0))
      throw new RangeError(`progress: total must be a non-negative number, got ${total}`);
    this.source = source;
    this.total = total ?? (source === null ? null : lengthOf(source));
    this.desc = desc;
    this.unit = unit;
    this.minIntervalMs = minIntervalMs;
    this.now = now;
    this.sink = "display" in options ? options.display : undefined;
  }

  /** Where the loop stands now. */
  get state(): ProgressState {
    const elapsedMs = this.startedAt === null ? 0 : this.now() - this.startedAt;
    return { n: this.n, total: this.total, elapsedMs, desc: this.desc, unit: this.unit, postfix: this.postfixText, status: this.status };
  }

  /** tqdm's text line for the current state. */
  toString(): string {
    return progressText(this.state);
  }

  /** A cell ending in the bar shows it as it stands. */
  [Symbol.for("Jupyter.display")](): MimeBundle {
    const s = this.state;
    return { "text/plain": progressText(s), "text/html": progressHtml(s) };
  }

  /**
   * Values shown after the rate, as tqdm's `set_postfix` (numbers get 4 significant digits).
   * @example bar.set({ loss: loss.item() })
   */
  set(postfix: Record<string, unknown>): void {
    this.postfixText = Object.entries(postfix)
      .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(4)) : String(v)}`)
      .join(", ");
    this.draw(false);
  }

  /** Counts `k` more items done (for a bar driven by hand). @example bar.update(batch.length) */
  update(k = 1): void {
    this.begin();
    this.n += k;
    if (this.total !== null && this.n >= this.total && this.source === null) this.status = "done";
    this.draw(false);
  }

  /** Draws the final state (idempotent). Loops call it themselves when they end or break. */
  close(): void {
    if (this.closed) return;
    this.begin();
    if (this.status === "running") this.status = this.total !== null && this.n >= this.total ? "done" : "stopped";
    this.closed = true;
    this.draw(true);
  }

  *[Symbol.iterator](): Iterator<T> {
    const source = this.take();
    if (!isIterable(source)) throw new TypeError("progress: this source is async; loop over it with `for await`");
    yield* this.wrapSync(source as Iterable<T>);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const source = this.take();
    this.begin();
    this.draw(true);
    try {
      if (isAsyncIterable(source)) {
        for await (const x of source as AsyncIterable<T>) {
          yield x;
          this.n += 1;
          this.draw(false);
        }
      } else {
        for (const x of source as Iterable<T>) {
          yield x;
          this.n += 1;
          this.draw(false);
        }
      }
      this.status = "done";
    } finally {
      this.close();
    }
  }

  private *wrapSync(source: Iterable<T>): Generator<T, void, undefined> {
    this.begin();
    this.draw(true);
    try {
      for (const x of source) {
        yield x;
        this.n += 1;
        this.draw(false);
      }
      this.status = "done";
    } finally {
      this.close();
    }
  }

  private take(): Source<T> {
    if (this.source === null) throw new TypeError("progress: this bar has no source to loop over; use update() and close()");
    if (this.iterated) throw new Error("progress: a bar loops once; make a new one for each loop");
    this.iterated = true;
    return this.source;
  }

  private begin(): void {
    if (this.startedAt === null) this.startedAt = this.now();
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = t;
    const s = this.state;
    const sink = this.sink === undefined ? kernelDisplay() : this.sink;
    if (sink === null) {
      // Outside a kernel: no live bar, just the last line (as a finished tqdm leaves it).
      if (this.closed && this.sink === undefined) process.stderr.write(`${progressText(s)}\n`);
      return;
    }
    const bundle: MimeBundle = { "text/plain": progressText(s), "text/html": progressHtml(s) };
    if (this.handle) this.handle.update(bundle, { raw: true });
    else this.handle = sink(bundle, { raw: true });
  }
}

/**
 * A progress bar around a loop, like Python's tqdm: count, percent, rate, elapsed time and
 * time left, redrawn in place at most ~10 times a second, and a last time when the loop
 * ends, breaks or throws. Takes a number n (loops over 0..n-1), an array, or any iterable
 * or async iterable (a DataLoader); the total comes from `length` or `size` when the source
 * has one, or from `options.total`. With only options, it is a bar to drive by hand.
 *
 * @example
 * for (const epoch of tt.progress(10, { desc: "epochs" })) { ... }
 * for await (const [x, y] of tt.progress(loader, { desc: "train" })) { ... }
 * const bar = tt.progress({ total: 1000 }); bar.update(100); bar.close();
 */
export function progress(n: number, options?: ProgressOptions): Progress<number>;
export function progress<T>(source: Iterable<T> | AsyncIterable<T>, options?: ProgressOptions): Progress<T>;
export function progress(options: ProgressOptions): Progress<never>;
export function progress<T>(
  source: number | Source<T> | ProgressOptions,
  options: ProgressOptions = {},
): Progress<T> | Progress<number> | Progress<never> {
  if (typeof source === "number") {
    if (!Number.isInteger(source) || source < 0) throw new RangeError(`progress: expected a non-negative integer count, got ${source}`);
    return new Progress<number>(range(source), { total: source, ...options });
  }
  if (isIterable(source) || isAsyncIterable(source)) return new Progress<T>(source as Source<T>, options);
  if (source !== null && typeof source === "object") return new Progress<never>(null, source);
  throw new TypeError(`progress: expected a number, an iterable or an async iterable, got ${source === null ? "null" : typeof source}`);
}
