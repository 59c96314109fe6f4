// AVX-512 register-tile attention kernels for D == Dv ∈ {16, 32}, float32, no bool mask (scope
// and interface in attention_d32.h; formulas in attention_cpu.h). Every function carries
// target("avx512f,fma"), so the file builds without -march=native; attention_cpu.cpp calls in only
// after attention_d32_avx512() found the CPU able. No file-wide #pragma GCC target.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/attention/attention_d32.h"
#include "ops/attention/attention_tiles.h"
#include "ops/unary/vec_math_avx512.h"
#include "ops/simd_target.h"

namespace tt::kernels::detail {
namespace {

// Note [Register tiles]
// A head row of D = 32 floats is two zmm, so whole products fit the 32 registers: a score tile of
// kRows query rows × 32 keys is 16 accumulators over the D-long reduction (Kᵀ or Vᵀ packed once
// per task, so the keys lie in lanes); o += P·V and dq += dS·K hold kRows × D outputs over all the
// keys of a step; dv += Pᵀ·dO and dk += dSᵀ·Q hold kGroup keys × D over *all* the query rows, so
// each dk, dv row is loaded and stored once per head instead of once per row block. The scale and
// the causal lane masks (in the backward also the exp) are applied to the score accumulators
// before they are stored; the backward buffers P and dS of a key block for the dk, dv pass. k, v, o
// rows are read in place at the caller's row stride (D is a multiple of 16), q and dO rows copied
// once per head. Rows past the end of a block repeat the block's last row (computed, never
// stored), so one unrolled kRows instance serves every block. Every sum runs in a fixed order: the
// results are bitwise reproducible and independent of threads (they differ in the last bits from
// the tile path's).
constexpr int kRows = 8;         // query rows per block
constexpr int kGroup = 8;        // keys per dk/dv tile: each loaded q or dO row feeds 8·NV FMAs
constexpr int64_t kKeys = 128;   // forward: keys per online-softmax step
constexpr int64_t kKeyBlock = 128;  // backward: keys per block (buffers of P and dS, Tq × kKeyBlock)
constexpr float kInf = std::numeric_limits<float>::infinity();

int64_t round16(int64_t n) { return (n + 15) / 16 * 16; }

TT_AVX512_INLINE __mmask16 first_lanes(int64_t n) {  // lanes [0, n), n clamped to [0, 16]
  return n <= 0 ? __mmask16(0) : n >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << n) - 1u);
}

// Pointers to rows i0 … i0 + kRows − 1 of (b, h) clamped to the last row: a short block repeats it.
template <typename T>
void block_rows(const View4<T>& x, int64_t b, int64_t h, int64_t i0, int rows, T* (&out)[kRows]) {
  for (int r = 0; r < kRows; ++r) out[r] = x.row(b, h, i0 + std::min(r, rows - 1));
}

int64_t round_rows(int64_t n) { return (n + kRows - 1) / kRows * kRows; }

// Rows [i0, i1) of (b, h), D wide, copied to dst ((i1 − i0) rounded up to kRows, × D), the last row
// repeated into the padding: the products address a block's rows from one register (eight row
// pointers would not fit the general registers).
template <int D>
TT_AVX512_INLINE void copy_rows(const View4<const float>& x, int64_t b, int64_t h, int64_t i0, int64_t i1, float* dst) {
  for (int64_t i = i0; i < i0 + round_rows(i1 - i0); ++i)
    for (int c = 0; c < D; c += 16)
      _mm512_storeu_ps(dst + (i - i0) * D + c, _mm512_loadu_ps(x.row(b, h, std::min(i, i1 - 1)) + c));
}

// acc[r][v] = Σ_d a[r·D + d]·bt[d·ldb + 16v + lane]: a block of kRows rows against 16·NK columns of
// a packed transpose (Kᵀ or Vᵀ); the D-long loop is unrolled at compile time.
template <int NK, int D>
TT_AVX512_INLINE void dot_tile(const float* a, const float* bt, int64_t ldb, __m512 (&acc)[kRows][NK]) {
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < NK; ++v) acc[r][v] = _mm512_setzero_ps();
  for (int d = 0; d < D; ++d) {
    __m512 bv[NK];
    for (int v = 0; v < NK; ++v) bv[v] = _mm512_loadu_ps(bt + d * ldb + 16 * v);
    for (int r = 0; r < kRows; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r * D + d]);
      for (int v = 0; v < NK; ++v) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
}

