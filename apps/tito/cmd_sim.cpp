// tito sim: the analytical simulator (src/sim). Thin: parses arguments, calls the solvers, prints.
//   tito sim devices|models [--json]
//   tito sim eval MODEL DEVICE [--batch --seq --precision --train --efficiency ...] [--svg F] [--json]
//   tito sim serve MODEL DEVICE, tito sim memory MODEL DEVICE, tito sim validate (this file)
//   tito sim scenario FILE.json, tito sim sweep (cmd_sim_scenario.cpp)
// MODEL is a zoo key (tito sim models) or one of ours (mlp, cnn, gpt, a GPT model file), which
// is traced once on this machine (every op's shapes and declared cost) and priced on DEVICE.
#include "apps/tito/cmd_sim.h"

#include <fmt/core.h>

#include <iostream>

#include "apps/tito/commands.h"
#include "apps/tito/targets.h"
#include "core/error.h"
#include "sim/plots.h"
#include "sim/units.h"
#include "sim_trace/trace.h"
#include "tinytorch.h"

namespace tito {

using tt::sim::Dim;
using tt::sim::format_quantity;

std::string fq(double v, Dim d) { return format_quantity(v, d); }

void print_json_line(const nlohmann::ordered_json& j) { std::cout << j.dump() << "\n"; }

namespace {

struct ListArgs {
  bool json = false;
  std::string category;
};

void run_devices(const ListArgs& a) {
  const tt::sim::Registry& reg = tt::sim::registry();
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  std::cout << fmt::format("{:<18} {:<12} {:>5} {:>13} {:<5} {:>11} {:>12} {:>9} {:>8} {:>9}\n", "device",
                           "category", "year", "peak", "prec", "memory", "bandwidth", "ridge", "TDP", "price");
  for (const auto& [key, d] : reg.devices) {
    if (!a.category.empty() && d.category != a.category) continue;
    const double peak = d.peak(d.default_precision);
    std::cout << fmt::format("{:<18} {:<12} {:>5} {:>13} {:<5} {:>11} {:>12} {:>9.1f} {:>8} {:>9}\n", key,
                             d.category, d.year, fq(peak, Dim::flops_rate), tt::sim::precision_name(d.default_precision),
                             fq(d.mem_capacity, Dim::bytes), fq(d.mem_bandwidth, Dim::bandwidth),
                             d.ridge(d.default_precision), fq(d.tdp, Dim::power),
                             d.unit_price ? fmt::format("${:.0f}", *d.unit_price) : "unknown");
    nlohmann::ordered_json peaks;
    for (const auto& [p, v] : d.peak_flops) peaks[tt::sim::precision_name(p)] = v;
    out.push_back({{"key", key}, {"name", d.name}, {"category", d.category}, {"year", d.year},
                   {"peak_flops", peaks}, {"default_precision", tt::sim::precision_name(d.default_precision)},
                   {"memory_bytes", d.mem_capacity}, {"bandwidth", d.mem_bandwidth},
                   {"ridge", d.ridge(d.default_precision)}, {"tdp_w", d.tdp},
                   {"price_usd", d.unit_price ? nlohmann::ordered_json(*d.unit_price) : nlohmann::ordered_json()},
                   {"sources", d.sources}});
  }
  std::cout << fmt::format("{} devices ({}); peaks are dense, default precision; ridge in FLOP/B\n", out.size(),
                           tt::sim::registry_dir());
  if (a.json) print_json_line({{"devices", out}});
}

void run_models(const ListArgs& a) {
  const tt::sim::Registry& reg = tt::sim::registry();
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  std::cout << fmt::format("{:<20} {:<12} {:>10} {:>10} {:>14} {:>7} {:>6} {:>6} {:>4}\n", "model", "family",
                           "params", "active", "FLOPs", "per", "layers", "hidden", "heads");
  for (const auto& [key, m] : reg.models) {
    if (!a.category.empty() && m.family != a.category) continue;
    std::cout << fmt::format("{:<20} {:<12} {:>10.3g} {:>10.3g} {:>14.4g} {:>7} {:>6} {:>6} {:>4}\n", key, m.family,
                             m.params, m.active_params, m.inference_flops, m.flops_unit, m.layers, m.hidden, m.heads);
    out.push_back({{"key", key}, {"name", m.name}, {"family", m.family}, {"params", m.params},
                   {"active_params", m.active_params}, {"inference_flops", m.inference_flops},
                   {"flops_unit", m.flops_unit}, {"layers", m.layers}, {"hidden", m.hidden}, {"heads", m.heads},
                   {"kv_heads", m.kv_heads}, {"source", m.source}});
  }
  std::cout << fmt::format("{} models; ours: mlp, cnn, gpt or a GPT model file (traced on this machine)\n",
                           out.size());
  if (a.json) print_json_line({{"models", out}});
}

}  // namespace

void add_sim(CLI::App& app) {
  auto* sim = app.add_subcommand("sim", "the analytical simulator: price models on any device, cluster or SLA");
  sim->require_subcommand(1);
  static ListArgs dev, mod;
  auto* d = sim->add_subcommand("devices", "the hardware registry");
  d->add_option("--category", dev.category, "cloud | workstation | mobile | edge | tiny | host");
  d->add_flag("--json", dev.json, "last line: JSON");
  d->callback([] { run_devices(dev); });
  auto* m = sim->add_subcommand("models", "the model zoo");
  m->add_option("--family", mod.category, "transformer | moe | cnn | mlp | ssm | diffusion | vla");
  m->add_flag("--json", mod.json, "last line: JSON");
  m->callback([] { run_models(mod); });
  add_sim_eval(*sim);
  add_sim_validate(*sim);
  add_sim_scenario(*sim);
  add_sim_sweep(*sim);
}

}  // namespace tito
