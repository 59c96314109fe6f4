// Profile reports (see report.h): aggregation of the profiler's records and their placement on
// the roofline. Pure functions of a stopped profiler; nothing here runs while profiling.
#include "profile/report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <tuple>

#include "optim/optimizer.h"

namespace tt::profile {

double Roof::bound_ns(double flops, double bytes) const {
  double compute = peak_gflops > 0 ? flops / peak_gflops : 0;    // GFLOP/s = FLOP/ns
  double memory = bandwidth_gbs > 0 ? bytes / bandwidth_gbs : 0;  // GB/s = byte/ns
  return std::max(compute, memory);
}

Roof roof_for(const hw::Ceilings& c, int threads) {
  bool one = threads <= 1;
  return Roof{one ? c.peak_gflops_1 : c.peak_gflops_all, one ? c.triad_gbs_1 : c.triad_gbs_all, one ? 1 : c.threads};
}

const char* limit_name(Limit l) {
  switch (l) {
    case Limit::compute: return "compute";
    case Limit::memory: return "memory";
    case Limit::overhead: return "overhead";
  }
  return "?";
}

std::string shapes_string(const OpRecord& r) {
  std::ostringstream os;
  for (int i = 0; i < r.num_inputs; ++i) os << (i ? " " : "") << r.inputs[i];
  os << " -> " << r.output;
  return os.str();
}

std::vector<double> self_times(const Profiler& p) {
  const auto& ops = p.ops();
  std::vector<double> self(ops.size());
  std::vector<size_t> order(ops.size());
  std::iota(order.begin(), order.end(), 0);
  // Records are appended when an op returns, so a nested op precedes its parent: order by start,
  // longest first, then a stack of open intervals finds each op's parent.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(ops[a].thread, ops[a].start_ns, ops[b].end_ns) < std::tie(ops[b].thread, ops[b].start_ns, ops[a].end_ns);
  });
  std::vector<size_t> open;
  for (size_t i : order) {
    const OpRecord& r = ops[i];
    self[i] = static_cast<double>(r.end_ns - r.start_ns);
    while (!open.empty() && (ops[open.back()].thread != r.thread || ops[open.back()].end_ns <= r.start_ns)) open.pop_back();
    if (!open.empty() && r.end_ns <= ops[open.back()].end_ns) self[open.back()] -= self[i];
    open.push_back(i);
  }
  return self;
}

double total_op_ns(const Profiler& p) {
  std::vector<double> s = self_times(p);
  return std::accumulate(s.begin(), s.end(), 0.0);
}

std::string op_display_name(const OpRecord& r) {
  if (r.op == ops::OpId::optimizer_step && r.label) return std::string(r.label) + ".step";
  return r.name();
}

namespace {

void place_on_roof(OpStat& s, const Roof& roof, const OpTableOptions& o) {
  s.gflops = s.total_ns > 0 ? s.flops / s.total_ns : 0;
  s.gbs = s.total_ns > 0 ? s.bytes / s.total_ns : 0;
  s.intensity = s.bytes > 0 ? s.flops / s.bytes : 0;
  s.bound_gflops = s.flops <= 0 ? 0 : s.bytes > 0 ? std::min(roof.peak_gflops, s.intensity * roof.bandwidth_gbs)
                                                  : roof.peak_gflops;
  double bound = roof.bound_ns(s.flops, s.bytes);  // all calls
  s.pct_of_bound = s.total_ns > 0 ? bound / s.total_ns : 0;
  bool below_ridge = s.flops <= 0 || (s.bytes > 0 && s.intensity < roof.ridge());
  s.limit = below_ridge ? Limit::memory : Limit::compute;
  if (s.mean_us() < o.max_overhead_us && bound < o.overhead_fraction * s.total_ns) s.limit = Limit::overhead;
}

}  // namespace

