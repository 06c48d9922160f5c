// Matmul on the device: cuBLAS for floating dtypes (float32 with TF32 when allowed,
// float16/bfloat16 with float32 accumulation), a plain kernel for integers.
#include <limits>
#include <string>

#include "device_ops.h"
#include "loader.h"

namespace tt::cuda {
namespace {

int as_int(int64_t v, const char* what) {
  if (v < 0 || v > std::numeric_limits<int>::max()) throw Error(std::string("matmul: ") + what + " is too large for cuBLAS's 32-bit sizes");
  return (int)v;
}

int cuda_data_type(DType t) {
  switch (t) {
    case DType::F16: return cublas::kR16F;
    case DType::BF16: return cublas::kR16BF;
    case DType::F32: return cublas::kR32F;
    default: return cublas::kR64F;
  }
}

void check_blas(int status, const char* what) {
  if (status == cublas::kSuccess) return;
  auto text = reinterpret_cast<cublas::PFN_cublasGetStatusString>(optional_symbol(libraries().cublas, "cublasGetStatusString"));
  throw Error(std::string(what) + " failed: " + (text ? text(status) : "status " + std::to_string(status)));
}

}  // namespace

void op_gemm(Device& d, const View& a_view, const View& b_view, const View& c_view, const GemmCall& c, bool tf32) {
  const DType t = c_view.dtype;
  const int m = as_int(c.m, "m"), n = as_int(c.n, "n"), k = as_int(c.k, "k");
  const int lda = as_int(c.lda, "lda"), ldb = as_int(c.ldb, "ldb"), ldc = as_int(c.ldc, "ldc");
  const int batch = as_int(c.batch, "the batch count");
  auto h = static_cast<cublas::Handle>(d.cublas(tf32));
  const void* A = a_view.data;
  const void* B = b_view.data;
  void* C = c_view.data;
  if (t == DType::F32) {
    const float one = 1, zero = 0;
    check_blas(CUBLAS(cublasSgemmStridedBatched)(h, c.transa, c.transb, m, n, k, &one, (const float*)A, lda, c.stride_a, (const float*)B,
                                                 ldb, c.stride_b, &zero, (float*)C, ldc, c.stride_c, batch),
               "cublasSgemmStridedBatched");
  } else if (t == DType::F64) {
    const double one = 1, zero = 0;
    check_blas(CUBLAS(cublasDgemmStridedBatched)(h, c.transa, c.transb, m, n, k, &one, (const double*)A, lda, c.stride_a, (const double*)B,
                                                 ldb, c.stride_b, &zero, (double*)C, ldc, c.stride_c, batch),
               "cublasDgemmStridedBatched");
  } else if (t == DType::F16 || t == DType::BF16) {
    const float one = 1, zero = 0;
    const int dt = cuda_data_type(t);
    check_blas(CUBLAS(cublasGemmStridedBatchedEx)(h, c.transa, c.transb, m, n, k, &one, A, dt, lda, c.stride_a, B, dt, ldb, c.stride_b,
                                                  &zero, C, dt, ldc, c.stride_c, batch, cublas::kCompute32F, cublas::kGemmDefault),
               "cublasGemmStridedBatchedEx");
  } else {
    throw Error("matmul: cuBLAS takes floating dtypes only");
  }
}

void op_matmul_int(Device& d, const View& a, const View& b, const View& out) {
  const int nd = out.ndim;
  TTMatmulArgs args{};
  View batch_out = out, ba = a, bb = b;
  batch_out.ndim = ba.ndim = bb.ndim = nd - 2;
  Operand oa, ob, oc;
  oa.v = ba;
  ob.v = bb;
  oc.v = batch_out;
  const Operand* ops[] = {&oa, &ob, &oc};
  build_iteration(batch_out, ops, 3, &args.batch, args.op);
  args.M = out.shape[nd - 2];
  args.N = out.shape[nd - 1];
  args.K = a.shape[nd - 1];
  args.rsa = a.strides[nd - 2];
  args.csa = a.strides[nd - 1];
  args.rsb = b.strides[nd - 2];
  args.csb = b.strides[nd - 1];
  args.rsc = out.strides[nd - 2];
  const std::string kernel = std::string("tt_matmul_") + compute_suffix(out.dtype, "matmul");
  const uint64_t count = (uint64_t)(args.batch.numel * args.M * args.N);
  if (count) d.launch(d.function("matmul_int.cu", kernel.c_str()), count, &args);
}

}  // namespace tt::cuda
