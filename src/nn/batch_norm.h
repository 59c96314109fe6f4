// Batch normalisation layers, as torch.nn.BatchNorm1d / BatchNorm2d (Ioffe & Szegedy 2015):
// y = (x − μ)/√(σ² + eps)·weight + bias per channel (dim 1). In training μ, σ² are the batch's and
// the running statistics move toward them; in evaluation the running statistics are used (docs/nn.md,
// "Pooling, BatchNorm, Dropout2d"). state_dict names and init follow PyTorch: weight (ones), bias
// (zeros), running_mean (zeros), running_var (ones), num_batches_tracked (int64 scalar 0). The op
// and its fused kernels are ops/batch_norm.
#pragma once
#include <optional>
#include <string>

#include "nn/module.h"
#include "ops/ops.h"

namespace tt::nn {

// PyTorch's _BatchNorm: everything but the accepted input ranks.
class BatchNormBase : public Module {
 public:
  // momentum: the weight of the batch statistics in the running average; std::nullopt (PyTorch's
  // None) gives the cumulative average, weight 1/num_batches_tracked.
  BatchNormBase(int64_t num_features, double eps, std::optional<double> momentum, bool affine,
                bool track_running_stats, DType dtype);
  Tensor forward(const Tensor& x) override;
  // "8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True"
  std::string extra_repr() const override;
  void reset_running_stats();  // running_mean = 0, running_var = 1, num_batches_tracked = 0
  void reset_parameters();     // reset_running_stats(), weight = 1, bias = 0

  int64_t num_features;
  double eps;
  std::optional<double> momentum;
  bool affine, track_running_stats;
  Tensor weight, bias;                                         // [C], or undefined without affine
  Tensor running_mean, running_var, num_batches_tracked;       // [C], [C], int64 []; or undefined

 protected:
  virtual void check_input_dim(const Tensor& x) const = 0;
};

// Input [N, C] or [N, C, L].
class BatchNorm1d : public BatchNormBase {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true, DType dtype = kFloat32)
      : BatchNormBase(num_features, eps, momentum, affine, track_running_stats, dtype) {}
  std::string type_name() const override { return "BatchNorm1d"; }

 protected:
  void check_input_dim(const Tensor& x) const override;
};

// Input [N, C, H, W].
class BatchNorm2d : public BatchNormBase {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true, DType dtype = kFloat32)
      : BatchNormBase(num_features, eps, momentum, affine, track_running_stats, dtype) {}
  std::string type_name() const override { return "BatchNorm2d"; }

 protected:
  void check_input_dim(const Tensor& x) const override;
};

}  // namespace tt::nn
