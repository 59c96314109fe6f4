// FMA throughput kernels for the peak probe: AVX-512, AVX2 and scalar, one picked at run time.
// Every SIMD function carries its own target attribute, so the file builds without -march=native
// (same pattern as ops/matmul/gemm_kernels_avx512.cpp; no file-wide #pragma GCC target).
// Note [Accumulator count]: an FMA's result is ready `latency` cycles after issue, and the core
// issues `pipes` FMAs per cycle, so keeping every pipe busy needs latency × pipes independent
// chains in flight (Little's law). Zen 4 and Skylake-X: 4 cycles × 2 pipes = 8. We keep 16 zmm
// chains (32 registers, covers up to 8-cycle latency) and 12 ymm chains (16 registers, 2 hold the
// constants). Fewer chains measure latency, not throughput.
#include "hw/fma_kernels.h"

#include <immintrin.h>

namespace tt::hw::detail {
namespace {

// x ← x·m + a converges to a / (1 − m) = 1: values stay normal (no denormal slow path, no overflow).
constexpr float kMul = 0.999f;
constexpr float kAdd = 0.001f;
constexpr int kUnroll = 4;  // chains × kUnroll FMAs per loop iteration, so loop overhead is noise

constexpr int kZmmChains = 16;
__attribute__((target("avx512f,fma"))) void fma_avx512(int64_t iters, float* sink) {
  const __m512 m = _mm512_set1_ps(kMul), a = _mm512_set1_ps(kAdd);
  __m512 acc[kZmmChains];
#pragma GCC unroll 16
  for (int k = 0; k < kZmmChains; ++k) acc[k] = _mm512_set1_ps(static_cast<float>(k) * 1e-3f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 4
    for (int u = 0; u < kUnroll; ++u) {
#pragma GCC unroll 16
      for (int k = 0; k < kZmmChains; ++k) acc[k] = _mm512_fmadd_ps(acc[k], m, a);
    }
  }
  __m512 s = acc[0];
#pragma GCC unroll 16
  for (int k = 1; k < kZmmChains; ++k) s = _mm512_add_ps(s, acc[k]);
  // Not _mm512_reduce_add_ps: GCC 12 warns on its self-initialised dummy operand (PR 105593).
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  float total = 0;
  for (float v : lanes) total += v;
  *sink = total;
}

constexpr int kYmmChains = 12;
__attribute__((target("avx2,fma"))) void fma_avx2(int64_t iters, float* sink) {
  const __m256 m = _mm256_set1_ps(kMul), a = _mm256_set1_ps(kAdd);
  __m256 acc[kYmmChains];
#pragma GCC unroll 12
  for (int k = 0; k < kYmmChains; ++k) acc[k] = _mm256_set1_ps(static_cast<float>(k) * 1e-3f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 4
    for (int u = 0; u < kUnroll; ++u) {
#pragma GCC unroll 12
      for (int k = 0; k < kYmmChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], m, a);
    }
  }
  __m256 s = acc[0];
#pragma GCC unroll 12
  for (int k = 1; k < kYmmChains; ++k) s = _mm256_add_ps(s, acc[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  float total = 0;
  for (float v : lanes) total += v;
  *sink = total;
}

// No FMA unit (or no AVX2): a multiply and an add per step, still 2 FLOPs. 8 chains cover the
// add latency of older cores (3–4 cycles × 2 pipes).
constexpr int kScalarChains = 8;
void fma_scalar(int64_t iters, float* sink) {
  float acc[kScalarChains];
  for (int k = 0; k < kScalarChains; ++k) acc[k] = static_cast<float>(k) * 1e-3f;
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 4
    for (int u = 0; u < kUnroll; ++u) {
#pragma GCC unroll 8
      for (int k = 0; k < kScalarChains; ++k) acc[k] = acc[k] * kMul + kAdd;
    }
  }
  float total = 0;
  for (float v : acc) total += v;
  *sink = total;
}

}  // namespace

const FmaKernel& best_fma_kernel() {
  static const FmaKernel avx512{"avx512", int64_t{kUnroll} * kZmmChains * 16 * 2, &fma_avx512};
  static const FmaKernel avx2{"avx2", int64_t{kUnroll} * kYmmChains * 8 * 2, &fma_avx2};
  static const FmaKernel scalar{"scalar", int64_t{kUnroll} * kScalarChains * 2, &fma_scalar};
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return avx2;
  return scalar;
}

}  // namespace tt::hw::detail
