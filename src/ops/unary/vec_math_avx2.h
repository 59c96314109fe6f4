// In-register AVX2 float32 math, 8 lanes: exp, expm1, log, tanh, erf, sigmoid, GELU — the AVX-512 twin's
// algorithms (vec_math_avx512.h) step for step, so both give the same results. Every function is
// always_inline with target("avx2,fma"); include this header only from files whose callers carry
// that target (vec_math_avx2.cpp). Where AVX-512 has an instruction (scalef, masks) this file
// spells it out with AVX2 integer ops and blends.
#pragma once
#include <immintrin.h>

#include "ops/unary/vec_math_consts.h"
#include "ops/simd_target.h"

namespace tt::kernels::vmath {

template <typename... C>
TT_AVX2_INLINE __m256 horner(__m256 x, float c0, C... cs) {
  __m256 p = _mm256_set1_ps(c0);
  ((p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(cs))), ...);
  return p;
}

TT_AVX2_INLINE __m256 clamp(__m256 x, float lo, float hi) {  // NaN passes, as in the AVX-512 twin
  return _mm256_max_ps(_mm256_set1_ps(lo), _mm256_min_ps(_mm256_set1_ps(hi), x));
}

TT_AVX2_INLINE __m256 abs_ps(__m256 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }

TT_AVX2_INLINE __m256 with_sign_of(__m256 y, __m256 x) {
  return _mm256_or_ps(y, _mm256_and_ps(x, _mm256_set1_ps(-0.0f)));
}

// 2^n for integer-valued n in [-126, 127], built in the exponent field.
TT_AVX2_INLINE __m256 pow2i(__m256i n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

TT_AVX2_INLINE __m256 reduce_ln2(__m256 x, __m256* n) {
  *n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 r = _mm256_fnmadd_ps(*n, _mm256_set1_ps(kLn2Hi), x);
  return _mm256_fnmadd_ps(*n, _mm256_set1_ps(kLn2Lo), r);
}

// e^x. n ∈ [-150, 128] after the clamp; 2^n = 2^(n>>1)·2^(n−(n>>1)), two normal factors, and the
// first product is exact, so the result (denormal or overflowing) is rounded once.
TT_AVX2_INLINE __m256 exp_ps(__m256 x) {
  __m256 n;
  const __m256 r = reduce_ln2(clamp(x, kExpMinArg, kExpMaxArg), &n);
  __m256 p = horner(r, kExpP0, kExpP1, kExpP2, kExpP3, kExpP4, kExpP5);
  p = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
  const __m256i ni = _mm256_cvtps_epi32(n), n1 = _mm256_srai_epi32(ni, 1);
  return _mm256_mul_ps(_mm256_mul_ps(p, pow2i(n1)), pow2i(_mm256_sub_epi32(ni, n1)));
}

TT_AVX2_INLINE __m256 expm1_ps(__m256 x) {
  __m256 n;
  const __m256 r = reduce_ln2(clamp(x, kExpm1MinArg, kExpm1MaxArg), &n);
  __m256 p = horner(r, kExpm1C8, kExpm1C7, kExpm1C6, kExpm1C5, kExpm1C4, kExpm1C3, 0.5f);
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
  const __m256 h = pow2i(_mm256_sub_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(1)));  // 2^(n−1)
  const __m256 y = _mm256_fmadd_ps(h, p, _mm256_sub_ps(h, _mm256_set1_ps(0.5f)));
  const __m256 tiny = _mm256_cmp_ps(abs_ps(x), _mm256_set1_ps(kExpm1Tiny), _CMP_LT_OQ);
  return _mm256_blendv_ps(_mm256_add_ps(y, y), x, tiny);
}

TT_AVX2_INLINE __m256 log_ps(__m256 x) {
  const __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(kMinNormal), _CMP_LT_OQ);
  const __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(kTwo23)), tiny);
  const __m256i bits = _mm256_castps_si256(xs);
  const __m256i t = _mm256_sub_epi32(bits, _mm256_set1_epi32(static_cast<int>(kSqrtHalfBits)));
  const __m256i k = _mm256_srai_epi32(t, 23);
  const __m256 m = _mm256_castsi256_ps(_mm256_sub_epi32(bits, _mm256_slli_epi32(k, 23)));
  const __m256 kf = _mm256_sub_ps(_mm256_cvtepi32_ps(k), _mm256_and_ps(tiny, _mm256_set1_ps(23.0f)));
  const __m256 f = _mm256_sub_ps(m, _mm256_set1_ps(1.0f));
  const __m256 z = _mm256_mul_ps(f, f);
  __m256 y = horner(f, kLogP0, kLogP1, kLogP2, kLogP3, kLogP4, kLogP5, kLogP6, kLogP7, kLogP8);
  y = _mm256_mul_ps(_mm256_mul_ps(y, f), z);
  y = _mm256_fmadd_ps(kf, _mm256_set1_ps(kLn2Lo), y);
  y = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), z, y);
  y = _mm256_fmadd_ps(kf, _mm256_set1_ps(kLn2Hi), _mm256_add_ps(f, y));
  const __m256 inf = _mm256_set1_ps(__builtin_inff()), zero = _mm256_setzero_ps();
  y = _mm256_blendv_ps(y, _mm256_sub_ps(zero, inf), _mm256_cmp_ps(x, zero, _CMP_EQ_OQ));
  y = _mm256_blendv_ps(y, _mm256_set1_ps(__builtin_nanf("")), _mm256_cmp_ps(x, zero, _CMP_LT_OQ));
  return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, inf, _CMP_NLT_UQ));
}

