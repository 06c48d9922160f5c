// Turning JS numbers (arguments and metadata values alike) into C++ integers. A plain cast
// of NaN, an infinity or a value past the target's range is undefined behaviour, and a
// product of two sizes can overflow, so every number that becomes a size, an index or a
// code goes through here.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <string>

#include "../common.h"

namespace tt::napi {

// Every integer a double holds exactly; sizes, strides and offsets must stay within it.
constexpr int64_t kMaxExact = int64_t(1) << 53;

// A short rendering of a bad value for error messages ("NaN", "-1", "2.5", "1e+300").
inline std::string show(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string((long long)v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// lo and hi must be exact as doubles (within +-2^53, or powers of two). NaN and the
// infinities fail the range test; inside the range the cast is defined and exact.
inline bool is_integer_in(double v, int64_t lo, int64_t hi) { return v >= (double)lo && v <= (double)hi && (double)(int64_t)v == v; }

// A range bound as people read it: 2^53 rather than 9007199254740992.
inline std::string show_bound(int64_t b) {
  if (b == kMaxExact) return "2^53";
  if (b == -kMaxExact) return "-2^53";
  return std::to_string(b);
}

// The error paths, kept out of line: every call checks dozens of numbers, and the checks
// must stay a few instructions each.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_not_integer(double v, int64_t lo, int64_t hi, const char* entry,
                                                                     const char* what) {
  throw Error(std::string(entry) + ": " + what + " must be an integer in [" + show_bound(lo) + ", " + show_bound(hi) + "], got " + show(v));
}
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_bad_code(double v, int count, const char* entry, const char* what) {
  throw Error(std::string(entry) + ": unknown " + what + " " + show(v) + " (expected an integer from 0 to " + std::to_string(count - 1) +
              ")");
}
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_too_large(const char* entry) {
  throw Error(std::string(entry) + ": sizes too large");
}

// v as an integer in [lo, hi], or "<entry>: <what> must be an integer in [lo, hi], got v".
inline int64_t to_integer(double v, int64_t lo, int64_t hi, const char* entry, const char* what) {
  if (!is_integer_in(v, lo, hi)) throw_not_integer(v, lo, hi, entry, what);
  return (int64_t)v;
}

// An op code or kind in [0, count): the one message every entry point gives for a bad one.
inline int to_code(double v, int count, const char* entry, const char* what) {
  if (!is_integer_in(v, 0, count - 1)) throw_bad_code(v, count, entry, what);
  return (int)v;
}

// a * b for non-negative sizes, or an error when the product leaves [0, 2^53].
inline int64_t size_product(int64_t a, int64_t b, const char* entry) {
  int64_t r;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r) || r > kMaxExact) throw_too_large(entry);
  return r;
}

}  // namespace tt::napi