std::vector<OpStat> op_table(const Profiler& p, const Roof& roof, const OpTableOptions& o) {
  std::vector<double> self = self_times(p);
  std::map<std::tuple<std::string, bool, std::string>, size_t> index;
  std::vector<OpStat> rows;
  for (size_t i = 0; i < p.ops().size(); ++i) {
    const OpRecord& r = p.ops()[i];
    std::string name = op_display_name(r), shapes = o.by_shape ? shapes_string(r) : "";
    auto [it, added] = index.emplace(std::make_tuple(name, r.backward, shapes), rows.size());
    if (added) rows.push_back(OpStat{name, r.backward, r.op == ops::OpId::optimizer_step, shapes});
    OpStat& s = rows[it->second];
    s.calls++;
    s.total_ns += self[i];
    s.flops += r.cost.flops;
    s.bytes += r.cost.bytes_read + r.cost.bytes_written;
  }
  for (OpStat& s : rows) place_on_roof(s, roof, o);
  std::stable_sort(rows.begin(), rows.end(), [](const OpStat& a, const OpStat& b) { return a.total_ns > b.total_ns; });
  return rows;
}

std::vector<ModuleStat> module_table(const Profiler& p) {
  const auto& mods = p.modules();
  std::vector<ModuleStat> rows(mods.size());
  for (size_t m = 0; m < mods.size(); ++m) {
    rows[m].module = static_cast<int32_t>(m);
    rows[m].label = p.module_label(static_cast<int32_t>(m));
    rows[m].type = mods[m].type;
    rows[m].depth = mods[m].depth;
  }
  auto up = [&](int32_t m, auto&& fn) {  // m and its ancestors
    for (; m >= 0; m = mods[m].parent) fn(rows[m]);
  };
  for (const SpanRecord& s : p.spans()) {
    double d = static_cast<double>(s.end_ns - s.start_ns);
    if (s.kind == SpanKind::module && s.module >= 0) {
      rows[s.module].calls++;
      rows[s.module].forward_ns += d;  // inclusive already: children run inside the span
    } else if (s.kind == SpanKind::backward_node && s.module >= 0) {
      up(s.module, [&](ModuleStat& r) { r.backward_ns += d; });
    }
  }
  for (const OpRecord& r : p.ops()) up(p.module_of(r), [&](ModuleStat& s) { s.flops += r.cost.flops; });
  for (size_t m = 0; m < mods.size(); ++m) up(static_cast<int32_t>(m), [&](ModuleStat& s) { s.parameters += mods[m].parameters; });
  std::vector<ModuleStat> out;
  for (ModuleStat& r : rows)
    if (r.calls > 0 || r.backward_ns > 0) out.push_back(std::move(r));
  return out;
}

namespace {

// The span holding the last forward pass: the last "forward" region, else the last top-level
// module span (a model's forward called outside any module). nullptr if neither exists.
const SpanRecord* last_forward(const Profiler& p) {
  const SpanRecord* region = nullptr;
  const SpanRecord* top = nullptr;
  for (const SpanRecord& s : p.spans()) {
    if (s.kind == SpanKind::region && s.name == "forward") region = &s;
    bool top_level = s.parent < 0 || p.spans()[s.parent].kind == SpanKind::region;
    if (s.kind == SpanKind::module && top_level) top = &s;
  }
  return region ? region : top;
}

std::string where(const Profiler& p, const OpRecord& r) {
  std::string m = p.module_label(p.module_of(r));
  return op_display_name(r) + (m.empty() ? "" : " in " + m) + (r.backward ? " (backward)" : " (forward)");
}

}  // namespace

MemoryBreakdown memory_breakdown(const Profiler& p, const nn::Module& model, const optim::Optimizer* opt) {
  MemoryBreakdown m;
  for (const Tensor& t : model.parameters()) {
    m.parameters += static_cast<int64_t>(t.nbytes());
    if (t.grad().defined()) m.gradients += static_cast<int64_t>(t.grad().nbytes());
  }
  m.optimizer_state = opt ? opt->state_bytes() : 0;
  if (const SpanRecord* f = last_forward(p)) m.activations = std::max<int64_t>(0, f->bytes_at_end - f->bytes_at_begin);
  m.peak = p.peak_bytes();
  const OpRecord* at = nullptr;
  for (const OpRecord& r : p.ops())
    if (r.thread == 0 && (!at || r.bytes_in_use > at->bytes_in_use)) at = &r;
  if (at) m.peak_at = where(p, *at);
  m.other = std::max<int64_t>(0, m.peak - m.parameters - m.gradients - m.optimizer_state - m.activations);
  return m;
}

