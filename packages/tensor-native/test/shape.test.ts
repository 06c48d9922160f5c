import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";

test("reshape, view, flatten share storage when contiguous", () => {
  const a = tt.arange(6);
  const r = a.reshape(2, 3);
  assert.equal(r.storage, a.storage);
  assert.deepEqual(r.toArray(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(a.view([3, -1]).shape, [3, 2]);
  assert.deepEqual(r.t().reshape(-1).toArray(), [0, 3, 1, 4, 2, 5]);
  assert.throws(() => r.t().view(6), /not contiguous/);
  assert.throws(() => a.reshape(4, 2), /invalid for input of shape \[6\]/);
  assert.deepEqual(tt.zeros([2, 3, 4]).flatten(1).shape, [2, 12]);
  assert.deepEqual(tt.tensor(3).flatten().shape, [1]);
});

test("transpose, permute, expand, squeeze, unsqueeze", () => {
  const a = tt.arange(24).reshape(2, 3, 4);
  const p = a.permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.equal(p.select(0, 1).select(0, 1).select(0, 2).item(), 21);
  assert.deepEqual(a.transpose(0, 2).shape, [4, 3, 2]);
  assert.equal(a.transpose(0, 2).isContiguous(), false);
  assert.equal(a.transpose(0, 2).contiguous().isContiguous(), true);
  assert.deepEqual(
    tt
      .tensor([[1], [2]])
      .expand(2, 3)
      .toArray(),
    [
      [1, 1, 1],
      [2, 2, 2],
    ],
  );
  assert.deepEqual(
    tt
      .tensor([[1], [2]])
      .expand(-1, 2)
      .toArray(),
    [
      [1, 1],
      [2, 2],
    ],
  );
  assert.throws(() => tt.zeros([2, 3]).expand(4, 3), /cannot expand shape \[2,3\] to \[4,3\]/);
  assert.deepEqual(tt.zeros([1, 3, 1]).squeeze().shape, [3]);
  assert.deepEqual(tt.zeros([1, 3, 1]).squeeze(0).shape, [3, 1]);
  assert.deepEqual(tt.zeros([3]).unsqueeze(0).shape, [1, 3]);
  assert.deepEqual(tt.zeros([3]).unsqueeze(-1).shape, [3, 1]);
  assert.throws(() => tt.zeros([2, 3]).transpose(0, 2), /dimension 2 is out of range/);
});

test("narrow, select, slice with step", () => {
  const a = tt.arange(20).reshape(4, 5);
  assert.deepEqual(a.narrow(1, 1, 2).toArray(), [
    [1, 2],
    [6, 7],
    [11, 12],
    [16, 17],
  ]);
  assert.deepEqual(a.select(0, -1).toArray(), [15, 16, 17, 18, 19]);
  assert.deepEqual(a.slice(1, 0, null, 2).toArray(), [
    [0, 2, 4],
    [5, 7, 9],
    [10, 12, 14],
    [15, 17, 19],
  ]);
  assert.deepEqual(a.slice(0, -2).slice(1, 1, -1, 2).toArray(), [
    [11, 13],
    [16, 18],
  ]);
  assert.deepEqual(a.slice(1, 7).shape, [4, 0]);
  assert.throws(() => a.select(0, 4), /index 4 is out of range for dimension 0 of size 4/);
  assert.throws(() => a.narrow(1, 3, 3), /exceeds dimension/);
});

test("cat, stack, split, chunk", () => {
  const a = tt.tensor([
      [1, 2],
      [3, 4],
    ]),
    b = tt.tensor([[5, 6]]);
  assert.deepEqual(tt.cat([a, b]).toArray(), [
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  assert.deepEqual(tt.cat([a, a.t()], 1).toArray(), [
    [1, 2, 1, 3],
    [3, 4, 2, 4],
  ]);
  assert.equal(tt.cat([a, a.float()]).dtype, "float32");
  assert.throws(() => tt.cat([a, tt.zeros([1, 3])]), /do not match except in dimension 0/);
  assert.deepEqual(tt.stack([a, a], 1).shape, [2, 2, 2]);
  assert.deepEqual(tt.stack([tt.tensor([1, 2]), tt.tensor([3, 4])]).toArray(), [
    [1, 2],
    [3, 4],
  ]);
  const parts = tt.arange(7).split(3);
  assert.deepEqual(
    parts.map((p) => p.toArray()),
    [[0, 1, 2], [3, 4, 5], [6]],
  );
  assert.deepEqual(
    tt
      .arange(6)
      .split([1, 5])
      .map((p) => p.shape[0]),
    [1, 5],
  );
  assert.deepEqual(
    tt
      .arange(10)
      .reshape(2, 5)
      .chunk(2, 1)
      .map((p) => p.shape),
    [
      [2, 3],
      [2, 2],
    ],
  );
});

test("indexSelect, gather, maskedFill with index checks", () => {
  const a = tt.arange(10).reshape(5, 2);
  assert.deepEqual(a.indexSelect(0, tt.tensor([4, 0, 4])).toArray(), [
    [8, 9],
    [0, 1],
    [8, 9],
  ]);
  assert.throws(() => a.indexSelect(0, tt.tensor([-1])), /index -1 is out of range/); // as PyTorch
  assert.deepEqual(
    a
      .t()
      .indexSelect(1, tt.tensor([1, 3]))
      .toArray(),
    [
      [2, 6],
      [3, 7],
    ],
  );
  assert.throws(() => a.indexSelect(0, tt.tensor([5])), /index 5 is out of range for a dimension of size 5/);
  assert.throws(() => a.indexSelect(0, tt.tensor([1.5])), /int64 or int32/);
  const g = tt
    .tensor([
      [1, 2],
      [3, 4],
    ])
    .gather(
      1,
      tt.tensor([
        [0, 0],
        [1, 0],
      ]),
    );
  assert.deepEqual(g.toArray(), [
    [1, 1],
    [4, 3],
  ]);
  assert.deepEqual(
    tt
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .gather(0, tt.tensor([[1, 0]]))
      .toArray(),
    [[3, 2]],
  );
  const f = tt.tensor([1, -2, 3], { dtype: "float32" });
  assert.deepEqual(f.maskedFill(f.lt(0), 0).toArray(), [1, 0, 3]);
});

test("scatterAdd, oneHot, embedding", () => {
  assert.deepEqual(
    tt
      .zeros([3])
      .scatterAdd(0, tt.tensor([0, 2, 0]), tt.ones([3]))
      .toArray(),
    [2, 0, 1],
  );
  const x = tt.zeros([2, 3], { dtype: "int64" });
  const r = x.scatterAdd(
    1,
    tt.tensor([
      [2, 2],
      [0, 1],
    ]),
    tt.tensor([
      [5, 6],
      [7, 8],
    ]),
  );
  assert.deepEqual(r.toArray(), [
    [0, 0, 11],
    [7, 8, 0],
  ]);
  assert.deepEqual(x.toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ]); // out of place
  assert.throws(
    () =>
      x.scatterAdd(
        1,
        tt.tensor([
          [3, 0],
          [0, 0],
        ]),
        tt.ones([2, 2], { dtype: "int64" }),
      ),
    /index 3 is out of range/,
  );
  assert.deepEqual(tt.oneHot(tt.tensor([0, 2])).toArray(), [
    [1, 0, 0],
    [0, 0, 1],
  ]);
  assert.deepEqual(tt.oneHot(tt.tensor([[1]]), 4).shape, [1, 1, 4]);
  assert.throws(() => tt.oneHot(tt.tensor([5]), 3), /smaller than numClasses/);
  const w = tt.arange(12).reshape(4, 3).float();
  const e = tt.embedding(
    tt.tensor([
      [3, 0],
      [1, 1],
    ]),
    w,
  );
  assert.deepEqual(e.shape, [2, 2, 3]);
  assert.deepEqual(e.select(0, 0).toArray(), [
    [9, 10, 11],
    [0, 1, 2],
  ]);
});
