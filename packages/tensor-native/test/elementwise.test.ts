import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { assertClose, nums, randomArray } from "./helpers.ts";

const ref = JSON.parse(readFileSync(new URL("./fixtures/reference.json", import.meta.url), "utf8")) as Record<string, any>;

test("binary ops broadcast [2,3] with [3], [2,1] and scalars", () => {
  const a = tt.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { dtype: "float32" },
  );
  const b = tt.tensor([10, 20, 30], { dtype: "float32" });
  const c = tt.tensor([[2], [4]], { dtype: "float32" });
  assert.deepEqual(a.add(b).toArray(), [
    [11, 22, 33],
    [14, 25, 36],
  ]);
  assert.deepEqual(a.sub(c).toArray(), [
    [-1, 0, 1],
    [0, 1, 2],
  ]);
  assert.deepEqual(a.mul(c).toArray(), [
    [2, 4, 6],
    [16, 20, 24],
  ]);
  assert.deepEqual(a.div(c).toArray(), [
    [0.5, 1, 1.5],
    [1, 1.25, 1.5],
  ]);
  assert.deepEqual(a.pow(2).toArray(), [
    [1, 4, 9],
    [16, 25, 36],
  ]);
  assert.deepEqual(a.maximum(3).toArray(), [
    [3, 3, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(a.minimum(b.div(10)).toArray(), [
    [1, 2, 3],
    [1, 2, 3],
  ]);
  assert.deepEqual(tt.add(a, 1).relu().toArray(), [
    [2, 3, 4],
    [5, 6, 7],
  ]);
  assert.deepEqual(c.add(b).shape, [2, 3]);
});

test("comparisons give bool tensors", () => {
  const a = tt.tensor([1, 2, 3]);
  assert.deepEqual(a.gt(2).toArray(), [false, false, true]);
  assert.deepEqual(a.ge(2).toArray(), [false, true, true]);
  assert.deepEqual(a.lt(2).toArray(), [true, false, false]);
  assert.deepEqual(a.le(2).toArray(), [true, true, false]);
  assert.deepEqual(a.eq(tt.tensor([1, 0, 3])).toArray(), [true, false, true]);
  assert.deepEqual(a.ne(2).toArray(), [true, false, true]);
  assert.equal(a.gt(1.5).dtype, "bool");
  assert.deepEqual(a.gt(1.5).logicalNot().toArray(), [true, false, false]);
});

test("unary math matches float64 references", () => {
  const x = ref.x as number[];
  const t = tt.tensor(x, { dtype: "float32" });
  const pos = t.abs().add(0.1);
  const xs = x.map((v) => Math.fround(v));
  const ps = nums(pos);
  assertClose(nums(t.exp()), xs.map(Math.exp), 2e-6, 1e-6, "exp");
  assertClose(nums(pos.log()), ps.map(Math.log), 1e-6, 1e-6, "log");
  assertClose(nums(pos.sqrt()), ps.map(Math.sqrt), 1e-6, 1e-7, "sqrt");
  assertClose(
    nums(pos.rsqrt()),
    ps.map((v) => 1 / Math.sqrt(v)),
    1e-6,
    1e-7,
    "rsqrt",
  );
  assertClose(nums(t.sin()), xs.map(Math.sin), 1e-6, 1e-6, "sin");
  assertClose(nums(t.cos()), xs.map(Math.cos), 1e-6, 1e-6, "cos");
  assertClose(nums(t.tanh()), ref.tanh, 1e-5, 1e-6, "tanh");
  assertClose(nums(t.sigmoid()), ref.sigmoid, 1e-5, 1e-6, "sigmoid");
  assertClose(nums(t.silu()), ref.silu, 1e-5, 1e-6, "silu");
  assertClose(nums(t.gelu()), ref.gelu, 1e-5, 1e-6, "gelu");
  assertClose(
    nums(t.neg()),
    xs.map((v) => -v),
    0,
    0,
    "neg",
  );
  assertClose(
    nums(t.relu()),
    xs.map((v) => Math.max(v, 0)),
    0,
    0,
    "relu",
  );
  assertClose(
    nums(t.clamp(-1, 0.5)),
    xs.map((v) => Math.min(Math.max(v, -1), 0.5)),
    0,
    0,
    "clamp",
  );
  assertClose(nums(tt.tensor(x, { dtype: "float64" }).gelu()), ref.gelu, 1e-12, 1e-12, "gelu float64");
});

test("exp handles the edges: large, tiny, -inf, nan", () => {
  const t = tt.tensor([100, -100, -Infinity, NaN, 0, 88], { dtype: "float32" });
  const v = nums(t.exp());
  assert.equal(v[0], Infinity);
  assert.equal(v[1], Math.fround(Math.exp(-100))); // a float32 denormal, as in PyTorch
  assert.equal(v[2], 0);
  assert.ok(Number.isNaN(v[3]));
  assert.equal(v[4], 1);
  assertClose([v[5]], [Math.exp(88)], 1e-6, 0, "exp(88)");
});

test("large contiguous and strided inputs use the same results (threaded path)", () => {
  const n = 300_000;
  const data = randomArray(n, 7);
  const a = tt.fromTypedArray(new Float32Array(data));
  const b = tt.fromTypedArray(new Float32Array(randomArray(n, 8)));
  const s = a.add(b).mul(a).sub(1);
  const av = a.data() as Float32Array,
    bv = b.data() as Float32Array;
  const out = s.data() as Float32Array;
  for (const i of [0, 1, 12345, n - 1]) assert.equal(out[i], Math.fround(Math.fround(Math.fround(av[i] + bv[i]) * av[i]) - 1));
  const e = a.exp().data() as Float32Array;
  assertClose(Array.from(e.subarray(0, 1000)), Array.from(av.subarray(0, 1000), Math.exp), 2e-6, 1e-7, "exp big");
  // A transposed view through the same kernels.
  const m = a.narrow(0, 0, 600 * 500).reshape(600, 500);
  const tr = m.t().exp();
  assert.deepEqual(tr.shape, [500, 600]);
  assertClose([tr.select(0, 3).select(0, 7).item() as number], [Math.exp(av[7 * 500 + 3])], 2e-6, 0, "transposed exp");
});

test("non-contiguous inputs: transposed, sliced with steps, expanded", () => {
  const a = tt.arange(12).reshape(3, 4).float();
  assert.deepEqual(a.t().add(1).toArray(), [
    [1, 5, 9],
    [2, 6, 10],
    [3, 7, 11],
    [4, 8, 12],
  ]);
  assert.deepEqual(a.slice(1, 0, null, 2).mul(10).toArray(), [
    [0, 20],
    [40, 60],
    [80, 100],
  ]);
  assert.deepEqual(a.slice(0, 1).slice(1, 1, 3).toArray(), [
    [5, 6],
    [9, 10],
  ]);
  assert.deepEqual(
    tt
      .tensor([1, 2])
      .expand(3, 2)
      .add(tt.tensor([[0], [10], [20]]))
      .toArray(),
    [
      [1, 2],
      [11, 12],
      [21, 22],
    ],
  );
});

test("type promotion follows PyTorch", () => {
  const i64 = tt.tensor([1, 2]),
    i32 = tt.tensor([1, 2], { dtype: "int32" }),
    f32 = tt.tensor([1, 2], { dtype: "float32" });
  const f64 = tt.tensor([1, 2], { dtype: "float64" }),
    u8 = tt.tensor([1, 2], { dtype: "uint8" }),
    bl = tt.tensor([true, false]);
  assert.equal(i64.add(1).dtype, "int64");
  assert.equal(i32.add(1).dtype, "int32");
  assert.equal(i32.add(1.5).dtype, "float32");
  assert.equal(i64.add(i32).dtype, "int64");
  assert.equal(u8.add(i32).dtype, "int32");
  assert.equal(f32.add(f64).dtype, "float64");
  assert.equal(f32.add(i64).dtype, "float32");
  assert.equal(i64.div(2).dtype, "float32");
  assert.deepEqual(i64.div(2).toArray(), [0.5, 1]);
  assert.equal(bl.add(1).dtype, "int64");
  assert.equal(bl.add(bl).dtype, "bool");
  assert.equal(i32.add(tt.tensor(5)).dtype, "int32"); // a 0-d int64 does not widen int32
  assert.equal(i32.add(tt.tensor(5.5)).dtype, "float32"); // a 0-d float of a higher category does
  assert.equal(f32.add(tt.tensor(1, { dtype: "float64" })).dtype, "float32");
  assert.equal(i64.exp().dtype, "float32");
  assert.equal(tt.tensor([1, 2], { dtype: "float16" }).add(tt.tensor([1], { dtype: "bfloat16" })).dtype, "float32");
  assert.equal(tt.tensor([1.5], { dtype: "float16" }).add(1.5).dtype, "float16");
});

test("integer and uint8 arithmetic", () => {
  const a = tt.tensor([5, -3, 7], { dtype: "int32" });
  assert.deepEqual(a.mul(3).toArray(), [15, -9, 21]);
  assert.deepEqual(a.abs().toArray(), [5, 3, 7]);
  assert.deepEqual(a.neg().toArray(), [-5, 3, -7]);
  assert.deepEqual(a.relu().toArray(), [5, 0, 7]);
  assert.deepEqual(a.pow(2).toArray(), [25, 9, 49]);
  assert.deepEqual(tt.tensor([250, 3], { dtype: "uint8" }).add(10).toArray(), [4, 13]); // wraps like torch
  const big = tt.tensor([2 ** 40 + 1]);
  assert.equal(big.add(1).item(), 2 ** 40 + 2);
  assert.throws(() => a.pow(-1), /negative integer powers/);
});

test("where and maskedFill broadcast", () => {
  const x = tt.tensor(
    [
      [-1, 2],
      [3, -4],
    ],
    { dtype: "float32" },
  );
  assert.deepEqual(tt.where(x.gt(0), x, 0).toArray(), [
    [0, 2],
    [3, 0],
  ]);
  assert.deepEqual(tt.where(tt.tensor([true, false]), 1, tt.tensor([[7], [8]])).toArray(), [
    [1, 7],
    [1, 8],
  ]);
  assert.deepEqual(x.maskedFill(x.lt(0), -Infinity).toArray(), [
    [-Infinity, 2],
    [3, -Infinity],
  ]);
  assert.throws(() => tt.where(x, x, x), /condition must be a bool tensor/);
});

test("empty tensors and 0-d scalars", () => {
  const e = tt.zeros([0, 3]);
  assert.deepEqual(e.add(1).shape, [0, 3]);
  assert.deepEqual(e.exp().toArray(), []);
  assert.deepEqual(e.add(tt.ones([3])).shape, [0, 3]);
  const s = tt.tensor(2.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.mul(2).item(), 5);
  assert.equal(
    s
      .add(tt.ones([2, 2]))
      .sum()
      .item(),
    14,
  );
});

test("broadcast errors name both shapes", () => {
  assert.throws(() => tt.zeros([2, 3]).add(tt.zeros([4])), /add: shapes \[2,3\] and \[4\] cannot be broadcast together \(3 ≠ 4/);
  assert.throws(() => tt.zeros([2, 3]).mul(tt.zeros([3, 3])), /mul: shapes \[2,3\] and \[3,3\]/);
  assert.throws(() => (tt.zeros([2]) as any).add("x"), /expected a tensor or a number/);
});