// ---- forward ----

struct ForwardTask {
  const AttnForwardArgs<float>& a;
  int64_t b;
  const float* kt;  // Kᵀ of the kv head (D × ldk), zero past the keys
  int64_t ldk;
  float *s, *o;     // scratch: scores (kRows × kKeys), outputs between key steps (kRows × D)
  float* qh;        // scratch: the task's q rows of the current head (copy_rows)
};

// s = scale·q·kᵀ for the keys [j, j + 16·NK) (s points at key j of row 0, rows kKeys apart);
// kMask: keys at or past a row's limit → −inf (only strips that reach past the first row's
// limit need it). vmax[r] tracks the row max.
template <int NK, int D, bool kMask>
TT_AVX512_INLINE void score_strip(const ForwardTask& t, const float* q, const int64_t* lim, int64_t j, float* s,
                                  __m512 (&vmax)[kRows]) {
  __m512 acc[kRows][NK];
  dot_tile<NK, D>(q, t.kt + j, t.ldk, acc);
  const __m512 scale = _mm512_set1_ps(static_cast<float>(t.a.d.scale)), ninf = _mm512_set1_ps(-kInf);
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < NK; ++v) {
      const __m512 x = kMask ? _mm512_mask_mul_ps(ninf, first_lanes(lim[r] - j - 16 * v), acc[r][v], scale)
                             : _mm512_mul_ps(acc[r][v], scale);
      _mm512_storeu_ps(s + r * kKeys + 16 * v, x);
      vmax[r] = _mm512_max_ps(vmax[r], x);
    }
}

template <int NK, int D>
TT_AVX512_INLINE void score_strip(const ForwardTask& t, const float* q, const int64_t* lim, int64_t j, float* s,
                                  __m512 (&vmax)[kRows]) {
  if (j + 16 * NK > lim[0]) score_strip<NK, D, true>(t, q, lim, j, s, vmax);
  else score_strip<NK, D, false>(t, q, lim, j, s, vmax);
}

struct AddOp {
  TT_AVX512_INLINE __m512 operator()(__m512 x, __m512 y) const { return _mm512_add_ps(x, y); }
};
struct MaxOp {
  TT_AVX512_INLINE __m512 operator()(__m512 x, __m512 y) const { return _mm512_max_ps(x, y); }
};
TT_AVX512_INLINE __m512 unpack_lo_pd(__m512 x, __m512 y) {
  return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(x), _mm512_castps_pd(y)));
}
TT_AVX512_INLINE __m512 unpack_hi_pd(__m512 x, __m512 y) {
  return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(x), _mm512_castps_pd(y)));
}

// Lane r (r < kRows, repeated in lanes 8..15) = op over the 16 lanes of x[r]: one transpose-and-
// reduce tree for the eight rows instead of eight separate lane reductions.
template <typename Op>
TT_AVX512_INLINE __m512 reduce_rows(const __m512 (&x)[kRows], Op op) {
  static_assert(kRows == 8, "the tree reduces eight rows");
  __m512 t[4];
  for (int i = 0; i < 4; ++i)
    t[i] = op(_mm512_unpacklo_ps(x[2 * i], x[2 * i + 1]), _mm512_unpackhi_ps(x[2 * i], x[2 * i + 1]));
  const __m512 u0 = op(unpack_lo_pd(t[0], t[1]), unpack_hi_pd(t[0], t[1]));  // per chunk: rows 0..3
  const __m512 u1 = op(unpack_lo_pd(t[2], t[3]), unpack_hi_pd(t[2], t[3]));  // per chunk: rows 4..7
  const __m512 y = op(_mm512_shuffle_f32x4(u0, u1, 0x88), _mm512_shuffle_f32x4(u0, u1, 0xDD));
  return op(_mm512_shuffle_f32x4(y, y, 0x88), _mm512_shuffle_f32x4(y, y, 0xDD));
}

// s ← e^(s − shift[r]) over n16 keys; returns Σ of each row as lane r (e^(−inf) = 0).
TT_AVX512_INLINE __m512 exp_rows(float* s, int64_t n16, const float* shift) {
  __m512 acc[kRows], sh[kRows];
  for (int r = 0; r < kRows; ++r) acc[r] = _mm512_setzero_ps(), sh[r] = _mm512_set1_ps(shift[r]);
  for (int64_t j = 0; j < n16; j += 16)
    for (int r = 0; r < kRows; ++r) {  // rows inner: eight independent exps in flight
      const __m512 e = vmath::exp_ps(_mm512_sub_ps(_mm512_loadu_ps(s + r * kKeys + j), sh[r]));
      _mm512_storeu_ps(s + r * kKeys + j, e);
      acc[r] = _mm512_add_ps(acc[r], e);
    }
  return reduce_rows(acc, AddOp{});
}

