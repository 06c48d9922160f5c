// What an entry point checks on its views and parameters before any kernel runs, one
// function per op family, shared by the CPU and CUDA addons so both refuse the same calls
// with the same words. read_* take a family's parameters from the metadata (before any
// handle is looked at, see views.h); check_* relate the bound views to them.
#pragma once
#include <initializer_list>
#include <string>

#include "../kernels.h"
#include "../ops.h"
#include "views.h"

namespace tt::napi {

// Row-major without gaps (size-1 dims may have any stride).
inline bool is_contiguous(const View& v) {
  int64_t expect = 1;
  for (int d = v.ndim - 1; d >= 0; d--) {
    if (v.shape[d] != 1 && v.strides[d] != expect) return false;
    expect *= v.shape[d];
  }
  return true;
}

inline void require_contiguous(const View& v, const char* entry) {
  if (!is_contiguous(v)) throw Error(std::string(entry) + ": expected a contiguous view");
}

// Kernels iterate over the output's shape with each operand's strides, so every operand
// must already have exactly that shape (a by-value scalar broadcasts to anything).
inline void require_same_shape(const View& a, const View& out, const char* entry) {
  bool ok = a.ndim == out.ndim;
  for (int d = 0; ok && d < a.ndim; d++) ok = a.shape[d] == out.shape[d];
  if (!ok) throw Error(std::string(entry) + ": operand shapes do not match the output");
}
inline void require_operand_shape(const Bound& a, const View& out, const char* entry) {
  if (!a.scalar) require_same_shape(a.v, out, entry);
}

// The product of sizes in [0, 2^53]. The product of the non-zero ones must stay within
// 2^53 as well: a kernel may loop over some factors of an empty result.
inline int64_t count_of(std::initializer_list<int64_t> sizes, const char* entry) {
  int64_t nonzero = 1;
  bool empty = false;
  for (int64_t s : sizes) {
    if (s == 0) empty = true;
    else nonzero = size_product(nonzero, s, entry);
  }
  return empty ? 0 : nonzero;
}

// ---- elementwise

inline void check_unary(const View& x, const View& out) {
  require_same_shape(x, out, "unary");
  if (x.dtype != out.dtype) throw Error("unary: output dtype must match the input");
}

inline bool byte_sized_bool(DType d) { return d == DType::Bool || d == DType::U8; }

// Comparisons write bool (or u8); the rest write the operands' dtype, where bool and u8
// stand in for each other. Any other output would be written past its end.
inline void check_binary(int op, const Bound& a, const Bound& b, const View& out) {
  require_operand_shape(a, out, "binary");
  require_operand_shape(b, out, "binary");
  const DType t = a.v.dtype;
  if (b.v.dtype != t) throw Error("binary: operands must share a dtype");
  const bool ok = op >= B_EQ ? byte_sized_bool(out.dtype) : out.dtype == t || (byte_sized_bool(t) && byte_sized_bool(out.dtype));
  if (!ok) throw Error("binary: output dtype does not match the operands");
}

inline void check_where(const Bound& c, const Bound& a, const Bound& b, const View& out) {
  for (const Bound* o : {&c, &a, &b}) require_operand_shape(*o, out, "where");
  if (!byte_sized_bool(c.v.dtype)) throw Error("where: the condition must be bool");
  if (a.v.dtype != b.v.dtype || a.v.dtype != out.dtype) throw Error("where: operands must share a dtype");
}

// a [batch..., M, K] x b [batch..., K, N] -> out [batch..., M, N], batch strides free (0 to
// broadcast), out's rows contiguous.
inline void check_matmul(const View& a, const View& b, const View& out) {
  const int nd = out.ndim;
  if (nd < 2 || a.ndim != nd || b.ndim != nd) throw Error("matmul: bad ranks");
  bool ok = b.shape[nd - 2] == a.shape[nd - 1] && out.shape[nd - 2] == a.shape[nd - 2] && out.shape[nd - 1] == b.shape[nd - 1] &&
            out.strides[nd - 1] == 1 && a.dtype == b.dtype && a.dtype == out.dtype;
  for (int d = 0; ok && d < nd - 2; d++) ok = a.shape[d] == out.shape[d] && b.shape[d] == out.shape[d];
  if (!ok) throw Error("matmul: operand shapes or dtypes do not match");
}

// ---- rows: reduce, random, index

// meta after the views: outer, n (the row length), correction (var only).
struct ReduceParams {
  int64_t outer, n;
  double correction;
};
inline ReduceParams read_reduce(MetaReader& m) {
  ReduceParams r{};
  r.outer = m.integer(0, kMaxExact, "reduce rows");
  r.n = m.integer(1, kMaxExact, "reduce row length");
  r.correction = m.number();
  return r;
}
// x contiguous [outer, n] -> out [outer] ([outer, n] for the softmax ops).
inline void check_reduce(int op, const ReduceParams& r, const View& x, const View& out) {
  const bool rows_out = op == R_SOFTMAX || op == R_LOGSOFTMAX;
  require_contiguous(x, "reduce");
  require_contiguous(out, "reduce");
  const int64_t total = count_of({r.outer, r.n}, "reduce");
  if (total != x.numel() || out.numel() != (rows_out ? total : r.outer)) throw Error("reduce: sizes do not match the views");
  if (rows_out && out.dtype != x.dtype) throw Error("softmax: output dtype must match the input");
}

// meta after the view: p1, p2 (see RandomKind). randint's bounds become int64s, and
// their difference must too.
struct RandomParams {
  double p1, p2;
};
inline RandomParams read_random(MetaReader& m, int kind) {
  const double* p = m.take(2);
  if (kind == RANDOM_RANDINT) {
    constexpr int64_t lim = (int64_t(1) << 62) - 1024;  // the largest double below 2^62
    to_integer(p[0], -lim, lim, m.entry(), "randint's low");
    to_integer(p[1], -lim, lim, m.entry(), "randint's high");
    if (!(p[1] > p[0])) throw Error("randint: high must be greater than low");
  }
  return {p[0], p[1]};
}

// meta after the views: outer, xdim, inner, idim over contiguous [outer, xdim, inner].
struct IndexSizes {
  int64_t outer, xdim, inner, idim;
};
inline IndexSizes read_index(MetaReader& m) {
  IndexSizes s{};
  s.outer = m.integer(0, kMaxExact, "index outer size");
  s.xdim = m.integer(0, kMaxExact, "index dimension size");
  s.inner = m.integer(0, kMaxExact, "index inner size");
  s.idim = m.integer(0, kMaxExact, "index count");
  return s;
}
inline void check_index(int kind, const IndexSizes& s, const View& x, const View& idx, const View& out) {
  for (const View* v : {&x, &idx, &out}) require_contiguous(*v, "indexOp");
  if (idx.dtype != DType::I64 || x.dtype != out.dtype) throw Error("index: bad dtypes");
  const int64_t nidx = idx.numel(), picked = count_of({s.outer, s.idim, s.inner}, "indexOp");
  const bool ok = count_of({s.outer, s.xdim, s.inner}, "indexOp") == x.numel() &&
                  (kind == INDEX_SELECT ? nidx == s.idim && out.numel() == picked : nidx == picked && out.numel() == nidx);
  if (!ok) throw Error("index: sizes do not match the views");
}

// ---- windows (im2col, pooling and their adjoints over contiguous NCHW)

// meta after the views: kh, kw, sh, sw, ph, pw, dh, dw, oh, ow. Kernels compute positions
// as products of these, so each stays below 2^31.
inline Conv2dGeom read_geometry(MetaReader& m) {
  constexpr int64_t lim = INT32_MAX;
  Conv2dGeom g{};
  g.kh = m.integer(1, lim, "kernel height");
  g.kw = m.integer(1, lim, "kernel width");
  g.sh = m.integer(1, lim, "stride height");
  g.sw = m.integer(1, lim, "stride width");
  g.ph = m.integer(0, lim, "padding height");
  g.pw = m.integer(0, lim, "padding width");
  g.dh = m.integer(1, lim, "dilation height");
  g.dw = m.integer(1, lim, "dilation width");
  g.oh = m.integer(0, lim, "output height");
  g.ow = m.integer(0, lim, "output width");
  return g;
}

// x [N, C, H, W] -> out: im2col's cols [C*kh*kw, N, oh*ow], or pooled [N, C, oh, ow].
inline void check_window(int kind, const View& x, const View& out, const Conv2dGeom& g) {
  require_contiguous(x, "window2d");
  require_contiguous(out, "window2d");
  if (x.ndim != 4 || x.dtype != out.dtype) throw Error("window2d: bad geometry");
  const int64_t N = x.shape[0], C = x.shape[1];
  const int64_t expect =
      kind == WINDOW_IM2COL ? count_of({N, C, g.kh, g.kw, g.oh, g.ow}, "window2d") : count_of({N, C, g.oh, g.ow}, "window2d");
  if (out.numel() != expect) throw Error("window2d: output size does not match the geometry");
}

// col2im: a = cols -> out = image; pooling: a = x, b = gradient of the output, out = the
// gradient of x. out is [N, C, H, W].
inline void check_window_backward(int kind, const View& a, const View& b, const View& out, const Conv2dGeom& g) {
  for (const View* v : {&a, &b, &out}) require_contiguous(*v, "window2dBackward");
  if (out.ndim != 4 || a.dtype != out.dtype || b.dtype != out.dtype) throw Error("window2dBackward: bad geometry");
  const int64_t N = out.shape[0], C = out.shape[1];
  const bool ok = kind == WINDOW_BACKWARD_COL2IM
                      ? a.numel() == count_of({N, C, g.kh, g.kw, g.oh, g.ow}, "window2dBackward")
                      : a.numel() == out.numel() && b.numel() == count_of({N, C, g.oh, g.ow}, "window2dBackward");
  if (!ok) throw Error("window2dBackward: sizes do not match the geometry");
}

// ---- optimizers

// meta after the views: the 7 hyperparameters of optim_step (kernels.h).
inline const double* read_optim_hyper(MetaReader& m) { return m.take(7); }

inline void check_optim(const View& p, const View& g, const View& s1, const View& s2) {
  for (const View* v : {&p, &g, &s1, &s2}) {
    require_contiguous(*v, "optimStep");
    if (v->dtype != p.dtype || v->numel() != p.numel()) throw Error("optimStep: state and gradient must match the parameter");
  }
}

}  // namespace tt::napi
