// Unary, binary and where kernels over broadcast strided views. Contiguous float32
// runs go to the ISA table (AVX-512/AVX2 builds of vec_impl.inc); everything else is a
// templated loop. Threaded above a size threshold.
#include <cmath>
#include <type_traits>

#include "isa.h"
#include "kernels.h"
#include "ops.h"
#include "strided.h"
#include "thread_pool.h"

namespace tt {
namespace {

constexpr int64_t kGrain = 1 << 16;

template <class T>
T unary_scalar(int op, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case U_NEG: return -x;
      case U_ABS: return std::fabs(x);
      case U_EXP: return std::exp(x);
      case U_LOG: return std::log(x);
      case U_SQRT: return std::sqrt(x);
      case U_RSQRT: return T(1) / std::sqrt(x);
      case U_SIN: return std::sin(x);
      case U_COS: return std::cos(x);
      case U_TANH: return std::tanh(x);
      case U_SIGMOID: return T(1) / (T(1) + std::exp(-x));
      case U_RELU: return x > 0 ? x : (x != x ? x : T(0));
      case U_GELU: return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
      case U_SILU: return x / (T(1) + std::exp(-x));
      case U_LOGICAL_NOT: return x == T(0) ? T(1) : T(0);
    }
  } else {
    switch (op) {
      case U_NEG: return (T)(-x);
      case U_ABS: return x < 0 ? (T)(-x) : x;
      case U_RELU: return x > 0 ? x : T(0);
      case U_LOGICAL_NOT: return x == 0 ? T(1) : T(0);
    }
  }
  return x;  // unreachable: unary() rejects unsupported ops up front
}

template <class T>
T binary_scalar(int op, T a, T b) {
  switch (op) {
    case B_ADD: return (T)(a + b);
    case B_SUB: return (T)(a - b);
    case B_MUL: return (T)(a * b);
    case B_DIV:
      if constexpr (std::is_integral_v<T>) {
        if (b == 0) return 0;  // kernels must not throw on worker threads
      }
      return (T)(a / b);
    case B_POW:
      if constexpr (std::is_integral_v<T>) {
        if (b < 0) return 0;  // rejected in TypeScript before dispatch
        T r = 1, base = a;
        for (auto e = b; e > 0; e >>= 1) {
          if (e & 1) r = (T)(r * base);
          base = (T)(base * base);
        }
        return r;
      } else {
        return std::pow(a, b);
      }
    case B_MAX: return (a != a || a > b) ? a : b;
    case B_MIN: return (a != a || a < b) ? a : b;
  }
  return a;
}

// One run of a comparison, with the op chosen once per run, not per element, and the
// strides in locals so the contiguous and scalar cases vectorize.
template <class T, class Cmp>
void compare_loop(const T* a, int64_t sa, const T* b, int64_t sb, uint8_t* o, int64_t so, int64_t n, Cmp cmp) {
  if (sa == 1 && sb == 1 && so == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = cmp(a[i], b[i]);
  } else if (sa == 1 && sb == 0 && so == 1) {
    const T bv = *b;
    for (int64_t i = 0; i < n; i++) o[i] = cmp(a[i], bv);
  } else {
    for (int64_t i = 0; i < n; i++) o[i * so] = cmp(a[i * sa], b[i * sb]);
  }
}

template <class T>
void compare_run(int op, const T* a, int64_t sa, const T* b, int64_t sb, uint8_t* o, int64_t so, int64_t n) {
  switch (op) {
    case B_EQ: return compare_loop(a, sa, b, sb, o, so, n, [](T x, T y) -> uint8_t { return x == y; });
    case B_NE: return compare_loop(a, sa, b, sb, o, so, n, [](T x, T y) -> uint8_t { return x != y; });
    case B_LT: return compare_loop(a, sa, b, sb, o, so, n, [](T x, T y) -> uint8_t { return x < y; });
    case B_LE: return compare_loop(a, sa, b, sb, o, so, n, [](T x, T y) -> uint8_t { return x <= y; });
    case B_GT: return compare_loop(a, sa, b, sb, o, so, n, [](T x, T y) -> uint8_t { return x > y; });
    case B_GE: return compare_loop(a, sa, b, sb, o, so, n, [](T x, T y) -> uint8_t { return x >= y; });
  }
}

// Both sides are loaded before the select so it compiles to a blend, not a branch (a
// random mask mispredicts half the time).
template <class T>
void where_run(const uint8_t* c, int64_t sc, const T* a, int64_t sa, const T* b, int64_t sb, T* o, int64_t so, int64_t n) {
  if (sc == 1 && so == 1 && sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) {
      const T x = a[i], y = b[i];
      o[i] = c[i] ? x : y;
    }
  } else if (sc == 1 && so == 1 && sa == 1 && sb == 0) {
    const T bv = *b;
    for (int64_t i = 0; i < n; i++) {
      const T x = a[i];
      o[i] = c[i] ? x : bv;
    }
  } else if (sc == 1 && so == 1 && sa == 0 && sb == 1) {
    const T av = *a;
    for (int64_t i = 0; i < n; i++) {
      const T y = b[i];
      o[i] = c[i] ? av : y;
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      const T x = a[i * sa], y = b[i * sb];
      o[i * so] = c[i * sc] ? x : y;
    }
  }
}

}  // namespace

