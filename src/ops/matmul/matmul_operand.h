// How a 2-D strided view, or a batch of them (3-D, item i at batch_stride·i), is handed to the
// GEMM: pointer, leading dimension and transpose flag. A row-major view (stride 1 along columns)
// or a transposed one (stride 1 along rows) goes as is; anything else is first copied to
// contiguous memory (`holder` keeps that copy alive).
#pragma once
#include <algorithm>

#include "core/tensor.h"
#include "ops/ops.h"

namespace tt::ops {

struct GemmOperand {
  const void* ptr;
  int64_t ld;
  bool trans;
  Tensor holder;
  int64_t batch_stride = 0;  // elements between items (3-D operands)
};

// t: [R, C] or [batch, R, C]; the matrix form is read from the last two dims.
inline GemmOperand gemm_operand(const Tensor& t) {
  const int64_t r = t.size(-2), c = t.size(-1), s0 = t.stride(-2), s1 = t.stride(-1);
  const int64_t bs = t.dim() == 3 ? t.stride(0) : 0;
  if ((s1 == 1 || c == 1) && s0 >= std::max<int64_t>(c, 1)) return {t.raw_data(), s0, false, {}, bs};
  if ((s0 == 1 || r == 1) && s1 >= std::max<int64_t>(r, 1)) return {t.raw_data(), s1, true, {}, bs};
  Tensor cont = contiguous(t);
  return {cont.raw_data(), std::max<int64_t>(c, 1), false, cont, t.dim() == 3 ? r * c : 0};
}

}  // namespace tt::ops
