// Float32 layer-norm rows with AVX-512 (contracts in layer_norm_avx512.h): 16 lanes per step, the
// row's tail under a lane mask. Forward: Σx, then Σd and Σd² with d = x − shift, then y; backward:
// Σg and Σg·x̂ (and the dw/db partials), then dx. Every function carries target("avx512f,fma"), so
// the file builds without -march=native; layer_norm_cpu.cpp calls in only after
// layer_norm_has_avx512().
#include "ops/layer_norm/layer_norm_avx512.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include "ops/simd_target.h"

namespace tt::kernels::detail {
namespace {

// Note [Float32 rows]
// The portable kernels widen every element to double; here the element work stays in float32
// lanes (16 per instruction instead of 8, and no conversions), and precision is kept where it
// is lost:
// - the mean: pass 1 gives a float32 estimate `shift`; pass 2 sums d = x − shift, which is exact
//   or nearly so (x and shift are close when |mean| ≫ std, the hard case), so mean = shift + Σd/N
//   in double is accurate to the spread of the row, not to its magnitude, and
//   var = (Σd² − (Σd)²/N)/N cancels the error of the shift (Note [Two-pass variance]).
// - y = ((x − shift) − Σd/N)·rstd·w + b: never x − float(mean), which would lose the low bits of a
//   mean near 1e4.
// - backward's x̂ = ((x − mean_hi) − mean_lo)·rstd with mean_hi + mean_lo = the double mean.
// - row sums: each lane sums at most kBlock/16 elements in float32 before the lanes are added into
//   double lanes, so the error does not grow with N.
// - dw and db are sums over rows of terms of both signs, which cancel: with float32 partials over
//   64 rows, an element of dw near 1 was 2.6e-5 off after 4000 rows. So they are summed as the
//   portable loop sums them, in double, from x̂ = (x − mean)·rstd in double (1.2e-6 off there, what
//   the float32 statistics allow), for about a quarter of the backward's time.
// What float32 lanes give up: squares overflow once |x − mean| passes 1.8e19 (rstd then becomes 0,
// where the double loops still normalise); rows like that do not come out of float32 training.
constexpr int64_t kBlock = 1024;

TT_AVX512_INLINE __mmask16 lanes_from(int64_t i, int64_t end) {  // the lanes of [i, i + 16) below end
  return end - i >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (end - i)) - 1u);
}

// Lanes 8..15 of v.
TT_AVX512_INLINE __m256 high_half(__m512 v) {
  return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
}

// acc + the 16 float lanes of v, as 8 double lanes (low half, then high half).
TT_AVX512_INLINE __m512d add_widened(__m512d acc, __m512 v) {
  acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
  return _mm512_add_pd(acc, _mm512_cvtps_pd(high_half(v)));
}

// Σ (x − shift) into *s1 and, if kSquares, Σ (x − shift)² into *s2, over n elements.
template <bool kSquares>
TT_AVX512_INLINE void centered_sums(const float* x, int64_t n, float shift, double* s1, double* s2) {
  const __m512 c = _mm512_set1_ps(shift);
  __m512d w1 = _mm512_setzero_pd(), w2 = _mm512_setzero_pd();
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t i1 = std::min(n, i0 + kBlock);
    __m512 a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps();
    for (int64_t i = i0; i < i1; i += 16) {
      const __mmask16 m = lanes_from(i, i1);
      const __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, x + i), c);
      a1 = _mm512_add_ps(a1, d);
      if constexpr (kSquares) a2 = _mm512_fmadd_ps(d, d, a2);
    }
    w1 = add_widened(w1, a1);
    if constexpr (kSquares) w2 = add_widened(w2, a2);
  }
  *s1 = _mm512_reduce_add_pd(w1);
  if constexpr (kSquares) *s2 = _mm512_reduce_add_pd(w2);
}

// y = ((x − shift) − delta)·rs·w + b over one row.
template <bool kW, bool kB>
TT_AVX512_INLINE void normalize_row(float* y, const float* x, const float* w, const float* b, int64_t n, float shift,
                                   float delta, float rs) {
  const __m512 c = _mm512_set1_ps(shift), dl = _mm512_set1_ps(delta), r = _mm512_set1_ps(rs);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = lanes_from(i, n);
    __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), c), dl), r);
    if constexpr (kW && kB) v = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(m, w + i), _mm512_maskz_loadu_ps(m, b + i));
    else if constexpr (kW) v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, w + i));
    else if constexpr (kB) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, b + i));
    _mm512_mask_storeu_ps(y + i, m, v);
  }
}

