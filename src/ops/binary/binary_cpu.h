// Elementwise binary kernels (one per BinaryKind), over broadcast strided views.
#pragma once
#include "core/tensor.h"

namespace tt::kernels {

enum class BinaryKind { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, And, Or };

// out = a (op) b, a and b broadcast to out's shape. For arithmetic kinds a, b and out share one
// dtype; comparisons and logical kinds write bool. Add/Sub compute a ± alpha·b. `out` may alias
// `a` (in-place update). Never throws.
void binary_cpu(BinaryKind kind, const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1.0);

}  // namespace tt::kernels
