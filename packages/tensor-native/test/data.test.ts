import assert from "node:assert/strict";
import { test } from "node:test";

import * as tt from "../src/ts/index.ts";
import {
  DataLoader,
  Dataset,
  defaultCollate,
  disposeBatch,
  mnist,
  randomSplit,
  randperm,
  Subset,
  TensorDataset,
} from "../src/ts/data/index.ts";

const rows = (n: number, width = 3): TensorDataset =>
  new TensorDataset(tt.arange(n * width, undefined, 1, { dtype: "float32" }).reshape(n, width), tt.arange(n));

/** The row ids of one epoch, in batch order. */
function epochIds(loader: DataLoader<tt.Tensor[]>): number[][] {
  const out: number[][] = [];
  for (const [, y] of loader) out.push(y.values() as number[]);
  return out;
}

/** A dataset that counts get() calls, to watch when batches are built. */
class Counting extends Dataset<{ x: tt.Tensor; y: number }> {
  calls = 0;
  constructor(readonly n: number) {
    super();
  }
  get length(): number {
    return this.n;
  }
  get(i: number): { x: tt.Tensor; y: number } {
    this.calls++;
    return { x: tt.full([2], i, { dtype: "float32" }), y: i };
  }
}

test("TensorDataset rows and shape checks", () => {
  const ds = rows(5);
  assert.equal(ds.length, 5);
  const [x, y] = ds.get(2);
  assert.deepEqual(x.toArray(), [6, 7, 8]);
  assert.equal(y.item(), 2);
  assert.throws(() => ds.get(5), /index 5 is out of range for a dataset of 5 samples/);
  assert.throws(() => new TensorDataset(tt.zeros([4, 2]), tt.zeros([3])), /same size in dimension 0, got shapes \[4,2\], \[3\]/);
  assert.throws(() => new TensorDataset(tt.tensor(1)), /0-d/);
});

test("batches in order, the last partial batch, dropLast", () => {
  const ds = rows(10);
  const loader = new DataLoader(ds, { batchSize: 4 });
  assert.equal(loader.length, 3);
  const batches = [...loader];
  assert.deepEqual(
    batches.map(([x, y]) => [x.shape, y.shape]),
    [
      [[4, 3], [4]],
      [[4, 3], [4]],
      [[2, 3], [2]],
    ],
  );
  assert.deepEqual(batches[1][0].toArray(), [
    [12, 13, 14],
    [15, 16, 17],
    [18, 19, 20],
    [21, 22, 23],
  ]);
  assert.equal(batches[1][1].dtype, "int64");
  assert.deepEqual(batches[2][1].toArray(), [8, 9]);
  batches.forEach(disposeBatch);
  const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual(epochIds(dropped), [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
  ]);
  assert.deepEqual(epochIds(new DataLoader(ds)).length, 10); // batchSize defaults to 1
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batchSize must be a positive integer/);
});

test("shuffle: deterministic per seed, new order each epoch, every index once", () => {
  const ds = rows(103);
  const a = new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 7 });
  const b = new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 7 });
  const a0 = epochIds(a),
    a1 = epochIds(a);
  assert.deepEqual(epochIds(b), a0);
  assert.deepEqual(epochIds(b), a1);
  assert.notDeepEqual(a0, a1);
  assert.notDeepEqual(epochIds(new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 8 })), a0);
  for (const ep of [a0, a1]) {
    assert.deepEqual(
      ep.flat().sort((p, q) => p - q),
      Array.from({ length: 103 }, (_, i) => i),
    );
    assert.notDeepEqual(
      ep.flat(),
      Array.from({ length: 103 }, (_, i) => i),
    );
  }
  a.epoch = 0; // resuming at epoch 0 replays it
  assert.deepEqual(epochIds(a), a0);
  assert.deepEqual(Array.from(randperm(6, 1)), Array.from(randperm(6, 1)));
});

test("a TensorDataset batch is gathered at once (never row by row) over a 60000-row epoch", () => {
  class NoRows extends TensorDataset {
    override get(): tt.Tensor[] {
      throw new Error("row by row");
    }
  }
  const x = tt.randn([60000, 1, 14, 14]),
    y = tt.randint(0, 10, [60000]);
  const loader = new DataLoader(new NoRows(x, y), { batchSize: 64, shuffle: true, seed: 0 });
  let seen = 0,
    sum = 0;
  for (const [bx, by] of loader) {
    seen += bx.shape[0];
    sum += (by.data() as BigInt64Array).reduce((s, v) => s + Number(v), 0);
    bx.dispose();
    by.dispose();
  }
  assert.equal(seen, 60000);
  assert.equal(
    sum,
    y.values().reduce((s: number, v) => s + Number(v), 0),
  );
  x.dispose();
  y.dispose();
});

test("async iteration prepares the next batch while the current one is used", async () => {
  const ds = new Counting(10);
  const loader = new DataLoader(ds, { batchSize: 3 });
  const it = loader[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  assert.deepEqual((first.value as { y: tt.Tensor }).y.toArray(), [0, 1, 2]);
  assert.equal(ds.calls, 3);
  await new Promise((r) => setImmediate(r)); // the training step's await
  assert.equal(ds.calls, 6); // batch 2 is ready before it is asked for
  const rest = [];
  for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.y.toArray());
  assert.deepEqual(rest, [[3, 4, 5], [6, 7, 8], [9]]);
  // Sync and async epochs agree for the same seed and epoch.
  const shuffled = new DataLoader(rows(20), { batchSize: 6, shuffle: true, seed: 3 });
  const viaAsync: number[][] = [];
  for await (const [, y] of shuffled) viaAsync.push(y.values() as number[]);
  shuffled.epoch = 0;
  assert.deepEqual(epochIds(shuffled), viaAsync);
});

