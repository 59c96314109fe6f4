// Profiling a workload end to end: warm-up steps (not recorded: first-step allocations and lazy
// optimizer state would distort the figures), then `steps` recorded steps, each drawn as regions
// "step" ⊃ "forward" / "backward" / "optimizer" so the reports can tell the phases apart. What
// `tito profile` runs; usable from the API for any module.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "optim/optimizer.h"
#include "profile/profiler.h"

namespace tt::profile {

struct Workload {
  nn::Module* model = nullptr;
  Tensor input;                                      // one batch, made before profiling
  std::function<Tensor(const Tensor&)> forward;      // output of the model for the input; default model->forward
  std::function<Tensor(const Tensor&)> loss;         // scalar loss of the output (required to train)
};

struct RunOptions {
  bool train = false;  // forward + backward + optimizer step; else inference (eval mode, no grad)
  int warmup = 2;
  int steps = 3;
};

struct RunResult {
  std::vector<double> step_ns;  // wall time of each recorded step
  double median_step_ns() const;
  double total_ns() const;  // all recorded steps
  double mean_step_ns() const { return step_ns.empty() ? 0 : total_ns() / static_cast<double>(step_ns.size()); }
};

// Runs the workload (names the model's modules in `p` first). opt may be null for inference;
// training requires it and a loss. The model is left in train() or eval() mode as run.
RunResult run_profiled(Profiler& p, const Workload& w, optim::Optimizer* opt, const RunOptions& o);

}  // namespace tt::profile
