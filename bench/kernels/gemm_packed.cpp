// Rungs 4 and 5 of the kernel lab: the blocked, packed GEMM of Goto & van de Geijn (2008,
// "Anatomy of high-performance matrix multiplication", ACM TOMS 34(3)) in the loop order of BLIS
// (Van Zee & van de Geijn 2015): five loops around a micro-kernel that updates an mr×nr tile of C
// from two packed slivers. Rung 4 runs it with a plain C++ micro-kernel (below), rung 5 with the
// hand-written SIMD ones that hold the tile in registers (micro_kernel_avx512.cpp,
// micro_kernel_avx2.cpp). Rung 6 is gemm_threaded.cpp.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "bench/kernels/kernel_lab.h"

namespace tt::lab {
namespace {

// Rung 4's micro-kernel: for each step p of the packed slivers, C's mr×nr tile gets the rank-1
// update Ã(:,p)·B̃(p,:), written as plain loops over the tile in memory. The j loop reads B̃ and C
// with unit stride, so the compiler vectorizes it (4 AVX-512 vectors per row with -march=native)
// and keeps those B̃ vectors in registers across the mr rows, and the tile (4×64 floats = 1 KiB)
// never leaves L1 — but every multiply-add still loads and stores its C element: the loop runs at
// the rate L1 accepts stores, far below the FMA units' rate. Keeping the tile in registers is rung 5.
// (A tile of accumulators in a local array, the textbook next step, is not a fix to rely on: GCC
// 12 turns it into shuffles or scalar code rather than keeping it in registers.)
constexpr int kPortableMr = 4, kPortableNr = 64;

// __restrict: C never overlaps the packed buffers; saying so lets the B̃ vectors stay in registers.
void micro_portable(int64_t kc, const float* __restrict a, const float* __restrict b, float* __restrict c,
                    int64_t ldc) {
  for (int64_t p = 0; p < kc; ++p, a += kPortableMr, b += kPortableNr) {
    for (int r = 0; r < kPortableMr; ++r) {
      const float ar = a[r];
      float* cr = c + r * ldc;
      for (int j = 0; j < kPortableNr; ++j) cr[j] += ar * b[j];
    }
  }
}

// Packs the mc×kc block of A (row stride lda) into ceil(mc/mr) slivers, each kc×mr stored [p][mr]
// so that the micro-kernel reads the mr values it broadcasts at step p from one contiguous place.
// Rows past mc are zero: an edge sliver then computes harmless zeros instead of reading past A.
void pack_a(int64_t mc, int64_t kc, const float* a, int64_t lda, int mr, float* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += mr, dst += kc * mr) {
    const int64_t rows = std::min<int64_t>(mr, mc - i0);
    for (int64_t p = 0; p < kc; ++p)
      for (int r = 0; r < mr; ++r) dst[p * mr + r] = r < rows ? a[(i0 + r) * lda + p] : 0.0f;
  }
}

// Packs the kc×nc block of B (row stride ldb) into ceil(nc/nr) slivers, each kc×nr stored [p][nr]:
// the micro-kernel then streams B̃ with unit stride through consecutive cache lines and pages,
// whatever ldb is (no TLB misses or cache-set conflicts from a power-of-two stride). Columns past
// nc are zero.
void pack_b(int64_t kc, int64_t nc, const float* b, int64_t ldb, int nr, float* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += nr, dst += kc * nr) {
    const int64_t cols = std::min<int64_t>(nr, nc - j0);
    for (int64_t p = 0; p < kc; ++p) {
      float* d = dst + p * nr;
      std::memcpy(d, b + p * ldb + j0, sizeof(float) * cols);
      std::fill(d + cols, d + nr, 0.0f);
    }
  }
}

