// conv2d lowering (im2col, then the packed GEMM) and 2-d pooling, over contiguous NCHW.
#include <cmath>
#include <limits>

#include "kernels.h"
#include "strided.h"
#include "thread_pool.h"

namespace tt {

// cols[c*kh*kw + i*kw + j, n, oh*Wo + ow] = x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] (0 outside).
// Rows span the whole batch so the convolution is one large GEMM, not N small ones.
void im2col(const View& x, const View& cols, const Conv2dGeom& g) {
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t L = g.oh * g.ow, K = C * g.kh * g.kw;
  TT_DISPATCH_COMPUTE(x.dtype, T, {
    const T* xs = reinterpret_cast<const T*>(x.data);
    T* cs = reinterpret_cast<T*>(cols.data);
    parallel_for(N * K, 16, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; t++) {
        int64_t n = t / K, r = t % K, c = r / (g.kh * g.kw), i = (r / g.kw) % g.kh, j = r % g.kw;
        const T* xp = xs + (n * C + c) * H * W;
        T* row = cs + (r * N + n) * L;
        for (int64_t oh = 0; oh < g.oh; oh++) {
          int64_t ih = oh * g.sh - g.ph + i * g.dh;
          T* dst = row + oh * g.ow;
          if (ih < 0 || ih >= H) {
            for (int64_t ow = 0; ow < g.ow; ow++) dst[ow] = T(0);
            continue;
          }
          for (int64_t ow = 0; ow < g.ow; ow++) {
            int64_t iw = ow * g.sw - g.pw + j * g.dw;
            dst[ow] = (iw >= 0 && iw < W) ? xp[ih * W + iw] : T(0);
          }
        }
      }
    });
  });
}

// Max (padding counts as -inf) or average with padding counted (PyTorch's default).
void pool2d(WindowKind kind, const View& x, const View& out, const Conv2dGeom& g) {
  const int64_t NC = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3];
  TT_DISPATCH_COMPUTE(x.dtype, T, {
    const T* xs = reinterpret_cast<const T*>(x.data);
    T* os = reinterpret_cast<T*>(out.data);
    parallel_for(NC, 4, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; p++) {
        const T* xp = xs + p * H * W;
        T* op = os + p * g.oh * g.ow;
        for (int64_t oh = 0; oh < g.oh; oh++)
          for (int64_t ow = 0; ow < g.ow; ow++) {
            double acc = kind == WINDOW_MAX_POOL ? -std::numeric_limits<double>::infinity() : 0.0;
            int64_t count = 0;
            for (int64_t i = 0; i < g.kh; i++) {
              int64_t ih = oh * g.sh - g.ph + i * g.dh;
              for (int64_t j = 0; j < g.kw; j++) {
                int64_t iw = ow * g.sw - g.pw + j * g.dw;
                bool inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                // the average divides by the window clipped to the padded input
                if (kind == WINDOW_AVG_POOL && ih < H + g.ph && iw < W + g.pw) count++;
                if (!inside) continue;
                double v = (double)xp[ih * W + iw];
                if (kind == WINDOW_MAX_POOL) acc = (v > acc || v != v) ? v : acc;
                else acc += v;
              }
            }
            op[oh * g.ow + ow] = (T)(kind == WINDOW_MAX_POOL ? acc : acc / (double)(count ? count : 1));
          }
      }
    });
  });
}

}  // namespace tt
