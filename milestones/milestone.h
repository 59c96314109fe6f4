// Milestones: short programs against the public API that re-create the history of neural nets
// (Perceptron 1958, XOR 1969, MLP 1986, ...). Each reports metrics and whether it reached its bar.
// One explicit list (milestones()); `tito milestone run NAME` runs one.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/generator.h"
#include "nn/layers.h"
#include "nn/transformer.h"

namespace tt::milestones {

struct MilestoneArgs {
  int64_t epochs = -1;  // -1: the milestone's default
  uint64_t seed = 0;
  bool quiet = false;   // no progress bars
  std::string out_dir;  // where plots and logs go
  std::string cifar10_dir;  // cnn: also train on CIFAR-10 from this folder (empty: skip)
};

struct MilestoneResult {
  bool passed = false;
  std::map<std::string, double> metrics;
};

struct Milestone {
  const char* name;
  int year;
  const char* title;
  const char* goal;  // the bar it must reach
  MilestoneResult (*run)(const MilestoneArgs&);
};

const std::vector<Milestone>& milestones();

MilestoneResult run_perceptron(const MilestoneArgs& a);
MilestoneResult run_xor(const MilestoneArgs& a);
MilestoneResult run_mlp(const MilestoneArgs& a);
MilestoneResult run_cnn(const MilestoneArgs& a);
MilestoneResult run_transformer(const MilestoneArgs& a);

// The milestones' models, for `tito profile` and anyone who wants them without the training:
// the 1986 MLP 784-512-256-10 (ReLU, dropout 0.2) on [N, 1, 28, 28]; the 1998 LeNet-style CNN on
// [N, 1, 28, 28]; the 2017 char-level GPT's configuration (4 layers, d 128, 4 heads, context 128).
std::shared_ptr<nn::Sequential> mlp_model(Generator* g);
std::shared_ptr<nn::Sequential> lenet_model(Generator* g);
nn::GPTConfig kjv_gpt_config(int64_t vocab);

}  // namespace tt::milestones
