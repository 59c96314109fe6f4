// The float32 Adam/AdamW update with AVX-512 (no AMSGrad; adam.cpp falls back to its generic loop
// otherwise). Why a hand-written loop: per element the update needs √v and m/(√v·c + ε), and a
// vector divide plus a vector square root cost ~1 cycle per element on Zen 4/5 — Adam on the MLP's
// 110k parameters was bound by them, not by memory. The divide becomes rcp14 + one Newton step
// (r ← r(2 − d·r): ~23 correct bits, within 1–2 ulp of m/d); the square root stays exact.
// The function carries target("avx512f,fma"); adam.cpp calls it only after __builtin_cpu_supports.
#include <immintrin.h>

#include <cstdint>

#include "optim/adam_kernels.h"

#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tt::optim::detail {

__attribute__((target("avx512f,fma"))) void adam_f32_avx512(float* p, const float* g, float* m, float* v,
                                                             int64_t n, const AdamF32Params& a) {
  const __m512 b1 = _mm512_set1_ps(a.b1), one_b1 = _mm512_set1_ps(1.0f - a.b1);
  const __m512 b2 = _mm512_set1_ps(a.b2), one_b2 = _mm512_set1_ps(1.0f - a.b2);
  const __m512 eps = _mm512_set1_ps(a.eps), wd = _mm512_set1_ps(a.wd), decay = _mm512_set1_ps(a.decay);
  const __m512 inv_bc2 = _mm512_set1_ps(a.inv_bc2_sqrt), step = _mm512_set1_ps(a.step_size);
  const __m512 two = _mm512_set1_ps(2.0f);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1u);
    __m512 pi = _mm512_maskz_loadu_ps(k, p + i), gi = _mm512_maskz_loadu_ps(k, g + i);
    if (a.adamw) pi = _mm512_mul_ps(pi, decay);
    else gi = _mm512_fmadd_ps(wd, pi, gi);  // g + λp
    __m512 mi = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, m + i), b1, _mm512_mul_ps(gi, one_b1));
    __m512 vi = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, v + i), b2, _mm512_mul_ps(_mm512_mul_ps(gi, gi), one_b2));
    __m512 d = _mm512_fmadd_ps(_mm512_sqrt_ps(vi), inv_bc2, eps);  // √v / √(1 − β₂ᵗ) + ε  (> 0)
    __m512 r = _mm512_rcp14_ps(d);
    r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, two));  // Newton: r(2 − d·r)
    pi = _mm512_fnmadd_ps(step, _mm512_mul_ps(mi, r), pi);
    _mm512_mask_storeu_ps(p + i, k, pi);
    _mm512_mask_storeu_ps(m + i, k, mi);
    _mm512_mask_storeu_ps(v + i, k, vi);
  }
}

}  // namespace tt::optim::detail
