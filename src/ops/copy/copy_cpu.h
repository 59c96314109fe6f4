// Strided copy with dtype conversion: the one kernel behind contiguous(), clone(), to(), copy_().
#pragma once
#include "core/tensor.h"

namespace tt::kernels {
// dst[i] = static_cast<dst type>(src[i]) for src broadcast to dst's shape. Never throws.
void copy_cpu(const Tensor& dst, const Tensor& src);
// dst[i] = value (converted to dst's dtype).
void fill_cpu(const Tensor& dst, double value);
}  // namespace tt::kernels
