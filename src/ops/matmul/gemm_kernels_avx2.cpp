// AVX2+FMA pieces of gemm_f32 for CPUs without AVX-512: a 6×16 micro-kernel (12 ymm accumulators),
// the B packers (plain and 8×8-transposing) and the two GEMV kernels. Functions carry
// target("avx2,fma"), so the file builds without -march=native; gemm_cpu.cpp calls in only after
// __builtin_cpu_supports. Not the blocking logic (gemm_cpu.cpp); no file-wide #pragma GCC target
// (inline std:: code instantiated here must stay baseline x86-64).
#include <immintrin.h>

#include <cstdint>

#include "ops/matmul/gemm_kernels.h"
#include "ops/simd_target.h"

namespace tt::kernels::detail {
namespace {

// Micro-tile: 6 rows × 2 ymm = 6×16 floats: 12 accumulators + 2 B vectors + 1 broadcast of 16 ymm.
constexpr int kMr = 6;
constexpr int kNv = 2;
constexpr int kNr = 8 * kNv;

// All-ones in the first `lanes` 32-bit lanes (for maskload / maskstore).
TT_AVX2_INLINE __m256i lane_mask(int64_t lanes) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  int l = lanes < 0 ? 0 : (lanes > 8 ? 8 : static_cast<int>(lanes));
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(l), iota);
}

// c = alpha*acc + beta*c on the masked lanes; beta == 0 never reads c (it may hold NaN).
TT_AVX2_INLINE void store_vec(float* c, __m256i mask, bool full, __m256 acc, __m256 alpha, float beta) {
  __m256 out;
  if (beta == 0.0f) {
    out = _mm256_mul_ps(alpha, acc);
  } else {
    __m256 old = full ? _mm256_loadu_ps(c) : _mm256_maskload_ps(c, mask);
    out = beta == 1.0f ? _mm256_fmadd_ps(alpha, acc, old)
                       : _mm256_fmadd_ps(_mm256_set1_ps(beta), old, _mm256_mul_ps(alpha, acc));
  }
  if (full) {
    _mm256_storeu_ps(c, out);
  } else {
    _mm256_maskstore_ps(c, mask, out);
  }
}

template <int Mr, bool kCols>
TT_AVX2 void micro_tile(int64_t k, const float* a, int64_t as, const float* b, int64_t ldb, float* c,
                        int64_t ldc, int64_t n, float alpha, float beta) {
  __m256 acc[Mr][kNv];
#pragma GCC unroll 16
  for (int r = 0; r < Mr; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) acc[r][v] = _mm256_setzero_ps();
  }
  for (int64_t p = 0; p < k; ++p) {
    __m256 bv[kNv];
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) bv[v] = _mm256_loadu_ps(b + 8 * v);
#pragma GCC unroll 16
    for (int r = 0; r < Mr; ++r) {
      __m256 ar = _mm256_broadcast_ss(kCols ? a + r : a + r * as);
#pragma GCC unroll 4
      for (int v = 0; v < kNv; ++v) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
    }
    a += kCols ? as : 1;
    b += ldb;
  }
  __m256 va = _mm256_set1_ps(alpha);
#pragma GCC unroll 16
  for (int r = 0; r < Mr; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) {
      int64_t lanes = n - 8 * v;
      if (lanes > 0) store_vec(c + r * ldc + 8 * v, lane_mask(lanes), lanes >= 8, acc[r][v], va, beta);
    }
  }
}

template <bool kCols>
TT_AVX2 void micro(int64_t k, const float* a, int64_t as, const float* b, int64_t ldb, float* c,
                   int64_t ldc, int64_t m, int64_t n, float alpha, float beta) {
  switch (m) {
    case 6: return micro_tile<6, kCols>(k, a, as, b, ldb, c, ldc, n, alpha, beta);
    case 5: return micro_tile<5, kCols>(k, a, as, b, ldb, c, ldc, n, alpha, beta);
    case 4: return micro_tile<4, kCols>(k, a, as, b, ldb, c, ldc, n, alpha, beta);
    case 3: return micro_tile<3, kCols>(k, a, as, b, ldb, c, ldc, n, alpha, beta);
    case 2: return micro_tile<2, kCols>(k, a, as, b, ldb, c, ldc, n, alpha, beta);
    case 1: return micro_tile<1, kCols>(k, a, as, b, ldb, c, ldc, n, alpha, beta);
    default: return;
  }
}
static_assert(kMr == 6, "micro() dispatches 1..6 rows");