namespace {

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  int u = 0;
  while (std::abs(b) >= 1024 && u < 3) b /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} B", b) : fmt::format("{:.2f} {}", b, units[u]);
}

std::string human_time(double ns) {
  if (ns >= 1e6) return fmt::format("{:.2f} ms", ns * 1e-6);
  if (ns >= 1e3) return fmt::format("{:.1f} us", ns * 1e-3);
  return fmt::format("{:.0f} ns", ns);
}

std::string clip(const std::string& s, size_t w) { return s.size() <= w ? s : s.substr(0, w - 3) + "..."; }

}  // namespace

std::string format_op_table(const std::vector<OpStat>& rows, double step_ns, const Roof& roof, int top) {
  std::string out = fmt::format("roofline ({} thread{}): peak {:.1f} GFLOP/s, bandwidth {:.1f} GB/s, ridge {:.1f} FLOP/B\n",
                                roof.threads, roof.threads == 1 ? "" : "s", roof.peak_gflops, roof.bandwidth_gbs,
                                roof.ridge());
  out += fmt::format("{:<26} {:<4} {:<38} {:>6} {:>10} {:>9} {:>6} {:>8} {:>7} {:>7} {:>8} {:>6} {}\n", "op", "pass",
                     "shapes", "calls", "total", "mean", "%step", "GFLOP/s", "GB/s", "FLOP/B", "bound", "%bnd", "limit");
  int n = 0;
  double shown = 0;
  for (const OpStat& s : rows) {
    if (top > 0 && n++ >= top) break;
    shown += s.total_ns;
    out += fmt::format("{:<26} {:<4} {:<38} {:>6} {:>10} {:>7.1f}us {:>5.1f}% {:>8.2f} {:>7.2f} {:>7.2f} {:>8.1f} {:>5.0f}% {}\n",
                       clip(s.name, 26), s.pass(), clip(s.shapes, 38), s.calls, human_time(s.total_ns),
                       s.mean_us(), step_ns > 0 ? 100 * s.total_ns / step_ns : 0, s.gflops, s.gbs, s.intensity,
                       s.bound_gflops, 100 * s.pct_of_bound, limit_name(s.limit));
  }
  if (top > 0 && static_cast<int>(rows.size()) > top) {
    double rest = 0;
    for (const OpStat& s : rows) rest += s.total_ns;
    out += fmt::format("... {} more rows, {} ({:.1f}% of the step)\n", rows.size() - top, human_time(rest - shown),
                       step_ns > 0 ? 100 * (rest - shown) / step_ns : 0);
  }
  return out;
}

std::string format_module_table(const std::vector<ModuleStat>& rows, double step_ns) {
  std::string out = fmt::format("{:<40} {:<20} {:>6} {:>10} {:>10} {:>6} {:>9} {:>10}\n", "module", "type", "calls",
                                "forward", "backward", "%step", "GFLOP", "params");
  for (const ModuleStat& r : rows) {
    std::string name = std::string(2 * r.depth, ' ') + r.label;
    out += fmt::format("{:<40} {:<20} {:>6} {:>10} {:>10} {:>5.1f}% {:>9.3f} {:>10}\n", clip(name, 40), clip(r.type, 20),
                       r.calls, human_time(r.forward_ns), human_time(r.backward_ns),
                       step_ns > 0 ? 100 * (r.forward_ns + r.backward_ns) / step_ns : 0, r.flops * 1e-9, r.parameters);
  }
  return out;
}

std::string format_memory(const MemoryBreakdown& m) {
  auto line = [&](const char* what, int64_t b) {
    return fmt::format("  {:<34} {:>12} {:>5.1f}%\n", what, human_bytes(static_cast<double>(b)),
                       m.peak > 0 ? 100.0 * b / m.peak : 0);
  };
  std::string out = "memory (allocator bytes in use):\n";
  out += line("parameters", m.parameters);
  out += line("gradients", m.gradients);
  out += line("optimizer state", m.optimizer_state);
  out += line("activations (saved for backward)", m.activations);
  out += line("other (temporaries, inputs)", m.other);
  out += line("peak", m.peak);
  if (!m.peak_at.empty()) out += "  peak reached after " + m.peak_at + "\n";
  return out;
}

