// Elementwise unary kernels and their derivative kernels (one per UnaryKind).
#pragma once
#include "core/tensor.h"

namespace tt::kernels {

enum class UnaryKind {
  Neg, Exp, Log, Log1p, Sqrt, Abs, Sign, Relu, LeakyRelu, Elu, Sigmoid, Tanh, Gelu, GeluTanh, Silu
};

// out = f(x) elementwise; `param` is the slope (LeakyRelu) or alpha (Elu). Never throws.
void unary_cpu(UnaryKind kind, const Tensor& out, const Tensor& x, double param);
// dx = dy · f'(x), given x and y = f(x) (kernels use whichever is cheaper). Never throws.
void unary_backward_cpu(UnaryKind kind, const Tensor& dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                        double param);

}  // namespace tt::kernels
