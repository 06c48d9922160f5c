// Matrix multiply entry points. A is MxK with strides (rsa, csa), B is KxN with
// strides (rsb, csb); C is MxN row-major with row stride ldc and is overwritten.
#pragma once
#include <cstdint>

#include "common.h"

namespace tt {

void sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B, int64_t rsb, int64_t csb, float* C,
           int64_t ldc);

// Any dtype (float32 goes to sgemm); data pointers already include offsets.
void gemm_any(DType dt, int64_t M, int64_t N, int64_t K, const char* A, int64_t rsa, int64_t csa, const char* B, int64_t rsb, int64_t csb,
              char* C, int64_t ldc);

}  // namespace tt