void fill_value(const View& dst, double value) {
  int64_t n = dst.numel();
  TT_DISPATCH_ALL(dst.dtype, T, {
    T v = Narrow<T>::go(value);
    T* d = reinterpret_cast<T*>(dst.data);
    parallel_for(n, 1 << 18, [&](int64_t b, int64_t e) { std::fill(d + b, d + e, v); });
  });
}

void unary(int op, const View& x, const View& out) {
  int64_t n = out.numel();
  const int64_t* strides[2] = {x.strides, out.strides};
  TT_DISPATCH_COMPUTE(x.dtype, T, {
    const T* xs = reinterpret_cast<const T*>(x.data);
    T* os = reinterpret_cast<T*>(out.data);
    if (!std::is_floating_point_v<T> && op != U_NEG && op != U_ABS && op != U_RELU && op != U_LOGICAL_NOT)
      throw Error("unary op needs a floating point input");
    parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
      for_each_run<2>(out.ndim, out.shape, strides, b, e, [&](const int64_t* off, int64_t len, const int64_t* st) {
        const T* xp = xs + off[0];
        T* op_ = os + off[1];
        if constexpr (std::is_same_v<T, float>) {
          if (st[0] == 1 && st[1] == 1 && isa().unary_f32(op, reinterpret_cast<const float*>(xp), reinterpret_cast<float*>(op_), len))
            return;
        }
        for (int64_t i = 0; i < len; i++) op_[i * st[1]] = unary_scalar<T>(op, xp[i * st[0]]);
      });
    });
  });
}

void binary(int op, const View& a, const View& b, const View& out) {
  int64_t n = out.numel();
  const int64_t* strides[3] = {a.strides, b.strides, out.strides};
  bool cmp = op >= B_EQ;
  TT_DISPATCH_COMPUTE(a.dtype, T, {
    const T* as = reinterpret_cast<const T*>(a.data);
    const T* bs = reinterpret_cast<const T*>(b.data);
    parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) {
      for_each_run<3>(out.ndim, out.shape, strides, lo, hi, [&](const int64_t* off, int64_t len, const int64_t* st) {
        const T* ap = as + off[0];
        const T* bp = bs + off[1];
        if (cmp) {
          uint8_t* o = reinterpret_cast<uint8_t*>(out.data) + off[2];
          compare_run<T>(op, ap, st[0], bp, st[1], o, st[2], len);
          return;
        }
        T* o = reinterpret_cast<T*>(out.data) + off[2];
        if constexpr (std::is_same_v<T, float>) {
          if (st[2] == 1 && st[0] <= 1 && st[1] <= 1 && st[0] >= 0 && st[1] >= 0) {
            isa().binary_f32(op, reinterpret_cast<const float*>(ap), st[0], reinterpret_cast<const float*>(bp), st[1],
                             reinterpret_cast<float*>(o), len);
            return;
          }
        }
        if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
          switch (op) {  // common cases written out so they vectorize
            case B_ADD:
              for (int64_t i = 0; i < len; i++) o[i] = (T)(ap[i] + bp[i]);
              return;
            case B_MUL:
              for (int64_t i = 0; i < len; i++) o[i] = (T)(ap[i] * bp[i]);
              return;
            case B_SUB:
              for (int64_t i = 0; i < len; i++) o[i] = (T)(ap[i] - bp[i]);
              return;
          }
        }
        for (int64_t i = 0; i < len; i++) o[i * st[2]] = binary_scalar<T>(op, ap[i * st[0]], bp[i * st[1]]);
      });
    });
  });
}

void where(const View& cond, const View& a, const View& b, const View& out) {
  int64_t n = out.numel();
  const int64_t* strides[4] = {cond.strides, a.strides, b.strides, out.strides};
  const uint8_t* cs = reinterpret_cast<const uint8_t*>(cond.data);
  TT_DISPATCH_ALL(a.dtype, T, {
    const T* as = reinterpret_cast<const T*>(a.data);
    const T* bs = reinterpret_cast<const T*>(b.data);
    T* os = reinterpret_cast<T*>(out.data);
    parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) {
      for_each_run<4>(out.ndim, out.shape, strides, lo, hi, [&](const int64_t* off, int64_t len, const int64_t* st) {
        where_run<T>(cs + off[0], st[0], as + off[1], st[1], bs + off[2], st[2], os + off[3], st[3], len);
      });
    });
  });
}

}  // namespace tt
