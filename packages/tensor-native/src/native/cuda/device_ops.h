// The device ops behind the N-API surface (addon_cuda.cpp): each checks what the kernel
// needs beyond the view checks already done, fills an argument block and queues a kernel
// on the device's stream. Views hold device addresses; nothing here reads device memory.
#pragma once
#include <cstdint>

#include "../kernels.h"
#include "device.h"
#include "launch.h"

namespace tt::cuda {

void op_copy(Device& d, const View& src, const View& dst);
void op_fill(Device& d, const View& dst, double value);
void op_unary(Device& d, int op, const View& x, const View& out);
void op_binary(Device& d, int op, const Operand& a, const Operand& b, const View& out);
void op_where(Device& d, const Operand& cond, const Operand& a, const Operand& b, const View& out);
// x contiguous [outer, n] -> out [outer] (softmax ops: [outer, n]).
void op_reduce(Device& d, int op, const View& x, int64_t outer, int64_t n, const View& out, double correction);
// kind 0 uniform, 1 normal, 2 randint, 3 arange; out contiguous.
void op_random(Device& d, int kind, const View& out, double p1, double p2, uint64_t seed, uint64_t offset);
// kind 0 indexSelect, 1 gather, 2 scatterAdd (x updated in place from `src_or_out`).
void op_index(Device& d, int kind, const View& x, const View& idx, const View& src_or_out, int64_t outer, int64_t xdim, int64_t inner,
              int64_t idim);
void op_window(Device& d, int kind, const View& x, const View& out, const Conv2dGeom& g);
void op_window_backward(Device& d, int kind, const View& a, const View& b, const View& out, const Conv2dGeom& g);
void op_optim(Device& d, int kind, const View& p, const View& g, const View& s1, const View& s2, const double* hyper);

// One cuBLAS strided-batched GEMM in column-major terms (see src/ts/cuda/gemm-plan.ts):
// C = op(A) op(B) with A from `a_view`, B from `b_view`; the addon has checked the extents.
struct GemmCall {
  int transa, transb;
  int64_t m, n, k, lda, ldb, ldc, stride_a, stride_b, stride_c, batch;
};
void op_gemm(Device& d, const View& a_view, const View& b_view, const View& c_view, const GemmCall& call, bool tf32);
// a [batch..., M, K] x b [batch..., K, N] -> out for integer dtypes (no cuBLAS).
void op_matmul_int(Device& d, const View& a, const View& b, const View& out);

}  // namespace tt::cuda
