// Our framework's models as workloads, shared by `tito profile` and `tito sim`: the milestones'
// mlp (1986), cnn (LeNet, 1998) and gpt (the KJV char-level GPT), or a GPT model file, with a
// random batch of the right shape (values do not change the cost) and a loss.
#pragma once
#include <memory>
#include <string>

#include "nn/transformer.h"
#include "profile/session.h"

namespace tito {

struct Target {
  std::string name;
  std::shared_ptr<tt::nn::Module> module;
  std::unique_ptr<tt::nn::GPT> gpt;
  tt::profile::Workload w;
  std::string shape_note;
  int64_t batch = 0, seq = 0;  // as built (seq 0 for image models)
};

// model: "mlp", "cnn", "gpt" or a GPT model file; batch/seq 0 = the defaults (64 images; 32
// sequences of the context); weights: a trainer checkpoint for mlp/cnn. Throws tt::Error.
Target make_target(const std::string& model, int64_t batch, int64_t seq, const std::string& weights = "");

// Whether `model` names one of ours (rather than a zoo entry).
bool is_framework_model(const std::string& model);

}  // namespace tito
