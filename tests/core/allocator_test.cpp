// Tests for the caching allocator (64-byte alignment, 2 MiB alignment of large blocks, byte
// counters, peak, reuse without system allocations, empty_cache) and the thread pool (static
// chunking covers every index once, resizing is safe, parallel_for nests serially).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "core/allocator.h"
#include "core/parallel.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

bool aligned64(const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

TEST(Allocator, FreshTensorsAre64ByteAligned) {
  for (int64_t n : {1, 3, 17, 64, 1000, 4097, 100000}) {
    for (DType dt : {kFloat32, kFloat64, kInt8, kBool}) {
      Tensor t = empty({n}, dt);
      EXPECT_TRUE(aligned64(t.raw_data())) << n << " " << dt;
    }
  }
  EXPECT_TRUE(aligned64(zeros({0}).raw_data()));
  EXPECT_TRUE(aligned64(randn({7, 9}).raw_data()));
  EXPECT_TRUE(aligned64(ones({5, 5}).t().contiguous().raw_data()));
}

// Note [Huge pages] in allocator.cpp: a block of 2 MiB or more starts on a 2 MiB boundary, so
// the kernel can back it with transparent huge pages; smaller blocks keep 64-byte alignment.
TEST(Allocator, LargeBlocksAreHugePageAligned) {
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  for (int64_t floats : {int64_t(1) << 19, (int64_t(3) << 19) + 5, int64_t(47) << 18}) {
    Tensor t = empty({floats}, kFloat32);  // 2 MiB, 6 MiB + 20 B, 47 MiB
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % kHuge, 0u) << floats;
    t.fill_(1.0);
    EXPECT_EQ(t.sum().item<double>(), static_cast<double>(floats));
  }
}

TEST(Allocator, BytesInUseGoesUpAndBackDown) {
  const int64_t before = memory_stats().bytes_in_use;
  {
    Tensor t = empty({1000}, kFloat32);  // 4000 B → the 4032 B size class (64 B multiples)
    EXPECT_EQ(memory_stats().bytes_in_use - before, 4032);
    Tensor u = empty({1 << 20}, kFloat32);  // 4 MiB, a power of two
    EXPECT_EQ(memory_stats().bytes_in_use - before, 4032 + (int64_t(4) << 20));
    Tensor v = u.view({1024, 1024});  // views allocate nothing
    EXPECT_EQ(memory_stats().bytes_in_use - before, 4032 + (int64_t(4) << 20));
  }
  EXPECT_EQ(memory_stats().bytes_in_use, before);
}

TEST(Allocator, PeakIsTrackedAndResettable) {
  reset_peak_memory();
  const int64_t base = memory_stats().bytes_in_use;
  EXPECT_EQ(memory_stats().peak_bytes_in_use, base);
  { Tensor big = empty({1 << 18}, kFloat64); }  // 2 MiB, freed at once
  MemoryStats s = memory_stats();
  EXPECT_EQ(s.bytes_in_use, base);
  EXPECT_EQ(s.peak_bytes_in_use, base + (int64_t(2) << 20));
  reset_peak_memory();
  EXPECT_EQ(memory_stats().peak_bytes_in_use, base);
}

TEST(Allocator, SameSizeReusesCachedBlockWithoutSystemAllocation) {
  empty_cache();
  const MemoryStats s0 = memory_stats();
  EXPECT_EQ(s0.bytes_cached, 0);
  void* first;
  {
    Tensor a = empty({12345}, kFloat32);
    first = a.raw_data();
  }
  const MemoryStats s1 = memory_stats();
  EXPECT_EQ(s1.system_allocs, s0.system_allocs + 1);
  EXPECT_EQ(s1.bytes_cached, 65536);  // 49380 B → the 64 KiB class, now cached
  {
    Tensor b = empty({12345}, kFloat32);
    EXPECT_EQ(b.raw_data(), first);
    Tensor c = empty({16000}, kFloat32);  // a different size in the same class: a new block
  }
  const MemoryStats s2 = memory_stats();
  EXPECT_EQ(s2.system_allocs, s1.system_allocs + 1);
  EXPECT_EQ(s2.requests, s1.requests + 2);
  {
    Tensor d = empty({15000}, kFloat32);  // same class as before: served from the cache
    Tensor e = empty({12345}, kFloat32);
  }
  EXPECT_EQ(memory_stats().system_allocs, s2.system_allocs);
}

