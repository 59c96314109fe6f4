// The simulator checked against this machine: every op row of our workloads, predicted from the
// measured ceilings (HostModel) and measured by the profiler, on one thread.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/parallel.h"
#include "profile/profiler.h"
#include "sim_trace/trace.h"
#include "tinytorch.h"

namespace tt::sim {

double HostModel::bandwidth_for(double working_set) const {
  TT_CHECK(!tiers.empty(), "sim host model: no bandwidth tiers (calibrate_host first)");
  for (const Tier& t : tiers)
    if (working_set <= t.bytes) return t.bandwidth;
  return tiers.back().bandwidth;
}

double HostModel::roofline(double flops, double bytes) const {
  const double tc = peak_flops > 0 ? flops / peak_flops : 0;
  const double tm = bytes > 0 ? bytes / bandwidth_for(bytes) : 0;
  return std::max(tc, tm);
}

HostModel::KindFit HostModel::fit_for(const std::string& kind) const {
  const auto it = kinds.find(kind);
  if (it != kinds.end()) return it->second;
  KindFit f;  // a kind the calibration never ran: the roofline plus the median fixed cost
  f.overhead = op_overhead;
  return f;
}

double HostModel::predict(const std::string& kind, double flops, double bytes) const {
  const KindFit f = fit_for(kind);
  return f.overhead + roofline(flops, bytes) / f.efficiency;
}

namespace {

double median(std::vector<double> v);

// One training step of a small model, for calibration.
void profile_small(profile::Profiler& p, nn::Module& model, const Tensor& input,
                   std::function<Tensor(const Tensor&)> loss) {
  optim::AdamW opt(model.parameters(), optim::Options{{"lr", 1e-3}});
  profile::Workload w;
  w.model = &model;
  w.input = input;
  w.loss = std::move(loss);
  profile::run_profiled(p, w, &opt, {true, 2, 8});
}

// The op kind of a row or record, keyed as the op table names ops ("bwd:matmul", "AdamW.step").
std::string kind_key(const std::string& name, bool backward) { return (backward ? "bwd:" : "") + name; }

// Calibration models at one size: an MLP of width w, a CNN of c channels on h×h images, a GPT of
// width d on t tokens (batch b for all). The validated workloads use none of these shapes.
struct CalibSize { int64_t w, c, h, d, t, b; };

void profile_calibration(const CalibSize& z, std::vector<std::unique_ptr<profile::Profiler>>& out) {
  Generator g(1);
  Tensor y = randint(0, 2, Shape{z.b});
  const auto ce = [y](const Tensor& o) { return cross_entropy(o, y); };
  nn::Sequential mlp{std::make_shared<nn::Linear>(z.w, z.w, true, &g), std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::Dropout>(0.2), std::make_shared<nn::Linear>(z.w, 2, true, &g)};
  out.push_back(std::make_unique<profile::Profiler>());
  profile_small(*out.back(), mlp, randn(Shape{z.b, z.w}), ce);
  const int64_t flat = z.c * (z.h / 2) * (z.h / 2);
  nn::Sequential cnn{std::make_shared<nn::Conv2d>(1, z.c, 3, 1, 1, 1, 1, false, &g),
                     std::make_shared<nn::BatchNorm2d>(z.c), std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Flatten>(),
                     std::make_shared<nn::LinearAct>(flat, 8, Activation::Relu, true, &g),
                     std::make_shared<nn::Linear>(8, 2, true, &g)};
  out.push_back(std::make_unique<profile::Profiler>());
  profile_small(*out.back(), cnn, randn(Shape{z.b, 1, z.h, z.h}), ce);
  nn::GPTConfig c;
  c.vocab_size = 7, c.context = z.t, c.d_model = z.d, c.n_layers = 1, c.n_heads = 2;
  nn::GPT gpt(c, &g);
  Tensor yt = randint(0, 7, Shape{z.b * z.t});
  out.push_back(std::make_unique<profile::Profiler>());
  profile_small(*out.back(), gpt, randint(0, 7, Shape{z.b, z.t}),
                [yt](const Tensor& l) { return cross_entropy(l.reshape(Shape{-1, 7}), yt); });
}

// The line y = t0 + x/η through (roofline time, measured time) points: t0 from the point with the
// least work (the call's fixed cost), η from the point with the most (the kernel's efficiency at
// the largest calibration size, the nearest to real workloads); η in [0.05, 1.5].
HostModel::KindFit fit_line(std::vector<std::pair<double, double>> pts) {
  std::sort(pts.begin(), pts.end());
  HostModel::KindFit f;
  f.points = int(pts.size());
  f.overhead = pts.front().second;
  const auto& [x, y] = pts.back();
  if (pts.size() > 1 && x > 0 && y > f.overhead) f.efficiency = std::clamp(x / (y - f.overhead), 0.05, 1.5);
  return f;
}

// Fits, per op kind, the fixed cost t0 (checks, allocation from the cache, autograd bookkeeping,
// kernel set-up, recording) and the fraction η of the roofline its kernel reaches, from training
// steps of the calibration models at three sizes: every (kind, shape) is one point (its roofline
// time on this machine, its median measured self time).
void calibrate_kinds(HostModel& h) {
  const CalibSize sizes[] = {{8, 2, 4, 8, 4, 2}, {64, 4, 8, 32, 16, 8}, {256, 8, 16, 64, 32, 16}};
  std::map<std::string, std::map<std::string, std::pair<double, std::vector<double>>>> samples;
  std::vector<std::unique_ptr<profile::Profiler>> runs;
  for (const CalibSize& z : sizes) profile_calibration(z, runs);
  for (const auto& p : runs) {
    const std::vector<double> self = profile::self_times(*p);
    for (size_t i = 0; i < p->ops().size(); ++i) {
      const profile::OpRecord& r = p->ops()[i];
      const double bytes = r.cost.bytes_read + r.cost.bytes_written;
      if (r.cost.flops + bytes <= 0) continue;
      std::ostringstream shape;
      shape << r.output;
      for (int k = 0; k < r.num_inputs; ++k) shape << r.inputs[k];
      auto& slot = samples[kind_key(profile::op_display_name(r), r.backward)][shape.str()];
      slot.first = h.roofline(r.cost.flops, bytes);
      slot.second.push_back(self[i] * 1e-9);
    }
  }
  std::vector<double> overheads;
  for (auto& [kind, shapes] : samples) {
    std::vector<std::pair<double, double>> pts;
    for (auto& [shape, v] : shapes) pts.emplace_back(v.first, median(v.second));
    h.kinds[kind] = fit_line(pts);
    overheads.push_back(h.kinds[kind].overhead);
  }
  TT_CHECK(!overheads.empty(), "sim calibrate: the profiler recorded no ops");
  h.op_overhead = median(overheads);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

HostModel calibrate_host(const hw::Ceilings& c) {
  HostModel h;
  h.cpu = c.cpu;
  h.peak_flops = c.peak_gflops_1 * 1e9;
  const char* names[] = {"L1", "L2", "L3", "L4"};
  for (const hw::CacheLevel& level : hw::data_caches()) {
    // Half the level: the triad's three arrays and the stack still fit.
    const int64_t ws = level.bytes / 2;
    h.tiers.push_back({names[std::clamp(level.level - 1, 0, 3)], double(level.bytes),
                       hw::triad_gbs_at(ws) * 1e9});
  }
  h.tiers.push_back({"DRAM", std::numeric_limits<double>::infinity(), c.triad_gbs_1 * 1e9});
  calibrate_kinds(h);
  return h;
}

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
      const std::string kind = kind_key(s.name, s.backward);
      const double t0 = host.fit_for(kind).overhead;
      r.predicted = host.predict(kind, r.flops, r.bytes);
      r.error = (r.predicted - r.measured) / r.measured;
      const double tc = r.flops / host.peak_flops, tm = r.bytes / host.bandwidth_for(r.bytes);
      r.bound = t0 > std::max(tc, tm) ? "overhead" : tc >= tm ? "compute" : "memory";
      errors.push_back(std::abs(r.error));
      sum_pred += r.predicted * s.calls, sum_meas += r.measured * s.calls;
      res.rows.push_back(std::move(r));
    }
  }
  res.median_abs_error = median(errors);
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
  // The documented contract: median_abs_error first, then the per-op rows.
  return {{"median_abs_error", r.median_abs_error}, {"ops", ops},
          {"weighted_abs_error", r.weighted_abs_error}, {"unpriced_rows", r.unpriced},
          {"host", {{"cpu", r.host.cpu}, {"peak_flops", r.host.peak_flops},
                    {"op_overhead_s", r.host.op_overhead}, {"tiers", tiers}}}};
}

std::string format_validation(const ValidationResult& r, int top) {
  std::string s = fmt::format("machine: {}, 1 thread: peak {:.1f} GFLOP/s, op overhead {:.2f} us\n",
                              r.host.cpu, r.host.peak_flops * 1e-9, r.host.op_overhead * 1e6);
  for (const HostModel::Tier& t : r.host.tiers)
    s += fmt::format("  {:<5} {:>10} {:8.1f} GB/s\n", t.name,
                     std::isinf(t.bytes) ? std::string("beyond") : fmt::format("{:.0f} KiB", t.bytes / 1024),
                     t.bandwidth * 1e-9);
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
