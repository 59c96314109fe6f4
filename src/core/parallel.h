// The project's one thread pool and parallel_for. Static chunking: the same range and thread count
// always split the same way, so threaded kernels stay bitwise deterministic run to run.
// Not a task scheduler: one parallel region at a time; nested calls run serially in the caller.
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

namespace tt {

// Number of threads kernels may use (default: hardware concurrency, or TT_NUM_THREADS).
int get_num_threads();
void set_num_threads(int n);
// True while the calling thread runs inside a parallel region (nested regions run serially).
bool in_parallel_region();

namespace detail {
using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end);
void parallel_run(int64_t begin, int64_t end, int64_t grain, RangeFn fn, void* ctx);
}  // namespace detail

// Calls fn(b, e) on disjoint sub-ranges covering [begin, end); chunks are at least `grain` long.
// Runs inline when the range is small, one thread is configured, or we are already parallel.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn) {
  if (end <= begin) return;
  if (end - begin <= grain || get_num_threads() == 1 || in_parallel_region()) {
    fn(begin, end);
    return;
  }
  using Fn = std::remove_reference_t<F>;  // F deduces to a reference for named lambdas
  auto tramp = [](void* ctx, int64_t b, int64_t e) { (*static_cast<Fn*>(ctx))(b, e); };
  detail::parallel_run(begin, end, grain, tramp, const_cast<void*>(static_cast<const void*>(&fn)));
}

}  // namespace tt
