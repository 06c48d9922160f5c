/** Datasets: indexable collections of samples (torch.utils.data.Dataset and friends). */
import { backend } from "../dispatch.js";
import { indexSelect } from "../indexing.js";
import { select } from "../shape.js";
import { emptyTensor, fmtShape, Tensor } from "../tensor.js";

/**
 * A map-style dataset: `length` samples, sample i from `get(i)`. Subclass it for your
 * own data.
 *
 * @example
 * class Squares extends tt.data.Dataset<{ x: number; y: number }> {
 *   get length() { return 100; }
 *   get(i: number) { return { x: i, y: i * i }; }
 * }
 */
export abstract class Dataset<T> {
  /** Number of samples. */
  abstract get length(): number;
  /** Sample i, for 0 <= i < length. */
  abstract get(i: number): T;

  /**
   * Optional fast path used by DataLoader when no custom collate is given: the whole
   * batch for these indices at once, already collated. TensorDataset implements it.
   */
  getBatch?(indices: Int32Array): unknown;
}

/** Throws unless i is an integer index into a dataset of `n` samples. */
export function checkIndex(op: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`${op}: index ${i} is out of range for a dataset of ${n} samples`);
}

/** A 1-d int64 tensor of these indices. */
export function indexTensor(indices: Int32Array): Tensor {
  const t = emptyTensor([indices.length], "int64");
  const wide = new BigInt64Array(indices.length);
  for (let i = 0; i < indices.length; i++) wide[i] = BigInt(indices[i]);
  if (indices.length > 0) backend("cpu").write(t.storage.handle, 0, wide);
  return t;
}

/**
 * Tensors sharing their first dimension; sample i is the i-th row of each (a view).
 * A DataLoader over it gathers each batch with one indexSelect per tensor.
 *
 * @example
 * const ds = new tt.data.TensorDataset(images, labels); // images [N, 1, 28, 28], labels [N]
 * const [x0, y0] = ds.get(0);
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new Error("TensorDataset: expected at least one tensor");
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new TypeError("TensorDataset: every argument must be a Tensor");
      t.check("TensorDataset");
      if (t.ndim === 0) throw new Error("TensorDataset: 0-d tensors have no rows; every tensor needs a first dimension");
    }
    const n = tensors[0].shape[0];
    if (tensors.some((t) => t.shape[0] !== n))
      throw new Error(
        `TensorDataset: all tensors must have the same size in dimension 0, got shapes ${tensors.map((t) => fmtShape(t.shape)).join(", ")}`,
      );
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(i: number): Tensor[] {
    checkIndex("TensorDataset.get", i, this.length);
    return this.tensors.map((t) => select(t, 0, i));
  }

  override getBatch(indices: Int32Array): Tensor[] {
    const idx = indexTensor(indices);
    try {
      return this.tensors.map((t) => indexSelect(t, 0, idx));
    } finally {
      idx.dispose();
    }
  }
}

/**
 * The samples of `dataset` at `indices`, in that order.
 *
 * @example
 * const firstHundred = new tt.data.Subset(ds, Array.from({ length: 100 }, (_, i) => i));
 */
export class Subset<T> extends Dataset<T> {
  readonly indices: Int32Array;

  constructor(
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    super();
    this.indices = Int32Array.from(indices);
    const n = dataset.length;
    for (let k = 0; k < this.indices.length; k++)
      if (this.indices[k] !== indices[k] || this.indices[k] < 0 || this.indices[k] >= n) checkIndex("Subset", indices[k], n);
    if (dataset.getBatch) this.getBatch = (idx) => dataset.getBatch!(idx.map((i) => this.indices[i]));
  }

  get length(): number {
    return this.indices.length;
  }

  get(i: number): T {
    checkIndex("Subset.get", i, this.indices.length);
    return this.dataset.get(this.indices[i]);
  }
}

/**
 * A small seeded PRNG (mulberry32): uniform floats in [0, 1), the same sequence for the
 * same seed on every platform.
 *
 * @example
 * const r = tt.data.seededRandom(42); r(); // 0.6011037519201636
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into a 32-bit seed (so epoch 1 of seed 0 is unrelated to epoch 0 of seed 1). */
export function mixSeed(a: number, b: number): number {
  let h = Math.imul((a >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b >>> 0) + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * A uniformly random permutation of 0..n-1 (Fisher–Yates), determined by the seed.
 *
 * @example
 * tt.data.randperm(5, 0); // Int32Array [3, 0, 4, 1, 2] (some order)
 */
export function randperm(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const r = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Splits a dataset into non-overlapping random Subsets of the given lengths, or of the
 * given fractions (summing to 1; leftover samples go one each to the first parts), as
 * torch.utils.data.random_split.
 *
 * @example
 * const [train, val] = tt.data.randomSplit(ds, [0.9, 0.1], { seed: 0 });
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options: { seed?: number } = {}): Subset<T>[] {
  const n = dataset.length;
  let sizes = [...lengths];
  if (sizes.some((l) => !(l >= 0))) throw new RangeError(`randomSplit: lengths must be non-negative, got [${lengths.join(", ")}]`);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) < 1e-9) {
    sizes = sizes.map((f) => Math.floor(f * n));
    let rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % sizes.length, rest--) sizes[i]++;
  } else if (!sizes.every(Number.isInteger) || total !== n) {
    throw new Error(
      `randomSplit: lengths [${lengths.join(", ")}] must be integers summing to the dataset's ${n} samples, or fractions summing to 1`,
    );
  }
  const perm = randperm(n, options.seed ?? Math.floor(Math.random() * 2 ** 32));
  let at = 0;
  return sizes.map((s) => new Subset(dataset, perm.subarray(at, (at += s))));
}
