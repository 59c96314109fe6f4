// GEMM kernels behind matmul and linear: C = alpha * op(A) * op(B) + beta * C on raw row-major
// buffers, float32 (packed, cache-blocked, SIMD dispatched at run time) and float64 (plain blocked).
// Not a tensor op: no shapes, no checks, no autograd. Callers validate; kernels never throw.
#pragma once
#include <cstdint>

namespace tt::kernels {

// Work done on C's blocks as they are finished, while each is still in cache (a bias, an
// activation: what would otherwise be one more pass over C from memory). fn(ctx, c, ldc, i0, j0,
// rows, cols) gets the block C[i0 .. i0+rows) × [j0 .. j0+cols) at c = &C(i0, j0), holding its final
// alpha·op(A)·op(B) + beta·C; the blocks of one call cover C exactly once, and a block may be
// handled on any of the GEMM's threads. fn must be elementwise (its result for C(i, j) may depend
// on i, j and that element only), so results stay independent of the blocking and thread count.
struct GemmEpilogue {
  void (*fn)(const void* ctx, float* c, int64_t ldc, int64_t i0, int64_t j0, int64_t rows, int64_t cols);
  const void* ctx;
};

// C[M,N] = alpha * op(A)[M,K] · op(B)[K,N] + beta * C[M,N]; all row-major.
// op(A) = A (A is M×K, element (i,k) at A[i*lda + k]) or, when trans_a, Aᵀ where A is stored K×M
// (element (i,k) at A[k*lda + i]).
// Same for B: B is K×N (B[k*ldb + n]) or, when trans_b, stored N×K (B[n*ldb + k]).
// beta == 0 means C is write-only (may hold NaN garbage). M, N or K may be 0 (K == 0: C = beta*C).
// Bitwise deterministic run to run for a fixed thread count (tt::set_num_threads).
// With an epilogue, ep->fn then runs over every block of C (see GemmEpilogue).
void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
              const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
              const GemmEpilogue* ep = nullptr);
void gemm_f64(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha,
              const double* A, int64_t lda, const double* B, int64_t ldb, double beta, double* C,
              int64_t ldc);

// A batch of independent products, item i at A + i*stride_a, B + i*stride_b, C + i*stride_c
// (a stride of 0 reuses one operand for every item, as broadcasting does). Small products run one
// per thread (attention's many heads); large ones run in turn, each threaded inside. Every item
// gives bitwise the same C as a gemm_f32 / gemm_f64 call on it alone.
void gemm_batched_f32(bool trans_a, bool trans_b, int64_t batch, int64_t M, int64_t N, int64_t K, float alpha,
                      const float* A, int64_t lda, int64_t stride_a, const float* B, int64_t ldb, int64_t stride_b,
                      float beta, float* C, int64_t ldc, int64_t stride_c);
void gemm_batched_f64(bool trans_a, bool trans_b, int64_t batch, int64_t M, int64_t N, int64_t K, double alpha,
                      const double* A, int64_t lda, int64_t stride_a, const double* B, int64_t ldb,
                      int64_t stride_b, double beta, double* C, int64_t ldc, int64_t stride_c);

// Which micro-kernel gemm_f32 uses on this CPU: "avx512", "avx2" or "scalar" ("openblas" in the
// comparison build, cmake -DTT_OPENBLAS=ON).
const char* gemm_isa();

}  // namespace tt::kernels
