// AVX-512 pieces of gemm_f32: the 6×64 register-blocked micro-kernel, the B packers (plain and
// 16×16-transposing), the GEMV kernels and the dot-product kernel for A·Bᵀ with few rows. Every
// function carries target("avx512f,fma"), so the file builds without -march=native; gemm_cpu.cpp
// calls in only after __builtin_cpu_supports.
// Not the blocking logic (gemm_cpu.cpp). No file-wide #pragma GCC target: inline std:: code
// instantiated here must stay baseline x86-64, or the linker may hand AVX-512 copies to other TUs.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "ops/matmul/gemm_kernels.h"
#include "ops/simd_target.h"

namespace tt::kernels::detail {
namespace {

// Micro-tile: kMr rows × kNv zmm columns = 6×64 floats = 24 accumulators, + 4 B vectors and one
// broadcast = 29 of the 32 zmm registers. Per k step: 4 vector loads + 6 broadcasts feed 24 FMAs,
// so the two FMA pipes, not the load ports, are the bottleneck.
// Why few rows and wide: a tile's rows of C are ldc apart, and when ldc is a multiple of 1024
// floats (4 KiB: n = 1024, 2048, ...) every row's lines fall in the same L1 set (Zen 5: 48 KiB,
// 12 ways, 64 sets). The former 14×32 tile needed 14 lines of one set, so its prefetched C tile
// was partly evicted before the update; 6 rows fit. Measured in-process against 14×32 (median of
// 15, 1 thread): 2048³ +13-16%, 2048×2048×512 with beta = 1 +11%, 1024³ +4-10%, 512³ +6%, 256³
// even. 8×48 was as fast on square shapes and 5% slower on A·Bᵀ with a transposed A.
constexpr int kMr = 6;
constexpr int kNv = 4;
constexpr int kNr = 16 * kNv;

// Plain integer arithmetic (no target attribute), so non-AVX-512 code such as small_run may call it.
inline __mmask16 lane_mask(int64_t lanes) {
  if (lanes >= 16) return static_cast<__mmask16>(0xFFFF);
  if (lanes <= 0) return 0;
  return static_cast<__mmask16>((1u << lanes) - 1u);
}

// c = alpha*acc + beta*c on the lanes in mask; beta == 0 never reads c (it may hold NaN).
TT_AVX512_INLINE void store_vec(float* c, __mmask16 mask, __m512 acc, __m512 alpha, float beta) {
  if (beta == 0.0f) {
    _mm512_mask_storeu_ps(c, mask, _mm512_mul_ps(alpha, acc));
  } else if (beta == 1.0f) {
    __m512 old = _mm512_maskz_loadu_ps(mask, c);
    _mm512_mask_storeu_ps(c, mask, _mm512_fmadd_ps(alpha, acc, old));
  } else {
    __m512 old = _mm512_maskz_loadu_ps(mask, c);
    _mm512_mask_storeu_ps(c, mask, _mm512_fmadd_ps(_mm512_set1_ps(beta), old, _mm512_mul_ps(alpha, acc)));
  }
}

// C rows = acc (kAdd: C rows += acc), one row pointer stepped by ldc: per row Nv stores and one
// pointer add. (A beta branch per vector made GCC precompute all Mr·Nv addresses and spill them.)
template <int Mr, int Nv, bool kAdd>
TT_AVX512_INLINE void store_rows(float* c, int64_t ldc, const __mmask16 (&mask)[Nv], const __m512 (&acc)[Mr][Nv]) {
#pragma GCC unroll 64
  for (int r = 0; r < Mr; ++r, c += ldc)
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v) {
      __m512 x = kAdd ? _mm512_add_ps(acc[r][v], _mm512_maskz_loadu_ps(mask[v], c + 16 * v)) : acc[r][v];
      _mm512_mask_storeu_ps(c + 16 * v, mask[v], x);
    }
}

// An Mr×(16·Nv) tile of accumulators into C (= alpha·acc + beta·C), column vector v on mask[v].
// alpha = 1 (every matmul and linear) takes no FMA-pipe slot: beta = 0 stores the sums as they
// are and beta = 1 adds with vaddps (the FP add pipes). Bitwise the same as store_vec, since
// 1·x is exact; the 24 multiplies it saves are ~1.5% of a 64³ product's 8192 FMA cycles.
template <int Mr, int Nv>
TT_AVX512_INLINE void store_tile(float* c, int64_t ldc, const __mmask16 (&mask)[Nv], const __m512 (&acc)[Mr][Nv],
                                 float alpha, float beta) {
  if (alpha == 1.0f && beta == 0.0f) return store_rows<Mr, Nv, false>(c, ldc, mask, acc);
  if (alpha == 1.0f && beta == 1.0f) return store_rows<Mr, Nv, true>(c, ldc, mask, acc);
  const __m512 va = _mm512_set1_ps(alpha);
#pragma GCC unroll 64
  for (int r = 0; r < Mr; ++r, c += ldc)
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v) store_vec(c + 16 * v, mask[v], acc[r][v], va, beta);
}

