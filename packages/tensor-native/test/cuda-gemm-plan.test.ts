// The mapping of our strided matmul operands onto cuBLAS's column-major GEMM
// (src/ts/cuda/gemm-plan.ts), checked without a GPU: each plan is run through what
// cublas<T>gemmStridedBatched is defined to compute, simulated here on the operands' raw
// storage, and compared with the CPU matmul of the same views.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as tt from "../src/ts/index.ts";
import { batchStride, columnMajor, planGemm, type GemmCall } from "../src/ts/cuda/gemm-plan.ts";
import { assertClose, randomArray } from "./helpers.ts";

/** C = op(A)·op(B) per batch, column-major, with cuBLAS's argument checks. */
function simulateCublas(c: GemmCall, A: Float64Array, offA: number, B: Float64Array, offB: number, C: Float64Array): void {
  const rowsA = c.transa === 0 ? c.m : c.k,
    rowsB = c.transb === 0 ? c.k : c.n;
  assert.ok(c.m > 0 && c.n > 0 && c.k > 0 && c.batch > 0, "sizes");
  assert.ok(c.lda >= Math.max(1, rowsA), `lda ${c.lda} < ${rowsA}`);
  assert.ok(c.ldb >= Math.max(1, rowsB), `ldb ${c.ldb} < ${rowsB}`);
  assert.ok(c.ldc >= Math.max(1, c.m), `ldc ${c.ldc} < ${c.m}`);
  const at = (arr: Float64Array, i: number, what: string): number => {
    assert.ok(i >= 0 && i < arr.length, `${what} read at ${i} is outside its storage of ${arr.length}`);
    return arr[i];
  };
  for (let p = 0; p < c.batch; p++) {
    const a0 = offA + p * c.strideA,
      b0 = offB + p * c.strideB,
      c0 = p * c.strideC;
    for (let i = 0; i < c.m; i++)
      for (let j = 0; j < c.n; j++) {
        let s = 0;
        for (let l = 0; l < c.k; l++) {
          const av = at(A, c.transa === 0 ? a0 + i + l * c.lda : a0 + l + i * c.lda, "A");
          const bv = at(B, c.transb === 0 ? b0 + l + j * c.ldb : b0 + j + l * c.ldb, "B");
          s += av * bv;
        }
        const k = c0 + i + j * c.ldc;
        assert.ok(k >= 0 && k < C.length, `C write at ${k} is outside its storage`);
        C[k] = s;
      }
  }
}

let seed = 1;
/** A view [shape] with `strides` and `offset` over a fresh float64 storage of `size` elements. */
function strided(shape: number[], strides: number[], offset: number, size: number): { t: tt.Tensor; raw: Float64Array } {
  const raw = Float64Array.from(randomArray(size, seed++));
  const base = tt.fromTypedArray(raw);
  return { t: base.view_(shape, strides, offset), raw };
}

/** What the CUDA backend does for out = a·b: cuBLAS's A is our b, its B is our a; out is contiguous. */
function check(a: ReturnType<typeof strided>, b: ReturnType<typeof strided>, what: string): GemmCall {
  const expected = tt.matmul(a.t, b.t);
  const out = tt.zeros(expected.shape, { dtype: "float64" });
  let plan = planGemm(a.t, b.t, out);
  let [ea, eb] = [a, b];
  if (plan.materialize) {
    // The backend copies the named operands contiguous and plans again.
    const dense = (x: typeof a) => ({ t: x.t.contiguous(), raw: x.t.contiguous().data() as Float64Array });
    if (plan.materialize.includes("a")) ea = dense(a);
    if (plan.materialize.includes("b")) eb = dense(b);
    assert.ok(!plan.materialize.includes("out"), `${what}: a contiguous output must always map`);
    plan = planGemm(ea.t, eb.t, out);
  }
  assert.ok(plan.call, `${what}: no plan after materializing`);
  const C = new Float64Array(out.numel());
  simulateCublas(plan.call, eb.raw, eb.t.offset, ea.raw, ea.t.offset, C);
  assertClose(C, expected.data() as Float64Array, 1e-12, 1e-12, what);
  return plan.call;
}

