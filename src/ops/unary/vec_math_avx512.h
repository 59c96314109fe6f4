// In-register AVX-512 float32 math, 16 lanes: exp, expm1, log, tanh, erf, sigmoid, and GELU. Every function is
// always_inline with target("avx512f,fma"), so any kernel that is itself compiled for AVX-512 (a
// function with that target attribute, see vec_math_avx512.cpp) can call it; include this header
// only from such files. Methods and coefficients: vec_math_consts.h; accuracy and special values:
// vec_math.h. The AVX2 twin (same algorithms, same results) is vec_math_avx2.h.
#pragma once
#include <immintrin.h>

#include <cstdint>

#include "ops/unary/vec_math_consts.h"
#include "ops/simd_target.h"

namespace tt::kernels::vmath {

// Horner's rule, coefficients from the highest degree down: c0·x^k + c1·x^(k−1) + … + ck.
template <typename... C>
TT_AVX512_INLINE __m512 horner(__m512 x, float c0, C... cs) {
  __m512 p = _mm512_set1_ps(c0);
  ((p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(cs))), ...);
  return p;
}

// max(lo, min(hi, x)); min/max return their second operand when either is NaN, so NaN passes.
TT_AVX512_INLINE __m512 clamp(__m512 x, float lo, float hi) {
  return _mm512_max_ps(_mm512_set1_ps(lo), _mm512_min_ps(_mm512_set1_ps(hi), x));
}

// |y| with the sign bit of x (y ≥ 0 or NaN).
TT_AVX512_INLINE __m512 with_sign_of(__m512 y, __m512 x) {
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(y), sign));
}

TT_AVX512_INLINE __m512 neg_abs(__m512 x) {  // −|x|
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN)));
}

// n = round(x/ln2) and r = x − n·ln2 (Cody–Waite, two FMA steps).
TT_AVX512_INLINE __m512 reduce_ln2(__m512 x, __m512* n) {
  *n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 r = _mm512_fnmadd_ps(*n, _mm512_set1_ps(kLn2Hi), x);
  return _mm512_fnmadd_ps(*n, _mm512_set1_ps(kLn2Lo), r);
}

// e^x. scalef computes p·2^n with one rounding, so denormal results are rounded correctly and
// results past FLT_MAX become +inf.
TT_AVX512_INLINE __m512 exp_ps(__m512 x) {
  __m512 n;
  const __m512 r = reduce_ln2(clamp(x, kExpMinArg, kExpMaxArg), &n);
  __m512 p = horner(r, kExpP0, kExpP1, kExpP2, kExpP3, kExpP4, kExpP5);
  p = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

// e^x − 1 = 2·(2^(n−1)·p + (2^(n−1) − ½)) with p = e^r − 1: exact for n = 0, so no cancellation
// near 0, and no 2^128 overflow at n = 128.
TT_AVX512_INLINE __m512 expm1_ps(__m512 x) {
  __m512 n;
  const __m512 r = reduce_ln2(clamp(x, kExpm1MinArg, kExpm1MaxArg), &n);
  __m512 p = horner(r, kExpm1C8, kExpm1C7, kExpm1C6, kExpm1C5, kExpm1C4, kExpm1C3, 0.5f);
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
  const __m512 h = _mm512_scalef_ps(_mm512_set1_ps(0.5f), n);  // 2^(n−1)
  const __m512 y = _mm512_fmadd_ps(h, p, _mm512_sub_ps(h, _mm512_set1_ps(0.5f)));
  // |x| < 2^-24: e^x − 1 rounds to x; returning it keeps −0 and the last bit of denormals.
  const __mmask16 tiny = _mm512_cmp_ps_mask(_mm512_abs_ps(x), _mm512_set1_ps(kExpm1Tiny), _CMP_LT_OQ);
  return _mm512_mask_mov_ps(_mm512_add_ps(y, y), tiny, x);
}

// log x: log(0) = −inf, log(x < 0) = NaN, log(+inf) = +inf, NaN stays NaN; denormals exact-scaled.
TT_AVX512_INLINE __m512 log_ps(__m512 x) {
  const __mmask16 tiny = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kMinNormal), _CMP_LT_OQ);
  const __m512 xs = _mm512_mask_mul_ps(x, tiny, x, _mm512_set1_ps(kTwo23));
  const __m512i bits = _mm512_castps_si512(xs);
  const __m512i t = _mm512_sub_epi32(bits, _mm512_set1_epi32(static_cast<int>(kSqrtHalfBits)));
  const __m512i k = _mm512_srai_epi32(t, 23);
  const __m512 m = _mm512_castsi512_ps(_mm512_sub_epi32(bits, _mm512_slli_epi32(k, 23)));  // in [√½, √2)
  const __m512 kf = _mm512_mask_sub_ps(_mm512_cvtepi32_ps(k), tiny, _mm512_cvtepi32_ps(k), _mm512_set1_ps(23.0f));
  const __m512 f = _mm512_sub_ps(m, _mm512_set1_ps(1.0f));
  const __m512 z = _mm512_mul_ps(f, f);
  __m512 y = horner(f, kLogP0, kLogP1, kLogP2, kLogP3, kLogP4, kLogP5, kLogP6, kLogP7, kLogP8);
  y = _mm512_mul_ps(_mm512_mul_ps(y, f), z);                                // f³·P(f)
  y = _mm512_fmadd_ps(kf, _mm512_set1_ps(kLn2Lo), y);
  y = _mm512_fnmadd_ps(_mm512_set1_ps(0.5f), z, y);
  y = _mm512_fmadd_ps(kf, _mm512_set1_ps(kLn2Hi), _mm512_add_ps(f, y));
  const __m512 inf = _mm512_set1_ps(__builtin_inff());
  y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_EQ_OQ), _mm512_sub_ps(_mm512_setzero_ps(), inf));
  y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), _mm512_set1_ps(__builtin_nanf("")));
  return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, inf, _CMP_NLT_UQ), x);  // +inf and NaN
}

