// Batch normalisation layers (see batch_norm.h).
#include "nn/batch_norm.h"

#include <cmath>
#include <sstream>

#include "core/node.h"
#include "nn/init.h"

namespace tt::nn {

BatchNormBase::BatchNormBase(int64_t num_features, double eps, std::optional<double> momentum, bool affine,
                             bool track_running_stats, DType dtype)
    : num_features(num_features), eps(eps), momentum(momentum), affine(affine),
      track_running_stats(track_running_stats) {
  TT_CHECK(num_features >= 0, "BatchNorm: num_features must be >= 0, got ", num_features);
  TT_CHECK(eps >= 0 && std::isfinite(eps), "BatchNorm: eps must be finite and >= 0, got ", eps);
  TT_CHECK(!momentum || std::isfinite(*momentum), "BatchNorm: momentum must be finite, got ", *momentum);
  TT_CHECK(is_floating(dtype), "BatchNorm: dtype must be floating, got ", dtype);
  if (affine) {
    weight = register_parameter("weight", empty(Shape{num_features}, dtype));
    bias = register_parameter("bias", empty(Shape{num_features}, dtype));
  }
  if (track_running_stats) {
    running_mean = register_buffer("running_mean", empty(Shape{num_features}, dtype));
    running_var = register_buffer("running_var", empty(Shape{num_features}, dtype));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros(Shape{}, kInt64));
  }
  reset_parameters();
}

void BatchNormBase::reset_running_stats() {
  if (!track_running_stats) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

void BatchNormBase::reset_parameters() {
  reset_running_stats();
  if (!affine) return;
  init::ones_(weight);
  init::zeros_(bias);
}

// As PyTorch's _BatchNorm.forward: training with tracked stats counts the batch and picks the
// running-average weight (momentum, or 1/num_batches_tracked for a cumulative average); without
// running stats the batch statistics are used in evaluation too.
Tensor BatchNormBase::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  check_input_dim(x);
  const bool count_batch = is_training() && track_running_stats;
  int64_t* count = count_batch ? num_batches_tracked.data_ptr<int64_t>() : nullptr;
  double factor = 0.0;
  if (count_batch) factor = momentum ? *momentum : 1.0 / static_cast<double>(*count + 1);
  const bool use_batch_stats = is_training() || !running_mean.defined();
  Tensor y = batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats, factor, eps);
  if (count) ++*count;  // after the op: a call that throws leaves every statistic as it was
  return y;
}

std::string BatchNormBase::extra_repr() const {
  std::ostringstream os;
  os << num_features << ", eps=" << eps << ", momentum=";
  if (momentum) os << *momentum;
  else os << "None";
  os << ", affine=" << (affine ? "True" : "False")
     << ", track_running_stats=" << (track_running_stats ? "True" : "False");
  return os.str();
}

void BatchNorm1d::check_input_dim(const Tensor& x) const {
  TT_CHECK(x.defined(), "BatchNorm1d: undefined input tensor");
  TT_CHECK(x.dim() == 2 || x.dim() == 3, "BatchNorm1d: expected a 2-D [N, C] or 3-D [N, C, L] input, got shape ",
           x.shape());
}

void BatchNorm2d::check_input_dim(const Tensor& x) const {
  TT_CHECK(x.defined(), "BatchNorm2d: undefined input tensor");
  TT_CHECK(x.dim() == 4, "BatchNorm2d: expected a 4-D [N, C, H, W] input, got shape ", x.shape());
}

}  // namespace tt::nn
