import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { nums } from "./helpers.ts";

test("tensor() infers dtype and shape like torch.tensor", () => {
  assert.equal(
    tt.tensor([
      [1, 2],
      [3, 4],
    ]).dtype,
    "int64",
  );
  assert.equal(tt.tensor([1.5, 2]).dtype, "float32");
  assert.equal(tt.tensor([true, false]).dtype, "bool");
  assert.deepEqual(tt.tensor(3).shape, []);
  assert.deepEqual(tt.tensor([]).shape, [0]);
  assert.deepEqual(tt.tensor([[1, 2]], { dtype: "float64" }).toArray(), [[1, 2]]);
  assert.throws(() => tt.tensor([[1, 2], [3]]), /ragged/);
  assert.throws(() => tt.tensor([1], { dtype: "float8" as never }), /unknown dtype "float8"/);
  assert.equal(tt.tensor([1]).device, "cpu");
  assert.throws(() => tt.zeros([2], { device: "cuda" as never }), /device "cuda" is not available/);
});

test("zeros ones full eye arange linspace", () => {
  assert.deepEqual(tt.zeros([2, 2]).toArray(), [
    [0, 0],
    [0, 0],
  ]);
  assert.equal(tt.ones([2], { dtype: "int32" }).dtype, "int32");
  assert.deepEqual(tt.full([2], 7).toArray(), [7, 7]);
  assert.equal(tt.full([2], 7).dtype, "int64");
  assert.equal(tt.full([2], 0.5).dtype, "float32");
  assert.deepEqual(tt.eye(2, 3).toArray(), [
    [1, 0, 0],
    [0, 1, 0],
  ]);
  assert.deepEqual(tt.arange(5).toArray(), [0, 1, 2, 3, 4]);
  assert.deepEqual(tt.arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(tt.arange(5, 0, -2).toArray(), [5, 3, 1]);
  assert.deepEqual(tt.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
  assert.throws(() => tt.zeros([2, -1]), /invalid shape \[2,-1\]/);
  assert.deepEqual(tt.zerosLike(tt.tensor([1, 2])).toArray(), [0, 0]);
});

test("rand, randn, randint are seeded and well distributed", () => {
  tt.manualSeed(42);
  const a = tt.randn([10000]);
  tt.manualSeed(42);
  const b = tt.randn([10000]);
  assert.deepEqual(a.toArray(), b.toArray());
  assert.ok(Math.abs(a.mean().item() as number) < 0.05);
  assert.ok(Math.abs((a.std().item() as number) - 1) < 0.05);
  const u = tt.rand([10000]);
  assert.ok((u.min().item() as number) >= 0 && (u.max().item() as number) < 1);
  assert.ok(Math.abs((u.mean().item() as number) - 0.5) < 0.02);
  const r = tt.randint(3, 7, [1000]);
  assert.equal(r.dtype, "int64");
  assert.equal(r.min().item(), 3);
  assert.equal(r.max().item(), 6);
  assert.throws(() => tt.randn([2], { dtype: "int32" }), /floating point dtype/);
});

test("every dtype round-trips through casts and data()", () => {
  const src = tt.tensor([0, 1.5, -2.25, 3], { dtype: "float64" });
  const expect: Record<string, number[]> = {
    float32: [0, 1.5, -2.25, 3],
    float64: [0, 1.5, -2.25, 3],
    float16: [0, 1.5, -2.25, 3],
    bfloat16: [0, 1.5, -2.25, 3],
    int32: [0, 1, -2, 3],
    int64: [0, 1, -2, 3],
    uint8: [0, 1, 254, 3],
    bool: [0, 1, 1, 1],
  };
  for (const d of tt.DTYPES) {
    const t = src.to(d);
    assert.equal(t.dtype, d);
    assert.deepEqual(nums(t), expect[d], d);
    assert.deepEqual(nums(t.to("float64").to(d)), expect[d], `${d} round trip`);
  }
  assert.ok(tt.tensor([1], { dtype: "int64" }).data() instanceof BigInt64Array);
  assert.ok(tt.tensor([1], { dtype: "float32" }).data() instanceof Float32Array);
  assert.deepEqual(Array.from(tt.tensor([1], { dtype: "float16" }).data()), [0x3c00]);
  assert.deepEqual(Array.from(tt.tensor([1], { dtype: "bfloat16" }).data()), [0x3f80]);
  assert.equal(tt.tensor([1 / 3], { dtype: "float16" }).item(), 0.333251953125);
  assert.equal(tt.tensor([65520], { dtype: "float32" }).half().item(), Infinity);
  assert.equal(tt.tensor([1e-7], { dtype: "float32" }).half().item(), 1.1920928955078125e-7); // subnormal
});

test("fromTypedArray copies and checks shape", () => {
  const arr = new Float32Array([1, 2, 3, 4]);
  const t = tt.fromTypedArray(arr, [2, 2]);
  arr[0] = 100;
  assert.deepEqual(t.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.equal(tt.fromTypedArray(new Int32Array([1, 2])).dtype, "int32");
  assert.equal(
    tt
      .fromTypedArray(new BigInt64Array([1n, 2n]))
      .sum()
      .item(),
    3,
  );
  assert.deepEqual(tt.fromTypedArray(new Int32Array([1, 2]), [2], { dtype: "float32" }).toArray(), [1, 2]);
  assert.throws(() => tt.fromTypedArray(arr, [3]), /needs 3 elements, the array has 4/);
  assert.throws(() => tt.tensor([1, 2]).item(), /2 elements cannot be converted to a scalar/);
});