// C tile prefetch distance, in k steps before the end. Prefetched at the start, the C tile was
// evicted again by the ~140 KiB of Ã and B̃ a KC = 512 call streams through L1, then re-read at
// the end, while also pushing out B̃ lines. 64 steps (~770 cycles) still cover an L3 or DRAM miss.
// (Measured with the former 14×32 tile against the start-of-call prefetch, median of 15, 1 thread:
// 512³ +4-6%, 1024³ +2-4%, TN 512×128×2048 +5-7%; with 6×64, 32 and 128 steps were no better, and
// prefetching for write (ET0) or into L2 (T1) was 2-8% slower.)
constexpr int64_t kCPrefetchSteps = 64;

// k steps of the tile's rank-1 updates: acc += Ã[:, p] · B̃[p, :].
template <int Mr, int Nv, bool kCols>
TT_AVX512_INLINE void tile_steps(int64_t steps, const float*& a, int64_t as, const float*& b, int64_t ldb,
                                 __m512 (&acc)[Mr][Nv]) {
  for (int64_t p = 0; p < steps; ++p) {
    __m512 bv[Nv];
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 64
    for (int r = 0; r < Mr; ++r) {
      __m512 ar = _mm512_set1_ps(kCols ? a[r] : a[r * as]);
#pragma GCC unroll 8
      for (int v = 0; v < Nv; ++v) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
    a += kCols ? as : 1;
    b += ldb;
  }
}

// One m×n tile: m == Mr rows, n <= 16*Nv columns (see SgemmMicroFn). Nv < kNv serves ragged right
// edges at the cost of the columns they have, not of the full 6×64 tile.
template <int Mr, int Nv, bool kCols>
TT_AVX512 void micro_tile(int64_t k, const float* a, int64_t as, const float* b, int64_t ldb,
                          float* c, int64_t ldc, int64_t n, float alpha, float beta) {
  __m512 acc[Mr][Nv];
#pragma GCC unroll 64
  for (int r = 0; r < Mr; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v) acc[r][v] = _mm512_setzero_ps();
  const int64_t early = k > kCPrefetchSteps ? k - kCPrefetchSteps : 0;
  tile_steps<Mr, Nv, kCols>(early, a, as, b, ldb, acc);
#pragma GCC unroll 64
  for (int r = 0; r < Mr; ++r) {  // every line of the row, which need not start on a line
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v) _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 16 * v), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 16 * Nv - 1), _MM_HINT_T0);
  }
  tile_steps<Mr, Nv, kCols>(k - early, a, as, b, ldb, acc);
  __mmask16 mask[Nv];
#pragma GCC unroll 8
  for (int v = 0; v < Nv; ++v) mask[v] = lane_mask(n - 16 * v);
  store_tile<Mr, Nv>(c, ldc, mask, acc, alpha, beta);
}

using TileFn = void (*)(int64_t k, const float* a, int64_t as, const float* b, int64_t ldb, float* c,
                        int64_t ldc, int64_t n, float alpha, float beta);

// tile_fn<kCols, Nv>(m, rows 0..kMr-1) -> micro_tile<m, Nv, kCols>.
template <bool kCols, int Nv, int... I>
TileFn tile_fn(int64_t m, std::integer_sequence<int, I...>) {
  static constexpr TileFn kFns[] = {&micro_tile<I + 1, Nv, kCols>...};
  return kFns[m - 1];
}

// Dispatch on the valid rows (edge tiles never read A rows past m) and on the zmm columns needed.
template <bool kCols>
void micro(int64_t k, const float* a, int64_t as, const float* b, int64_t ldb, float* c, int64_t ldc,
           int64_t m, int64_t n, float alpha, float beta) {
  constexpr auto kRows = std::make_integer_sequence<int, kMr>{};
  static_assert(kNv == 4, "the switch below covers 1..4 zmm columns");
  TileFn fn;
  switch ((n + 15) / 16) {
    case 1: fn = tile_fn<kCols, 1>(m, kRows); break;
    case 2: fn = tile_fn<kCols, 2>(m, kRows); break;
    case 3: fn = tile_fn<kCols, 3>(m, kRows); break;
    default: fn = tile_fn<kCols, 4>(m, kRows); break;
  }
  fn(k, a, as, b, ldb, c, ldc, n, alpha, beta);
}

