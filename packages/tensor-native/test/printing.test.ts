import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";

/** The tensor's notebook mime bundle. */
const view = (t: tt.Tensor) => (t as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();

test("prints like PyTorch", () => {
  assert.equal(
    String(
      tt.tensor([
        [1.5, 2],
        [3, 4],
      ]),
    ),
    "tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]], dtype=float32)",
  );
  assert.equal(
    String(
      tt.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: "float32" },
      ),
    ),
    "tensor([[1., 2.],\n        [3., 4.]], dtype=float32)",
  );
  assert.equal(String(tt.tensor([1, -20])), "tensor([  1, -20], dtype=int64)");
  assert.equal(String(tt.tensor([true, false])), "tensor([ True, False], dtype=bool)");
  assert.equal(String(tt.tensor(2.5)), "tensor(2.5000, dtype=float32)");
  assert.equal(String(tt.zeros([0, 3])), "tensor([], size=(0, 3), dtype=float32)");
  assert.equal(String(tt.tensor([1e-5, 1], { dtype: "float64" })), "tensor([1.0000e-05, 1.0000e+00], dtype=float64)");
  assert.equal(String(tt.tensor([NaN, Infinity, 0.5])), "tensor([   nan,    inf, 0.5000], dtype=float32)");
  assert.equal(inspect(tt.tensor([1])), "tensor([1], dtype=int64)");
  const three = String(tt.arange(8).reshape(2, 2, 2));
  assert.equal(three, "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], dtype=int64)");
});

test("summarizes large tensors", () => {
  assert.equal(String(tt.arange(2000)), "tensor([   0,    1,    2, ..., 1997, 1998, 1999], dtype=int64)");
  const s = String(tt.arange(10000).reshape(100, 100));
  assert.match(s, /^tensor\(\[\[ {3}0, {4}1, {4}2, \.\.\., {3}97, {3}98, {3}99\],/);
  assert.match(s, /\.\.\.,\n/);
  assert.equal(s.split("\n").length, 7);
});

test("Jupyter display: text/plain as printed, HTML with a summary header and a table", () => {
  const t = tt.tensor([
    [1, 2],
    [3, 4],
  ]);
  const out = view(t);
  assert.equal(out["text/plain"], String(t));
  const html = out["text/html"];
  assert.match(html, /\[2, 2\] · int64 · cpu · 4 elements</);
  assert.doesNotMatch(html, /min|mean/, "no float statistics for integers");
  assert.match(html, /<table class="tt-tensor"/);
  assert.deepEqual(cellsOf(html), ["1", "2", "3", "4"]);
});

/** The text of every <td> in order. */
const cellsOf = (html: string) => [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);

test("HTML header gives min, max and mean of floating tensors, and counts nan/inf", () => {
  const html = view(
    tt.tensor([
      [-1.5, 0.25],
      [2, NaN],
    ]),
  )["text/html"];
  assert.match(html, /\[2, 2\] · float32 · cpu · 4 elements · min -1\.5 · max 2 · mean 0\.25 · 1 nan/);
  assert.deepEqual(cellsOf(html), ["-1.5000", "0.2500", "2.0000", "nan"]);
  assert.match(view(tt.tensor(3.5))["text/html"], /\[\] · float32 · cpu · 1 element · min 3\.5/);
  assert.match(view(tt.zeros([0, 3]))["text/html"], /0 elements.*\(empty\)/);
});

test("HTML summarizes a large matrix like PyTorch: first and last three rows and columns", () => {
  const html = view(tt.arange(10000).reshape(100, 100))["text/html"];
  assert.match(html, /\[100, 100\] · int64 · cpu · 10,000 elements/);
  const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => cellsOf(m[1]));
  // A header row, then rows 0 1 2 ⋮ 97 98 99, each with columns 0 1 2 … 97 98 99.
  assert.equal(rows.length, 8);
  assert.deepEqual(rows[1], ["0", "1", "2", "…", "97", "98", "99"]);
  assert.deepEqual(rows[4], ["⋮", "⋮", "⋮", "⋱", "⋮", "⋮", "⋮"]);
  assert.deepEqual(rows[7], ["9900", "9901", "9902", "…", "9997", "9998", "9999"]);
  assert.match(html, /<th[^>]*>97<\/th>/, "column indices head the table");
});

test("HTML of a rank-3+ tensor shows the last two dims of the first slices and counts the rest", () => {
  const html = view(tt.arange(5 * 2 * 3).reshape(5, 2, 3))["text/html"];
  assert.match(html, /\[0, :, :\].*\[1, :, :\].*\[2, :, :\]/);
  assert.doesNotMatch(html, /\[3, :, :\]/);
  assert.match(html, /… 2 more slices of \[2, 3\]/);
  assert.deepEqual(cellsOf(html).slice(0, 6), ["0", "1", "2", "3", "4", "5"]);
  const big = view(tt.zeros([2, 3, 40, 50]))["text/html"];
  assert.match(big, /\[0, 0, :, :\].*\[0, 1, :, :\].*\[0, 2, :, :\]/);
  assert.match(big, /… 3 more slices of \[40, 50\]/);
  assert.match(big, /min 0 · max 0 · mean 0/);
});

test("HTML cuts a long dimension of a small tensor to its first and last ten", () => {
  const html = view(tt.arange(30))["text/html"];
  const cells = cellsOf(html);
  assert.equal(cells.length, 21, "first ten, …, last ten");
  assert.equal(cells[10], "…");
});
