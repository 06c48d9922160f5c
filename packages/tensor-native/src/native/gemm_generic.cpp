// Matmul for dtypes other than float32: a plain i-k-j loop (vectorizes on j), threaded
// over rows. float32 goes to the packed kernel in gemm.cpp.
#include <algorithm>
#include <vector>

#include "gemm.h"
#include "thread_pool.h"

namespace tt {
namespace {

template <typename T, typename Acc>
void gemm_t(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb, int64_t csb, T* C,
            int64_t ldc) {
  parallel_for(M, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, N * K)), [&](int64_t m0, int64_t m1) {
    std::vector<Acc> row(N);
    for (int64_t i = m0; i < m1; i++) {
      std::fill(row.begin(), row.end(), Acc(0));
      for (int64_t k = 0; k < K; k++) {
        Acc a = (Acc)A[i * rsa + k * csa];
        const T* b = B + k * rsb;
        if (csb == 1)
          for (int64_t j = 0; j < N; j++) row[j] += a * (Acc)b[j];
        else
          for (int64_t j = 0; j < N; j++) row[j] += a * (Acc)b[j * csb];
      }
      for (int64_t j = 0; j < N; j++) C[i * ldc + j] = (T)row[j];
    }
  });
}

}  // namespace

void gemm_any(DType dt, int64_t M, int64_t N, int64_t K, const char* A, int64_t rsa, int64_t csa, const char* B, int64_t rsb, int64_t csb,
              char* C, int64_t ldc) {
  switch (dt) {
    case DType::F32: sgemm(M, N, K, (const float*)A, rsa, csa, (const float*)B, rsb, csb, (float*)C, ldc); break;
    case DType::F64: gemm_t<double, double>(M, N, K, (const double*)A, rsa, csa, (const double*)B, rsb, csb, (double*)C, ldc); break;
    case DType::I32: gemm_t<int32_t, int64_t>(M, N, K, (const int32_t*)A, rsa, csa, (const int32_t*)B, rsb, csb, (int32_t*)C, ldc); break;
    case DType::I64: gemm_t<int64_t, int64_t>(M, N, K, (const int64_t*)A, rsa, csa, (const int64_t*)B, rsb, csb, (int64_t*)C, ldc); break;
    case DType::U8: gemm_t<uint8_t, int64_t>(M, N, K, (const uint8_t*)A, rsa, csa, (const uint8_t*)B, rsb, csb, (uint8_t*)C, ldc); break;
    default: throw Error("matmul: unsupported dtype");
  }
}

}  // namespace tt