// o ← o·corr + Σ_{j<n} p[r][j]·v_j (from zero on the first step; corr null: 1); kept in t.o when
// `inv` is null, else o·inv[r] stored to the `rows` output rows.
template <int NV>
TT_AVX512_INLINE void pv_step(const ForwardTask& t, const float* v, int64_t ldv, int64_t n, bool first,
                              const float* corr, float* const (&out)[kRows], int rows, const float* inv) {
  __m512 acc[kRows][NV];
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < NV; ++c) {
      acc[r][c] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(t.o + r * 16 * NV + 16 * c);
      if (!first && corr) acc[r][c] = _mm512_mul_ps(acc[r][c], _mm512_set1_ps(corr[r]));
    }
  for (int64_t j = 0; j < n; ++j) {
    __m512 vj[NV];
    for (int c = 0; c < NV; ++c) vj[c] = _mm512_loadu_ps(v + j * ldv + 16 * c);
    for (int r = 0; r < kRows; ++r) {
      const __m512 p = _mm512_set1_ps(t.s[r * kKeys + j]);
      for (int c = 0; c < NV; ++c) acc[r][c] = _mm512_fmadd_ps(p, vj[c], acc[r][c]);
    }
  }
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < NV; ++c) {
      if (!inv) _mm512_storeu_ps(t.o + r * 16 * NV + 16 * c, acc[r][c]);
      else if (r < rows) _mm512_storeu_ps(out[r] + 16 * c, _mm512_mul_ps(acc[r][c], _mm512_set1_ps(inv[r])));
    }
}

// The online softmax of a block (Milakov & Gimelshein 2018; attention_cpu.h): per step of
// kKeys keys, the scores are stored, their row max found, then e^(s − m) summed; o is re-based by
// e^(m_old − m_new) when the max grows. m and l of row r end in lane r.
template <int NV>
TT_AVX512_INLINE void online_softmax(const ForwardTask& t, const float* q, const int64_t* lim, const float* v,
                                    float* const (&out)[kRows], int rows, __m512& m, __m512& l) {
  constexpr int D = 16 * NV;
  const int64_t n_keys = lim[kRows - 1];  // limits grow with the row
  const __m512 ninf = _mm512_set1_ps(-kInf), zero = _mm512_setzero_ps();
  alignas(64) float shift[16], corr[16], inv[16];
  for (int64_t j0 = 0; j0 < n_keys; j0 += kKeys) {
    const int64_t n = std::min(kKeys, n_keys - j0), n16 = round16(n);
    __m512 vmax[kRows];
    for (int r = 0; r < kRows; ++r) vmax[r] = ninf;
    int64_t j = 0;
    for (; j + 32 <= n16; j += 32) score_strip<2, D>(t, q, lim, j0 + j, t.s + j, vmax);
    if (j < n16) score_strip<1, D>(t, q, lim, j0 + j, t.s + j, vmax);
    const __m512 m_new = _mm512_max_ps(m, reduce_rows(vmax, MaxOp{}));
    // Nothing visible yet: shift by +inf so that every e^(s − ∞) = 0; corr re-bases the sums so far.
    const __mmask16 none = _mm512_cmp_ps_mask(m_new, ninf, _CMP_EQ_OQ), seen = _mm512_cmp_ps_mask(l, zero, _CMP_NEQ_OQ);
    _mm512_store_ps(shift, _mm512_mask_mov_ps(m_new, none, _mm512_set1_ps(kInf)));
    const __m512 c = _mm512_maskz_mov_ps(seen, vmath::exp_ps(_mm512_sub_ps(m, m_new)));
    _mm512_store_ps(corr, c);
    m = m_new;
    l = _mm512_fmadd_ps(l, c, exp_rows(t.s, n16, shift));
    _mm512_store_ps(inv, _mm512_maskz_div_ps(_mm512_cmp_ps_mask(l, zero, _CMP_NEQ_OQ), _mm512_set1_ps(1.0f), l));
    pv_step<NV>(t, v + j0 * t.a.v.st, t.a.v.st, n, j0 == 0, corr, out, rows, j0 + kKeys >= n_keys ? inv : nullptr);
  }
}

