// AVX2+FMA build of the float32 hot loops (compiled with -mavx2 -mfma).
#define VEC_NS vec_avx2
#define VEC_BYTES 32
#include "vec_impl.inc"

namespace tt {

void gemm_ukernel_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc);

void fill_avx2(IsaKernels& k) {
  k.name = "avx2";
  k.binary_f32 = vec_avx2::binary_f32;
  k.unary_f32 = vec_avx2::unary_f32;
  k.softmax_rows_f32 = vec_avx2::softmax_rows_f32;
  k.sum_f32 = vec_avx2::sum_f32;
  k.gemm_ukernel = gemm_ukernel_avx2;
  k.gemm_mr = 6;
  k.gemm_nr = 16;
}

}  // namespace tt
