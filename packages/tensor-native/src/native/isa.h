// Run-time ISA dispatch: one table of hot float32 kernels per instruction set, picked
// once at load (TESSERA_CPU_ISA=avx512|avx2|base forces a lower one).
#pragma once
#include <cstdint>

namespace tt {

struct IsaKernels {
  const char* name;
  // o[i] = a[i*sa] op b[i*sb], sa/sb in {0,1}; arithmetic ops only (B_ADD..B_MIN).
  void (*binary_f32)(int op, const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n);
  // o[i] = op(x[i]); returns false if this table has no fast path for op.
  bool (*unary_f32)(int op, const float* x, float* o, int64_t n);
  // Row-wise softmax / log-softmax over contiguous rows of length n.
  void (*softmax_rows_f32)(const float* x, float* o, int64_t rows, int64_t n, bool log);
  double (*sum_f32)(const float* x, int64_t n);
  // C[MR x NR] (+)= Apanel[kc x MR]^T * Bpanel[kc x NR], row stride ldc.
  void (*gemm_ukernel)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);
  int gemm_mr, gemm_nr;
};

const IsaKernels& isa();
const char* isa_name();
bool force_isa(const char* name);  // for tests; returns false if unsupported here

void fill_base(IsaKernels& k);
void fill_avx2(IsaKernels& k);
void fill_avx512(IsaKernels& k);

}  // namespace tt
