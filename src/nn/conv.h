// Convolution layers, as torch.nn.Conv2d, Conv1d and ConvTranspose2d on NCHW (NCL) tensors: same
// constructor arguments, state_dict names (weight, bias), weight layouts, default init and printed
// form. Default init (PyTorch's _ConvNd.reset_parameters): weight ~ kaiming_uniform(a = √5), i.e.
// U(±1/√fan_in), bias ~ U(±1/√fan_in), fan_in = weight.size(1)·kH·kW. The ops are ops/conv.
#pragma once
#include <string>

#include "core/generator.h"
#include "nn/module.h"
#include "ops/ops.h"

namespace tt::nn {

// What the three layers share: channels, groups, weight and optional bias, and their init.
class ConvModule : public Module {
 public:
  void reset_parameters(Generator* gen = nullptr);

  int64_t in_channels, out_channels, groups;
  Tensor weight, bias;  // bias [out_channels] or undefined

 protected:
  ConvModule(const char* type, int64_t in_channels, int64_t out_channels, int64_t groups, const Shape& weight_shape,
             bool bias, Generator* gen, DType dtype);
  // "in, out, kernel_size=(3, 3), stride=(1, 1)" and the non-default options PyTorch prints.
  std::string repr_head(const std::string& kernel, const std::string& stride) const;
  std::string repr_tail() const;  // ", groups=2", ", bias=False" when not the defaults
  // Throws unless x is [N, in_channels, spatial...] with `rank` dims.
  void check_input(const Tensor& x, int rank, const char* layout) const;
};

class Conv2d : public ConvModule {
 public:
  // weight [out_channels, in_channels/groups, kH, kW]; padding an int, a pair, "valid" or "same".
  Conv2d(int64_t in_channels, int64_t out_channels, IntPair kernel_size, IntPair stride = 1, ConvPadding padding = 0,
         IntPair dilation = 1, int64_t groups = 1, bool bias = true, Generator* gen = nullptr, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;  // x [N, in_channels, H, W]
  std::string type_name() const override { return "Conv2d"; }
  std::string extra_repr() const override;  // "1, 8, kernel_size=(3, 3), stride=(1, 1)"

  IntPair kernel_size, stride, dilation;
  ConvPadding padding;
};

class Conv1d : public ConvModule {
 public:
  // weight [out_channels, in_channels/groups, kernel_size]; padding an int, "valid" or "same".
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1, ConvPadding padding = 0,
         int64_t dilation = 1, int64_t groups = 1, bool bias = true, Generator* gen = nullptr, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;  // x [N, in_channels, L]
  std::string type_name() const override { return "Conv1d"; }
  std::string extra_repr() const override;  // "16, 33, kernel_size=(3,), stride=(2,)"

  int64_t kernel_size, stride, dilation;
  ConvPadding padding;
};

class ConvTranspose2d : public ConvModule {
 public:
  // weight [in_channels, out_channels/groups, kH, kW] (PyTorch's transposed layout).
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, IntPair kernel_size, IntPair stride = 1,
                  IntPair padding = 0, IntPair output_padding = 0, int64_t groups = 1, bool bias = true,
                  IntPair dilation = 1, Generator* gen = nullptr, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;  // x [N, in_channels, H, W]
  std::string type_name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;

  IntPair kernel_size, stride, padding, output_padding, dilation;
};

}  // namespace tt::nn
