// Op `linear`: y = x·Wᵀ + b with x (*, in), W (out, in), b (out) — one GEMM with the bias
// pre-loaded into the output (beta = 1), so nn.Linear costs one kernel call, not three.
// Backward: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy (matmul and sum ops on views; no copies).
// Cost: 2·N·in·out FLOPs (+ N·out for the bias); reads x, W, b; writes y.
#include <cstring>

#include "core/node.h"
#include "ops/copy/copy_cpu.h"
#include "ops/matmul/gemm.h"
#include "ops/matmul/matmul_operand.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

// x (*, F) as (N, F) with N the product of the leading dims: explicit, since -1 cannot be inferred
// when F == 0.
Tensor as_rows(const Tensor& x) {
  int64_t n = 1;
  for (int i = 0; i + 1 < x.dim(); ++i) n *= x.shape()[i];
  return x.dim() == 2 ? x : reshape(x, Shape{n, x.size(-1)});
}

struct LinearBackward : Node {
  Tensor x2, w;  // x2: (N, in)
  Shape x_shape;
  bool need_x, need_w, need_b;
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor g2 = as_rows(g);  // (N, out)
    Tensor gx, gw, gb;
    if (need_x) gx = reshape(matmul(g2, w), x_shape);
    if (need_w) gw = matmul(g2.t(), x2);
    if (need_b) gb = sum(g2, Shape{0});
    return {gx, gw, gb};
  }
  void release() override { x2 = w = Tensor(); }
  const char* name() const override { return "AddmmBackward0"; }
};

void check_linear(const Tensor& x, const Tensor& w, const Tensor& b) {
  TT_CHECK(x.defined() && w.defined(), "linear: undefined input or weight");
  TT_CHECK(x.dim() >= 1, "linear: input must have at least 1 dim, got shape ", x.shape());
  TT_CHECK(w.dim() == 2, "linear: weight must be 2-D (out, in), got shape ", w.shape());
  TT_CHECK(x.size(-1) == w.shape()[1], "linear: input features ", x.size(-1), " do not match weight ", w.shape(),
           " (expected input (*, ", w.shape()[1], "), got ", x.shape(), ")");
  TT_CHECK(x.dtype() == w.dtype() && is_floating(x.dtype()), "linear: input and weight must share a float dtype, got ",
           x.dtype(), " and ", w.dtype());
  if (b.defined()) {
    TT_CHECK(b.dim() == 1 && b.shape()[0] == w.shape()[0], "linear: bias shape ", b.shape(), " does not match weight ",
             w.shape(), " (expected [", w.shape()[0], "])");
    TT_CHECK(b.dtype() == x.dtype(), "linear: bias dtype ", b.dtype(), " differs from input ", x.dtype());
  }
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
  check_linear(x, w, b);
  ops::OpTimer timer(ops::OpId::linear);
  const int64_t in = w.shape()[1], outf = w.shape()[0];
  const bool record = any_requires_grad({&x, &w, &b});
  Tensor x2 = as_rows(record ? x.detach() : x);  // the node saves x2; inference skips the detached copy
  const int64_t n = x2.shape()[0];
  Shape out_shape = x.shape();
  out_shape[out_shape.size() - 1] = outf;
  Tensor out = empty(Shape{n, outf}, x.dtype());
  // Bias rows first; the GEMM adds onto them (beta = 1). A contiguous bias is copied with one
  // memcpy per row: at batch 1 the strided copy loop's setup costs more than the copy.
  if (b.defined() && n > 0 && b.is_contiguous()) {
    const size_t row = static_cast<size_t>(outf) * out.element_size();
    char* dst = static_cast<char*>(out.raw_data());
    for (int64_t r = 0; r < n; ++r) std::memcpy(dst + r * row, b.raw_data(), row);
  } else if (b.defined() && n > 0) {
    kernels::copy_cpu(out, b);
  }
  ops::GemmOperand A = ops::gemm_operand(x2), W = ops::gemm_operand(w);
  // y = x · Wᵀ: W is stored (out, in), so op(B) = Wᵀ flips W's transpose flag.
  const bool beta1 = b.defined();
  if (x.dtype() == kFloat32)
    kernels::gemm_f32(A.trans, !W.trans, n, outf, in, 1.0f, static_cast<const float*>(A.ptr), A.ld,
                      static_cast<const float*>(W.ptr), W.ld, beta1 ? 1.0f : 0.0f, out.data_ptr<float>(), outf);
  else
    kernels::gemm_f64(A.trans, !W.trans, n, outf, in, 1.0, static_cast<const double*>(A.ptr), A.ld,
                      static_cast<const double*>(W.ptr), W.ld, beta1 ? 1.0 : 0.0, out.data_ptr<double>(), outf);
  if (out_shape.size() != 2) out = out.view(out_shape);
  if (record) {
    auto node = std::make_shared<LinearBackward>();
    node->x2 = x2, node->w = w.detach(), node->x_shape = x.shape();
    node->need_x = x.requires_grad(), node->need_w = w.requires_grad(), node->need_b = b.defined() && b.requires_grad();
    attach_node(out, std::move(node), {&x, &w, &b});
  }
  timer.done(out, [&] {
    double flops = 2.0 * n * in * outf + (b.defined() ? double(n) * outf : 0.0);
    return ops::Cost{flops, ops::bytes_of(x) + ops::bytes_of(w) + (b.defined() ? ops::bytes_of(b) : 0.0),
                     ops::bytes_of(out)};
  }, {&x, &w, &b});
  return out;
}

}  // namespace tt
