// Layers for NCHW feature maps that have no parameters: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
// (thin wrappers over the ops of ops/pool, with PyTorch's constructor arguments and repr) and
// Dropout2d (channel dropout: whole [H, W] planes are zeroed together). BatchNorm is in
// nn/batch_norm.h; the element-wise Dropout in nn/layers.h.
#pragma once
#include <string>

#include "core/generator.h"
#include "nn/module.h"
#include "ops/ops.h"

namespace tt::nn {

namespace functional {
// torch.nn.functional.dropout2d on x [N, C, H, W] or [C, H, W] (the latter read as one image, as
// PyTorch ≥ 2.0 does): in training each channel plane is zeroed with probability p and the kept
// ones scaled by 1/(1 − p); in evaluation (or p = 0) x is returned unchanged. The mask, one
// Bernoulli draw per channel, comes from `gen` (the default generator when null: tt::manual_seed).
Tensor dropout2d(const Tensor& x, double p, bool training, Generator* gen = nullptr);
}  // namespace functional

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Pool2dArg kernel_size, Pool2dArg stride = {}, Pool2dArg padding = 0, Pool2dArg dilation = 1,
                     bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MaxPool2d"; }
  // "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False"
  std::string extra_repr() const override;
  Pool2dArg kernel_size, stride, padding, dilation;  // stride: the kernel when not given, as PyTorch
  bool ceil_mode;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Pool2dArg kernel_size, Pool2dArg stride = {}, Pool2dArg padding = 0, bool ceil_mode = false,
                     bool count_include_pad = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;  // "kernel_size=3, stride=2, padding=1" (PyTorch prints only these)
  Pool2dArg kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Pool2dArg output_size) : output_size(output_size) {}
  Tensor forward(const Tensor& x) override {
    TT_MODULE_SPAN();
    return adaptive_avg_pool2d(x, output_size);
  }
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;  // "output_size=1" or "output_size=(2, 3)"
  Pool2dArg output_size;
};

class Dropout2d : public Module {
 public:
  explicit Dropout2d(double p = 0.5, Generator* gen = nullptr);
  Tensor forward(const Tensor& x) override {
    TT_MODULE_SPAN();
    return functional::dropout2d(x, p, is_training(), gen_);
  }
  std::string type_name() const override { return "Dropout2d"; }
  std::string extra_repr() const override;  // "p=0.5, inplace=False"
  double p;

 private:
  Generator* gen_;
};

}  // namespace tt::nn