// Rows [i0, i0 + rows) of head h (q: their copy, kRows × D): o/l to the output rows (in
// pv_step), lse = m + log l.
template <int NV>
TT_AVX512 void forward_block(const ForwardTask& t, int64_t h, int64_t i0, int rows, const float* q) {
  constexpr int D = 16 * NV;
  const AttnDims& d = t.a.d;
  float* out[kRows];
  block_rows(t.a.o, t.b, h, i0, rows, out);
  int64_t lim[kRows];
  for (int r = 0; r < kRows; ++r) lim[r] = d.key_limit(i0 + std::min(r, rows - 1));
  __m512 m = _mm512_set1_ps(-kInf), l = _mm512_setzero_ps();
  online_softmax<NV>(t, q, lim, t.a.v.row(t.b, h / (d.Hq / d.Hkv), 0), out, rows, m, l);
  // A row with no visible key: o = 0, lse = −inf.
  const __m512 lse = _mm512_mask_add_ps(_mm512_set1_ps(-kInf), _mm512_cmp_ps_mask(l, _mm512_setzero_ps(), _CMP_NEQ_OQ),
                                        m, vmath::log_ps(l));
  _mm512_mask_storeu_ps(t.a.lse + (t.b * d.Hq + h) * d.Tq + i0, first_lanes(rows), lse);
  if (lim[kRows - 1] == 0)
    for (int r = 0; r < rows; ++r) std::fill(out[r], out[r] + D, 0.0f);
}

// Lane j of the result = the sum of the lanes of x[j]: pairs of vectors, then pairs of pairs, are
// interleaved and added (30 shuffles and 15 adds for 16 dot products, in a fixed order).
TT_AVX512_INLINE __m512 sum_lanes16(__m512 (&x)[16]) {
  __m512 t[8], u[4];
  for (int i = 0; i < 8; ++i)  // per 128-bit chunk: [x2i, x2i+1, x2i, x2i+1] partial sums
    t[i] = _mm512_add_ps(_mm512_unpacklo_ps(x[2 * i], x[2 * i + 1]), _mm512_unpackhi_ps(x[2 * i], x[2 * i + 1]));
  for (int i = 0; i < 4; ++i)  // per chunk: the chunk's sums of x4i … x4i+3
    u[i] = _mm512_add_ps(unpack_lo_pd(t[2 * i], t[2 * i + 1]), unpack_hi_pd(t[2 * i], t[2 * i + 1]));
  const __m512 y0 = _mm512_add_ps(_mm512_shuffle_f32x4(u[0], u[1], 0x88), _mm512_shuffle_f32x4(u[0], u[1], 0xDD));
  const __m512 y1 = _mm512_add_ps(_mm512_shuffle_f32x4(u[2], u[3], 0x88), _mm512_shuffle_f32x4(u[2], u[3], 0xDD));
  return _mm512_add_ps(_mm512_shuffle_f32x4(y0, y1, 0x88), _mm512_shuffle_f32x4(y0, y1, 0xDD));
}

// Scores of keys [j0, j0 + 16) against the scaled query qv, as 16 lanes: K rows read in place.
// kTail: keys at or past lim repeat row lim − 1 (their lanes are masked by the caller).
template <int NV, bool kTail>
TT_AVX512_INLINE __m512 dots16(const __m512 (&qv)[NV], const float* k, int64_t ldk, int64_t j0, int64_t lim) {
  __m512 part[16];
  for (int jj = 0; jj < 16; ++jj) {
    const float* kr = k + (kTail ? std::min(j0 + jj, lim - 1) : j0 + jj) * ldk;
    part[jj] = _mm512_mul_ps(qv[0], _mm512_loadu_ps(kr));
    for (int c = 1; c < NV; ++c) part[jj] = _mm512_fmadd_ps(qv[c], _mm512_loadu_ps(kr + 16 * c), part[jj]);
  }
  return sum_lanes16(part);
}

