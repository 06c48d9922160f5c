// Caching CPU allocator: size-classed free lists so a steady loop reuses blocks.
#pragma once
#include <cstddef>
#include <cstdint>
#include "common.h"

namespace tt {

struct AllocStats {
  int64_t live_bytes;      // bytes handed out and not yet freed
  int64_t cached_bytes;    // bytes held in free lists
  int64_t os_allocations;  // blocks ever taken from the OS
  int64_t live_blocks;
};

void* cpu_alloc(size_t nbytes, size_t* block_bytes);
void cpu_free(void* p, size_t block_bytes);
AllocStats cpu_alloc_stats();
void cpu_empty_cache();

// A reference-counted buffer; tensors are views over it.
struct Storage {
  void* data = nullptr;
  size_t nbytes = 0;       // requested
  size_t block_bytes = 0;  // size class actually held
  Device device = Device::CPU;
  int device_index = 0;   // which GPU, for CUDA storages
  void* block = nullptr;  // the CUDA caching allocator's block
};

}  // namespace tt
