// Harness implementation: percentiles, results, table and JSON output (see harness.h).
#include "bench/harness.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <fmt/core.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <unistd.h>

namespace tt::bench {
namespace {

// 4 significant digits, whole numbers from 10^4 up (as the peers' emit()).
std::string fmt_value(double v) {
  if (std::abs(v) >= 1e4) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

// Busy ticks of the whole machine (user nice system irq softirq steal), from /proc/stat.
int64_t machine_busy_ticks() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  int64_t v[8] = {};
  f >> cpu;
  for (int64_t& x : v) f >> x;
  return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
}

// This process's ticks (utime stime cutime cstime), from /proc/self/stat.
int64_t own_ticks() {
  std::ifstream f("/proc/self/stat");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::istringstream rest(all.substr(all.rfind(')') + 1));
  std::string field;
  int64_t ticks = 0;
  for (int i = 0; i < 15 && rest >> field; ++i)  // fields 3..17; utime is the 14th field
    if (i >= 11) ticks += std::atoll(field.c_str());
  return ticks;
}

}  // namespace

LoadMonitor::LoadMonitor() : wall_ns_(clock_ns()), busy_ticks_(machine_busy_ticks()), own_ticks_(own_ticks()) {}

double LoadMonitor::background_cores() const {
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double wall = std::max(1e-9, (clock_ns() - wall_ns_) * 1e-9);
  const double other = static_cast<double>((machine_busy_ticks() - busy_ticks_) - (own_ticks() - own_ticks_));
  return std::max(0.0, other / hz / wall);
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(std::llround(p / 100.0 * static_cast<double>(sorted.size() - 1)));
  return sorted[std::min(i, sorted.size() - 1)];
}

Latency summarize_latency(std::vector<double> us) {
  Latency l;
  if (us.empty()) return l;
  std::sort(us.begin(), us.end());
  l.calls = static_cast<int64_t>(us.size());
  l.p50 = percentile(us, 50);
  l.p90 = percentile(us, 90);
  l.p99 = percentile(us, 99);
  l.p999 = percentile(us, 99.9);
  l.max = us.back();
  l.mean = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  return l;
}

Result make_result(std::string name, double ours, std::optional<double> peer, std::string peer_name,
                   std::string unit, Better better) {
  Result r{std::move(name), ours, peer, std::move(peer_name), std::move(unit), std::nullopt};
  if (peer && *peer > 0 && ours > 0) r.ratio = better == Better::Lower ? *peer / ours : ours / *peer;
  return r;
}

void print_table(const std::string& bench, const std::vector<Result>& results) {
  size_t w = 4;
  for (const Result& r : results) w = std::max(w, r.name.size());
  std::cout << fmt::format("\n== bench {}: ratio > 1 means TinyTorch is better (times: peer/ours, "
                           "throughputs: ours/peer)\n",
                           bench);
  std::cout << fmt::format("{:<{}}  {:>10}  {:>10}  {:<10}  {:>7}  {}\n", "name", w, "ours", "peer", "unit", "ratio",
                           "peer figure");
  for (const Result& r : results) {
    std::string peer = r.peer ? fmt_value(*r.peer) : "-";
    std::string ratio = r.ratio ? fmt::format("{:.2f}x", *r.ratio) : "-";
    std::cout << fmt::format("{:<{}}  {:>10}  {:>10}  {:<10}  {:>7}  {}\n", r.name, w, fmt_value(r.ours), peer, r.unit,
                             ratio, r.peer_name);
  }
  std::cout << std::flush;
}

void print_json(const std::string& bench, const std::vector<Result>& results) {
  nlohmann::json rs = nlohmann::json::array();
  for (const Result& r : results) {
    rs.push_back({{"name", r.name},
                  {"ours", r.ours},
                  {"peer", r.peer ? nlohmann::json(*r.peer) : nlohmann::json(nullptr)},
                  {"peer_name", r.peer_name},
                  {"unit", r.unit},
                  {"ratio", r.ratio ? nlohmann::json(*r.ratio) : nlohmann::json(nullptr)}});
  }
  nlohmann::json j = {{"bench", bench}, {"results", rs}};
  std::cout << j.dump() << std::endl;
}

}  // namespace tt::bench
