#include "caching_allocator.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace tt::cuda {

CachingAllocator::~CachingAllocator() {
  // Blocks still handed out belong to storages that outlive us only at process exit.
  for (Pool* pool : {&small_, &large_})
    for (Block* b : *pool) delete b;
}

size_t CachingAllocator::round_size(size_t bytes) {
  if (bytes < kMinBlockSize) return kMinBlockSize;
  return (bytes + kMinBlockSize - 1) / kMinBlockSize * kMinBlockSize;
}

size_t CachingAllocator::allocation_size(size_t rounded) {
  if (rounded <= kSmallSize) return kSmallBuffer;
  if (rounded < kMinLargeAlloc) return kLargeBuffer;
  return (rounded + kRoundLarge - 1) / kRoundLarge * kRoundLarge;
}

std::string CachingAllocator::format_size(uint64_t bytes) {
  char buf[64];
  if (bytes <= 1024) std::snprintf(buf, sizeof buf, "%llu bytes", (unsigned long long)bytes);
  else if (bytes <= 1048576) std::snprintf(buf, sizeof buf, "%.2f KiB", bytes / 1024.0);
  else if (bytes <= 1073741824ULL) std::snprintf(buf, sizeof buf, "%.2f MiB", bytes / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / 1073741824.0);
  return buf;
}

bool CachingAllocator::should_split(const Block* b, size_t size) const {
  size_t remaining = b->size - size;
  return b->small ? remaining >= kMinBlockSize : remaining > kSmallSize;
}

// Best fit: the smallest free block that holds `size` (lowest address among equals).
Block* CachingAllocator::take_free(Pool& pool, size_t size) {
  Block key;
  key.size = size;
  key.ptr = 0;
  auto it = pool.lower_bound(&key);
  if (it == pool.end()) return nullptr;
  Block* b = *it;
  pool.erase(it);
  return b;
}

Block* CachingAllocator::new_segment(size_t bytes, bool small) {
  if (fraction_ < 1.0) {
    size_t free_b = 0, total = 0;
    mem_.info(&free_b, &total);
    if ((double)(stats_.reserved_bytes + (int64_t)bytes) > fraction_ * (double)total) return nullptr;
  }
  uint64_t ptr = 0;
  if (!mem_.allocate(bytes, &ptr)) return nullptr;
  auto* b = new Block();
  b->ptr = ptr;
  b->size = bytes;
  b->small = small;
  stats_.segments++;
  stats_.device_allocations++;
  stats_.reserved_bytes += (int64_t)bytes;
  (small ? stats_.small_reserved : stats_.large_reserved) += (int64_t)bytes;
  stats_.reserved_peak = std::max(stats_.reserved_peak, stats_.reserved_bytes);
  return b;
}

bool CachingAllocator::release_cached() {
  std::vector<Block*> whole;
  for (Pool* pool : {&small_, &large_})
    for (Block* b : *pool)
      if (!b->prev && !b->next) whole.push_back(b);
  if (whole.empty()) return false;
  mem_.synchronize();
  for (Block* b : whole) {
    (b->small ? small_ : large_).erase(b);
    mem_.release(b->ptr);
    stats_.segments--;
    stats_.device_frees++;
    stats_.reserved_bytes -= (int64_t)b->size;
    (b->small ? stats_.small_reserved : stats_.large_reserved) -= (int64_t)b->size;
    delete b;
  }
  return true;
}

void CachingAllocator::throw_oom(size_t alloc_size) {
  stats_.ooms++;
  size_t free_b = 0, total = 0;
  mem_.info(&free_b, &total);
  std::string allowed;
  if (fraction_ < 1.0) allowed = format_size((uint64_t)(fraction_ * (double)total)) + " allowed; ";
  throw OutOfMemory("CUDA out of memory. Tried to allocate " + format_size(alloc_size) + " (GPU " + std::to_string(device_) + "; " +
                    format_size(total) + " total capacity; " + format_size((uint64_t)stats_.allocated_bytes) + " already allocated; " +
                    format_size(free_b) + " free; " + allowed + format_size((uint64_t)stats_.reserved_bytes) +
                    " reserved in total by Tessera)");
}