// In-register transpose of 16 rows of 16 floats: afterwards r[j] holds column j.
TT_AVX512_INLINE void transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {  // 32-bit interleave of row pairs
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {  // 64-bit interleave: u[4i+c] lane L = rows 4i..4i+3 of column 4L+c
    __m512d t0 = _mm512_castps_pd(t[4 * i]), t1 = _mm512_castps_pd(t[4 * i + 1]);
    __m512d t2 = _mm512_castps_pd(t[4 * i + 2]), t3 = _mm512_castps_pd(t[4 * i + 3]);
    u[4 * i + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
    u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
    u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
    u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {  // gather the four 128-bit lanes of column 4L+c
    __m512 lo02 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);   // u[c].L0 L2, u[4+c].L0 L2
    __m512 hi13 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);   // u[c].L1 L3, u[4+c].L1 L3
    __m512 lo02b = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
    __m512 hi13b = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
    r[c] = _mm512_shuffle_f32x4(lo02, lo02b, 0x88);       // lane 0 of all 16 rows: column c
    r[8 + c] = _mm512_shuffle_f32x4(lo02, lo02b, 0xDD);   // lane 2: column 8+c
    r[4 + c] = _mm512_shuffle_f32x4(hi13, hi13b, 0x88);   // lane 1: column 4+c
    r[12 + c] = _mm512_shuffle_f32x4(hi13, hi13b, 0xDD);  // lane 3: column 12+c
  }
}

// Transposes a 16(n) × kt(k) block of B (rows b + i*ldb, i < rows) into dst[p*ld + i], p < kt.
template <int64_t ld = kNr>
TT_AVX512_INLINE void pack_block16(const float* b, int64_t ldb, int64_t rows, int64_t kt, float* dst) {
  __m512 r[16];
  __mmask16 km = lane_mask(kt);
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) r[i] = i < rows ? _mm512_maskz_loadu_ps(km, b + i * ldb) : _mm512_setzero_ps();
  transpose16(r);
  for (int64_t p = 0; p < kt; ++p) _mm512_store_ps(dst + p * ld, r[p]);
}

TT_AVX512 void pack_b(int64_t k, int64_t n, const float* b, int64_t ldb, float* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += kNr) {
    float* panel = dst + (j0 / kNr) * k * kNr;
    __mmask16 m[kNv];
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) m[v] = lane_mask(n - j0 - 16 * v);
    const float* src = b + j0;
    for (int64_t p = 0; p < k; ++p, src += ldb) {
#pragma GCC unroll 4
      for (int v = 0; v < kNv; ++v) _mm512_store_ps(panel + p * kNr + 16 * v, _mm512_maskz_loadu_ps(m[v], src + 16 * v));
    }
  }
}

TT_AVX512 void pack_b_trans(int64_t k, int64_t n, const float* b, int64_t ldb, float* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += kNr) {
    float* panel = dst + (j0 / kNr) * k * kNr;
    for (int64_t g = 0; g < kNr; g += 16) {
      int64_t rows = n - j0 - g;
      rows = rows < 0 ? 0 : (rows > 16 ? 16 : rows);
      for (int64_t p0 = 0; p0 < k; p0 += 16) {
        int64_t kt = k - p0 < 16 ? k - p0 : 16;
        pack_block16(b + (j0 + g) * ldb + p0, ldb, rows, kt, panel + p0 * kNr + g);
      }
    }
  }
}

// Dot-form GEMV on R rows at once: one accumulator per row, x loaded once per 16 k.
template <int R>
TT_AVX512 void gemv_dot_rows(int64_t k, const float* w, int64_t ldw, const float* x, float* y,
                             int64_t incy, float alpha, float beta) {
  __m512 acc[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + 16 <= k; p += 16) {
    __m512 xv = _mm512_loadu_ps(x + p);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(_mm512_loadu_ps(w + r * ldw + p), xv, acc[r]);
  }
  if (p < k) {
    __mmask16 m = lane_mask(k - p);
    __m512 xv = _mm512_maskz_loadu_ps(m, x + p);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + r * ldw + p), xv, acc[r]);
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    float s = alpha * _mm512_reduce_add_ps(acc[r]);
    float* yr = y + r * incy;
    *yr = beta == 0.0f ? s : s + beta * *yr;
  }
}

// Dot-form GEMV on one row, four accumulators (64 k per step), prefetching W 4 KiB ahead (rows
// are contiguous, so this runs into the next row): see Note [GEMV row streams].
constexpr int64_t kGemvPrefetch = 1024;  // floats

