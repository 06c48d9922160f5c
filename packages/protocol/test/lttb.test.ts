/** LTTB downsampling, shared by the kernel's static chart and the page. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { lttb } from "../src/lttb.js";

const pick = (x: ArrayLike<number>, y: ArrayLike<number>, threshold: number, start = 0, end = x.length) => {
  const out = new Uint32Array(Math.max(threshold, end - start));
  return Array.from(out.subarray(0, lttb(x, y, start, end, threshold, out)));
};

test("keeps every point when the threshold allows, and the first and last always", () => {
  const x = [0, 1, 2, 3, 4];
  assert.deepEqual(pick(x, [5, 4, 3, 2, 1], 10), [0, 1, 2, 3, 4]);
  assert.deepEqual(pick(x, [5, 4, 3, 2, 1], 2), [0, 4]);
  const n = 10_000;
  const xs = Float64Array.from({ length: n }, (_, i) => i);
  const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 50));
  const idx = pick(xs, ys, 300);
  assert.equal(idx.length, 300);
  assert.equal(idx[0], 0);
  assert.equal(idx[idx.length - 1], n - 1);
  for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1], "indices in order, none repeated");
});

test("picks the extremes: a single spike and a single dip survive heavy downsampling", () => {
  const n = 100_000;
  const xs = Float64Array.from({ length: n }, (_, i) => i);
  const ys = new Float64Array(n).fill(1);
  ys[31_337] = 50;
  ys[77_777] = -40;
  const idx = pick(xs, ys, 100);
  assert.ok(idx.includes(31_337), "the spike is kept");
  assert.ok(idx.includes(77_777), "the dip is kept");
});

test("works on a window of the arrays (the page's zoom)", () => {
  const xs = Float64Array.from({ length: 1000 }, (_, i) => i);
  const ys = Float64Array.from({ length: 1000 }, (_, i) => (i === 500 ? 9 : 0));
  const idx = pick(xs, ys, 20, 400, 600);
  assert.equal(idx.length, 20);
  assert.equal(idx[0], 400);
  assert.equal(idx[19], 599);
  assert.ok(idx.includes(500));
  assert.deepEqual(pick(xs, ys, 20, 5, 5), []);
});

test("a million points downsample in a few milliseconds", () => {
  const n = 1_000_000;
  const xs = Float64Array.from({ length: n }, (_, i) => i);
  const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000) + (i % 7) / 10);
  const out = new Uint32Array(2560);
  lttb(xs, ys, 0, n, 2560, out); // warm up
  let ms = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    lttb(xs, ys, 0, n, 2560, out);
    ms = Math.min(ms, performance.now() - t0); // the best of three: this machine may be busy
  }
  assert.ok(ms < 60, `took ${ms.toFixed(1)} ms`);
});
