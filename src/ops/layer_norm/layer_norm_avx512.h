// Private to src/ops/layer_norm: float32 layer-norm rows with AVX-512, which layer_norm_cpu.cpp
// calls when the CPU has it (contracts and formulas in layer_norm_cpu.h; float64, and float32 on
// other CPUs, take the portable loops there). Arithmetic in float32 lanes, every sum finished in
// double, dw and db summed in double (Note [Float32 rows] in layer_norm_avx512.cpp).
// Single-threaded; never throw.
#pragma once
#include <cstdint>

namespace tt::kernels::detail {

// True when this CPU runs the functions below (AVX-512F and FMA).
bool layer_norm_has_avx512();

// Forward of `rows` contiguous rows of N: y, and the row statistics mean, rstd (double).
void layer_norm_forward_f32_avx512(float* y, double* mean, double* rstd, const float* x, const float* w,
                                   const float* b, int64_t rows, int64_t N, double eps);

// Backward of `rows` contiguous rows of N: writes dx (unless nullptr) and adds Σ_rows dy·x̂ into
// pw and Σ_rows dy into pb (N doubles each; either may be nullptr).
void layer_norm_backward_f32_avx512(float* dx, const float* dy, const float* x, const double* mean,
                                    const double* rstd, const float* w, int64_t rows, int64_t N, double* pw,
                                    double* pb);

}  // namespace tt::kernels::detail
