// Caching allocator implementation: a free list per size class behind one lock. The lists sit in
// a fixed array indexed by class (no hashing: an allocate + deallocate pair is on every op's path).
// Note [Size classes]: up to 4 KiB we round to 64 B (small tensors: biases, scalars); above, to a
// power of two, which wastes at most half but makes reuse across slightly different sizes likely.
#include "core/allocator.h"

#include <sys/mman.h>

#include <array>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"

namespace tt {
namespace {

constexpr size_t kSmallLimit = 4096;
constexpr int64_t kMaxCached = int64_t(4) << 30;  // beyond this, freed blocks go back to the system

size_t size_class(size_t n) {
  if (n == 0) n = 1;
  if (n <= kSmallLimit) return (n + kAlignment - 1) / kAlignment * kAlignment;
  TT_CHECK(n <= (size_t(1) << 62), "allocator: out of memory allocating ", n, " bytes");
  return std::bit_ceil(n);
}

// Classes 64, 128, ..., 4096 take slots 0..63; 2^13 ... 2^63 take slots 64 + (log2 − 13).
constexpr size_t kSmallClasses = kSmallLimit / kAlignment;
constexpr size_t kClasses = kSmallClasses + 64 - 13;
size_t class_slot(size_t cls) {
  if (cls <= kSmallLimit) return cls / kAlignment - 1;
  return kSmallClasses + static_cast<size_t>(std::bit_width(cls) - 1) - 13;
}

// Note [Allocator lock]: a test-and-test-and-set spin lock rather than std::mutex. Every op
// allocates and frees, and the critical sections are a few loads and stores. A pthread mutex takes
// two locked instructions (lock and unlock) and two calls; this takes one locked exchange and a
// plain release store. A locked instruction waits for the store buffer to drain, which in the
// middle of an op costs far more than in a loop. A waiter that spins 64 times yields, in case the
// holder was descheduled (two cores shared by the thread pool and a data-loader thread).
class SpinLock {
 public:
  void lock() {
    int spins = 0;
    while (flag_.exchange(true, std::memory_order_acquire)) {
      while (flag_.load(std::memory_order_relaxed)) {
        if (++spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  void unlock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

struct Cache {
  SpinLock mu;
  std::array<std::vector<void*>, kClasses> free_lists;
  MemoryStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // leaked on purpose: tensors may die during static destruction
  return *c;
}

// Note [Huge pages]: blocks of 2 MiB or more are aligned to 2 MiB and marked for transparent huge
// pages. A gather that reads rows scattered over a large tensor (a shuffled data set) otherwise
// takes a TLB miss, and often a page walk to DRAM, per row: 4 KiB pages give the TLB a reach of a
// few MiB, 2 MiB pages one of gigabytes.
constexpr size_t kHugePage = size_t(2) << 20;

void* system_alloc(size_t cls) {
  if (cls < kHugePage) return std::aligned_alloc(kAlignment, cls);
  void* p = std::aligned_alloc(kHugePage, cls);  // cls is a power of two ≥ 2 MiB: a multiple of it
#ifdef MADV_HUGEPAGE
  if (p) madvise(p, cls, MADV_HUGEPAGE);  // advice only: without THP the block works as before
#endif
  return p;
}

}  // namespace

void* allocate(size_t nbytes) {
  size_t cls = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<SpinLock> lk(c.mu);
    c.stats.requests++;
    c.stats.bytes_in_use += cls;
    if (c.stats.bytes_in_use > c.stats.peak_bytes_in_use) c.stats.peak_bytes_in_use = c.stats.bytes_in_use;
    std::vector<void*>& list = c.free_lists[class_slot(cls)];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      c.stats.bytes_cached -= cls;
      return p;
    }
    c.stats.system_allocs++;
  }
  void* p = system_alloc(cls);
  if (!p) {
    empty_cache();
    p = system_alloc(cls);
  }
  if (!p) {
    std::lock_guard<SpinLock> lk(cache().mu);
    cache().stats.bytes_in_use -= cls;
  }
  TT_CHECK(p != nullptr, "allocator: out of memory allocating ", nbytes, " bytes");
  return p;
}

void deallocate(void* ptr, size_t nbytes) {
  if (!ptr) return;
  size_t cls = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<SpinLock> lk(c.mu);
    c.stats.bytes_in_use -= cls;
    if (c.stats.bytes_cached + static_cast<int64_t>(cls) <= kMaxCached) {
      c.free_lists[class_slot(cls)].push_back(ptr);
      c.stats.bytes_cached += cls;
      return;
    }
  }
  std::free(ptr);
}

MemoryStats memory_stats() {
  std::lock_guard<SpinLock> lk(cache().mu);
  return cache().stats;
}

void reset_peak_memory() {
  std::lock_guard<SpinLock> lk(cache().mu);
  cache().stats.peak_bytes_in_use = cache().stats.bytes_in_use;
}

void empty_cache() {
  std::vector<void*> to_free;
  {
    std::lock_guard<SpinLock> lk(cache().mu);
    for (auto& list : cache().free_lists) {
      to_free.insert(to_free.end(), list.begin(), list.end());
      list.clear();
    }
    cache().stats.bytes_cached = 0;
  }
  for (void* p : to_free) std::free(p);
}

}  // namespace tt
