// AVX-512 row kernel for the 2×2, stride-2 max pool (max_pool_cpu.cpp's common case): 16 outputs
// per step, their four window cells deinterleaved from two input rows with vpermt2ps, the window
// order and NaN rule of tap_max kept with masked blends — no branches, where the scalar loop's
// data-dependent branches mispredicted on every other output (~5 ns per output).
// The function carries target("avx512f"); max_pool_cpu.cpp calls it only after __builtin_cpu_supports.
#include <immintrin.h>

#include <cstdint>

#include "ops/pool/pool_cpu.h"

#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tt::kernels {

__attribute__((target("avx512f"))) void max_pool_2x2_row_f32_avx512(const float* r0, const float* r1, int64_t W,
                                                                    int64_t OW, int32_t cell0, float* y,
                                                                    int32_t* idx) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i lane2 = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1);
  const int32_t w32 = static_cast<int32_t>(W);
  for (int64_t o0 = 0; o0 < OW; o0 += 16) {
    const int64_t n = OW - o0 < 16 ? OW - o0 : 16;
    const int64_t cols = W - 2 * o0 < 32 ? W - 2 * o0 : 32;  // input columns this step may read
    const __mmask16 lo_m = static_cast<__mmask16>(cols >= 16 ? 0xFFFF : (1u << cols) - 1u);
    const __mmask16 hi_m = static_cast<__mmask16>(cols <= 16 ? 0 : cols >= 32 ? 0xFFFF : (1u << (cols - 16)) - 1u);
    const __mmask16 out_m = static_cast<__mmask16>(n == 16 ? 0xFFFF : (1u << n) - 1u);
    const float* p0 = r0 + 2 * o0;
    const float* p1 = r1 + 2 * o0;
    const __m512 lo0 = _mm512_maskz_loadu_ps(lo_m, p0), hi0 = _mm512_maskz_loadu_ps(hi_m, p0 + 16);
    const __m512 lo1 = _mm512_maskz_loadu_ps(lo_m, p1), hi1 = _mm512_maskz_loadu_ps(hi_m, p1 + 16);
    const __m512 v[4] = {_mm512_permutex2var_ps(lo0, even, hi0), _mm512_permutex2var_ps(lo0, odd, hi0),
                         _mm512_permutex2var_ps(lo1, even, hi1), _mm512_permutex2var_ps(lo1, odd, hi1)};
    const __m512i at0 = _mm512_add_epi32(_mm512_set1_epi32(cell0 + static_cast<int32_t>(2 * o0)), lane2);
    const int32_t off[4] = {0, 1, w32, w32 + 1};  // window order: (0,0), (0,1), (1,0), (1,1)
    __m512 m = v[0];
    __m512i at = at0;
    for (int t = 1; t < 4; ++t) {  // take when v > m or v is NaN (a NaN takes over)
      const __mmask16 k = _mm512_cmp_ps_mask(v[t], m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v[t], v[t], _CMP_UNORD_Q);
      m = _mm512_mask_mov_ps(m, k, v[t]);
      at = _mm512_mask_mov_epi32(at, k, _mm512_add_epi32(at0, _mm512_set1_epi32(off[t])));
    }
    _mm512_mask_storeu_ps(y + o0, out_m, m);
    if (idx) _mm512_mask_storeu_epi32(idx + o0, out_m, at);
  }
}

}  // namespace tt::kernels
