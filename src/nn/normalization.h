// Normalisation layers: LayerNorm and RMSNorm. LayerNorm follows torch.nn.LayerNorm: normalise over the trailing dims
// `normalized_shape`, y = (x − mean)/√(var + eps)·weight + bias (Ba, Kiros & Hinton 2016), with
// weight initialised to ones and bias to zeros (state_dict names "weight", "bias"), both absent when
// elementwise_affine is false. The op and its fused kernels are ops/layer_norm.
#pragma once
#include <string>

#include "nn/module.h"
#include "ops/ops.h"

namespace tt::nn {

class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true,
                     DType dtype = kFloat32);
  explicit LayerNorm(int64_t normalized_size, double eps = 1e-5, bool elementwise_affine = true,
                     DType dtype = kFloat32)
      : LayerNorm(Shape{normalized_size}, eps, elementwise_affine, dtype) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;  // "(64,), eps=1e-05, elementwise_affine=True"
  void reset_parameters();

  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight, bias;  // normalized_shape each, or undefined
};

// RMSNorm (Zhang & Sennrich 2019), as torch.nn.RMSNorm: y = x / √(mean(x²) + eps) · weight over
// the trailing dims normalized_shape; weight initialised to ones, no bias, no mean subtraction
// (cheaper than LayerNorm: one statistic instead of two). The op is ops/rms_norm.
class RMSNorm : public Module {
 public:
  explicit RMSNorm(int64_t normalized_size, double eps = 1e-6, bool elementwise_affine = true,
                   DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "RMSNorm"; }
  std::string extra_repr() const override;  // "(64,), eps=1e-06, elementwise_affine=True"

  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight;  // normalized_shape, or undefined
};

}  // namespace tt::nn
