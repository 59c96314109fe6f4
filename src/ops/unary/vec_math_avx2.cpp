// AVX2 array loops of vec_math.h: 8 lanes per step; the tail goes through a small zero-padded
// buffer (AVX2 has no masked float load that is as simple). Every function carries
// target("avx2,fma"); vec_math.cpp calls in only after __builtin_cpu_supports.
#include "ops/unary/vec_math_avx2.h"

#include <cstdint>

#include "ops/unary/vec_math_kernels.h"

namespace tt::kernels::detail {
namespace {

template <__m256 (*F)(__m256)>
__attribute__((target("avx2,fma"))) void apply(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));
  if (i < n) {
    alignas(32) float buf[8] = {};
    for (int64_t j = i; j < n; ++j) buf[j - i] = x[j];
    _mm256_store_ps(buf, F(_mm256_load_ps(buf)));
    for (int64_t j = i; j < n; ++j) y[j] = buf[j - i];
  }
}

template <__m256 (*F)(__m256, __m256)>
__attribute__((target("avx2,fma"))) void apply_grad(const float* dy, const float* x, float* dx, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dx + i, F(_mm256_loadu_ps(dy + i), _mm256_loadu_ps(x + i)));
  if (i < n) {
    alignas(32) float bdy[8] = {}, bx[8] = {};
    for (int64_t j = i; j < n; ++j) bdy[j - i] = dy[j], bx[j - i] = x[j];
    _mm256_store_ps(bx, F(_mm256_load_ps(bdy), _mm256_load_ps(bx)));
    for (int64_t j = i; j < n; ++j) dx[j] = bx[j - i];
  }
}

}  // namespace

const VecMathIsa* vec_math_isa_avx2() {
  static const VecMathIsa isa{"avx2",          &apply<vmath::exp_ps>,  &apply<vmath::expm1_ps>,
                              &apply<vmath::log_ps>, &apply<vmath::tanh_ps>, &apply<vmath::erf_ps>,
                              &apply<vmath::sigmoid_ps>, &apply<vmath::gelu_ps>,
                              &apply_grad<vmath::gelu_backward_ps>};
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return nullptr;
  return &isa;
}

}  // namespace tt::kernels::detail
