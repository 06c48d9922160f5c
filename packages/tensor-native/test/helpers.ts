import assert from "node:assert/strict";

/** Deterministic pseudo-random numbers for building inputs and references in tests. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6, what = ""): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i],
      e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    if (!Number.isFinite(e)) {
      assert.equal(a, e, `${what}[${i}]`);
      continue;
    }
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: ${a} vs expected ${e}`);
  }
}

/** Row-major float64 reference matmul. */
export function refMatmul(a: number[], b: number[], M: number, K: number, N: number): number[] {
  const c = new Array<number>(M * N).fill(0);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) {
      const av = a[i * K + k];
      for (let j = 0; j < N; j++) c[i * N + j] += av * b[k * N + j];
    }
  return c;
}

export function nums(x: { values(): (number | boolean)[] }): number[] {
  return x.values().map(Number);
}

/** A tensor's dtype, shape and nested values at once. */
export function assertTensor(
  t: { dtype: string; shape: readonly number[]; toArray(): unknown },
  dtype: string,
  shape: number[],
  values: unknown,
): void {
  assert.equal(t.dtype, dtype);
  assert.deepEqual(t.shape, shape);
  assert.deepEqual(t.toArray(), values);
}
