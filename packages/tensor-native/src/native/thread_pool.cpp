#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace tt {
namespace {

thread_local bool t_in_pool = false;

// Tasks are claimed dynamically from one atomic word holding (generation, next task): the
// caller takes part, and if a worker has not been scheduled yet (two cores shared with
// other processes), the caller simply runs that worker's tasks too instead of waiting a
// whole scheduler time slice for it. The generation in the word keeps a worker that wakes
// late from claiming tasks of a later job.
class Pool {
 public:
  explicit Pool(int n) : nthreads_(std::max(1, n)) {
    for (int i = 1; i < nthreads_; i++) std::thread([this] { loop(); }).detach();
  }
  int size() const { return nthreads_; }

  void run(int64_t ntasks, const std::function<void(int64_t)>& fn) {
    std::lock_guard<std::mutex> serial(run_mu_);
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      gen = ++generation_;
      fn_ = &fn;
      ntasks_ = ntasks;
      done_.store(0, std::memory_order_relaxed);
      claim_.store(gen << 32, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_pool = true;
    work(gen);
    t_in_pool = false;
    // Spin briefly (a running worker finishes its task within microseconds), then sleep.
    for (int i = 0; i < kSpins && done_.load(std::memory_order_acquire) != ntasks; i++) cpu_relax();
    if (done_.load(std::memory_order_acquire) != ntasks) {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait(lock, [&] { return done_.load(std::memory_order_acquire) == ntasks; });
    }
  }

 private:
  // About 50-100 microseconds of polling: long enough to bridge the gaps between the
  // back-to-back parallel steps of one op, short enough not to burn a core between cells.
  static constexpr int kSpins = 20000;

  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  // Claims and runs tasks of job `gen` until none are left.
  void work(uint64_t gen) {
    for (;;) {
      uint64_t v = claim_.load(std::memory_order_acquire);
      int64_t t;
      do {
        if ((v >> 32) != (gen & 0xffffffffu)) return;
        t = (int64_t)(v & 0xffffffffu);
        if (t >= ntasks_) return;
      } while (!claim_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire));
      (*fn_)(t);
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == ntasks_) {
        std::lock_guard<std::mutex> lock(mu_);
        done_cv_.notify_one();
      }
    }
  }

  void loop() {
    t_in_pool = true;
    uint64_t seen = 0;
    for (;;) {
      for (int i = 0; i < kSpins && generation_seen() == (seen & 0xffffffffu); i++) cpu_relax();
      uint64_t gen;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return generation_ != seen; });
        gen = seen = generation_;
      }
      work(gen);
    }
  }

  uint64_t generation_seen() { return claim_.load(std::memory_order_acquire) >> 32; }

  int nthreads_;
  std::mutex run_mu_, mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t ntasks_ = 0;
  uint64_t generation_ = 0;         // guarded by mu_
  std::atomic<uint64_t> claim_{0};  // (generation << 32) | next task
  std::atomic<int64_t> done_{0};
};

int default_threads() {
  if (const char* s = std::getenv("TESSERA_NUM_THREADS")) {
    int n = std::atoi(s);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// The server's cap for this kernel (TESSERA_MAX_NUM_THREADS): set_num_threads asks within it.
int max_threads() {
  if (const char* s = std::getenv("TESSERA_MAX_NUM_THREADS")) {
    int n = std::atoi(s);
    if (n > 0) return std::min(n, 256);
  }
  return 256;
}
const int g_max_threads = max_threads();
int g_requested = std::min(default_threads(), g_max_threads);
std::vector<Pool*> g_pools(257, nullptr);  // pools are never destroyed: threads idle on exit
std::mutex g_pools_mu;

Pool& pool() {
  std::lock_guard<std::mutex> lock(g_pools_mu);
  int n = std::min(g_requested, 256);
  if (!g_pools[n]) g_pools[n] = new Pool(n);
  return *g_pools[n];
}

}  // namespace

int num_threads() { return g_requested; }
void set_num_threads(int n) { g_requested = std::max(1, std::min(n, g_max_threads)); }

void parallel_tasks(int64_t ntasks, const std::function<void(int64_t)>& fn) {
  if (ntasks <= 0) return;
  if (ntasks == 1 || t_in_pool || g_requested == 1) {
    for (int64_t t = 0; t < ntasks; t++) fn(t);
    return;
  }
  pool().run(ntasks, fn);
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  int64_t chunks = std::min<int64_t>(num_threads(), std::max<int64_t>(1, n / std::max<int64_t>(1, grain)));
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  int64_t per = (n + chunks - 1) / chunks;
  parallel_tasks(chunks, [&](int64_t c) {
    int64_t b = c * per, e = std::min(n, b + per);
    if (b < e) fn(b, e);
  });
}

}  // namespace tt
