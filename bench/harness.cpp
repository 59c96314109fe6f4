// Harness implementation: percentiles, results, table and JSON output (see harness.h).
#include "bench/harness.h"

#include <cmath>
#include <fmt/core.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>

namespace tt::bench {
namespace {

// 4 significant digits, whole numbers from 10^4 up (as the peers' emit()).
std::string fmt_value(double v) {
  if (std::abs(v) >= 1e4) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

}  // namespace

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
