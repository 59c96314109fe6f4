// Rung 5's AVX2 micro-kernel, for CPUs without AVX-512: a 6×16 tile of C in 12 ymm registers,
// the same outer-product loop as micro_kernel_avx512.cpp with 8-float vectors. target("avx2,fma")
// on each function keeps the file buildable without -march=native; it is handed out only after
// __builtin_cpu_supports confirms the instructions.
#include <immintrin.h>

#include "bench/kernels/kernel_lab.h"

#define TT_LAB_AVX2 __attribute__((target("avx2,fma")))

namespace tt::lab {
namespace {

// 16 ymm registers: 2·mr accumulators + 2 B vectors + 1 broadcast <= 16 gives mr = 6 (the tile of
// the BLIS Haswell kernel); intensity mr·nr / (2·(mr + nr)) = 6·16/44 = 2.2 FLOP/byte, and 12
// accumulators cover the 5-cycle FMA latency on 2 pipes. See Note [Register tile shape].
constexpr int kMr = 6, kNr = 16;
static_assert(kMr * kNr <= kMaxMicroTile, "edge tile would overflow the driver's scratch");

TT_LAB_AVX2 void micro_avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc) {
  __m256 acc[kMr][2];
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {  // fetch C's tile early, as the AVX-512 kernel does
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  }
  for (int64_t p = 0; p < kc; ++p, a += kMr, b += kNr) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < kMr; ++r) {
      const __m256 ar = _mm256_broadcast_ss(a + r);
      acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
    float* cr = c + r * ldc;
    _mm256_storeu_ps(cr, _mm256_add_ps(_mm256_loadu_ps(cr), acc[r][0]));
    _mm256_storeu_ps(cr + 8, _mm256_add_ps(_mm256_loadu_ps(cr + 8), acc[r][1]));
  }
}

}  // namespace

const MicroKernel* micro_kernel_avx2() {
  // kc = 256: B̃ sliver 16 KiB in L1; mc = 120 = 20·mr: Ã block 120 KiB in L2; nc = 2048: B̃
  // block 2 MiB in L3 (the production AVX2 blocking, src/ops/matmul/gemm_cpu.cpp).
  static const MicroKernel uk{"avx2", kMr, kNr, 120, 256, 2048, &micro_avx2};
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &uk : nullptr;
}

}  // namespace tt::lab
