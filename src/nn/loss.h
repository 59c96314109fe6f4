// Loss modules: configured once, called as loss(input, target). Thin wrappers over
// nn::functional (formulas there).
#pragma once
#include <string>

#include "nn/functional.h"

namespace tt::nn {

struct MSELoss {
  std::string reduction = "mean";
  Tensor operator()(const Tensor& x, const Tensor& y) const { return functional::mse_loss(x, y, reduction); }
};
struct L1Loss {
  std::string reduction = "mean";
  Tensor operator()(const Tensor& x, const Tensor& y) const { return functional::l1_loss(x, y, reduction); }
};
struct HuberLoss {
  std::string reduction = "mean";
  double delta = 1.0;
  Tensor operator()(const Tensor& x, const Tensor& y) const { return functional::huber_loss(x, y, reduction, delta); }
};
struct CrossEntropyLoss {
  std::string reduction = "mean";
  int64_t ignore_index = -100;
  double label_smoothing = 0.0;
  Tensor operator()(const Tensor& logits, const Tensor& target) const {
    return functional::cross_entropy(logits, target, reduction, ignore_index, label_smoothing);
  }
};
struct NLLLoss {
  std::string reduction = "mean";
  int64_t ignore_index = -100;
  Tensor operator()(const Tensor& logp, const Tensor& target) const {
    return functional::nll_loss(logp, target, reduction, ignore_index);
  }
};
struct BCELoss {
  std::string reduction = "mean";
  Tensor operator()(const Tensor& p, const Tensor& y) const { return functional::binary_cross_entropy(p, y, reduction); }
};
struct BCEWithLogitsLoss {
  std::string reduction = "mean";
  Tensor operator()(const Tensor& x, const Tensor& y) const {
    return functional::binary_cross_entropy_with_logits(x, y, reduction);
  }
};

}  // namespace tt::nn
