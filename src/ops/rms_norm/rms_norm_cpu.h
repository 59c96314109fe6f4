// RMSNorm CPU kernels on raw contiguous buffers, viewed as M rows of N normalised elements.
// Not the op: no shapes, checks or autograd (ops/rms_norm/rms_norm.cpp does those); kernels never
// throw. Instantiated for float (AVX-512 rows when the CPU has them, rms_norm_avx512.cpp) and double.
#pragma once
#include <cstdint>

namespace tt::kernels {

// x, y: (M, N); w: (N) or nullptr (no scale); rstd: (M), double for every T.
//   rstd_r = 1/√((1/N) Σ_i x_ri² + eps),  y_ri = x_ri·rstd_r·w_i
// Row sums of squares accumulate in double. Rows run on threads.
template <typename T>
void rms_norm_forward_cpu(T* y, double* rstd, const T* x, const T* w, int64_t M, int64_t N, double eps);

// Doubles of scratch rms_norm_backward_cpu needs when it computes dw.
int64_t rms_norm_backward_scratch(int64_t M, int64_t N);

// Given dy (M, N) and the forward's x, rstd and w (or nullptr), with x̂ = x·rstd and g = dy·w:
//   dx = rstd·(g − x̂·mean_i(g·x̂)),  dw = Σ_rows dy·x̂
// dx or dw may be nullptr (not wanted). dw is bitwise independent of the thread count (fixed
// row chunks summed in order, Note [Deterministic column sums] in ops/row_chunks.h); `scratch` holds
// rms_norm_backward_scratch(M, N) doubles when dw is wanted.
template <typename T>
void rms_norm_backward_cpu(T* dx, T* dw, const T* dy, const T* x, const double* rstd, const T* w, int64_t M, int64_t N,
                           double* scratch);

namespace detail {
// AVX-512 float32 row loops, or nullptr when this CPU lacks AVX-512F (rms_norm_avx512.cpp).
struct RmsRowsF32 {
  double (*sum_squares)(const float* x, int64_t n);                                  // Σ x² in double
  void (*scale)(float* y, const float* x, const float* w, float rs, int64_t n);      // y = x·rs·w (w may be null)
  double (*dot_gx)(const float* dy, const float* x, const float* w, int64_t n);      // Σ dy·w·x in double
  void (*dx)(float* dx, const float* dy, const float* x, const float* w, float rs, float c, int64_t n);
  // ↑ dx = rs·dy·w − c·x, the backward row with c = rs³·(Σ g·x)/N (rms_norm_cpu.cpp)
};
const RmsRowsF32* rms_rows_avx512();
}  // namespace detail

}  // namespace tt::kernels
