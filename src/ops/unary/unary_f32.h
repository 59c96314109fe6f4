// Float32 rows of the unary kinds whose value or derivative needs a transcendental function, computed
// in blocks through the vector math of vec_math.h (the generic loops in unary_cpu.cpp would call
// scalar libm per element). Formulas are those of unary_cpu.cpp. Kernels: never throw, one thread
// (callers split rows), y may alias x.
#pragma once
#include <cstdint>

#include "ops/unary/unary_cpu.h"

namespace tt::kernels {

// Kinds served here: forward of exp, log, tanh, sigmoid, gelu, gelu_tanh, silu, elu; backward of
// gelu, gelu_tanh, silu (the other kinds' derivatives are arithmetic on x and y, which the
// generic loop already vectorises).
constexpr bool has_f32_forward(UnaryKind k) {
  return k == UnaryKind::Exp || k == UnaryKind::Log || k == UnaryKind::Tanh || k == UnaryKind::Sigmoid ||
         k == UnaryKind::Gelu || k == UnaryKind::GeluTanh || k == UnaryKind::Silu || k == UnaryKind::Elu;
}
constexpr bool has_f32_backward(UnaryKind k) {
  return k == UnaryKind::Gelu || k == UnaryKind::GeluTanh || k == UnaryKind::Silu;
}

// y[i·sy] = f(x[i·sx]), i < n; strides in elements (1 = contiguous, the fast case). p: the slope
// or alpha of unary_cpu. Requires has_f32_forward(k).
void unary_f32_forward(UnaryKind k, const float* x, int64_t sx, float* y, int64_t sy, int64_t n, float p);
// dx[i·sdx] = dy[i·sdy] · f'(x[i·sx]). Requires has_f32_backward(k).
void unary_f32_backward(UnaryKind k, const float* dy, int64_t sdy, const float* x, int64_t sx, float* dx,
                        int64_t sdx, int64_t n);

}  // namespace tt::kernels
