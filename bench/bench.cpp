// Suite dispatch for `tito bench` (see bench.h).
#include "bench/bench.h"

#include <cstdlib>
#include <exception>
#include <fmt/core.h>
#include <iostream>
#include <thread>

#include "bench/peer.h"
#include "bench/suites.h"
#include "core/parallel.h"
#include "ops/matmul/gemm.h"

namespace tt::bench {
namespace {

struct Suite {
  const char* name;
  std::vector<Result> (*fn)(const SuiteArgs&);
};

constexpr Suite kSuites[] = {
    {"ops", &suite_ops},   {"mlp", &suite_mlp}, {"cnn", &suite_cnn}, {"gemm", &suite_gemm},
    {"gemm-ladder", &suite_gemm_ladder}, {"gpt", &suite_gpt}, {"profiler", &suite_profiler}};

}  // namespace

std::vector<std::string> suites() {
  std::vector<std::string> out;
  for (const Suite& s : kSuites) out.emplace_back(s.name);
  return out;
}

int run(const std::string& suite, bool json, int threads) {
  const Suite* found = nullptr;
  for (const Suite& s : kSuites)
    if (suite == s.name) found = &s;
  if (!found) {
    std::string names;
    for (const Suite& s : kSuites) names += std::string(" ") + s.name;
    std::cerr << "tito bench: unknown suite \"" << suite << "\"; choose one of:" << names << "\n";
    return 2;
  }
  if (threads < 1) {
    std::cerr << "tito bench: --threads must be >= 1, got " << threads << "\n";
    return 2;
  }
  set_num_threads(threads);
  std::cout << fmt::format("bench {}: TinyTorch {} ({} build), {} thread{} (hardware {}), GEMM kernel {}\n", suite,
                           TT_VERSION, TT_BUILD_TYPE, threads, threads == 1 ? "" : "s",
                           std::thread::hardware_concurrency(), kernels::gemm_isa())
            << fmt::format("peers: PyTorch (/usr/bin/python3 {}/*.py --threads {}) and/or OpenBLAS in-process, "
                           "OPENBLAS_CORETYPE={}\n",
                           peers_dir(), threads, openblas_coretype())
            << std::flush;
  if (const char* env = std::getenv("OPENBLAS_CORETYPE"); env && openblas_coretype() != env)
    std::cout << "peer: (the environment's OPENBLAS_CORETYPE=" << env << " is replaced for the peer runs)\n";
  try {
    std::vector<Result> results = found->fn(SuiteArgs{threads});
    print_table(suite, results);
    if (json) print_json(suite, results);
  } catch (const std::exception& e) {
    std::cerr << "tito bench " << suite << ": error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tt::bench