// o = Σ_{j<n} p_j·v_j (V rows in place) as four partial sums (keys j mod 4) added in a fixed order,
// so the FMAs do not wait on each other.
template <int NV>
TT_AVX512_INLINE void pv_row(const float* p, const float* v, int64_t ldv, int64_t n, __m512 (&o)[NV]) {
  __m512 acc[4][NV];
  for (int u = 0; u < 4; ++u)
    for (int c = 0; c < NV; ++c) acc[u][c] = _mm512_setzero_ps();
  int64_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (int u = 0; u < 4; ++u)
      for (int c = 0; c < NV; ++c)
        acc[u][c] = _mm512_fmadd_ps(_mm512_set1_ps(p[j + u]), _mm512_loadu_ps(v + (j + u) * ldv + 16 * c), acc[u][c]);
  for (int u = 0; j + u < n; ++u)
    for (int c = 0; c < NV; ++c)
      acc[u][c] = _mm512_fmadd_ps(_mm512_set1_ps(p[j + u]), _mm512_loadu_ps(v + (j + u) * ldv + 16 * c), acc[u][c]);
  for (int c = 0; c < NV; ++c)
    o[c] = _mm512_add_ps(_mm512_add_ps(acc[0][c], acc[1][c]), _mm512_add_ps(acc[2][c], acc[3][c]));
}

// Note [Decode rows in place]
// A decode step has one query row per head: each key is used once, so packing Kᵀ (a transpose
// per 16 keys) would cost as much as the products. Instead each score is a dot product of the
// row with a K row read in place, and 16 of them are reduced across lanes at once (sum_lanes16).
// s: scratch for round16(Tk) scores.
template <int NV>
TT_AVX512 void forward_row_direct(const AttnForwardArgs<float>& a, int64_t b, int64_t h, int64_t i, float* s) {
  const AttnDims& d = a.d;
  const int64_t g = h / (d.Hq / d.Hkv), lim = d.key_limit(i);
  float* out = a.o.row(b, h, i);
  float& lse = a.lse[(b * d.Hq + h) * d.Tq + i];
  if (lim == 0) {
    std::fill(out, out + 16 * NV, 0.0f), lse = -kInf;
    return;
  }
  const float *q = a.q.row(b, h, i), *k = a.k.row(b, g, 0);
  __m512 qv[NV];
  for (int c = 0; c < NV; ++c) qv[c] = _mm512_mul_ps(_mm512_loadu_ps(q + 16 * c), _mm512_set1_ps(float(d.scale)));
  __m512 vmax = _mm512_set1_ps(-kInf);
  int64_t j0 = 0;
  for (; j0 + 16 <= lim; j0 += 16) {
    const __m512 sv = dots16<NV, false>(qv, k, a.k.st, j0, lim);
    _mm512_storeu_ps(s + j0, sv);
    vmax = _mm512_max_ps(vmax, sv);
  }
  if (j0 < lim) {
    const __m512 sv =
        _mm512_mask_mov_ps(_mm512_set1_ps(-kInf), first_lanes(lim - j0), dots16<NV, true>(qv, k, a.k.st, j0, lim));
    _mm512_storeu_ps(s + j0, sv);
    vmax = _mm512_max_ps(vmax, sv);
  }
  const float m = _mm512_reduce_max_ps(vmax);
  __m512 sum = _mm512_setzero_ps();
  for (int64_t j = 0; j < lim; j += 16) {
    const __m512 e = vmath::exp_ps(_mm512_sub_ps(_mm512_loadu_ps(s + j), _mm512_set1_ps(m)));
    _mm512_storeu_ps(s + j, e);
    sum = _mm512_add_ps(sum, e);
  }
  const float l = _mm512_reduce_add_ps(sum);
  __m512 o[NV];
  pv_row<NV>(s, a.v.row(b, g, 0), a.v.st, lim, o);
  for (int c = 0; c < NV; ++c) _mm512_storeu_ps(out + 16 * c, _mm512_mul_ps(o[c], _mm512_set1_ps(1.0f / l)));
  lse = m + std::log(l);
}

template <int NV>
TT_AVX512 void forward_task(const AttnForwardArgs<float>& a, int64_t b, int64_t g, int64_t i_begin, int64_t i_end,
                            float* buf) {
  const AttnDims& d = a.d;
  const int64_t G = d.Hq / d.Hkv;
  if (G * d.Tq <= kAttnDirectRows) {
    for (int64_t h = g * G; h < (g + 1) * G; ++h)
      for (int64_t i = i_begin; i < i_end; ++i) forward_row_direct<NV>(a, b, h, i, buf);
    return;
  }
  const int64_t n_keys = d.key_limit(i_end - 1), ldk = round16(n_keys);
  float* s = buf + 16 * NV * ldk;
  const ForwardTask t{a, b, buf, ldk, s, s + kRows * kKeys, s + kRows * (kKeys + 16 * NV)};
  attention_tiles_avx512()->pack_t(a.k.row(b, g, 0), a.k.st, n_keys, 16 * NV, buf, ldk);
  for (int64_t h = g * G; h < (g + 1) * G; ++h) {
    copy_rows<16 * NV>(a.q, b, h, i_begin, i_end, t.qh);
    for (int64_t i = i_begin; i < i_end; i += kRows)
      forward_block<NV>(t, h, i, static_cast<int>(std::min<int64_t>(kRows, i_end - i)), t.qh + (i - i_begin) * 16 * NV);
  }
}

