// Convolution layers (see conv.h). The constructors check what PyTorch's constructors check
// (channels divisible by groups, sizes in range, "same" only with stride 1); shapes of the input
// are checked per call, by forward and then by the op.
#include "nn/conv.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "nn/init.h"

namespace tt::nn {
namespace {

// PyTorch's tuple reprs "(3, 3)" and "(3,)" (a stream: GCC 12 warns falsely on "(" + std::string).
std::string tuple(IntPair v) {
  std::ostringstream os;
  os << "(" << v.h << ", " << v.w << ")";
  return os.str();
}
std::string tuple(int64_t v) {
  std::ostringstream os;
  os << "(" << v << ",)";
  return os.str();
}

void check_sizes(const char* type, const char* what, IntPair v, int64_t min) {
  TT_CHECK(v.h >= min && v.w >= min, type, ": ", what, " must be >= ", min, ", got ", tuple(v));
}

void check_padding(const char* type, const ConvPadding& p, IntPair stride) {
  if (!p.same) return check_sizes(type, "padding", {p.h, p.w}, 0);
  TT_CHECK(stride.h == 1 && stride.w == 1, type, ": padding=\"same\" needs stride 1, got stride ", tuple(stride));
}

std::string padding_repr(const ConvPadding& p, bool one_d) {
  if (p.same) return ", padding=same";
  if (p.valid) return ", padding=valid";
  if (p.h == 0 && p.w == 0) return "";
  return ", padding=" + (one_d ? tuple(p.w) : tuple(IntPair{p.h, p.w}));
}

}  // namespace

ConvModule::ConvModule(const char* type, int64_t in, int64_t out, int64_t groups, const Shape& weight_shape,
                       bool bias, Generator* gen, DType dtype)
    : in_channels(in), out_channels(out), groups(groups) {
  TT_CHECK(in >= 0 && out >= 0, type, ": in_channels and out_channels must be >= 0, got ", in, " and ", out);
  TT_CHECK(groups >= 1, type, ": groups must be >= 1, got ", groups);
  TT_CHECK(in % groups == 0, type, ": in_channels ", in, " must be divisible by groups ", groups);
  TT_CHECK(out % groups == 0, type, ": out_channels ", out, " must be divisible by groups ", groups);
  TT_CHECK(is_floating(dtype), type, ": dtype must be floating, got ", dtype);
  weight = register_parameter("weight", empty(weight_shape, dtype));
  if (bias) this->bias = register_parameter("bias", empty(Shape{out}, dtype));
  reset_parameters(gen);
}

void ConvModule::reset_parameters(Generator* gen) {
  const int64_t fan_in = init::fan_in_and_fan_out(weight).first;
  if (fan_in == 0) return;  // no inputs: PyTorch's init would divide by zero
  init::kaiming_uniform_(weight, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    init::uniform_(bias, -bound, bound, gen);
  }
}

std::string ConvModule::repr_head(const std::string& kernel, const std::string& stride) const {
  return std::to_string(in_channels) + ", " + std::to_string(out_channels) + ", kernel_size=" + kernel +
         ", stride=" + stride;
}

std::string ConvModule::repr_tail() const {
  std::string s;
  if (groups != 1) s += ", groups=" + std::to_string(groups);
  if (!bias.defined()) s += ", bias=False";
  return s;
}

void ConvModule::check_input(const Tensor& x, int rank, const char* layout) const {
  TT_CHECK(x.defined() && x.dim() == rank && x.shape()[1] == in_channels, type_name(), "(", extra_repr(),
           "): expected input ", layout, " with C = ", in_channels, ", got shape ", x.defined() ? x.shape() : Shape{});
}

Conv2d::Conv2d(int64_t in, int64_t out, IntPair kernel_size, IntPair stride, ConvPadding padding, IntPair dilation,
               int64_t groups, bool bias, Generator* gen, DType dtype)
    : ConvModule("Conv2d", in, out, groups,
                 Shape{out, groups >= 1 ? in / groups : in, std::max<int64_t>(kernel_size.h, 0),
                       std::max<int64_t>(kernel_size.w, 0)},
                 bias, gen, dtype),
      kernel_size(kernel_size), stride(stride), dilation(dilation), padding(padding) {
  check_sizes("Conv2d", "kernel_size", kernel_size, 1);
  check_sizes("Conv2d", "stride", stride, 1);
  check_sizes("Conv2d", "dilation", dilation, 1);
  check_padding("Conv2d", padding, stride);
}

Tensor Conv2d::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  check_input(x, 4, "[N, C, H, W]");
  return conv2d(x, weight, bias, {.stride = stride, .padding = padding, .dilation = dilation, .groups = groups});
}

