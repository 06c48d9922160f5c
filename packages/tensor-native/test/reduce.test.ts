import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { assertClose, nums, randomArray } from "./helpers.ts";

const ref = JSON.parse(readFileSync(new URL("./fixtures/reference.json", import.meta.url), "utf8")) as Record<string, any>;

test("sum, mean, prod over dims with keepdim", () => {
  const a = tt.arange(24).reshape(2, 3, 4).float();
  assert.equal(a.sum().item(), 276);
  assert.deepEqual(a.sum(0).shape, [3, 4]);
  assert.deepEqual(a.sum(2).toArray(), [
    [6, 22, 38],
    [54, 70, 86],
  ]);
  assert.deepEqual(a.sum([0, 2]).toArray(), [60, 92, 124]);
  assert.deepEqual(a.sum(-1, true).shape, [2, 3, 1]);
  assert.deepEqual(a.mean(1).toArray(), [
    [4, 5, 6, 7],
    [16, 17, 18, 19],
  ]);
  assert.deepEqual(
    tt
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .prod(1)
      .toArray(),
    [2, 12],
  );
  assert.equal(
    tt
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .sum().dtype,
    "int64",
  );
  assert.equal(tt.tensor([true, true, false]).sum().item(), 2);
});

test("max, min, argmax, argmin", () => {
  const a = tt.tensor(
    [
      [3, 9, 1],
      [7, 2, 8],
    ],
    { dtype: "float32" },
  );
  assert.equal(a.max().item(), 9);
  assert.equal(a.min().item(), 1);
  const m = a.max(1);
  assert.deepEqual(m.values.toArray(), [9, 8]);
  assert.deepEqual(m.indices.toArray(), [1, 2]);
  assert.equal(m.indices.dtype, "int64");
  assert.deepEqual(a.min(0, true).values.toArray(), [[3, 2, 1]]);
  assert.equal(a.argmax().item(), 1);
  assert.deepEqual(a.argmin(1).toArray(), [2, 1]);
  assert.deepEqual(a.t().argmax(0).toArray(), [1, 2]);
  assert.ok(Number.isNaN(tt.tensor([1, NaN, 3]).max().item() as number));
  assert.throws(() => tt.zeros([0]).max(), /zero-size/);
});

test("var, std, logsumexp, softmax match numpy references", () => {
  const m = tt.tensor(ref.m, { dtype: "float64" });
  assertClose(nums(m.var(1)), ref.var1, 1e-12, 1e-12, "var1");
  assertClose(nums(m.std(0)), ref.std0, 1e-12, 1e-12, "std0");
  assertClose([m.var(undefined, false, 0).item() as number], [ref.var_all_pop], 1e-12, 1e-12, "var pop");
  assertClose(nums(m.logsumexp(0)), ref.logsumexp0, 1e-12, 1e-12, "lse0");
  assertClose(nums(m.softmax(1)), ref.softmax1, 1e-12, 1e-14, "softmax1");
  assertClose(nums(m.logSoftmax(0)), ref.logsoftmax0, 1e-12, 1e-12, "logsoftmax0");
  assertClose(nums(m.prod(1)), ref.prod1, 1e-12, 1e-14, "prod1");
  const f = m.float();
  assertClose(nums(f.var(1)), ref.var1, 1e-5, 1e-6, "var1 f32");
  assertClose(nums(f.softmax(1)), ref.softmax1, 1e-5, 1e-7, "softmax1 f32");
  assertClose(nums(f.logSoftmax(0)), ref.logsoftmax0, 1e-5, 1e-6, "logsoftmax0 f32");
  assertClose(nums(f.logsumexp(0)), ref.logsumexp0, 1e-5, 1e-6, "lse f32");
  assert.throws(() => tt.tensor([1, 2]).mean(), /floating point/);
});

test("random float32 reductions against a float64 reference", () => {
  const R = 37,
    C = 1031;
  const data = randomArray(R * C, 3, -3, 3);
  const t = tt.fromTypedArray(new Float32Array(data), [R, C]);
  const xs = Array.from(t.data() as Float32Array);
  const rowSum = Array.from({ length: R }, (_, r) => xs.slice(r * C, (r + 1) * C).reduce((a, b) => a + b, 0));
  assertClose(nums(t.sum(1)), rowSum, 1e-5, 1e-4, "row sums");
  const colMax = Array.from({ length: C }, (_, c) => Math.max(...Array.from({ length: R }, (_, r) => xs[r * C + c])));
  assertClose(nums(t.max(0).values), colMax, 0, 0, "col max");
  const sm = nums(t.softmax(0));
  for (let c = 0; c < 5; c++) {
    const col = Array.from({ length: R }, (_, r) => xs[r * C + c]);
    const mx = Math.max(...col);
    const z = col.reduce((a, v) => a + Math.exp(v - mx), 0);
    assertClose(
      col.map((_, r) => sm[r * C + c]),
      col.map((v) => Math.exp(v - mx) / z),
      1e-5,
      1e-7,
      `softmax col ${c}`,
    );
  }
  assertClose([t.sum().item() as number], [rowSum.reduce((a, b) => a + b, 0)], 1e-5, 1e-3, "total");
});

test("softmax rows of -inf and half dtypes", () => {
  const x = tt.tensor(
    [
      [0, -Infinity],
      [1, 1],
    ],
    { dtype: "float32" },
  );
  assert.deepEqual(x.softmax(1).toArray(), [
    [1, 0],
    [0.5, 0.5],
  ]);
  const h = tt.tensor([[1, 2, 3]], { dtype: "float16" });
  const s = h.softmax(-1);
  assert.equal(s.dtype, "float16");
  assertClose(nums(s), [0.0900306, 0.2447285, 0.6652409], 2e-3, 1e-4, "softmax f16");
  assert.equal(h.sum().dtype, "float16");
  assert.equal(h.sum().item(), 6);
});

test("reductions of empty tensors and 0-d scalars", () => {
  assert.equal(tt.zeros([0]).sum().item(), 0);
  assert.equal(tt.ones([0, 3]).prod().item(), 1);
  assert.deepEqual(tt.zeros([0, 3]).sum(0).toArray(), [0, 0, 0]);
  assert.equal(tt.tensor(4.5).sum().item(), 4.5);
  assert.equal(tt.tensor(4.5).max().item(), 4.5);
  assert.equal(tt.tensor(4.5).softmax(0).item(), 1);
});
