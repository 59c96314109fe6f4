// Implementation of bench/train_loop.h (shared by suite_mlp.cpp and suite_cnn.cpp).
#include "bench/train_loop.h"

#include <algorithm>
#include <fmt/core.h>
#include <iostream>

#include "bench/harness.h"
#include "tinytorch.h"

namespace tt::bench {

// One optimisation step on a batch; returns the loss.
double train_step(nn::Module& model, optim::Optimizer& opt, const data::Batch& b) {
  Tensor loss = cross_entropy(model(b.x), b.y);
  opt.zero_grad();
  loss.backward();
  opt.step();
  return loss.item<double>();
}

// Test accuracy in percent (batches of 1000, eval mode, no autograd).
double evaluate(nn::Module& model, const data::TensorDataset& test) {
  NoGradGuard ng;
  model.eval();
  int64_t correct = 0, n = test.size();
  for (int64_t i = 0; i < n; i += 1000) {
    int64_t len = std::min<int64_t>(1000, n - i);
    Tensor pred = argmax(model(test.x().narrow(0, i, len)), 1);
    correct += sum(eq(pred, test.y().narrow(0, i, len))).item<int64_t>();
  }
  model.train();
  return 100.0 * static_cast<double>(correct) / static_cast<double>(n);
}

// kEpochs epochs; the timed region of each is its loop (shuffle + batches + steps), as the peer's.
TrainFigures train_epochs(nn::Module& model, optim::Optimizer& opt, data::DataLoader& loader,
                          const data::TensorDataset& test, int epochs, const std::string& label) {
  std::vector<double> epoch_s;
  TrainFigures f;
  for (int e = 0; e < epochs; ++e) {
    int64_t t0 = clock_ns();
    loader.start_epoch(e);
    double loss_sum = 0;
    int64_t steps = 0;
    data::Batch b;
    while (loader.next(b)) loss_sum += train_step(model, opt, b), ++steps;
    epoch_s.push_back((clock_ns() - t0) * 1e-9);
    f.test_acc = evaluate(model, test);
    std::cout << fmt::format("ours: {} epoch {} {:.3f} s ({:.0f} samples/s), train loss {:.4f}, test acc {:.2f}%\n", label, e + 1,
                             epoch_s.back(), loader.size() / epoch_s.back(), loss_sum / std::max<int64_t>(steps, 1),
                             f.test_acc)
              << std::flush;
  }
  std::sort(epoch_s.begin(), epoch_s.end());
  const size_t m = epoch_s.size();
  const double med = m % 2 ? epoch_s[m / 2] : 0.5 * (epoch_s[m / 2 - 1] + epoch_s[m / 2]);
  f.samples_per_s = static_cast<double>(loader.size()) / med;
  return f;
}

// System allocations (allocator cache misses) per training step after a warm-up; target 0.
double system_allocs_per_step(nn::Module& model, optim::Optimizer& opt, data::DataLoader& loader, int epoch) {
  constexpr int kAllocWarmupSteps = 20, kAllocSteps = 100;
  loader.start_epoch(epoch);
  data::Batch b;
  for (int i = 0; i < kAllocWarmupSteps && loader.next(b); ++i) train_step(model, opt, b);
  const MemoryStats before = memory_stats();
  int steps = 0;
  for (; steps < kAllocSteps && loader.next(b); ++steps) train_step(model, opt, b);
  const MemoryStats after = memory_stats();
  loader.start_epoch(0, loader.num_batches());  // an empty epoch: stops the prefetch worker
  steps = std::max(steps, 1);
  const double allocs = static_cast<double>(after.system_allocs - before.system_allocs) / steps;
  std::cout << fmt::format("ours: {:.2f} system allocations/step, {:.1f} allocator requests/step over {} steps "
                           "(target 0 system allocations)\n",
                           allocs, static_cast<double>(after.requests - before.requests) / steps, steps);
  return allocs;
}

}  // namespace tt::bench
