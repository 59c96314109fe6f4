// The ladder as data: the six rungs in order with the idea each adds, and the arithmetic-intensity
// model that explains their speeds (docs/acceleration.md walks through it with measured figures).
#include "bench/kernels/kernel_lab.h"

namespace tt::lab {

const std::vector<Rung>& ladder() {
  static const std::vector<Rung> rungs = {
      {1, "naive", "i-j-p dot products: B walked down its columns", &gemm_naive, false},
      {2, "reorder", "i-p-j: unit-stride inner loop, vectorized by the compiler", &gemm_reordered, false},
      {3, "tiled", "i-p-j over 64x1024 tiles of B, each reused from L2", &gemm_tiled, false},
      {4, "packed", "packed A, B panels; C++ 4x64 C tile updated in L1", &gemm_packed, false},
      {5, "simd", "hand-written SIMD register tile (AVX-512 14x32 / AVX2 6x16)", &gemm_simd, false},
      {6, "threads", "rung 5 on column slabs of C, one per thread", &gemm_threaded, true},
  };
  return rungs;
}

// Per multiply-add (2 FLOPs) on 4-byte floats, 64-byte cache lines, steady state:
//  1 naive:   loads a and b (8 bytes; the sum stays in a register): 2/8. Each b is on a new line
//             that was evicted since its last use: 64 bytes of L1 miss per multiply-add: 2/64.
//  2 reorder: loads b, loads and stores c (12 bytes): 2/12. C's row stays in L1, B streams in:
//             4 bytes of miss: 2/4.
//  3 tiled:   as rung 2 at these two levels (its gain is at L3->L2: kTileK/4, gemm_basic.cpp).
//  4 packed:  per step p of the kernel: nr floats of B̃ loaded once, the mr×nr C tile loaded and
//             stored (it lives in L1, not registers), mr floats of Ã:
//             2·mr·nr / (4·(mr + nr) + 8·mr·nr). The B̃ sliver (kc×nr) stays in L1 across the ir
//             loop; only the Ã sliver streams in from L2, 4·mr bytes per step: 2·mr·nr/(4·mr) = nr/2.
//  5-6 simd:  the C tile lives in registers: mr + nr floats loaded per step,
//             2·mr·nr / (4·(mr + nr)) = mr·nr / (2·(mr + nr)) (Goto & van de Geijn 2008, §4.2);
//             misses as rung 4, nr/2.
Intensity arithmetic_intensity(int rung) {
  switch (rung) {
    case 1:
      return {2.0 / 8.0, 2.0 / 64.0};
    case 2:
    case 3:
      return {2.0 / 12.0, 2.0 / 4.0};
    default: {
      const MicroKernel& uk = rung == 4 ? micro_kernel_portable() : micro_kernel_best();
      const double mn = static_cast<double>(uk.mr) * uk.nr;
      if (&uk == &micro_kernel_portable())  // C tile in L1 (also rungs 5-6 on a CPU without SIMD kernels)
        return {2.0 * mn / (4.0 * (uk.mr + uk.nr) + 8.0 * mn), uk.nr / 2.0};
      return {mn / (2.0 * (uk.mr + uk.nr)), uk.nr / 2.0};
    }
  }
}

}  // namespace tt::lab
