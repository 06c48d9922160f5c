/**
 * The page's copy of a live chart, kept for drawing: per series, its points (finite ones
 * only) and their smoothed values in typed arrays that grow as appends arrive, and the
 * downsampled, aligned columns uPlot draws for a given width and x window.
 *
 * The document's chart arrays only ever grow (see mergeChartAppend), so each update costs
 * the new points; a chart that is replaced (a fresh snapshot) is read again.
 *
 * Drawing a million points each frame would mean running LTTB over a million points each
 * frame; a long x window is downsampled from each series' {@link Digest} instead.
 */
import { lttb, type ChartState } from "@tessera/protocol";
import { emaInto, emaStart, type EmaState } from "./ema.js";

/** Points per bucket of a {@link Digest}. */
export const BUCKET = 32;

/**
 * Each full bucket of BUCKET points reduced to its lowest and highest point, in order: a
 * line 16× shorter with the same peaks and dips, kept up to date as points arrive. The
 * points are copied (not indexed): a window is then one contiguous copy, where reading a
 * million-point series at scattered indices costs a cache miss each.
 */
export class Digest {
  xs = new Float64Array(64);
  ys = new Float64Array(64);
  /** Buckets digested so far (points 2b and 2b+1 belong to bucket b). */
  buckets = 0;

  update(xs: Float64Array, values: Float64Array, n: number): void {
    const full = Math.floor(n / BUCKET);
    if (2 * full > this.xs.length) {
      const size = Math.max(2 * full, 2 * this.xs.length);
      const nx = new Float64Array(size);
      const ny = new Float64Array(size);
      nx.set(this.xs);
      ny.set(this.ys);
      this.xs = nx;
      this.ys = ny;
    }
    for (let b = this.buckets; b < full; b++) {
      const start = b * BUCKET;
      let lo = start;
      let hi = start;
      for (let i = start + 1; i < start + BUCKET; i++) {
        if (values[i] < values[lo]) lo = i;
        if (values[i] > values[hi]) hi = i;
      }
      const first = Math.min(lo, hi);
      const second = Math.max(lo, hi);
      this.xs[2 * b] = xs[first];
      this.ys[2 * b] = values[first];
      this.xs[2 * b + 1] = xs[second];
      this.ys[2 * b + 1] = values[second];
    }
    this.buckets = full;
  }

  reset(): void {
    this.buckets = 0;
  }
}

export class SeriesData {
  xs = new Float64Array(256);
  ys = new Float64Array(256);
  /** Smoothed ys. */
  sm = new Float64Array(256);
  n = 0;
  /** x never went down (the x window can be found by binary search). */
  sorted = true;
  ema: EmaState = emaStart();
  /** Digests of ys and sm. */
  readonly rawDigest = new Digest();
  readonly smDigest = new Digest();

  constructor(
    readonly name: string,
    /** Its place among the chart's series (its colour). */
    readonly index: number,
  ) {}

  /**
   * Appends the finite points of rows from..to-1 of a document chart's x column and one of
   * its y columns (a hot loop: a snapshot of a million rows is read in one go).
   */
  read(x: readonly number[], column: readonly (number | null)[], from: number, to: number): void {
    this.reserve(this.n + (to - from));
    const xs = this.xs;
    const ys = this.ys;
    let n = this.n;
    let sorted = this.sorted;
    let lastX = n > 0 ? xs[n - 1] : -Infinity;
    for (let i = from; i < to; i++) {
      const v = column[i];
      if (typeof v !== "number" || v - v !== 0) continue; // null, NaN, ±Infinity
      const xv = x[i];
      if (typeof xv !== "number" || xv - xv !== 0) continue;
      if (xv < lastX) sorted = false;
      xs[n] = xv;
      ys[n++] = v;
      lastX = xv;
    }
    this.n = n;
    this.sorted = sorted;
  }

  private reserve(size: number): void {
    if (size <= this.xs.length) return;
    const capacity = Math.max(size, this.xs.length * 2);
    for (const key of ["xs", "ys", "sm"] as const) {
      const next = new Float64Array(capacity);
      next.set(this[key].subarray(0, this.n));
      this[key] = next;
    }
  }
}

