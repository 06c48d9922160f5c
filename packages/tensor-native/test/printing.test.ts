import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";

test("prints like PyTorch", () => {
  assert.equal(String(tt.tensor([[1.5, 2], [3, 4]])), "tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]], dtype=float32)");
  assert.equal(String(tt.tensor([[1, 2], [3, 4]], { dtype: "float32" })), "tensor([[1., 2.],\n        [3., 4.]], dtype=float32)");
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

test("Jupyter display gives text and an HTML table", () => {
  const t = tt.tensor([[1, 2], [3, 4]]);
  const out = t[Symbol.for("Jupyter.display")]();
  assert.equal(out["text/plain"], String(t));
  assert.match(out["text/html"], /<table class="tt-tensor"><caption>int64 \[2, 2\]<\/caption><tr><td>1<\/td><td>2<\/td><\/tr>/);
});
