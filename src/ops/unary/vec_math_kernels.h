// Private to src/ops/unary: the per-ISA array loops of vec_math.h behind one table, so the
// dispatch in vec_math.cpp stays ISA-free (the pattern of ops/matmul/gemm_kernels.h).
#pragma once
#include <cstdint>

namespace tt::kernels::detail {

using VecMathFn = void (*)(const float* x, float* y, int64_t n);
using VecMathGradFn = void (*)(const float* dy, const float* x, float* dx, int64_t n);

struct VecMathIsa {
  const char* name;
  VecMathFn exp, expm1, log, tanh, erf, sigmoid, gelu;
  VecMathGradFn gelu_backward;
};

// Tables for the SIMD loops; each returns nullptr when its ISA is missing on this CPU.
const VecMathIsa* vec_math_isa_avx512();
const VecMathIsa* vec_math_isa_avx2();
const VecMathIsa* vec_math_isa_scalar();

}  // namespace tt::kernels::detail
