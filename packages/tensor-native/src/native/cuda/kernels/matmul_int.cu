// Integer matmul (cuBLAS has no int64 or uint8 GEMM): one thread per output element,
// int64 accumulation, as gemm_generic.cpp.
#include "tt_common.cuh"

template <class T>
__device__ void tt_matmul_int(const TTMatmulArgs& a) {
  const tt_i64 count = a.batch.numel * a.M * a.N;
  TT_GRID_LOOP(t, count) {
    const tt_i64 j = t % a.N, i = (t / a.N) % a.M, bt = t / (a.N * a.M);
    tt_i64 off[3];
    tt_offsets<3>(a.batch, a.op, bt, off);
    const T* A = (const T*)a.op[0].ptr + off[0] + i * a.rsa;
    const T* B = (const T*)a.op[1].ptr + off[1] + j * a.csb;
    tt_i64 acc = 0;
    for (tt_i64 k = 0; k < a.K; k++) acc += (tt_i64)A[k * a.csa] * (tt_i64)B[k * a.rsb];
    ((T*)a.op[2].ptr)[off[2] + i * a.rsc + j] = (T)acc;
  }
}

extern "C" __global__ void tt_matmul_i32(TT_PARAM TTMatmulArgs a) { tt_matmul_int<tt_i32>(a); }
extern "C" __global__ void tt_matmul_i64(TT_PARAM TTMatmulArgs a) { tt_matmul_int<tt_i64>(a); }
extern "C" __global__ void tt_matmul_u8(TT_PARAM TTMatmulArgs a) { tt_matmul_int<tt_u8>(a); }
