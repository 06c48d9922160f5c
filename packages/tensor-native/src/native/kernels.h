// The CPU kernels the addon exposes. Outputs are contiguous unless stated.
#pragma once
#include <cstdint>

#include "common.h"
#include "ops.h"

namespace tt {

void copy_cast(const View& src, const View& dst);  // dst may be strided
void fill_value(const View& dst, double value);    // dst contiguous
void unary(int op, const View& x, const View& out);
// a and b already broadcast to out's shape (stride 0 on broadcast dims) and in the
// compute dtype; out has that dtype, or bool for comparisons.
void binary(int op, const View& a, const View& b, const View& out);
void where(const View& cond, const View& a, const View& b, const View& out);
// x contiguous [outer, n]; out contiguous [outer] (or [outer, n] for softmax ops).
void reduce_rows(int op, const View& x, int64_t outer, int64_t n, const View& out, double correction);
void arange_fill(const View& out, double start, double step);
void rand_uniform(const View& out, double lo, double hi);
void rand_normal(const View& out, double mean, double stdv);
void rand_int(const View& out, int64_t lo, int64_t hi);
void manual_seed(uint64_t seed);
// out[o, i, r] = x[o, idx[i], r] over contiguous x [outer, dimsize, inner].
void index_select(const View& x, int64_t outer, int64_t dimsize, int64_t inner, const int64_t* idx, int64_t nidx, const View& out);
// out[o, i, r] = x[o, idx[o, i, r], r]; x [outer, xdim, inner], idx/out [outer, idim, inner].
void gather(const View& x, int64_t outer, int64_t xdim, int64_t inner, const int64_t* idx, int64_t idim, const View& out);

// out[o, idx[o, i, r], r] += src[o, i, r]; out [outer, odim, inner] is updated in place.
void scatter_add(const View& out, int64_t outer, int64_t odim, int64_t inner, const int64_t* idx, int64_t idim, const View& src);

struct Conv2dGeom {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};
// x contiguous [N, C, H, W] -> cols contiguous [C*kh*kw, N, oh*ow].
void im2col(const View& x, const View& cols, const Conv2dGeom& g);
// x contiguous [N, C, H, W] -> out contiguous [N, C, oh, ow]; kind WINDOW_MAX_POOL or WINDOW_AVG_POOL.
void pool2d(WindowKind kind, const View& x, const View& out, const Conv2dGeom& g);
// The adjoint of im2col: gin [N, C, H, W] = sum of the cols entries that read each pixel.
void col2im(const View& cols, const View& gin, const Conv2dGeom& g);
// Pooling gradients: x and gin [N, C, H, W], gout [N, C, oh, ow]; kind WINDOW_BACKWARD_MAX_POOL or _AVG_POOL.
void pool2d_backward(WindowBackwardKind kind, const View& x, const View& gout, const View& gin, const Conv2dGeom& g);

// OPTIM_SGD (s1 = momentum buffer), OPTIM_ADAM, OPTIM_ADAMW (s1, s2 = first and second moments);
// all views contiguous with p's dtype and size. hyper: SGD [lr, momentum, dampening,
// weightDecay, nesterov, firstStep, maximize]; Adam [lr, beta1, beta2, eps, weightDecay,
// step, maximize].
void optim_step(OptimKind kind, const View& p, const View& g, const View& s1, const View& s2, const double* hyper);

}  // namespace tt
