// Private to src/ops/matmul: the per-ISA pieces of gemm_f32 (micro-kernels, the transposing B
// packer, GEMV kernels) behind one table, so the blocking driver in gemm_cpu.cpp stays ISA-free.
// Not a public API: ops call tt::kernels::gemm_f32 from gemm.h.
#pragma once
#include <cstdint>

namespace tt::kernels::detail {

// Micro-kernel: C[m×n] = alpha * Ã[m×k] · B̃[k×n] + beta * C (beta == 0: C is write-only),
// m <= mr, n <= nr. B̃ row p is b[p*ldb .. p*ldb + nr), always nr floats readable (zero padded).
// Ã element (r, p) is a[r*a_stride + p] ("rows" kernel) or a[p*a_stride + r] ("cols" kernel);
// only rows r < m are read, so Ã may point straight into the caller's A.
using SgemmMicroFn = void (*)(int64_t k, const float* a, int64_t a_stride, const float* b,
                              int64_t ldb, float* c, int64_t ldc, int64_t m, int64_t n,
                              float alpha, float beta);

// Packs the k×n block of op(B) into ceil(n/nr) panels of [k][nr] floats, panel q at dst + q*k*nr,
// columns j >= n zero-filled. op(B)(p, j) is b[p*ldb + j] (pack_b) or b[j*ldb + p] (pack_b_trans,
// B stored N×K).
using SgemmPackBFn = void (*)(int64_t k, int64_t n, const float* b, int64_t ldb, float* dst);

// y[i*incy] = alpha * sum_p w[i*ldw + p] * x[p] + beta * y[i*incy],  i < n_out  (dot form).
// y[j*incy] = alpha * sum_p x[p] * w[p*ldw + j] + beta * y[j*incy],  j < n_out  (axpy form).
using SgemvFn = void (*)(int64_t n_out, int64_t k, const float* w, int64_t ldw, const float* x,
                         float* y, int64_t incy, float alpha, float beta);

// C[m×n] = alpha * A[m×k] · B[n×k]ᵀ + beta * C with A and B both k-contiguous (rows a + i*lda,
// b + j*ldb): dot products along k, no packing. For C with few rows or few columns, where packing
// B costs as much as the product.
using SgemmDotFn = void (*)(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                            int64_t ldb, float* c, int64_t ldc, float alpha, float beta);

// C[m×n] = alpha * op(A)[m×k] · op(B)[k×n] + beta * C for small products (n <= small_max_n; with
// b_trans also k <= 256): B read in place (masked loads at the right edge) or, when transposed,
// transposed into a stack buffer first; no heap scratch, no threads. Ã is addressed as for
// SgemmMicroFn (a_cols: element (r, p) at a[p*lda + r]).
using SgemmSmallFn = void (*)(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, bool a_cols,
                              const float* b, int64_t ldb, bool b_trans, float* c, int64_t ldc, float alpha,
                              float beta);

struct SgemmIsa {
  const char* name;
  int mr, nr;  // micro-tile: mr rows of C by nr columns
  SgemmMicroFn micro_a_rows;
  SgemmMicroFn micro_a_cols;
  SgemmPackBFn pack_b;
  SgemmPackBFn pack_b_trans;
  SgemvFn gemv_dot;
  SgemvFn gemv_axpy;
  SgemmDotFn gemm_nt_dot;  // nullptr: this ISA has none, use the packed path
  SgemmSmallFn small = nullptr;  // nullptr: none, small products take the blocked path
  int small_max_n = 0;
};

// Tables for the SIMD kernels; each returns nullptr when its ISA is missing on this CPU.
const SgemmIsa* sgemm_isa_avx512();
const SgemmIsa* sgemm_isa_avx2();
const SgemmIsa* sgemm_isa_scalar();

// Test hook: force gemm_f32 onto "avx512", "avx2" or "scalar" (false if this CPU lacks it);
// nullptr restores the automatic choice. Not thread safe against concurrent gemm_f32 calls.
bool force_sgemm_isa(const char* name);

}  // namespace tt::kernels::detail
