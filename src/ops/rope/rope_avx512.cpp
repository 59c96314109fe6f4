// AVX-512 float32 row of the RoPE kernel (rope_cpu.h): 16 pairs per step, the tail under a lane
// mask. target("avx512f,fma"), so the file builds without -march=native; rope_cpu.cpp calls in
// only after __builtin_cpu_supports.
#include <immintrin.h>

#include <cstdint>

#include "ops/rope/rope_cpu.h"
#include "ops/simd_target.h"

namespace tt::kernels::detail {
namespace {

__attribute__((target("avx512f,fma"))) void rope_row(float* y, const float* x, const float* c, const float* s,
                                                     float sgn, int64_t h) {
  const __m512 g = _mm512_set1_ps(sgn);
  for (int64_t i = 0; i < h; i += 16) {
    const __mmask16 m = h - i >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (h - i)) - 1u);
    const __m512 x1 = _mm512_maskz_loadu_ps(m, x + i), x2 = _mm512_maskz_loadu_ps(m, x + h + i);
    const __m512 vc = _mm512_maskz_loadu_ps(m, c + i), vs = _mm512_mul_ps(g, _mm512_maskz_loadu_ps(m, s + i));
    _mm512_mask_storeu_ps(y + i, m, _mm512_fnmadd_ps(x2, vs, _mm512_mul_ps(x1, vc)));
    _mm512_mask_storeu_ps(y + h + i, m, _mm512_fmadd_ps(x1, vs, _mm512_mul_ps(x2, vc)));
  }
}

}  // namespace

RopeRowF32 rope_row_avx512() {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("fma")) return nullptr;
  return &rope_row;
}

}  // namespace tt::kernels::detail
