// Training checkpoints: model, optimizer and scheduler state, RNG state, step and data-loader
// position in one safetensors file, written atomically (temp file, fsync, rename, directory fsync)
// with an XXH64 checksum over every tensor's bytes and the training state, verified on load.
// Layout: tensors "model/<name>" and "optim/<name>"; metadata "format" = tinytorch-checkpoint-v1,
// "state" = JSON of the scalars below, "checksum" = 16 hex digits. See docs/training.md.
#pragma once
#include <array>
#include <map>
#include <string>

#include "nn/module.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"

namespace tt::io {

struct TrainingState {
  int64_t step = 0;            // optimizer steps taken
  int64_t epoch = 0;           // current epoch
  int64_t batch_in_epoch = 0;  // batches of `epoch` already consumed
  uint64_t loader_seed = 0;
  std::array<uint64_t, 7> rng_state{};  // tt::default_generator() state
  std::map<std::string, double> extra;  // anything else the caller wants to keep (e.g. best accuracy)
};

// opt and sched may be null. Captures tt::default_generator()'s state into the file.
void save_checkpoint(const std::string& path, const nn::Module& model, const optim::Optimizer* opt,
                     const optim::LRScheduler* sched, TrainingState state);
// Verifies format and checksum, then restores model, optimizer, scheduler and the default
// generator; returns the training state. Any mismatch is a tt::Error naming the file.
TrainingState load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer* opt,
                              optim::LRScheduler* sched);

}  // namespace tt::io
