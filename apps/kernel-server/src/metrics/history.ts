import type { MetricsHistory } from "@tessera/protocol";

/**
 * The last `capacity` points of many series over one shared time axis, in typed arrays
 * (8 bytes a point: ten minutes at 1 s is under 5 KiB a series). A series that has had no
 * value for a whole window (a kernel shut down long ago) is dropped, so memory stays
 * bounded by the series alive within the window.
 * @example
 * const h = new SeriesHistory(600);
 * h.push(Date.now(), { "system.cpuPercent": 12 });
 */
export class SeriesHistory {
  private readonly times: Float64Array;
  private readonly series = new Map<string, { values: Float64Array; lastSeq: number }>();
  /** Points pushed so far; slot of point n is n % capacity. */
  private seq = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
  }

  get size(): number {
    return Math.min(this.seq, this.capacity);
  }

  get seriesCount(): number {
    return this.series.size;
  }

  get lastTime(): number | null {
    return this.seq === 0 ? null : this.times[(this.seq - 1) % this.capacity];
  }

  push(t: number, values: Record<string, number | null>): void {
    const slot = this.seq % this.capacity;
    this.times[slot] = t;
    for (const [key, v] of Object.entries(values)) {
      if (v === null || !Number.isFinite(v)) continue;
      let s = this.series.get(key);
      if (!s) {
        s = { values: new Float64Array(this.capacity).fill(NaN), lastSeq: this.seq };
        this.series.set(key, s);
      }
      s.values[slot] = v;
      s.lastSeq = this.seq;
    }
    for (const [key, s] of this.series) {
      if (s.lastSeq === this.seq) continue;
      s.values[slot] = NaN;
      if (this.seq - s.lastSeq >= this.capacity) this.series.delete(key);
    }
    this.seq++;
  }

  /** Points at or after `since`, oldest first. */
  snapshot(since = -Infinity): MetricsHistory {
    const n = this.size;
    const first = this.seq - n;
    const slots: number[] = [];
    for (let i = first; i < this.seq; i++) {
      const slot = i % this.capacity;
      if (this.times[slot] >= since) slots.push(slot);
    }
    const series: MetricsHistory["series"] = {};
    for (const [key, s] of this.series) {
      const vals = slots.map((slot) => (Number.isNaN(s.values[slot]) ? null : s.values[slot]));
      if (vals.some((v) => v !== null)) series[key] = vals;
    }
    return { t: slots.map((slot) => this.times[slot]), series };
  }
}
