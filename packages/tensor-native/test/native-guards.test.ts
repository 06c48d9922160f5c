import assert from "node:assert/strict";
import { test } from "node:test";

import { meta, native } from "../src/ts/native.ts";
import * as tt from "../src/ts/index.ts";

// Writes one view into the shared metadata buffer the way dispatch.ts does.
function put(pos: number, dtype: number, shape: number[], strides: number[], offset = 0): number {
  meta[pos] = dtype;
  meta[pos + 1] = shape.length;
  meta[pos + 2] = offset;
  shape.forEach((s, i) => (meta[pos + 3 + i] = s));
  strides.forEach((s, i) => (meta[pos + 3 + shape.length + i] = s));
  return pos + 3 + 2 * shape.length;
}

test("the addon rejects inconsistent metadata with errors instead of crashing", () => {
  const h = native.alloc(64);
  const out = native.alloc(64);
  let p = put(0, 0, [4], [1]);
  p = put(p, 0, [8], [1]);
  put(p, 0, [8], [1]);
  assert.throws(() => native.binary(0, h, h, out), /operand shapes do not match/);
  put(0, 0, [100], [1]);
  assert.throws(() => native.fill(h), /out of bounds/);
  put(0, 9, [1], [1]);
  assert.throws(() => native.fill(h), /bad dtype code/);
  put(0, 0, [4], [1], 20);
  assert.throws(() => native.fill(h), /out of bounds/);
  assert.throws(() => native.read(h, 60, 8), /read out of bounds/);
  native.free(h);
  put(0, 0, [1], [1]);
  assert.throws(() => native.fill(h), /already freed/);
  assert.throws(() => native.alloc(-1), /negative allocation/);
  native.free(out);
});

test("thread count and instruction set are reported", () => {
  const n = tt.numThreads();
  assert.ok(n >= 1);
  assert.equal(tt.numThreads(1), 1);
  assert.deepEqual(
    tt
      .ones([300, 300])
      .matmul(tt.ones([300, 2]))
      .sum(0)
      .toArray(),
    [90000, 90000],
  );
  tt.numThreads(n);
  assert.throws(() => tt.numThreads(0), /positive integer/);
  assert.match(tt.cpuIsa(), /^(avx512|avx2|base)$/);
});

test("a set interrupt flag stops matmul with an error, and clearing it resumes", () => {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  tt.setInterruptFlag(flag);
  try {
    const a = tt.ones([64, 64]);
    Atomics.store(flag, 0, 1);
    assert.throws(() => a.matmul(a), /interrupted/);
    Atomics.store(flag, 0, 0);
    assert.equal(a.matmul(a).sum().item(), 64 * 64 * 64);
  } finally {
    tt.setInterruptFlag(null);
  }
});