// centered_sums for R rows of n <= kBlock elements at once, the same arithmetic per row (so the
// same bits): one row's sums are two short dependency chains (8 vector adds at n = 128, then a
// horizontal sum), too short to keep the adders busy; R rows' chains overlap.
template <int R, bool kSquares>
TT_AVX512_INLINE void centered_sums_rows(const float* x, int64_t n, const float* shift, double* s1, double* s2) {
  __m512 a1[R], a2[R], c[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) a1[r] = a2[r] = _mm512_setzero_ps(), c[r] = _mm512_set1_ps(shift[r]);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = lanes_from(i, n);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, x + r * n + i), c[r]);
      a1[r] = _mm512_add_ps(a1[r], d);
      if constexpr (kSquares) a2[r] = _mm512_fmadd_ps(d, d, a2[r]);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    s1[r] = _mm512_reduce_add_pd(add_widened(_mm512_setzero_pd(), a1[r]));
    if constexpr (kSquares) s2[r] = _mm512_reduce_add_pd(add_widened(_mm512_setzero_pd(), a2[r]));
  }
}

// One row's end of forward, from its shift and centered sums: rstd, y, and the saved mean, rstd.
template <bool kW, bool kB>
TT_AVX512_INLINE void finish_row(float* y, double* mean, double* rstd, const float* x, const float* w, const float* b,
                                 int64_t N, float shift, double s1, double s2, double eps) {
  const double rs = 1.0 / std::sqrt(std::max(0.0, (s2 - s1 * s1 / N) / N) + eps);
  normalize_row<kW, kB>(y, x, w, b, N, shift, static_cast<float>(s1 / N), static_cast<float>(rs));
  *mean = shift + s1 / N, *rstd = rs;
}

// Rows [r, r + 4) of forward_rows (N <= kBlock).
template <bool kW, bool kB>
TT_AVX512_INLINE void forward_4rows(float* y, double* mean, double* rstd, const float* x, const float* w, const float* b,
                                   int64_t N, double eps) {
  constexpr int R = 4;
  const float zero[R] = {};
  double sum[R], s1[R], s2[R];
  float shift[R];
  centered_sums_rows<R, false>(x, N, zero, sum, nullptr);
  for (int r = 0; r < R; ++r) shift[r] = static_cast<float>(sum[r] / N);
  centered_sums_rows<R, true>(x, N, shift, s1, s2);
  for (int r = 0; r < R; ++r)
    finish_row<kW, kB>(y + r * N, mean + r, rstd + r, x + r * N, w, b, N, shift[r], s1[r], s2[r], eps);
}

template <bool kW, bool kB>
TT_AVX512 void forward_rows(float* y, double* mean, double* rstd, const float* x, const float* w, const float* b,
                           int64_t rows, int64_t N, double eps) {
  int64_t r = 0;
  if (N <= kBlock)
    for (; r + 4 <= rows; r += 4) forward_4rows<kW, kB>(y + r * N, mean + r, rstd + r, x + r * N, w, b, N, eps);
  for (; r < rows; ++r) {
    const float* xr = x + r * N;
    double sum, s1, s2;
    centered_sums<false>(xr, N, 0.0f, &sum, nullptr);
    const float shift = static_cast<float>(sum / N);
    centered_sums<true>(xr, N, shift, &s1, &s2);
    finish_row<kW, kB>(y + r * N, mean + r, rstd + r, xr, w, b, N, shift, s1, s2, eps);
  }
}

// Per-row constants of backward: x̂ = ((x − mean_hi) − mean_lo)·rs in float32, and the double
// mean and rstd for the dw partials (Note [Float32 rows]).
struct RowStats {
  __m512 mean_hi, mean_lo, rs;
  __m512d mean_d, rs_d;
  TT_AVX512_INLINE RowStats(double mean, double rstd) {
    const float hi = static_cast<float>(mean);
    mean_hi = _mm512_set1_ps(hi);
    mean_lo = _mm512_set1_ps(static_cast<float>(mean - hi));
    rs = _mm512_set1_ps(static_cast<float>(rstd));
    mean_d = _mm512_set1_pd(mean), rs_d = _mm512_set1_pd(rstd);
  }
  // x̂ on the lanes of m, 0 elsewhere.
  TT_AVX512_INLINE __m512 xhat(__mmask16 m, const float* x) const {
    return _mm512_maskz_mul_ps(m, _mm512_sub_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x), mean_hi), mean_lo), rs);
  }
};

// pw += dy·(x − mean)·rstd and pb += dy in double, for 8 elements (the lanes of m) of a row.
TT_AVX512_INLINE void add_column_partials(double* pw, double* pb, __m256 dy, __m256 x, const RowStats& st, __mmask8 m) {
  const __m512d d = _mm512_cvtps_pd(dy);
  if (pw) {
    const __m512d xh = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(x), st.mean_d), st.rs_d);
    _mm512_mask_storeu_pd(pw, m, _mm512_fmadd_pd(d, xh, _mm512_maskz_loadu_pd(m, pw)));
  }
  if (pb) _mm512_mask_storeu_pd(pb, m, _mm512_add_pd(d, _mm512_maskz_loadu_pd(m, pb)));
}

