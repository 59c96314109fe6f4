// Op `layer_norm` (Ba, Kiros & Hinton 2016, "Layer Normalization"), as torch.nn.functional.layer_norm:
// normalise x over its trailing dims `normalized_shape` (M rows of N = prod(normalized_shape)):
//   y = (x − mean)/√(var + eps) · w + b,  var biased (divide by N); w, b shaped like normalized_shape.
// Forward is one fused kernel that also saves mean and rstd = 1/√(var + eps) per row (M float64s each).
// Backward op `layer_norm_backward`, one fused kernel (layer_norm_cpu.h has the formulas):
//   dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·w, x̂ = (x − mean)·rstd;  dw = Σ dy·x̂;  db = Σ dy.
// Note [No double backward]: autograd runs backward under no_grad (autograd/engine.cpp), so the
// backward is a kernel op, not composed of differentiable ops; gradients of gradients are not
// available for layer_norm (as for softmax and cross_entropy).
// Cost: forward 6 FLOPs per element (+1 each for w and b), reads x, w, b, writes y, mean, rstd;
// backward 12 FLOPs per element (x̂, g, two row sums, dx, dw, db), reads dy, x, w, mean, rstd.
#include <cmath>

#include "core/node.h"
#include "ops/layer_norm/layer_norm_cpu.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

// x (*, normalized_shape) seen as M rows of N elements.
struct LayerNormDims {
  int64_t M = 1, N = 1;
};

LayerNormDims dims_of(const Tensor& x, const Shape& normalized_shape) {
  LayerNormDims d;
  const int lead = x.dim() - normalized_shape.size();
  for (int i = 0; i < x.dim(); ++i) (i < lead ? d.M : d.N) *= x.shape()[i];
  return d;
}

struct LayerNormBackward : Node {
  Tensor x, w, mean, rstd;  // x contiguous (M·N values); w contiguous (N) or undefined; mean, rstd (M) float64
  LayerNormDims d;
  Shape x_shape, norm_shape;
  bool need_x, need_w, need_b;
  std::vector<Tensor> backward(const Tensor& g) override;
  void release() override { x = w = mean = rstd = Tensor(); }
  const char* name() const override { return "NativeLayerNormBackward0"; }
};

std::vector<Tensor> LayerNormBackward::backward(const Tensor& g) {
  ops::OpTimer timer(ops::OpId::layer_norm_backward);
  Tensor dy = contiguous(g.dtype() == x.dtype() ? g : cast(g, x.dtype()));  // (*, normalized_shape)
  Tensor dx = need_x ? empty(x_shape, x.dtype()) : Tensor();
  Tensor dw = need_w ? empty(norm_shape, x.dtype()) : Tensor();
  Tensor db = need_b ? empty(norm_shape, x.dtype()) : Tensor();
  Tensor scratch;
  if (need_w || need_b) scratch = empty(Shape{kernels::layer_norm_backward_scratch(d.M, d.N)}, kFloat64);
  TT_DISPATCH_FLOAT(x.dtype(), "layer_norm_backward", [&]<typename T>() {
    auto ptr = [](const Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; };
    kernels::layer_norm_backward_cpu<T>(ptr(dx), ptr(dw), ptr(db), dy.data_ptr<T>(), x.data_ptr<T>(),
                                        mean.data_ptr<double>(), rstd.data_ptr<double>(), ptr(w), d.M, d.N,
                                        scratch.defined() ? scratch.data_ptr<double>() : nullptr);
  });
  timer.done(need_x ? dx : (need_w ? dw : db), [&] {
    double written = (need_x ? ops::bytes_of(dx) : 0) + (need_w ? ops::bytes_of(dw) : 0) +
                     (need_b ? ops::bytes_of(db) : 0);
    double read = ops::bytes_of(dy) + ops::bytes_of(x) + (w.defined() ? ops::bytes_of(w) : 0) +
                  ops::bytes_of(mean) + ops::bytes_of(rstd);
    return ops::Cost{12.0 * x.numel(), read, written};
  }, {&g, &x, &w});
  return {dx, dw, db};
}

