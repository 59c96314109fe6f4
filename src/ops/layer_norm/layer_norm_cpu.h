// Layer-norm CPU kernels on raw contiguous buffers, viewed as M rows of N normalised elements.
// Not the op: no shapes, checks or autograd (ops/layer_norm/layer_norm.cpp does those); kernels
// never throw. Instantiated for float and double. Sums are finished in double; float32 on AVX-512
// CPUs first adds short runs in float32 lanes (Note [Float32 rows] in layer_norm_avx512.cpp).
#pragma once
#include <cstdint>

namespace tt::kernels {

// x, y: (M, N); w, b: (N) or nullptr (no affine); mean, rstd: (M), in double for every T (a float32
// mean near 1e3 would be off by up to 3e-5, and backward's x̂ = (x − mean)·rstd with it).
//   mean_r = (1/N) Σ_i x_ri,  var_r = (1/N) Σ_i (x_ri − mean_r)²  (biased, as PyTorch)
//   rstd_r = 1/√(var_r + eps),  y_ri = (x_ri − mean_r)·rstd_r·w_i + b_i
// Two passes per row (see Note [Two-pass variance] in layer_norm_cpu.cpp); rows run on threads.
template <typename T>
void layer_norm_forward_cpu(T* y, double* mean, double* rstd, const T* x, const T* w, const T* b, int64_t M, int64_t N,
                            double eps);

// Doubles of scratch layer_norm_backward_cpu needs when it computes dw or db.
int64_t layer_norm_backward_scratch(int64_t M, int64_t N);

// Given dy (M, N) and the forward's x, mean, rstd and w (or nullptr), with x̂ = (x − mean)·rstd
// and g = dy·w (dy when w is null):
//   dx = rstd·(g − mean_i(g) − x̂·mean_i(g·x̂)),  dw = Σ_rows dy·x̂,  db = Σ_rows dy
// Any of dx, dw, db may be nullptr (not wanted). dw/db are bitwise independent of the thread
// count (Note [Deterministic column sums] in ops/row_chunks.h); `scratch` holds layer_norm_backward_scratch(M, N)
// doubles when dw or db is wanted.
template <typename T>
void layer_norm_backward_cpu(T* dx, T* dw, T* db, const T* dy, const T* x, const double* mean, const double* rstd,
                             const T* w,
                             int64_t M, int64_t N, double* scratch);

}  // namespace tt::kernels
