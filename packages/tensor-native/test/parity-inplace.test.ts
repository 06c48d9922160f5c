/**
 * In-place ops refuse what PyTorch 1.13 refuses: results the tensor cannot hold, operands
 * that partly overlap the tensor written to. (Their autograd is in parity-autograd.test.ts.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import { assertTensor as same } from "./helpers.ts";

const f32 = { dtype: "float32" } as const;

test("in-place ops refuse results they cannot hold", () => {
  assert.throws(() => tt.tensor([1, 2]).add_(1.5), /result type float32 can't be cast to the desired output type int64/);
  assert.throws(() => tt.tensor([1, 2]).div_(2), /can't be cast/);
  assert.throws(() => tt.tensor([true]).add_(1), /result type int64 can't be cast to the desired output type bool/);
  assert.throws(() => tt.tensor([1, 2]).clamp_(1.5), /clamp_: result type float32/);
  same(tt.tensor([true]).mul_(true), "bool", [1], [true]);
  same(tt.tensor([1, 2]).clamp_(0), "int64", [2], [1, 2]);
  same(tt.tensor([1], { dtype: "int32" }).add_(tt.tensor([1])), "int32", [1], [2]);
  same(tt.tensor([1], f32).add_(tt.tensor([1], { dtype: "float64" })), "float32", [1], [2]);
});

test("in-place ops refuse an operand that partly overlaps the tensor written to", () => {
  const mk = () => tt.arange(4, undefined, 1, f32).reshape(2, 2);
  same(
    mk().add_(mk()),
    "float32",
    [2, 2],
    [
      [0, 2],
      [4, 6],
    ],
  );
  const x = mk();
  same(
    x.add_(x),
    "float32",
    [2, 2],
    [
      [0, 2],
      [4, 6],
    ],
  );
  const y = mk();
  assert.throws(() => y.add_(y.t()), /refer to the same memory/);
  assert.throws(() => y.copy_(y.t()), /refer to the same memory/);
  const flat = mk().view(-1);
  assert.throws(() => flat.slice(0, 1).add_(flat.slice(0, 0, 3)), /refer to the same memory/);
  const z = mk();
  z.select(0, 0).add_(z.select(0, 1)); // disjoint rows of one storage: fine
  same(
    z,
    "float32",
    [2, 2],
    [
      [2, 4],
      [2, 3],
    ],
  );
});
