// Reading views out of the metadata buffer and onto their storages. One view at meta[p] is
// [dtype, ndim, offset, shape..., strides...] (elements); a by-value scalar operand, which
// only the CUDA binary and where entries take, is [dtype, -1, low 32 bits, high 32 bits]
// with a null handle. Reading the metadata needs no storage, so an entry reads all of it
// (views, then its parameters) before it looks at a handle: a malformed call is refused
// the same way on a machine with no GPU to hold the storages.
#pragma once
#include <napi.h>

#include <string>

#include "handles.h"
#include "meta.h"
#include "numbers.h"

namespace tt::napi {

// Where a view lies in the metadata (it is read from there when bound), or a scalar.
struct ViewMeta {
  DType dtype = DType::F32;
  int ndim = 0;
  int64_t offset = 0;
  const double* dims = nullptr;  // shape[ndim], then strides[ndim], all checked integers
  bool empty = false;            // some dim is 0
  bool scalar = false;
  uint64_t bits = 0;  // the scalar's raw bits
};

// A view checked against its storage, or a by-value scalar (storage null). The View's
// arrays are filled up to ndim only: a call binds several, and each is 280 bytes.
struct Bound {
  View v;
  Storage* storage = nullptr;
  int64_t offset = 0;  // elements from the storage's start
  bool scalar = false;
  uint64_t bits = 0;
};

// A cursor over this call's metadata; every read checks that the buffer holds it.
class MetaReader {
 public:
  MetaReader(Napi::Env env, const char* entry) : meta_(current_meta(env)), entry_(entry) {}

  const char* entry() const { return entry_; }

  // The next n values, or "metadata overflow".
  const double* take(size_t n) {
    if (n > meta_.len || pos_ > meta_.len - n) throw_overflow(n);
    const double* p = meta_.data + pos_;
    pos_ += n;
    return p;
  }
  double number() { return *take(1); }
  int64_t integer(int64_t lo, int64_t hi, const char* what) { return to_integer(number(), lo, hi, entry_, what); }

  ViewMeta view(bool allow_scalar = false) {
    ViewMeta m;
    const double* h = take(2);
    if (!is_integer_in(h[0], 0, 7)) throw Error(std::string(entry_) + ": bad dtype code " + show(h[0]));
    m.dtype = (DType)(int)h[0];
    if (allow_scalar && h[1] == -1) {
      const double* b = take(2);
      const uint64_t lo = (uint64_t)to_integer(b[0], 0, UINT32_MAX, entry_, "scalar bits");
      const uint64_t hi = (uint64_t)to_integer(b[1], 0, UINT32_MAX, entry_, "scalar bits");
      m.scalar = true;
      m.bits = lo | hi << 32;
      return m;
    }
    if (!is_integer_in(h[1], 0, kMaxDims)) throw Error(std::string(entry_) + ": bad rank " + show(h[1]) + " (at most 16 dimensions)");
    m.ndim = (int)h[1];
    m.offset = integer(-kMaxExact, kMaxExact, "view offset");
    const double* d = m.dims = take(2 * (size_t)m.ndim);
    int64_t count = 1;  // elements over the non-zero dims: bounds every product of sizes
    for (int i = 0; i < m.ndim; i++) {
      if (d[i] < 0) throw_negative_size(d[i]);
      const int64_t size = to_integer(d[i], 0, kMaxExact, entry_, "a view's size");
      to_integer(d[m.ndim + i], -kMaxExact, kMaxExact, entry_, "a view's stride");
      if (size == 0) m.empty = true;
      else count = size_product(count, size, entry_);
    }
    return m;
  }

 private:
  [[noreturn, gnu::cold, gnu::noinline]] void throw_overflow(size_t n) const {
    throw Error(std::string(entry_) + ": metadata overflow (the call needs " + std::to_string(pos_ + n) + " values, the buffer holds " +
                std::to_string(meta_.len) + ")");
  }
  [[noreturn, gnu::cold, gnu::noinline]] void throw_negative_size(double v) const {
    throw Error(std::string(entry_) + ": negative size " + show(v) + " in a view's shape");
  }

  MetaBuffer meta_;
  const char* entry_;
  size_t pos_ = 0;
};

// m on storage s, written into v: every element it can reach lies inside s (an empty
// view reaches none). Filled in place: a View is 280 bytes, and a call binds several.
inline void bind_into(View& v, const ViewMeta& m, const Storage* s, const char* entry) {
  v.dtype = m.dtype;
  v.ndim = m.ndim;
  __int128 lo = m.offset, hi = m.offset;  // sizes and strides are < 2^53: no overflow here
  for (int d = 0; d < m.ndim; d++) {
    v.shape[d] = (int64_t)m.dims[d];
    v.strides[d] = (int64_t)m.dims[m.ndim + d];
    const __int128 span = (__int128)(v.shape[d] - 1) * v.strides[d];
    if (span > 0) hi += span;
    else lo += span;
  }
  const int64_t es = (int64_t)dtype_size(m.dtype);
  if (!m.empty && (lo < 0 || (hi + 1) * es > (__int128)s->nbytes)) throw Error(std::string(entry) + ": view out of bounds of its storage");
  // An empty view touches nothing; its offset may lie anywhere, so it does not move the pointer.
  v.data = static_cast<char*>(s->data) + (m.empty ? 0 : m.offset * es);
}

inline Bound bind(const ViewMeta& m, Storage* s, const char* entry) {
  Bound b;
  b.storage = s;
  b.offset = m.offset;
  bind_into(b.v, m, s, entry);
  return b;
}

// m as an operand that may be a by-value scalar (its handle must then be null).
inline Bound bind_operand(const ViewMeta& m, const Args& a, size_t i, Device device) {
  if (!m.scalar) return bind(m, storage_of(a, i, device), a.entry());
  if (!a.nullish(i)) throw Error(std::string(a.entry()) + ": a scalar operand takes a null handle");
  Bound b;
  b.v = View{};
  b.v.dtype = m.dtype;
  b.scalar = true;
  b.bits = m.bits;
  return b;
}

}  // namespace tt::napi