test("sync iteration builds one batch ahead; stopping early frees it", async () => {
  const ds = new Counting(10);
  const built: tt.Tensor[] = [];
  const loader = new DataLoader(ds, {
    batchSize: 2,
    collate: (s) => {
      const t = tt.stack(s.map((v) => v.x));
      built.push(t);
      return t;
    },
  });
  for (const batch of loader) {
    assert.equal(ds.calls, 4);
    batch.dispose();
    break;
  }
  assert.equal(built.length, 2);
  assert.equal(built[1].isDisposed, true);
  built.length = 0;
  for await (const batch of loader) {
    await new Promise((r) => setImmediate(r));
    batch.dispose();
    break;
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(built.length, 2);
  assert.equal(built[1].isDisposed, true);
});

test("default collate: tensors, numbers, booleans, strings, arrays and objects", () => {
  const batch = defaultCollate([
    { image: tt.ones([2, 2]), label: 3, weight: 0.5, ok: true, name: "a", pair: [tt.zeros([1]), 1] },
    { image: tt.zeros([2, 2]), label: 4, weight: 1, ok: false, name: "b", pair: [tt.ones([1]), 2] },
  ]);
  assert.deepEqual(batch.image.shape, [2, 2, 2]);
  assert.deepEqual(batch.image.sum([1, 2]).toArray(), [4, 0]);
  assert.equal(batch.label.dtype, "int64");
  assert.deepEqual(batch.label.toArray(), [3, 4]);
  assert.equal(batch.weight.dtype, "float32");
  assert.deepEqual(batch.ok.toArray(), [true, false]);
  assert.deepEqual(batch.name, ["a", "b"]);
  assert.deepEqual(batch.pair[0].shape, [2, 1]);
  assert.deepEqual(batch.pair[1].toArray(), [1, 2]);
  assert.throws(
    () => defaultCollate([{ x: tt.ones([2]) }, { x: tt.ones([3]) }]),
    /at \.x: stack: all tensors must have the same shape, got \[2\], \[3\]/,
  );
  assert.throws(() => defaultCollate([{ x: 1 }, { y: 1 }]), /lack the field "x"/);
  const loader = new DataLoader(new Counting(5), { batchSize: 2 });
  const shapes = [...loader].map((b) => [b.x.shape, b.y.toArray()]);
  assert.deepEqual(shapes, [
    [
      [2, 2],
      [0, 1],
    ],
    [
      [2, 2],
      [2, 3],
    ],
    [[1, 2], [4]],
  ]);
});

test("randomSplit and Subset", () => {
  const ds = rows(10);
  const [a, b] = randomSplit(ds, [7, 3], { seed: 1 });
  assert.equal(a.length, 7);
  assert.equal(b.length, 3);
  const ids = [...a.indices, ...b.indices].sort((p, q) => p - q);
  assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(randomSplit(ds, [7, 3], { seed: 1 })[0].indices, a.indices);
  assert.deepEqual(
    randomSplit(ds, [0.5, 0.3, 0.2], { seed: 2 }).map((s) => s.length),
    [5, 3, 2],
  );
  assert.deepEqual(
    randomSplit(rows(11), [0.5, 0.5], { seed: 2 }).map((s) => s.length),
    [6, 5],
  );
  assert.throws(() => randomSplit(ds, [5, 4]), /summing to the dataset's 10 samples/);
  // A Subset of a TensorDataset keeps the one-gather path.
  const sub = new Subset(ds, [9, 0, 4]);
  assert.equal(sub.get(0)[1].item(), 9);
  assert.deepEqual(epochIds(new DataLoader(sub, { batchSize: 3 })), [[9, 0, 4]]);
  assert.ok(sub.getBatch);
  assert.throws(() => new Subset(ds, [10]), /index 10 is out of range/);
});

test("mnist: shapes, dtypes, value range, labels", () => {
  const { train, test: held } = mnist({ trainCount: 3000, testCount: 1000, seed: 0 });
  const [x, y] = train.tensors;
  assert.deepEqual(x.shape, [3000, 1, 28, 28]);
  assert.equal(x.dtype, "float32");
  assert.deepEqual(y.shape, [3000]);
  assert.equal(y.dtype, "int64");
  assert.deepEqual(held.tensors[0].shape, [1000, 1, 28, 28]);
  const px = x.data() as Float32Array;
  assert.equal(
    px.reduce((m, v) => Math.min(m, v), 1),
    0,
  );
  assert.equal(x.max().item(), 1);
  for (let i = 0; i < 2000; i += 7) assert.equal(Math.fround(Math.round(px[i] * 255) / 255), px[i]); // grey level / 255
  const counts = new Array<number>(10).fill(0);
  for (const v of y.data() as BigInt64Array) counts[Number(v)]++;
  assert.ok(
    counts.every((c) => c > 200 && c < 420),
    `label counts ${counts}`,
  );
  const mean = x.mean().item() as number;
  assert.ok(mean > 0.1 && mean < 0.15, `mean pixel ${mean}`); // MNIST's is 0.1307
  assert.deepEqual(mnist({ trainCount: 5, testCount: 0, seed: 0 }).train.tensors[1].toArray(), y.narrow(0, 0, 5).toArray());
  assert.throws(() => mnist({ trainCount: 9000, testCount: 2000 }), /has 10000 digits/);
});