TT_AVX512 void gemv_dot_row_stream(int64_t k, const float* w, const float* x, float* y, float alpha, float beta) {
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  int64_t p = 0;
  for (; p + 64 <= k; p += 64) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      _mm_prefetch(reinterpret_cast<const char*>(w + p + kGemvPrefetch + 16 * u), _MM_HINT_T0);
      acc[u] = _mm512_fmadd_ps(_mm512_loadu_ps(w + p + 16 * u), _mm512_loadu_ps(x + p + 16 * u), acc[u]);
    }
  }
  for (; p < k; p += 16) {
    __mmask16 m = lane_mask(k - p);
    acc[0] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + p), _mm512_maskz_loadu_ps(m, x + p), acc[0]);
  }
  float s = alpha * _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
  *y = beta == 0.0f ? s : s + beta * *y;
}

// Note [GEMV row streams]: when W comes from L2, reading it row after row (one sequential stream)
// runs at L2 bandwidth, while 8 interleaved row streams reach only ~2/3 of it (measured on Zen 5:
// W 128×784 float32 3.2 µs → 2.15 µs; 196 GB/s is the L2 read ceiling). 8 rows at once win only
// for a W that is hot in L1; past 16 KiB, in a chain of layers at batch 1 the previous layer's
// weights have usually evicted it (MLP 784-128-64-10: the 32 KiB middle layer is ~2% faster so).
// The software prefetch takes batch-1 inference of that MLP from 3.00 to 2.80 µs.
constexpr int64_t kGemvStreamBytes = 16 * 1024;

TT_AVX512 void gemv_dot(int64_t n_out, int64_t k, const float* w, int64_t ldw, const float* x,
                        float* y, int64_t incy, float alpha, float beta) {
  int64_t i = 0;
  if (n_out * ldw * static_cast<int64_t>(sizeof(float)) > kGemvStreamBytes) {
    for (; i < n_out; ++i) gemv_dot_row_stream(k, w + i * ldw, x, y + i * incy, alpha, beta);
    return;
  }
  for (; i + 8 <= n_out; i += 8) gemv_dot_rows<8>(k, w + i * ldw, ldw, x, y + i * incy, incy, alpha, beta);
  for (; i + 4 <= n_out; i += 4) gemv_dot_rows<4>(k, w + i * ldw, ldw, x, y + i * incy, incy, alpha, beta);
  for (; i < n_out; ++i) gemv_dot_rows<1>(k, w + i * ldw, ldw, x, y + i * incy, incy, alpha, beta);
}

// Axpy-form GEMV on Nv*16 columns (the last vector masked to n lanes): two accumulator sets
// (even / odd k) keep enough FMAs in flight when Nv is small.
template <int Nv>
TT_AVX512 void gemv_axpy_cols(int64_t n, int64_t k, const float* w, int64_t ldw, const float* x,
                              float* y, int64_t incy, float alpha, float beta) {
  __m512 acc0[Nv], acc1[Nv];
  __mmask16 mask[Nv];
#pragma GCC unroll 8
  for (int v = 0; v < Nv; ++v) {
    acc0[v] = acc1[v] = _mm512_setzero_ps();
    mask[v] = lane_mask(n - 16 * v);
  }
  int64_t p = 0;
  for (; p + 2 <= k; p += 2) {
    __m512 x0 = _mm512_set1_ps(x[p]), x1 = _mm512_set1_ps(x[p + 1]);
    const float* w0 = w + p * ldw;
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v) {
      acc0[v] = _mm512_fmadd_ps(x0, _mm512_maskz_loadu_ps(mask[v], w0 + 16 * v), acc0[v]);
      acc1[v] = _mm512_fmadd_ps(x1, _mm512_maskz_loadu_ps(mask[v], w0 + ldw + 16 * v), acc1[v]);
    }
  }
  if (p < k) {
    __m512 x0 = _mm512_set1_ps(x[p]);
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v)
      acc0[v] = _mm512_fmadd_ps(x0, _mm512_maskz_loadu_ps(mask[v], w + p * ldw + 16 * v), acc0[v]);
  }
  __m512 va = _mm512_set1_ps(alpha);
#pragma GCC unroll 8
  for (int v = 0; v < Nv; ++v) {
    __m512 s = _mm512_add_ps(acc0[v], acc1[v]);
    if (incy == 1) {
      store_vec(y + 16 * v, mask[v], s, va, beta);
    } else {  // strided y (a column of C): stage through a buffer
      alignas(64) float buf[16];
      int64_t lanes = n - 16 * v < 16 ? n - 16 * v : 16;
      for (int64_t j = 0; j < lanes; ++j) buf[j] = beta == 0.0f ? 0.0f : y[(16 * v + j) * incy];
      store_vec(buf, mask[v], s, va, beta);
      for (int64_t j = 0; j < lanes; ++j) y[(16 * v + j) * incy] = buf[j];
    }
  }
}

