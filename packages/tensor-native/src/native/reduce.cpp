// Row reductions over a contiguous [outer, n] input (TypeScript moves the reduced dims
// last). Float sums accumulate in double; rows are spread across threads.
#include <cmath>
#include <limits>
#include <type_traits>

#include "isa.h"
#include "kernels.h"
#include "ops.h"
#include "strided.h"
#include "thread_pool.h"

namespace tt {
namespace {

template <class T, class O>
void reduce_t(int op, const T* x, int64_t outer, int64_t n, O* out, double correction) {
  parallel_for(outer, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, n)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const T* xr = x + r * n;
      switch (op) {
        case R_SUM:
        case R_MEAN: {
          double s;
          if constexpr (std::is_same_v<T, float>) s = isa().sum_f32(xr, n);
          else if constexpr (std::is_integral_v<T>) {
            int64_t si = 0;
            for (int64_t i = 0; i < n; i++) si += xr[i];
            if constexpr (std::is_integral_v<O>) {
              out[r] = (O)si;
              continue;
            }
            s = (double)si;
          } else {
            s = 0;
            for (int64_t i = 0; i < n; i++) s += (double)xr[i];
          }
          out[r] = (O)(op == R_MEAN ? s / (double)n : s);
          break;
        }
        case R_PROD: {
          if constexpr (std::is_integral_v<O>) {
            int64_t p = 1;
            for (int64_t i = 0; i < n; i++) p *= (int64_t)xr[i];
            out[r] = (O)p;
          } else {
            double p = 1;
            for (int64_t i = 0; i < n; i++) p *= (double)xr[i];
            out[r] = (O)p;
          }
          break;
        }
        case R_MAX:
        case R_MIN:
        case R_ARGMAX:
        case R_ARGMIN: {
          bool is_max = op == R_MAX || op == R_ARGMAX;
          T best = xr[0];
          int64_t bi = 0;
          for (int64_t i = 1; i < n; i++) {
            T v = xr[i];
            if (best != best) break;  // NaN wins, first one
            if (v != v || (is_max ? v > best : v < best)) {
              best = v;
              bi = i;
            }
          }
          if (op == R_MAX || op == R_MIN) out[r] = (O)best;
          else out[r] = (O)bi;
          break;
        }
        case R_VAR: {
          double mean = 0;
          for (int64_t i = 0; i < n; i++) mean += (double)xr[i];
          mean /= (double)n;
          double ss = 0;
          for (int64_t i = 0; i < n; i++) {
            double d = (double)xr[i] - mean;
            ss += d * d;
          }
          double denom = (double)n - correction;
          out[r] = (O)(denom > 0 ? ss / denom : std::numeric_limits<double>::quiet_NaN());
          break;
        }
        case R_LOGSUMEXP: {
          // std::max drops a NaN operand: a NaN anywhere makes the result NaN, as in PyTorch.
          double m = -INFINITY;
          for (int64_t i = 0; i < n && m == m; i++) {
            double v = (double)xr[i];
            m = v != v ? v : std::max(m, v);
          }
          if (std::isinf(m) || m != m) {
            out[r] = (O)m;
            break;
          }
          double s = 0;
          for (int64_t i = 0; i < n; i++) s += std::exp((double)xr[i] - m);
          out[r] = (O)(m + std::log(s));
          break;
        }
      }
    }
  });
}

template <class T>
void softmax_t(const T* x, int64_t outer, int64_t n, T* out, bool log) {
  parallel_for(outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const T* xr = x + r * n;
      T* o = out + r * n;
      T m = -INFINITY;
      for (int64_t i = 0; i < n; i++) m = std::max(m, xr[i]);
      if (m == -INFINITY) m = 0;
      double s = 0;
      for (int64_t i = 0; i < n; i++) s += std::exp((double)(xr[i] - m));
      if (log) {
        // (x - m) - log(s), not x - (m + log(s)): a huge m would absorb log(s).
        T ls = (T)std::log(s);
        for (int64_t i = 0; i < n; i++) o[i] = (xr[i] - m) - ls;
      } else {
        for (int64_t i = 0; i < n; i++) o[i] = (T)(std::exp((double)(xr[i] - m)) / s);
      }
    }
  });
}

}  // namespace

void reduce_rows(int op, const View& x, int64_t outer, int64_t n, const View& out, double correction) {
  if (op == R_SOFTMAX || op == R_LOGSOFTMAX) {
    bool log = op == R_LOGSOFTMAX;
    if (x.dtype == DType::F32) isa().softmax_rows_f32((const float*)x.data, (float*)out.data, outer, n, log);
    else if (x.dtype == DType::F64) softmax_t((const double*)x.data, outer, n, (double*)out.data, log);
    else throw Error("softmax needs a floating point input");
    return;
  }
  TT_DISPATCH_COMPUTE(x.dtype, T, {
    const T* xs = reinterpret_cast<const T*>(x.data);
    TT_DISPATCH_COMPUTE(out.dtype, O, { reduce_t<T, O>(op, xs, outer, n, reinterpret_cast<O*>(out.data), correction); });
  });
}

}  // namespace tt