int64_t forward_scratch(const AttnDims& d) {
  return std::max(d.D * round16(d.Tk) + kRows * (kKeys + d.D) + round_rows(d.Tq) * d.D, round16(d.Tk));
}

// ---- backward ----

struct BackwardTask {
  const AttnBackwardArgs<float>& a;
  int64_t b, g;
  const float *kt, *vt;         // Kᵀ, Vᵀ of the kv head (D × ldk), zero past Tk
  int64_t ldk;
  float *p, *ds;                // P and dS of one head and key block, (Tq rounded up to kRows) × kKeyBlock
  float *qh, *gh;               // copies of the current head's q and dO rows (copy_rows)
};

// P = e^(scale·q·kᵀ − lse) (kMask: 0 past a row's limit) and dS = P·(dO·vᵀ − D) for the keys
// [j, j + 16·NK); p and ds point at key j of the block's first row.
template <int NK, int D, bool kMask>
TT_AVX512_INLINE void grad_strip(const BackwardTask& t, const float* q, const float* go, const int64_t* lim,
                                 const float* shift, const float* delta, int64_t j, float* p, float* ds) {
  __m512 acc[kRows][NK];
  dot_tile<NK, D>(q, t.kt + j, t.ldk, acc);
  const __m512 scale = _mm512_set1_ps(static_cast<float>(t.a.d.scale));
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < NK; ++v) {
      const __m512 e = vmath::exp_ps(_mm512_fmsub_ps(acc[r][v], scale, _mm512_set1_ps(shift[r])));
      const __m512 pv = kMask ? _mm512_maskz_mov_ps(first_lanes(lim[r] - j - 16 * v), e) : e;
      _mm512_storeu_ps(p + r * kKeyBlock + 16 * v, pv);
    }
  dot_tile<NK, D>(go, t.vt + j, t.ldk, acc);
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < NK; ++v) {
      const __m512 dp = _mm512_sub_ps(acc[r][v], _mm512_set1_ps(delta[r]));
      _mm512_storeu_ps(ds + r * kKeyBlock + 16 * v, _mm512_mul_ps(_mm512_loadu_ps(p + r * kKeyBlock + 16 * v), dp));
    }
}

template <int NK, int D>
TT_AVX512_INLINE void grad_strip(const BackwardTask& t, const float* q, const float* go, const int64_t* lim,
                                 const float* shift, const float* delta, int64_t j, float* p, float* ds) {
  if (j + 16 * NK > lim[0]) grad_strip<NK, D, true>(t, q, go, lim, shift, delta, j, p, ds);
  else grad_strip<NK, D, false>(t, q, go, lim, shift, delta, j, p, ds);
}

// dq[r] (+)= Σ_{j ∈ [j0, j1)} dS[r][j]·k_j, from zero when `first`, times scale when `last`; the
// partial sums wait in the dq rows themselves.
template <int NV>
TT_AVX512_INLINE void dq_tile(const BackwardTask& t, float* const (&dq)[kRows], int rows, const float* ds, int64_t j0,
                              int64_t j1, bool first, bool last) {
  __m512 acc[kRows][NV];
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < NV; ++c) acc[r][c] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(dq[r] + 16 * c);
  const float* k = t.a.k.row(t.b, t.g, 0);
  for (int64_t j = j0; j < j1; ++j) {
    __m512 kj[NV];
    for (int c = 0; c < NV; ++c) kj[c] = _mm512_loadu_ps(k + j * t.a.k.st + 16 * c);
    for (int r = 0; r < kRows; ++r) {
      const __m512 x = _mm512_set1_ps(ds[r * kKeyBlock + j - j0]);
      for (int c = 0; c < NV; ++c) acc[r][c] = _mm512_fmadd_ps(x, kj[c], acc[r][c]);
    }
  }
  const __m512 mult = _mm512_set1_ps(last ? static_cast<float>(t.a.d.scale) : 1.0f);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < NV; ++c) _mm512_storeu_ps(dq[r] + 16 * c, _mm512_mul_ps(acc[r][c], mult));
}

