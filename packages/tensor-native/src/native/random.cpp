// The global generator (manualSeed): xoshiro256** seeded through splitmix64. Draws are
// sequential so a seed reproduces the same tensors whatever the thread count.
#include <cmath>
#include <type_traits>

#include "kernels.h"
#include "strided.h"

namespace tt {
namespace {

uint64_t g_s[4];

uint64_t splitmix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
uint64_t next_u64() {
  uint64_t r = rotl(g_s[1] * 5, 7) * 9, t = g_s[1] << 17;
  g_s[2] ^= g_s[0];
  g_s[3] ^= g_s[1];
  g_s[1] ^= g_s[2];
  g_s[0] ^= g_s[3];
  g_s[2] ^= t;
  g_s[3] = rotl(g_s[3], 45);
  return r;
}
inline double next_unit() { return (double)(next_u64() >> 11) * 0x1.0p-53; }  // [0, 1)

struct Seeder {
  Seeder() { manual_seed(0x7e55e7a); }
} g_seeder;

}  // namespace

void manual_seed(uint64_t seed) {
  uint64_t x = seed;
  for (auto& s : g_s) s = splitmix(x);
}

void rand_uniform(const View& out, double lo, double hi) {
  int64_t n = out.numel();
  TT_DISPATCH_ALL(out.dtype, T, {
    T* o = reinterpret_cast<T*>(out.data);
    for (int64_t i = 0; i < n; i++) {
      double v = lo + (hi - lo) * next_unit();
      if constexpr (std::is_same_v<T, float>) {
        if ((float)v >= (float)hi) v = lo;
      }  // keep [lo, hi)
      o[i] = Narrow<T>::go(v);
    }
  });
}

void rand_normal(const View& out, double mean, double stdv) {
  int64_t n = out.numel();
  TT_DISPATCH_ALL(out.dtype, T, {
    T* o = reinterpret_cast<T*>(out.data);
    for (int64_t i = 0; i < n; i += 2) {  // Box-Muller, two normals per pair of draws
      double u1 = 1.0 - next_unit(), u2 = next_unit();
      double r = std::sqrt(-2.0 * std::log(u1));
      o[i] = Narrow<T>::go(mean + stdv * r * std::cos(2 * M_PI * u2));
      if (i + 1 < n) o[i + 1] = Narrow<T>::go(mean + stdv * r * std::sin(2 * M_PI * u2));
    }
  });
}

void rand_int(const View& out, int64_t lo, int64_t hi) {
  int64_t n = out.numel();
  uint64_t range = (uint64_t)(hi - lo);
  TT_DISPATCH_ALL(out.dtype, T, {
    T* o = reinterpret_cast<T*>(out.data);
    for (int64_t i = 0; i < n; i++) o[i] = Narrow<T>::go((double)(lo + (int64_t)(next_u64() % range)));
  });
}

void arange_fill(const View& out, double start, double step) {
  int64_t n = out.numel();
  TT_DISPATCH_ALL(out.dtype, T, {
    T* o = reinterpret_cast<T*>(out.data);
    for (int64_t i = 0; i < n; i++) o[i] = Narrow<T>::go(start + step * (double)i);
  });
}

}  // namespace tt