Block* CachingAllocator::allocate(size_t bytes) {
  if (bytes == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  const size_t size = round_size(bytes);
  const bool small = size <= kSmallSize;
  Pool& pool = small ? small_ : large_;
  Block* b = take_free(pool, size);
  if (!b) {
    const size_t alloc = allocation_size(size);
    b = new_segment(alloc, small);
    if (!b && release_cached()) {
      stats_.retries++;
      b = new_segment(alloc, small);
    }
    if (!b) throw_oom(alloc);
  }
  if (should_split(b, size)) {
    auto* rest = new Block();
    rest->ptr = b->ptr + size;
    rest->size = b->size - size;
    rest->small = b->small;
    rest->prev = b;
    rest->next = b->next;
    if (b->next) b->next->prev = rest;
    b->next = rest;
    b->size = size;
    pool.insert(rest);
  }
  b->allocated = true;
  b->requested = bytes;
  stats_.allocations++;
  stats_.active_blocks++;
  stats_.active_peak = std::max(stats_.active_peak, stats_.active_blocks);
  stats_.allocated_bytes += (int64_t)b->size;
  (small ? stats_.small_allocated : stats_.large_allocated) += (int64_t)b->size;
  stats_.allocated_peak = std::max(stats_.allocated_peak, stats_.allocated_bytes);
  stats_.requested_bytes += (int64_t)bytes;
  stats_.bytes_allocated_total += (int64_t)b->size;
  return b;
}

void CachingAllocator::merge_into(Block* b, Block* n, Pool& pool) {
  if (!n || n->allocated) return;
  pool.erase(n);
  if (n == b->prev) {  // b folds into its predecessor, which keeps the lower address
    b->ptr = n->ptr;
    b->prev = n->prev;
    if (b->prev) b->prev->next = b;
  } else {
    b->next = n->next;
    if (b->next) b->next->prev = b;
  }
  b->size += n->size;
  delete n;
}

void CachingAllocator::free(Block* b) {
  if (!b) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (!b->allocated) throw Error("CUDA allocator: block freed twice");
  b->allocated = false;
  stats_.frees++;
  stats_.active_blocks--;
  stats_.allocated_bytes -= (int64_t)b->size;
  (b->small ? stats_.small_allocated : stats_.large_allocated) -= (int64_t)b->size;
  stats_.requested_bytes -= (int64_t)b->requested;
  stats_.bytes_freed_total += (int64_t)b->size;
  Pool& pool = b->small ? small_ : large_;
  merge_into(b, b->prev, pool);
  merge_into(b, b->next, pool);
  pool.insert(b);
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mu_);
  release_cached();
}

void CachingAllocator::set_memory_fraction(double fraction) {
  if (!(fraction > 0.0 && fraction <= 1.0)) throw Error("setPerProcessMemoryFraction: expected a fraction in (0, 1]");
  std::lock_guard<std::mutex> lock(mu_);
  fraction_ = fraction;
}

double CachingAllocator::memory_fraction() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fraction_;
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void CachingAllocator::reset_peak_stats() {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.allocated_peak = stats_.allocated_bytes;
  stats_.reserved_peak = stats_.reserved_bytes;
  stats_.active_peak = stats_.active_blocks;
}

std::string CachingAllocator::summary() const {
  AllocatorStats s = stats();
  const double fraction = memory_fraction();
  char line[160];
  std::string out;
  const char* rule = "|---------------------------+--------------+--------------+--------------+--------------|\n";
  auto row = [&](const char* name, const std::string& a, const std::string& b, const std::string& c, const std::string& d) {
    std::snprintf(line, sizeof line, "| %-25s | %12s | %12s | %12s | %12s |\n", name, a.c_str(), b.c_str(), c.c_str(), d.c_str());
    out += line;
  };
  auto sz = [](int64_t v) { return format_size((uint64_t)std::max<int64_t>(0, v)); };
  auto n = [](int64_t v) { return std::to_string(v); };
  std::snprintf(line, sizeof line, "| %-86s |\n", ("Tessera CUDA memory summary, device " + std::to_string(device_)).c_str());
  out += "|=========================================================================================|\n";
  out += line;
  out += rule;
  row("Metric", "Current", "Peak", "Total in", "Total out");
  out += rule;
  row("Allocated memory", sz(s.allocated_bytes), sz(s.allocated_peak), sz(s.bytes_allocated_total), sz(s.bytes_freed_total));
  row("  from small pool", sz(s.small_allocated), "", "", "");
  row("  from large pool", sz(s.large_allocated), "", "", "");
  row("Requested memory", sz(s.requested_bytes), "", "", "");
  row("Reserved memory", sz(s.reserved_bytes), sz(s.reserved_peak), "", "");
  row("  small pool", sz(s.small_reserved), "", "", "");
  row("  large pool", sz(s.large_reserved), "", "", "");
  row("Cached (free) memory", sz(s.reserved_bytes - s.allocated_bytes), "", "", "");
  row("Active allocations", n(s.active_blocks), n(s.active_peak), n(s.allocations), n(s.frees));
  row("Device segments", n(s.segments), "", n(s.device_allocations), n(s.device_frees));
  out += rule;
  std::snprintf(line, sizeof line, "| %-86s |\n",
                ("Retries after freeing the cache: " + n(s.retries) + "   Out-of-memory errors: " + n(s.ooms) +
                 (fraction < 1.0 ? "   Memory fraction: " + std::to_string(fraction).substr(0, 4) : ""))
                    .c_str());
  out += line;
  out += "|=========================================================================================|\n";
  return out;
}

}  // namespace tt::cuda
