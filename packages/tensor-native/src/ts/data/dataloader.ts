/** DataLoader: batches from a Dataset, shuffled by a seeded PRNG, built one batch ahead. */
import { fromTypedArray } from "../creation.js";
import { tidy } from "../memory.js";
import { stack } from "../shape.js";
import { Tensor } from "../tensor.js";
import { mixSeed, randperm, type Dataset } from "./dataset.js";

/** What `defaultCollate` makes of a batch of samples of type T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : T[];

/** Options of a DataLoader (PyTorch's names, camelCase). */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A new random order every epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle; epoch e uses a seed mixed from (seed, e). Default: random. */
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of samples into a batch (default: defaultCollate). */
  collate?: (samples: T[]) => B;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

function collateAt(samples: readonly unknown[], where: string): unknown {
  const first = samples[0];
  const fail = (why: string): never => {
    throw new Error(`defaultCollate${where ? ` at ${where}` : ""}: ${why}`);
  };
  if (first instanceof Tensor) {
    if (!samples.every((s) => s instanceof Tensor)) fail("some samples are tensors and some are not");
    try {
      return stack(samples as Tensor[], 0);
    } catch (e) {
      return fail((e as Error).message);
    }
  }
  if (typeof first === "number" || typeof first === "boolean") {
    if (!samples.every((s) => typeof s === typeof first)) fail(`expected every sample to be a ${typeof first}`);
    if (typeof first === "boolean")
      return fromTypedArray(Uint8Array.from(samples as boolean[], Number), [samples.length], { dtype: "bool" });
    const nums = samples as number[];
    if (nums.every(Number.isSafeInteger)) return fromTypedArray(BigInt64Array.from(nums, BigInt));
    return fromTypedArray(Float32Array.from(nums));
  }
  if (typeof first === "string") return [...samples];
  if (Array.isArray(first)) {
    if (!samples.every((s) => Array.isArray(s) && s.length === first.length))
      fail(`every sample must be an array of length ${first.length}`);
    return first.map((_, j) =>
      collateAt(
        samples.map((s) => (s as unknown[])[j]),
        `${where}[${j}]`,
      ),
    );
  }
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      if (!samples.every((s) => isPlainObject(s) && Object.hasOwn(s, k))) fail(`some samples lack the field "${k}"`);
      Object.defineProperty(out, k, {
        value: collateAt(
          samples.map((s) => (s as Record<string, unknown>)[k]),
          `${where}.${k}`,
        ),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return [...samples];
}

/**
 * PyTorch's default_collate: tensors are stacked along a new first dim; numbers become a
 * 1-d tensor (int64 when every one is an integer, else float32: JavaScript cannot tell
 * 1.0 from 1, so return a tensor from `get` to fix the dtype); booleans a bool tensor;
 * strings stay a list; arrays and plain objects are collated field by field.
 *
 * @example
 * tt.data.defaultCollate([{ x: tt.ones([2]), y: 1 }, { x: tt.zeros([2]), y: 0 }]);
 * // { x: Tensor [2, 2], y: Tensor [2] (int64) }
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (samples.length === 0) throw new Error("defaultCollate: expected at least one sample");
  return collateAt(samples, "") as Collated<T>;
}

/** Disposes every tensor in a batch (arrays and plain objects are walked). */
export function disposeBatch(batch: unknown): void {
  if (batch instanceof Tensor) batch.dispose();
  else if (Array.isArray(batch)) for (const v of batch) disposeBatch(v);
  else if (isPlainObject(batch)) for (const v of Object.values(batch)) disposeBatch(v);
}

/**
 * Iterates a dataset in batches, sync (`for…of`) or async (`for await…of`). With
 * `shuffle`, every epoch (every new iteration) uses a new permutation drawn from a
 * seeded PRNG, so runs are reproducible. Over a TensorDataset (or a Subset of one)
 * without a custom collate, a batch is gathered with one indexSelect per tensor.
 *
 * Batch i+1 is prepared while batch i is in use: the async iterator starts it on a
 * setImmediate before handing out batch i (an `await` in the training loop lets it run),
 * the sync iterator builds it eagerly. Batches belong to the caller: dispose them
 * (`tt.data.disposeBatch(b)`) or work inside `tt.tidy`. Tensors that a dataset's `get`
 * creates are freed once collated; a dataset that caches tensors it makes should
 * `tt.keep` them.
 *
 * @example
 * const loader = new tt.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
 * for (let epoch = 0; epoch < 3; epoch++)
 *   for await (const [x, y] of loader) {
 *     tt.tidy(() => step(x, y));
 *     x.dispose(); y.dispose();
 *   }
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  /** The epoch the next iteration will use (counts iterations; set it to resume). */
  epoch = 0;
  private readonly collate?: (samples: T[]) => B;

  constructor(
    readonly dataset: Dataset<T>,
    options: DataLoaderOptions<T, B> = {},
  ) {
    const { batchSize = 1, shuffle = false, dropLast = false, seed, collate } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (seed !== undefined && !Number.isInteger(seed)) throw new RangeError(`DataLoader: seed must be an integer, got ${seed}`);
    if (collate !== undefined && typeof collate !== "function") throw new TypeError("DataLoader: collate must be a function");
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
    this.collate = collate;
  }

  /** Number of batches in one epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample order of an epoch: 0..n-1, or a permutation fixed by (seed, epoch). */
  order(epoch: number): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return randperm(n, mixSeed(this.seed, epoch));
    const o = new Int32Array(n);
    for (let i = 0; i < n; i++) o[i] = i;
    return o;
  }

  private build(order: Int32Array, b: number): B {
    const idx = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
    if (!this.collate && this.dataset.getBatch) return this.dataset.getBatch(idx) as B;
    const collate = this.collate ?? (defaultCollate as unknown as (s: T[]) => B);
    return tidy(() => collate(Array.from(idx, (i) => this.dataset.get(i))));
  }

  private start(): { order: Int32Array; count: number } {
    const order = this.order(this.epoch++);
    return { order, count: this.length };
  }

  *[Symbol.iterator](): Generator<B, void, undefined> {
    const { order, count } = this.start();
    let next: B | undefined = count > 0 ? this.build(order, 0) : undefined;
    try {
      for (let b = 0; b < count; b++) {
        const cur = next as B;
        next = undefined;
        try {
          if (b + 1 < count) next = this.build(order, b + 1);
        } catch (e) {
          disposeBatch(cur);
          throw e;
        }
        yield cur;
      }
    } finally {
      if (next !== undefined) disposeBatch(next); // the consumer stopped early
    }
  }

  private schedule(order: Int32Array, b: number): Promise<B> {
    const p = new Promise<B>((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(this.build(order, b));
        } catch (e) {
          reject(e);
        }
      });
    });
    p.catch(() => {}); // the error surfaces when this batch is awaited, never as an unhandled rejection
    return p;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<B, void, undefined> {
    const { order, count } = this.start();
    let pending: Promise<B> | undefined = count > 0 ? this.schedule(order, 0) : undefined;
    try {
      for (let b = 0; b < count; b++) {
        const cur = await pending!;
        pending = b + 1 < count ? this.schedule(order, b + 1) : undefined;
        yield cur;
      }
    } finally {
      pending?.then(disposeBatch, () => {});
    }
  }
}
