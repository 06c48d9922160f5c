#include "launch.h"

namespace tt::cuda {

const char* dtype_suffix(DType d) {
  switch (d) {
    case DType::F32: return "f32";
    case DType::F64: return "f64";
    case DType::F16: return "f16";
    case DType::BF16: return "bf16";
    case DType::I32: return "i32";
    case DType::I64: return "i64";
    case DType::U8: return "u8";
    case DType::Bool: return "b8";
  }
  throw Error("unknown dtype");
}

const char* compute_suffix(DType d, const char* op) {
  if (d == DType::F16 || d == DType::BF16) throw Error(std::string(op) + ": this op does not support float16/bfloat16 directly");
  return d == DType::Bool ? "u8" : dtype_suffix(d);
}

void build_iteration(const View& out, const Operand* const* ops, int nops, TTIter* it, TTOperand* dst) {
  int64_t shape[kMaxDims];
  int64_t strides[4][kMaxDims];
  int nd = 0;
  for (int d = 0; d < out.ndim; d++) {
    if (out.shape[d] == 1) continue;
    shape[nd] = out.shape[d];
    for (int k = 0; k < nops; k++) strides[k][nd] = ops[k]->scalar ? 0 : ops[k]->v.strides[d];
    nd++;
  }
  // Merge dim d into d-1 when, for every operand, stepping d-1 once equals stepping d fully.
  int m = 0;
  for (int d = 0; d < nd; d++) {
    bool merge = m > 0;
    for (int k = 0; merge && k < nops; k++) merge = strides[k][m - 1] == strides[k][d] * shape[d];
    if (merge) {
      shape[m - 1] *= shape[d];
      for (int k = 0; k < nops; k++) strides[k][m - 1] = strides[k][d];
    } else {
      shape[m] = shape[d];
      for (int k = 0; k < nops; k++) strides[k][m] = strides[k][d];
      m++;
    }
  }
  if (m == 0) {  // a single element
    shape[0] = 1;
    for (int k = 0; k < nops; k++) strides[k][0] = 0;
    m = 1;
  }
  it->ndim = m;
  it->numel = 1;
  for (int d = 0; d < kMaxDims; d++) it->shape[d] = d < m ? shape[d] : 1;
  for (int d = 0; d < m; d++) it->numel *= shape[d];
  if (out.numel() == 0) it->numel = 0;
  for (int k = 0; k < nops; k++) {
    dst[k].ptr = ops[k]->scalar ? 0 : device_address(ops[k]->v);
    dst[k].scalar = ops[k]->bits;
    for (int d = 0; d < kMaxDims; d++) dst[k].strides[d] = d < m ? strides[k][d] : 0;
  }
}

}  // namespace tt::cuda
