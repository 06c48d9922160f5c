// Unary, binary, where and fill over broadcast strided views (elementwise.cpp on the GPU).
// Operands are already in the compute dtype; comparisons write bool (u8).
#include "tt_common.cuh"

using namespace tt;

// x < 0 without "pointless comparison" noise for unsigned types.
template <class T>
__device__ __forceinline__ bool tt_negative(T x) {
  return x < (T)0;
}
template <>
__device__ __forceinline__ bool tt_negative<tt_u8>(tt_u8) {
  return false;
}

template <class T, bool F>
struct TTUnary;
template <class T>
struct TTUnary<T, true> {
  __device__ static T go(int op, T x) {
    switch (op) {
      case U_NEG: return -x;
      case U_ABS: return tt_fabs(x);
      case U_EXP: return tt_exp(x);
      case U_LOG: return tt_log(x);
      case U_SQRT: return tt_sqrt(x);
      case U_RSQRT: return (T)1 / tt_sqrt(x);
      case U_SIN: return tt_sin(x);
      case U_COS: return tt_cos(x);
      case U_TANH: return tt_tanh(x);
      case U_SIGMOID: return (T)1 / ((T)1 + tt_exp(-x));
      case U_RELU: return x > 0 ? x : (x != x ? x : (T)0);
      case U_GELU: return (T)0.5 * x * ((T)1 + tt_erf(x * (T)0.70710678118654752440));
      case U_SILU: return x / ((T)1 + tt_exp(-x));
      case U_LOGICAL_NOT: return x == (T)0 ? (T)1 : (T)0;
    }
    return x;
  }
};
template <class T>
struct TTUnary<T, false> {
  __device__ static T go(int op, T x) {
    switch (op) {
      case U_NEG: return (T)(-x);
      case U_ABS: return tt_negative(x) ? (T)(-x) : x;
      case U_RELU: return x > 0 ? x : (T)0;
      case U_LOGICAL_NOT: return x == 0 ? (T)1 : (T)0;
    }
    return x;
  }
};

template <class T, bool F>
struct TTBinary;
template <class T>
struct TTBinary<T, true> {
  __device__ static T go(int op, T a, T b) {
    switch (op) {
      case B_ADD: return a + b;
      case B_SUB: return a - b;
      case B_MUL: return a * b;
      case B_DIV: return a / b;
      case B_POW: return tt_pow(a, b);
      case B_MAX: return (a != a || a > b) ? a : b;
      case B_MIN: return (a != a || a < b) ? a : b;
    }
    return a;
  }
};
template <class T>
struct TTBinary<T, false> {
  __device__ static T go(int op, T a, T b) {
    switch (op) {
      case B_ADD: return (T)(a + b);
      case B_SUB: return (T)(a - b);
      case B_MUL: return (T)(a * b);
      case B_DIV: return b == 0 ? (T)0 : (T)(a / b);
      case B_POW: {
        if (tt_negative(b)) return (T)0;
        T r = 1, base = a;
        for (T e = b; e > 0; e >>= 1) {
          if (e & 1) r = (T)(r * base);
          base = (T)(base * base);
        }
        return r;
      }
      case B_MAX: return a > b ? a : b;
      case B_MIN: return a < b ? a : b;
    }
    return a;
  }
};

template <class T>
__device__ __forceinline__ tt_u8 tt_compare(int op, T a, T b) {
  switch (op) {
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    case B_GE: return a >= b;
  }
  return 0;
}

template <class T>
__device__ void tt_unary(const TTElementwiseArgs& a) {
  const int op = (int)a.code;
  tt_i64 off[2];
  TT_GRID_LOOP(i, a.it.numel) {
    tt_offsets<2>(a.it, a.op, i, off);
    ((T*)a.op[1].ptr)[off[1]] = TTUnary<T, TTIsFloat<T>::value>::go(op, tt_load<T>(a.op[0], off[0]));
  }
}

template <class T>
__device__ void tt_binary(const TTElementwiseArgs& a) {
  const int op = (int)a.code;
  const bool cmp = op >= B_EQ;
  tt_i64 off[3];
  TT_GRID_LOOP(i, a.it.numel) {
    tt_offsets<3>(a.it, a.op, i, off);
    const T x = tt_load<T>(a.op[0], off[0]), y = tt_load<T>(a.op[1], off[1]);
    if (cmp) ((tt_u8*)a.op[2].ptr)[off[2]] = tt_compare<T>(op, x, y);
    else ((T*)a.op[2].ptr)[off[2]] = TTBinary<T, TTIsFloat<T>::value>::go(op, x, y);
  }
}

// where only moves elements, so one kernel per element size serves every dtype.
template <class T>
__device__ void tt_where(const TTElementwiseArgs& a) {
  tt_i64 off[4];
  TT_GRID_LOOP(i, a.it.numel) {
    tt_offsets<4>(a.it, a.op, i, off);
    const T x = tt_load<T>(a.op[1], off[1]), y = tt_load<T>(a.op[2], off[2]);
    ((T*)a.op[3].ptr)[off[3]] = tt_load<tt_u8>(a.op[0], off[0]) ? x : y;
  }
}

template <class T>
__device__ void tt_fill(const TTFillArgs& a) {
  const T v = tt_from_bits<T>(a.bits);
  TT_GRID_LOOP(i, a.n)((T*)a.ptr)[i] = v;
}

#define TT_COMPUTE_KERNELS(sfx, T)                                                            \
  extern "C" __global__ void tt_unary_##sfx(TT_PARAM TTElementwiseArgs a) { tt_unary<T>(a); } \
  extern "C" __global__ void tt_binary_##sfx(TT_PARAM TTElementwiseArgs a) { tt_binary<T>(a); }
TT_COMPUTE_KERNELS(f32, float)
TT_COMPUTE_KERNELS(f64, double)
TT_COMPUTE_KERNELS(i32, tt_i32)
TT_COMPUTE_KERNELS(i64, tt_i64)
TT_COMPUTE_KERNELS(u8, tt_u8)

#define TT_SIZED_KERNELS(bytes, T)                                                              \
  extern "C" __global__ void tt_where_##bytes(TT_PARAM TTElementwiseArgs a) { tt_where<T>(a); } \
  extern "C" __global__ void tt_fill_##bytes(TT_PARAM TTFillArgs a) { tt_fill<T>(a); }
TT_SIZED_KERNELS(1, tt_u8)
TT_SIZED_KERNELS(2, tt_u16)
TT_SIZED_KERNELS(4, tt_u32)
TT_SIZED_KERNELS(8, tt_u64)
