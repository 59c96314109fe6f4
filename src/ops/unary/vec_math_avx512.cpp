// AVX-512 array loops of vec_math.h: 16 lanes per step, the tail under a lane mask (masked-off
// lanes are neither read nor written). Every function carries target("avx512f,fma"), so the file
// builds without -march=native; vec_math.cpp calls in only after __builtin_cpu_supports. No
// file-wide #pragma GCC target (see ops/matmul/gemm_kernels_avx512.cpp for why).
#include "ops/unary/vec_math_avx512.h"

#include <cstdint>

#include "ops/unary/vec_math_kernels.h"
#include "ops/simd_target.h"

namespace tt::kernels::detail {
namespace {

template <__m512 (*F)(__m512)>
__attribute__((target("avx512f,fma"))) void apply(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, F(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(y + i, m, F(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

// dx = F(dy, x) elementwise, the same tail handling.
template <__m512 (*F)(__m512, __m512)>
__attribute__((target("avx512f,fma"))) void apply_grad(const float* dy, const float* x, float* dx, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(dx + i, F(_mm512_loadu_ps(dy + i), _mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(dx + i, m, F(_mm512_maskz_loadu_ps(m, dy + i), _mm512_maskz_loadu_ps(m, x + i)));
  }
}

}  // namespace

const VecMathIsa* vec_math_isa_avx512() {
  static const VecMathIsa isa{"avx512",          &apply<vmath::exp_ps>,  &apply<vmath::expm1_ps>,
                              &apply<vmath::log_ps>, &apply<vmath::tanh_ps>, &apply<vmath::erf_ps>,
                              &apply<vmath::sigmoid_ps>, &apply<vmath::gelu_ps>,
                              &apply_grad<vmath::gelu_backward_ps>};
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("fma")) return nullptr;
  return &isa;
}

}  // namespace tt::kernels::detail
