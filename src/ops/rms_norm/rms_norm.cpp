// Op `rms_norm` (Zhang & Sennrich 2019, "Root Mean Square Layer Normalization"): normalise x over
// its trailing dims `normalized_shape` (M rows of N = prod(normalized_shape)) by the root mean square,
// without centring:  y = x/√(mean(x²) + eps)·w,  w shaped like normalized_shape (or no scale).
// Forward is one fused kernel that also saves rstd = 1/√(mean(x²) + eps) per row (M float64s).
// Backward op `rms_norm_backward`, one fused kernel (rms_norm_cpu.h has the formulas):
//   dx = rstd·(g − x̂·mean(g·x̂)) with g = dy·w, x̂ = x·rstd;  dw = Σ dy·x̂.
// No double backward (Note [No double backward] in layer_norm.cpp).
// Cost: forward 4 FLOPs per element (+1 for w), reads x, w, writes y, rstd; backward 8 FLOPs per
// element (+2 for w) (g, x̂, Σg·x, dx, dw), reads dy, x, w, rstd, writes dx, dw.
#include <cmath>

#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/rms_norm/rms_norm_cpu.h"

namespace tt {
namespace {

struct RmsNormBackward : Node {
  Tensor x, w, rstd;  // x contiguous (M·N values); w contiguous (N) or undefined; rstd (M) float64
  int64_t M = 1, N = 1;
  Shape x_shape, norm_shape;
  bool need_x, need_w;
  std::vector<Tensor> backward(const Tensor& g) override;
  void release() override { x = w = rstd = Tensor(); }
  const char* name() const override { return "RmsNormBackward0"; }
};

std::vector<Tensor> RmsNormBackward::backward(const Tensor& g) {
  ops::OpTimer timer(ops::OpId::rms_norm_backward);
  Tensor dy = contiguous(g.dtype() == x.dtype() ? g : cast(g, x.dtype()));  // (*, normalized_shape)
  Tensor dx = need_x ? empty(x_shape, x.dtype()) : Tensor();
  Tensor dw = need_w ? empty(norm_shape, x.dtype()) : Tensor();
  Tensor scratch = need_w ? empty(Shape{kernels::rms_norm_backward_scratch(M, N)}, kFloat64) : Tensor();
  TT_DISPATCH_FLOAT(x.dtype(), "rms_norm_backward", [&]<typename T>() {
    auto ptr = [](const Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; };
    kernels::rms_norm_backward_cpu<T>(ptr(dx), ptr(dw), dy.data_ptr<T>(), x.data_ptr<T>(), rstd.data_ptr<double>(),
                                      ptr(w), M, N, need_w ? scratch.data_ptr<double>() : nullptr);
  });
  timer.done(need_x ? dx : dw, [&] {
    const double written = (need_x ? ops::bytes_of(dx) : 0) + (need_w ? ops::bytes_of(dw) : 0);
    const double read = ops::bytes_of(dy) + ops::bytes_of(x) + (w.defined() ? ops::bytes_of(w) : 0) +
                        ops::bytes_of(rstd);
    return ops::Cost{(8.0 + 2.0 * w.defined()) * x.numel(), read, written};
  }, {&g, &x, &w});
  return {dx, dw};
}

void check_rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& w, double eps) {
  TT_CHECK(x.defined(), "rms_norm: undefined input tensor");
  TT_CHECK(is_floating(x.dtype()), "rms_norm: expected a floating-point input, got ", x.dtype(), " (shape ",
           x.shape(), "; hint: convert with .to(tt::kFloat32))");
  TT_CHECK(!normalized_shape.empty(), "rms_norm: normalized_shape must have at least one dim, got ", normalized_shape,
           " (input ", x.shape(), ")");
  const int lead = x.dim() - normalized_shape.size();
  bool match = lead >= 0;
  for (int i = 0; match && i < normalized_shape.size(); ++i) match = x.shape()[lead + i] == normalized_shape[i];
  TT_CHECK(match, "rms_norm: normalized_shape ", normalized_shape, " does not match the trailing dims of input ",
           x.shape(), " (expected input (*, ", normalized_shape, "))");
  TT_CHECK(eps >= 0 && std::isfinite(eps), "rms_norm: eps must be finite and >= 0, got ", eps);
  if (!w.defined()) return;
  TT_CHECK(w.shape() == normalized_shape, "rms_norm: weight shape ", w.shape(), " does not match normalized_shape ",
           normalized_shape, " (input ", x.shape(), ")");
  TT_CHECK(w.dtype() == x.dtype(), "rms_norm: weight dtype ", w.dtype(), " differs from input ", x.dtype());
}

}  // namespace

Tensor rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, double eps) {
  check_rms_norm(x, normalized_shape, weight, eps);
  ops::OpTimer timer(ops::OpId::rms_norm);
  const int64_t N = normalized_shape.numel(), M = N == 0 ? 0 : x.numel() / N;
  Tensor xc = contiguous(x.detach());  // (M, N)
  Tensor wc = weight.defined() ? contiguous(weight.detach()) : Tensor();
  Tensor y = empty(x.shape(), x.dtype());
  Tensor rstd = empty(Shape{M}, kFloat64);
  TT_DISPATCH_FLOAT(x.dtype(), "rms_norm", [&]<typename T>() {
    kernels::rms_norm_forward_cpu<T>(y.data_ptr<T>(), rstd.data_ptr<double>(), xc.data_ptr<T>(),
                                     wc.defined() ? wc.data_ptr<T>() : nullptr, M, N, eps);
  });
  if (any_requires_grad({&x, &weight})) {
    auto node = std::make_shared<RmsNormBackward>();
    node->x = xc, node->w = wc, node->rstd = rstd, node->M = M, node->N = N;
    node->x_shape = x.shape(), node->norm_shape = normalized_shape;
    node->need_x = x.requires_grad(), node->need_w = weight.defined() && weight.requires_grad();
    attach_node(y, std::move(node), {&x, &weight});
  }
  timer.done(y, [&] {
    const double read = ops::bytes_of(x) + (weight.defined() ? ops::bytes_of(weight) : 0);
    return ops::Cost{(4.0 + weight.defined()) * x.numel(), read, ops::bytes_of(y) + ops::bytes_of(rstd)};
  }, {&x, &weight});
  return y;
}

}  // namespace tt
