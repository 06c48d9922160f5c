// indexSelect, gather (element moves, one kernel per element size) and scatterAdd
// (atomic adds: repeated indices accumulate, in an unspecified order). Indices are checked
// in TypeScript before launch; out-of-range ones are skipped here, never dereferenced.
#include "tt_common.cuh"

template <class T>
__device__ void tt_index_select(const TTIndexArgs& a) {
  const tt_i64* idx = (const tt_i64*)a.idx;
  TT_GRID_LOOP(t, a.count) {
    const tt_i64 r = t % a.inner, i = (t / a.inner) % a.idim, o = t / (a.inner * a.idim);
    const tt_i64 j = idx[i];
    if (j >= 0 && j < a.xdim) ((T*)a.out)[t] = ((const T*)a.x)[(o * a.xdim + j) * a.inner + r];
  }
}

template <class T>
__device__ void tt_gather(const TTIndexArgs& a) {
  const tt_i64* idx = (const tt_i64*)a.idx;
  TT_GRID_LOOP(t, a.count) {
    const tt_i64 r = t % a.inner, o = t / (a.inner * a.idim);
    const tt_i64 j = idx[t];
    if (j >= 0 && j < a.xdim) ((T*)a.out)[t] = ((const T*)a.x)[(o * a.xdim + j) * a.inner + r];
  }
}

__device__ __forceinline__ void tt_atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void tt_atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ __forceinline__ void tt_atomic_add(tt_i32* p, tt_i32 v) { atomicAdd(p, v); }
__device__ __forceinline__ void tt_atomic_add(tt_i64* p, tt_i64 v) {
  atomicAdd((unsigned long long*)p, (unsigned long long)v);  // two's complement: the same bits
}
// No byte atomics: compare-and-swap the aligned word that holds the byte (blocks are
// 512-byte aligned and sized, so the word is always inside the allocation).
__device__ __forceinline__ void tt_atomic_add(tt_u8* p, tt_u8 v) {
  tt_u32* word = (tt_u32*)((tt_u64)p & ~(tt_u64)3);
  const tt_u32 shift = (tt_u32)((tt_u64)p & 3) * 8;
  tt_u32 old = *word, assumed;
  do {
    assumed = old;
    const tt_u32 byte = ((assumed >> shift) + v) & 0xffu;
    old = atomicCAS(word, assumed, (assumed & ~(0xffu << shift)) | (byte << shift));
  } while (assumed != old);
}

// x[o, idx[o, i, r], r] += src[o, i, r]: `x` is updated in place, `out` holds src.
template <class T>
__device__ void tt_scatter_add(const TTIndexArgs& a) {
  const tt_i64* idx = (const tt_i64*)a.idx;
  TT_GRID_LOOP(t, a.count) {
    const tt_i64 r = t % a.inner, o = t / (a.inner * a.idim);
    const tt_i64 j = idx[t];
    if (j >= 0 && j < a.xdim) tt_atomic_add((T*)a.x + (o * a.xdim + j) * a.inner + r, ((const T*)a.out)[t]);
  }
}

#define TT_MOVES(bytes, T)                                                                              \
  extern "C" __global__ void tt_index_select_##bytes(TT_PARAM TTIndexArgs a) { tt_index_select<T>(a); } \
  extern "C" __global__ void tt_gather_##bytes(TT_PARAM TTIndexArgs a) { tt_gather<T>(a); }
TT_MOVES(1, tt_u8)
TT_MOVES(2, tt_u16)
TT_MOVES(4, tt_u32)
TT_MOVES(8, tt_u64)

#define TT_SCATTER(sfx, T) \
  extern "C" __global__ void tt_scatter_add_##sfx(TT_PARAM TTIndexArgs a) { tt_scatter_add<T>(a); }
TT_SCATTER(f32, float)
TT_SCATTER(f64, double)
TT_SCATTER(i32, tt_i32)
TT_SCATTER(i64, tt_i64)
TT_SCATTER(u8, tt_u8)
