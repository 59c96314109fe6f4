// Rungs 1-3 of the kernel lab: the textbook triple loop, the same loops reordered so the innermost
// one walks memory with unit stride, and that loop nest cut into cache-sized tiles. All three keep
// the arithmetic the compiler's business; rungs 4-6 (gemm_packed.cpp, gemm_threaded.cpp) take it over.
#include <algorithm>

#include "bench/kernels/kernel_lab.h"

namespace tt::lab {

// Rung 1, i-j-p: each C(i,j) is a dot product of row i of A with column j of B. The column walk
// strides n floats through B, so every b load touches a new cache line; when the stride 4n bytes
// is a power of two (2 KiB at n = 512) a column's lines map to a handful of L1 sets and evict each
// other before the next j could reuse them: one 64-byte line moved per multiply-add. The sum is
// also one serial chain of dependent adds (no reassociation without -ffast-math), so even a cache
// hit waits for the previous add's latency.
void gemm_naive(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (int64_t p = 0; p < k; ++p) sum += a[i * k + p] * b[p * n + j];
      c[i * n + j] = sum;
    }
  }
}

// Rung 2, i-p-j: the same multiply-adds in another order. The inner loop now is
// C(i,:) += A(i,p)·B(p,:): B's row and C's row are both read with unit stride, every byte of a
// loaded cache line is used, and the n updates are independent, so the compiler vectorizes the
// loop (16 floats per instruction with AVX-512). C's row (4n bytes) stays in L1 across the p loop;
// B is streamed once per row of C: 4 bytes of B per multiply-add, intensity 0.5 FLOP/byte.
void gemm_reordered(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  std::fill(c, c + m * n, 0.0f);
  for (int64_t i = 0; i < m; ++i) {
    float* crow = c + i * n;
    for (int64_t p = 0; p < k; ++p) {
      const float aip = a[i * k + p];
      const float* brow = b + p * n;
      for (int64_t j = 0; j < n; ++j) crow[j] += aip * brow[j];
    }
  }
}

// Rung 3: rung 2's loops over one kTileK×kTileN tile of B at a time (64×1024 floats = 256 KiB,
// a quarter of L2). In rung 2 every row of C streams all of B (4n² bytes) from L3 or memory; here
// the tile is brought into L2 once and used by all m rows, and what crosses the L3->L2 boundary
// instead is each row's C segment (kTileN floats, read and written back once per tile): 8 bytes
// per kTileK multiply-adds, intensity 2·kTileK/8 = 16 FLOP/byte there instead of 0.5. Tiles are
// kept wide (1024 columns) because the j loop is the vectorized one: short rows would spend their
// time in loop entry and remainder code. Into L1 nothing changes (B still arrives 4 bytes per
// multiply-add, from L2 now), so the tiling pays only where rung 2 ran out of L2/L3: large n.
void gemm_tiled(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  std::fill(c, c + m * n, 0.0f);
  for (int64_t j0 = 0; j0 < n; j0 += kTileN) {
    const int64_t j1 = std::min(n, j0 + kTileN);
    for (int64_t p0 = 0; p0 < k; p0 += kTileK) {
      const int64_t p1 = std::min(k, p0 + kTileK);
      for (int64_t i = 0; i < m; ++i) {
        float* crow = c + i * n;
        for (int64_t p = p0; p < p1; ++p) {
          const float aip = a[i * k + p];
          const float* brow = b + p * n;
          for (int64_t j = j0; j < j1; ++j) crow[j] += aip * brow[j];
        }
      }
    }
  }
}

}  // namespace tt::lab
