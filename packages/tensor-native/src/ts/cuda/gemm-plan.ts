/**
 * Our row-major-indexed strided matrices onto cuBLAS's column-major GEMM. cuBLAS computes
 * C = op(A)·op(B) over column-major storage; we want out = a·b with a [.., M, K], b [.., K, N]
 * and out [.., M, N] indexed row by row. Reading out's memory as column-major gives outᵀ,
 * so we ask cuBLAS for outᵀ = bᵀ·aᵀ: cuBLAS's A is our b, its B is our a, m = N, n = M, k = K.
 * A matrix with a unit column stride is its own transpose in column-major terms (op N);
 * one with a unit row stride is column-major already (op T). Anything else (a stride-0
 * row, a gap in both directions) is copied contiguous first, as are batch dims that no
 * single stride describes. A pure function, tested against the CPU matmul by simulating
 * cuBLAS (test/cuda-gemm-plan.test.ts).
 */

/** Shape [...batch, rows, cols] and strides in elements. */
export interface StridedMatrix {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

/** One cublas<T>gemmStridedBatched call; A and B are read from our b and a, C is out. */
export interface GemmCall {
  transa: 0 | 1;
  transb: 0 | 1;
  m: number;
  n: number;
  k: number;
  lda: number;
  ldb: number;
  ldc: number;
  strideA: number;
  strideB: number;
  strideC: number;
  batch: number;
}

export type GemmPlan = { call: GemmCall; materialize?: undefined } | { call?: undefined; materialize: ("a" | "b" | "out")[] };

/**
 * How [rows, cols] with strides (rs, cs) reads as column-major storage: `transposed` means
 * the memory holds the matrix's transpose (cols x rows) with leading dimension ld.
 * Strides of size-1 dims are free, so they are picked to satisfy cuBLAS (ld >= rows).
 */
export function columnMajor(rows: number, cols: number, rs: number, cs: number): { transposed: boolean; ld: number } | null {
  if (cols === 1 || cs === 1) {
    const ld = rows === 1 ? Math.max(1, cols) : rs;
    if (ld >= Math.max(1, cols)) return { transposed: true, ld };
  }
  if (rows === 1 || rs === 1) {
    const ld = cols === 1 ? Math.max(1, rows) : cs;
    if (ld >= Math.max(1, rows)) return { transposed: false, ld };
  }
  return null;
}

/** The one stride that steps through the batch (row-major over `batch`), or null. */
export function batchStride(batch: readonly number[], strides: readonly number[]): number | null {
  let stride: number | null = null;
  let span = 1;
  for (let d = batch.length - 1; d >= 0; d--) {
    if (batch[d] === 1) continue;
    if (stride === null) stride = strides[d] / span;
    if (!Number.isInteger(stride) || strides[d] !== stride * span || stride < 0) return null;
    span *= batch[d];
  }
  return stride ?? 0;
}

export function planGemm(a: StridedMatrix, b: StridedMatrix, out: StridedMatrix): GemmPlan {
  const nd = out.shape.length;
  const batch = out.shape.slice(0, nd - 2);
  const M = out.shape[nd - 2],
    N = out.shape[nd - 1],
    K = a.shape[nd - 1];
  const la = columnMajor(M, K, a.strides[nd - 2], a.strides[nd - 1]);
  const lb = columnMajor(K, N, b.strides[nd - 2], b.strides[nd - 1]);
  const lc = columnMajor(M, N, out.strides[nd - 2], out.strides[nd - 1]);
  const sa = batchStride(batch, a.strides.slice(0, nd - 2));
  const sb = batchStride(batch, b.strides.slice(0, nd - 2));
  const sc = batchStride(batch, out.strides.slice(0, nd - 2));
  const bad: ("a" | "b" | "out")[] = [];
  if (!la || sa === null) bad.push("a");
  if (!lb || sb === null) bad.push("b");
  const count = batch.reduce((p, s) => p * s, 1);
  if (!lc || !lc.transposed || sc === null || (sc === 0 && count > 1)) bad.push("out");
  if (bad.length || !la || !lb || !lc || sa === null || sb === null || sc === null) return { materialize: bad };
  return {
    call: {
      transa: lb.transposed ? 0 : 1,
      transb: la.transposed ? 0 : 1,
      m: N,
      n: M,
      k: K,
      lda: lb.ld,
      ldb: la.ld,
      ldc: lc.ld,
      strideA: sb,
      strideB: sa,
      strideC: sc,
      batch: count,
    },
  };
}
