// tito profile MODEL: profiles a milestone model (mlp, cnn, gpt) or a saved GPT model file for a few
// steps and prints the step in Iron Law terms, the per-op table on this machine's roofline, the
// per-module view and memory by category; writes a Chrome trace and an SVG roofline on request.
// Thin: recording is profile/profiler.h, running profile/session.h, the tables profile/report.h.
#include <fmt/core.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/tito/commands.h"
#include "apps/tito/targets.h"
#include "core/parallel.h"
#include "optim/optimizer.h"
#include "profile/report.h"
#include "profile/roofline_svg.h"
#include "profile/session.h"
#include "profile/trace.h"
#include "tinytorch.h"

namespace tito {
namespace {

struct ProfileArgs {
  std::string model, weights, trace, svg;
  bool train = false, json = false, by_op = false;
  int64_t batch = 0, seq = 0;
  int steps = 3, warmup = 2, threads = 0, top = 25;
};

void write_outputs(const ProfileArgs& a, const tt::profile::Profiler& p, const std::vector<tt::profile::OpStat>& rows,
                   const tt::profile::Roof& roof, const std::string& title) {
  if (!a.trace.empty()) {
    tt::profile::write_chrome_trace(a.trace, p, "tito profile " + a.model);
    std::cerr << "trace: " << a.trace << " (open in ui.perfetto.dev or chrome://tracing)\n";
  }
  if (!a.svg.empty()) {
    tt::profile::RooflinePlotOptions o;
    o.title = title;
    tt::profile::write_roofline_svg(a.svg, rows, roof, o);
    std::cerr << "roofline: " << a.svg << "\n";
  }
}

void run_profile(const ProfileArgs& a) {
  if (a.threads > 0) tt::set_num_threads(a.threads);
  tt::manual_seed(0);
  Target t;
  try {
    t = make_target(a.model, a.batch, a.seq, a.weights);
  } catch (const tt::Error& e) {
    throw tt::Error(std::string("profile: ") + e.what());
  }
  tt::profile::Workload& w = t.w;
  std::unique_ptr<tt::optim::Optimizer> opt;
  if (a.train) opt = std::make_unique<tt::optim::AdamW>(w.model->parameters(), tt::optim::Options{{"lr", 1e-3}});
  tt::profile::Profiler p;
  tt::profile::RunResult run = tt::profile::run_profiled(p, w, opt.get(), {a.train, a.warmup, a.steps});

  int threads = tt::get_num_threads();
  tt::profile::Roof roof = tt::profile::roof_for(tt::hw::ceilings_for(threads), threads);
  tt::profile::OpTableOptions to;
  to.by_shape = !a.by_op;
  auto rows = tt::profile::op_table(p, roof, to);
  auto modules = tt::profile::module_table(p);
  auto memory = tt::profile::memory_breakdown(p, *w.model, opt.get());
  // The summary divides the tables' totals by the step count: the step is the mean to match.
  auto summary = tt::profile::summarize(rows, roof, run.mean_step_ns(), a.steps);
  std::string title = fmt::format("{} {} — {}, {} thread{}", a.model, a.train ? "training step" : "inference",
                                  t.shape_note, threads, threads == 1 ? "" : "s");
  double all_steps = run.total_ns();  // "% of step" over the recorded steps

  std::cout << fmt::format("profile: {} ({}, {} parameters), {}\n", a.model, w.model->type_name(),
                           w.model->num_parameters(), title);
  std::cout << fmt::format("{} recorded steps after {} warm-up: mean {:.3f} ms, median {:.3f} ms per step\n\n",
                           a.steps, a.warmup, run.mean_step_ns() * 1e-6, run.median_step_ns() * 1e-6);
  std::cout << tt::profile::format_summary(summary) << "\n";
  std::cout << tt::profile::format_op_table(rows, all_steps, roof, a.top) << "\n";
  std::cout << tt::profile::format_module_table(modules, all_steps) << "\n";
  std::cout << tt::profile::format_memory(memory);
  write_outputs(a, p, rows, roof, title);
  if (a.json) {
    nlohmann::ordered_json j = {{"model", a.model}, {"train", a.train}, {"threads", threads}, {"steps", a.steps},
                                {"median_step_us", run.median_step_ns() * 1e-3},
                                {"roof", {{"peak_gflops", roof.peak_gflops}, {"bandwidth_gbs", roof.bandwidth_gbs}}},
                                {"summary", tt::profile::summary_json(summary)}, {"memory", tt::profile::memory_json(memory)}};
    j["ops"] = nlohmann::ordered_json::array();
    for (const auto& r : rows) j["ops"].push_back(tt::profile::op_stat_json(r));
    j["modules"] = nlohmann::ordered_json::array();
    for (const auto& m : modules) j["modules"].push_back(tt::profile::module_stat_json(m));
    std::cout << j.dump() << "\n";
  }
}

}  // namespace

void add_profile(CLI::App& app) {
  auto* cmd = app.add_subcommand("profile", "profile a model: per-op roofline table, per-module view, memory, trace");
  static ProfileArgs a;
  cmd->add_option("model", a.model, "mlp | cnn | gpt (the milestones' models) or a GPT model file")->required();
  cmd->add_flag("--train", a.train, "profile training steps (forward, backward, AdamW); default inference");
  cmd->add_option("--batch", a.batch, "batch size (default 64 for mlp/cnn, 32 for gpt)")->check(CLI::PositiveNumber);
  cmd->add_option("--seq", a.seq, "gpt: sequence length (default the context)")->check(CLI::PositiveNumber);
  cmd->add_option("--steps", a.steps, "recorded steps (default 3)")->check(CLI::Range(1, 1000));
  cmd->add_option("--warmup", a.warmup, "unrecorded steps first (default 2)")->check(CLI::Range(0, 1000));
  cmd->add_option("--threads", a.threads, "threads (default: all cores)")->check(CLI::PositiveNumber);
  cmd->add_option("--weights", a.weights, "mlp/cnn: load a checkpoint (tito's trainer) into the model first");
  cmd->add_option("--trace", a.trace, "write a Chrome trace / Perfetto JSON file");
  cmd->add_option("--svg", a.svg, "write this machine's roofline with each op placed on it (SVG)");
  cmd->add_option("--top", a.top, "rows of the op table (0 = all; default 25)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--by-op", a.by_op, "one row per op and pass instead of per shape");
  cmd->add_flag("--json", a.json, "last line of stdout is a JSON object with every table");
  cmd->callback([] { run_profile(a); });
}

}  // namespace tito
