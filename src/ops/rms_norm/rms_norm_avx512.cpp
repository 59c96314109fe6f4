// AVX-512 float32 row loops of the RMSNorm kernels (rms_norm_cpu.h): 16 lanes per step, the tail
// under a lane mask. Sums of squares and dot products widen to double (two 8-lane halves), as the
// generic rows do. target("avx512f,fma") per function, so the file builds without -march=native;
// rms_norm_cpu.cpp calls in only after __builtin_cpu_supports.
#include <immintrin.h>

#include <cstdint>

#include "ops/rms_norm/rms_norm_cpu.h"
#include "ops/simd_target.h"

namespace tt::kernels::detail {
namespace {

TT_AVX512_INLINE __mmask16 tail_mask(int64_t left) {
  return left >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << left) - 1u);
}
TT_AVX512_INLINE __m512 load(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
TT_AVX512_INLINE __m512d lo(__m512 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
TT_AVX512_INLINE __m512d hi(__m512 v) {
  return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

// Σ a·b over n floats, products and sums in double (b == nullptr: Σ a²).
TT_AVX512_INLINE double dot_wide(const float* a, const float* b, const float* w, int64_t n) {
  __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    __m512 va = load(a + i, m);
    if (w) va = _mm512_mul_ps(va, load(w + i, m));  // g = dy·w, rounded to float as the kernel's g
    const __m512 vb = b ? load(b + i, m) : load(a + i, m);
    s0 = _mm512_fmadd_pd(lo(va), lo(vb), s0);
    s1 = _mm512_fmadd_pd(hi(va), hi(vb), s1);
  }
  return _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
}

TT_AVX512 double sum_squares(const float* x, int64_t n) { return dot_wide(x, nullptr, nullptr, n); }

TT_AVX512 double dot_gx(const float* dy, const float* x, const float* w, int64_t n) { return dot_wide(dy, x, w, n); }

TT_AVX512 void scale(float* y, const float* x, const float* w, float rs, int64_t n) {
  const __m512 r = _mm512_set1_ps(rs);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    __m512 v = _mm512_mul_ps(load(x + i, m), r);
    if (w) v = _mm512_mul_ps(v, load(w + i, m));
    _mm512_mask_storeu_ps(y + i, m, v);
  }
}

TT_AVX512 void dx(float* dx, const float* dy, const float* x, const float* w, float rs, float c, int64_t n) {
  const __m512 r = _mm512_set1_ps(rs), cv = _mm512_set1_ps(c);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    __m512 g = load(dy + i, m);
    if (w) g = _mm512_mul_ps(g, load(w + i, m));
    _mm512_mask_storeu_ps(dx + i, m, _mm512_fnmadd_ps(cv, load(x + i, m), _mm512_mul_ps(r, g)));
  }
}

}  // namespace

const RmsRowsF32* rms_rows_avx512() {
  static const RmsRowsF32 rows{&sum_squares, &scale, &dot_gx, &dx};
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("fma")) return nullptr;
  return &rows;
}

}  // namespace tt::kernels::detail
