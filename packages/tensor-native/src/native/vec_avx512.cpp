// AVX-512 build of the float32 hot loops (compiled with -mavx512f and friends).
#define VEC_NS vec_avx512
#define VEC_BYTES 64
#include "vec_impl.inc"

namespace tt {

void gemm_ukernel_avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool acc);

void fill_avx512(IsaKernels& k) {
  k.name = "avx512";
  k.binary_f32 = vec_avx512::binary_f32;
  k.unary_f32 = vec_avx512::unary_f32;
  k.softmax_rows_f32 = vec_avx512::softmax_rows_f32;
  k.sum_f32 = vec_avx512::sum_f32;
  k.gemm_ukernel = gemm_ukernel_avx512;
  k.gemm_mr = 6;
  k.gemm_nr = 32;
}

}  // namespace tt
