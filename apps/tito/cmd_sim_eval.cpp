// tito sim eval | serve | memory | validate (see cmd_sim.cpp for the overview).
#include <fmt/core.h>

#include <algorithm>
#include <iostream>

#include "apps/tito/cmd_sim.h"
#include "apps/tito/commands.h"
#include "apps/tito/targets.h"
#include "core/error.h"
#include "core/parallel.h"
#include "sim/plots.h"
#include "sim/serving.h"
#include "sim_trace/trace.h"
#include "tinytorch.h"

namespace tito {
namespace {

using tt::sim::Dim;

struct EvalArgs {
  std::string model, device, precision, iron_law = "max", recompute = "none", svg, memory_svg;
  int batch = 0, seq = 0, top = 12, zero = 0, dp = 1;
  double efficiency = 0.5, overlap = 0.5;
  bool train = false, compat = false, graph = false, json = false;
};

tt::sim::Precision precision_for(const std::string& p, const tt::sim::Device& d) {
  return p.empty() ? d.default_precision : tt::sim::parse_precision(p);
}

// One of our models, traced on this machine (one warm-up and one recorded step).
tt::sim::WorkGraph trace_ours(const EvalArgs& a, tt::sim::Precision p) {
  tt::manual_seed(0);
  Target t = make_target(a.model, a.batch, a.seq);
  std::unique_ptr<tt::optim::Optimizer> opt;
  if (a.train) opt = std::make_unique<tt::optim::AdamW>(t.w.model->parameters(), tt::optim::Options{{"lr", 1e-3}});
  tt::sim::FrameworkWorkload w{a.model, t.w, opt.get(), a.train, double(t.batch), double(t.batch * t.seq)};
  std::cerr << "sim: tracing " << a.model << " (" << t.shape_note << ") on this machine\n";
  return tt::sim::trace_workload(w, p);
}

void print_node(const tt::sim::NodeResult& r, const tt::sim::Sensitivity& s, int top) {
  std::cout << fmt::format("  latency      {}   (Iron Law sum {}, max {})\n", fq(r.latency, Dim::time),
                           fq(r.latency_sum, Dim::time), fq(r.latency_max, Dim::time));
  std::cout << fmt::format("    terms      compute {}, memory {}, overhead {}\n", fq(r.t_compute, Dim::time),
                           fq(r.t_memory, Dim::time), fq(r.t_overhead, Dim::time));
  std::cout << fmt::format("  bottleneck   {} (bytes from {}; {})\n", r.bottleneck, r.bandwidth_tier,
                           r.feasible ? "fits in memory" : "does NOT fit: memory capacity binds");
  std::cout << fmt::format("  work         {:.4g} FLOP, {:.4g} B -> {:.1f} FLOP/B; ridge {:.1f} FLOP/B (η·peak {}, BW {})\n",
                           r.flops, r.bytes, r.intensity, r.ridge, fq(r.peak, Dim::flops_rate),
                           fq(r.bandwidth, Dim::bandwidth));
  std::cout << fmt::format("  throughput   {:.4g} samples/s{}\n", r.throughput,
                           r.tokens_per_s > 0 ? fmt::format(", {:.4g} tokens/s", r.tokens_per_s) : "");
  std::cout << fmt::format("  MFU {:.1f}%   HFU {:.1f}%   power {}   energy {} per step\n", r.mfu * 100, r.hfu * 100,
                           fq(r.power, Dim::power), fq(r.energy, Dim::energy));
  std::cout << fmt::format("  memory       {} of {} ({:.1f}%)\n", fq(r.memory_footprint, Dim::bytes),
                           fq(r.capacity, Dim::bytes), 100 * r.memory_footprint / r.capacity);
  std::cout << fmt::format("  sensitivity  +10% peak {:+.1f}%, +10% bandwidth {:+.1f}%, -10% launch {:+.1f}%: {} binds\n",
                           s.d_peak * 100, s.d_bandwidth * 100, s.d_dispatch * 100, s.binding);
  for (const std::string& n : r.notes) std::cout << "  note: " << n << "\n";
  if (r.ops.size() <= 1 || top == 0) return;
  std::vector<const tt::sim::PricedOp*> ops;
  for (const auto& p : r.ops) ops.push_back(&p);
  std::sort(ops.begin(), ops.end(), [](auto* a, auto* b) { return a->time * a->op.count > b->time * b->op.count; });
  std::cout << fmt::format("\n  {:<24} {:<4} {:>6} {:>11} {:>11} {:>8} {:>11} {:>6} {:<8}\n", "op", "pass", "calls",
                           "FLOP/call", "bytes/call", "FLOP/B", "total", "%", "bound");
  for (int i = 0; i < std::min<int>(top, int(ops.size())); ++i) {
    const auto& p = *ops[i];
    std::cout << fmt::format("  {:<24} {:<4} {:>6.0f} {:>11.4g} {:>11.4g} {:>8.2f} {:>11} {:>5.1f}% {:<8}\n",
                             p.op.name.substr(0, 24), p.op.pass, p.op.count, p.op.flops, p.op.bytes, p.intensity,
                             fq(p.time * p.op.count, Dim::time), 100 * p.time * p.op.count / r.latency, p.bound);
  }
  if (int(ops.size()) > top) std::cout << fmt::format("  ... {} more ops\n", ops.size() - top);
}

void run_eval(EvalArgs a) {
  const tt::sim::Registry& reg = tt::sim::registry();
  const tt::sim::Device& d = reg.device(a.device);
  const tt::sim::Precision p = precision_for(a.precision, d);
  const bool ours = is_framework_model(a.model);
  tt::sim::NodeResult r;
  tt::sim::Sensitivity s;
  std::string what;
  if (ours) {
    if (a.compat) throw tt::Error("sim eval: --compat applies to zoo models (the reference has no traced models)");
    tt::sim::WorkGraph g = trace_ours(a, p);
    tt::sim::PriceOptions o;
    o.precision = p, o.efficiency = a.efficiency, o.form = tt::sim::parse_iron_law(a.iron_law);
    o.overlap = a.overlap, o.graph = a.graph, o.footprint = g.footprint;
    r = tt::sim::price(g, d, o);
    s = tt::sim::sensitivity(g, d, o);
    what = fmt::format("{} (ours, traced: {} ops)", a.model, g.ops.size());
  } else {
    const tt::sim::ModelSpec& m = reg.model(a.model);
    tt::sim::NodeOptions o;
    o.batch = a.batch > 0 ? a.batch : 1, o.seq = a.seq > 0 ? a.seq : 2048, o.precision = p;
    o.efficiency = a.efficiency, o.training = a.train, o.recompute = tt::sim::parse_recompute(a.recompute);
    o.form = tt::sim::parse_iron_law(a.iron_law), o.overlap = a.overlap, o.graph = a.graph;
    o.zero_stage = a.zero, o.dp = a.dp, o.compat = a.compat;
    r = tt::sim::solve(m, d, o);
    s = tt::sim::sensitivity(m, d, o);
    what = fmt::format("{}, batch {}{}", a.model, o.batch, m.is_transformer() ? fmt::format(", seq {}", o.seq) : "");
  }
  std::cout << fmt::format("sim: {} on {} — {}, {}, η {:.2f}, Iron Law {}{}\n", what, d.key,
                           a.train ? "training step" : "inference", tt::sim::precision_name(p), a.efficiency,
                           r.iron_law, a.compat ? " (reference-compatible)" : "");
  print_node(r, s, a.top);
  if (!a.svg.empty()) {
    tt::sim::write_device_roofline_svg(a.svg, d, p, r);
    std::cerr << "roofline: " << a.svg << "\n";
  }
  if (a.json) {
    nlohmann::ordered_json j = tt::sim::to_json(r, true);
    j["sensitivity"] = tt::sim::to_json(s);
    print_json_line(j);
  }
}

}  // namespace

void add_sim_eval(CLI::App& sim) {
  static EvalArgs a;
  auto* e = sim.add_subcommand("eval", "price a model (zoo key, or mlp|cnn|gpt|model file: traced) on a device");
  e->add_option("model", a.model, "zoo key (tito sim models) or mlp | cnn | gpt | a GPT model file")->required();
  e->add_option("device", a.device, "device key (tito sim devices)")->required();
  e->add_option("--batch", a.batch, "batch (default 1 for zoo models, 64 mlp/cnn, 32 gpt)")->check(CLI::PositiveNumber);
  e->add_option("--seq", a.seq, "tokens per sequence (default 2048 zoo, the context for gpt)")->check(CLI::PositiveNumber);
  e->add_option("--precision", a.precision, "fp32 | tf32 | bf16 | fp16 | fp8 | int8 | int4 | fp4 (default: device's)");
  e->add_flag("--train", a.train, "a training step (forward, backward, optimizer)");
  e->add_option("--efficiency", a.efficiency, "η: achieved fraction of peak on compute-bound ops (default 0.5)")
      ->check(CLI::Range(1e-6, 1.0));
  e->add_option("--iron-law", a.iron_law, "sum | max | overlap (default max)");
  e->add_option("--overlap", a.overlap, "ω of the overlap form (default 0.5)")->check(CLI::Range(0.0, 1.0));
  e->add_option("--recompute", a.recompute, "none | selective | full (training)");
  e->add_option("--zero", a.zero, "ZeRO stage 0-3 (with --dp)")->check(CLI::Range(0, 3));
  e->add_option("--dp", a.dp, "data-parallel ranks sharing ZeRO state")->check(CLI::PositiveNumber);
  e->add_flag("--graph", a.graph, "one launch per step (CUDA graphs) instead of one per op");
  e->add_flag("--compat", a.compat, "the reference simulator's engine (mlsysim), for its golden values");
  e->add_option("--top", a.top, "op rows to print (0 = none)")->check(CLI::NonNegativeNumber);
  e->add_option("--svg", a.svg, "write the device's roofline with the model's ops placed on it");
  e->add_flag("--json", a.json, "last line: JSON");
  e->callback([] { run_eval(a); });
  add_sim_serve(sim);
  add_sim_memory(sim);
}

}  // namespace tito
