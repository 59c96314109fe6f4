// Normalisation layers. LayerNorm follows torch.nn.LayerNorm: normalise over the trailing dims
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

}  // namespace tt::nn