StepSummary summarize(const std::vector<OpStat>& rows, const Roof& roof, double step_ns, int steps) {
  StepSummary s;
  s.step_ns = step_ns;
  double k = steps > 0 ? 1.0 / steps : 1.0;
  for (const OpStat& r : rows) {
    s.op_ns += r.total_ns * k;
    s.flops += r.flops * k;
    s.bytes += r.bytes * k;
    s.roofline_ns += roof.bound_ns(r.flops, r.bytes) * k;
    (r.limit == Limit::compute ? s.compute_ns : r.limit == Limit::memory ? s.memory_ns : s.overhead_ns) += r.total_ns * k;
  }
  return s;
}

std::string format_summary(const StepSummary& s) {
  auto pct = [&](double ns) { return s.step_ns > 0 ? 100 * ns / s.step_ns : 0.0; };
  std::string out = fmt::format("step {}: {:.3f} GFLOP, {} moved (declared) -> {:.2f} GFLOP/s achieved\n",
                                human_time(s.step_ns), s.flops * 1e-9, human_bytes(s.bytes), s.achieved_gflops());
  out += fmt::format("  roofline time {} -> efficiency {:.1f}% of this machine's roofline\n", human_time(s.roofline_ns),
                     100 * s.efficiency());
  out += fmt::format("  in compute-bound ops {} ({:.1f}%), memory-bound ops {} ({:.1f}%), overhead-bound ops {} ({:.1f}%)\n",
                     human_time(s.compute_ns), pct(s.compute_ns), human_time(s.memory_ns), pct(s.memory_ns),
                     human_time(s.overhead_ns), pct(s.overhead_ns));
  out += fmt::format("  outside ops (autograd, allocation, framework glue) {} ({:.1f}%)\n", human_time(s.outside_ops_ns()),
                     pct(s.outside_ops_ns()));
  return out;
}

nlohmann::ordered_json summary_json(const StepSummary& s) {
  return {{"step_us", s.step_ns * 1e-3},        {"op_us", s.op_ns * 1e-3},
          {"flops", s.flops},                   {"bytes", s.bytes},
          {"gflops", s.achieved_gflops()},      {"roofline_us", s.roofline_ns * 1e-3},
          {"efficiency", s.efficiency()},       {"compute_bound_us", s.compute_ns * 1e-3},
          {"memory_bound_us", s.memory_ns * 1e-3}, {"overhead_bound_us", s.overhead_ns * 1e-3},
          {"outside_ops_us", s.outside_ops_ns() * 1e-3}};
}

nlohmann::ordered_json op_stat_json(const OpStat& s) {
  return {{"op", s.name},          {"pass", s.optimizer ? "optimizer" : s.backward ? "backward" : "forward"},
          {"shapes", s.shapes},    {"calls", s.calls},
          {"total_us", s.total_ns * 1e-3}, {"mean_us", s.mean_us()},
          {"flops", s.flops},      {"bytes", s.bytes},
          {"gflops", s.gflops},    {"gbs", s.gbs},
          {"intensity", s.intensity}, {"bound_gflops", s.bound_gflops},
          {"pct_of_bound", s.pct_of_bound}, {"limit", limit_name(s.limit)}};
}

nlohmann::ordered_json module_stat_json(const ModuleStat& s) {
  return {{"module", s.label},      {"type", s.type},
          {"depth", s.depth},       {"calls", s.calls},
          {"forward_us", s.forward_ns * 1e-3}, {"backward_us", s.backward_ns * 1e-3},
          {"flops", s.flops},       {"parameters", s.parameters}};
}

nlohmann::ordered_json memory_json(const MemoryBreakdown& m) {
  return {{"parameters", m.parameters}, {"gradients", m.gradients}, {"optimizer_state", m.optimizer_state},
          {"activations", m.activations}, {"other", m.other}, {"peak", m.peak}, {"peak_at", m.peak_at}};
}

}  // namespace tt::profile