/** Columns for uPlot: x, then per series its raw values and (when smoothing) its smoothed ones. */
export type Columns = [Float64Array, ...(number | null)[][]];

/** First index in xs[0..n) whose value is >= v. */
export function lowerBound(xs: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in xs[0..n) whose value is > v. */
export function upperBound(xs: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ChartStore {
  series: SeriesData[] = [];
  private byName = new Map<string, SeriesData>();
  /** The document's x array last read, and how many of its rows were read. */
  private source: number[] | null = null;
  private rows = 0;
  private smoothing = 0;
  /** Reused between frames: the digest points of a window, and LTTB's picks. */
  private scratchX = new Float64Array(0);
  private scratchY = new Float64Array(0);
  private scratchPick = new Uint32Array(0);

  /** Rows (points of any series) read so far. */
  get count(): number {
    return this.rows;
  }

  /** Reads the rows of `state` not read yet. Returns whether anything changed. */
  ingest(state: ChartState): boolean {
    if (state.x !== this.source || state.x.length < this.rows) this.reset(state.x);
    const from = this.rows;
    const to = state.x.length;
    const known = this.series.length;
    for (const name of state.series) if (!this.byName.has(name)) this.add(name);
    if (to === from && this.series.length === known) return false;
    for (const s of this.series) {
      const column = state.y[s.name];
      if (!column) continue;
      // A series that just appeared is read from the start (its earlier rows are nulls).
      const before = s.n;
      s.read(state.x, column, s.index >= known ? 0 : from, to);
      emaInto(s.ys, before, s.n, this.smoothing, s.sm, s.ema);
      s.rawDigest.update(s.xs, s.ys, s.n);
      s.smDigest.update(s.xs, s.sm, s.n);
    }
    this.rows = to;
    return true;
  }

  /** Sets the smoothing weight (0..0.99) and smooths every series again. */
  setSmoothing(weight: number): void {
    if (weight === this.smoothing) return;
    this.smoothing = weight;
    for (const s of this.series) {
      s.ema = emaStart();
      emaInto(s.ys, 0, s.n, weight, s.sm, s.ema);
      s.smDigest.reset();
      s.smDigest.update(s.xs, s.sm, s.n);
    }
  }

  /** The smallest and largest x of any point, or null when there are none. */
  xRange(): { min: number; max: number } | null {
    let min = Infinity;
    let max = -Infinity;
    for (const s of this.series) {
      if (s.n === 0) continue;
      if (s.sorted) {
        min = Math.min(min, s.xs[0]);
        max = Math.max(max, s.xs[s.n - 1]);
      } else {
        for (let i = 0; i < s.n; i++) {
          min = Math.min(min, s.xs[i]);
          max = Math.max(max, s.xs[i]);
        }
      }
    }
    return min <= max ? { min, max } : null;
  }

  /**
   * What to draw: each series downsampled (LTTB) to about `target` points inside the x
   * window (one point beyond each edge, so lines reach it), merged onto one x column.
   * With `logY`, values ≤ 0 are gaps. Smoothed columns come after each raw one when
   * `smoothed` is set.
   */
  columns(target: number, window: { min: number; max: number } | null, logY: boolean, smoothed: boolean): Columns {
    target = Math.max(2, Math.floor(target));
    const picks: Array<{ xs: Float64Array; ys: Float64Array }> = [];
    let total = 0;
    for (const s of this.series) {
      let lo = 0;
      let hi = s.n;
      if (window && s.sorted) {
        lo = Math.max(0, lowerBound(s.xs, s.n, window.min) - 1);
        hi = Math.min(s.n, upperBound(s.xs, s.n, window.max) + 1);
      }
      for (const [values, digest] of smoothed
        ? ([
            [s.ys, s.rawDigest],
            [s.sm, s.smDigest],
          ] as const)
        : ([[s.ys, s.rawDigest]] as const)) {
        const pick = this.downsample(s.xs, values, digest, lo, hi, target);
        picks.push(pick);
        total += pick.xs.length;
      }
    }
    // One x column: every picked x, sorted, without repeats.
    const all = new Float64Array(total);
    let k = 0;
    for (const p of picks) {
      all.set(p.xs, k);
      k += p.xs.length;
    }
    all.sort();
    let m = 0;
    for (let j = 0; j < all.length; j++) if (j === 0 || all[j] !== all[m - 1]) all[m++] = all[j];
    const xs = all.slice(0, m);
    const out: Columns = [xs];
    for (const p of picks) {
      const column = new Array<number | null>(m).fill(null);
      for (let j = 0; j < p.xs.length; j++) {
        const v = p.ys[j];
        column[lowerBound(xs, m, p.xs[j])] = logY && !(v > 0) ? null : v;
      }
      out.push(column);
    }
    return out;
  }

  /**
   * At most `target` points of values[lo..hi) by LTTB: from the points themselves when the
   * window is short, else from the digest's buckets inside it (and the points of the
   * partial buckets at its ends).
   */
  private downsample(
    xs: Float64Array,
    values: Float64Array,
    digest: Digest,
    lo: number,
    hi: number,
    target: number,
  ): { xs: Float64Array; ys: Float64Array } {
    let sx: Float64Array = xs;
    let sy: Float64Array = values;
    let from = lo;
    let to = hi;
    const b0 = Math.ceil(lo / BUCKET);
    const b1 = Math.min(digest.buckets, Math.floor(hi / BUCKET));
    if (hi - lo > 4 * target && b1 - b0 > target) {
      const size = 2 * (b1 - b0) + 2 * BUCKET + 2;
      if (this.scratchX.length < size) {
        this.scratchX = new Float64Array(size * 2);
        this.scratchY = new Float64Array(size * 2);
      }
      sx = this.scratchX;
      sy = this.scratchY;
      // The window's own first and last points always (LTTB keeps them), the points of the
      // partial buckets at its ends, the digest in between (one contiguous copy). A point
      // that comes twice (the first of a bucket that is also its lowest) does no harm.
      let m = 0;
      for (let i = lo; i < Math.max(b0 * BUCKET, lo + 1); i++) {
        sx[m] = xs[i];
        sy[m++] = values[i];
      }
      sx.set(digest.xs.subarray(2 * b0, 2 * b1), m);
      sy.set(digest.ys.subarray(2 * b0, 2 * b1), m);
      m += 2 * (b1 - b0);
      for (let i = Math.min(b1 * BUCKET, hi - 1); i < hi; i++) {
        sx[m] = xs[i];
        sy[m++] = values[i];
      }
      from = 0;
      to = m;
    }
    if (this.scratchPick.length < target) this.scratchPick = new Uint32Array(target);
    const count = lttb(sx, sy, from, to, target, this.scratchPick);
    const px = new Float64Array(count);
    const py = new Float64Array(count);
    for (let j = 0; j < count; j++) {
      px[j] = sx[this.scratchPick[j]];
      py[j] = sy[this.scratchPick[j]];
    }
    return { xs: px, ys: py };
  }

  /** The point of series `s` nearest to x (null when it has none): raw and smoothed values. */
  nearest(s: SeriesData, x: number): { x: number; raw: number; smooth: number } | null {
    if (s.n === 0) return null;
    let i: number;
    if (s.sorted) {
      i = lowerBound(s.xs, s.n, x);
      if (i === s.n || (i > 0 && x - s.xs[i - 1] < s.xs[i] - x)) i -= 1;
    } else {
      i = 0;
      for (let j = 1; j < s.n; j++) if (Math.abs(s.xs[j] - x) < Math.abs(s.xs[i] - x)) i = j;
    }
    return { x: s.xs[i], raw: s.ys[i], smooth: s.sm[i] };
  }

  private add(name: string): void {
    const s = new SeriesData(name, this.series.length);
    this.series.push(s);
    this.byName.set(name, s);
  }

  private reset(source: number[]): void {
    this.source = source;
    this.rows = 0;
    this.series = [];
    this.byName.clear();
  }
}
