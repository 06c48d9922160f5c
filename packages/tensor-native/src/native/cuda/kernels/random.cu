// rand / randn / randint / arange. Random numbers come from Philox-4x32-10 keyed by the
// seed of tt.manualSeed, with a counter of (call offset, element index): every element is
// independent of the launch geometry, so a seed reproduces the same values on any GPU.
// The values differ from the CPU generator's (xoshiro256**), as PyTorch's CPU and CUDA
// generators differ.
#include "tt_common.cuh"
#include "tt_philox.h"

// 53 random bits as a double in [0, 1).
__device__ __forceinline__ double tt_unit(tt_u32 hi, tt_u32 lo) {
  return (double)((((tt_u64)hi << 32) | lo) >> 11) * 1.1102230246251565404236316680908203125e-16;
}

template <class T>
__device__ void tt_random(const TTRandomArgs& a) {
  const tt_u32 k0 = (tt_u32)a.seed, k1 = (tt_u32)(a.seed >> 32);
  TT_GRID_LOOP(i, a.n) {
    double v;
    if (a.kind == tt::RANDOM_ARANGE) {
      v = a.p1 + a.p2 * (double)i;
    } else {
      tt_u32 c[4] = {(tt_u32)i, (tt_u32)((tt_u64)i >> 32), (tt_u32)a.offset, (tt_u32)(a.offset >> 32)};
      tt_philox4x32_10(c, k0, k1);
      if (a.kind == tt::RANDOM_UNIFORM) {
        v = a.p1 + (a.p2 - a.p1) * tt_unit(c[0], c[1]);
        if (sizeof(T) == 4 && TTIsFloat<T>::value && (float)v >= (float)a.p2) v = a.p1;  // keep [lo, hi) in float32
      } else if (a.kind == tt::RANDOM_NORMAL) {
        const double u1 = 1.0 - tt_unit(c[0], c[1]), u2 = tt_unit(c[2], c[3]);
        v = a.p1 + a.p2 * sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925286766559 * u2);
      } else {
        const tt_u64 range = (tt_u64)(a.hi - a.lo);
        v = (double)(a.lo + (tt_i64)((((tt_u64)c[0] << 32) | c[1]) % range));
      }
    }
    ((T*)a.out)[i] = TTNarrow<T>::go(v);
  }
}

#define TT_RANDOM(sfx, T) \
  extern "C" __global__ void tt_random_##sfx(TT_PARAM TTRandomArgs a) { tt_random<T>(a); }
TT_RANDOM(f32, float)
TT_RANDOM(f64, double)
TT_RANDOM(f16, tt_half)
TT_RANDOM(bf16, tt_bf16)
TT_RANDOM(i32, tt_i32)
TT_RANDOM(i64, tt_i64)
TT_RANDOM(u8, tt_u8)
TT_RANDOM(b8, tt_bool)
