/**
 * Forward results that must agree with PyTorch 1.13. Every expected value here was
 * computed with torch 1.13 (CPU) and written in; the tests need no Python.
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { assertClose, assertTensor as same, nums } from "./helpers.ts";

const f32 = { dtype: "float32" } as const;

const isNaNs = (t: tt.Tensor): boolean => nums(t).every(Number.isNaN);

test("softmax/logSoftmax over a dim that is not the last, in every float dtype", () => {
  const x = tt.tensor([[1, 2, 3]], f32);
  same(x.softmax(0), "float32", [1, 3], [[1, 1, 1]]);
  same(x.logSoftmax(0), "float32", [1, 3], [[0, 0, 0]]);
  for (const dt of ["float16", "bfloat16", "float64"] as const) {
    same(x.to(dt).softmax(0), dt, [1, 3], [[1, 1, 1]]);
    same(x.to(dt).logSoftmax(0), dt, [1, 3], [[0, 0, 0]]);
  }
  const y = tt.arange(6).reshape(1, 2, 3).float().softmax(-2);
  assert.ok(y.isContiguous());
  assertClose(
    nums(y),
    [0.04742587357759476, 0.04742587357759476, 0.04742587357759476, 0.9525741338729858, 0.9525741338729858, 0.9525741338729858],
  );
  const l = tt.arange(6).reshape(2, 3).float().t().logSoftmax(0);
  assertClose(
    nums(l),
    [-2.4076058864593506, -2.4076058864593506, -1.4076058864593506, -1.4076058864593506, -0.40760594606399536, -0.40760594606399536],
  );
  assert.deepEqual(tt.zeros([2, 0]).softmax(1).shape, [2, 0]);
});

test("softmax/logSoftmax of 0-d tensors and of rows with NaN or infinities", () => {
  same(tt.tensor(3, f32).softmax(0), "float32", [], 1);
  same(tt.tensor(3, f32).logSoftmax(-1), "float32", [], 0);
  for (const v of [NaN, Infinity, -Infinity]) {
    assert.ok(Number.isNaN(tt.tensor(v).softmax(0).item()), `softmax(${v})`);
    assert.ok(Number.isNaN(tt.tensor(v).logSoftmax(0).item()), `logSoftmax(${v})`);
  }
  assert.throws(() => tt.tensor(3, f32).softmax(1), /out of range/);
  const rows = tt.tensor([
    [1, NaN],
    [-Infinity, -Infinity],
    [Infinity, 1],
    [Infinity, Infinity],
  ]);
  assert.ok(isNaNs(rows.softmax(1)));
  assert.ok(isNaNs(rows.logSoftmax(1)));
  assert.ok(isNaNs(rows.double().softmax(1)));
});

test("logicalNot gives bool; any/all take dim and keepdim", () => {
  same(tt.tensor([1.5, 0, NaN]).logicalNot(), "bool", [3], [false, true, false]);
  same(tt.tensor([1, 0], { dtype: "uint8" }).logicalNot(), "bool", [2], [false, true]);
  const b = tt.tensor([
    [true, false],
    [true, true],
  ]);
  same(b.any(1), "bool", [2], [true, true]);
  same(b.any(1, true), "bool", [2, 1], [[true], [true]]);
  same(b.all(0), "bool", [2], [true, false]);
  same(b.all(-1, true), "bool", [2, 1], [[false], [true]]);
  same(b.any(), "bool", [], true);
  same(tt.tensor([[1.5, 0]]).any(0, true), "bool", [1, 2], [[true, false]]);
  same(tt.tensor([[1, 0]], { dtype: "float16" }).any(1), "bool", [1], [true]);
  same(tt.tensor([[1, 0]], { dtype: "int32" }).all(), "bool", [], false);
  // uint8 keeps its dtype, as in PyTorch 1.13.
  same(tt.tensor([[1, 0]], { dtype: "uint8" }).all(), "uint8", [], 0);
  same(tt.tensor([[0, 1]], { dtype: "uint8" }).any(1), "uint8", [1], [1]);
  same(tt.zeros([0, 3]).all(0), "bool", [3], [true, true, true]);
  same(tt.zeros([0, 3]).any(0), "bool", [3], [false, false, false]);
  same(tt.tensor([NaN]).all(), "bool", [], true);
  same(tt.tensor(0).any(-1), "bool", [], false);
  assert.throws(() => b.any(2), /any: dimension 2 is out of range/);
});

test("reductions over an empty dim: identities, NaN, -inf, or an error", () => {
  const e = tt.zeros([0, 3]);
  same(e.logsumexp(0), "float32", [3], [-Infinity, -Infinity, -Infinity]);
  same(e.logsumexp(0, true), "float32", [1, 3], [[-Infinity, -Infinity, -Infinity]]);
  same(e.logsumexp([0, 1]), "float32", [], -Infinity);
  for (const t of [e.var(0), e.std(0), e.mean(0)]) {
    assert.deepEqual(t.shape, [3]);
    assert.ok(isNaNs(t));
  }
  assert.ok(Number.isNaN(e.mean().item()));
  assert.ok(Number.isNaN(tt.zeros([0], { dtype: "float16" }).mean().item()));
  same(e.sum(0, true), "float32", [1, 3], [[0, 0, 0]]);
  same(tt.zeros([0], { dtype: "int64" }).prod(), "int64", [], 1);
  assert.throws(() => e.max(0), /zero-size/);
  assert.throws(() => e.min(0), /zero-size/);
  assert.deepEqual(e.max(1).values.shape, [0]);
  assert.deepEqual(e.argmax(1).shape, [0]);
  // 0-d: one element, so var with the default correction is 0/0.
  assert.ok(Number.isNaN(tt.tensor(3.5).var().item()));
  assert.ok(Number.isNaN(tt.tensor(3.5).std().item()));
  same(tt.tensor(3.5, f32).var(0, false, 0), "float32", [], 0);
});

test("split and chunk of a zero-size dim, and their argument checks", () => {
  const e = tt.zeros([0, 3]);
  const shapes = (ts: tt.Tensor[]): number[][] => ts.map((t) => t.shape as number[]);
  assert.deepEqual(shapes(e.split(2)), [[0, 3]]);
  assert.deepEqual(shapes(e.split(0)), [[0, 3]]);
  assert.deepEqual(shapes(e.split([0, 0])), [
    [0, 3],
    [0, 3],
  ]);
  assert.deepEqual(shapes(e.chunk(3)), [
    [0, 3],
    [0, 3],
    [0, 3],
  ]);
  assert.deepEqual(shapes(tt.split(e, 2)), [[0, 3]]);
  assert.deepEqual(shapes(tt.chunk(e, 2)), [
    [0, 3],
    [0, 3],
  ]);
  const g = tt.zeros([0, 3], { requiresGrad: true });
  assert.deepEqual(shapes(g.chunk(3)), [
    [0, 3],
    [0, 3],
    [0, 3],
  ]);
  assert.deepEqual(
    tt
      .arange(5)
      .chunk(3)
      .map((t) => t.toArray()),
    [[0, 1], [2, 3], [4]],
  );
  assert.deepEqual(
    tt
      .arange(6)
      .chunk(4)
      .map((t) => t.toArray()),
    [
      [0, 1],
      [2, 3],
      [4, 5],
    ],
  );
  assert.deepEqual(
    tt
      .arange(2)
      .chunk(5)
      .map((t) => t.toArray()),
    [[0], [1]],
  );
  assert.deepEqual(
    tt
      .arange(5)
      .float()
      .requiresGrad_()
      .chunk(3)
      .map((t) => t.shape[0]),
    [2, 2, 1],
  );
  assert.throws(() => tt.arange(4).split(0), /size can only be 0 if the dimension is 0/);
  assert.throws(() => tt.arange(2).split(-1), /non-negative integer/);
  assert.throws(() => tt.arange(3).split([4, -1]), /non-negative integers/);
  assert.throws(() => tt.arange(2).chunk(0), /chunks must be a positive integer, got 0/);
  assert.throws(() => tt.tensor(3).split(1), /at least 1 dimension/);
  assert.throws(() => tt.tensor(3).chunk(1), /at least 1 dimension/);
});

test("gather, indexSelect and scatterAdd on 0-d tensors", () => {
  const s = tt.tensor(5, f32);
  same(s.gather(0, tt.tensor(0)), "float32", [], 5);
  same(s.gather(-1, tt.tensor(0)), "float32", [], 5);
  same(s.gather(0, tt.tensor([0])), "float32", [1], [5]);
  same(s.gather(0, tt.tensor([0, 0])), "float32", [2], [5, 5]);
  assert.throws(() => s.gather(0, tt.tensor(1)), /index 1 is out of range/);
  same(tt.tensor([1, 2], f32).gather(0, tt.tensor(1)), "float32", [], 2);
  assert.throws(() => tt.tensor([[1, 2]], f32).gather(0, tt.tensor(0)), /same number of dimensions/);
  // PyTorch gives a 0-d result for a 0-d input whatever the index length.
  same(s.indexSelect(0, tt.tensor(0)), "float32", [], 5);
  same(s.indexSelect(0, tt.tensor([0, 0])), "float32", [], 5);
  assert.throws(() => s.indexSelect(0, tt.tensor([1])), /index 1 is out of range/);
  same(tt.tensor([1, 2], f32).indexSelect(0, tt.tensor(1)), "float32", [1], [2]);
  same(s.scatterAdd(0, tt.tensor(0), tt.tensor(2, f32)), "float32", [], 7);
  same(s.scatterAdd(0, tt.tensor([0]), tt.tensor([2], f32)), "float32", [], 7);
  same(s.scatterAdd(0, tt.tensor(0), tt.tensor([2], f32)), "float32", [], 7);
  same(s.scatterAdd(0, tt.tensor([0, 0]), tt.tensor([2, 3], f32)), "float32", [], 10);
});

test("narrow, select, slice, squeeze and flatten check dims on 0-d tensors", () => {
  const s = tt.tensor(5);
  assert.throws(() => s.narrow(0, 0, 1), /narrow: cannot be applied to a 0-d tensor/);
  assert.throws(() => s.select(0, 0), /select: cannot be applied to a 0-d tensor/);
  assert.throws(() => s.slice(0, 0, 1), /slice: cannot be applied to a 0-d tensor/);
  assert.throws(() => s.squeeze(1), /out of range/);
  assert.throws(() => s.flatten(1), /out of range/);
  same(s.squeeze(0), "int64", [], 5);
  same(s.flatten(0, -1), "int64", [1], [5]);
  same(tt.arange(3).narrow(0, -3, 1), "int64", [1], [0]);
  same(tt.arange(3).narrow(0, 3, 0), "int64", [0], []);
});

test("an empty dim list reduces over every dim; a repeated dim is an error", () => {
  const x = tt.arange(6).reshape(2, 3).float();
  same(x.sum([]), "float32", [], 15);
  same(x.sum([], true), "float32", [1, 1], [[15]]);
  same(x.mean([]), "float32", [], 2.5);
  same(x.var([]), "float32", [], 3.5);
  assertClose([x.std([]).item() as number], [1.8708287477493286]);
  same(tt.tensor(3, f32).sum([]), "float32", [], 3);
  // Deliberate (docs/pytorch-coverage.md): logsumexp and prod follow the same dim rules.
  assertClose([x.logsumexp([]).item() as number], [5.456193447113037]);
  same(
    tt
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .prod([0, 1]),
    "int64",
    [],
    24,
  );
  assert.throws(() => x.sum([0, 0]), /dim 0 appears multiple times/);
  assert.throws(() => x.sum([1, -1]), /dim 1 appears multiple times/);
  const w = tt.arange(6).reshape(2, 3).float().requiresGrad_();
  w.sum([]).backward();
  assert.deepEqual(w.grad?.toArray(), [
    [1, 1, 1],
    [1, 1, 1],
  ]);
});

test("gather and scatterAdd take an index smaller than the input outside dim", () => {
  const x = tt.arange(12).reshape(3, 4).float();
  same(x.gather(1, tt.tensor([[0], [3]])), "float32", [2, 1], [[0], [7]]);
  same(x.gather(1, tt.tensor([[0, 1, 2, 3, 0, 1]])), "float32", [1, 6], [[0, 1, 2, 3, 0, 1]]);
  same(
    x.t().gather(
      0,
      tt.tensor([
        [1, 2],
        [0, 0],
      ]),
    ),
    "float32",
    [2, 2],
    [
      [1, 6],
      [0, 4],
    ],
  );
  same(tt.zeros([3, 2]).gather(1, tt.zeros([0, 0], { dtype: "int64" })), "float32", [0, 0], []);
  assert.throws(() => x.gather(1, tt.tensor([[0], [3], [1], [1]])), /no larger than input \[3,4\] apart from dimension 1/);
  const z = tt.zeros([3, 4]);
  same(
    z.scatterAdd(
      1,
      tt.tensor([
        [0, 3],
        [1, 1],
      ]),
      tt.ones([2, 2]),
    ),
    "float32",
    [3, 4],
    [
      [1, 0, 0, 1],
      [0, 2, 0, 0],
      [0, 0, 0, 0],
    ],
  );
  same(
    z.scatterAdd(
      1,
      tt.tensor([
        [0, 3],
        [1, 1],
      ]),
      tt.arange(9).reshape(3, 3).float(),
    ),
    "float32",
    [3, 4],
    [
      [0, 0, 0, 1],
      [0, 7, 0, 0],
      [0, 0, 0, 0],
    ],
  );
  same(
    z.half().scatterAdd(
      1,
      tt.tensor([
        [0, 3],
        [1, 1],
      ]),
      tt.ones([2, 2], { dtype: "float16" }),
    ),
    "float16",
    [3, 4],
    [
      [1, 0, 0, 1],
      [0, 2, 0, 0],
      [0, 0, 0, 0],
    ],
  );
  same(
    tt.zeros([3, 2]).scatterAdd(1, tt.tensor([[0, 1, 1]]), tt.ones([1, 3])),
    "float32",
    [3, 2],
    [
      [1, 2],
      [0, 0],
      [0, 0],
    ],
  );
  same(
    tt.zeros([3, 2]).scatterAdd(1, tt.zeros([0, 0], { dtype: "int64" }), tt.ones([1, 3])),
    "float32",
    [3, 2],
    [
      [0, 0],
      [0, 0],
      [0, 0],
    ],
  );
  assert.throws(
    () =>
      z.scatterAdd(
        1,
        tt.tensor([
          [0, 3],
          [1, 1],
        ]),
        tt.ones([2, 1]),
      ),
    /no larger than src \[2,1\]/,
  );
  assert.throws(() => z.scatterAdd(1, tt.tensor([[0], [1], [2], [3]]), tt.ones([4, 1])), /no larger than input \[3,4\]/);
  // The gradient of such a gather goes through the same scatterAdd.
  const w = tt.arange(12).reshape(3, 4).float().requiresGrad_();
  w.gather(1, tt.tensor([[0], [3]]))
    .sum()
    .backward();
  assert.deepEqual(w.grad?.toArray(), [
    [1, 0, 0, 0],
    [0, 0, 0, 1],
    [0, 0, 0, 0],
  ]);
});

test("scatterAdd on bool stays a mask; src must have the input's dtype", () => {
  const r = tt.tensor([true, false, false]).scatterAdd(0, tt.tensor([0, 0, 1]), tt.tensor([true, true, true]));
  same(r, "bool", [3], [true, true, false]);
  assert.deepEqual(r.to("int64").toArray(), [1, 1, 0]); // stored as 1, not 2
  same(tt.tensor([false, false]).scatterAdd(0, tt.tensor([0, 0]), tt.tensor([true, true])), "bool", [2], [true, false]);
  assert.throws(
    () => tt.tensor([false, false]).scatterAdd(0, tt.tensor([0, 0]), tt.tensor([1, 1], f32)),
    /src must have the dtype of the input/,
  );
  assert.throws(() => tt.zeros([2]).scatterAdd(0, tt.tensor([0]), tt.ones([1], { dtype: "float64" })), /got float64 and float32/);
});

test("logsumexp promotes integer and bool inputs to float32", () => {
  const a = tt.tensor([1, 2, 3]).logsumexp(0);
  assert.equal(a.dtype, "float32");
  assertClose([a.item() as number], [3.4076058864593506]);
  assertClose([tt.tensor([1, 2, 3], { dtype: "int32" }).logsumexp(0).item() as number], [3.4076058864593506]);
  const b = tt.tensor([true, false]).logsumexp(0);
  assert.equal(b.dtype, "float32");
  assertClose([b.item() as number], [1.31326162815094]);
  assert.throws(() => tt.tensor([1, 2]).mean(), /floating point/); // mean does not promote
});

test("integer pow with negative tensor exponents", () => {
  same(tt.tensor([1, 2, -1, 0, 3]).pow(tt.tensor([-1, -1, -1, -2, -2])), "int64", [5], [1, 0, -1, 0, 0]);
  same(tt.tensor([-1, -1, 5, -5]).pow(tt.tensor([-2, -3, 0, -1])), "int64", [4], [1, -1, 1, 0]);
  same(tt.tensor([1, 2, -1, 0], { dtype: "int32" }).pow(tt.tensor([-1, -2, -3, -1], { dtype: "int32" })), "int32", [4], [1, 0, -1, 0]);
  same(tt.tensor([1, 2]).pow(tt.tensor(-1)), "int64", [2], [1, 0]);
  same(tt.tensor([2, 3]).pow(tt.tensor([2, 0])), "int64", [2], [4, 1]);
  assert.throws(() => tt.tensor([1, 2]).pow(-1), /negative integer powers are not allowed/);
  same(tt.tensor([1, 2]).pow(-1.0 + 0.5), "float32", [2], [1, Math.fround(2 ** -0.5)]);
  same(tt.tensor([true, false]).pow(2), "int64", [2], [1, 0]);
  same(tt.tensor([2]).pow(true), "int64", [1], [2]);
});

test("argmax/argmin refuse bool; max/min take it", () => {
  const b = tt.tensor([true, false]);
  assert.throws(() => b.argmax(), /argmax: bool tensors are not supported/);
  assert.throws(() => b.argmin(0, true), /argmin: bool tensors are not supported/);
  const m = b.max(0);
  same(m.values, "bool", [], true);
  same(m.indices, "int64", [], 0);
  same(b.min(), "bool", [], false);
});

test("var and std with correction >= n divide by max(0, n - correction)", () => {
  const t = tt.tensor([1, 2, 4], f32);
  same(t.var(0, false, 5), "float32", [], Infinity);
  same(t.var(0, false, 3), "float32", [], Infinity);
  same(t.std(undefined, false, 5), "float32", [], Infinity);
  same(t.half().var(undefined, false, 3), "float16", [], Infinity);
  assert.ok(Number.isNaN(tt.tensor([1, 1, 1], f32).var(0, false, 5).item()));
  assertClose([t.var(0, false, 2).item() as number], [4.666666507720947]);
});

test("cat promotes over every input, legacy empty [0] pieces included", () => {
  same(tt.cat([tt.zeros([0], { dtype: "float64" }), tt.ones([2])]), "float64", [2], [1, 1]);
  same(
    tt.cat([tt.zeros([0], { dtype: "float64" }), tt.ones([2, 2])]),
    "float64",
    [2, 2],
    [
      [1, 1],
      [1, 1],
    ],
  );
  same(
    tt.cat([tt.zeros([0, 2], { dtype: "float64" }), tt.ones([2, 2])]),
    "float64",
    [2, 2],
    [
      [1, 1],
      [1, 1],
    ],
  );
  same(
    tt.cat([tt.zeros([0], { dtype: "int64" }), tt.ones([2, 2], { dtype: "bool" })]),
    "int64",
    [2, 2],
    [
      [1, 1],
      [1, 1],
    ],
  );
  same(tt.cat([tt.zeros([0], { dtype: "int64" }), tt.zeros([0])]), "float32", [0], []);
  same(tt.cat([tt.tensor([true]), tt.tensor([2])]), "int64", [2], [1, 2]);
  same(
    tt.cat([tt.zeros([0]), tt.ones([2, 2])], -1),
    "float32",
    [2, 2],
    [
      [1, 1],
      [1, 1],
    ],
  );
  assert.throws(() => tt.cat([tt.zeros([0]), tt.ones([2, 2])], 5), /out of range/);
  assert.throws(() => tt.cat([tt.tensor(1), tt.tensor(2)]), /0-d tensor \(at position 0\) cannot be concatenated/);
  same(tt.stack([tt.tensor([1], f32), tt.tensor([2], { dtype: "float64" })]), "float64", [2, 1], [[1], [2]]);
  same(tt.stack([tt.tensor(1.5), tt.tensor(2.5)]), "float32", [2], [1.5, 2.5]);
});

test("maskedSelect broadcasts x and mask together", () => {
  same(
    tt.tensor([1, 2]).maskedSelect(
      tt.tensor([
        [true, false],
        [false, true],
      ]),
    ),
    "int64",
    [2],
    [1, 2],
  );
  same(tt.tensor([[1], [2]]).maskedSelect(tt.tensor([true, false, true])), "int64", [4], [1, 1, 2, 2]);
  same(tt.tensor(5).maskedSelect(tt.tensor(true)), "int64", [1], [5]);
  same(tt.ones([0, 3]).maskedSelect(tt.ones([0, 3], { dtype: "bool" })), "float32", [0], []);
});

test("view works on non-contiguous tensors whose strides allow it (PyTorch's computeStride)", () => {
  const x = tt.arange(6).reshape(2, 3);
  const v = x.t().view(3, 2);
  same(
    v,
    "int64",
    [3, 2],
    [
      [0, 3],
      [1, 4],
      [2, 5],
    ],
  );
  assert.equal(v.storage, x.storage);
  assert.throws(() => x.t().view(6), /view: shape \[6\] is not compatible with the input's size \[3,2\] and strides \[1,3\]/);
  const col = tt.arange(3).reshape(3, 1).float().t();
  same(col.view(3), "float32", [3], [0, 1, 2]);
  assert.deepEqual(col.view(1, 3, 1).strides, [3, 1, 1]);
  const every2 = tt.arange(24).reshape(2, 12).float().slice(1, 0, null, 2);
  const split = every2.view(2, 2, 3);
  assert.deepEqual(split.strides, [12, 6, 2]);
  assert.deepEqual(split.toArray(), [
    [
      [0, 2, 4],
      [6, 8, 10],
    ],
    [
      [12, 14, 16],
      [18, 20, 22],
    ],
  ]);
  assert.deepEqual(every2.view(12).strides, [2]);
  const p = tt.arange(24).reshape(2, 3, 4).float().permute(1, 0, 2);
  const pv = p.view(3, 2, 2, 2);
  assert.deepEqual(pv.strides, [4, 12, 2, 1]);
  assert.deepEqual(pv.toArray(), [
    [
      [
        [0, 1],
        [2, 3],
      ],
      [
        [12, 13],
        [14, 15],
      ],
    ],
    [
      [
        [4, 5],
        [6, 7],
      ],
      [
        [16, 17],
        [18, 19],
      ],
    ],
    [
      [
        [8, 9],
        [10, 11],
      ],
      [
        [20, 21],
        [22, 23],
      ],
    ],
  ]);
  assert.throws(() => p.view(3, 8), /not compatible/);
  assert.throws(() => p.view(6, 4), /not compatible/);
  const ex = tt.ones([3, 1]).expand(3, 4);
  assert.deepEqual(ex.view(3, 2, 2).strides, [1, 0, 0]);
  assert.throws(() => ex.view(12), /not compatible/);
  same(tt.tensor(1.5).view(1, 1), "float32", [1, 1], [[1.5]]);
  same(tt.ones([1, 2]).slice(1, 0, 1).view([]), "float32", [], 1);
  same(tt.ones([0, 3]).t().view(0, 3), "float32", [0, 3], []);
});

test("dtype rules follow PyTorch: matmul, gelu/silu, relu/abs on bool, bool arithmetic", () => {
  assert.throws(() => tt.ones([2, 2]).matmul(tt.ones([2, 2], { dtype: "float64" })), /same dtype, got float32 and float64/);
  assert.throws(() => tt.tensor([[1, 2]], { dtype: "int32" }).matmul(tt.tensor([[1], [2]])), /same dtype/);
  same(tt.tensor([[1, 2]]).matmul(tt.tensor([[1], [2]])), "int64", [1, 1], [[5]]);
  assert.throws(() => tt.tensor([1, 2]).gelu(), /gelu: needs a floating point input, got int64/);
  assert.throws(() => tt.tensor([1, 2]).silu(), /silu: needs a floating point input/);
  assert.throws(() => tt.tensor([true]).relu(), /relu: bool inputs are not supported/);
  assert.throws(() => tt.tensor([true]).abs(), /abs: a bool tensor/);
  same(tt.tensor([1, 2]).relu(), "int64", [2], [1, 2]);
  assert.equal(tt.tensor([1, 2]).exp().dtype, "float32");
  const b = tt.tensor([true, false]);
  assert.throws(() => b.sub(b), /subtracting two bool tensors is not supported/);
  assert.throws(() => b.sub(true), /two bool tensors/);
  assert.throws(() => tt.tensor([2]).sub(true), /subtraction with a bool tensor is not supported/);
  assert.throws(() => tt.tensor([2.5]).sub(b), /with a bool tensor/);
  assert.throws(() => b.pow(tt.tensor([true, true])), /bool \*\* bool/);
  same(tt.tensor([true, true]).add(b), "bool", [2], [true, true]);
  same(b.add(true), "bool", [2], [true, true]);
  same(b.add(1), "int64", [2], [2, 1]);
  same(b.mul(tt.tensor([true, true])), "bool", [2], [true, false]);
  same(b.div(tt.tensor([true, true])), "float32", [2], [1, 0]);
  same(b.isinf(), "bool", [2], [false, false]);
  same(tt.tensor([1]).isfinite(), "bool", [1], [true]);
});

test("indices: no negative entries in gather/indexSelect/scatterAdd, but x.index() wraps them", () => {
  const a = tt.tensor([1, 2], f32);
  assert.throws(() => a.indexSelect(0, tt.tensor([-1])), /index -1 is out of range/);
  assert.throws(() => a.gather(0, tt.tensor([-1])), /index -1 is out of range/);
  assert.throws(() => tt.zeros([3]).scatterAdd(0, tt.tensor([-1]), tt.ones([1])), /index -1 is out of range/);
  // int32 indices: indexSelect as in PyTorch; gather and scatterAdd deliberately too.
  same(a.indexSelect(0, tt.tensor([1], { dtype: "int32" })), "float32", [1], [2]);
  same(a.gather(0, tt.tensor([1], { dtype: "int32" })), "float32", [1], [2]);
  same(tt.arange(5).index(tt.tensor([-1, 0])), "int64", [2], [4, 0]);
  same(tt.arange(5).index(tt.tensor([[-1], [-5]])), "int64", [2, 1], [[4], [0]]);
  assert.throws(() => tt.arange(5).index(tt.tensor([-6])), /index -6 is out of range/);
  assert.throws(() => tt.tensor(5).indexSelect(0, tt.zeros([0], { dtype: "int64" })), /non-empty index/);
});

test("maskedFill takes a number or a 0-d value tensor", () => {
  const x = tt.zeros([2]);
  const m = tt.tensor([true, false]);
  same(x.maskedFill(m, tt.tensor(5, { dtype: "float64" })), "float32", [2], [5, 0]);
  same(tt.zeros([2], { dtype: "int64" }).maskedFill(m, 2.7), "int64", [2], [2, 0]);
  same(
    tt.ones([2]).maskedFill(tt.ones([2, 2], { dtype: "bool" }), 0),
    "float32",
    [2, 2],
    [
      [0, 0],
      [0, 0],
    ],
  );
  assert.throws(() => x.maskedFill(m, tt.tensor([5, 6], f32)), /value tensor must be 0-d/);
  assert.throws(() => x.maskedFill(tt.tensor([1, 0], { dtype: "uint8" }), 1), /mask must be a bool tensor/); // deliberate
});

test("argmax/argmin keepdim without a dim, expand -1 and oneHot of nothing", () => {
  same(tt.ones([2, 3]).argmax(undefined, true), "int64", [1, 1], [[0]]);
  same(
    tt
      .tensor(
        [
          [3, 1],
          [0, 2],
        ],
        f32,
      )
      .argmin(undefined, true),
    "int64",
    [1, 1],
    [[2]],
  );
  same(tt.tensor(3.5).argmax(0, true), "int64", [], 0);
  const m = tt.tensor(3.5, f32).max(0);
  same(m.values, "float32", [], 3.5);
  same(m.indices, "int64", [], 0);
  assert.throws(() => tt.ones([3]).expand(-1, 3), /-1 .* not allowed in the new leading dimension 0/);
  assert.deepEqual(tt.ones([1, 3]).expand(2, -1).shape, [2, 3]);
  assert.throws(() => tt.oneHot(tt.zeros([0], { dtype: "int64" })), /cannot infer the number of classes/);
  assert.deepEqual(tt.oneHot(tt.zeros([0], { dtype: "int64" }), 3).shape, [0, 3]);
});

test("clamp of a bool tensor: a bool bound raises, int bounds promote, as in PyTorch", () => {
  assert.throws(() => tt.tensor([true, false]).clamp(true), /bool tensor with a bool bound is not supported/);
  same(tt.tensor([true, false]).clamp(0, 1), "int64", [2], [1, 0]);
  same(tt.tensor([true, false]).clamp(tt.tensor([true, true])), "bool", [2], [true, true]);
});

test("arange with an integer dtype truncates its bounds and step, as PyTorch casts them", () => {
  same(tt.arange(0.25, 3.85, 1.5, { dtype: "int64" }), "int64", [3], [0, 1, 2]);
  same(tt.arange(-1.5, 3, 2, { dtype: "int32" }), "int32", [2], [-1, 1]);
  same(tt.arange(2, -3, -1.5, { dtype: "int64" }), "int64", [5], [2, 1, 0, -1, -2]);
  assert.throws(() => tt.arange(0.5, 2.5, 0.5, { dtype: "int64" }), /step must be nonzero/);
});

test("reshape is a view whenever the strides allow one", () => {
  const x = tt.arange(8, undefined, 1, f32).reshape(4, 2).permute(1, 0);
  const r = x.reshape([-1, 4]);
  assert.equal(r.storage, x.storage);
  assert.equal(r.isContiguous(), false);
  assert.throws(() => r.view([4, -1]), /not compatible/); // as PyTorch: the dims it merges are not contiguous
  const c = x.reshape([8]); // no view can do this: a contiguous copy
  assert.notEqual(c.storage, x.storage);
  same(c, "float32", [8], [0, 2, 4, 6, 1, 3, 5, 7]);
});

test("clamp of a bool tensor by two bool tensors raises (PyTorch has no bool clamp kernel)", () => {
  const t = tt.tensor([true, false]);
  assert.throws(() => t.clamp(tt.tensor([false, false]), tt.tensor([true, true])), /bool/);
});
