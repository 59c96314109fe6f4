// Op `linear`: y = f(x·Wᵀ + b) with x (*, in), W (out, in), b (out), f an optional Activation —
// one GEMM with the bias pre-loaded into the output (beta = 1), then f applied in one pass over the
// output while it is still in cache, so nn.Linear (+ activation) costs one op, not three (or four).
// Backward: dpre = dy·f'(pre) (op `linear_act_backward`, skipped when f is None), then
// dx = dpre·W, dW = dpreᵀ·x, db = Σ_rows dpre (matmul and sum ops on views; no copies). W may be
// stored (out, in) or, as nn::WeightLayout::InputMajor, (in, out) behind a transposed view.
// Note [What the activation saves]: relu saves its output y (f' = [y > 0], no extra memory: y is
// the op's output anyway); gelu, gelu_tanh and silu save the pre-activation, as the unfused
// linear-then-activation would (their f' is not a function of y). Inference saves nothing and
// applies f in place.
// Cost: 2·N·in·out FLOPs (+ N·out for the bias, + N·out·c_f for f); reads x, W, b; writes y.
#include <cstring>

#include "core/node.h"
#include "ops/linear/linear_cpu.h"
#include "ops/matmul/gemm.h"
#include "ops/matmul/matmul_operand.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

// FLOPs per element of each activation, forward (the backward fold costs twice that), counted as
// ops/unary counts the same functions (a transcendental is one FLOP).
double act_flops(Activation act) {
  switch (act) {
    case Activation::None: return 0;
    case Activation::Relu: return 1;
    case Activation::Gelu: return 6;
    case Activation::GeluTanh: return 8;
    case Activation::Silu: return 4;
  }
  return 0;
}

// x (*, F) as (N, F) with N the product of the leading dims: explicit, since -1 cannot be inferred
// when F == 0.
Tensor as_rows(const Tensor& x) {
  int64_t n = 1;
  for (int i = 0; i + 1 < x.dim(); ++i) n *= x.shape()[i];
  return x.dim() == 2 ? x : reshape(x, Shape{n, x.size(-1)});
}

// The same without a handle copy when x is already 2-D: the result is x itself or the view held in
// `tmp`. Note [Handle copies]: copying a Tensor is an atomic reference-count increment (and a
// decrement when the copy dies); a locked instruction waits for the store buffer to drain, ~5-10 ns
// each in the middle of an op. A batch-1 Linear(8, 8) at inference made six such pairs and took
// ~150 ns; without them (and with the allocator's spin lock) it takes ~75 ns.
const Tensor& as_rows(const Tensor& x, Tensor& tmp) {
  if (x.dim() == 2) return x;
  tmp = as_rows(x);
  return tmp;
}

// dpre = dy·f'(saved) (Note [What the activation saves]); dy (N, out) any strides, dpre contiguous.
Tensor linear_act_backward(Activation act, const Tensor& dy, const Tensor& saved) {
  ops::OpTimer timer(ops::OpId::linear_act_backward);
  Tensor g = dy.dtype() == saved.dtype() ? dy : cast(dy, saved.dtype());
  Tensor dpre = empty(saved.shape(), saved.dtype());
  const int64_t rows = saved.shape()[0], cols = saved.shape()[1];
  TT_DISPATCH_FLOAT(saved.dtype(), "linear_act_backward", [&]<typename T>() {
    kernels::linear_activation_backward_cpu<T>(act, dpre.data_ptr<T>(), g.data_ptr<T>(), g.strides()[0],
                                               g.strides()[1], saved.data_ptr<T>(), rows, cols);
  });
  timer.done(dpre, [&] {
    return ops::Cost{2.0 * act_flops(act) * dpre.numel(), ops::bytes_of(dy) + ops::bytes_of(saved),
                     ops::bytes_of(dpre)};
  }, {&dy, &saved});
  return dpre;
}

struct LinearBackward : Node {
  Tensor x2, w, saved;  // x2: (N, in); saved: (N, out), y or pre (undefined when act is None)
  Shape x_shape;
  Activation act;
  bool need_x, need_w, need_b, w_in_major;
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor g2 = as_rows(g);  // (N, out)
    if (act != Activation::None) g2 = linear_act_backward(act, g2, saved);
    Tensor gx, gw, gb;
    if (need_x) gx = reshape(matmul(g2, w), x_shape);
    // dW in W's memory order (Note [Gradient layout]): an input-major W gets (x2ᵀ·dpre)ᵀ, a view
    // of a contiguous (in, out) product, so neither the product nor the optimizer transposes.
    if (need_w) gw = w_in_major ? matmul(x2.t(), g2).t() : matmul(g2.t(), x2);
    if (need_b) gb = sum(g2, Shape{0});
    return {gx, gw, gb};
  }
  void release() override { x2 = w = saved = Tensor(); }
  const char* name() const override { return act == Activation::None ? "AddmmBackward0" : "LinearActBackward"; }
};

void check_linear(const Tensor& x, const Tensor& w, const Tensor& b, Activation act) {
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
  const int a = static_cast<int>(act);
  TT_CHECK(a >= 0 && a <= static_cast<int>(Activation::Silu), "linear: unknown activation ", a);
}

