// Rung 5's AVX-512 micro-kernel: a 14×32 tile of C held in 28 zmm registers, updated by one
// rank-1 product per step of k (the outer-product form of BLIS micro-kernels). Each function
// carries target("avx512f,fma"), so the file builds without -march=native, and the kernel is handed
// out only after __builtin_cpu_supports says the CPU has the instructions. No file-wide
// #pragma GCC target: std:: code inlined here must stay baseline x86-64 (see gemm_kernels_avx512.cpp).
#include <immintrin.h>

#include "bench/kernels/kernel_lab.h"

#define TT_LAB_AVX512 __attribute__((target("avx512f,fma")))

namespace tt::lab {
namespace {

// Note [Register tile shape]: per step p the kernel loads nr/16 = 2 vectors of B̃, broadcasts mr
// values of Ã, and issues 2·mr FMAs; the tile needs 2·mr accumulators + 2 B vectors + 1
// broadcast <= 32 zmm, so mr <= 14. Data loaded per step: (mr + nr)·4 bytes for 2·mr·nr FLOPs,
// i.e. mr·nr / (2·(mr + nr)) FLOP/byte = 14·32/92 = 4.9 — larger tiles move fewer bytes per FLOP,
// and 28 independent accumulators cover the FMA latency × throughput (4 cycles × 2 pipes = 8)
// several times over.
constexpr int kMr = 14, kNr = 32;
static_assert(kMr * kNr <= kMaxMicroTile, "edge tile would overflow the driver's scratch");

TT_LAB_AVX512 void micro_avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc) {
  __m512 acc[kMr][2];
#pragma GCC unroll 14
  for (int r = 0; r < kMr; ++r) {
    // C's tile is needed only after the k loop: start fetching its 2 lines per row now, so that a
    // tile that has left the caches (large n) arrives while the FMAs run instead of after them.
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 16), _MM_HINT_T0);
    acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < kc; ++p, a += kMr, b += kNr) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 14
    for (int r = 0; r < kMr; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
    }
  }
#pragma GCC unroll 14
  for (int r = 0; r < kMr; ++r) {
    float* cr = c + r * ldc;
    _mm512_storeu_ps(cr, _mm512_add_ps(_mm512_loadu_ps(cr), acc[r][0]));
    _mm512_storeu_ps(cr + 16, _mm512_add_ps(_mm512_loadu_ps(cr + 16), acc[r][1]));
  }
}

}  // namespace

const MicroKernel* micro_kernel_avx512() {
  // kc = 256: the B̃ sliver (256×32 floats = 32 KiB) stays in L1 while the ir loop streams mc/mr
  // Ã slivers (14×256 floats = 14 KiB each) past it; mc = 168 = 12·mr: the Ã block (168 KiB)
  // stays in L2; nc = 3072: the B̃ block (3 MiB) in L3. (kc = 512, the production choice, was
  // 1-5% faster here — C's tile is updated half as often — but its B̃ sliver no longer fits L1.)
  static const MicroKernel uk{"avx512", kMr, kNr, 168, 256, 3072, &micro_avx512};
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") ? &uk : nullptr;
}

}  // namespace tt::lab
