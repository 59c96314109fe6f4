// Thread pool: N-1 workers plus the calling thread. Workers spin briefly, then sleep on a
// condition variable, so back-to-back kernels (a training step) do not pay a wake-up each time.
// Note [Claiming chunks]: a region's chunks are fixed (static split, so results do not depend on
// timing), but which thread runs each is not: every participant, the caller included, claims the
// next unstarted chunk. A worker that is descheduled (the cores are shared, or oversubscribed by
// a data-loader thread) then costs nothing: the caller runs its chunk instead of waiting a whole
// scheduler time slice for it (measured, MLP 784-128-64-10 training at 2 threads with another
// process busy on one of the 2 cores: 57–78k → 137–252k samples/s; 315k either way when idle).
#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace tt {
namespace {

thread_local bool t_in_parallel = false;

int default_threads() {
  if (const char* env = std::getenv("TT_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

class ThreadPool {
 public:
  explicit ThreadPool(int n) { resize(n); }
  ~ThreadPool() { stop(); }

  int size() const { return size_; }

  void resize(int n) {
    stop();
    size_ = std::max(1, n);
    quit_ = false;
    // New workers start from the current generation: the last job is finished, not theirs to run.
    const uint64_t gen = generation_.load();
    for (int i = 1; i < size_; ++i) workers_.emplace_back([this, gen] { loop(gen); });
  }

  void run(int64_t begin, int64_t end, int64_t grain, detail::RangeFn fn, void* ctx) {
    std::lock_guard<std::mutex> region(region_mu_);  // one region at a time
    int64_t n = end - begin;
    int chunks = static_cast<int>(std::min<int64_t>(size_, (n + grain - 1) / std::max<int64_t>(grain, 1)));
    chunks = std::max(chunks, 1);
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lk(mu_);
      job_ = Job{begin, end, chunks, fn, ctx};
      done_.store(0, std::memory_order_relaxed);
      gen = ++generation_;
      claim_.store(claim_word(gen, chunks, 0), std::memory_order_release);
    }
    cv_.notify_all();
    t_in_parallel = true;
    run_claimed(gen);
    t_in_parallel = false;
    // Wait for chunks that workers claimed and are still running (spin: they are short).
    while (done_.load(std::memory_order_acquire) < chunks) std::this_thread::yield();
  }

 private:
  struct Job {
    int64_t begin = 0, end = 0;
    int chunks = 0;
    detail::RangeFn fn = nullptr;
    void* ctx = nullptr;
  };

  // claim_ packs the job's generation (low 32 bits), its chunk count and the next unclaimed chunk.
  static uint64_t claim_word(uint64_t gen, int chunks, int next) {
    return (gen & 0xFFFFFFFFu) << 32 | static_cast<uint64_t>(chunks) << 16 | static_cast<uint64_t>(next);
  }

  // Claims and runs chunks of job `gen` until none is left (or that job is no longer current).
  void run_claimed(uint64_t gen) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    for (;;) {
      const int chunks = static_cast<int>(c >> 16 & 0xFFFF), next = static_cast<int>(c & 0xFFFF);
      if ((c >> 32) != (gen & 0xFFFFFFFFu) || next >= chunks) return;
      if (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      run_chunk(next);  // job_ stays put: the caller waits for this chunk before the next job
      done_.fetch_add(1, std::memory_order_acq_rel);
      c = claim_.load(std::memory_order_acquire);
    }
  }

  void run_chunk(int i) {
    const Job& j = job_;
    if (i >= j.chunks) return;
    int64_t n = j.end - j.begin;
    int64_t b = j.begin + n * i / j.chunks, e = j.begin + n * (i + 1) / j.chunks;
    if (b < e) j.fn(j.ctx, b, e);
  }

  void loop(uint64_t seen) {
    t_in_parallel = true;
    for (;;) {
      // Spin a little before sleeping: kernels often come back to back.
      for (int s = 0; s < 20000 && seen_generation() == seen && !quit_.load(); ++s) __builtin_ia32_pause();
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return quit_.load() || generation_ != seen; });
      if (quit_) return;
      seen = generation_;
      lk.unlock();
      run_claimed(seen);
    }
  }

  uint64_t seen_generation() const { return generation_.load(std::memory_order_acquire); }

  void stop() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int size_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_, region_mu_;
  std::condition_variable cv_;
  std::atomic<bool> quit_{false};
  std::atomic<int> done_{0};         // chunks of the current job finished
  std::atomic<uint64_t> claim_{0};   // see claim_word()
  std::atomic<uint64_t> generation_{0};
  Job job_;
};

ThreadPool& pool() {
  static ThreadPool p(default_threads());
  return p;
}

std::atomic<int>& thread_setting() {
  static std::atomic<int> n{default_threads()};
  return n;
}

}  // namespace

int get_num_threads() { return thread_setting().load(std::memory_order_relaxed); }

void set_num_threads(int n) {
  n = std::max(1, n);
  thread_setting().store(n);
  if (pool().size() != n) pool().resize(n);
}

bool in_parallel_region() { return t_in_parallel; }

namespace detail {
void parallel_run(int64_t begin, int64_t end, int64_t grain, RangeFn fn, void* ctx) {
  ThreadPool& p = pool();
  if (p.size() != get_num_threads()) p.resize(get_num_threads());
  p.run(begin, end, grain, fn, ctx);
}
}  // namespace detail

}  // namespace tt
