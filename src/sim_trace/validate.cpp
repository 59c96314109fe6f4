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

// Per op row (op_table's key: name, backward, shapes): the sum over its calls of the predicted
// time and of the cold cost in it. Each call is priced in its own context: how far back its code
// last ran, and for an update the step's footprint.
struct RowPrediction { double seconds = 0, cold = 0; };
using RowKey = std::tuple<std::string, bool, std::string>;

std::map<RowKey, RowPrediction> predict_calls(const profile::Profiler& prof, const HostModel& host, double footprint) {
  std::map<RowKey, RowPrediction> out;
  const std::vector<double> reuse = code_reuse_bytes(prof);
  for (size_t i = 0; i < prof.ops().size(); ++i) {
    const profile::OpRecord& r = prof.ops()[i];
    const std::string name = profile::op_display_name(r);
    const HostModel::Context ctx{reuse[i], footprint, r.op == ops::OpId::optimizer_step};
    RowPrediction& p = out[RowKey{name, r.backward, profile::shapes_string(r)}];
    p.seconds += host.predict(op_kind(name, r.backward), r.cost.flops, r.cost.bytes_read + r.cost.bytes_written, ctx);
    p.cold += host.context_cold(ctx);
  }
  return out;
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
  std::vector<double> errors;
  double sum_pred = 0, sum_meas = 0;
  for (FrameworkWorkload& w : workloads) {
    profile::Profiler prof;
    profile::run_profiled(prof, w.work, w.optimizer, {w.train, o.warmup, o.steps});
    const double footprint = static_cast<double>(prof.peak_bytes());
    res.footprints.push_back({w.name, footprint});
    const std::map<RowKey, RowPrediction> pred = predict_calls(prof, host, footprint);
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
      r.measured = s.total_ns * 1e-9 / s.calls;
      const std::string kind = op_kind(s.name, s.backward);
      const RowPrediction& p = pred.at(RowKey{s.name, s.backward, s.shapes});
      r.predicted = p.seconds / s.calls;
      r.error = (r.predicted - r.measured) / r.measured;
      const double t0 = host.fit_for(kind).overhead + p.cold / s.calls;
      const double tc = r.flops / host.peak_flops;
      const double tm = r.bytes / host.bandwidth_for(host.working_set(r.bytes, {0, footprint, s.optimizer}));
      r.bound = t0 > std::max(tc, tm) ? "overhead" : tc >= tm ? "compute" : "memory";
      errors.push_back(std::abs(r.error));
      sum_pred += r.predicted * s.calls, sum_meas += r.measured * s.calls;
      res.rows.push_back(std::move(r));
    }
  }
  res.median_abs_error = median_of(errors);
  res.weighted_abs_error = sum_meas > 0 ? std::abs(sum_pred - sum_meas) / sum_meas : 0;
  return res;
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
  nlohmann::ordered_json footprints = nlohmann::ordered_json::object();
  for (const auto& [name, bytes] : r.footprints) footprints[name] = bytes;
  // The documented contract: median_abs_error first, then the per-op rows.
  return {{"median_abs_error", r.median_abs_error}, {"ops", ops},
          {"weighted_abs_error", r.weighted_abs_error}, {"unpriced_rows", r.unpriced},
          {"footprint_bytes", footprints},
          {"host", {{"cpu", r.host.cpu}, {"peak_flops", r.host.peak_flops},
                    {"op_overhead_s", r.host.op_overhead}, {"cold_mid_s", r.host.cold_mid},
                    {"cold_llc_s", r.host.cold_llc},
                    {"cold_update_mid_s", r.host.cold_update_mid}, {"cold_update_llc_s", r.host.cold_update_llc},
                    {"tiers", tiers}}}};
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
  s += fmt::format("\nmedian |error| over {} op rows: {:.1f}%   step-weighted |error|: {:.1f}%   ({} view rows "
                   "declare no work and are not compared)\n", r.rows.size(), r.median_abs_error * 100,
                   r.weighted_abs_error * 100, r.unpriced);
  return s;
}

}  // namespace tt::sim
