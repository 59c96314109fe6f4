// tito sim scenario FILE.json | sweep (see cmd_sim.cpp for the overview).
#include <fmt/core.h>

#include <iostream>
#include <sstream>

#include "apps/tito/cmd_sim.h"
#include "apps/tito/commands.h"
#include "core/error.h"
#include "sim/node.h"
#include "sim/parallel.h"
#include "sim/plots.h"
#include "sim/scenario.h"

namespace tito {
namespace {

using tt::sim::Dim;

struct ScenarioArgs {
  std::string file;
  bool json = false;
};

void run_scenario(const ScenarioArgs& a) {
  const tt::sim::ScenarioResult r = tt::sim::run_scenario_file(a.file, tt::sim::registry());
  std::cout << fmt::format("sim scenario: {}\n", r.name);
  for (const auto& [section, v] : r.results.items()) {
    std::cout << fmt::format("  {}:", section);
    int shown = 0;  // the section's headline numbers
    for (const auto& [k, x] : v.items())
      if ((x.is_number() || x.is_boolean() || x.is_string()) && shown++ < 8) std::cout << " " << k << "=" << x.dump();
    std::cout << "\n";
  }
  for (const tt::sim::ScenarioCheck& c : r.checks)
    std::cout << fmt::format("  {} {:<28} {} = {} {} {}\n", c.passed ? "ok  " : "FAIL", c.name, c.metric,
                             c.value.dump(), c.op, c.limit.dump());
  std::cout << fmt::format("{}: {} of {} checks passed\n", r.passed() ? "PASSED" : "FAILED",
                           std::count_if(r.checks.begin(), r.checks.end(), [](auto& c) { return c.passed; }),
                           r.checks.size());
  if (a.json) print_json_line(tt::sim::to_json(r));
  if (!r.passed()) set_exit_code(3);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string x; std::getline(ss, x, ',');)
    if (!x.empty()) out.push_back(x);
  return out;
}

struct SweepArgs {
  std::string model, devices, category, batches = "1", precisions, cluster, svg, recompute = "selective";
  int seq = 2048, global_batch = 1024;
  double efficiency = 0.5;
  bool train = false, json = false;
};

int to_int(const std::string& s, const char* what) {
  try {
    size_t used = 0;
    const int v = std::stoi(s, &used);
    if (used == s.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw tt::Error(fmt::format("sim sweep: {} must be positive integers, got '{}'", what, s));
}

void sweep_devices(const SweepArgs& a, const tt::sim::Registry& reg, const tt::sim::ModelSpec& m) {
  std::vector<std::string> devs = split(a.devices);
  if (devs.empty())
    for (const auto& [k, d] : reg.devices)
      if (a.category.empty() || d.category == a.category) devs.push_back(k);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::cout << fmt::format("{:<18} {:>6} {:<5} {:>11} {:>13} {:<9} {:>7} {:>11} {:<8}\n", "device", "batch", "prec",
                           "latency", "samples/s", "bound", "MFU", "memory", "fits");
  for (const std::string& dk : devs) {
    const tt::sim::Device& d = reg.device(dk);
    std::vector<std::string> precs = split(a.precisions);
    if (precs.empty()) precs.push_back(tt::sim::precision_name(d.default_precision));
    for (const std::string& b : split(a.batches))
      for (const std::string& p : precs) {
        tt::sim::NodeOptions o;
        o.batch = to_int(b, "--batch values"), o.seq = a.seq, o.precision = tt::sim::parse_precision(p);
        o.efficiency = a.efficiency, o.training = a.train;
        const tt::sim::NodeResult r = tt::sim::solve(m, d, o);
        std::cout << fmt::format("{:<18} {:>6} {:<5} {:>11} {:>13.4g} {:<9} {:>6.1f}% {:>11} {:<8}\n", dk, o.batch, p,
                                 fq(r.latency, Dim::time), r.throughput, r.bottleneck, 100 * r.mfu,
                                 fq(r.memory_footprint, Dim::bytes), r.feasible ? "yes" : "NO");
        nlohmann::ordered_json j = tt::sim::to_json(r);
        j["batch"] = o.batch;
        rows.push_back(j);
      }
  }
  if (a.json) print_json_line({{"model", m.key}, {"rows", rows}});
}

void sweep_cluster(const SweepArgs& a, const tt::sim::Registry& reg, const tt::sim::ModelSpec& m) {
  const tt::sim::System s = tt::sim::resolve_system(reg, a.cluster);
  tt::sim::ParallelOptions o;
  o.batch = a.global_batch, o.seq = a.seq, o.efficiency = a.efficiency, o.zero_stage = 1, o.overlap_dp = true;
  o.recompute = tt::sim::parse_recompute(a.recompute);
  if (!a.precisions.empty()) o.precision = tt::sim::parse_precision(split(a.precisions).front());
  const auto runs = tt::sim::sweep_parallel(m, s, o);
  std::cout << fmt::format("sim sweep: training {} on {} ({} × {}), global batch {}, seq {}, ZeRO-1, DP overlap, "
                           "1F1B, recompute {}\n", m.key, s.cluster.key, s.accelerators(), s.device.key,
                           a.global_batch, a.seq, a.recompute);
  std::cout << fmt::format("{:>4} {:>4} {:>5} {:>11} {:>11} {:>11} {:>11} {:>13} {:>7} {:>9} {:<18}\n", "TP", "PP", "DP",
                           "step", "compute", "comm", "bubble", "samples/s", "MFU", "mem/GPU", "binding");
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& r : runs) {
    std::cout << fmt::format("{:>4} {:>4} {:>5} {:>11} {:>11} {:>11} {:>11} {:>13.4g} {:>6.1f}% {:>9} {:<18}\n", r.tp, r.pp,
                             r.dp, fq(r.step, Dim::time), fq(r.t_local, Dim::time), fq(r.comm, Dim::time),
                             fq(r.t_bubble, Dim::time), r.throughput, 100 * r.mfu, fq(r.memory.total, Dim::bytes),
                             r.binding);
    rows.push_back(tt::sim::to_json(r));
  }
  if (!a.svg.empty()) {
    tt::sim::SimPlotOptions po;
    po.title = fmt::format("Parallel splits: {} on {} ({} × {}), batch {}", m.key, s.cluster.key, s.accelerators(),
                           s.device.key, a.global_batch);
    tt::sim::write_parallel_sweep_svg(a.svg, runs, po);
    std::cerr << "parallelism sweep: " << a.svg << "\n";
  }
  if (a.json) print_json_line({{"model", m.key}, {"cluster", s.cluster.key}, {"rows", rows}});
}

void run_sweep(const SweepArgs& a) {
  const tt::sim::Registry& reg = tt::sim::registry();
  const tt::sim::ModelSpec& m = reg.model(a.model);
  if (!a.cluster.empty()) sweep_cluster(a, reg, m);
  else sweep_devices(a, reg, m);
}

}  // namespace

void add_sim_scenario(CLI::App& sim) {
  static ScenarioArgs a;
  auto* s = sim.add_subcommand("scenario", "evaluate a scenario file (workload + system + SLA + assertions); exit 3 "
                                           "when a check fails");
  s->add_option("file", a.file, "scenario JSON (docs/simulator.md; examples in examples/sim/)")->required();
  s->add_flag("--json", a.json, "last line: JSON");
  s->callback([] { run_scenario(a); });
}

void add_sim_sweep(CLI::App& sim) {
  static SweepArgs a;
  auto* s = sim.add_subcommand("sweep", "sweep devices × batch × precision, or the parallel split on a cluster");
  s->add_option("model", a.model, "zoo key")->required();
  s->add_option("--devices", a.devices, "comma-separated device keys (default: all, or --category)");
  s->add_option("--category", a.category, "cloud | workstation | mobile | edge | tiny | host");
  s->add_option("--batch", a.batches, "comma-separated batch sizes (default 1)");
  s->add_option("--precision", a.precisions, "comma-separated precisions (default: each device's)");
  s->add_option("--seq", a.seq, "tokens per sequence (default 2048)")->check(CLI::PositiveNumber);
  s->add_option("--efficiency", a.efficiency, "η (default 0.5)")->check(CLI::Range(1e-6, 1.0));
  s->add_flag("--train", a.train, "training steps");
  s->add_option("--cluster", a.cluster, "sweep TP × PP × DP on this cluster instead (training)");
  s->add_option("--global-batch", a.global_batch, "--cluster: global batch (default 1024)")->check(CLI::PositiveNumber);
  s->add_option("--svg", a.svg, "--cluster: write the parallelism sweep chart");
  s->add_option("--recompute", a.recompute, "--cluster: none | selective | full (default selective)");
  s->add_flag("--json", a.json, "last line: JSON");
  s->callback([] { run_sweep(a); });
}

}  // namespace tito
