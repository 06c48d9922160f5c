// Fused optimizer updates (optim.cpp on the GPU): one thread per element reads p, the
// gradient and the state once, in double precision, and writes p and the state.
#include "tt_common.cuh"

template <class T>
__device__ void tt_sgd(const TTOptimArgs& a) {
  const double lr = a.h[0], mom = a.h[1], damp = a.h[2], wd = a.h[3];
  const bool nesterov = a.h[4] != 0, first = a.h[5] != 0, maximize = a.h[6] != 0;
  T* p = (T*)a.p;
  const T* g = (const T*)a.g;
  T* buf = (T*)a.s1;
  TT_GRID_LOOP(i, a.n) {
    double gi = maximize ? -(double)g[i] : (double)g[i];
    if (wd != 0) gi += wd * (double)p[i];
    if (mom != 0) {
      const double m = first ? gi : mom * (double)buf[i] + (1 - damp) * gi;
      buf[i] = (T)m;
      gi = nesterov ? gi + mom * m : m;
    }
    p[i] = (T)((double)p[i] - lr * gi);
  }
}

// kind 1 Adam, 2 AdamW (decoupled weight decay).
template <class T>
__device__ void tt_adam(const TTOptimArgs& a) {
  const double lr = a.h[0], b1 = a.h[1], b2 = a.h[2], eps = a.h[3], wd = a.h[4];
  const bool maximize = a.h[6] != 0, decoupled = a.kind == tt::OPTIM_ADAMW;
  T* p = (T*)a.p;
  const T* g = (const T*)a.g;
  T* m = (T*)a.s1;
  T* v = (T*)a.s2;
  TT_GRID_LOOP(i, a.n) {
    double gi = maximize ? -(double)g[i] : (double)g[i];
    double pi = (double)p[i];
    if (wd != 0) {
      if (decoupled) pi *= 1 - lr * wd;
      else gi += wd * pi;
    }
    const double mi = b1 * (double)m[i] + (1 - b1) * gi;
    const double vi = b2 * (double)v[i] + (1 - b2) * gi * gi;
    m[i] = (T)mi;
    v[i] = (T)vi;
    p[i] = (T)(pi - a.step_size * mi / (sqrt(vi) / a.bc2_sqrt + eps));
  }
}

extern "C" __global__ void tt_sgd_f32(TT_PARAM TTOptimArgs a) { tt_sgd<float>(a); }
extern "C" __global__ void tt_sgd_f64(TT_PARAM TTOptimArgs a) { tt_sgd<double>(a); }
extern "C" __global__ void tt_adam_f32(TT_PARAM TTOptimArgs a) { tt_adam<float>(a); }
extern "C" __global__ void tt_adam_f64(TT_PARAM TTOptimArgs a) { tt_adam<double>(a); }
