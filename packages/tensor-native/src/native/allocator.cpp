// Why a cache: a fresh 64 MiB buffer costs ~16k page faults here, which dominates a
// plain `a + b`. Freed blocks go to a per-size-class free list and are handed out again.
#include "allocator.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace tt {
namespace {

std::mutex g_mu;
std::unordered_map<size_t, std::vector<void*>> g_free;
AllocStats g_stats{0, 0, 0, 0};
// Above this many cached bytes, frees go straight back to the OS.
const int64_t kCacheLimit = int64_t(4) << 30;

// The server's memory limit for this kernel (TESSERA_MEMORY_LIMIT, bytes; 0 = none): an
// allocation past it is refused with an error the cell can catch, before the server's
// watchdog has to stop the whole kernel.
int64_t read_limit() {
  const char* s = std::getenv("TESSERA_MEMORY_LIMIT");
  if (!s) return 0;
  long long v = std::atoll(s);
  return v > 0 ? v : 0;
}
const int64_t g_limit = read_limit();

std::string human(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int i = 0;
  while (v >= 1024 && i < 4) {
    v /= 1024;
    i++;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, i == 0 ? "%.0f %s" : "%.1f %s", v, units[i]);
  return buf;
}

void free_cache_locked() {
  for (auto& kv : g_free)
    for (void* p : kv.second) std::free(p);
  g_free.clear();
  g_stats.cached_bytes = 0;
}

// Under g_mu: refuses an allocation of `cls` new bytes past the limit; drops the cache when
// live + cached would pass it.
void check_limit_locked(size_t nbytes, size_t cls) {
  if (g_limit == 0) return;
  if (g_stats.live_bytes + (int64_t)cls > g_limit) {
    throw Error("out of memory: this tensor needs " + human((int64_t)nbytes) + " and this kernel's tensors already hold " +
                human(g_stats.live_bytes) + "; the memory limit per kernel is " + human(g_limit) +
                " (free tensors with dispose() or tt.tidy, or use smaller batches)");
  }
  if (g_stats.live_bytes + g_stats.cached_bytes + (int64_t)cls > g_limit) free_cache_locked();
}

// Size classes: multiples of 64 B up to 1 KiB, then 4 classes per power of two
// (at most 25% slack).
size_t size_class(size_t n) {
  if (n == 0) n = 1;
  if (n <= 1024) return (n + 63) & ~size_t(63);
  size_t p = size_t(1) << (63 - __builtin_clzll(n - 1));  // largest power of 2 < n
  size_t step = p / 4;
  return (n + step - 1) / step * step;
}

}  // namespace

void* cpu_alloc(size_t nbytes, size_t* block_bytes) {
  size_t cls = size_class(nbytes);
  *block_bytes = cls;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = g_free.find(cls);
    if (it != g_free.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      g_stats.cached_bytes -= (int64_t)cls;
      g_stats.live_bytes += (int64_t)cls;
      g_stats.live_blocks++;
      return p;
    }
  }
  {
    std::lock_guard<std::mutex> lock(g_mu);
    check_limit_locked(nbytes, cls);
  }
  void* p = std::aligned_alloc(64, cls);
  if (!p) {
    cpu_empty_cache();
    p = std::aligned_alloc(64, cls);
    if (!p) throw Error("out of memory allocating " + std::to_string(nbytes) + " bytes");
  }
  std::lock_guard<std::mutex> lock(g_mu);
  g_stats.os_allocations++;
  g_stats.live_bytes += (int64_t)cls;
  g_stats.live_blocks++;
  return p;
}

void cpu_free(void* p, size_t block_bytes) {
  if (!p) return;
  std::lock_guard<std::mutex> lock(g_mu);
  g_stats.live_bytes -= (int64_t)block_bytes;
  g_stats.live_blocks--;
  if (g_stats.cached_bytes + (int64_t)block_bytes > kCacheLimit) {
    std::free(p);
    return;
  }
  g_free[block_bytes].push_back(p);
  g_stats.cached_bytes += (int64_t)block_bytes;
}

AllocStats cpu_alloc_stats() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_stats;
}

void cpu_empty_cache() {
  std::lock_guard<std::mutex> lock(g_mu);
  free_cache_locked();
}

}  // namespace tt