// Rows [i0, i0 + rows) of head h against the keys [j0, j1) of the current key block: P and dS into
// the block buffers, then dq += dS·k.
template <int NV>
TT_AVX512 void backward_rows(const BackwardTask& t, int64_t h, int64_t i0, int rows, int64_t j0, int64_t j1) {
  constexpr int D = 16 * NV;
  const AttnDims& d = t.a.d;
  float* dq[kRows];
  const float *q = t.qh + i0 * D, *go = t.gh + i0 * D;
  block_rows(t.a.dq, t.b, h, i0, rows, dq);
  int64_t lim[kRows];
  alignas(64) float shift[16], delta[16];
  const float* lse = t.a.lse + (t.b * d.Hq + h) * d.Tq;
  __m512 dot[kRows];
  for (int r = 0; r < kRows; ++r) {
    const int64_t i = i0 + std::min(r, rows - 1);
    lim[r] = d.key_limit(i);
    shift[r] = lse[i] == -kInf ? kInf : lse[i];  // a row that sees no key: every P = e^(s − ∞) = 0
    const float* o = t.a.o.row(t.b, h, i);
    dot[r] = _mm512_mul_ps(_mm512_loadu_ps(go + r * D), _mm512_loadu_ps(o));
    for (int c = 1; c < NV; ++c)
      dot[r] = _mm512_fmadd_ps(_mm512_loadu_ps(go + r * D + 16 * c), _mm512_loadu_ps(o + 16 * c), dot[r]);
  }
  _mm512_store_ps(delta, reduce_rows(dot, AddOp{}));  // D_i = Σ dO_i·o_i
  const int64_t je = std::min(j1, lim[kRows - 1]), n16 = round16(je - j0);
  float *p = t.p + i0 * kKeyBlock, *ds = t.ds + i0 * kKeyBlock;
  int64_t j = 0;
  for (; j + 32 <= n16; j += 32) grad_strip<2, D>(t, q, go, lim, shift, delta, j0 + j, p + j, ds + j);
  if (j < n16) grad_strip<1, D>(t, q, go, lim, shift, delta, j0 + j, p + j, ds + j);
  dq_tile<NV>(t, dq, rows, ds, j0, je, j0 == 0, j0 + kKeyBlock >= lim[kRows - 1]);
}

// c[jj] (+)= Σ_{i ∈ [i0, i1)} a[i][jj]·x_i for the keys jj < m of a group (x: rows D = 16·NV apart),
// from zero when `first`, times `mult` when `last`: dv += Pᵀ·dO, dk += dSᵀ·q.
template <int NV>
TT_AVX512 void cols_tile(const float* a, int64_t lda, const float* x, int64_t i0, int64_t i1,
                         float* const (&c)[kGroup], int m, bool first, bool last, float mult) {
  __m512 acc[kGroup][NV];
  for (int jj = 0; jj < kGroup; ++jj)
    for (int v = 0; v < NV; ++v) acc[jj][v] = first || jj >= m ? _mm512_setzero_ps() : _mm512_loadu_ps(c[jj] + 16 * v);
  for (int64_t i = i0; i < i1; ++i) {
    __m512 xi[NV];
    for (int v = 0; v < NV; ++v) xi[v] = _mm512_loadu_ps(x + i * 16 * NV + 16 * v);
    for (int jj = 0; jj < kGroup; ++jj) {
      const __m512 w = _mm512_set1_ps(a[i * lda + jj]);
      for (int v = 0; v < NV; ++v) acc[jj][v] = _mm512_fmadd_ps(w, xi[v], acc[jj][v]);
    }
  }
  const __m512 scale = _mm512_set1_ps(last ? mult : 1.0f);
  for (int jj = 0; jj < m; ++jj)
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(c[jj] + 16 * v, _mm512_mul_ps(acc[jj][v], scale));
}

