// The window ops over contiguous NCHW (conv.cpp and conv_backward.cpp on the GPU):
// im2col, max/average pooling, and their adjoints. The adjoints gather into each input
// pixel from the windows that read it (no atomics), in the CPU's (i, j) order.
#include "tt_common.cuh"

// cols[c*kh*kw + i*kw + j, n, oh*ow] = x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] (0 outside).
template <class T>
__device__ void tt_im2col(const TTWindowArgs& g) {
  const T* x = (const T*)g.a;
  T* cols = (T*)g.out;
  const tt_i64 L = g.oh * g.ow;
  TT_GRID_LOOP(t, g.count) {
    const tt_i64 l = t % L, n = (t / L) % g.N, r = t / (L * g.N);
    const tt_i64 c = r / (g.kh * g.kw), i = (r / g.kw) % g.kh, j = r % g.kw;
    const tt_i64 ih = (l / g.ow) * g.sh - g.ph + i * g.dh, iw = (l % g.ow) * g.sw - g.pw + j * g.dw;
    cols[t] = (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) ? x[((n * g.C + c) * g.H + ih) * g.W + iw] : (T)0;
  }
}

// The average's divisor: the window clipped to the padded input (PyTorch's count_include_pad).
__device__ __forceinline__ tt_i64 tt_pool_count(const TTWindowArgs& g, tt_i64 oh, tt_i64 ow) {
  tt_i64 count = 0;
  for (tt_i64 i = 0; i < g.kh; i++)
    for (tt_i64 j = 0; j < g.kw; j++)
      if (oh * g.sh - g.ph + i * g.dh < g.H + g.ph && ow * g.sw - g.pw + j * g.dw < g.W + g.pw) count++;
  return count ? count : 1;
}

// WINDOW_MAX_POOL: max (padding is -inf, a NaN sticks); WINDOW_AVG_POOL: average.
template <class T>
__device__ void tt_pool2d(const TTWindowArgs& g) {
  const T* x = (const T*)g.a;
  T* out = (T*)g.out;
  TT_GRID_LOOP(t, g.count) {
    const tt_i64 ow = t % g.ow, oh = (t / g.ow) % g.oh, p = t / (g.ow * g.oh);
    const T* xp = x + p * g.H * g.W;
    double acc = g.kind == tt::WINDOW_MAX_POOL ? -TT_INF_D : 0.0;
    for (tt_i64 i = 0; i < g.kh; i++) {
      const tt_i64 ih = oh * g.sh - g.ph + i * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      for (tt_i64 j = 0; j < g.kw; j++) {
        const tt_i64 iw = ow * g.sw - g.pw + j * g.dw;
        if (iw < 0 || iw >= g.W) continue;
        const double v = (double)xp[ih * g.W + iw];
        if (g.kind == tt::WINDOW_MAX_POOL) acc = (v > acc || v != v) ? v : acc;
        else acc += v;
      }
    }
    out[t] = (T)(g.kind == tt::WINDOW_MAX_POOL ? acc : acc / (double)tt_pool_count(g, oh, ow));
  }
}

// The output window (oh, ow) that reads input pixel (h, w) through kernel tap (i, j), if any.
__device__ __forceinline__ bool tt_window_of(const TTWindowArgs& g, tt_i64 h, tt_i64 w, tt_i64 i, tt_i64 j, tt_i64* oh, tt_i64* ow) {
  const tt_i64 nh = h + g.ph - i * g.dh, nw = w + g.pw - j * g.dw;
  if (nh < 0 || nw < 0 || nh % g.sh || nw % g.sw) return false;
  *oh = nh / g.sh;
  *ow = nw / g.sw;
  return *oh < g.oh && *ow < g.ow;
}

