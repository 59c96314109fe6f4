// Op `slice_backward`: the adjoint of slice/select — a zero tensor of the input's shape with the
// gradient written into the sliced region. Its own backward is the slice of its gradient.
#pragma once
#include "core/tensor.h"

namespace tt {
Tensor slice_backward(const Tensor& g, const Shape& in_shape, int64_t dim, int64_t start, int64_t end,
                      int64_t step);
}
