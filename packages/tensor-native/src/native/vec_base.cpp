// Portable (SSE2) build of the float32 hot loops, plus a scalar GEMM micro-kernel.
#define VEC_NS vec_base
#define VEC_BYTES 16
#include "vec_impl.inc"

namespace tt {

namespace {
constexpr int MR = 6, NR = 8;
void ukernel_base(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc) {
  float t[MR][NR] = {};
  for (int64_t k = 0; k < kc; k++)
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) t[i][j] += a[k * MR + i] * b[k * NR + j];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NR; j++) c[i * ldc + j] = acc ? c[i * ldc + j] + t[i][j] : t[i][j];
}
}  // namespace

void fill_base(IsaKernels& k) {
  k.name = "base";
  k.binary_f32 = vec_base::binary_f32;
  k.unary_f32 = vec_base::unary_f32;
  k.softmax_rows_f32 = vec_base::softmax_rows_f32;
  k.sum_f32 = vec_base::sum_f32;
  k.gemm_ukernel = ukernel_base;
  k.gemm_mr = MR;
  k.gemm_nr = NR;
}

}  // namespace tt