std::string Conv2d::extra_repr() const {
  std::string s = repr_head(tuple(kernel_size), tuple(stride)) + padding_repr(padding, false);
  if (dilation.h != 1 || dilation.w != 1) s += ", dilation=" + tuple(dilation);
  return s + repr_tail();
}

Conv1d::Conv1d(int64_t in, int64_t out, int64_t kernel_size, int64_t stride, ConvPadding padding, int64_t dilation,
               int64_t groups, bool bias, Generator* gen, DType dtype)
    : ConvModule("Conv1d", in, out, groups,
                 Shape{out, groups >= 1 ? in / groups : in, std::max<int64_t>(kernel_size, 0)}, bias, gen, dtype),
      kernel_size(kernel_size), stride(stride), dilation(dilation), padding(padding) {
  check_sizes("Conv1d", "kernel_size", kernel_size, 1);
  check_sizes("Conv1d", "stride", stride, 1);
  check_sizes("Conv1d", "dilation", dilation, 1);
  TT_CHECK(padding.same || padding.h == padding.w, "Conv1d: padding must be one value, \"valid\" or \"same\"");
  check_padding("Conv1d", padding, stride);
}

Tensor Conv1d::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  check_input(x, 3, "[N, C, L]");
  return conv1d(x, weight, bias, {.stride = stride, .padding = padding, .dilation = dilation, .groups = groups});
}

std::string Conv1d::extra_repr() const {
  std::string s = repr_head(tuple(kernel_size), tuple(stride)) + padding_repr(padding, true);
  if (dilation != 1) s += ", dilation=" + tuple(dilation);
  return s + repr_tail();
}

ConvTranspose2d::ConvTranspose2d(int64_t in, int64_t out, IntPair kernel_size, IntPair stride, IntPair padding,
                                 IntPair output_padding, int64_t groups, bool bias, IntPair dilation, Generator* gen,
                                 DType dtype)
    : ConvModule("ConvTranspose2d", in, out, groups,
                 Shape{in, groups >= 1 ? out / groups : out, std::max<int64_t>(kernel_size.h, 0),
                       std::max<int64_t>(kernel_size.w, 0)},
                 bias, gen, dtype),
      kernel_size(kernel_size), stride(stride), padding(padding), output_padding(output_padding), dilation(dilation) {
  check_sizes("ConvTranspose2d", "kernel_size", kernel_size, 1);
  check_sizes("ConvTranspose2d", "stride", stride, 1);
  check_sizes("ConvTranspose2d", "dilation", dilation, 1);
  check_sizes("ConvTranspose2d", "padding", padding, 0);
  check_sizes("ConvTranspose2d", "output_padding", output_padding, 0);
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  check_input(x, 4, "[N, C, H, W]");
  return conv_transpose2d(x, weight, bias,
                          {.stride = stride, .padding = padding, .output_padding = output_padding,
                           .groups = groups, .dilation = dilation});
}

std::string ConvTranspose2d::extra_repr() const {
  std::string s = repr_head(tuple(kernel_size), tuple(stride));
  if (padding.h != 0 || padding.w != 0) s += ", padding=" + tuple(padding);
  if (dilation.h != 1 || dilation.w != 1) s += ", dilation=" + tuple(dilation);
  if (output_padding.h != 0 || output_padding.w != 0) s += ", output_padding=" + tuple(output_padding);
  return s + repr_tail();
}

}  // namespace tt::nn
