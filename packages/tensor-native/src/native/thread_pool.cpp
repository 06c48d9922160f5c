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

class Pool {
 public:
  explicit Pool(int n) : nthreads_(std::max(1, n)) {
    for (int i = 1; i < nthreads_; i++) std::thread([this, i] { loop(i); }).detach();
  }
  int size() const { return nthreads_; }

  void run(int64_t ntasks, const std::function<void(int64_t)>& fn) {
    std::lock_guard<std::mutex> serial(run_mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = &fn;
      ntasks_ = ntasks;
      active_.store(nthreads_ - 1, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_pool = true;
    work(0);
    t_in_pool = false;
    // Spin briefly (the workers usually finish within microseconds of us), then sleep.
    for (int i = 0; i < kSpins && active_.load(std::memory_order_acquire) != 0; i++) cpu_relax();
    if (active_.load(std::memory_order_acquire) != 0) {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait(lock, [this] { return active_.load(std::memory_order_acquire) == 0; });
    }
    fn_ = nullptr;
  }

 private:
  // About 50-100 microseconds of polling: long enough to bridge the gaps between the
  // back-to-back parallel steps of one op (a sleeping thread in a VM takes far longer
  // to wake), short enough not to burn a core between cells.
  static constexpr int kSpins = 20000;

  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  // Static cyclic assignment: participant `tid` runs tasks tid, tid + n, ... so work is
  // spread even when a worker wakes late (stealing would let the caller take it all).
  void work(int tid) {
    for (int64_t t = tid; t < ntasks_; t += nthreads_) (*fn_)(t);
  }
  void loop(int tid) {
    t_in_pool = true;
    uint64_t seen = 0;
    for (;;) {
      for (int i = 0; i < kSpins && generation_.load(std::memory_order_acquire) == seen; i++) cpu_relax();
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      seen = generation_.load(std::memory_order_acquire);
      work(tid);
      if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mu_);
        done_cv_.notify_one();
      }
    }
  }

  int nthreads_;
  std::mutex run_mu_, mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t ntasks_ = 0;
  std::atomic<int> active_{0};
  std::atomic<uint64_t> generation_{0};
};

int default_threads() {
  if (const char* s = std::getenv("TESSERA_NUM_THREADS")) {
    int n = std::atoi(s);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

int g_requested = default_threads();
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
void set_num_threads(int n) { g_requested = std::max(1, std::min(n, 256)); }

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
  if (chunks <= 1) { fn(0, n); return; }
  int64_t per = (n + chunks - 1) / chunks;
  parallel_tasks(chunks, [&](int64_t c) {
    int64_t b = c * per, e = std::min(n, b + per);
    if (b < e) fn(b, e);
  });
}

}  // namespace tt
