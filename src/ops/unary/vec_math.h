// Vectorised float32 math over arrays: y[i] = f(x[i]) for exp, expm1, log, tanh, erf, sigmoid.
// Each call picks AVX-512, AVX2 or a scalar libm loop from the CPU's features at run time, so the
// library builds and runs without -march=native. Single-threaded: callers split big arrays
// (tensor_iter.h does). y may equal x (in place); other overlap is not allowed. Never throws.
// In-register versions for other SIMD kernels: vec_math_avx512.h, vec_math_avx2.h.
//
// Accuracy: max error vs the exact value (float64 libm), measured over all 2^32 float32 inputs on
// AVX-512 (AVX2 returns the same bits): exp 1.01 ulp, expm1 1.44, log 0.83, tanh 1.50, erf 0.76,
// sigmoid 2.40. tests/ops/vec_math_test.cpp asserts bounds just above; docs/vector_math.md has the
// method and the speed. Special values follow C's libm:
//   exp: +inf → +inf, −inf → 0, overflow → +inf, underflow → denormal or 0;  expm1: −inf → −1;
//   log: 0 → −inf, < 0 → NaN, +inf → +inf, denormal inputs to the same accuracy;
//   tanh, erf: ±inf → ±1, ±0 → ±0;  sigmoid: +inf → 1, −inf → 0;  NaN → NaN everywhere.
#pragma once
#include <cstdint>

namespace tt::kernels {

void vexp(const float* x, float* y, int64_t n);
void vexpm1(const float* x, float* y, int64_t n);
void vlog(const float* x, float* y, int64_t n);
void vtanh(const float* x, float* y, int64_t n);
void verf(const float* x, float* y, int64_t n);
void vsigmoid(const float* x, float* y, int64_t n);

// Row primitives of softmax and cross-entropy. Both use 32 interleaved partial results (element i
// goes to lane i mod 32, lanes combined in order at the end): vectorisable, and the same order
// on every run and thread count.
// GELU rows (erf form), fused so that each element is read and written once, with the erf and exp
// above:  y[i] = ½x(1 + erf(x/√2)),  dx[i] = dy[i]·(½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π)), x = x[i].
// Outputs may equal an input (in place); other overlap is not allowed.
void vgelu(const float* x, float* y, int64_t n);
void vgelu_backward(const float* dy, const float* x, float* dx, int64_t n);

// max_i x[i] (−inf for n = 0; a NaN may or may not win, callers get NaN from vexp_sum anyway).
float vmax(const float* x, int64_t n);
// y[i] = e^(x[i] − shift) and returns Σ y[i]; y may be nullptr (only the sum is wanted) or x.
float vexp_sum(const float* x, float shift, float* y, int64_t n);

// Name of the instruction set the functions above use now: "avx512", "avx2" or "scalar".
const char* vec_math_isa();
// Test hook: force "avx512", "avx2" or "scalar" (false if this CPU lacks it); nullptr restores the
// automatic choice. Not thread safe against concurrent calls of the functions above.
bool force_vec_math_isa(const char* name);

}  // namespace tt::kernels
