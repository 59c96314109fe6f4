// tito subcommands (see commands.h).
#include "apps/tito/commands.h"

#include <chrono>
#include <filesystem>
#include <fmt/core.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bench.h"
#include "data/fetch.h"
#include "milestones/milestone.h"
#include "ops/matmul/gemm.h"
#include "ops/op_list.h"
#include "tinytorch.h"

namespace tito {
namespace {
int g_exit = 0;

std::string cpu_features() {
  std::string out;
  auto add = [&](const char* name, bool on) {
    if (on) out += (out.empty() ? "" : " ") + std::string(name);
  };
  __builtin_cpu_init();
  add("sse4.2", __builtin_cpu_supports("sse4.2"));
  add("avx", __builtin_cpu_supports("avx"));
  add("avx2", __builtin_cpu_supports("avx2"));
  add("fma", __builtin_cpu_supports("fma"));
  add("avx512f", __builtin_cpu_supports("avx512f"));
  add("avx512bw", __builtin_cpu_supports("avx512bw"));
  add("avx512vnni", __builtin_cpu_supports("avx512vnni"));
  return out;
}

void run_info(bool json) {
  nlohmann::json j = {{"version", TT_VERSION},
                      {"build_type", TT_BUILD_TYPE},
                      {"cpu_features", cpu_features()},
                      {"gemm_kernel", tt::kernels::gemm_isa()},
                      {"threads", tt::get_num_threads()},
                      {"hardware_threads", std::thread::hardware_concurrency()},
                      {"ops", tt::ops::kNumOps}};
  if (json) {
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << fmt::format("TinyTorch {} ({} build)\n", TT_VERSION, TT_BUILD_TYPE)
            << fmt::format("CPU features: {}\nGEMM micro-kernel: {}\nthreads: {} (hardware {})\nops in the op list: {}\n",
                           cpu_features(), tt::kernels::gemm_isa(), tt::get_num_threads(),
                           std::thread::hardware_concurrency(), tt::ops::kNumOps);
}

const tt::milestones::Milestone* find_milestone(const std::string& name) {
  for (const auto& m : tt::milestones::milestones())
    if (name == m.name) return &m;
  return nullptr;
}

void run_milestone(const std::string& name, int64_t epochs, uint64_t seed, int threads, bool json,
                   const std::string& cifar10_dir) {
  const auto* m = find_milestone(name);
  if (!m) {
    std::string names;
    for (const auto& x : tt::milestones::milestones()) names += std::string(" ") + x.name;
    std::cerr << "tito: unknown milestone \"" << name << "\"; choose one of:" << names << "\n";
    set_exit_code(2);
    return;
  }
  if (threads > 0) tt::set_num_threads(threads);
  tt::milestones::MilestoneArgs args{epochs, seed, json, "runs/" + name, cifar10_dir};
  if (!cifar10_dir.empty() && name != "cnn") {
    std::cerr << "tito: --cifar10 applies to the cnn milestone only\n";
    set_exit_code(2);
    return;
  }
  std::filesystem::create_directories(args.out_dir);
  std::cout << fmt::format("== {} ({}): {}\n   goal: {}\n", m->name, m->year, m->title, m->goal) << std::flush;
  auto t0 = std::chrono::steady_clock::now();
  tt::milestones::MilestoneResult r = m->run(args);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& [k, v] : r.metrics) std::cout << fmt::format("   {:<28} {:.4f}\n", k, v);
  std::cout << fmt::format("   {} in {:.1f} s (outputs in {})\n", r.passed ? "PASSED" : "FAILED", secs, args.out_dir);
  if (json) {
    nlohmann::ordered_json j = {{"milestone", name}, {"passed", r.passed}, {"metrics", r.metrics}, {"seconds", secs}};
    std::cout << j.dump() << "\n";
  }
  set_exit_code(r.passed ? 0 : 1);
}

}  // namespace

int exit_code() { return g_exit; }
void set_exit_code(int code) { g_exit = code; }

void add_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "version, build type, CPU features, threads");
  static bool json = false;
  cmd->add_flag("--json", json, "print one JSON object");
  cmd->callback([] { run_info(json); });
}

void add_milestone(CLI::App& app) {
  auto* cmd = app.add_subcommand("milestone", "historical milestones (Perceptron 1958 ... )");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "list the milestones");
  list->callback([] {
    for (const auto& m : tt::milestones::milestones())
      std::cout << fmt::format("{:<12} {}  {}\n             goal: {}\n", m.name, m.year, m.title, m.goal);
  });
  auto* run = cmd->add_subcommand("run", "run one milestone");
  static std::string name;
  static int64_t epochs = -1;
  static uint64_t seed = 0;
  static int threads = 0;
  static bool json = false;
  static std::string cifar10_dir;
  run->add_option("name", name, "milestone name (see `tito milestone list`)")->required();
  run->add_option("--epochs", epochs, "epochs; for transformer, GPT training steps (default: the milestone's own)")->check(CLI::PositiveNumber);
  run->add_option("--seed", seed, "random seed");
  run->add_option("--threads", threads, "threads (default: all cores)")->check(CLI::PositiveNumber);
  run->add_flag("--json", json, "last line of stdout is a JSON object with the result");
  run->add_option("--cifar10", cifar10_dir, "cnn: also train on CIFAR-10 binary files in DIR (target >= 75%)");
  run->callback([] { run_milestone(name, epochs, seed, threads, json, cifar10_dir); });
}

void add_data(CLI::App& app) {
  auto* cmd = app.add_subcommand("data", "data sets");
  cmd->require_subcommand(1);
  auto* fetch = cmd->add_subcommand("fetch", "install/convert a data set (idempotent)");
  static std::string set;
  fetch->add_option("set", set, "mnist | fashion-mnist | kjv | all")->required()->check(CLI::IsMember({"mnist", "fashion-mnist", "kjv", "all"}));
  fetch->callback([] {
    for (const auto& r : tt::data::fetch_data_set(set, tt::data::default_data_dir(), true))
      std::cout << fmt::format("{}: {} ({})\n", r.name, r.dir, r.already_present ? "already present" : "installed");
  });
}

void add_bench(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "benchmarks against the peers (PyTorch, OpenBLAS)");
  static std::string suite;
  static bool json = false;
  static int threads = 1;
  cmd->add_option("suite", suite, "suite name")->required();
  cmd->add_flag("--json", json, "last line of stdout is a JSON object with the results");
  cmd->add_option("--threads", threads, "threads for ours and the peer")->check(CLI::PositiveNumber);
  cmd->callback([] { set_exit_code(tt::bench::run(suite, json, threads)); });
}

}  // namespace tito