// tanh |x|: |x| + |x|³·Q(x²) below kTanhSplit; u/(u+2) with u = e^(2|x|) − 1 above, where u's
// relative error reaches the quotient damped by 2/(u+2) < ½. |x| is clamped where tanh rounds to 1.
TT_AVX512_INLINE __m512 tanh_ps(__m512 x) {
  const __m512 a = _mm512_abs_ps(x), s = _mm512_mul_ps(a, a);
  const __m512 q = horner(s, kTanhQ0, kTanhQ1, kTanhQ2, kTanhQ3, kTanhQ4, kTanhQ5);
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(a, s), q, a);
  const __m512 u = expm1_ps(_mm512_mul_ps(_mm512_min_ps(_mm512_set1_ps(kTanhMaxArg), a), _mm512_set1_ps(2.0f)));
  const __m512 big = _mm512_div_ps(u, _mm512_add_ps(u, _mm512_set1_ps(2.0f)));
  const __mmask16 is_small = _mm512_cmp_ps_mask(a, _mm512_set1_ps(kTanhSplit), _CMP_LT_OQ);
  return with_sign_of(_mm512_mask_mov_ps(big, is_small, small), x);
}

// kErf…[k] for each lane's interval k (the low 4 bits of k; NaN's index, INT_MIN, reads entry 0).
TT_AVX512_INLINE __m512 erf_table(__m512i k, const float* table) {
  return _mm512_permutexvar_ps(k, _mm512_load_ps(table));
}

// erf x: one degree-5 polynomial per interval [k/4, (k+1)/4) of |x| (vec_math_consts.h); odd.
TT_AVX512_INLINE __m512 erf_ps(__m512 x) {
  const __m512 a = _mm512_abs_ps(x);
  const __m512 ac = _mm512_min_ps(_mm512_set1_ps(kErfMaxArg), a);  // NaN passes
  const __m512i k = _mm512_cvttps_epi32(_mm512_mul_ps(ac, _mm512_set1_ps(4.0f)));
  const __m512 t = _mm512_sub_ps(ac, erf_table(k, kErfCenter));
  __m512 p = _mm512_fmadd_ps(erf_table(k, kErfC6), t, erf_table(k, kErfC5));
  p = _mm512_fmadd_ps(p, t, erf_table(k, kErfC4));
  p = _mm512_fmadd_ps(p, t, erf_table(k, kErfC3));
  p = _mm512_fmadd_ps(p, t, erf_table(k, kErfC2));
  p = _mm512_fmadd_ps(p, t, erf_table(k, kErfC1));
  // C0 + t·P(t), or x + x·P(x) on the first interval (t = |x| there).
  const __mmask16 first = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.25f), _CMP_LT_OQ);
  const __m512 c0 = _mm512_mask_mov_ps(erf_table(k, kErfC0), first, a);
  return with_sign_of(_mm512_fmadd_ps(p, t, c0), x);
}

// σ(x) = 1/(1+e^−x) for x ≥ 0 and e^x/(1+e^x) for x < 0: e = e^−|x| ≤ 1 never overflows.
TT_AVX512_INLINE __m512 sigmoid_ps(__m512 x) {
  const __m512 e = exp_ps(neg_abs(x));
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 num = _mm512_mask_mov_ps(e, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ), one);
  return _mm512_div_ps(num, _mm512_add_ps(one, e));
}

// GELU (erf form) and its derivative times dy, for the fused rows of vec_math.h:
//   ½x·(1 + erf(x/√2)),  dy·(½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π)).
TT_AVX512_INLINE __m512 gelu_ps(__m512 x) {
  const __m512 e = erf_ps(_mm512_mul_ps(x, _mm512_set1_ps(kInvSqrt2)));
  return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

TT_AVX512_INLINE __m512 gelu_backward_ps(__m512 dy, __m512 x) {
  const __m512 e = erf_ps(_mm512_mul_ps(x, _mm512_set1_ps(kInvSqrt2)));
  const __m512 g = exp_ps(_mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(-0.5f), x), x));
  const __m512 cdf = _mm512_mul_ps(_mm512_set1_ps(0.5f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
  return _mm512_mul_ps(dy, _mm512_fmadd_ps(_mm512_mul_ps(x, _mm512_set1_ps(kInvSqrt2Pi)), g, cdf));
}

}  // namespace tt::kernels::vmath