describe("cuBLAS column-major mapping", () => {
  it("plain, transposed and sliced matrices map without copies", () => {
    const M = 3,
      K = 4,
      N = 5;
    const cases: [string, ReturnType<typeof strided>, ReturnType<typeof strided>, 0 | 1, 0 | 1][] = [
      ["contiguous", strided([M, K], [K, 1], 0, M * K), strided([K, N], [N, 1], 0, K * N), 0, 0],
      ["a transposed", strided([M, K], [1, M], 0, M * K), strided([K, N], [N, 1], 0, K * N), 0, 1],
      ["b transposed", strided([M, K], [K, 1], 0, M * K), strided([K, N], [1, K], 0, K * N), 1, 0],
      ["both transposed", strided([M, K], [1, M], 0, M * K), strided([K, N], [1, K], 0, K * N), 1, 1],
      ["a narrowed (row stride > K), offset", strided([M, K], [7, 1], 2, 30), strided([K, N], [N, 1], 0, K * N), 0, 0],
      ["b column-major with ld > K, offset", strided([M, K], [K, 1], 0, M * K), strided([K, N], [1, 6], 1, 40), 1, 0],
    ];
    for (const [what, a, b, transa, transb] of cases) {
      const call = check(a, b, what);
      assert.equal(call.transa, transa, `${what}: transa`);
      assert.equal(call.transb, transb, `${what}: transb`);
      assert.deepEqual([call.m, call.n, call.k], [N, M, K], `${what}: m, n, k`);
    }
  });

  it("vectors and size-1 dims with arbitrary strides", () => {
    check(strided([1, 4], [999, 1], 0, 4), strided([4, 5], [5, 1], 0, 20), "M = 1, odd row stride");
    check(strided([3, 4], [4, 1], 0, 12), strided([4, 1], [1, 777], 0, 4), "N = 1, odd column stride");
    check(strided([3, 1], [1, 55], 0, 3), strided([1, 5], [33, 1], 0, 5), "K = 1");
    check(strided([1, 1], [0, 0], 0, 1), strided([1, 1], [0, 0], 0, 1), "1 x 1 x 1");
  });

  it("batches: contiguous, with gaps, broadcast (stride 0), several batch dims", () => {
    check(strided([2, 3, 4], [12, 4, 1], 0, 24), strided([2, 4, 5], [20, 5, 1], 0, 40), "contiguous batch");
    const gap = check(strided([2, 3, 4], [20, 4, 1], 3, 40), strided([2, 4, 5], [20, 5, 1], 0, 40), "batch stride with a gap");
    assert.equal(gap.strideB, 20);
    const bcast = check(strided([2, 3, 4], [12, 4, 1], 0, 24), strided([2, 4, 5], [0, 5, 1], 0, 20), "weight broadcast over the batch");
    assert.equal(bcast.strideA, 0);
    assert.equal(bcast.batch, 2);
    check(strided([2, 3, 3, 4], [36, 12, 4, 1], 0, 72), strided([2, 3, 4, 5], [0, 0, 5, 1], 0, 20), "two batch dims, both broadcast");
    check(
      strided([2, 3, 3, 4], [36, 12, 4, 1], 0, 72),
      strided([2, 3, 4, 5], [60, 20, 1, 4], 0, 120),
      "two batch dims, transposed matrices",
    );
  });

  it("layouts cuBLAS cannot take are copied contiguous first", () => {
    const rowBroadcast = planGemm(
      { shape: [3, 4], strides: [0, 1] },
      { shape: [4, 5], strides: [5, 1] },
      { shape: [3, 5], strides: [5, 1] },
    );
    assert.deepEqual(rowBroadcast.materialize, ["a"]);
    check(strided([3, 4], [0, 1], 0, 4), strided([4, 5], [5, 1], 0, 20), "a row repeated (stride 0)");
    check(strided([3, 4], [8, 2], 0, 24), strided([4, 5], [5, 1], 0, 20), "a with gaps both ways");
    const mixedBatch = planGemm(
      { shape: [2, 3, 3, 4], strides: [36, 12, 4, 1] },
      { shape: [2, 3, 4, 5], strides: [20, 0, 5, 1] },
      { shape: [2, 3, 3, 5], strides: [45, 15, 5, 1] },
    );
    assert.deepEqual(mixedBatch.materialize, ["b"]);
    check(
      strided([2, 3, 3, 4], [36, 12, 4, 1], 0, 72),
      strided([2, 3, 4, 5], [20, 0, 5, 1], 0, 40),
      "batch broadcast in the inner batch dim only",
    );
    const aliasedOut = planGemm(
      { shape: [2, 3, 4], strides: [12, 4, 1] },
      { shape: [2, 4, 5], strides: [20, 5, 1] },
      { shape: [2, 3, 5], strides: [0, 5, 1] },
    );
    assert.deepEqual(aliasedOut.materialize, ["out"]);
  });

  it("random layouts agree with the CPU matmul", () => {
    for (let trial = 0; trial < 40; trial++) {
      const r = randomArray(8, 1000 + trial, 0, 1);
      const M = 1 + Math.floor(r[0] * 5),
        K = 1 + Math.floor(r[1] * 5),
        N = 1 + Math.floor(r[2] * 5);
      const B = 1 + Math.floor(r[3] * 3);
      const layout = (rows: number, cols: number, t: boolean, pad: number): [number[], number[], number] => {
        const ld = (t ? rows : cols) + pad;
        const strides = t ? [1, ld] : [ld, 1];
        const per = ld * (t ? cols : rows);
        return [[B, rows, cols], [per, ...strides], per * B];
      };
      const [sa, ta, na] = layout(M, K, r[4] < 0.5, Math.floor(r[5] * 3));
      const [sb, tb, nb] = layout(K, N, r[6] < 0.5, Math.floor(r[7] * 3));
      check(strided(sa, ta, 0, na), strided(sb, tb, 0, nb), `trial ${trial}`);
    }
  });
});

describe("layout helpers", () => {
  it("columnMajor reads row-major as transposed, column-major as is, and rejects the rest", () => {
    assert.deepEqual(columnMajor(3, 4, 4, 1), { transposed: true, ld: 4 });
    assert.deepEqual(columnMajor(3, 4, 1, 3), { transposed: false, ld: 3 });
    assert.deepEqual(columnMajor(1, 4, 0, 1), { transposed: true, ld: 4 });
    assert.equal(columnMajor(3, 4, 0, 1), null);
    assert.equal(columnMajor(3, 4, 2, 2), null);
    assert.equal(columnMajor(3, 4, 3, 1), null); // ld smaller than a row
  });

  it("batchStride finds the one stride of a batch, or says there is none", () => {
    assert.equal(batchStride([2, 3], [36, 12]), 12);
    assert.equal(batchStride([2, 3], [0, 0]), 0);
    assert.equal(batchStride([2, 1, 3], [36, 999, 12]), 12);
    assert.equal(batchStride([], []), 0);
    assert.equal(batchStride([2, 3], [20, 0]), null);
    assert.equal(batchStride([2, 3], [13, 4]), null);
  });
});