void check_affine(const Tensor& p, const char* what, const Tensor& x, const Shape& normalized_shape) {
  if (!p.defined()) return;
  TT_CHECK(p.shape() == normalized_shape, "layer_norm: ", what, " shape ", p.shape(),
           " does not match normalized_shape ", normalized_shape, " (input ", x.shape(), ")");
  TT_CHECK(p.dtype() == x.dtype(), "layer_norm: ", what, " dtype ", p.dtype(), " differs from input ", x.dtype());
}

void check_layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& w, const Tensor& b, double eps) {
  TT_CHECK(x.defined(), "layer_norm: undefined input tensor");
  TT_CHECK(is_floating(x.dtype()), "layer_norm: expected a floating-point input, got ", x.dtype(), " (shape ",
           x.shape(), "; hint: convert with .to(tt::kFloat32))");
  TT_CHECK(!normalized_shape.empty(), "layer_norm: normalized_shape must have at least one dim, got ",
           normalized_shape, " (input ", x.shape(), ")");
  const int lead = x.dim() - normalized_shape.size();
  bool match = lead >= 0;
  for (int i = 0; match && i < normalized_shape.size(); ++i) match = x.shape()[lead + i] == normalized_shape[i];
  TT_CHECK(match, "layer_norm: normalized_shape ", normalized_shape, " does not match the trailing dims of input ",
           x.shape(), " (expected input (*, ", normalized_shape, "))");
  TT_CHECK(eps >= 0 && std::isfinite(eps), "layer_norm: eps must be finite and >= 0, got ", eps);
  check_affine(w, "weight", x, normalized_shape);
  check_affine(b, "bias", x, normalized_shape);
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  check_layer_norm(x, normalized_shape, weight, bias, eps);
  ops::OpTimer timer(ops::OpId::layer_norm);
  const LayerNormDims d = dims_of(x, normalized_shape);
  Tensor xc = contiguous(x.detach());  // (M, N)
  Tensor wc = weight.defined() ? contiguous(weight.detach()) : Tensor();
  Tensor bc = bias.defined() ? contiguous(bias.detach()) : Tensor();
  Tensor y = empty(x.shape(), x.dtype());
  Tensor mean = empty(Shape{d.M}, kFloat64), rstd = empty(Shape{d.M}, kFloat64);  // float64: layer_norm_cpu.h
  TT_DISPATCH_FLOAT(x.dtype(), "layer_norm", [&]<typename T>() {
    kernels::layer_norm_forward_cpu<T>(y.data_ptr<T>(), mean.data_ptr<double>(), rstd.data_ptr<double>(),
                                       xc.data_ptr<T>(), wc.defined() ? wc.data_ptr<T>() : nullptr,
                                       bc.defined() ? bc.data_ptr<T>() : nullptr, d.M, d.N, eps);
  });
  if (any_requires_grad({&x, &weight, &bias})) {
    auto node = std::make_shared<LayerNormBackward>();
    node->x = xc, node->w = wc, node->mean = mean, node->rstd = rstd, node->d = d;
    node->x_shape = x.shape(), node->norm_shape = normalized_shape;
    node->need_x = x.requires_grad(), node->need_w = weight.defined() && weight.requires_grad();
    node->need_b = bias.defined() && bias.requires_grad();
    attach_node(y, std::move(node), {&x, &weight, &bias});
  }
  timer.done(y, [&] {
    double per = 6.0 + weight.defined() + bias.defined();
    double read = ops::bytes_of(x) + (weight.defined() ? ops::bytes_of(weight) : 0) +
                  (bias.defined() ? ops::bytes_of(bias) : 0);
    return ops::Cost{per * x.numel(), read, ops::bytes_of(y) + ops::bytes_of(mean) + ops::bytes_of(rstd)};
  }, {&x, &weight, &bias});
  return y;
}

}  // namespace tt
