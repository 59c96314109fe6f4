// The steps every attention kernel block is made of, on packed row-major buffers
// (attention_cpu.cpp packs Kᵀ, Vᵀ and the query block into them), with `rows` ≤ kAttnRows:
//   rows_by_cols: c[r][0..n) = Σ_k a[r][k]·bt[k][0..n)   S = Q·Kᵀ, dP = dO·Vᵀ (bt = Kᵀ or Vᵀ packed)
//   acc_rows:     c[r][0..n) += Σ_j a[r][j]·b[j][0..n)   O += P·V, dQ += dS·K
//   acc_cols:     c[j][0..n) += Σ_r a[r][j]·x[r][0..n)   dV += Pᵀ·dO, dK += dSᵀ·Q
//   rows_max:     out[r] = max_j s[r][j]   (−inf for an all −inf row)
//   rows_exp:     s[r][j] ← e^(s[r][j] − shift[r]), sums[r] = Σ_j s[r][j] (sums may be null); e^(−inf) = 0
//   pack_t:       dst[k][j] = src[j·stride + k] for j < n, k < width; 0 for n ≤ j < ld (Kᵀ, Vᵀ)
// n and ld are multiples of 16 (callers zero-pad), so the AVX-512 versions
// (attention_tiles_avx512.cpp) need no lane masks. The softmax steps take a whole block of rows so
// that the independent exps of different rows overlap in the pipeline. Every product sums in index
// order with one accumulator per output element, in the generic and the AVX-512 versions alike, so
// a row's result does not depend on how callers block rows. Not the algorithm (attention_cpu.cpp):
// no masks or strides here.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ops/unary/vec_math.h"

namespace tt::kernels {

// Query rows per block: 8 rows × 2 zmm columns = 16 accumulators (of 32 registers), and in
// acc_cols each loaded dK/dV row feeds 8 FMAs per vector.
constexpr int kAttnRows = 8;

template <typename T>
struct AttnTiles {
  const char* name;
  void (*rows_by_cols)(int rows, int64_t kdim, const T* a, int64_t lda, const T* bt, int64_t ldb, int64_t n, T* c,
                       int64_t ldc);
  void (*acc_rows)(int rows, int64_t m, const T* a, int64_t lda, const T* b, int64_t ldb, int64_t n, T* c,
                   int64_t ldc);
  void (*acc_cols)(int rows, int64_t m, const T* a, int64_t lda, const T* x, int64_t ldx, int64_t n, T* c,
                   int64_t ldc);
  void (*rows_max)(int rows, const T* s, int64_t lds, int64_t n, T* out);
  void (*rows_exp)(int rows, T* s, int64_t lds, int64_t n, const T* shift, T* sums);
  void (*pack_t)(const T* src, int64_t stride, int64_t n, int64_t width, T* dst, int64_t ld);
};

namespace detail {

template <typename T>
void rows_by_cols_generic(int rows, int64_t kdim, const T* a, int64_t lda, const T* bt, int64_t ldb, int64_t n, T* c,
                          int64_t ldc) {
  for (int r = 0; r < rows; ++r) {
    T* cr = c + r * ldc;
    for (int64_t j = 0; j < n; ++j) cr[j] = T(0);
    for (int64_t k = 0; k < kdim; ++k) {
      const T ark = a[r * lda + k];
      const T* b = bt + k * ldb;
      for (int64_t j = 0; j < n; ++j) cr[j] += ark * b[j];
    }
  }
}

template <typename T>
void acc_rows_generic(int rows, int64_t m, const T* a, int64_t lda, const T* b, int64_t ldb, int64_t n, T* c,
                      int64_t ldc) {
  for (int r = 0; r < rows; ++r)
    for (int64_t j = 0; j < m; ++j) {
      const T arj = a[r * lda + j];
      const T* bj = b + j * ldb;
      T* cr = c + r * ldc;
      for (int64_t i = 0; i < n; ++i) cr[i] += arj * bj[i];
    }
}

template <typename T>
void acc_cols_generic(int rows, int64_t m, const T* a, int64_t lda, const T* x, int64_t ldx, int64_t n, T* c,
                      int64_t ldc) {
  for (int64_t j = 0; j < m; ++j) {
    T* cj = c + j * ldc;
    for (int r = 0; r < rows; ++r) {
      const T arj = a[r * lda + j];
      const T* xr = x + r * ldx;
      for (int64_t i = 0; i < n; ++i) cj[i] += arj * xr[i];
    }
  }
}

// float: vec_math's row primitives (AVX2 or scalar exp by CPU); double: libm.
template <typename T>
void rows_max_generic(int rows, const T* s, int64_t lds, int64_t n, T* out) {
  for (int r = 0; r < rows; ++r) {
    const T* x = s + r * lds;
    if constexpr (std::is_same_v<T, float>) {
      out[r] = vmax(x, n);
    } else {
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < n; ++i) m = std::max(m, x[i]);
      out[r] = m;
    }
  }
}

template <typename T>
void rows_exp_generic(int rows, T* s, int64_t lds, int64_t n, const T* shift, T* sums) {
  for (int r = 0; r < rows; ++r) {
    T* x = s + r * lds;
    T sum = 0;
    if constexpr (std::is_same_v<T, float>) {
      sum = vexp_sum(x, shift[r], x, n);
    } else {
      for (int64_t i = 0; i < n; ++i) sum += (x[i] = std::exp(x[i] - shift[r]));
    }
    if (sums) sums[r] = sum;
  }
}

template <typename T>
void pack_t_generic(const T* src, int64_t stride, int64_t n, int64_t width, T* dst, int64_t ld) {
  for (int64_t k = 0; k < width; ++k) {
    T* d = dst + k * ld;
    for (int64_t j = 0; j < n; ++j) d[j] = src[j * stride + k];
    for (int64_t j = n; j < ld; ++j) d[j] = T(0);
  }
}

template <typename T>
const AttnTiles<T>* attention_tiles_generic() {
  static const AttnTiles<T> tiles{"generic",         &rows_by_cols_generic<T>, &acc_rows_generic<T>,
                                  &acc_cols_generic<T>, &rows_max_generic<T>,     &rows_exp_generic<T>,
                                  &pack_t_generic<T>};
  return &tiles;
}

// The AVX-512 float32 tiles, or nullptr when this CPU lacks AVX-512F (attention_tiles_avx512.cpp).
const AttnTiles<float>* attention_tiles_avx512();

}  // namespace detail
}  // namespace tt::kernels
