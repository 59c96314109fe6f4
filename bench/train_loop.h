// The training-throughput measurement shared by the `mlp` and `cnn` suites, done the way the
// peer (bench/peers/torch_fmnist.py) does it: each epoch's training loop only (shuffle, batches,
// forward, loss, zero_grad, backward, step), samples/s = examples / median epoch time, test
// accuracy after each epoch outside the timed region; plus allocator misses per steady-state step.
#pragma once
#include <string>

#include "data/dataset.h"
#include "nn/module.h"
#include "optim/optimizer.h"

namespace tt::bench {

// One optimisation step on a batch (cross-entropy); returns the loss.
double train_step(nn::Module& model, optim::Optimizer& opt, const data::Batch& b);

// Test accuracy in percent (batches of 1000, eval mode, no autograd).
double evaluate(nn::Module& model, const data::TensorDataset& test);

struct TrainFigures {
  double samples_per_s = 0, test_acc = 0;
};

// `epochs` epochs; prints one "ours: epoch ..." line each (prefixed by `label`).
TrainFigures train_epochs(nn::Module& model, optim::Optimizer& opt, data::DataLoader& loader,
                          const data::TensorDataset& test, int epochs, const std::string& label);

// System allocations (allocator cache misses) per training step after a warm-up; target 0.
// Uses epoch `epoch` of the loader and stops its prefetch worker afterwards.
double system_allocs_per_step(nn::Module& model, optim::Optimizer& opt, data::DataLoader& loader, int epoch);

}  // namespace tt::bench
