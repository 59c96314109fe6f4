// The benchmark harness: per-call timing (calibrated repeat count, median of repeats — the same
// method as the peers' common.py), latency percentiles over individually timed calls, the Result
// record (ours next to the peer, and the ratio), and printing as a table or one JSON line.
// Not the suites (suite_*.cpp) and not the peer runner (peer.h).
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tt::bench {

// Keeps the compiler from discarding a computed value (or the call that produced it).
template <typename T>
inline void do_not_optimize(const T& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

inline int64_t clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Seconds per call of fn(): after `warmup` calls, the repeat count n is doubled until n calls take
// ≥ 20 ms, then scaled so one repeat lasts ~min_time; the result is the median over `repeats`
// of (time of n calls)/n. Mirrors time_per_call() in bench/peers/common.py.
template <typename F>
double time_per_call(F&& fn, double min_time = 0.2, int repeats = 7, int warmup = 10) {
  for (int i = 0; i < warmup; ++i) fn();
  int64_t n = 1;
  double dt = 0;
  for (;;) {
    int64_t t0 = clock_ns();
    for (int64_t i = 0; i < n; ++i) fn();
    dt = (clock_ns() - t0) * 1e-9;
    if (dt >= 0.02 || n >= (int64_t{1} << 24)) break;
    n *= 2;
  }
  n = std::max<int64_t>(1, static_cast<int64_t>(n * min_time / std::max(dt, 1e-9)));
  std::vector<double> res;
  for (int r = 0; r < repeats; ++r) {
    int64_t t0 = clock_ns();
    for (int64_t i = 0; i < n; ++i) fn();
    res.push_back((clock_ns() - t0) * 1e-9 / n);
  }
  std::sort(res.begin(), res.end());
  return res[res.size() / 2];
}

// Latency distribution in microseconds.
struct Latency {
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
  int64_t calls = 0;
};

// Nearest-rank percentile of sorted values: index round(p/100·(n−1)), as torch_latency.py.
double percentile(const std::vector<double>& sorted, double p);
Latency summarize_latency(std::vector<double> us);

// Times `calls` individual calls of fn() after `warmup` untimed ones.
template <typename F>
Latency measure_latency(F&& fn, int64_t calls = 10000, int warmup = 200) {
  for (int i = 0; i < warmup; ++i) fn();
  std::vector<double> us(static_cast<size_t>(calls));
  for (int64_t i = 0; i < calls; ++i) {
    int64_t t0 = clock_ns();
    fn();
    us[i] = (clock_ns() - t0) * 1e-3;
  }
  return summarize_latency(std::move(us));
}

// CPU time used by other processes, in cores, between construction and background_cores()
// (from /proc/stat and /proc/self/stat, as the peers' common.py reports it): the machines are
// shared, and a figure taken while others load the cores is slower than the code is.
class LoadMonitor {
 public:
  LoadMonitor();
  double background_cores() const;

 private:
  int64_t wall_ns_, busy_ticks_, own_ticks_;
};

// Whether a smaller figure (a time) or a larger one (a throughput) is better.
enum class Better { Lower, Higher };

// One line of a suite's output. ratio > 1 means we are better than the peer: peer/ours for
// times, ours/peer for throughputs. A missing peer has peer and ratio empty and peer_name
// "missing: <why>"; a figure with no peer counterpart has peer_name "n/a: <why>".
struct Result {
  std::string name;
  double ours = 0;
  std::optional<double> peer;
  std::string peer_name;
  std::string unit;
  std::optional<double> ratio;
};

Result make_result(std::string name, double ours, std::optional<double> peer, std::string peer_name,
                   std::string unit, Better better);

// A human-readable table: name, ours, peer, unit, ratio, peer figure.
void print_table(const std::string& bench, const std::vector<Result>& results);
// One JSON object on one line: {"bench": NAME, "results": [{name, ours, peer, peer_name, unit, ratio}]}.
void print_json(const std::string& bench, const std::vector<Result>& results);

}  // namespace tt::bench
