// Gradients of the window ops: col2im (the adjoint of im2col) and the two poolings.
// Each (n, c) plane is owned by one task, so accumulation needs no atomics.
#include <cmath>
#include <limits>

#include "kernels.h"
#include "strided.h"
#include "thread_pool.h"

namespace tt {

void col2im(const View& cols, const View& gin, const Conv2dGeom& g) {
  const int64_t N = gin.shape[0], C = gin.shape[1], H = gin.shape[2], W = gin.shape[3];
  const int64_t L = g.oh * g.ow, KK = g.kh * g.kw;
  TT_DISPATCH_COMPUTE(gin.dtype, T, {
    const T* cs = reinterpret_cast<const T*>(cols.data);
    T* xs = reinterpret_cast<T*>(gin.data);
    parallel_for(N * C, 2, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; t++) {
        int64_t n = t / C, c = t % C;
        T* xp = xs + (n * C + c) * H * W;
        for (int64_t q = 0; q < H * W; q++) xp[q] = T(0);
        for (int64_t i = 0; i < g.kh; i++)
          for (int64_t j = 0; j < g.kw; j++) {
            const T* row = cs + ((c * KK + i * g.kw + j) * N + n) * L;
            for (int64_t oh = 0; oh < g.oh; oh++) {
              int64_t ih = oh * g.sh - g.ph + i * g.dh;
              if (ih < 0 || ih >= H) continue;
              for (int64_t ow = 0; ow < g.ow; ow++) {
                int64_t iw = ow * g.sw - g.pw + j * g.dw;
                if (iw >= 0 && iw < W) xp[ih * W + iw] += row[oh * g.ow + ow];
              }
            }
          }
      }
    });
  });
}

// kind 0: max (the gradient goes to the first maximal element of each window, as
// PyTorch's indices pick), 1: average with padding counted.
void pool2d_backward(WindowBackwardKind kind, const View& x, const View& gout, const View& gin, const Conv2dGeom& g) {
  const int64_t NC = gin.shape[0] * gin.shape[1], H = gin.shape[2], W = gin.shape[3];
  TT_DISPATCH_COMPUTE(gin.dtype, T, {
    const T* xs = reinterpret_cast<const T*>(x.data);
    const T* gs = reinterpret_cast<const T*>(gout.data);
    T* is = reinterpret_cast<T*>(gin.data);
    parallel_for(NC, 4, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; p++) {
        const T* xp = xs + p * H * W;
        const T* gp = gs + p * g.oh * g.ow;
        T* ip = is + p * H * W;
        for (int64_t q = 0; q < H * W; q++) ip[q] = T(0);
        for (int64_t oh = 0; oh < g.oh; oh++)
          for (int64_t ow = 0; ow < g.ow; ow++) {
            T go = gp[oh * g.ow + ow];
            if (kind == WINDOW_BACKWARD_MAX_POOL) {
              double best = -std::numeric_limits<double>::infinity();
              int64_t at = -1;
              for (int64_t i = 0; i < g.kh; i++) {
                int64_t ih = oh * g.sh - g.ph + i * g.dh;
                if (ih < 0 || ih >= H) continue;
                for (int64_t j = 0; j < g.kw; j++) {
                  int64_t iw = ow * g.sw - g.pw + j * g.dw;
                  if (iw < 0 || iw >= W) continue;
                  double v = (double)xp[ih * W + iw];
                  // Every NaN takes over: the last NaN of a window gets the gradient, as in PyTorch.
                  if (at < 0 || v > best || v != v) {
                    best = v;
                    at = ih * W + iw;
                  }
                }
              }
              if (at >= 0) ip[at] += go;
            } else {
              int64_t count = 0;
              for (int64_t i = 0; i < g.kh; i++)
                for (int64_t j = 0; j < g.kw; j++) {
                  int64_t ih = oh * g.sh - g.ph + i * g.dh, iw = ow * g.sw - g.pw + j * g.dw;
                  if (ih < H + g.ph && iw < W + g.pw) count++;
                }
              T share = (T)((double)go / (double)(count ? count : 1));
              for (int64_t i = 0; i < g.kh; i++) {
                int64_t ih = oh * g.sh - g.ph + i * g.dh;
                if (ih < 0 || ih >= H) continue;
                for (int64_t j = 0; j < g.kw; j++) {
                  int64_t iw = ow * g.sw - g.pw + j * g.dw;
                  if (iw >= 0 && iw < W) ip[ih * W + iw] += share;
                }
              }
            }
          }
      }
    });
  });
}

}  // namespace tt
