import assert from "node:assert/strict";
import { test } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";

import * as tt from "../src/ts/index.ts";

test("dispose frees storage once its last view goes; use after dispose throws", () => {
  const before = tt.memory();
  const a = tt.zeros([1000]);
  const v = a.reshape(10, 100);
  assert.equal(tt.memory().liveTensors, before.liveTensors + 2);
  assert.ok(tt.memory().liveBytes >= before.liveBytes + 4000);
  a.dispose();
  a.dispose(); // idempotent
  const total = v.sum();
  assert.equal(total.item(), 0); // the view still holds the storage
  total.dispose();
  assert.throws(() => a.add(1), /add: this tensor was disposed/);
  assert.throws(() => a.toArray(), /disposed/);
  assert.equal(String(a), "tensor(<disposed>)");
  v.dispose();
  assert.equal(tt.memory().liveBytes, before.liveBytes);
  assert.equal(tt.memory().liveTensors, before.liveTensors);
});

test("using disposes at scope end", () => {
  const before = tt.memory().liveTensors;
  {
    using x = tt.ones([4, 4]);
    using y = x.mul(2);
    assert.equal(y.sum().item(), 32);
  }
  // y.sum() above was not bound with using, so one tensor remains
  assert.equal(tt.memory().liveTensors, before + 1);
});

test("tidy frees intermediates and keeps what is returned", () => {
  const x = tt.ones([3]);
  const before = tt.memory();
  const { y, list } = tt.tidy(() => {
    const a = x.add(1).mul(3);
    const kept = tt.keep(tt.zeros([2]));
    return { y: a.relu(), list: [kept] };
  });
  assert.deepEqual(y.toArray(), [6, 6, 6]);
  assert.equal(list[0].isDisposed, false);
  assert.equal(tt.memory().liveTensors, before.liveTensors + 2);
  assert.throws(
    () =>
      tt.tidy(() => {
        x.add(1);
        throw new Error("boom");
      }),
    /boom/,
  );
  assert.equal(tt.memory().liveTensors, before.liveTensors + 2);
  const nested = tt.tidy(() => tt.tidy(() => x.add(5)).mul(2));
  assert.deepEqual(nested.toArray(), [12, 12, 12]);
  assert.equal(tt.memory().liveTensors, before.liveTensors + 3);
});

test("a million small ops in tidy loops do not grow memory or allocate from the OS", () => {
  const x = tt.ones([8]);
  const w = tt.ones([8, 8]);
  const body = (): void => {
    x.add(1).mul(2).relu().sub(0.5).sum();
  };
  tt.tidy(() => {
    x.matmul(w).add(1).relu().sum();
    body();
  }); // warm the allocator's size classes
  const before = tt.memory();
  let ops = 0;
  for (let i = 0; i < 200_000; i++) {
    tt.tidy(body);
    ops += 5;
  }
  const after = tt.memory();
  assert.equal(ops, 1_000_000);
  assert.equal(after.liveBytes, before.liveBytes);
  assert.equal(after.liveTensors, before.liveTensors);
  assert.equal(after.osAllocations, before.osAllocations, "steady state must reuse cached blocks");
});

test("tensors dropped without dispose are reclaimed by the collector", async () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  const before = tt.memory().liveTensors,
    liveBefore = tt.memory().liveBytes;
  (() => {
    for (let i = 0; i < 100; i++) tt.zeros([256]);
  })();
  assert.equal(tt.memory().liveTensors, before + 100);
  for (let i = 0; i < 10 && tt.memory().liveTensors > before; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  // earlier tests' unreachable tensors may go too, so "at most what we started with"
  assert.ok(tt.memory().liveTensors <= before, `${tt.memory().liveTensors} live, ${before} before`);
  assert.ok(tt.memory().liveBytes <= liveBefore);
});

test("emptyCache returns cached blocks", () => {
  tt.zeros([1 << 16]).dispose();
  assert.ok(tt.memory().cachedBytes > 0);
  tt.emptyCache();
  assert.equal(tt.memory().cachedBytes, 0);
});