TT_AVX2_INLINE __m256 tanh_ps(__m256 x) {
  const __m256 a = abs_ps(x), s = _mm256_mul_ps(a, a);
  const __m256 q = horner(s, kTanhQ0, kTanhQ1, kTanhQ2, kTanhQ3, kTanhQ4, kTanhQ5);
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(a, s), q, a);
  const __m256 u = expm1_ps(_mm256_mul_ps(_mm256_min_ps(_mm256_set1_ps(kTanhMaxArg), a), _mm256_set1_ps(2.0f)));
  const __m256 big = _mm256_div_ps(u, _mm256_add_ps(u, _mm256_set1_ps(2.0f)));
  const __m256 is_small = _mm256_cmp_ps(a, _mm256_set1_ps(kTanhSplit), _CMP_LT_OQ);
  return with_sign_of(_mm256_blendv_ps(big, small, is_small), x);
}

// kErf…[k] for each lane's interval k: AVX2 permutes 8 entries at a time, so both halves of the
// table are permuted and bit 3 of k picks one (the AVX-512 twin's 16-entry permute, spelt out).
TT_AVX2_INLINE __m256 erf_table(__m256i k, __m256 high_half, const float* table) {
  return _mm256_blendv_ps(_mm256_permutevar8x32_ps(_mm256_load_ps(table), k),
                          _mm256_permutevar8x32_ps(_mm256_load_ps(table + 8), k), high_half);
}

TT_AVX2_INLINE __m256 erf_ps(__m256 x) {
  const __m256 a = abs_ps(x);
  const __m256 ac = _mm256_min_ps(_mm256_set1_ps(kErfMaxArg), a);
  const __m256i k = _mm256_cvttps_epi32(_mm256_mul_ps(ac, _mm256_set1_ps(4.0f)));
  const __m256 hi = _mm256_castsi256_ps(_mm256_slli_epi32(k, 28));  // bit 3 of k → sign bit, for blendv
  const __m256 t = _mm256_sub_ps(ac, erf_table(k, hi, kErfCenter));
  __m256 p = _mm256_fmadd_ps(erf_table(k, hi, kErfC6), t, erf_table(k, hi, kErfC5));
  p = _mm256_fmadd_ps(p, t, erf_table(k, hi, kErfC4));
  p = _mm256_fmadd_ps(p, t, erf_table(k, hi, kErfC3));
  p = _mm256_fmadd_ps(p, t, erf_table(k, hi, kErfC2));
  p = _mm256_fmadd_ps(p, t, erf_table(k, hi, kErfC1));
  const __m256 first = _mm256_cmp_ps(a, _mm256_set1_ps(0.25f), _CMP_LT_OQ);
  const __m256 c0 = _mm256_blendv_ps(erf_table(k, hi, kErfC0), a, first);
  return with_sign_of(_mm256_fmadd_ps(p, t, c0), x);
}

TT_AVX2_INLINE __m256 sigmoid_ps(__m256 x) {
  const __m256 e = exp_ps(_mm256_or_ps(x, _mm256_set1_ps(-0.0f)));  // e^−|x|
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 num = _mm256_blendv_ps(e, one, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ));
  return _mm256_div_ps(num, _mm256_add_ps(one, e));
}

TT_AVX2_INLINE __m256 gelu_ps(__m256 x) {
  const __m256 e = erf_ps(_mm256_mul_ps(x, _mm256_set1_ps(kInvSqrt2)));
  return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

TT_AVX2_INLINE __m256 gelu_backward_ps(__m256 dy, __m256 x) {
  const __m256 e = erf_ps(_mm256_mul_ps(x, _mm256_set1_ps(kInvSqrt2)));
  const __m256 g = exp_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(-0.5f), x), x));
  const __m256 cdf = _mm256_mul_ps(_mm256_set1_ps(0.5f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
  return _mm256_mul_ps(dy, _mm256_fmadd_ps(_mm256_mul_ps(x, _mm256_set1_ps(kInvSqrt2Pi)), g, cdf));
}

}  // namespace tt::kernels::vmath
