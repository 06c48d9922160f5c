// Cooperative cancellation: the kernel process shares an Int32Array flag; long ops
// (matmul blocks and batches) poll it between blocks, outside worker threads, and throw.
#pragma once
#include <atomic>
#include <cstdint>

#include "common.h"

namespace tt {

extern std::atomic<const volatile int32_t*> g_interrupt_flag;

inline bool interrupt_requested() {
  const volatile int32_t* f = g_interrupt_flag.load(std::memory_order_relaxed);
  return f && *f != 0;
}

inline void check_interrupt() {
  if (interrupt_requested()) throw Error("interrupted");
}

}  // namespace tt
