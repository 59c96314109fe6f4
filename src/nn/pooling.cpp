// Pooling layers and Dropout2d (see pooling.h).
#include "nn/pooling.h"

#include <sstream>

namespace tt::nn {
namespace {

// A window argument as PyTorch prints it: an int, or a tuple when it was given as (h, w).
std::string fmt_arg(const Pool2dArg& a) {
  std::ostringstream os;  // (not string operator+: GCC 12 gives a false -Wrestrict on that chain)
  if (a.pair) os << "(" << a.h << ", " << a.w << ")";
  else os << a.h;
  return os.str();
}
const char* fmt_bool(bool b) { return b ? "True" : "False"; }

}  // namespace

namespace functional {
Tensor dropout2d(const Tensor& x, double p, bool training, Generator* gen) {
  TT_CHECK(p >= 0 && p <= 1, "dropout2d: probability must be in [0, 1], got ", p);
  TT_CHECK(x.defined(), "dropout2d: undefined input tensor");
  TT_CHECK(x.dim() == 3 || x.dim() == 4, "dropout2d: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ",
           x.shape());
  if (!training || p == 0) return x;
  if (p == 1) return x * 0.0;
  Shape mask_shape = x.shape();  // [N, C, 1, 1] or [C, 1, 1]: one draw per channel plane
  mask_shape[mask_shape.size() - 1] = mask_shape[mask_shape.size() - 2] = 1;
  // Inverted dropout: kept planes are scaled by 1/(1 − p), so evaluation needs no rescaling.
  Tensor mask = bernoulli(mask_shape, 1.0 - p, gen, x.dtype());
  return x * (mask * (1.0 / (1.0 - p)));
}
}  // namespace functional

MaxPool2d::MaxPool2d(Pool2dArg kernel_size, Pool2dArg stride, Pool2dArg padding, Pool2dArg dilation, bool ceil_mode)
    : kernel_size(kernel_size), stride(stride.given ? stride : kernel_size), padding(padding), dilation(dilation),
      ceil_mode(ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  return max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode);
}

std::string MaxPool2d::extra_repr() const {
  return "kernel_size=" + fmt_arg(kernel_size) + ", stride=" + fmt_arg(stride) + ", padding=" + fmt_arg(padding) +
         ", dilation=" + fmt_arg(dilation) + ", ceil_mode=" + fmt_bool(ceil_mode);
}

AvgPool2d::AvgPool2d(Pool2dArg kernel_size, Pool2dArg stride, Pool2dArg padding, bool ceil_mode,
                     bool count_include_pad)
    : kernel_size(kernel_size), stride(stride.given ? stride : kernel_size), padding(padding), ceil_mode(ceil_mode),
      count_include_pad(count_include_pad) {}

Tensor AvgPool2d::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  return avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

std::string AvgPool2d::extra_repr() const {
  return "kernel_size=" + fmt_arg(kernel_size) + ", stride=" + fmt_arg(stride) + ", padding=" + fmt_arg(padding);
}

std::string AdaptiveAvgPool2d::extra_repr() const { return "output_size=" + fmt_arg(output_size); }

Dropout2d::Dropout2d(double p, Generator* gen) : p(p), gen_(gen) {
  TT_CHECK(p >= 0 && p <= 1, "Dropout2d: probability must be in [0, 1], got ", p);
}

std::string Dropout2d::extra_repr() const {
  std::ostringstream os;
  os << "p=" << p << ", inplace=False";
  return os.str();
}

}  // namespace tt::nn
