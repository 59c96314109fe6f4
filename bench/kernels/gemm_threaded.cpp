// Rung 6 of the kernel lab: rung 5 on every core. C is cut into vertical slabs of whole nr-wide
// column tiles and each thread of the project pool (tt::parallel_for, src/core/parallel.h) runs the
// packed GEMM on its own slab: it reads all of A and its slab of B and writes only its slab of C,
// so threads share nothing they write, need no locks, and compute each element with the same
// instructions as one thread would (results are identical for any thread count).
#include <algorithm>

#include "bench/kernels/kernel_lab.h"
#include "core/parallel.h"

namespace tt::lab {

// Each thread packs its own B̃ slab and its own copy of every Ã block: Ã is packed once per
// thread instead of once, an extra m·k·(threads − 1) copies against 2·m·n·k FLOPs — negligible
// from n ≈ 100 on. Splitting C by rows instead would duplicate the packing of B̃, which is larger.
void gemm_threaded(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  const MicroKernel& uk = micro_kernel_best();
  const int64_t tiles = (n + uk.nr - 1) / uk.nr;
  parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
    const int64_t j0 = t0 * uk.nr, j1 = std::min(n, t1 * uk.nr);
    gemm_packed_with(uk, m, j1 - j0, k, a, k, b + j0, n, c + j0, n);
  });
}

}  // namespace tt::lab
