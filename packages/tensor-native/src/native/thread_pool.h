// A fixed pool of worker threads for data-parallel loops.
#pragma once
#include <cstdint>
#include <functional>

namespace tt {

int num_threads();
void set_num_threads(int n);

// Runs fn(task) for task in [0, ntasks) across the pool; the caller works too.
// Nested calls from inside a task run serially.
void parallel_tasks(int64_t ntasks, const std::function<void(int64_t)>& fn);

// Splits [0, n) into contiguous chunks of at least `grain` and runs fn(begin, end).
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace tt