// Every kind of class — 64-byte steps up to 4 KiB, powers of two above — is cached in its own slot:
// a freed block comes back for a request of its class and never for another class.
TEST(Allocator, EachSizeClassReusesOnlyItsOwnBlocks) {
  empty_cache();
  const std::vector<size_t> sizes = {1, 65, 4032, 4096, 4097, 8193, size_t(1) << 20, (size_t(3) << 20) + 1};  // one per class
  std::vector<void*> first;
  for (size_t n : sizes) first.push_back(allocate(n));
  for (size_t i = 0; i < sizes.size(); ++i) deallocate(first[i], sizes[i]);
  const int64_t allocs = memory_stats().system_allocs;
  for (size_t i = sizes.size(); i-- > 0;) {  // reverse order: each must still find its own block
    void* p = allocate(sizes[i]);
    EXPECT_EQ(p, first[i]) << sizes[i] << " bytes";
    deallocate(p, sizes[i]);
  }
  EXPECT_EQ(memory_stats().system_allocs, allocs);
  EXPECT_TT_ERROR(allocate(size_t(1) << 63), "allocator", "out of memory", "9223372036854775808");
}

TEST(Allocator, EmptyCacheReturnsCachedBlocks) {
  { Tensor t = empty({3000}, kFloat64); }
  EXPECT_GT(memory_stats().bytes_cached, 0);
  empty_cache();
  EXPECT_EQ(memory_stats().bytes_cached, 0);
  const int64_t allocs = memory_stats().system_allocs;
  { Tensor t = empty({3000}, kFloat64); }
  EXPECT_EQ(memory_stats().system_allocs, allocs + 1);
}

// The free lists sit behind a spin lock (Note [Allocator lock]): threads that allocate and free at
// once must neither lose nor hand out a block twice, and the byte counters must balance.
TEST(Allocator, ConcurrentAllocateAndFreeKeepBlocksAndCountersConsistent) {
  const int64_t in_use = memory_stats().bytes_in_use;
  std::atomic<int> bad{0};
  auto worker = [&bad](int id) {
    for (int i = 0; i < 20000; ++i) {
      const size_t n = 64 * static_cast<size_t>(1 + (i + id) % 8);
      auto* a = static_cast<unsigned char*>(allocate(n));
      auto* b = static_cast<unsigned char*>(allocate(n));
      std::memset(a, id, n);  // a block handed to two threads would see the other's bytes
      std::memset(b, id, n);
      if (a[0] != id || a[n - 1] != id || b[n / 2] != id) bad++;
      deallocate(a, n);
      deallocate(b, n);
    }
  };
  std::vector<std::thread> threads;
  for (int id = 1; id <= 4; ++id) threads.emplace_back(worker, id);
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(memory_stats().bytes_in_use, in_use);
}

TEST(Allocator, SteadyStateLoopMakesNoSystemAllocations) {
  Tensor w = randn({64, 64}), x = randn({32, 64});
  auto step = [&] { return sum(relu(matmul(x, w)) * 2.0).item<double>(); };
  step();
  const int64_t allocs = memory_stats().system_allocs;
  for (int i = 0; i < 5; ++i) step();
  EXPECT_EQ(memory_stats().system_allocs, allocs);
}

TEST(Parallel, ParallelForCoversEveryIndexOnce) {
  const int saved = get_num_threads();
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    EXPECT_EQ(get_num_threads(), threads);
    std::vector<std::atomic<int>> hits(100003);
    parallel_for(0, 100003, 1000, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[i]++;
    });
    for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i].load(), 1) << i;
  }
  set_num_threads(saved);
}

TEST(Parallel, NestedParallelForRunsSeriallyInside) {
  const int saved = get_num_threads();
  set_num_threads(2);
  std::atomic<int64_t> total{0};
  std::atomic<bool> nested_flag_ok{true};
  parallel_for(0, 4, 1, [&](int64_t b, int64_t e) {
    if (!in_parallel_region()) nested_flag_ok = false;
    for (int64_t i = b; i < e; ++i)
      parallel_for(0, 1000, 1, [&](int64_t b2, int64_t e2) { total += e2 - b2; });
  });
  EXPECT_TRUE(nested_flag_ok);
  EXPECT_EQ(total.load(), 4000);
  EXPECT_FALSE(in_parallel_region());
  set_num_threads(saved);
}

// Regression: after set_num_threads, a new worker saw the last job's generation as new and re-ran
// that finished job with a dangling context (crash or corrupted memory under ASan).
TEST(Parallel, ResizingThePoolDoesNotRerunTheLastJob) {
  const int saved = get_num_threads();
  for (int round = 0; round < 20; ++round) {
    set_num_threads(2 + round % 2);
    std::vector<int> hits(64, 0);
    {
      std::vector<int>* h = &hits;
      parallel_for(0, 64, 1, [h](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) (*h)[i]++;
      });
    }
    set_num_threads(3 - round % 2);
    std::vector<int> other(64, 0);
    parallel_for(0, 64, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) other[i]++;
    });
    for (int i = 0; i < 64; ++i) {
      ASSERT_EQ(hits[i], 1) << "round " << round << " index " << i;
      ASSERT_EQ(other[i], 1) << "round " << round << " index " << i;
    }
  }
  set_num_threads(saved);
}

}  // namespace
}  // namespace tt
