// The shape rule and argument checks shared by the pooling ops (max_pool.cpp, avg_pool.cpp): input
// [N, C, H, W] or [C, H, W] seen as N·C planes, PyTorch's output-size formula and its limits.
// The only place the pooling arguments are validated; the kernels (pool_cpu.h) assume valid input.
#pragma once
#include "core/tensor.h"
#include "ops/ops.h"
#include "ops/pool/pool_cpu.h"

namespace tt::ops {

// x must be a defined floating tensor of 3 or 4 dims with non-zero C, H, W (N may be 0).
void check_pool_input(const char* op, const Tensor& x);

// PyTorch's pooling output size along one dim (pooling_output_shape):
//   out = ⌊(in + 2p − d(k − 1) − 1 + (ceil ? s − 1 : 0)) / s⌋ + 1,
// and with ceil_mode the last window must start inside the input or its left padding:
//   if (out − 1)·s ≥ in + p then out −= 1.
int64_t pool_output_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode);

// Checks input and window arguments (kernel, stride, dilation > 0; 0 ≤ padding ≤ kernel/2; output
// at least 1×1) and returns the geometry; `stride` not given means stride = kernel.
kernels::Pool2dGeom pool2d_geometry(const char* op, const Tensor& x, Pool2dArg kernel, Pool2dArg stride,
                                    Pool2dArg padding, Pool2dArg dilation, bool ceil_mode);

// x's shape with its last two dims replaced by (oh, ow).
Shape pooled_shape(const Tensor& x, int64_t oh, int64_t ow);

}  // namespace tt::ops