// One key block [j0, j1) of head h: P, dS and dq over the row blocks that see it, then its dv, dk
// sums over all those rows, kGroup keys at a time (partial sums across heads wait in dk, dv).
template <int NV>
TT_AVX512 void backward_key_block(const BackwardTask& t, int64_t h, int64_t j0, int64_t j1) {
  const AttnDims& d = t.a.d;
  const int64_t G = d.Hq / d.Hkv, shift_rows = d.causal ? d.Tk - d.Tq : 0;  // row i sees key j iff j ≤ i + shift_rows
  auto first_row = [&](int64_t j) { return d.causal ? std::max<int64_t>(0, j - shift_rows) : 0; };
  const int64_t r0 = first_row(j0) / kRows * kRows;  // the first row block that sees the key block
  copy_rows<16 * NV>(t.a.q, t.b, h, r0, d.Tq, t.qh + r0 * 16 * NV);
  copy_rows<16 * NV>(t.a.dout, t.b, h, r0, d.Tq, t.gh + r0 * 16 * NV);
  for (int64_t i0 = r0; i0 < d.Tq; i0 += kRows)
    backward_rows<NV>(t, h, i0, static_cast<int>(std::min<int64_t>(kRows, d.Tq - i0)), j0, j1);
  const bool first = h == t.g * G, last = h == (t.g + 1) * G - 1;
  for (int64_t jg = j0; jg < j1; jg += kGroup) {
    const int m = static_cast<int>(std::min<int64_t>(kGroup, j1 - jg));
    float *dv[kGroup], *dk[kGroup];
    for (int jj = 0; jj < kGroup; ++jj) {
      dv[jj] = t.a.dv.row(t.b, t.g, jg + std::min(jj, m - 1));
      dk[jj] = t.a.dk.row(t.b, t.g, jg + std::min(jj, m - 1));
    }
    const int64_t i0 = first_row(jg);
    cols_tile<NV>(t.p + jg - j0, kKeyBlock, t.gh, i0, d.Tq, dv, m, first, last, 1.0f);
    cols_tile<NV>(t.ds + jg - j0, kKeyBlock, t.qh, i0, d.Tq, dk, m, first, last, static_cast<float>(d.scale));
  }
}

template <int NV>
TT_AVX512 void backward_task(const AttnBackwardArgs<float>& a, int64_t b, int64_t g, float* buf) {
  constexpr int D = 16 * NV;
  const AttnDims& d = a.d;
  const int64_t G = d.Hq / d.Hkv, ldk = round16(d.Tk), rows = (d.Tq + kRows - 1) / kRows * kRows;
  float *kt = buf, *vt = kt + D * ldk, *p = vt + D * ldk, *ds = p + rows * kKeyBlock, *qh = ds + rows * kKeyBlock;
  const AttnTiles<float>& tiles = *attention_tiles_avx512();
  tiles.pack_t(a.k.row(b, g, 0), a.k.st, d.Tk, D, kt, ldk);
  tiles.pack_t(a.v.row(b, g, 0), a.v.st, d.Tk, D, vt, ldk);
  const BackwardTask t{a, b, g, kt, vt, ldk, p, ds, qh, qh + rows * D};
  // Rows [0, blind) see no key (Tk = 0, or causal with Tq > Tk): never visited, dq = 0.
  const int64_t blind = d.Tk == 0 ? d.Tq : d.causal ? std::max<int64_t>(0, d.Tq - d.Tk) : 0;
  for (int64_t h = g * G; h < (g + 1) * G; ++h)
    for (int64_t i = 0; i < blind; ++i) std::fill(a.dq.row(b, h, i), a.dq.row(b, h, i) + D, 0.0f);
  for (int64_t j0 = 0; j0 < d.Tk; j0 += kKeyBlock)
    for (int64_t h = g * G; h < (g + 1) * G; ++h) backward_key_block<NV>(t, h, j0, std::min(j0 + kKeyBlock, d.Tk));
}

int64_t backward_scratch(const AttnDims& d) {
  const int64_t rows = (d.Tq + kRows - 1) / kRows * kRows;
  return 2 * d.D * round16(d.Tk) + 2 * rows * (kKeyBlock + d.D);
}

}  // namespace

const AttnD32Kernels* attention_d32_avx512(const AttnDims& d, bool masked) {
  static const AttnD32Kernels k16{&forward_scratch, &backward_scratch, &forward_task<1>, &backward_task<1>};
  static const AttnD32Kernels k32{&forward_scratch, &backward_scratch, &forward_task<2>, &backward_task<2>};
  if (masked || d.D != d.Dv || (d.D != 16 && d.D != 32) || !attention_tiles_avx512()) return nullptr;
  return d.D == 16 ? &k16 : &k32;
}

}  // namespace tt::kernels::detail
