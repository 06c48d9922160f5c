import assert from "node:assert/strict";
import { test } from "node:test";
import * as tt from "../src/ts/index.ts";

test("tensor() names the index path and the dimension of a ragged nested array", () => {
  assert.throws(() => tt.tensor([1, [2, 3]] as never), {
    message: "tensor(): ragged nested array: at [1] expected a number (dimension 0 has numbers) but found an array of length 2",
  });
  assert.throws(() => tt.tensor([[1, 2], [3]]), { message: "tensor(): ragged nested array: dimension 1 has length 2 at [0] but 1 at [1]" });
  assert.throws(
    () =>
      tt.tensor([
        [[1], [2]],
        [[3], [4, 5]],
      ]),
    { message: "tensor(): ragged nested array: dimension 2 has length 1 at [0][0] but 2 at [1][1]" },
  );
  assert.throws(() => tt.tensor([[1, 2], 3] as never), {
    message: "tensor(): ragged nested array: at [1] expected an array (dimension 1 has length 2 at [0]) but found a number",
  });
  assert.throws(() => tt.tensor([[], [1]]), { message: "tensor(): ragged nested array: dimension 1 has length 0 at [0] but 1 at [1]" });
});

test("tensor() names what is not a number, and where", () => {
  assert.throws(() => tt.tensor([[1, "2"]] as never), {
    name: "TypeError",
    message: 'tensor(): expected a number or boolean at [0][1], got a string "2"',
  });
  assert.throws(() => tt.tensor([{ x: 1 }] as never), { message: "tensor(): expected a number or boolean at [0], got an object (Object)" });
  assert.throws(() => tt.tensor([1, null] as never), { message: "tensor(): expected a number or boolean at [1], got null" });
  // eslint-disable-next-line no-sparse-arrays
  assert.throws(() => tt.tensor([1, , 3] as never), /at \[1\], got undefined/);
});

test("well-formed nested arrays still make tensors", () => {
  assert.deepEqual(
    tt
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .toArray(),
    [
      [1, 2],
      [3, 4],
    ],
  );
  assert.deepEqual(tt.tensor([[], []]).shape, [2, 0]);
  assert.deepEqual(tt.tensor([]).shape, [0]);
  assert.deepEqual(tt.tensor(5).shape, []);
  assert.deepEqual(tt.tensor([[true], [false]]).toArray(), [[true], [false]]);
});