// Grow-only 64-byte-aligned buffer, one pair per thread (rung 6 packs on every thread), so that
// repeated calls do not pay for fresh pages.
class PackBuffer {
 public:
  ~PackBuffer() { std::free(data_); }
  float* get(int64_t floats) {
    if (floats > cap_) {
      std::free(data_);
      data_ = static_cast<float*>(std::aligned_alloc(64, (static_cast<size_t>(floats) * 4 + 63) / 64 * 64));
      cap_ = floats;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  int64_t cap_ = 0;
};
thread_local PackBuffer t_pack_a, t_pack_b;

// Loops 4 and 5 (jr, ir) over one packed Ã block (mc×kc) and B̃ block (kc×nc): one micro-kernel
// call per mr×nr tile of C. Full tiles go straight to C; edge tiles are computed into a zeroed
// scratch tile and only their valid part is added to C.
void macro_kernel(const MicroKernel& uk, int64_t mc, int64_t nc, int64_t kc, const float* apack,
                  const float* bpack, float* c, int64_t ldc) {
  alignas(64) float edge[kMaxMicroTile];
  for (int64_t jr = 0; jr < nc; jr += uk.nr) {
    const int64_t cols = std::min<int64_t>(uk.nr, nc - jr);
    for (int64_t ir = 0; ir < mc; ir += uk.mr) {
      const int64_t rows = std::min<int64_t>(uk.mr, mc - ir);
      const float* as = apack + ir * kc;
      const float* bs = bpack + jr * kc;
      float* ct = c + ir * ldc + jr;
      if (rows == uk.mr && cols == uk.nr) {
        uk.fn(kc, as, bs, ct, ldc);
        continue;
      }
      std::fill(edge, edge + uk.mr * uk.nr, 0.0f);
      uk.fn(kc, as, bs, edge, uk.nr);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) ct[r * ldc + j] += edge[r * uk.nr + j];
    }
  }
}

}  // namespace

const MicroKernel& micro_kernel_portable() {
  // kc = 128: the B̃ sliver (128×64 floats = 32 KiB) stays in L1 across the mc/mr calls of the ir
  // loop; mc = 128: the Ã block (64 KiB) in L2; nc = 2048: the B̃ block (1 MiB) in L2/L3.
  static const MicroKernel uk{"portable", kPortableMr, kPortableNr, 128, 128, 2048, &micro_portable};
  return uk;
}

const MicroKernel& micro_kernel_best() {
  static const MicroKernel& uk = [] () -> const MicroKernel& {
    if (const MicroKernel* p = micro_kernel_avx512()) return *p;
    if (const MicroKernel* p = micro_kernel_avx2()) return *p;
    return micro_kernel_portable();
  }();
  return uk;
}

// Loops 1-3 (jc, pc, ic): B̃ = a kc×nc block of B packed once and reused by all m/mc blocks of A
// (it lives in L3); Ã = an mc×kc block of A packed and reused by all nc/nr slivers of B̃ (L2).
// C is zeroed first and every (pc) depth block adds its partial product.
void gemm_packed_with(const MicroKernel& uk, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                      const float* b, int64_t ldb, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
  if (m == 0 || n == 0 || k == 0) return;
  const int64_t kc_max = std::min(uk.kc, k);
  const int64_t mc_max = (std::min(uk.mc, m) + uk.mr - 1) / uk.mr * uk.mr;
  const int64_t nc_max = (std::min(uk.nc, n) + uk.nr - 1) / uk.nr * uk.nr;
  float* apack = t_pack_a.get(mc_max * kc_max);
  float* bpack = t_pack_b.get(kc_max * nc_max);
  for (int64_t jc = 0; jc < n; jc += uk.nc) {
    const int64_t nc = std::min(uk.nc, n - jc);
    for (int64_t pc = 0; pc < k; pc += uk.kc) {
      const int64_t kc = std::min(uk.kc, k - pc);
      pack_b(kc, nc, b + pc * ldb + jc, ldb, uk.nr, bpack);
      for (int64_t ic = 0; ic < m; ic += uk.mc) {
        const int64_t mc = std::min(uk.mc, m - ic);
        pack_a(mc, kc, a + ic * lda + pc, lda, uk.mr, apack);
        macro_kernel(uk, mc, nc, kc, apack, bpack, c + ic * ldc + jc, ldc);
      }
    }
  }
}

// Rung 4: packing plus a register tile written in plain C++.
void gemm_packed(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  gemm_packed_with(micro_kernel_portable(), m, n, k, a, k, b, n, c, n);
}

// Rung 5: the same driver with the SIMD micro-kernel for this CPU.
void gemm_simd(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  gemm_packed_with(micro_kernel_best(), m, n, k, a, k, b, n, c, n);
}

}  // namespace tt::lab
