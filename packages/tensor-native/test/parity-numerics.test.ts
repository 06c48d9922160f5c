/**
 * Float results at the edges of their range that must agree with PyTorch 1.13: overflow,
 * denormals, NaN against infinities, cancellation. Expected values from torch 1.13 (CPU).
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { assertClose, assertTensor as same, nums } from "./helpers.ts";

const f32 = { dtype: "float32" } as const;

test("float pow by a number: 0.5 and -0.5 as sqrt and rsqrt, the exponent kept in double", () => {
  same(tt.tensor([-Infinity, -0.0]).pow(0.5), "float32", [2], [NaN, -0]);
  same(tt.tensor([-Infinity, -0.0, 4]).pow(-0.5), "float32", [3], [NaN, -Infinity, 0.5]);
  same(tt.tensor([-Infinity, -0.0]).double().pow(0.5), "float64", [2], [NaN, -0]);
  same(tt.tensor([-Infinity, -0.0]).bfloat16().pow(0.5), "bfloat16", [2], [NaN, -0]);
  same(tt.tensor([[-0.5]]).pow(3.0000001), "float32", [1, 1], [[NaN]]);
  same(tt.tensor([-0.5, 2]).pow(3), "float32", [2], [-0.125, 8]);
  assertClose(nums(tt.tensor([2, 3]).pow(0.5)), [1.4142135381698608, 1.7320507764816284]);
});

test("logsumexp: a NaN wins over an infinity", () => {
  assert.ok(Number.isNaN(tt.tensor([NaN, Infinity, 1], f32).logsumexp(0).item() as number));
  assert.ok(
    Number.isNaN(
      tt
        .tensor(
          Array.from({ length: 40 }, (_, i) => (i === 7 ? NaN : i === 9 ? Infinity : i)),
          f32,
        )
        .logsumexp(0)
        .item() as number,
    ),
  );
  assert.equal(tt.tensor([Infinity, 1], f32).logsumexp(0).item(), Infinity);
});

test("exp over float32's whole range, in the vector body and the tail", () => {
  const xs = [88.5, 88.72, -88, -103, 89];
  const expected = [2.723087918012828e38, 3.3931806003874245e38, 6.054601485195952e-39, 1.401298464324817e-45, Infinity];
  // 20 copies: vector lanes and a scalar tail both see every value.
  const x = tt.tensor(
    Array.from({ length: 100 }, (_, i) => xs[i % 5]),
    f32,
  );
  assertClose(
    nums(x.exp()),
    Array.from({ length: 100 }, (_, i) => expected[i % 5]),
    1e-6,
    0,
    "exp",
  );
});

test("std whose variance passes float32's range (the root is taken before rounding)", () => {
  assertClose([tt.tensor([0, 1e30], f32).std().item() as number], [7.071067565216947e29], 1e-6, 0, "float32");
  assert.equal(tt.tensor([1.6875, -60000], { dtype: "float16" }).std().item(), 42432);
});

test("logSoftmax of huge equal values keeps log(n)", () => {
  assertClose(
    nums(tt.tensor([-1e300, -1e300], { dtype: "float64" }).logSoftmax(0)),
    [-0.6931471805599453, -0.6931471805599453],
    1e-12,
    0,
    "f64",
  );
  assertClose(nums(tt.tensor([-1e30, -1e30], f32).logSoftmax(0)), [-0.6931471824645996, -0.6931471824645996], 1e-6, 0, "f32");
});
