/**
 * The page's copy of the metrics history: the server's last ten minutes (the `history`
 * message), then each live sample appended with `sampleSeries`, so both sides agree on
 * the series keys. Points older than the window fall off the front.
 */
import { sampleSeries, type MetricsHistory as HistoryMessage, type MetricsSample } from "@tessera/protocol";

export class MetricsHistory {
  /** Sample times in epoch seconds (uPlot's time unit), oldest first. */
  readonly t: number[] = [];
  private readonly series = new Map<string, (number | null)[]>();

  constructor(public windowMs = 10 * 60_000) {}

  get length(): number {
    return this.t.length;
  }

  /** Replaces everything with the server's history. */
  load(h: HistoryMessage, windowMs = this.windowMs): void {
    this.windowMs = windowMs;
    this.t.length = 0;
    this.series.clear();
    for (const ms of h.t) this.t.push(ms / 1000);
    for (const [key, values] of Object.entries(h.series)) {
      const v = values.slice(0, h.t.length);
      while (v.length < h.t.length) v.push(null);
      this.series.set(key, v);
    }
    this.trim();
  }

  /** Adds a live sample (one that is not newer than the last point replaces it). */
  append(sample: MetricsSample): void {
    const values = sampleSeries(sample);
    const t = sample.t / 1000;
    const n = this.t.length;
    const replace = n > 0 && t <= this.t[n - 1];
    if (!replace) this.t.push(t);
    const len = this.t.length;
    for (const [key, v] of Object.entries(values)) {
      let s = this.series.get(key);
      if (!s) {
        s = new Array<number | null>(len).fill(null);
        this.series.set(key, s);
      }
      while (s.length < len) s.push(null);
      s[len - 1] = v;
    }
    // Series missing from this sample (a kernel that went away) get a gap.
    for (const [key, s] of this.series) {
      if (key in values) continue;
      while (s.length < len) s.push(null);
      if (replace) s[len - 1] = null;
    }
    this.trim();
  }

  /** A series aligned with `t` (all null when the key is unknown). */
  values(key: string): (number | null)[] {
    return this.series.get(key) ?? new Array<number | null>(this.t.length).fill(null);
  }

  /** How many points of a series hold a value. */
  count(key: string): number {
    const s = this.series.get(key);
    if (!s) return 0;
    let n = 0;
    for (const v of s) if (v !== null) n++;
    return n;
  }

  private trim(): void {
    const n = this.t.length;
    if (n === 0) return;
    const oldest = this.t[n - 1] - this.windowMs / 1000;
    let drop = 0;
    while (drop < n && this.t[drop] < oldest) drop++;
    if (drop === 0) return;
    this.t.splice(0, drop);
    for (const [key, s] of this.series) {
      s.splice(0, drop);
      // A series with no value left in the window (a kernel shut down long ago) goes.
      if (s.every((v) => v === null)) this.series.delete(key);
    }
  }
}
