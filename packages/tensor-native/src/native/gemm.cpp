// Packed, cache-blocked float32 GEMM (the BLIS loop nest):
//   jc over N in NC columns   (packed B block KC x NC lives in L3, shared by threads)
//   pc over K in KC           (B micro-panels KC x NR stay in L1 across a column of tiles)
//   ic over M in MC rows      (packed A block MC x KC lives in L2, one per thread)
//   jr, ir: MR x NR micro-kernel from the ISA table.
// Threads split M (or N when M is small); B is packed cooperatively before each K step.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <vector>

#include "allocator.h"
#include "interrupt.h"
#include "isa.h"
#include "thread_pool.h"

namespace tt {
namespace {

int64_t env_or(const char* name, int64_t d) {
  const char* s = std::getenv(name);
  return s ? std::atoll(s) : d;
}
const int64_t KC = env_or("TESSERA_GEMM_KC", 256), MC = env_or("TESSERA_GEMM_MC", 144), NC = 4096;

struct Buf {  // a pooled, 64-byte aligned float scratch buffer
  float* p = nullptr;
  size_t block = 0;
  explicit Buf(size_t n) { p = static_cast<float*>(cpu_alloc(n * sizeof(float), &block)); }
  ~Buf() { cpu_free(p, block); }
};

// dst: ceil(mc/MR) panels, each kc x MR, zero-padded past mc. The loops follow whichever
// of A's strides is unit (row-major A, or a transposed view in backward passes).
void pack_a(int MR, int64_t mc, int64_t kc, const float* A, int64_t rsa, int64_t csa, float* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    int64_t rows = std::min<int64_t>(MR, mc - i0);
    const float* a = A + i0 * rsa;
    if (rows == MR && csa == 1) {
      for (int64_t k = 0; k < kc; k++)
        for (int r = 0; r < MR; r++) dst[k * MR + r] = a[r * rsa + k];
    } else if (rows == MR && rsa == 1) {
      for (int64_t k = 0; k < kc; k++)
        for (int r = 0; r < MR; r++) dst[k * MR + r] = a[k * csa + r];
    } else {
      for (int64_t k = 0; k < kc; k++)
        for (int r = 0; r < MR; r++) dst[k * MR + r] = r < rows ? a[r * rsa + k * csa] : 0.f;
    }
    dst += kc * MR;
  }
}

// Packs NR-wide panels [p0, p1) of a kc x nc block of B.
void pack_b(int NR, int64_t p0, int64_t p1, int64_t nc, int64_t kc, const float* B, int64_t rsb, int64_t csb, float* dst) {
  for (int64_t p = p0; p < p1; p++) {
    int64_t j0 = p * NR, cols = std::min<int64_t>(NR, nc - j0);
    float* d = dst + p * kc * NR;
    const float* b = B + j0 * csb;
    if (cols == NR && csb == 1) {
      for (int64_t k = 0; k < kc; k++)
        for (int c = 0; c < NR; c++) d[k * NR + c] = b[k * rsb + c];
    } else if (rsb == 1) {  // a transposed view: read each source row along k
      for (int c = 0; c < NR; c++) {
        if (c < cols) {
          const float* src = b + c * csb;
          for (int64_t k = 0; k < kc; k++) d[k * NR + c] = src[k];
        } else {
          for (int64_t k = 0; k < kc; k++) d[k * NR + c] = 0.f;
        }
      }
    } else {
      for (int64_t k = 0; k < kc; k++)
        for (int c = 0; c < NR; c++) d[k * NR + c] = c < cols ? b[k * rsb + c * csb] : 0.f;
    }
  }
}

// Runs the micro-kernels for rows [0, mc) x panels [q0, q1) of one packed A / B pair.
void macro_kernel(const IsaKernels& K, int64_t mc, int64_t nc, int64_t kc, const float* pa, const float* pb, int64_t q0, int64_t q1,
                  float* C, int64_t ldc, bool acc) {
  const int MR = K.gemm_mr, NR = K.gemm_nr;
  float tile[6 * 64];
  for (int64_t q = q0; q < q1; q++) {
    int64_t j0 = q * NR, cols = std::min<int64_t>(NR, nc - j0);
    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
      int64_t rows = std::min<int64_t>(MR, mc - i0);
      const float* a = pa + (i0 / MR) * kc * MR;
      const float* b = pb + q * kc * NR;
      float* c = C + i0 * ldc + j0;
      if (rows == MR && cols == NR) {
        K.gemm_ukernel(kc, a, b, c, ldc, acc);
      } else {
        K.gemm_ukernel(kc, a, b, tile, NR, false);
        for (int64_t r = 0; r < rows; r++)
          for (int64_t s = 0; s < cols; s++) c[r * ldc + s] = acc ? c[r * ldc + s] + tile[r * NR + s] : tile[r * NR + s];
      }
    }
  }
}

}  // namespace

void sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B, int64_t rsb, int64_t csb, float* C,
           int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t i = 0; i < M; i++) std::fill(C + i * ldc, C + i * ldc + N, 0.f);
    return;
  }
  const IsaKernels& Kn = isa();
  const int MR = Kn.gemm_mr, NR = Kn.gemm_nr;
  // K in equal blocks near KC (288 = one block of 288, not 256 + a thin 32 that would
  // pay a second pass over C and a second packing of B for little work).
  const int64_t kblocks = std::max<int64_t>(1, (K + KC / 2) / KC);
  const int64_t kc_max = (K + kblocks - 1) / kblocks;
  int nth = (M * N * K < 32 * 32 * 32) ? 1 : num_threads();
  // Each thread owns a block of rows (or, for short matrices, of column panels) and packs
  // its own A and B: B is packed once per thread instead of shared, in exchange for one
  // dispatch per product instead of two barriers per K block, which a descheduled thread
  // on a busy machine turns into waiting.
  const bool split_m = M >= (int64_t)nth * MR * 4;
  const int64_t all_panels = (N + NR - 1) / NR;
  const int64_t rows_per = ((M + nth - 1) / nth + MR - 1) / MR * MR;
  const int64_t panels_per = (all_panels + nth - 1) / nth;
  std::atomic<bool> stop{false};
  parallel_tasks(nth, [&](int64_t t) {
    int64_t m0 = 0, m1 = M, n0 = 0, n1 = N;
    if (split_m) {
      m0 = std::min(M, t * rows_per);
      m1 = std::min(M, m0 + rows_per);
    } else {
      n0 = std::min(N, t * panels_per * NR);
      n1 = std::min(N, n0 + panels_per * NR);
    }
    if (m0 >= m1 || n0 >= n1) return;
    const int64_t nc_max = std::min(NC, (n1 - n0 + NR - 1) / NR * NR);
    Buf bbuf((size_t)kc_max * nc_max), abuf((size_t)kc_max * (MC + MR));
    for (int64_t jc = n0; jc < n1; jc += NC) {
      const int64_t nc = std::min(NC, n1 - jc), npanels = (nc + NR - 1) / NR;
      for (int64_t pc = 0; pc < K; pc += kc_max) {
        // Only the calling thread may read the interrupt flag (and throw, below).
        if (t == 0 && interrupt_requested()) stop = true;
        if (stop) return;
        const int64_t kc = std::min(kc_max, K - pc);
        pack_b(NR, 0, npanels, nc, kc, B + pc * rsb + jc * csb, rsb, csb, bbuf.p);
        for (int64_t ic = m0; ic < m1; ic += MC) {
          const int64_t mc = std::min(MC, m1 - ic);
          pack_a(MR, mc, kc, A + ic * rsa + pc * csa, rsa, csa, abuf.p);
          macro_kernel(Kn, mc, nc, kc, abuf.p, bbuf.p, 0, npanels, C + ic * ldc + jc, ldc, pc > 0);
        }
      }
    }
  });
  if (stop) check_interrupt();
}

}  // namespace tt
