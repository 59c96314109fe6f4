// The kernel lab: C = A·B (float32, row-major) written six ways, each rung one idea faster than the
// last — naive, loop reorder, cache tiling, packing, SIMD register tile, threads — plus the float64
// reference every rung is checked against. Teaching code, read alongside docs/acceleration.md;
// `tito bench gemm-ladder` times it (bench/suite_gemm_ladder.cpp). Not the production GEMM: that
// is tt::kernels::gemm_f32 (src/ops/matmul/gemm.h), which the ladder's last row shows for scale.
#pragma once
#include <cstdint>
#include <vector>

namespace tt::lab {

// Every rung: C[m×n] = A[m×k] · B[k×n], all row-major and contiguous (A(i,p) at a[i*k + p],
// B(p,j) at b[p*n + j], C(i,j) at c[i*n + j]); C is overwritten. Any m, n, k >= 0.
using GemmFn = void (*)(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);

void gemm_naive(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);      // rung 1
void gemm_reordered(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);  // rung 2
void gemm_tiled(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);      // rung 3
void gemm_packed(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);     // rung 4
void gemm_simd(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);       // rung 5
void gemm_threaded(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);   // rung 6

// Cache tile of rung 3, kTileK rows × kTileN columns of B (see gemm_basic.cpp for why).
constexpr int64_t kTileK = 64, kTileN = 1024;

// A micro-kernel (rungs 4-6): C[mr×nr] += Ã·B̃ for one packed sliver pair, where Ã is kc×mr
// stored [p][mr] (a[p*mr + r]) and B̃ is kc×nr stored [p][nr] (b[p*nr + j]); C at c, row stride
// ldc. It always computes the full mr×nr tile: the driver zero-pads the packed edges and routes
// edge tiles through a scratch tile. mc, kc, nc are the cache blocks the driver uses with it.
struct MicroKernel {
  const char* name;  // "portable", "avx2", "avx512"
  int mr, nr;
  int64_t mc, kc, nc;
  void (*fn)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc);
};

constexpr int kMaxMicroTile = 1024;  // bound on mr·nr (the driver's edge tile lives on the stack)

const MicroKernel& micro_kernel_portable();  // plain C++, the C tile updated in L1 (rung 4)
const MicroKernel* micro_kernel_avx2();      // AVX2+FMA intrinsics; nullptr if the CPU lacks them
const MicroKernel* micro_kernel_avx512();    // AVX-512F intrinsics; nullptr if the CPU lacks them
const MicroKernel& micro_kernel_best();      // what rungs 5 and 6 use: avx512, else avx2, else portable

// The packed, blocked driver of rungs 4-6 (Goto & van de Geijn 2008), with explicit row strides
// so that rung 6 can hand each thread a slab of C: C[m×n] (ldc) = A[m×k] (lda) · B[k×n] (ldb).
void gemm_packed_with(const MicroKernel& uk, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                      const float* b, int64_t ldb, float* c, int64_t ldc);

// One rung of the ladder, for the bench and the tests.
struct Rung {
  int number;          // 1..6
  const char* name;    // "naive", "reorder", "tiled", "packed", "simd", "threads"
  const char* idea;    // one line: what this rung adds
  GemmFn fn;
  bool threaded;       // uses tt::get_num_threads() threads (the others run on the calling thread)
};
const std::vector<Rung>& ladder();

// Arithmetic intensity of a rung's steady state (square n, float32) at the two boundaries that
// separate the rungs: FLOPs per byte moved between L1 and the registers (loads and stores the
// inner loop issues), and FLOPs per byte that miss L1 (brought in from L2 or beyond). Derived per
// rung in ladder.cpp and docs/acceleration.md; rungs 4-6 use the micro-kernel this CPU runs.
struct Intensity {
  double registers;  // FLOP per byte loaded or stored by the inner loop
  double l1_misses;  // FLOP per byte of L1 misses
};
Intensity arithmetic_intensity(int rung);

// The float64 reference: ref = A·B and mag = |A|·|B| (elementwise absolute values), both m×n,
// summed in float64 in the plain i-p-j order (obviously correct, no blocking).
void gemm_reference(int64_t m, int64_t n, int64_t k, const float* a, const float* b, double* ref, double* mag);

// How far a float32 result is from the reference: max over (i,j) of |c − ref| / mag. For any
// summation order, |fl(Σ a·b) − Σ a·b| <= γ_k·Σ|a|·|b| with γ_k = k·u/(1 − k·u), u = 2⁻²⁴
// (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §3.1), so every correct
// rung passes tolerance = γ_k and a wrong index or a missed edge fails it by orders of magnitude.
struct Check {
  double max_rel_err = 0;
  double tolerance = 0;
  bool ok = false;
};
Check check_result(int64_t m, int64_t n, int64_t k, const float* c, const double* ref, const double* mag);

}  // namespace tt::lab
