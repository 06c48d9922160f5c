// N-d strided iteration and dtype dispatch shared by the elementwise kernels.
#pragma once
#include <algorithm>
#include <cstdint>

#include "common.h"

namespace tt {

struct Half {
  uint16_t v;
};
struct BHalf {
  uint16_t v;
};
struct Bool8 {
  uint8_t v;
};

template <class T>
inline T widen(T x) {
  return x;
}
inline float widen(Half h) { return half_to_float(h.v); }
inline float widen(BHalf h) { return bf16_to_float(h.v); }
inline uint8_t widen(Bool8 b) { return b.v; }

template <class D>
struct Narrow {
  template <class X>
  static D go(X x) {
    return static_cast<D>(x);
  }
};
template <>
struct Narrow<Half> {
  template <class X>
  static Half go(X x) {
    return Half{float_to_half((float)x)};
  }
};
template <>
struct Narrow<BHalf> {
  template <class X>
  static BHalf go(X x) {
    return BHalf{float_to_bf16((float)x)};
  }
};
template <>
struct Narrow<Bool8> {
  template <class X>
  static Bool8 go(X x) {
    return Bool8{(uint8_t)(x != X(0))};
  }
};

// Every storage dtype (for copies and casts).
#define TT_DISPATCH_ALL(dt, T, ...)        \
  switch (dt) {                            \
    case DType::F32: {                     \
      using T = float;                     \
      __VA_ARGS__;                         \
      break;                               \
    }                                      \
    case DType::F64: {                     \
      using T = double;                    \
      __VA_ARGS__;                         \
      break;                               \
    }                                      \
    case DType::F16: {                     \
      using T = Half;                      \
      __VA_ARGS__;                         \
      break;                               \
    }                                      \
    case DType::BF16: {                    \
      using T = BHalf;                     \
      __VA_ARGS__;                         \
      break;                               \
    }                                      \
    case DType::I32: {                     \
      using T = int32_t;                   \
      __VA_ARGS__;                         \
      break;                               \
    }                                      \
    case DType::I64: {                     \
      using T = int64_t;                   \
      __VA_ARGS__;                         \
      break;                               \
    }                                      \
    case DType::U8: {                      \
      using T = uint8_t;                   \
      __VA_ARGS__;                         \
      break;                               \
    }                                      \
    case DType::Bool: {                    \
      using T = Bool8;                     \
      __VA_ARGS__;                         \
      break;                               \
    }                                      \
    default: throw Error("unknown dtype"); \
  }

// The dtypes kernels compute in (half types are widened to float32 first; bool is u8).
#define TT_DISPATCH_COMPUTE(dt, T, ...)                                         \
  switch (dt) {                                                                 \
    case DType::F32: {                                                          \
      using T = float;                                                          \
      __VA_ARGS__;                                                              \
      break;                                                                    \
    }                                                                           \
    case DType::F64: {                                                          \
      using T = double;                                                         \
      __VA_ARGS__;                                                              \
      break;                                                                    \
    }                                                                           \
    case DType::I32: {                                                          \
      using T = int32_t;                                                        \
      __VA_ARGS__;                                                              \
      break;                                                                    \
    }                                                                           \
    case DType::I64: {                                                          \
      using T = int64_t;                                                        \
      __VA_ARGS__;                                                              \
      break;                                                                    \
    }                                                                           \
    case DType::U8:                                                             \
    case DType::Bool: {                                                         \
      using T = uint8_t;                                                        \
      __VA_ARGS__;                                                              \
      break;                                                                    \
    }                                                                           \
    default: throw Error("this op does not support float16/bfloat16 directly"); \
  }

// Calls f(offsets, len, inner_strides) for each innermost run of linear positions
// [begin, end) over `shape`; offsets[k] is operand k's element offset for the run start.
template <int NOP, typename F>
void for_each_run(int ndim, const int64_t* shape, const int64_t* const* strides, int64_t begin, int64_t end, F f) {
  if (begin >= end) return;
  if (ndim == 0) {
    int64_t off[NOP] = {}, st[NOP] = {};
    f(off, (int64_t)1, st);
    return;
  }
  int64_t idx[kMaxDims];
  int64_t rem = begin;
  for (int d = ndim - 1; d >= 0; d--) {
    idx[d] = rem % shape[d];
    rem /= shape[d];
  }
  int64_t off[NOP], inner[NOP];
  for (int k = 0; k < NOP; k++) {
    off[k] = 0;
    for (int d = 0; d < ndim; d++) off[k] += idx[d] * strides[k][d];
    inner[k] = strides[k][ndim - 1];
  }
  int64_t pos = begin;
  const int last = ndim - 1;
  while (pos < end) {
    int64_t len = std::min(shape[last] - idx[last], end - pos);
    f(off, len, inner);
    pos += len;
    for (int k = 0; k < NOP; k++) off[k] += len * inner[k];
    idx[last] += len;
    for (int d = last; d > 0 && idx[d] == shape[d]; d--) {
      for (int k = 0; k < NOP; k++) off[k] -= shape[d] * strides[k][d];
      idx[d] = 0;
      idx[d - 1]++;
      for (int k = 0; k < NOP; k++) off[k] += strides[k][d - 1];
    }
  }
}

}  // namespace tt
