// Kernel argument blocks, shared by the host launcher (compiled by g++) and the kernels
// (compiled by NVRTC at run time, and by nvcc in the tests): plain 8-byte fields only, so
// both sides agree on the layout without padding rules. Each kernel takes one of these by
// value.
#ifndef TT_ARGS_H
#define TT_ARGS_H

#ifndef TT_MAX_DIMS
#error "TT_MAX_DIMS must be defined (the runtime passes -DTT_MAX_DIMS=16)"
#endif
#ifndef TT_BLOCK
#error "TT_BLOCK must be defined (the runtime passes -DTT_BLOCK=256)"
#endif

typedef long long tt_i64;
typedef unsigned long long tt_u64;

// A strided operand: device address (0 for a scalar passed by value in `scalar`, as raw
// bits of its dtype) and one stride per iteration dim, in elements.
struct TTOperand {
  tt_u64 ptr;
  tt_u64 scalar;
  tt_i64 strides[TT_MAX_DIMS];
};

// The iteration space: the output's shape after dims that can be merged were merged.
struct TTIter {
  tt_i64 numel;
  tt_i64 ndim;
  tt_i64 shape[TT_MAX_DIMS];
};

// unary (op 0 -> 1), binary (0, 1 -> 2), where (cond 0, a 1, b 2 -> 3), copy (0 -> 1).
struct TTElementwiseArgs {
  TTIter it;
  TTOperand op[4];
  tt_i64 code;
};

struct TTFillArgs {
  tt_u64 ptr;
  tt_i64 n;
  tt_u64 bits;  // the value, already in the destination dtype
};

// x contiguous [outer, n] -> out contiguous [outer] (or [outer, n] for softmax).
struct TTReduceArgs {
  tt_u64 x, out;
  tt_i64 outer, n, code;
  double correction;
};

// kind 0 uniform(p1, p2), 1 normal(p1, p2), 2 randint [p1, p2), 3 arange(p1 + p2 * i).
struct TTRandomArgs {
  tt_u64 out;
  tt_i64 n, kind;
  tt_u64 seed, offset;
  double p1, p2;
  tt_i64 lo, hi;  // randint bounds, exact
};

// indexSelect / gather / scatterAdd over [outer, xdim, inner] (see kernels.h).
struct TTIndexArgs {
  tt_u64 x, idx, out;
  tt_i64 outer, xdim, inner, idim, count;
};

// The window ops over NCHW: geometry as Conv2dGeom, `kind` as in dispatch.ts.
struct TTWindowArgs {
  tt_u64 a, b, out;
  tt_i64 N, C, H, W;
  tt_i64 kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
  tt_i64 kind, count;
};

// Fused optimizer step; h as optim_step in kernels.h, plus the Adam terms the host derives.
struct TTOptimArgs {
  tt_u64 p, g, s1, s2;
  tt_i64 n, kind;
  double h[7];
  double step_size, bc2_sqrt;
};

// Integer matmul (cuBLAS has none): batch dims in `batch`, the batch strides of a, b and c
// in op[0..2]; the matrices' own strides below.
struct TTMatmulArgs {
  TTIter batch;
  TTOperand op[3];
  tt_i64 M, N, K, rsa, csa, rsb, csb, rsc;
};

#endif
