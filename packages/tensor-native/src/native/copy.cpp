// Strided copy with dtype conversion: the one primitive behind contiguous(), casts,
// cat/stack and writes into views.
#include "kernels.h"
#include "strided.h"
#include "thread_pool.h"

namespace tt {

void copy_cast(const View& src, const View& dst) {
  if (src.ndim != dst.ndim) throw Error("copy: rank mismatch");
  int64_t n = dst.numel();
  const int64_t* strides[2] = {src.strides, dst.strides};
  TT_DISPATCH_ALL(src.dtype, S, {
    TT_DISPATCH_ALL(dst.dtype, D, {
      const S* s = reinterpret_cast<const S*>(src.data);
      D* d = reinterpret_cast<D*>(dst.data);
      parallel_for(n, 1 << 18, [&](int64_t b, int64_t e) {
        for_each_run<2>(dst.ndim, dst.shape, strides, b, e, [&](const int64_t* off, int64_t len, const int64_t* st) {
          const S* sp = s + off[0];
          D* dp = d + off[1];
          if (st[0] == 1 && st[1] == 1) {
            for (int64_t i = 0; i < len; i++) dp[i] = Narrow<D>::go(widen(sp[i]));
          } else {
            for (int64_t i = 0; i < len; i++) dp[i * st[1]] = Narrow<D>::go(widen(sp[i * st[0]]));
          }
        });
      });
    });
  });
}

}  // namespace tt
