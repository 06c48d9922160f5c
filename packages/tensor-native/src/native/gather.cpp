// Index-driven copies: indexSelect and gather over contiguous inputs (indices are
// validated in TypeScript, so these never read out of bounds).
#include "kernels.h"
#include "strided.h"
#include "thread_pool.h"

namespace tt {

void index_select(const View& x, int64_t outer, int64_t dimsize, int64_t inner, const int64_t* idx, int64_t nidx, const View& out) {
  size_t es = dtype_size(x.dtype);
  const char* xs = x.data;
  char* o = out.data;
  parallel_for(outer * nidx, 1024, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      int64_t oi = t / nidx, i = t % nidx;
      std::memcpy(o + (size_t)t * inner * es, xs + (size_t)(oi * dimsize + idx[i]) * inner * es, (size_t)inner * es);
    }
  });
  (void)dimsize;
}

void gather(const View& x, int64_t outer, int64_t xdim, int64_t inner, const int64_t* idx, int64_t idim, const View& out) {
  size_t es = dtype_size(x.dtype);
  int64_t n = outer * idim * inner;
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; t++) {
      int64_t r = t % inner, o = t / (inner * idim);
      std::memcpy(out.data + (size_t)t * es, x.data + (size_t)((o * xdim + idx[t]) * inner + r) * es, es);
    }
  });
}

// out[o, idx[o, i, r], r] += src[o, i, r], serially (indices may repeat).
void scatter_add(const View& out, int64_t outer, int64_t odim, int64_t inner, const int64_t* idx, int64_t idim, const View& src) {
  int64_t n = outer * idim * inner;
  TT_DISPATCH_COMPUTE(out.dtype, T, {
    T* o = reinterpret_cast<T*>(out.data);
    const T* s = reinterpret_cast<const T*>(src.data);
    for (int64_t t = 0; t < n; t++) {
      int64_t r = t % inner, b = t / (inner * idim);
      T& dst = o[(b * odim + idx[t]) * inner + r];
      dst = (T)(dst + s[t]);
    }
  });
}

}  // namespace tt
