// nn::functional: stateless activations, dropout and losses (PyTorch's torch.nn.functional names).
// Losses take reduction "mean" | "sum" | "none". Formulas (each matches PyTorch, tests/golden):
//   mse = (x−y)²   l1 = |x−y|   huber = ½d² if d < δ else δ(d − ½δ), d = |x−y|
//   bce = −[y·max(ln p, −100) + (1−y)·max(ln(1−p), −100)]
//   bce_with_logits = max(x,0) − x·y + ln(1 + e^−|x|)   (stable for any |x|)
//   nll = −logp[i, t_i] (ignore_index rows give 0; mean divides by the kept count)
#pragma once
#include <string>

#include "core/generator.h"
#include "ops/ops.h"

namespace tt::nn::functional {

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen = nullptr);

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                  double delta = 1.0);
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const std::string& reduction = "mean",
                     int64_t ignore_index = -100, double label_smoothing = 0.0);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const std::string& reduction = "mean",
                int64_t ignore_index = -100);
Tensor binary_cross_entropy(const Tensor& probs, const Tensor& target, const std::string& reduction = "mean");
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        const std::string& reduction = "mean");
// Applies a reduction to elementwise losses.
Tensor reduce_loss(const Tensor& losses, const std::string& reduction, const char* op);

}  // namespace tt::nn::functional