TT_AVX512 void gemv_axpy(int64_t n_out, int64_t k, const float* w, int64_t ldw, const float* x,
                         float* y, int64_t incy, float alpha, float beta) {
  int64_t j = 0;
  for (; j + 128 <= n_out; j += 128) gemv_axpy_cols<8>(128, k, w + j, ldw, x, y + j * incy, incy, alpha, beta);
  int64_t rest = n_out - j;
  if (rest > 64) {
    gemv_axpy_cols<8>(rest, k, w + j, ldw, x, y + j * incy, incy, alpha, beta);
  } else if (rest > 32) {
    gemv_axpy_cols<4>(rest, k, w + j, ldw, x, y + j * incy, incy, alpha, beta);
  } else if (rest > 16) {
    gemv_axpy_cols<2>(rest, k, w + j, ldw, x, y + j * incy, incy, alpha, beta);
  } else if (rest > 0) {
    gemv_axpy_cols<1>(rest, k, w + j, ldw, x, y + j * incy, incy, alpha, beta);
  }
}

// Dot-form tile: Mr rows of A against Nr rows of B, Mr*Nr accumulators along k (8×3: 24 + 3 B
// vectors + 1 A vector = 28 zmm; 11 loads per 24 FMAs, so FMA-bound with A hot in L1).
template <int Mr, int Nr>
TT_AVX512 void dot_tile(int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                        int64_t ldc, float alpha, float beta) {
  __m512 acc[Mr][Nr];
#pragma GCC unroll 32
  for (int i = 0; i < Mr * Nr; ++i) acc[i / Nr][i % Nr] = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + 16 <= k; p += 16) {
    __m512 bv[Nr];
#pragma GCC unroll 8
    for (int j = 0; j < Nr; ++j) bv[j] = _mm512_loadu_ps(b + j * ldb + p);
#pragma GCC unroll 8
    for (int i = 0; i < Mr; ++i) {
      __m512 av = _mm512_loadu_ps(a + i * lda + p);
      __asm__("" : "+v"(av));  // keep av in a register: GCC would re-load it as an FMA operand Nr times
#pragma GCC unroll 8
      for (int j = 0; j < Nr; ++j) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
  if (p < k) {
    const __mmask16 m = lane_mask(k - p);
    __m512 bv[Nr];
#pragma GCC unroll 8
    for (int j = 0; j < Nr; ++j) bv[j] = _mm512_maskz_loadu_ps(m, b + j * ldb + p);
#pragma GCC unroll 8
    for (int i = 0; i < Mr; ++i) {
      __m512 av = _mm512_maskz_loadu_ps(m, a + i * lda + p);
#pragma GCC unroll 8
      for (int j = 0; j < Nr; ++j) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
#pragma GCC unroll 32
  for (int i = 0; i < Mr * Nr; ++i) {
    float s = alpha * _mm512_reduce_add_ps(acc[i / Nr][i % Nr]);
    float* ci = c + (i / Nr) * ldc + i % Nr;
    *ci = beta == 0.0f ? s : s + beta * *ci;
  }
}

// Mr rows of A against all n rows of B, Nr at a time (A stays in L1, B streams once). Fewer rows
// get more columns so that at least 8 accumulators (2 FMA pipes × 4 cycles latency) are in flight.
template <int Mr>
TT_AVX512 void dot_rows(int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
                        float* c, int64_t ldc, float alpha, float beta) {
  constexpr int kNr = Mr >= 5 ? 3 : Mr == 4 ? 5 : (Mr == 3 ? 4 : (Mr == 2 ? 6 : 8));
  int64_t j = 0;
  for (; j + kNr <= n; j += kNr) dot_tile<Mr, kNr>(k, a, lda, b + j * ldb, ldb, c + j, ldc, alpha, beta);
  for (; j + 2 <= n; j += 2) dot_tile<Mr, 2>(k, a, lda, b + j * ldb, ldb, c + j, ldc, alpha, beta);
  if (j < n) dot_tile<Mr, 1>(k, a, lda, b + j * ldb, ldb, c + j, ldc, alpha, beta);
}

TT_AVX512 void gemm_nt_dot(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                           int64_t ldb, float* c, int64_t ldc, float alpha, float beta) {
  for (int64_t i = 0; i < m; i += 8) {
    const float* ai = a + i * lda;
    float* ci = c + i * ldc;
    switch (m - i < 8 ? m - i : 8) {
      case 8: dot_rows<8>(n, k, ai, lda, b, ldb, ci, ldc, alpha, beta); break;
      case 7: dot_rows<7>(n, k, ai, lda, b, ldb, ci, ldc, alpha, beta); break;
      case 6: dot_rows<6>(n, k, ai, lda, b, ldb, ci, ldc, alpha, beta); break;
      case 5: dot_rows<5>(n, k, ai, lda, b, ldb, ci, ldc, alpha, beta); break;
      case 4: dot_rows<4>(n, k, ai, lda, b, ldb, ci, ldc, alpha, beta); break;
      case 3: dot_rows<3>(n, k, ai, lda, b, ldb, ci, ldc, alpha, beta); break;
      case 2: dot_rows<2>(n, k, ai, lda, b, ldb, ci, ldc, alpha, beta); break;
      default: dot_rows<1>(n, k, ai, lda, b, ldb, ci, ldc, alpha, beta); break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Small products (n <= 64): the blocked path's fixed costs (scratch lookup, packing the ragged B
// tail into a zero-padded 32-wide panel, 32-wide tiles over 8 columns) outweigh 8³..48³ of
// arithmetic. Here B rows are read in place, the last vector of a row masked, and the tile width
// follows n: Nv = ceil(n/16) vectors by up to kSmallRows[Nv] rows (≤ 28 accumulators).

constexpr int kSmallMaxNv = 4;
constexpr int64_t kSmallMaxK = 256;  // when B is transposed (a stack buffer holds it)
constexpr int kSmallRows[kSmallMaxNv + 1] = {0, 24, 14, 8, 6};

template <int Mr, int Nv, bool kCols>
TT_AVX512 void small_tile(int64_t k, const float* a, int64_t as, const float* b, int64_t ldb, float* c,
                          int64_t ldc, __mmask16 last, float alpha, float beta) {
  __mmask16 mask[Nv];
#pragma GCC unroll 8
  for (int v = 0; v < Nv; ++v) mask[v] = v + 1 < Nv ? static_cast<__mmask16>(0xFFFF) : last;
  __m512 acc[Mr][Nv];
#pragma GCC unroll 64
  for (int r = 0; r < Mr; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v) acc[r][v] = _mm512_setzero_ps();
  for (int64_t p = 0; p < k; ++p) {
    __m512 bv[Nv];
#pragma GCC unroll 8
    for (int v = 0; v < Nv; ++v) bv[v] = v + 1 < Nv ? _mm512_loadu_ps(b + 16 * v) : _mm512_maskz_loadu_ps(mask[v], b + 16 * v);
#pragma GCC unroll 64
    for (int r = 0; r < Mr; ++r) {
      __m512 ar = _mm512_set1_ps(kCols ? a[r] : a[r * as]);
#pragma GCC unroll 8
      for (int v = 0; v < Nv; ++v) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
    a += kCols ? as : 1;
    b += ldb;
  }
  store_tile<Mr, Nv>(c, ldc, mask, acc, alpha, beta);
}

using SmallTileFn = void (*)(int64_t k, const float* a, int64_t as, const float* b, int64_t ldb, float* c,
                             int64_t ldc, __mmask16 last, float alpha, float beta);

// small_fns<kCols, Nv>()[rows - 1] -> small_tile<rows, Nv, kCols>, rows 1..kSmallRows[Nv].
template <bool kCols, int Nv, int... I>
const SmallTileFn* small_fns(std::integer_sequence<int, I...>) {
  static constexpr SmallTileFn kFns[] = {&small_tile<I + 1, Nv, kCols>...};
  return kFns;
}

template <bool kCols>
const SmallTileFn* small_table(int64_t nv) {
  switch (nv) {
    case 1: return small_fns<kCols, 1>(std::make_integer_sequence<int, kSmallRows[1]>{});
    case 2: return small_fns<kCols, 2>(std::make_integer_sequence<int, kSmallRows[2]>{});
    case 3: return small_fns<kCols, 3>(std::make_integer_sequence<int, kSmallRows[3]>{});
    default: return small_fns<kCols, 4>(std::make_integer_sequence<int, kSmallRows[4]>{});
  }
}

// op(B) = Bᵀ (B stored n×k) as [k][16·nv] in dst: only the 16-row groups that hold columns.
TT_AVX512 void small_pack_bt(int64_t k, int64_t n, const float* b, int64_t ldb, int64_t nv, float* dst) {
  for (int64_t g = 0; g < nv; ++g) {
    const int64_t rows = std::min<int64_t>(16, n - 16 * g);
    for (int64_t p0 = 0; p0 < k; p0 += 16) {
      const int64_t kt = std::min<int64_t>(16, k - p0);
      float* d = dst + p0 * 16 * nv + 16 * g;
      switch (nv) {  // the destination row length is a template argument of the packer
        case 1: pack_block16<16>(b + 16 * g * ldb + p0, ldb, rows, kt, d); break;
        case 2: pack_block16<32>(b + 16 * g * ldb + p0, ldb, rows, kt, d); break;
        case 3: pack_block16<48>(b + 16 * g * ldb + p0, ldb, rows, kt, d); break;
        default: pack_block16<64>(b + 16 * g * ldb + p0, ldb, rows, kt, d); break;
      }
    }
  }
}

void small_run(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool a_cols, const float* b,
               int64_t ldb, float* c, int64_t ldc, float alpha, float beta) {
  const int64_t nv = (n + 15) / 16;
  const SmallTileFn* fns = a_cols ? small_table<true>(nv) : small_table<false>(nv);
  const __mmask16 last = lane_mask(n - 16 * (nv - 1));
  if (m <= kSmallRows[nv]) return fns[m - 1](k, a, lda, b, ldb, c, ldc, last, alpha, beta);  // one tile, no divisions
  // Rows split evenly over the fewest tiles (32 rows: 11+11+10, not 14+14+4): a thin last tile
  // has too few independent accumulators to hide the FMA latency.
  const int64_t tiles = (m + kSmallRows[nv] - 1) / kSmallRows[nv], base = m / tiles, extra = m % tiles;
  for (int64_t t = 0, i = 0; t < tiles; ++t) {
    const int64_t mr = base + (t < extra ? 1 : 0);
    const float* ai = a_cols ? a + i : a + i * lda;
    fns[mr - 1](k, ai, lda, b, ldb, c + i * ldc, ldc, last, alpha, beta);
    i += mr;
  }
}

// Kept out of small_gemm: its 64 KiB frame would be probed page by page on every call.
__attribute__((noinline)) void small_run_bt(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                                            bool a_cols, const float* b, int64_t ldb, float* c, int64_t ldc,
                                            float alpha, float beta) {
  alignas(64) float bt[kSmallMaxK * 16 * kSmallMaxNv];  // transposed B, [k][16·nv]
  const int64_t nv = (n + 15) / 16;
  small_pack_bt(k, n, b, ldb, nv, bt);
  small_run(m, n, k, a, lda, a_cols, bt, 16 * nv, c, ldc, alpha, beta);
}

// C rows i < rows (the `cols` lanes) = alpha·column i of a 16×16 block of Cᵀ held in t (rows of Cᵀ
// beyond C's columns zero) (+ beta·C): one in-register transpose, one masked store per C row.
TT_AVX512_INLINE void store_block_transposed(__m512 t[16], int64_t rows, __mmask16 cols, float* c, int64_t ldc,
                                             __m512 va, float beta) {
  transpose16(t);
  for (int64_t i = 0; i < rows; ++i) store_vec(c + i * ldc, cols, t[i], va, beta);
}

// C rows i < mi (n <= 16 columns) = alpha·column i of the Cᵀ slab ct [n][64] (+ beta·C), 16 rows
// at a time. (Element by element, the strided reads of ct took ~100 ns of a 64×10×64 product.)
TT_AVX512 void store_transposed(const float* ct, int64_t mi, int64_t n, float* c, int64_t ldc, float alpha,
                                float beta) {
  const __mmask16 cols = lane_mask(n);
  const __m512 va = _mm512_set1_ps(alpha);
  for (int64_t i0 = 0; i0 < mi; i0 += 16) {
    const int64_t rows = std::min<int64_t>(16, mi - i0);
    const __mmask16 valid = lane_mask(rows);  // ct holds only mi columns
    __m512 r[16];
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) r[j] = j < n ? _mm512_maskz_load_ps(valid, ct + j * 64 + i0) : _mm512_setzero_ps();
    store_block_transposed(r, rows, cols, c + i0 * ldc, ldc, va, beta);
  }
}

// Narrow C with A stored row by row (m×k): 16 rows of C at a time, Cᵀ's 16-row block built in N
// accumulators (vectors along m). Each 16×16 block of A is transposed in registers and used at once
// (r[p] = column p of the block, times B's 16 values of that p), never stored: a 64×10×64 product
// spent a third of its time writing and re-reading a transposed copy of A. The 64 shuffles of a
// transpose share the cycles of the block's 16·N FMAs. Then Cᵀ's block is transposed back into C.
template <int N, bool kBTrans>
TT_AVX512 void narrow_rows16(int64_t mi, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
                             float* c, int64_t ldc, __m512 va, float beta) {
  __m512 acc[N];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) acc[j] = _mm512_setzero_ps();
  for (int64_t p0 = 0; p0 < k; p0 += 16) {
    const int64_t kt = std::min<int64_t>(16, k - p0);
    const __mmask16 km = lane_mask(kt);
    __m512 r[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
      r[i] = i < mi ? _mm512_maskz_loadu_ps(km, a + i * lda + p0) : _mm512_setzero_ps();
    transpose16(r);
    // Unrolled to 16 so that r[p] is a register, not a stack slot indexed at run time.
#pragma GCC unroll 16
    for (int p = 0; p < 16; ++p) {
      if (p >= kt) break;
      const float* bp = kBTrans ? b + p0 + p : b + (p0 + p) * ldb;  // op(B)ᵀ[j][p0 + p] = bp[j·(kBTrans ? ldb : 1)]
#pragma GCC unroll 16
      for (int j = 0; j < N; ++j) acc[j] = _mm512_fmadd_ps(_mm512_set1_ps(bp[kBTrans ? j * ldb : j]), r[p], acc[j]);
    }
  }
  __m512 t[16];  // Cᵀ's block padded to 16 rows; acc's index is clamped so no arm names acc[N..15]
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) t[j] = j < N ? acc[j < N ? j : 0] : _mm512_setzero_ps();
  store_block_transposed(t, mi, lane_mask(N), c, ldc, va, beta);
}

using NarrowFn = void (*)(int64_t mi, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                          int64_t ldc, __m512 va, float beta);
constexpr int kNarrowMaxN = 12;  // 12 accumulators + 16 transposed vectors + 1 broadcast ≤ 32 zmm

template <bool kBTrans, int... I>
const NarrowFn* narrow_fns(std::integer_sequence<int, I...>) {
  static constexpr NarrowFn kFns[] = {&narrow_rows16<I + 1, kBTrans>...};
  return kFns;
}

// C (m×n, n <= kNarrowMaxN) = alpha·op(A)·op(B) + beta·C with A stored m×k.
TT_AVX512 void small_run_narrow_rows(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                                     int64_t ldb, bool b_trans, float* c, int64_t ldc, float alpha, float beta) {
  constexpr auto seq = std::make_integer_sequence<int, kNarrowMaxN>{};
  const NarrowFn fn = (b_trans ? narrow_fns<true>(seq) : narrow_fns<false>(seq))[n - 1];
  const __m512 va = _mm512_set1_ps(alpha);
  for (int64_t i0 = 0; i0 < m; i0 += 16)
    fn(std::min<int64_t>(16, m - i0), k, a + i0 * lda, lda, b, ldb, c + i0 * ldc, ldc, va, beta);
}

// Narrow C (n <= 12 columns, m >= 32 rows) with A stored k×m (op(A) = Aᵀ): a 16-lane vector along
// n wastes lanes (10 classes: 6 of 16), so compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead, vectors along m:
// op(B)ᵀ is B itself read as rows or columns, op(A)ᵀ is A read in place (its rows). Cᵀ goes to a
// [16][64] buffer, k 256 deep at a time, and is written back transposed (store_transposed). A
// stored m×k takes small_run_narrow_rows.
__attribute__((noinline)) void small_run_narrow_cols(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                                                     const float* b, int64_t ldb, bool b_trans, float* c, int64_t ldc,
                                                     float alpha, float beta) {
  alignas(64) float ct[16 * 64];  // Cᵀ slab, [n][64]
  for (int64_t i0 = 0; i0 < m; i0 += 64) {
    const int64_t mi = std::min<int64_t>(64, m - i0);
    for (int64_t p0 = 0; p0 < k; p0 += kSmallMaxK) {
      const int64_t kk = std::min(kSmallMaxK, k - p0);
      // op(B)ᵀ (n×kk): B stored n×k (b_trans) is row-form, B stored k×n is column-form.
      const float* bp = b_trans ? b + p0 : b + p0 * ldb;
      small_run(n, mi, kk, bp, ldb, !b_trans, a + p0 * lda + i0, lda, ct, 64, 1.0f, p0 == 0 ? 0.0f : 1.0f);
    }
    store_transposed(ct, mi, n, c + i0 * ldc, ldc, alpha, beta);
  }
}

void small_gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool a_cols, const float* b,
                int64_t ldb, bool b_trans, float* c, int64_t ldc, float alpha, float beta) {
  if (n <= kNarrowMaxN && m >= 32) {
    if (a_cols) return small_run_narrow_cols(m, n, k, a, lda, b, ldb, b_trans, c, ldc, alpha, beta);
    return small_run_narrow_rows(m, n, k, a, lda, b, ldb, b_trans, c, ldc, alpha, beta);
  }
  if (b_trans) return small_run_bt(m, n, k, a, lda, a_cols, b, ldb, c, ldc, alpha, beta);
  small_run(m, n, k, a, lda, a_cols, b, ldb, c, ldc, alpha, beta);
}

}  // namespace

const SgemmIsa* sgemm_isa_avx512() {
  static const SgemmIsa isa{"avx512",     kMr,        kNr,       &micro<false>, &micro<true>, &pack_b,
                            &pack_b_trans, &gemv_dot, &gemv_axpy, &gemm_nt_dot, &small_gemm,  16 * kSmallMaxNv};
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("fma")) return nullptr;
  return &isa;
}

}  // namespace tt::kernels::detail
