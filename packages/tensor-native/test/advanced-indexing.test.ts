import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "@tessera/tensor";

describe("integer and boolean mask indexing", () => {
  const x = tt.arange(12).reshape(3, 4);

  it("an integer tensor picks along dim 0, in its own shape", () => {
    assert.deepEqual(x.index(tt.tensor([2, 0, -1])).toArray(), [
      [8, 9, 10, 11],
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    assert.deepEqual(x.index(tt.tensor([[1], [0]])).shape, [2, 1, 4]);
    assert.deepEqual(
      x
        .t()
        .index(tt.tensor([3, 1], { dtype: "int32" }))
        .toArray(),
      [
        [3, 7, 11],
        [1, 5, 9],
      ],
    );
    assert.throws(() => x.index(tt.tensor([3])), /out of range/);
  });

  it("a bool mask picks entries (full mask) or rows (leading-dim mask)", () => {
    assert.deepEqual(x.index(x.gt(8)).toArray(), [9, 10, 11]);
    assert.deepEqual(x.index(tt.tensor([true, false, true])).toArray(), [
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    assert.deepEqual(x.index(x.gt(100)).shape, [0]);
    assert.throws(() => x.index(tt.tensor([true, false])), /mask of shape \[2\] does not match the leading dims of \[3,4\]/);
    assert.throws(() => x.index(tt.tensor([0.5])), /integer or bool/);
  });

  it("maskedSelect broadcasts the mask; nonzero gives coordinates", () => {
    assert.deepEqual(x.maskedSelect(tt.tensor([true, false, false, true])).toArray(), [0, 3, 4, 7, 8, 11]);
    assert.deepEqual(
      tt
        .tensor([
          [0, 2],
          [3, 0],
        ])
        .nonzero()
        .toArray(),
      [
        [0, 1],
        [1, 0],
      ],
    );
    assert.equal(
      tt
        .tensor([
          [0, 2],
          [3, 0],
        ])
        .nonzero().dtype,
      "int64",
    );
    assert.deepEqual(tt.zeros([2, 2]).nonzero().shape, [0, 2]);
  });

  it("gradients flow back to the picked entries", () => {
    const w = tt.ones([3, 2], { requiresGrad: true });
    w.index(tt.tensor([0, 0, 2]))
      .sum()
      .backward();
    assert.deepEqual(w.grad?.toArray(), [
      [2, 2],
      [0, 0],
      [1, 1],
    ]);
    const v = tt.tensor([1, -2, 3], { dtype: "float32", requiresGrad: true });
    v.index(v.detach().gt(0)).mul(2).sum().backward();
    assert.deepEqual(v.grad?.toArray(), [2, 0, 2]);
  });
});
