// probe(): measures the FMA peak and the STREAM triad bandwidth on 1 and on all threads (see
// ceilings.h for the contract, docs/hardware.md for the method). Kernels live in fma_kernels.cpp;
// the cache and ceilings() in ceilings.cpp. Timing: steady_clock around whole parallel regions,
// a repeat lasts at least opts.seconds, the figure is the median of opts.repeats repeats.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "hw/ceilings.h"
#include "hw/fma_kernels.h"

namespace tt::hw {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kMiB = int64_t{1} << 20;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Sets the pool size for the probe and restores the caller's on the way out (even on throw).
class ThreadCountGuard {
 public:
  explicit ThreadCountGuard(int n) : saved_(get_num_threads()) {
    if (n != saved_) set_num_threads(n);
  }
  ~ThreadCountGuard() {
    if (get_num_threads() != saved_) set_num_threads(saved_);
  }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int saved_;
};

// Wall seconds of one parallel region in which chunk i of [0, threads) runs fn(i). With a pool of
// `threads` threads each chunk gets its own thread (parallel.h splits statically).
template <typename F>
double time_region(int threads, F&& fn) {
  auto t0 = Clock::now();
  parallel_for(0, threads, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) fn(i);
  });
  return seconds_since(t0);
}

// Iterations of k that take at least `seconds` on one thread. The first, short runs also bring the
// core out of its idle clock before anything is timed for real.
int64_t calibrate_fma(const detail::FmaKernel& k, double seconds) {
  float sink = 0;
  for (int64_t iters = 256;;) {
    auto t0 = Clock::now();
    k.run(iters, &sink);
    double t = seconds_since(t0);
    if (t >= seconds) return iters;
    double grow = t > 0 ? std::min(16.0, 1.2 * seconds / t) : 16.0;
    iters = std::max(iters * 2, static_cast<int64_t>(static_cast<double>(iters) * grow));
  }
}

// GFLOP/s of `threads` threads each running k for `iters` iterations: total FLOPs / region wall time.
double fma_gflops(const detail::FmaKernel& k, int64_t iters, int threads, int repeats) {
  std::vector<float> sinks(threads, 0.0f);
  std::vector<double> rates;
  for (int r = 0; r < repeats; ++r) {
    double t = time_region(threads, [&](int64_t i) { k.run(iters, &sinks[i]); });
    rates.push_back(static_cast<double>(threads) * static_cast<double>(iters) *
                    static_cast<double>(k.flops_per_iter) / t * 1e-9);
  }
  for (float s : sinks) TT_ASSERT(std::isfinite(s), "hw probe: FMA kernel ", k.isa, " produced ", s);
  return median(rates);
}

// Size in bytes of the last-level cache of cpu0, or 32 MiB when sysfs does not say.
int64_t last_level_cache_bytes() {
  const std::vector<CacheLevel> caches = data_caches();
  return caches.empty() ? 32 * kMiB : caches.back().bytes;
}

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};
using AlignedFloats = std::unique_ptr<float[], FreeDeleter>;

AlignedFloats alloc_floats(int64_t n) {
  const size_t bytes = (static_cast<size_t>(n) * sizeof(float) + 63) / 64 * 64;  // aligned_alloc wants a multiple
  float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  TT_CHECK(p != nullptr, "hw probe: cannot allocate ", bytes, " bytes for a triad array; pass a smaller triad_bytes");
  return AlignedFloats(p);
}

// STREAM triad a = b + s·c on [begin, end).
void triad(float* __restrict a, const float* __restrict b, const float* __restrict c, float s, int64_t begin,
           int64_t end) {
  for (int64_t i = begin; i < end; ++i) a[i] = b[i] + s * c[i];
}

struct TriadArrays {
  int64_t n;
  AlignedFloats a, b, c;
};

// Wall seconds of `passes` triads on `threads` threads, each thread on its static slice.
double time_triad(TriadArrays& t, int threads, int64_t passes) {
  const int64_t grain = (t.n + threads - 1) / threads;
  auto t0 = Clock::now();
  for (int64_t p = 0; p < passes; ++p)
    parallel_for(0, t.n, grain, [&](int64_t b, int64_t e) { triad(t.a.get(), t.b.get(), t.c.get(), 3.0f, b, e); });
  return seconds_since(t0);
}