// In-register transpose of 8 rows of 8 floats: afterwards r[j] holds column j.
TT_AVX2_INLINE void transpose8(__m256 r[8]) {
  __m256 t[8], s[8];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 2
  for (int i = 0; i < 2; ++i) {  // s[4i+c]: rows 4i..4i+3 of column c (low lane) and c+4 (high)
    s[4 * i + 0] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    s[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    s[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    s[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm256_permute2f128_ps(s[c], s[4 + c], 0x20);
    r[4 + c] = _mm256_permute2f128_ps(s[c], s[4 + c], 0x31);
  }
}

TT_AVX2 void pack_b(int64_t k, int64_t n, const float* b, int64_t ldb, float* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += kNr) {
    float* panel = dst + (j0 / kNr) * k * kNr;
    const __m256i m0 = lane_mask(n - j0), m1 = lane_mask(n - j0 - 8);
    const float* src = b + j0;
    for (int64_t p = 0; p < k; ++p, src += ldb) {
      _mm256_store_ps(panel + p * kNr, _mm256_maskload_ps(src, m0));
      _mm256_store_ps(panel + p * kNr + 8, _mm256_maskload_ps(src + 8, m1));
    }
  }
}
static_assert(kNr == 16, "pack_b copies two ymm per row");

TT_AVX2 void pack_b_trans(int64_t k, int64_t n, const float* b, int64_t ldb, float* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += kNr) {
    float* panel = dst + (j0 / kNr) * k * kNr;
    for (int64_t g = 0; g < kNr; g += 8) {
      int64_t rows = n - j0 - g;
      for (int64_t p0 = 0; p0 < k; p0 += 8) {
        int64_t kt = k - p0 < 8 ? k - p0 : 8;
        __m256i km = lane_mask(kt);
        __m256 r[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i)
          r[i] = i < rows ? _mm256_maskload_ps(b + (j0 + g + i) * ldb + p0, km) : _mm256_setzero_ps();
        transpose8(r);
        for (int64_t p = 0; p < kt; ++p) _mm256_store_ps(panel + (p0 + p) * kNr + g, r[p]);
      }
    }
  }
}

TT_AVX2_INLINE float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

template <int R>
TT_AVX2 void gemv_dot_rows(int64_t k, const float* w, int64_t ldw, const float* x, float* y,
                           int64_t incy, float alpha, float beta) {
  __m256 acc[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 xv = _mm256_loadu_ps(x + p);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(w + r * ldw + p), xv, acc[r]);
  }
  if (p < k) {
    __m256i m = lane_mask(k - p);
    __m256 xv = _mm256_maskload_ps(x + p, m);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(_mm256_maskload_ps(w + r * ldw + p, m), xv, acc[r]);
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    float s = alpha * hsum(acc[r]);
    float* yr = y + r * incy;
    *yr = beta == 0.0f ? s : s + beta * *yr;
  }
}

TT_AVX2 void gemv_dot(int64_t n_out, int64_t k, const float* w, int64_t ldw, const float* x, float* y,
                      int64_t incy, float alpha, float beta) {
  int64_t i = 0;
  for (; i + 8 <= n_out; i += 8) gemv_dot_rows<8>(k, w + i * ldw, ldw, x, y + i * incy, incy, alpha, beta);
  for (; i + 4 <= n_out; i += 4) gemv_dot_rows<4>(k, w + i * ldw, ldw, x, y + i * incy, incy, alpha, beta);
  for (; i < n_out; ++i) gemv_dot_rows<1>(k, w + i * ldw, ldw, x, y + i * incy, incy, alpha, beta);
}

// Axpy-form GEMV on up to 32 columns (4 ymm, the tail masked); even / odd k in separate sums.
TT_AVX2 void gemv_axpy_cols(int64_t n, int64_t k, const float* w, int64_t ldw, const float* x,
                            float* y, int64_t incy, float alpha, float beta) {
  constexpr int kV = 4;
  __m256 acc0[kV], acc1[kV];
  __m256i mask[kV];
#pragma GCC unroll 4
  for (int v = 0; v < kV; ++v) {
    acc0[v] = acc1[v] = _mm256_setzero_ps();
    mask[v] = lane_mask(n - 8 * v);
  }
  int64_t p = 0;
  for (; p + 2 <= k; p += 2) {
    __m256 x0 = _mm256_broadcast_ss(x + p), x1 = _mm256_broadcast_ss(x + p + 1);
    const float* w0 = w + p * ldw;
#pragma GCC unroll 4
    for (int v = 0; v < kV; ++v) {
      acc0[v] = _mm256_fmadd_ps(x0, _mm256_maskload_ps(w0 + 8 * v, mask[v]), acc0[v]);
      acc1[v] = _mm256_fmadd_ps(x1, _mm256_maskload_ps(w0 + ldw + 8 * v, mask[v]), acc1[v]);
    }
  }
  if (p < k) {
    __m256 x0 = _mm256_broadcast_ss(x + p);
#pragma GCC unroll 4
    for (int v = 0; v < kV; ++v)
      acc0[v] = _mm256_fmadd_ps(x0, _mm256_maskload_ps(w + p * ldw + 8 * v, mask[v]), acc0[v]);
  }
  alignas(32) float buf[8 * kV];
  __m256 va = _mm256_set1_ps(alpha);
  int64_t cols = n < 8 * kV ? n : 8 * kV;
  for (int64_t j = 0; j < cols; ++j) buf[j] = beta == 0.0f ? 0.0f : y[j * incy];
#pragma GCC unroll 4
  for (int v = 0; v < kV; ++v) store_vec(buf + 8 * v, mask[v], false, _mm256_add_ps(acc0[v], acc1[v]), va, beta);
  for (int64_t j = 0; j < cols; ++j) y[j * incy] = buf[j];
}

TT_AVX2 void gemv_axpy(int64_t n_out, int64_t k, const float* w, int64_t ldw, const float* x, float* y,
                       int64_t incy, float alpha, float beta) {
  for (int64_t j = 0; j < n_out; j += 32) gemv_axpy_cols(n_out - j, k, w + j, ldw, x, y + j * incy, incy, alpha, beta);
}

}  // namespace

const SgemmIsa* sgemm_isa_avx2() {
  static const SgemmIsa isa{"avx2", kMr, kNr, &micro<false>, &micro<true>, &pack_b, &pack_b_trans, &gemv_dot, &gemv_axpy, nullptr};
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return nullptr;
  return &isa;
}

}  // namespace tt::kernels::detail
