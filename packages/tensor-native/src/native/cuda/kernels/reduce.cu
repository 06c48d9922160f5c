// Row reductions over a contiguous [outer, n] input, one block per row (reduce.cpp on
// the GPU). Float sums, means, variances and logsumexp accumulate in double, as the CPU
// does; max/min/argmax/argmin keep the first NaN, else the first extreme value.
#include "tt_common.cuh"

using namespace tt;

__device__ double tt_block_sum(double v, double* sh) {
  sh[threadIdx.x] = v;
  __syncthreads();
  for (int s = TT_BLOCK / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s) sh[threadIdx.x] += sh[threadIdx.x + s];
    __syncthreads();
  }
  const double r = sh[0];
  __syncthreads();
  return r;
}

__device__ tt_i64 tt_block_sum_int(tt_i64 v, tt_i64* sh) {
  sh[threadIdx.x] = v;
  __syncthreads();
  for (int s = TT_BLOCK / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s) sh[threadIdx.x] += sh[threadIdx.x + s];
    __syncthreads();
  }
  const tt_i64 r = sh[0];
  __syncthreads();
  return r;
}

template <class A>
__device__ A tt_block_prod(A v, A* sh) {
  sh[threadIdx.x] = v;
  __syncthreads();
  for (int s = TT_BLOCK / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s) sh[threadIdx.x] = sh[threadIdx.x] * sh[threadIdx.x + s];
    __syncthreads();
  }
  const A r = sh[0];
  __syncthreads();
  return r;
}

// (value, index) candidates: a NaN beats any number (the lower index among NaNs); otherwise
// the larger (max) or smaller value, the lower index on ties.
template <class T>
__device__ __forceinline__ bool tt_better(T v, tt_i64 i, T best, tt_i64 bi, bool is_max) {
  const bool vn = v != v, bn = best != best;
  if (bi < 0) return true;
  if (vn || bn) return vn && (!bn || i < bi);
  if (v == best) return i < bi;
  return is_max ? v > best : v < best;
}

template <class T>
__device__ void tt_block_best(T& best, tt_i64& bi, bool is_max, T* shv, tt_i64* shi) {
  shv[threadIdx.x] = best;
  shi[threadIdx.x] = bi;
  __syncthreads();
  for (int s = TT_BLOCK / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s) {
      const T v = shv[threadIdx.x + s];
      const tt_i64 i = shi[threadIdx.x + s];
      if (i >= 0 && tt_better(v, i, shv[threadIdx.x], shi[threadIdx.x], is_max)) {
        shv[threadIdx.x] = v;
        shi[threadIdx.x] = i;
      }
    }
    __syncthreads();
  }
  best = shv[0];
  bi = shi[0];
  __syncthreads();
}

template <class T, class O>
__device__ void tt_reduce(const TTReduceArgs& a) {
  __shared__ double shd[TT_BLOCK];
  __shared__ tt_i64 shi[TT_BLOCK];
  __shared__ T shv[TT_BLOCK];
  const bool is_float = TTIsFloat<T>::value;
  const tt_i64 n = a.n;
  const int op = (int)a.code;
  for (tt_i64 r = blockIdx.x; r < a.outer; r += gridDim.x) {
    const T* x = (const T*)a.x + r * n;
    O* out = (O*)a.out + r;
    switch (op) {
      case R_SUM:
      case R_MEAN: {
        if (is_float) {
          double s = 0;
          for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) s += (double)x[i];
          s = tt_block_sum(s, shd);
          if (threadIdx.x == 0) *out = (O)(op == R_MEAN ? s / (double)n : s);
        } else {
          tt_i64 s = 0;
          for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) s += (tt_i64)x[i];
          s = tt_block_sum_int(s, shi);
          if (threadIdx.x == 0) *out = op == R_MEAN ? (O)((double)s / (double)n) : (O)s;
        }
        break;
      }
      case R_PROD: {
        if (is_float) {
          double p = 1;
          for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) p *= (double)x[i];
          p = tt_block_prod<double>(p, shd);
          if (threadIdx.x == 0) *out = (O)p;
        } else {
          tt_i64 p = 1;
          for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) p *= (tt_i64)x[i];
          p = tt_block_prod<tt_i64>(p, shi);
          if (threadIdx.x == 0) *out = (O)p;
        }
        break;
      }
      case R_MAX:
      case R_MIN:
      case R_ARGMAX:
      case R_ARGMIN: {
        const bool is_max = op == R_MAX || op == R_ARGMAX;
        T best = x[0];
        tt_i64 bi = -1;
        for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK)
          if (tt_better(x[i], i, best, bi, is_max)) {
            best = x[i];
            bi = i;
          }
        tt_block_best(best, bi, is_max, shv, shi);
        if (threadIdx.x == 0) *out = (op == R_MAX || op == R_MIN) ? (O)best : (O)bi;
        break;
      }
      case R_VAR: {
        double s = 0;
        for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) s += (double)x[i];
        const double mean = tt_block_sum(s, shd) / (double)n;
        double ss = 0;
        for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) {
          const double d = (double)x[i] - mean;
          ss += d * d;
        }
        ss = tt_block_sum(ss, shd);
        const double denom = (double)n - a.correction;
        if (threadIdx.x == 0) *out = (O)(denom > 0 ? ss / denom : __longlong_as_double(0x7ff8000000000000LL));
        break;
      }
      case R_LOGSUMEXP: {
        // A NaN anywhere makes the result NaN, as on the CPU (fmax alone would drop it).
        double m = -TT_INF_D;
        for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) {
          const double v = (double)x[i];
          m = v != v || m != m ? v + m : fmax(m, v);
        }
        shd[threadIdx.x] = m;
        __syncthreads();
        for (int s = TT_BLOCK / 2; s > 0; s >>= 1) {
          if ((int)threadIdx.x < s) {
            const double a = shd[threadIdx.x], b = shd[threadIdx.x + s];
            shd[threadIdx.x] = a != a || b != b ? a + b : fmax(a, b);
          }
          __syncthreads();
        }
        m = shd[0];
        __syncthreads();
        if (m == TT_INF_D || m == -TT_INF_D || m != m) {
          if (threadIdx.x == 0) *out = (O)m;
          break;
        }
        double s = 0;
        for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) s += exp((double)x[i] - m);
        s = tt_block_sum(s, shd);
        if (threadIdx.x == 0) *out = (O)(m + log(s));
        break;
      }
    }
  }
}

