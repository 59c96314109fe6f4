// How a 2-D strided view is handed to the GEMM: pointer, leading dimension and transpose flag.
// A row-major view (stride 1 along columns) or a transposed one (stride 1 along rows) goes as is;
// anything else is first copied to contiguous memory (`holder` keeps that copy alive).
#pragma once
#include "core/tensor.h"
#include "ops/ops.h"

namespace tt::ops {

struct GemmOperand {
  const void* ptr;
  int64_t ld;
  bool trans;
  Tensor holder;
};

inline GemmOperand gemm_operand(const Tensor& t) {
  const int64_t r = t.shape()[0], c = t.shape()[1], s0 = t.strides()[0], s1 = t.strides()[1];
  if ((s1 == 1 || c == 1) && s0 >= std::max<int64_t>(c, 1)) return {t.raw_data(), s0, false, {}};
  if ((s0 == 1 || r == 1) && s1 >= std::max<int64_t>(r, 1)) return {t.raw_data(), s1, true, {}};
  Tensor cont = contiguous(t);
  return {cont.raw_data(), std::max<int64_t>(c, 1), false, cont};
}

}  // namespace tt::ops