// pre (N, out) = x2·Wᵀ + b, then out = f(pre) (out may be pre). float32: the bias and f are the
// GEMM's epilogue, applied block by block while each block is in cache (linear_epilogue_f32; on the
// GPT's 2048×512 MLP layer this saves a bias copy, a read of it and a pass of f over 4 MiB).
// float64 (gradient checks): bias rows first, copied with one memcpy per row, the GEMM adding onto
// them (beta = 1), then f as a pass.
void gemm_bias_act(Tensor& pre, Tensor& out, const Tensor& x2, const Tensor& w, const Tensor& b, Activation act) {
  const int64_t n = pre.shape()[0], outf = pre.shape()[1], in = w.shape()[1];
  Tensor copy;  // only for a strided bias (Note [Handle copies])
  const Tensor& bc = !b.defined() || b.is_contiguous() ? b : (copy = contiguous(b.detach()));
  ops::GemmOperand A = ops::gemm_operand(x2), W = ops::gemm_operand(w);
  // y = x · Wᵀ: W is stored (out, in), so op(B) = Wᵀ flips W's transpose flag.
  if (pre.dtype() == kFloat32) {
    const kernels::LinearEpilogueF32 e{bc.defined() ? bc.data_ptr<float>() : nullptr, act, out.data_ptr<float>(),
                                       outf};
    const kernels::GemmEpilogue ep{&kernels::linear_epilogue_f32, &e};
    kernels::gemm_f32(A.trans, !W.trans, n, outf, in, 1.0f, static_cast<const float*>(A.ptr), A.ld,
                      static_cast<const float*>(W.ptr), W.ld, 0.0f, pre.data_ptr<float>(), outf,
                      bc.defined() || act != Activation::None ? &ep : nullptr);
    return;
  }
  if (bc.defined() && n > 0) {
    const size_t row = static_cast<size_t>(outf) * pre.element_size();
    char* dst = static_cast<char*>(pre.raw_data());
    for (int64_t r = 0; r < n; ++r) std::memcpy(dst + r * row, bc.raw_data(), row);
  }
  kernels::gemm_f64(A.trans, !W.trans, n, outf, in, 1.0, static_cast<const double*>(A.ptr), A.ld,
                    static_cast<const double*>(W.ptr), W.ld, bc.defined() ? 1.0 : 0.0, pre.data_ptr<double>(), outf);
  if (act != Activation::None) kernels::linear_activation_cpu<double>(act, out.data_ptr<double>(),
                                                                      pre.data_ptr<double>(), n, outf);
}

}  // namespace

const char* activation_name(Activation act) {
  switch (act) {
    case Activation::None: return "none";
    case Activation::Relu: return "relu";
    case Activation::Gelu: return "gelu";
    case Activation::GeluTanh: return "gelu_tanh";
    case Activation::Silu: return "silu";
  }
  return "unknown";
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b, Activation act) {
  check_linear(x, w, b, act);
  ops::OpTimer timer(ops::OpId::linear);
  const int64_t in = w.shape()[1], outf = w.shape()[0];
  const bool record = any_requires_grad({&x, &w, &b});
  // The node saves x2; inference skips the detached handle. No handle is copied on the inference
  // path (Note [Handle copies]).
  Tensor xd = record ? x.detach() : Tensor(), x2_tmp;
  const Tensor& x2 = as_rows(record ? xd : x, x2_tmp);
  const int64_t n = x2.shape()[0];
  // The GEMM writes `pre`; f then writes `out` — a separate tensor only when backward needs pre.
  const bool keep_pre = record && act != Activation::None && act != Activation::Relu;
  Tensor out = empty(Shape{n, outf}, x.dtype());
  Tensor pre_kept = keep_pre ? empty(Shape{n, outf}, x.dtype()) : Tensor();
  Tensor& pre = keep_pre ? pre_kept : out;
  gemm_bias_act(pre, out, x2, w, b, act);
  // relu's saved y: the (N, out) result, taken before the view below.
  Tensor saved = record && act != Activation::None ? (keep_pre ? pre : out.detach()) : Tensor();
  Shape out_shape = x.shape();
  out_shape[out_shape.size() - 1] = outf;
  if (out_shape.size() != 2) out = out.view(out_shape);
  if (record) {
    auto node = std::make_shared<LinearBackward>();
    node->x2 = x2, node->w = w.detach(), node->x_shape = x.shape(), node->act = act;
    node->saved = std::move(saved);
    node->need_x = x.requires_grad(), node->need_w = w.requires_grad(), node->need_b = b.defined() && b.requires_grad();
    node->w_in_major = !w.is_contiguous() && w.is_dense() && w.strides()[0] == 1;
    attach_node(out, std::move(node), {&x, &w, &b});
  }
  timer.done(out, [&] {
    double flops = 2.0 * n * in * outf + (b.defined() ? double(n) * outf : 0.0) + act_flops(act) * n * outf;
    return ops::Cost{flops, ops::bytes_of(x) + ops::bytes_of(w) + (b.defined() ? ops::bytes_of(b) : 0.0),
                     ops::bytes_of(out) + (keep_pre ? ops::bytes_of(pre) : 0.0)};
  }, {&x, &w, &b});
  return out;
}

}  // namespace tt
