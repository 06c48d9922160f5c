/** The live chart's pure parts: smoothing, the page's store (appends, zoom windows), CSV. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyOp, CHART_MIME, type ChartState, type DocState } from "@tessera/protocol";
import { ChartStore } from "../src/outputs/chart/chart-store.js";
import { chartCsv, csvName } from "../src/outputs/chart/csv.js";
import { ema, emaInto, emaStart } from "../src/outputs/chart/ema.js";

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test("EMA is TensorBoard's: debiased, weight 0 = the raw curve", () => {
  assert.deepEqual(Array.from(ema([3, 1, 4, 1, 5], 0)), [3, 1, 4, 1, 5]);
  const w = 0.6;
  const s = ema([3, 1, 4], w);
  // last_k = w·last + (1-w)·v, shown as last_k / (1 - w^k)
  close(s[0], 3, 1e-12);
  close(s[1], (w * 0.4 * 3 + 0.4 * 1) / (1 - w * w));
  close(s[2], (w * (w * 0.4 * 3 + 0.4 * 1) + 0.4 * 4) / (1 - w ** 3));
  const flat = ema(new Array(100).fill(7), 0.99);
  for (const v of flat) close(v, 7, 1e-9);
  // In pieces (as appends arrive) = all at once.
  const values = Array.from({ length: 50 }, (_, i) => Math.sin(i));
  const out = new Float64Array(50);
  const st = emaStart();
  emaInto(values, 0, 20, 0.9, out, st);
  emaInto(values, 20, 50, 0.9, out, st);
  assert.deepEqual(Array.from(out), Array.from(ema(values, 0.9)));
});

function chartDoc(): DocState {
  const chart: ChartState = { version: 1, title: "loss", xLabel: "step", logY: false, series: [], x: [], y: {}, done: false };
  return {
    notebook: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          id: "c",
          cell_type: "code",
          source: "",
          metadata: {},
          execution_count: 1,
          outputs: [{ output_type: "display_data", data: { [CHART_MIME]: chart }, metadata: {} }],
        },
      ],
    },
    run: {},
  };
}
const chartIn = (s: DocState) => (s.notebook.cells[0] as any).outputs[0].data[CHART_MIME] as ChartState;
function append(s: DocState, start: number, x: number[], y: Record<string, (number | null)[]>, series?: string[]) {
  applyOp(s, {
    op: "replace_output",
    id: "c",
    index: 0,
    output: {
      output_type: "display_data",
      data: { [CHART_MIME]: { version: 1, append: { start, x, y }, ...(series ? { series } : {}) } },
      metadata: {},
    },
  });
}

test("the store reads only new rows as the document's chart grows, and a series that appears later", () => {
  const doc = chartDoc();
  const store = new ChartStore();
  append(doc, 0, [0, 1, 2], { train: [3, 2, 1] }, ["train"]);
  assert.equal(store.ingest(chartIn(doc)), true);
  assert.equal(store.count, 3);
  assert.equal(store.ingest(chartIn(doc)), false, "nothing new: nothing to draw");
  append(doc, 3, [3, 4], { train: [0.5, null], val: [0.7, 0.6] }, ["val"]);
  store.ingest(chartIn(doc));
  assert.equal(store.count, 5);
  assert.deepEqual(
    store.series.map((s) => [s.name, s.n]),
    [
      ["train", 4],
      ["val", 2],
    ],
  );
  assert.deepEqual(Array.from(store.series[1].xs.subarray(0, 2)), [3, 4]);
  // A replaced chart (the final state, or a fresh snapshot) is read again from the start.
  const final = {
    ...chartIn(doc),
    x: [...chartIn(doc).x, 5],
    y: { train: [...chartIn(doc).y.train, 0.25], val: [...chartIn(doc).y.val, null] },
    done: true,
  };
  store.ingest(final);
  assert.equal(store.count, 6);
  assert.deepEqual(
    store.series.map((s) => s.n),
    [5, 2],
  );
});

test("columns: downsampled to the target, aligned on one x, a zoom window downsampled again", () => {
  const store = new ChartStore();
  const n = 200_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const train = x.map((i) => Math.exp(-i / 50_000) + (i % 2 ? 0.01 : -0.01));
  const val = x.map((i) => (i % 1000 === 0 ? Math.exp(-i / 50_000) : null));
  store.ingest({ version: 1, title: "t", xLabel: "step", logY: false, series: ["train", "val"], x, y: { train, val }, done: false });
  store.setSmoothing(0.6);
  const cols = store.columns(1000, null, false, true);
  assert.equal(cols.length, 5, "x, then raw and smoothed per series");
  const xs = cols[0];
  assert.ok(xs.length <= 4 * 1000 && xs.length >= 1000, `${xs.length} x values`);
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i] > xs[i - 1], "x sorted, no repeats");
  assert.equal(xs[0], 0);
  assert.equal(xs[xs.length - 1], n - 1);
  assert.equal(cols[1].filter((v) => v !== null).length, 1000, "train: the target number of points");
  assert.equal(cols[3].filter((v) => v !== null).length, 200, "val: all its 200 points (fewer than the target)");

  const zoomed = store.columns(1000, { min: 50_000, max: 60_000 }, false, false);
  const zx = zoomed[0];
  assert.ok(zx[0] <= 50_000 && zx[0] >= 49_000, `starts at the window's edge: ${zx[0]}`);
  assert.ok(zx[zx.length - 1] >= 60_000 && zx[zx.length - 1] <= 61_000, `ends at the window's edge: ${zx[zx.length - 1]}`);
  assert.equal(zoomed[1].filter((v) => v !== null).length, 1000, "the window is drawn at full detail again");

  const log = new ChartStore();
  log.ingest({ version: 1, title: "t", xLabel: "step", logY: true, series: ["a"], x: [0, 1, 2], y: { a: [1, -1, 0.5] }, done: false });
  assert.deepEqual(log.columns(100, null, true, false)[1], [1, null, 0.5], "on a log axis, values ≤ 0 are gaps");
});

test("the legend's nearest point", () => {
  const store = new ChartStore();
  store.ingest({ version: 1, title: "t", xLabel: "step", logY: false, series: ["a"], x: [0, 10, 20], y: { a: [1, 2, 3] }, done: false });
  assert.deepEqual(store.nearest(store.series[0], 12), { x: 10, raw: 2, smooth: 2 });
  assert.deepEqual(store.nearest(store.series[0], 16), { x: 20, raw: 3, smooth: 3 });
  assert.deepEqual(store.nearest(store.series[0], 99), { x: 20, raw: 3, smooth: 3 });
});

test("CSV has every point, empty cells for missing ones, quoted names", () => {
  const csv = chartCsv({
    version: 1,
    title: "t",
    xLabel: "step",
    logY: false,
    series: ["train", 'val "x", y'],
    x: [0, 1, 2],
    y: { train: [1, 0.5, null], 'val "x", y': [null, 2, 3] },
    done: true,
  });
  assert.equal(csv, 'step,train,"val ""x"", y"\n0,1,\n1,0.5,2\n2,,3\n');
  assert.equal(csvName("loss / MNIST"), "loss-MNIST.csv");
  assert.equal(csvName("???"), "chart.csv");
});

test("log axes: a range with a little room, lines at decades (2× and 5× too over a short range)", async () => {
  const { logRange, logSplits } = await import("../src/outputs/chart/format.js");
  const [lo, hi] = logRange(0.0024, 10.5);
  assert.ok(lo < 0.0024 && lo > 0.0015 && hi > 10.5 && hi < 16, `${lo}..${hi}`);
  assert.deepEqual(logSplits(lo, hi), [0.01, 0.1, 1, 10]);
  assert.deepEqual(logSplits(0.3, 4), [0.5, 1, 2]);
  assert.deepEqual(logSplits(-1, 4), []);
});

test("a million points: drawn from the digest, in a few ms, with the spike and the dip kept", () => {
  const n = 1_000_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const y = x.map((i) => 1 + 0.01 * Math.sin(i / 3));
  y[123_457] = 50;
  y[876_543] = -20;
  const store = new ChartStore();
  store.ingest({ version: 1, title: "t", xLabel: "step", logY: false, series: ["a"], x, y: { a: y }, done: false });
  store.columns(2000, null, false, false); // warm up
  let ms = Infinity;
  let cols = store.columns(2000, null, false, true);
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    cols = store.columns(2000, null, false, true);
    ms = Math.min(ms, performance.now() - t0); // the best of five: this machine may be busy
  }
  const raw = cols[1].filter((v): v is number => v !== null);
  assert.equal(raw.length, 2000);
  assert.ok(raw.includes(50) && raw.includes(-20), "the extremes survive");
  assert.equal(cols[0][0], 0);
  assert.equal(cols[0][cols[0].length - 1], n - 1, "the last point is drawn");
  assert.ok(ms < 40, `columns() took ${ms.toFixed(1)} ms (a long window is drawn from the digest, not from every point)`);
  // Zoomed into 1,000 points: drawn from the points themselves.
  const zoomed = store.columns(2000, { min: 123_000, max: 124_000 }, false, false);
  assert.equal(zoomed[1].filter((v) => v !== null).length, 1003);
});
