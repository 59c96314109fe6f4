// tito hw probe | show: this machine's ceilings (FMA peak, STREAM triad, ridge point), measured by
// tt::hw::probe and cached for the profiler and the roofline. Thin: the method lives in src/hw/,
// the explanation in docs/hardware.md. Siblings: the other subcommands in commands.cpp.
#include <fmt/core.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/tito/commands.h"
#include "core/error.h"
#include "hw/ceilings.h"

namespace tito {
namespace {

void print_table(const tt::hw::Ceilings& c) {
  const std::string all = fmt::format("{} thread{}", c.threads, c.threads == 1 ? "" : "s");
  std::cout << fmt::format("CPU: {} (FMA kernel: {}; measured {})\n", c.cpu, c.isa, c.measured_at)
            << fmt::format("{:<26}{:>12}{:>12}\n", "", "1 thread", all)
            << fmt::format("{:<26}{:>12.1f}{:>12.1f}\n", "FP32 FMA peak (GFLOP/s)", c.peak_gflops_1, c.peak_gflops_all)
            << fmt::format("{:<26}{:>12.2f}{:>12.2f}\n", "STREAM triad (GB/s)", c.triad_gbs_1, c.triad_gbs_all)
            << fmt::format("{:<26}{:>12.2f}{:>12.2f}\n", "ridge point (FLOP/byte)", c.ridge_1(), c.ridge_all())
            << "  (kernels below the ridge point are memory-bound, above it compute-bound)\n";
}

void print_json(const tt::hw::Ceilings& c, const std::string& cache) {
  auto j = tt::hw::ceilings_to_json(c);
  j["cache"] = cache.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(cache);
  std::cout << j.dump() << "\n";
}

void run_probe(int threads, double seconds, bool no_save, bool json) {
  tt::hw::ProbeOptions opts;
  opts.threads = threads;
  opts.seconds = seconds;
  std::cout << "probing FMA peak and STREAM triad ...\n" << std::flush;
  const tt::hw::Ceilings c = tt::hw::probe(opts);
  print_table(c);
  std::string written;
  if (no_save) {
    std::cout << "cache: not written (--no-save)\n";
  } else {
    // The figures are printed already; a cache we cannot write is an error, but not a lost probe.
    try {
      written = tt::hw::cache_path();
      tt::hw::save_cache(c, written);
      std::cout << "cache: " << written << " (written)\n";
    } catch (const tt::Error& e) {
      std::cerr << "tito: error: " << e.what() << "\n";
      written.clear();
      set_exit_code(1);
    }
  }
  if (json) print_json(c, written);
}

void run_show(bool json) {
  const std::string path = tt::hw::cache_path();
  const auto c = tt::hw::load_cache(path);  // a corrupt file throws: main prints it and exits 1
  if (!c) {
    std::cerr << "tito: no hardware ceilings cached at " << path << "; run `tito hw probe` to measure them\n";
    set_exit_code(1);
    return;
  }
  print_table(*c);
  std::cout << "cache: " << path << "\n";
  if (json) print_json(*c, path);
}

}  // namespace

void add_hw(CLI::App& app) {
  auto* cmd = app.add_subcommand("hw", "this machine's ceilings: FMA peak, memory bandwidth, ridge point");
  cmd->require_subcommand(1);
  auto* probe = cmd->add_subcommand("probe", "measure the ceilings (a few seconds) and cache them");
  static int threads = 0;
  static double seconds = 0.1;
  static bool no_save = false;
  static bool probe_json = false;
  probe->add_option("--threads", threads, "threads for the all-thread figures (default: all cores)")
      ->check(CLI::PositiveNumber);
  probe->add_option("--seconds", seconds, "minimum seconds per timed repeat (default 0.1; 5 repeats, median)")
      ->check(CLI::Range(1e-3, 60.0));
  probe->add_flag("--no-save", no_save, "do not write the cache");
  probe->add_flag("--json", probe_json, "last line of stdout is a JSON object with the figures");
  probe->callback([] { run_probe(threads, seconds, no_save, probe_json); });
  auto* show = cmd->add_subcommand("show", "print the cached ceilings (see `tito hw probe`)");
  static bool show_json = false;
  show->add_flag("--json", show_json, "last line of stdout is a JSON object with the figures");
  show->callback([] { run_show(show_json); });
}

}  // namespace tito
