// Checks the N-API entry points run on views before any kernel (CPU and CUDA alike).
#pragma once
#include <string>

#include "common.h"

namespace tt {

// Row-major without gaps (size-1 dims may have any stride).
inline bool is_contiguous(const View& v) {
  int64_t expect = 1;
  for (int d = v.ndim - 1; d >= 0; d--) {
    if (v.shape[d] != 1 && v.strides[d] != expect) return false;
    expect *= v.shape[d];
  }
  return true;
}

inline void require_contiguous(const View& v, const char* op) {
  if (!is_contiguous(v)) throw Error(std::string(op) + ": expected a contiguous view");
}

// Kernels iterate over the output's shape with each operand's strides, so every operand
// must already have exactly that shape.
inline void require_same_shape(const View& a, const View& b, const char* op) {
  bool ok = a.ndim == b.ndim;
  for (int d = 0; ok && d < a.ndim; d++) ok = a.shape[d] == b.shape[d];
  if (!ok) throw Error(std::string(op) + ": operand shapes do not match the output");
}

}  // namespace tt
