// What the convolution ops share besides kernels: argument checks (each names the op and the
// offending shapes or values), the GEMM-equivalent FLOP count, and scratch allocation.
// Used by conv2d.cpp (conv2d, conv1d) and conv_transpose2d.cpp only.
#pragma once
#include <string>

#include "core/tensor.h"
#include "ops/conv/conv_cpu.h"
#include "ops/ops.h"

namespace tt::conv_detail {

// "(3, 3)" for a 2-D op, "3" for conv1d (spatial == 1, which reads v.w).
std::string fmt_pair(IntPair v, int spatial);

// x and weight defined, of rank 2 + spatial, one floating dtype shared with the bias (if defined).
// x_dims, w_dims describe the expected layouts in the message, e.g. "[N, C, H, W]".
void check_tensors(const char* op, const Tensor& x, const Tensor& w, const Tensor& b, int spatial,
                   const char* x_dims, const char* w_dims);
// Both components of v are >= min (stride and dilation >= 1, padding >= 0).
void check_at_least(const char* op, const char* what, IntPair v, int64_t min, int spatial);
// Kernel dims >= 1 and groups >= 1.
void check_kernel_and_groups(const char* op, const Tensor& w, int64_t groups);
// bias undefined, or [channels].
void check_bias(const char* op, const Tensor& b, int64_t channels, const Tensor& w);

// Multiply-adds of the GEMM formulation, ×2: 2·n·co·ho·wo·(ci/groups)·kh·kw.
inline double gemm_flops(const kernels::ConvGeometry& g) {
  return 2.0 * static_cast<double>(g.n) * g.co * g.p() * g.k();
}

// A scratch buffer of `elems` elements from the caching allocator (undefined when 0).
inline Tensor scratch(int64_t elems, DType dtype) { return elems > 0 ? empty(Shape{elems}, dtype) : Tensor(); }
template <typename T>
T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

}  // namespace tt::conv_detail