// gin [N, C, H, W] = the sum of the cols entries that read each pixel.
template <class T>
__device__ void tt_col2im(const TTWindowArgs& g) {
  const T* cols = (const T*)g.a;
  T* gin = (T*)g.out;
  const tt_i64 L = g.oh * g.ow, KK = g.kh * g.kw;
  TT_GRID_LOOP(t, g.count) {
    const tt_i64 w = t % g.W, h = (t / g.W) % g.H, c = (t / (g.W * g.H)) % g.C, n = t / (g.W * g.H * g.C);
    T acc = 0;
    for (tt_i64 i = 0; i < g.kh; i++)
      for (tt_i64 j = 0; j < g.kw; j++) {
        tt_i64 oh, ow;
        if (tt_window_of(g, h, w, i, j, &oh, &ow)) acc += cols[((c * KK + i * g.kw + j) * g.N + n) * L + oh * g.ow + ow];
      }
    gin[t] = acc;
  }
}

// The flat input position a max window picks: the first maximal element (a NaN wins), as
// pool2d_backward in conv_backward.cpp.
template <class T>
__device__ tt_i64 tt_argmax_window(const TTWindowArgs& g, const T* xp, tt_i64 oh, tt_i64 ow) {
  double best = -TT_INF_D;
  tt_i64 at = -1;
  for (tt_i64 i = 0; i < g.kh; i++) {
    const tt_i64 ih = oh * g.sh - g.ph + i * g.dh;
    if (ih < 0 || ih >= g.H) continue;
    for (tt_i64 j = 0; j < g.kw; j++) {
      const tt_i64 iw = ow * g.sw - g.pw + j * g.dw;
      if (iw < 0 || iw >= g.W) continue;
      const double v = (double)xp[ih * g.W + iw];
      if (at < 0 || v > best || v != v) {
        best = v;
        at = ih * g.W + iw;
      }
    }
  }
  return at;
}

// a = x, b = grad of the output, out = grad of x; kind WINDOW_BACKWARD_MAX_POOL or WINDOW_BACKWARD_AVG_POOL.
template <class T>
__device__ void tt_pool2d_backward(const TTWindowArgs& g) {
  const T* x = (const T*)g.a;
  const T* gout = (const T*)g.b;
  T* gin = (T*)g.out;
  TT_GRID_LOOP(t, g.count) {
    const tt_i64 w = t % g.W, h = (t / g.W) % g.H, p = t / (g.W * g.H);
    const T* xp = x + p * g.H * g.W;
    const T* gp = gout + p * g.oh * g.ow;
    T acc = 0;
    for (tt_i64 i = 0; i < g.kh; i++)
      for (tt_i64 j = 0; j < g.kw; j++) {
        tt_i64 oh, ow;
        if (!tt_window_of(g, h, w, i, j, &oh, &ow)) continue;
        const T go = gp[oh * g.ow + ow];
        if (g.kind == tt::WINDOW_BACKWARD_MAX_POOL) {
          if (tt_argmax_window(g, xp, oh, ow) == h * g.W + w) acc += go;
        } else {
          acc += (T)((double)go / (double)tt_pool_count(g, oh, ow));
        }
      }
    gin[t] = acc;
  }
}

#define TT_WINDOW(sfx, T)                                                                  \
  extern "C" __global__ void tt_im2col_##sfx(TT_PARAM TTWindowArgs g) { tt_im2col<T>(g); } \
  extern "C" __global__ void tt_pool2d_##sfx(TT_PARAM TTWindowArgs g) { tt_pool2d<T>(g); } \
  extern "C" __global__ void tt_col2im_##sfx(TT_PARAM TTWindowArgs g) { tt_col2im<T>(g); } \
  extern "C" __global__ void tt_pool2d_backward_##sfx(TT_PARAM TTWindowArgs g) { tt_pool2d_backward<T>(g); }
TT_WINDOW(f32, float)
TT_WINDOW(f64, double)
TT_WINDOW(i32, tt_i32)
TT_WINDOW(i64, tt_i64)
TT_WINDOW(u8, tt_u8)
