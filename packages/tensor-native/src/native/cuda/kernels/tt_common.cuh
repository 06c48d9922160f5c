// Device helpers shared by the kernel files: integer types (NVRTC has no <cstdint>),
// the storage types, dtype conversions that match the CPU core (common.h, strided.h),
// strided offsets and grid-stride loops. Only what NVRTC provides without headers is used.
#ifndef TT_COMMON_CUH
#define TT_COMMON_CUH

#include "ops.h"
#include "tt_args.h"

// __grid_constant__ (CUDA 11.7+, sm_70+) reads the argument block in place, with no copy to
// local memory when kernels index into it.
#if defined(__CUDACC_VER_MAJOR__) && (__CUDACC_VER_MAJOR__ > 11 || (__CUDACC_VER_MAJOR__ == 11 && __CUDACC_VER_MINOR__ >= 7)) && \
    (!defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 700)
#define TT_PARAM const __grid_constant__
#else
#define TT_PARAM const
#endif

typedef unsigned char tt_u8;
typedef unsigned short tt_u16;
typedef int tt_i32;
typedef unsigned int tt_u32;

struct tt_half {
  tt_u16 v;
};
struct tt_bf16 {
  tt_u16 v;
};
struct tt_bool {
  tt_u8 v;
};

#define TT_INF __int_as_float(0x7f800000)
#define TT_INF_D __longlong_as_double(0x7ff0000000000000LL)

__device__ __forceinline__ float tt_half_to_float(tt_u16 h) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
  return f;
}
__device__ __forceinline__ tt_u16 tt_float_to_half(float f) {
  tt_u16 h;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
  return h;
}
__device__ __forceinline__ float tt_bf16_to_float(tt_u16 b) { return __uint_as_float(((tt_u32)b) << 16); }
// Round to nearest even; NaN stays a quiet NaN (as float_to_bf16 in common.h).
__device__ __forceinline__ tt_u16 tt_float_to_bf16(float f) {
  tt_u32 x = __float_as_uint(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (tt_u16)((x >> 16) | 0x40);
  return (tt_u16)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

// Loads widen half types to float and bool to u8 (strided.h's widen).
template <class T>
struct TTWiden {
  typedef T type;
  __device__ static T go(T x) { return x; }
};
template <>
struct TTWiden<tt_half> {
  typedef float type;
  __device__ static float go(tt_half x) { return tt_half_to_float(x.v); }
};
template <>
struct TTWiden<tt_bf16> {
  typedef float type;
  __device__ static float go(tt_bf16 x) { return tt_bf16_to_float(x.v); }
};
template <>
struct TTWiden<tt_bool> {
  typedef tt_u8 type;
  __device__ static tt_u8 go(tt_bool x) { return x.v; }
};

// Stores narrow from any arithmetic value (strided.h's Narrow). Floating values reach u8
// through int32, as the x86 code generated for the CPU core does.
template <class D>
struct TTNarrow {
  template <class X>
  __device__ static D go(X x) {
    return (D)x;
  }
};
template <>
struct TTNarrow<tt_u8> {
  __device__ static tt_u8 go(float x) { return (tt_u8)(tt_i32)x; }
  __device__ static tt_u8 go(double x) { return (tt_u8)(tt_i32)x; }
  template <class X>
  __device__ static tt_u8 go(X x) {
    return (tt_u8)x;
  }
};
template <>
struct TTNarrow<tt_half> {
  template <class X>
  __device__ static tt_half go(X x) {
    tt_half h;
    h.v = tt_float_to_half((float)x);
    return h;
  }
};
template <>
struct TTNarrow<tt_bf16> {
  template <class X>
  __device__ static tt_bf16 go(X x) {
    tt_bf16 h;
    h.v = tt_float_to_bf16((float)x);
    return h;
  }
};
template <>
struct TTNarrow<tt_bool> {
  template <class X>
  __device__ static tt_bool go(X x) {
    tt_bool b;
    b.v = (tt_u8)(x != (X)0);
    return b;
  }
};

template <class T>
__device__ __forceinline__ T tt_from_bits(tt_u64 bits) {
  union {
    tt_u64 u;
    T t;
  } v;
  v.u = bits;
  return v.t;
}

// Element `off` of an operand, or its by-value scalar.
template <class T>
__device__ __forceinline__ T tt_load(const TTOperand& o, tt_i64 off) {
  return o.ptr ? ((const T*)o.ptr)[off] : tt_from_bits<T>(o.scalar);
}

// Element offsets of NOP operands at linear position i of the iteration space.
template <int NOP>
__device__ __forceinline__ void tt_offsets(const TTIter& it, const TTOperand* ops, tt_i64 i, tt_i64* off) {
  for (int k = 0; k < NOP; k++) off[k] = 0;
  if (it.ndim == 1) {
    for (int k = 0; k < NOP; k++) off[k] = i * ops[k].strides[0];
    return;
  }
  for (int d = (int)it.ndim - 1; d >= 0; d--) {
    const tt_i64 s = it.shape[d];
    const tt_i64 c = i % s;
    i /= s;
    for (int k = 0; k < NOP; k++) off[k] += c * ops[k].strides[d];
  }
}

#define TT_GRID_LOOP(i, n) for (tt_i64 i = (tt_i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (tt_i64)gridDim.x * blockDim.x)

// Overloads so templates over float and double pick the right precision.
__device__ __forceinline__ float tt_exp(float x) { return expf(x); }
__device__ __forceinline__ double tt_exp(double x) { return exp(x); }
__device__ __forceinline__ float tt_log(float x) { return logf(x); }
__device__ __forceinline__ double tt_log(double x) { return log(x); }
__device__ __forceinline__ float tt_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double tt_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float tt_sin(float x) { return sinf(x); }
__device__ __forceinline__ double tt_sin(double x) { return sin(x); }
__device__ __forceinline__ float tt_cos(float x) { return cosf(x); }
__device__ __forceinline__ double tt_cos(double x) { return cos(x); }
__device__ __forceinline__ float tt_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double tt_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float tt_erf(float x) { return erff(x); }
__device__ __forceinline__ double tt_erf(double x) { return erf(x); }
__device__ __forceinline__ float tt_fabs(float x) { return fabsf(x); }
__device__ __forceinline__ double tt_fabs(double x) { return fabs(x); }
__device__ __forceinline__ float tt_pow(float a, float b) { return powf(a, b); }
__device__ __forceinline__ double tt_pow(double a, double b) { return pow(a, b); }

template <class T>
struct TTIsFloat {
  static const bool value = false;
};
template <>
struct TTIsFloat<float> {
  static const bool value = true;
};
template <>
struct TTIsFloat<double> {
  static const bool value = true;
};

#endif