// softmax / logSoftmax along rows: max (a NaN wins, as the CPU's vector max), exp sums in
// the input's precision, an all -inf row gives NaN as in PyTorch.
template <class T>
__device__ void tt_softmax(const TTReduceArgs& a) {
  __shared__ T sh[TT_BLOCK];
  const tt_i64 n = a.n;
  const bool log_out = a.code == R_LOGSOFTMAX;
  for (tt_i64 r = blockIdx.x; r < a.outer; r += gridDim.x) {
    const T* x = (const T*)a.x + r * n;
    T* o = (T*)a.out + r * n;
    T m = -(T)TT_INF;
    for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) m = m > x[i] ? m : x[i];
    sh[threadIdx.x] = m;
    __syncthreads();
    for (int s = TT_BLOCK / 2; s > 0; s >>= 1) {
      if ((int)threadIdx.x < s) sh[threadIdx.x] = sh[threadIdx.x] > sh[threadIdx.x + s] ? sh[threadIdx.x] : sh[threadIdx.x + s];
      __syncthreads();
    }
    m = sh[0];
    __syncthreads();
    if (m == -(T)TT_INF) m = 0;
    T s = 0;
    for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) s += tt_exp(x[i] - m);
    sh[threadIdx.x] = s;
    __syncthreads();
    for (int k = TT_BLOCK / 2; k > 0; k >>= 1) {
      if ((int)threadIdx.x < k) sh[threadIdx.x] += sh[threadIdx.x + k];
      __syncthreads();
    }
    s = sh[0];
    __syncthreads();
    if (log_out) {
      // (x - m) - log(s), not x - (m + log(s)): a huge m would absorb log(s).
      const T ls = tt_log(s);
      for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) o[i] = (x[i] - m) - ls;
    } else {
      const T inv = (T)1 / s;
      for (tt_i64 i = threadIdx.x; i < n; i += TT_BLOCK) o[i] = tt_exp(x[i] - m) * inv;
    }
  }
}

#define TT_REDUCE(ts, T, os, O) \
  extern "C" __global__ void __launch_bounds__(TT_BLOCK) tt_reduce_##ts##_##os(TT_PARAM TTReduceArgs a) { tt_reduce<T, O>(a); }
TT_REDUCE(f32, float, f32, float)
TT_REDUCE(f32, float, i64, tt_i64)
TT_REDUCE(f32, float, f64, double)
TT_REDUCE(f64, double, f64, double)
TT_REDUCE(f64, double, i64, tt_i64)
TT_REDUCE(i32, tt_i32, i32, tt_i32)
TT_REDUCE(i32, tt_i32, i64, tt_i64)
TT_REDUCE(i64, tt_i64, i64, tt_i64)
TT_REDUCE(u8, tt_u8, u8, tt_u8)
TT_REDUCE(u8, tt_u8, i64, tt_i64)

extern "C" __global__ void __launch_bounds__(TT_BLOCK) tt_softmax_f32(TT_PARAM TTReduceArgs a) { tt_softmax<float>(a); }
extern "C" __global__ void __launch_bounds__(TT_BLOCK) tt_softmax_f64(TT_PARAM TTReduceArgs a) { tt_softmax<double>(a); }