template <bool kW>
TT_AVX512_INLINE __m512 grad(__mmask16 m, const float* dy, const float* w, int64_t i) {  // g = dy·w, lanes of m
  const __m512 d = _mm512_maskz_loadu_ps(m, dy + i);
  if constexpr (kW) return _mm512_mul_ps(d, _mm512_maskz_loadu_ps(m, w + i));
  else return d;
}

// One row of backward: Σg and Σg·x̂ (g = dy·w), pw += dy·x̂, pb += dy; then dx = rs·(g − Σg/N − x̂·Σg·x̂/N).
template <bool kW>
TT_AVX512_INLINE void backward_row(float* dx, const float* dy, const float* x, const RowStats& st, const float* w,
                                  int64_t n, double* pw, double* pb) {
  __m512d w1 = _mm512_setzero_pd(), w2 = _mm512_setzero_pd();
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t i1 = std::min(n, i0 + kBlock);
    __m512 a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps();
    for (int64_t i = i0; i < i1; i += 16) {
      const __mmask16 m = lanes_from(i, i1);
      const __m512 xh = st.xhat(m, x + i), g = grad<kW>(m, dy, w, i);
      a1 = _mm512_add_ps(a1, g);
      a2 = _mm512_fmadd_ps(g, xh, a2);
      if (pw || pb) {
        const __m512 d = _mm512_maskz_loadu_ps(m, dy + i), xv = _mm512_maskz_loadu_ps(m, x + i);
        add_column_partials(pw ? pw + i : nullptr, pb ? pb + i : nullptr, _mm512_castps512_ps256(d),
                            _mm512_castps512_ps256(xv), st, static_cast<__mmask8>(m));
        add_column_partials(pw ? pw + i + 8 : nullptr, pb ? pb + i + 8 : nullptr, high_half(d), high_half(xv), st,
                            static_cast<__mmask8>(m >> 8));
      }
    }
    w1 = add_widened(w1, a1), w2 = add_widened(w2, a2);
  }
  if (!dx) return;
  const __m512 c1 = _mm512_set1_ps(static_cast<float>(_mm512_reduce_add_pd(w1) / n));
  const __m512 c2 = _mm512_set1_ps(static_cast<float>(_mm512_reduce_add_pd(w2) / n));
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = lanes_from(i, n);
    const __m512 v = _mm512_fnmadd_ps(st.xhat(m, x + i), c2, _mm512_sub_ps(grad<kW>(m, dy, w, i), c1));
    _mm512_mask_storeu_ps(dx + i, m, _mm512_mul_ps(v, st.rs));
  }
}

// Note [Prefetch in backward]
// In a training step backward's x was saved by the forward long before and comes from memory, and
// each row's reductions wait on it: at (2048, 128), 336 µs from a cold cache against 107 µs from
// L2. Requesting the cache lines kPrefetchAhead floats past the current row (4 rows of 128) brings
// the cold case to about 215 µs; the hardware prefetcher alone does not run that far ahead.
constexpr int64_t kPrefetchAhead = 512;

TT_AVX512_INLINE void prefetch(const float* p, int64_t begin, int64_t end) {  // the lines of p[begin, end)
  for (int64_t i = begin; i < end; i += 16) _mm_prefetch(reinterpret_cast<const char*>(p + i), _MM_HINT_T0);
}

template <bool kW>
TT_AVX512 void backward_rows(float* dx, const float* dy, const float* x, const double* mean, const double* rstd,
                            const float* w, int64_t rows, int64_t N, double* pw, double* pb) {
  const int64_t total = rows * N;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t ahead = std::min(total, r * N + kPrefetchAhead), end = std::min(total, (r + 1) * N + kPrefetchAhead);
    prefetch(x, ahead, end);
    prefetch(dy, ahead, end);
    backward_row<kW>(dx ? dx + r * N : nullptr, dy + r * N, x + r * N, RowStats(mean[r], rstd[r]), w, N, pw, pb);
  }
}

}  // namespace

bool layer_norm_has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

void layer_norm_forward_f32_avx512(float* y, double* mean, double* rstd, const float* x, const float* w,
                                   const float* b, int64_t rows, int64_t N, double eps) {
  if (w && b) forward_rows<true, true>(y, mean, rstd, x, w, b, rows, N, eps);
  else if (w) forward_rows<true, false>(y, mean, rstd, x, w, b, rows, N, eps);
  else if (b) forward_rows<false, true>(y, mean, rstd, x, w, b, rows, N, eps);
  else forward_rows<false, false>(y, mean, rstd, x, w, b, rows, N, eps);
}

void layer_norm_backward_f32_avx512(float* dx, const float* dy, const float* x, const double* mean,
                                    const double* rstd, const float* w, int64_t rows, int64_t N, double* pw,
                                    double* pb) {
  if (w) backward_rows<true>(dx, dy, x, mean, rstd, w, rows, N, pw, pb);
  else backward_rows<false>(dx, dy, x, mean, rstd, w, rows, N, pw, pb);
}

}  // namespace tt::kernels::detail
