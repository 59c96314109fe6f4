// The suites behind tt::bench::run (one suite_<name>.cpp each). Private to bench/.
#pragma once
#include <vector>

#include "bench/harness.h"

namespace tt::bench {

struct SuiteArgs {
  int threads = 1;
};

// Per-call overhead of tiny ops: add of 1-element tensors, Linear(8,8) at batch 1, tiny MLP
// 8-16-16-1 fwd+bwd(+optimizer); peer torch_dispatch.py.
std::vector<Result> suite_ops(const SuiteArgs& args);
// MLP 784-128-64-10 on Fashion-MNIST: training samples/s, test accuracy, allocations per step,
// batch-1 inference latency; peers torch_fmnist.py and torch_latency.py.
std::vector<Result> suite_mlp(const SuiteArgs& args);

}  // namespace tt::bench
