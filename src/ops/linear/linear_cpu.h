// CPU kernels for the activation fused into `linear` (ops/linear/linear.cpp): the output pass
// y = f(pre) and the backward fold dpre = dy·f'(pre), on raw row-major buffers.
// Not the GEMM (ops/matmul/gemm.h) and not the unary ops (ops/unary): the same functions, one loop
// per activation; float32 rows reuse ops/unary's vectorised kernels. Kernels never throw.
#pragma once
#include <cstdint>

#include "ops/ops.h"

namespace tt::kernels {

// y[r, j] = f(pre[r, j]) for a (rows, cols) contiguous block; y may alias pre. act != None.
template <typename T>
void linear_activation_cpu(Activation act, T* y, const T* pre, int64_t rows, int64_t cols);

// dpre[r, j] = dy[r·dy_rs + j·dy_cs] · f'(·), dpre (rows, cols) contiguous. `saved` is what the
// forward kept: the output y for relu (y > 0 exactly where pre > 0, so y suffices), the
// pre-activation for gelu, gelu_tanh and silu (their derivatives are not functions of y).
template <typename T>
void linear_activation_backward_cpu(Activation act, T* dpre, const T* dy, int64_t dy_rs, int64_t dy_cs,
                                    const T* saved, int64_t rows, int64_t cols);

// The float32 epilogue of linear's GEMM (a kernels::GemmEpilogue, ctx = LinearEpilogueF32): on each
// finished block of pre = x·Wᵀ it adds the bias (when set) and writes y = f(pre) (when act !=
// None; y may be pre itself), while the block is still in cache. Unfused, the bias was copied into
// every row before the GEMM (which then read it back with beta = 1) and f was one more pass over
// pre from memory.
struct LinearEpilogueF32 {
  const float* bias;  // out_features floats, or nullptr
  Activation act;
  float* y;           // (rows, ldy) row-major
  int64_t ldy;
};
void linear_epilogue_f32(const void* ctx, float* c, int64_t ldc, int64_t i0, int64_t j0, int64_t rows,
                         int64_t cols);

}  // namespace tt::kernels