// Triad GB/s on 1 and on `threads` threads. Note [Triad bytes]: each element moves 3 × 4 bytes
// (read b and c, write a), the STREAM convention: the write-allocate read of a is not counted.
void measure_triad(const ProbeOptions& opts, int threads, Ceilings& out) {
  int64_t bytes = opts.triad_bytes;
  if (bytes == 0) bytes = std::max(4 * last_level_cache_bytes(), (64 * kMiB + 2) / 3);  // STREAM rule: ≫ LLC
  TriadArrays t{bytes / static_cast<int64_t>(sizeof(float)), alloc_floats(bytes / 4), alloc_floats(bytes / 4),
                alloc_floats(bytes / 4)};
  // First touch with the same static split as the timed runs: page faults stay out of the timing
  // and each page lands on the NUMA node of the thread that will stream it.
  parallel_for(0, t.n, (t.n + threads - 1) / threads, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) t.a[i] = 0.0f, t.b[i] = 1.0f, t.c[i] = 2.0f;
  });
  const double pass_s = time_triad(t, threads, 1);  // also warms the TLB and the pool
  const int64_t passes = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(opts.seconds / pass_s)));
  const double moved = 3.0 * static_cast<double>(t.n) * sizeof(float) * static_cast<double>(passes);
  auto rate = [&](int th) {
    std::vector<double> v;
    for (int r = 0; r < opts.repeats; ++r) v.push_back(moved / time_triad(t, th, passes) * 1e-9);
    return median(v);
  };
  out.triad_gbs_1 = rate(1);
  out.triad_gbs_all = threads == 1 ? out.triad_gbs_1 : rate(threads);
  TT_ASSERT(t.a[0] == 7.0f && t.a[t.n - 1] == 7.0f, "hw probe: triad result wrong: ", t.a[0]);
}

}  // namespace

std::vector<CacheLevel> data_caches() {
  std::vector<CacheLevel> out;
  for (int i = 0; i < 16; ++i) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    std::ifstream level_f(dir + "level"), type_f(dir + "type"), size_f(dir + "size");
    int level = 0;
    std::string type, size;
    if (!(level_f >> level) || !(type_f >> type) || !(size_f >> size) || type == "Instruction") continue;
    char* end = nullptr;
    int64_t v = std::strtoll(size.c_str(), &end, 10);
    if (*end == 'K') v *= 1024;
    if (*end == 'M') v *= kMiB;
    if (*end == 'G') v *= 1024 * kMiB;
    if (v > 0) out.push_back({level, v});
  }
  std::sort(out.begin(), out.end(), [](const CacheLevel& a, const CacheLevel& b) { return a.level < b.level; });
  return out;
}

double triad_gbs_at(int64_t bytes, double seconds, int repeats) {
  TT_CHECK(bytes >= 3 * 1024 && seconds > 0 && repeats >= 1, "hw triad: need bytes >= 3072, seconds > 0, "
           "repeats >= 1, got ", bytes, ", ", seconds, ", ", repeats);
  ThreadCountGuard guard(1);
  ProbeOptions o;
  o.triad_bytes = bytes / 3;  // measure_triad sizes each of its three arrays
  o.seconds = seconds;
  o.repeats = repeats;
  Ceilings c;
  measure_triad(o, 1, c);
  return c.triad_gbs_1;
}

namespace {

std::string utc_now_iso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) break;
    auto first = line.find_first_not_of(" \t", colon + 1);
    if (first != std::string::npos) return line.substr(first);
  }
  return "unknown";
}

Ceilings probe(const ProbeOptions& opts) {
  TT_CHECK(opts.threads >= 0, "hw probe: threads must be >= 0 (0 = all), got ", opts.threads);
  TT_CHECK(std::isfinite(opts.seconds) && opts.seconds > 0, "hw probe: seconds must be > 0, got ", opts.seconds);
  TT_CHECK(opts.repeats >= 1, "hw probe: repeats must be >= 1, got ", opts.repeats);
  TT_CHECK(opts.triad_bytes == 0 || opts.triad_bytes >= 4096,
           "hw probe: triad_bytes must be 0 (auto) or >= 4096, got ", opts.triad_bytes);
  TT_CHECK(!in_parallel_region(), "hw probe: called inside a parallel region; the all-thread figures would run serially");
  ThreadCountGuard guard(opts.threads > 0 ? opts.threads : get_num_threads());
  const int threads = get_num_threads();

  Ceilings c;
  c.cpu = cpu_model();
  c.threads = threads;
  const detail::FmaKernel& k = detail::best_fma_kernel();
  c.isa = k.isa;
  const int64_t iters = calibrate_fma(k, opts.seconds);
  c.peak_gflops_1 = fma_gflops(k, iters, 1, opts.repeats);
  c.peak_gflops_all = threads == 1 ? c.peak_gflops_1 : fma_gflops(k, iters, threads, opts.repeats);
  measure_triad(opts, threads, c);
  c.measured_at = utc_now_iso8601();
  return c;
}

}  // namespace tt::hw
