// Cooperative cancellation: the kernel process shares an Int32Array flag; long ops
// (matmul blocks and batches) poll it between blocks, outside worker threads, and throw.
#pragma once
#include <atomic>
#include <cstdint>

#include "common.h"

namespace tt {

extern std::atomic<const volatile int32_t*> g_interrupt_flag;

inline void check_interrupt() {
  const volatile int32_t* f = g_interrupt_flag.load(std::memory_order_relaxed);
  if (f && *f != 0) throw Error("interrupted");
}

}  // namespace tt
