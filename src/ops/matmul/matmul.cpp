// Op `matmul`: 2-D and batched (batch dims broadcast) products; 1-D operands are promoted by
// unsqueeze and squeezed back, as torch.matmul does. Transposed views reach the GEMM as a
// transpose flag, not a copy (backward needs Aᵀ·B and A·Bᵀ).
// Backward: dA = dC·Bᵀ, dB = Aᵀ·dC, each summed over broadcast batch dims.
// Cost: 2·M·N·K FLOPs per batch element; reads A and B once, writes C once.
#include "core/node.h"
#include "ops/matmul/gemm.h"
#include "ops/matmul/matmul_operand.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

struct MatmulBackward : Node {
  Tensor a, b;
  bool need_a, need_b;
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor ga, gb;
    if (need_a) ga = sum_to(matmul(g, b.mT()), a.shape());
    if (need_b) gb = sum_to(matmul(a.mT(), g), b.shape());
    return {ga, gb};
  }
  void release() override { a = b = Tensor(); }
  const char* name() const override { return "MmBackward0"; }
};

// C (M,N) = A (M,K) · B (K,N) for 2-D views with any strides, or item by item for 3-D views
// [batch, ·, ·] (C contiguous): one batched GEMM call, not a loop of per-item tensor views.
void gemm_nd(const Tensor& c, const Tensor& a, const Tensor& b) {
  ops::GemmOperand A = ops::gemm_operand(a), B = ops::gemm_operand(b);
  const int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
  const int64_t nb = c.dim() == 3 ? c.size(0) : 1, ldc = c.stride(-2), sc = c.dim() == 3 ? c.stride(0) : 0;
  if (c.dtype() == kFloat32)
    kernels::gemm_batched_f32(A.trans, B.trans, nb, M, N, K, 1.0f, static_cast<const float*>(A.ptr), A.ld,
                              A.batch_stride, static_cast<const float*>(B.ptr), B.ld, B.batch_stride, 0.0f,
                              static_cast<float*>(c.raw_data()), ldc, sc);
  else
    kernels::gemm_batched_f64(A.trans, B.trans, nb, M, N, K, 1.0, static_cast<const double*>(A.ptr), A.ld,
                              A.batch_stride, static_cast<const double*>(B.ptr), B.ld, B.batch_stride, 0.0,
                              static_cast<double*>(c.raw_data()), ldc, sc);
}

Tensor matmul_nd(const Tensor& a, const Tensor& b) {
  const int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
  TT_CHECK(b.size(-2) == K, "matmul: inner dimensions differ: ", a.shape(), " @ ", b.shape(), " (", K, " vs ",
           b.size(-2), ")");
  Shape a_batch(a.shape().begin(), a.shape().end() - 2), b_batch(b.shape().begin(), b.shape().end() - 2);
  Shape batch = broadcast_shapes(a_batch, b_batch, "matmul");
  Shape out_shape = batch;
  out_shape.push_back(M);
  out_shape.push_back(N);
  ops::OpTimer timer(ops::OpId::matmul);
  Tensor out = empty(out_shape, a.dtype());
  const int64_t nb = batch.numel();
  Shape a_full = batch, b_full = batch;
  a_full.push_back(M), a_full.push_back(K), b_full.push_back(K), b_full.push_back(N);
  // Explicit batch size, not -1: -1 cannot be inferred when M, N or K is 0.
  Tensor ab = a.dim() == 2 && nb == 1 ? a : expand(a.detach(), a_full).reshape(Shape{nb, M, K});
  Tensor bb = b.dim() == 2 && nb == 1 ? b : expand(b.detach(), b_full).reshape(Shape{nb, K, N});
  Tensor ob = out.dim() == 2 ? out : out.view(Shape{nb, M, N});
  {
    NoGradGuard ng;
    if (nb == 1 && a.dim() == 2 && b.dim() == 2) gemm_nd(out, a, b);
    else gemm_nd(ob, ab, bb);
  }
  if (any_requires_grad({&a, &b})) {
    auto n = std::make_shared<MatmulBackward>();
    n->a = a.detach(), n->b = b.detach(), n->need_a = a.requires_grad(), n->need_b = b.requires_grad();
    attach_node(out, std::move(n), {&a, &b});
  }
  timer.done(out, [&] {
    return ops::Cost{2.0 * nb * M * N * K, ops::bytes_of(a) + ops::bytes_of(b), ops::bytes_of(out)};
  }, {&a, &b});
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  TT_CHECK(a.defined() && b.defined(), "matmul: undefined input tensor");
  TT_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need at least 1 dim, got ", a.shape(), " @ ",
           b.shape());
  TT_CHECK(a.dtype() == b.dtype(), "matmul: dtypes differ: ", a.dtype(), " @ ", b.dtype());
  TT_CHECK(is_floating(a.dtype()), "matmul: expected floating-point tensors, got ", a.dtype());
  if (a.dim() == 1 && b.dim() == 1) {
    TT_CHECK(a.numel() == b.numel(), "matmul: 1-D operands differ in length: ", a.shape(), " @ ", b.shape());
    return reshape(matmul_nd(unsqueeze(a, 0), unsqueeze(b, 1)), Shape{});
  }
  if (a.dim() == 1) return squeeze(matmul_nd(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul_nd(a, unsqueeze(b, 1)), -1);
  return matmul_nd(a, b);
}

Tensor Tensor::matmul(const Tensor& o) const { return tt::matmul(*this, o); }

}  // namespace tt
