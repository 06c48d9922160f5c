// Fused optimizer updates: one pass over a parameter reads p, grad and the state buffers
// once and writes p and the state, instead of the five to ten tensor ops (and
// temporaries) the same update costs when written with tensor methods.
#include <cmath>

#include "kernels.h"
#include "strided.h"
#include "thread_pool.h"

namespace tt {

namespace {

template <typename T>
void sgd(T* p, const T* g, T* buf, int64_t n, const double* h) {
  const double lr = h[0], mom = h[1], damp = h[2], wd = h[3];
  const bool nesterov = h[4] != 0, first = h[5] != 0, maximize = h[6] != 0;
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      double gi = maximize ? -(double)g[i] : (double)g[i];
      if (wd != 0) gi += wd * (double)p[i];
      if (mom != 0) {
        double m = first ? gi : mom * (double)buf[i] + (1 - damp) * gi;
        buf[i] = (T)m;
        gi = nesterov ? gi + mom * m : m;
      }
      p[i] = (T)((double)p[i] - lr * gi);
    }
  });
}

// decoupled = AdamW (weight decay applied to the parameter, not added to the gradient).
template <typename T>
void adam(T* p, const T* g, T* m, T* v, int64_t n, const double* h, bool decoupled) {
  const double lr = h[0], b1 = h[1], b2 = h[2], eps = h[3], wd = h[4], step = h[5];
  const bool maximize = h[6] != 0;
  const double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
  const double step_size = lr / bc1, bc2_sqrt = std::sqrt(bc2);
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      double gi = maximize ? -(double)g[i] : (double)g[i];
      double pi = (double)p[i];
      if (wd != 0) {
        if (decoupled) pi *= 1 - lr * wd;
        else gi += wd * pi;
      }
      double mi = b1 * (double)m[i] + (1 - b1) * gi;
      double vi = b2 * (double)v[i] + (1 - b2) * gi * gi;
      m[i] = (T)mi;
      v[i] = (T)vi;
      p[i] = (T)(pi - step_size * mi / (std::sqrt(vi) / bc2_sqrt + eps));
    }
  });
}

}  // namespace

void optim_step(OptimKind kind, const View& p, const View& g, const View& s1, const View& s2, const double* hyper) {
  const int64_t n = p.numel();
  if (p.dtype == DType::F32) {
    auto* pp = reinterpret_cast<float*>(p.data);
    auto* gp = reinterpret_cast<const float*>(g.data);
    if (kind == OPTIM_SGD) sgd(pp, gp, reinterpret_cast<float*>(s1.data), n, hyper);
    else adam(pp, gp, reinterpret_cast<float*>(s1.data), reinterpret_cast<float*>(s2.data), n, hyper, kind == OPTIM_ADAMW);
  } else if (p.dtype == DType::F64) {
    auto* pp = reinterpret_cast<double*>(p.data);
    auto* gp = reinterpret_cast<const double*>(g.data);
    if (kind == OPTIM_SGD) sgd(pp, gp, reinterpret_cast<double*>(s1.data), n, hyper);
    else adam(pp, gp, reinterpret_cast<double*>(s1.data), reinterpret_cast<double*>(s2.data), n, hyper, kind == OPTIM_ADAMW);
  } else {
    throw Error("optimizer: parameters must be float32 or float64");
  }
}

}  // namespace tt
