// The simulator checked against this machine: every op row of our workloads, predicted from the
// measured ceilings (HostModel) and measured by the profiler, on one thread.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "core/error.h"
#include "core/parallel.h"
#include "profile/profiler.h"
#include "sim_trace/trace.h"

namespace tt::sim {
namespace {

// Per op row (op_table's key: name, backward, shapes): the sums over its calls of the predicted
// time and of its terms — fixed cost (with the cold cost), compute and memory. Each call is priced in its
// own context: how far back its code and its operands' data were last touched, and for an update
// the step's footprint.
struct RowPrediction { double seconds = 0, fixed = 0, compute = 0, memory = 0; };
using RowKey = std::tuple<std::string, bool, std::string>;

std::map<RowKey, RowPrediction> predict_calls(const profile::Profiler& prof, const HostModel& host, double footprint) {
  std::map<RowKey, RowPrediction> out;
  const std::vector<HostModel::Context> ctx = call_contexts(prof, footprint);
  for (size_t i = 0; i < prof.ops().size(); ++i) {
    const profile::OpRecord& r = prof.ops()[i];
    const std::string name = profile::op_display_name(r);
    const double bytes = r.cost.bytes_read + r.cost.bytes_written;
    RowPrediction& p = out[RowKey{name, r.backward, profile::shapes_string(r)}];
    const std::string kind = op_kind(name, r.backward);
    p.seconds += host.predict(kind, r.cost.flops, bytes, ctx[i]);
    p.fixed += host.fixed_cost(kind, ctx[i]);
    p.compute += host.peak_flops > 0 ? r.cost.flops / host.peak_flops : 0;
    p.memory += host.memory_seconds(bytes, ctx[i]);
  }
  return out;
}

// Per op row, its measured seconds per call: the median over the recorded steps of the row's self
// time in that step, over its calls per step. A median, so that a step hit by an interrupt or a
// neighbour's burst does not move the row. The recorded steps repeat one op sequence, so op i
// belongs to step i / (ops per step); a record that does not split evenly falls back to the mean.
std::map<RowKey, double> measure_calls(const profile::Profiler& prof, int steps) {
  const std::vector<double> self = profile::self_times(prof);
  const size_t n = prof.ops().size();
  const bool even = steps > 0 && n % size_t(steps) == 0;
  const size_t per_step = even ? n / size_t(steps) : n;
  const int buckets = even ? steps : 1;
  std::map<RowKey, std::pair<std::vector<double>, int64_t>> acc;  // per-step seconds, calls
  for (size_t i = 0; i < n; ++i) {
    const profile::OpRecord& r = prof.ops()[i];
    auto& [per, calls] = acc[RowKey{profile::op_display_name(r), r.backward, profile::shapes_string(r)}];
    per.resize(size_t(buckets), 0.0);
    per[i / per_step] += self[i] * 1e-9;
    ++calls;
  }
  std::map<RowKey, double> out;
  for (auto& [key, v] : acc) out[key] = median_of(v.first) * buckets / double(v.second);
  return out;
}

// The median |error| over the rows and the step-weighted error |Σpred − Σmeas| / Σmeas.
void summarize(ValidationResult& r) {
  std::vector<double> errors;
  double pred = 0, meas = 0;
  for (const ValidationRow& v : r.rows) {
    errors.push_back(std::abs(v.error));
    pred += v.predicted * double(v.calls), meas += v.measured * double(v.calls);
  }
  r.median_abs_error = median_of(errors);
  r.weighted_abs_error = meas > 0 ? std::abs(pred - meas) / meas : 0;
}

}  // namespace

ValidationResult validate(std::vector<FrameworkWorkload>& workloads, const HostModel& host,
                          const ValidateOptions& o) {
  TT_CHECK(o.steps >= 1 && o.warmup >= 0, "sim validate: steps must be ≥ 1 and warmup ≥ 0");
  // One thread: the host model's peak and bandwidths are one core's.
  const int saved_threads = get_num_threads();
  set_num_threads(1);
  struct Restore {
    int n;
    ~Restore() { set_num_threads(n); }
  } restore{saved_threads};
  ValidationResult res;
  res.host = host;
  for (FrameworkWorkload& w : workloads) {
    profile::Profiler prof;
    profile::run_profiled(prof, w.work, w.optimizer, {w.train, o.warmup, o.steps});
    const double footprint = step_footprint(prof, w.train ? w.optimizer : nullptr);
    res.footprints.push_back({w.name, footprint});
    const std::map<RowKey, RowPrediction> pred = predict_calls(prof, host, footprint);
    const std::map<RowKey, double> meas = measure_calls(prof, o.steps);
    for (const profile::OpStat& s : profile::op_table(prof, profile::Roof{1, 1})) {
      // Views and other metadata ops declare no work: there is nothing to price.
      if (s.calls == 0 || s.total_ns <= 0 || (s.flops == 0 && s.bytes == 0)) {
        ++res.unpriced;
        continue;
      }
      ValidationRow r;
      r.workload = w.name, r.op = s.name, r.pass = s.pass(), r.shapes = s.shapes;
      r.calls = s.calls / o.steps;
      r.flops = s.flops / s.calls, r.bytes = s.bytes / s.calls;
      const RowKey key{s.name, s.backward, s.shapes};
      r.measured = meas.at(key);
      if (r.measured <= 0) r.measured = s.total_ns * 1e-9 / s.calls;  // under the clock's tick in most steps
      const RowPrediction& p = pred.at(key);
      r.predicted = p.seconds / s.calls;
      r.error = (r.predicted - r.measured) / r.measured;
      const double t0 = p.fixed / s.calls, tc = p.compute / s.calls, tm = p.memory / s.calls;
      r.bound = t0 > std::max(tc, tm) ? "overhead" : tc >= tm ? "compute" : "memory";
      res.rows.push_back(std::move(r));
    }
  }
  summarize(res);
  return res;
}

ValidationResult merge_rounds(const std::vector<ValidationResult>& rounds) {
  TT_CHECK(!rounds.empty(), "sim validate: no rounds to merge");
  std::vector<std::pair<double, size_t>> by_error;
  for (size_t i = 0; i < rounds.size(); ++i) by_error.emplace_back(rounds[i].median_abs_error, i);
  std::sort(by_error.begin(), by_error.end());
  ValidationResult out = rounds[by_error[(by_error.size() - 1) / 2].second];
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, std::pair<std::vector<double>, std::vector<double>>> times;  // measured, predicted
  for (const ValidationResult& r : rounds)
    for (const ValidationRow& v : r.rows) {
      auto& [m, p] = times[Key{v.workload, v.op, v.pass, v.shapes}];
      m.push_back(v.measured), p.push_back(v.predicted);
    }
  for (ValidationRow& v : out.rows) {
    const auto& [m, p] = times.at(Key{v.workload, v.op, v.pass, v.shapes});
    v.measured = median_of(m), v.predicted = median_of(p);
    v.error = (v.predicted - v.measured) / v.measured;
  }
  out.round_errors.clear();
  for (const ValidationResult& r : rounds) out.round_errors.push_back(r.median_abs_error);
  summarize(out);
  return out;
}

nlohmann::ordered_json to_json(const ValidationResult& r) {
  nlohmann::ordered_json tiers = nlohmann::ordered_json::array();
  for (const HostModel::Tier& t : r.host.tiers)
    tiers.push_back({{"name", t.name}, {"bytes", std::isinf(t.bytes) ? nlohmann::ordered_json() : nlohmann::ordered_json(t.bytes)},
                     {"bandwidth", t.bandwidth}});
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (const ValidationRow& v : r.rows)
    ops.push_back({{"workload", v.workload}, {"op", v.op}, {"pass", v.pass}, {"shapes", v.shapes},
                   {"calls", v.calls}, {"flops", v.flops}, {"bytes", v.bytes},
                   {"measured_s", v.measured}, {"predicted_s", v.predicted}, {"error", v.error},
                   {"bound", v.bound}});
  nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
  for (const auto& [kind, f] : r.host.kinds)
    kinds[kind] = {{"overhead_s", f.overhead}, {"efficiency", f.efficiency}, {"points", f.points}};
  nlohmann::ordered_json footprints = nlohmann::ordered_json::object();
  for (const auto& [name, bytes] : r.footprints) footprints[name] = bytes;
  // The documented contract: median_abs_error first, then the per-op rows.
  return {{"median_abs_error", r.median_abs_error}, {"ops", ops},
          {"weighted_abs_error", r.weighted_abs_error}, {"unpriced_rows", r.unpriced},
          {"footprint_bytes", footprints}, {"round_median_abs_errors", r.round_errors},
          {"host", {{"cpu", r.host.cpu}, {"peak_flops", r.host.peak_flops},
                    {"op_overhead_s", r.host.op_overhead}, {"cold_mid_s", r.host.cold_mid},
                    {"cold_llc_s", r.host.cold_llc},
                    {"cold_update_mid_s", r.host.cold_update_mid}, {"cold_update_llc_s", r.host.cold_update_llc},
                    {"update_overhead_s", r.host.update_overhead}, {"update_eta_llc", r.host.update_eta_llc},
                    {"update_eta_dram", r.host.update_eta_dram},
                    {"tiers", tiers}, {"kinds", kinds}}}};
}

std::string format_validation(const ValidationResult& r, int top) {
  std::string s = fmt::format("machine: {}, 1 thread: peak {:.1f} GFLOP/s, op overhead {:.2f} us\n",
                              r.host.cpu, r.host.peak_flops * 1e-9, r.host.op_overhead * 1e6);
  for (const HostModel::Tier& t : r.host.tiers)
    s += fmt::format("  {:<5} {:>10} {:8.1f} GB/s\n", t.name,
                     std::isinf(t.bytes) ? std::string("beyond") : fmt::format("{:.0f} KiB", t.bytes / 1024),
                     t.bandwidth * 1e-9);
  s += fmt::format("cold call: +{:.2f} us with the last cache level but one flushed, +{:.2f} us with the last; "
                   "a parameter's update: +{:.2f} / +{:.2f} us\n", r.host.cold_mid * 1e6, r.host.cold_llc * 1e6,
                   r.host.cold_update_mid * 1e6, r.host.cold_update_llc * 1e6);
  s += fmt::format("an update: {:.2f} us fixed; it reaches {:.2f} of the bandwidth from the last cache level, {:.2f} from "
                   "DRAM\n", r.host.update_overhead * 1e6, r.host.update_eta_llc, r.host.update_eta_dram);
  for (const auto& [name, bytes] : r.footprints)
    s += fmt::format("  {:<8} step footprint {:8.2f} MiB: an update's cold cost {:.2f} us\n", name, bytes / (1 << 20),
                     r.host.cold_update_cost(bytes) * 1e6);
  s += fmt::format("\n{:<6} {:<22} {:<4} {:<40} {:>5} {:>10} {:>10} {:>8} {:<8}\n", "model", "op", "pass",
                   "shapes", "calls", "measured", "predicted", "error", "bound");
  int shown = 0;
  for (const ValidationRow& v : r.rows) {
    if (top > 0 && shown++ >= top) break;
    std::string shapes = v.shapes.size() > 40 ? v.shapes.substr(0, 37) + "..." : v.shapes;
    s += fmt::format("{:<6} {:<22} {:<4} {:<40} {:>5} {:>8.2f}us {:>8.2f}us {:>+7.1f}% {:<8}\n", v.workload,
                     v.op, v.pass, shapes, v.calls, v.measured * 1e6, v.predicted * 1e6, v.error * 100, v.bound);
  }
  if (top > 0 && int(r.rows.size()) > top) s += fmt::format("... {} more rows\n", r.rows.size() - top);
  if (r.round_errors.size() > 1) {
    s += fmt::format("\n{} rounds, each calibrated then measured; a row's times are its medians over them. "
                     "Each round's own median |error|:", r.round_errors.size());
    for (double e : r.round_errors) s += fmt::format(" {:.1f}%", e * 100);
    s += "\n";
  }
  s += fmt::format("\nmedian |error| over {} op rows: {:.1f}%   step-weighted |error|: {:.1f}%   ({} view rows "
                   "declare no work and are not compared)\n", r.rows.size(), r.median_abs_error * 100,
                   r.weighted_abs_error * 100, r.unpriced);
  return s;
}

}  // namespace tt::sim
