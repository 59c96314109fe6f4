// Normalisation layer implementations (see normalization.h).
#include "nn/normalization.h"

#include <sstream>

#include "nn/init.h"

namespace tt::nn {

LayerNorm::LayerNorm(Shape shape, double eps, bool affine, DType dtype)
    : normalized_shape(shape), eps(eps), elementwise_affine(affine) {
  TT_CHECK(!shape.empty(), "LayerNorm: normalized_shape must have at least one dim, got ", shape);
  for (int64_t d : shape) TT_CHECK(d >= 0, "LayerNorm: normalized_shape dims must be >= 0, got ", shape);
  TT_CHECK(eps >= 0, "LayerNorm: eps must be >= 0, got ", eps);
  TT_CHECK(is_floating(dtype), "LayerNorm: dtype must be floating, got ", dtype);
  if (affine) {
    weight = register_parameter("weight", empty(shape, dtype));
    bias = register_parameter("bias", empty(shape, dtype));
  }
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (!elementwise_affine) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor LayerNorm::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  return layer_norm(x, normalized_shape, weight, bias, eps);
}

std::string LayerNorm::extra_repr() const {
  std::ostringstream os;  // PyTorch prints the shape as a Python tuple: (64,) or (2, 3)
  os << "(";
  for (int i = 0; i < normalized_shape.size(); ++i) os << (i ? ", " : "") << normalized_shape[i];
  os << (normalized_shape.size() == 1 ? ",)" : ")") << ", eps=" << eps
     << ", elementwise_affine=" << (elementwise_affine ? "True" : "False");
  return os.str();
}

RMSNorm::RMSNorm(int64_t size, double eps, bool affine, DType dtype)
    : normalized_shape{size}, eps(eps), elementwise_affine(affine) {
  TT_CHECK(size >= 1, "RMSNorm: normalized size must be >= 1, got ", size);
  TT_CHECK(eps >= 0, "RMSNorm: eps must be >= 0, got ", eps);
  TT_CHECK(is_floating(dtype), "RMSNorm: dtype must be floating, got ", dtype);
  if (affine) {
    weight = register_parameter("weight", empty(normalized_shape, dtype));
    init::ones_(weight);
  }
}

Tensor RMSNorm::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  return rms_norm(x, normalized_shape, weight, eps);
}

std::string RMSNorm::extra_repr() const {
  std::ostringstream os;
  os << "(" << normalized_shape[0] << ",), eps=" << eps << ", elementwise_affine=" << (elementwise_affine ? "True" : "False");
  return os.str();
}

}  // namespace tt::nn
