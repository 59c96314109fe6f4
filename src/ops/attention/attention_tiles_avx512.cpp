// AVX-512 float32 versions of the attention tile products (contracts in attention_tiles.h): the
// query rows (≤ kAttnRows) are unrolled at compile time and each output strip of up to kNv zmm
// vectors lives in registers for the whole reduction. Every function carries
// target("avx512f,fma"), so the file builds without -march=native; attention_cpu.cpp calls in only
// after __builtin_cpu_supports. No file-wide #pragma GCC target (see gemm_kernels_avx512.cpp).
#include <immintrin.h>

#include <cstdint>

#include "ops/attention/attention_tiles.h"
#include "ops/unary/vec_math_avx512.h"
#include "ops/simd_target.h"

namespace tt::kernels::detail {
namespace {

constexpr int kNv = 2;  // zmm columns per strip: R·kNv ≤ 16 accumulators + kNv operands + 1 broadcast

// c[r][strip] = Σ_k a[r][k]·bt[k][strip], NV vectors wide.
template <int R, int NV>
TT_AVX512_INLINE void rbc_strip(int64_t kdim, const float* a, int64_t lda, const float* bt, int64_t ldb, float* c,
                                int64_t ldc) {
  __m512 acc[R][NV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kdim; ++k) {
    __m512 b[NV];
    for (int v = 0; v < NV; ++v) b[v] = _mm512_loadu_ps(bt + k * ldb + 16 * v);
    for (int r = 0; r < R; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r * lda + k]);
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(ar, b[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
}

template <int R>
TT_AVX512 void rows_by_cols_r(int64_t kdim, const float* a, int64_t lda, const float* bt, int64_t ldb, int64_t n,
                              float* c, int64_t ldc) {
  int64_t j = 0;
  for (; j + 16 * kNv <= n; j += 16 * kNv) rbc_strip<R, kNv>(kdim, a, lda, bt + j, ldb, c + j, ldc);
  for (; j < n; j += 16) rbc_strip<R, 1>(kdim, a, lda, bt + j, ldb, c + j, ldc);
}

// c[r][strip] += Σ_j a[r][j]·b[j][strip].
template <int R, int NV>
TT_AVX512_INLINE void acc_rows_strip(int64_t m, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                                     int64_t ldc) {
  __m512 acc[R][NV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_loadu_ps(c + r * ldc + 16 * v);
  for (int64_t j = 0; j < m; ++j) {
    __m512 bj[NV];
    for (int v = 0; v < NV; ++v) bj[v] = _mm512_loadu_ps(b + j * ldb + 16 * v);
    for (int r = 0; r < R; ++r) {
      const __m512 arj = _mm512_set1_ps(a[r * lda + j]);
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(arj, bj[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
}

template <int R>
TT_AVX512 void acc_rows_r(int64_t m, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n, float* c,
                          int64_t ldc) {
  int64_t i = 0;
  for (; i + 16 * kNv <= n; i += 16 * kNv) acc_rows_strip<R, kNv>(m, a, lda, b + i, ldb, c + i, ldc);
  for (; i < n; i += 16) acc_rows_strip<R, 1>(m, a, lda, b + i, ldb, c + i, ldc);
}

// c[j][strip] += Σ_r a[r][j]·x[r][strip]: the x rows stay in registers across j.
template <int R, int NV>
TT_AVX512_INLINE void acc_cols_strip(int64_t m, const float* a, int64_t lda, const float* x, int64_t ldx, float* c,
                                     int64_t ldc) {
  __m512 xr[R][NV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) xr[r][v] = _mm512_loadu_ps(x + r * ldx + 16 * v);
  for (int64_t j = 0; j < m; ++j) {
    __m512 acc[NV];
    for (int v = 0; v < NV; ++v) acc[v] = _mm512_loadu_ps(c + j * ldc + 16 * v);
    for (int r = 0; r < R; ++r) {
      const __m512 arj = _mm512_set1_ps(a[r * lda + j]);
      for (int v = 0; v < NV; ++v) acc[v] = _mm512_fmadd_ps(arj, xr[r][v], acc[v]);
    }
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(c + j * ldc + 16 * v, acc[v]);
  }
}

template <int R>
TT_AVX512 void acc_cols_r(int64_t m, const float* a, int64_t lda, const float* x, int64_t ldx, int64_t n, float* c,
                          int64_t ldc) {
  int64_t i = 0;
  for (; i + 16 * kNv <= n; i += 16 * kNv) acc_cols_strip<R, kNv>(m, a, lda, x + i, ldx, c + i, ldc);
  for (; i < n; i += 16) acc_cols_strip<R, 1>(m, a, lda, x + i, ldx, c + i, ldc);
}

TT_AVX512 void rows_max(int rows, const float* s, int64_t lds, int64_t n, float* out) {
  for (int r = 0; r < rows; ++r) {
    __m512 m = _mm512_set1_ps(-__builtin_inff());
    for (int64_t i = 0; i < n; i += 16) m = _mm512_max_ps(m, _mm512_loadu_ps(s + r * lds + i));
    out[r] = _mm512_reduce_max_ps(m);
  }
}

// e^(s − shift) in place and its row sums (16 lanes summed in a fixed order). exp_ps maps −inf to 0.
TT_AVX512 void rows_exp(int rows, float* s, int64_t lds, int64_t n, const float* shift, float* sums) {
  for (int r = 0; r < rows; ++r) {
    float* x = s + r * lds;
    const __m512 sh = _mm512_set1_ps(shift[r]);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
      const __m512 e = vmath::exp_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), sh));
      _mm512_storeu_ps(x + i, e);
      acc = _mm512_add_ps(acc, e);
    }
    if (sums) sums[r] = _mm512_reduce_add_ps(acc);
  }
}

// A named function, not a lambda: a lambda does not inherit the enclosing target attribute, and
// without -march=native the intrinsic then fails to inline.
TT_AVX512_INLINE __m512d as_pd(__m512 x) { return _mm512_castps_pd(x); }

// In-register 16×16 transpose: v[j] holds row j; afterwards v[c] holds column c.
// Stage 1 and 2 (unpack ps, then pd) leave in register 4g + c, 128-bit lane L, column 4L + c of
// rows 4g..4g+3; stage 3 gathers the four row groups of each lane with shuffle_f32x4.
TT_AVX512_INLINE void transpose16(__m512 v[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]);
  }
  for (int b = 0; b < 16; b += 4) {
    u[b + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(as_pd(t[b]), as_pd(t[b + 2])));
    u[b + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(as_pd(t[b]), as_pd(t[b + 2])));
    u[b + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(as_pd(t[b + 1]), as_pd(t[b + 3])));
    u[b + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(as_pd(t[b + 1]), as_pd(t[b + 3])));
  }
  for (int c = 0; c < 4; ++c) {  // u[4g + c], lane L = column 4L + c of row group g
    const __m512 p01 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), q01 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
    const __m512 p23 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44);
    const __m512 q23 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
    v[c] = _mm512_shuffle_f32x4(p01, p23, 0x88);       // lane 0
    v[4 + c] = _mm512_shuffle_f32x4(p01, p23, 0xDD);   // lane 1
    v[8 + c] = _mm512_shuffle_f32x4(q01, q23, 0x88);   // lane 2
    v[12 + c] = _mm512_shuffle_f32x4(q01, q23, 0xDD);  // lane 3
  }
}

TT_AVX512 void pack_t(const float* src, int64_t stride, int64_t n, int64_t width, float* dst, int64_t ld) {
  for (int64_t j0 = 0; j0 < ld; j0 += 16)
    for (int64_t k0 = 0; k0 < width; k0 += 16) {
      const int64_t kw = width - k0 < 16 ? width - k0 : 16;
      const __mmask16 m = static_cast<__mmask16>((1u << kw) - 1u);
      __m512 v[16];
      for (int j = 0; j < 16; ++j)
        v[j] = j0 + j < n ? _mm512_maskz_loadu_ps(m, src + (j0 + j) * stride + k0) : _mm512_setzero_ps();
      transpose16(v);
      for (int k = 0; k < kw; ++k) _mm512_storeu_ps(dst + (k0 + k) * ld + j0, v[k]);
    }
}

// Row count → the unrolled instance (rows ≤ kAttnRows).
template <template <int> class F, typename... A>
void by_rows(int rows, A... args) {
  static_assert(kAttnRows == 8, "the switch below unrolls 1..8 rows");
  switch (rows) {
    case 1: return F<1>::run(args...);
    case 2: return F<2>::run(args...);
    case 3: return F<3>::run(args...);
    case 4: return F<4>::run(args...);
    case 5: return F<5>::run(args...);
    case 6: return F<6>::run(args...);
    case 7: return F<7>::run(args...);
    default: return F<8>::run(args...);
  }
}

template <int R>
struct RowsByCols {
  static void run(int64_t kdim, const float* a, int64_t lda, const float* bt, int64_t ldb, int64_t n, float* c,
                  int64_t ldc) {
    rows_by_cols_r<R>(kdim, a, lda, bt, ldb, n, c, ldc);
  }
};
template <int R>
struct AccRows {
  static void run(int64_t m, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n, float* c,
                  int64_t ldc) {
    acc_rows_r<R>(m, a, lda, b, ldb, n, c, ldc);
  }
};
template <int R>
struct AccCols {
  static void run(int64_t m, const float* a, int64_t lda, const float* x, int64_t ldx, int64_t n, float* c,
                  int64_t ldc) {
    acc_cols_r<R>(m, a, lda, x, ldx, n, c, ldc);
  }
};

void rows_by_cols(int rows, int64_t kdim, const float* a, int64_t lda, const float* bt, int64_t ldb, int64_t n,
                  float* c, int64_t ldc) {
  by_rows<RowsByCols>(rows, kdim, a, lda, bt, ldb, n, c, ldc);
}
void acc_rows(int rows, int64_t m, const float* a, int64_t lda, const float* b, int64_t ldb, int64_t n, float* c,
              int64_t ldc) {
  by_rows<AccRows>(rows, m, a, lda, b, ldb, n, c, ldc);
}
void acc_cols(int rows, int64_t m, const float* a, int64_t lda, const float* x, int64_t ldx, int64_t n, float* c,
              int64_t ldc) {
  by_rows<AccCols>(rows, m, a, lda, x, ldx, n, c, ldc);
}

}  // namespace

const AttnTiles<float>* attention_tiles_avx512() {
  static const AttnTiles<float> tiles{"avx512", &rows_by_cols, &acc_rows, &acc_cols, &rows_max, &rows_exp, &pack_t};
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("fma")) return nullptr;
  return &tiles;
}

}  // namespace tt::kernels::detail
