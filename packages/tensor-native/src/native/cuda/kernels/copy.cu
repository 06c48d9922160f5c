// Strided copy with dtype conversion (copy.cpp on the GPU): every (source, destination)
// pair of the eight storage dtypes, converted through the same widen/narrow rules.
#include "tt_common.cuh"

template <class S, class D>
__device__ void tt_copy(const TTElementwiseArgs& a) {
  tt_i64 off[2];
  TT_GRID_LOOP(i, a.it.numel) {
    tt_offsets<2>(a.it, a.op, i, off);
    ((D*)a.op[1].ptr)[off[1]] = TTNarrow<D>::go(TTWiden<S>::go(tt_load<S>(a.op[0], off[0])));
  }
}

#define TT_COPY(ss, S, ds, D) \
  extern "C" __global__ void tt_copy_##ss##_##ds(TT_PARAM TTElementwiseArgs a) { tt_copy<S, D>(a); }
#define TT_COPY_FROM(ss, S)     \
  TT_COPY(ss, S, f32, float)    \
  TT_COPY(ss, S, f64, double)   \
  TT_COPY(ss, S, f16, tt_half)  \
  TT_COPY(ss, S, bf16, tt_bf16) \
  TT_COPY(ss, S, i32, tt_i32)   \
  TT_COPY(ss, S, i64, tt_i64)   \
  TT_COPY(ss, S, u8, tt_u8)     \
  TT_COPY(ss, S, b8, tt_bool)
TT_COPY_FROM(f32, float)
TT_COPY_FROM(f64, double)
TT_COPY_FROM(f16, tt_half)
TT_COPY_FROM(bf16, tt_bf16)
TT_COPY_FROM(i32, tt_i32)
TT_COPY_FROM(i64, tt_i64)
TT_COPY_FROM(u8, tt_u8)
TT_COPY_FROM(b8, tt_bool)
