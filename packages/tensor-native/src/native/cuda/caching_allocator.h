// A caching allocator for device memory in the spirit of PyTorch's: requests are rounded to
// 512 B; requests up to 1 MiB come from 2 MiB segments (the small pool), larger ones from
// 20 MiB segments or their own 2 MiB-rounded segment (the large pool); a free block bigger
// than a request is split, and a freed block merges with free neighbours of its segment.
// Freed blocks stay cached for reuse. When the device is out of memory (or the process is
// over its memory fraction), the cache is returned to the device and the request retried
// once. The device is behind DeviceMemory, so the bookkeeping runs against a fake in tests.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "../common.h"

namespace tt::cuda {

class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  // false when the device is out of memory; throws on any other failure.
  virtual bool allocate(size_t bytes, uint64_t* ptr) = 0;
  virtual void release(uint64_t ptr) = 0;
  virtual void info(size_t* free_bytes, size_t* total_bytes) = 0;
  // Waits for queued work: cached blocks may still be read by kernels in flight.
  virtual void synchronize() = 0;
};

struct Block {
  uint64_t ptr = 0;
  size_t size = 0;       // rounded
  size_t requested = 0;  // as asked for
  bool allocated = false;
  bool small = false;
  Block* prev = nullptr;  // neighbours within the same segment
  Block* next = nullptr;
};

struct AllocatorStats {
  int64_t allocated_bytes = 0, allocated_peak = 0;  // blocks handed out (rounded sizes)
  int64_t reserved_bytes = 0, reserved_peak = 0;    // segments held from the device
  int64_t requested_bytes = 0;
  int64_t small_allocated = 0, large_allocated = 0, small_reserved = 0, large_reserved = 0;
  int64_t active_blocks = 0, active_peak = 0, segments = 0;
  int64_t allocations = 0, frees = 0;
  int64_t bytes_allocated_total = 0, bytes_freed_total = 0;
  int64_t device_allocations = 0, device_frees = 0;
  int64_t retries = 0, ooms = 0;
};

struct OutOfMemory : Error {
  using Error::Error;
};

class CachingAllocator {
 public:
  static constexpr size_t kMinBlockSize = 512;
  static constexpr size_t kSmallSize = size_t(1) << 20;
  static constexpr size_t kSmallBuffer = size_t(2) << 20;
  static constexpr size_t kMinLargeAlloc = size_t(10) << 20;
  static constexpr size_t kLargeBuffer = size_t(20) << 20;
  static constexpr size_t kRoundLarge = size_t(2) << 20;

  CachingAllocator(DeviceMemory& memory, int device) : mem_(memory), device_(device) {}
  ~CachingAllocator();
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // A block of at least `bytes` (nullptr for 0 bytes); throws OutOfMemory.
  Block* allocate(size_t bytes);
  void free(Block* block);
  // Returns every cached segment that is wholly free to the device.
  void empty_cache();
  // Caps reserved memory at fraction x the device's total (1 = no cap).
  void set_memory_fraction(double fraction);
  double memory_fraction() const;
  AllocatorStats stats() const;
  void reset_peak_stats();
  std::string summary() const;

  static size_t round_size(size_t bytes);
  static size_t allocation_size(size_t rounded);
  static std::string format_size(uint64_t bytes);

 private:
  struct BySize {
    bool operator()(const Block* a, const Block* b) const { return a->size != b->size ? a->size < b->size : a->ptr < b->ptr; }
  };
  using Pool = std::set<Block*, BySize>;

  Block* take_free(Pool& pool, size_t size);
  Block* new_segment(size_t bytes, bool small);
  bool release_cached();
  bool should_split(const Block* b, size_t size) const;
  void merge_into(Block* b, Block* neighbour, Pool& pool);
  [[noreturn]] void throw_oom(size_t alloc_size);

  DeviceMemory& mem_;
  int device_;
  double fraction_ = 1.0;
  mutable std::mutex mu_;
  Pool small_, large_;
  AllocatorStats stats_;
};

}  // namespace tt::cuda
