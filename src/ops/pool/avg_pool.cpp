// Ops `avg_pool2d` and `adaptive_avg_pool2d`, as torch.nn.functional's, on x [N, C, H, W] or [C, H, W].
//   avg_pool2d:          y[oh, ow] = Σ_{i<kh, j<kw} x[oh·sh − ph + i, ow·sw − pw + j] / divisor
//     divisor = area of the window clipped to the padded input (count_include_pad) or the number of
//     input cells in it; ceil_mode windows may run past the padded input (pool_shape.h, pool_cpu.h).
//   adaptive_avg_pool2d: y[i, j] = mean of rows [⌊iH/oh⌋, ⌈(i+1)H/oh⌉) × cols [⌊jW/ow⌋, ⌈(j+1)W/ow⌉).
// Both are linear in x; their backward ops (kernel ops, Note [No double backward] in layer_norm.cpp)
// spread dy/divisor over each window: avg_pool2d_backward, adaptive_avg_pool2d_backward.
// Cost: one add per window tap plus one division per output, forward and backward alike; reads the
// input (x or dy), writes the output (y or dx).
#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/pool/pool_cpu.h"
#include "ops/pool/pool_shape.h"
#include "ops/pool/pool_window.h"

namespace tt {
namespace {

// Window taps of one plane: Σ over outputs of the window cells actually read.
double avg_taps(const kernels::Pool2dGeom& g) { return static_cast<double>(g.OH) * g.OW * g.kh * g.kw; }
double adaptive_taps(const kernels::Pool2dGeom& g) {
  auto total = [](int64_t n, int64_t outs) {  // Σ_i (⌈(i+1)n/outs⌉ − ⌊in/outs⌋)
    int64_t t = 0;
    for (int64_t i = 0; i < outs; ++i) t += kernels::ceil_div((i + 1) * n, outs) - i * n / outs;
    return static_cast<double>(t);
  };
  return total(g.H, g.OH) * total(g.W, g.OW);
}

enum class AvgKind { Fixed, Adaptive };

struct AvgPool2dBackward : Node {
  AvgKind kind;
  kernels::Pool2dGeom g;
  bool count_include_pad;
  Shape x_shape;
  DType dtype;
  std::vector<Tensor> backward(const Tensor& grad) override;
  const char* name() const override {
    return kind == AvgKind::Fixed ? "AvgPool2DBackward0" : "AdaptiveAvgPool2DBackward0";
  }
};

std::vector<Tensor> AvgPool2dBackward::backward(const Tensor& grad) {
  const bool fixed = kind == AvgKind::Fixed;
  ops::OpTimer timer(fixed ? ops::OpId::avg_pool2d_backward : ops::OpId::adaptive_avg_pool2d_backward);
  Tensor dy = contiguous(grad.dtype() == dtype ? grad : cast(grad, dtype));  // y's shape
  Tensor dx = empty(x_shape, dtype);
  TT_DISPATCH_FLOAT(dtype, "avg_pool2d_backward", [&]<typename T>() {
    if (fixed) kernels::avg_pool2d_backward_cpu<T>(dx.data_ptr<T>(), dy.data_ptr<T>(), g, count_include_pad);
    else kernels::adaptive_avg_pool2d_backward_cpu<T>(dx.data_ptr<T>(), dy.data_ptr<T>(), g);
  });
  timer.done(dx, [&] {
    const double taps = g.planes * (fixed ? avg_taps(g) : adaptive_taps(g));
    return ops::Cost{taps + dy.numel(), ops::bytes_of(dy), ops::bytes_of(dx)};
  }, {&grad});
  return {dx};
}

// Runs the forward kernel, records the node and the cost (shared by both ops).
Tensor avg_pool_forward(const Tensor& x, const kernels::Pool2dGeom& g, AvgKind kind, bool count_include_pad) {
  const bool fixed = kind == AvgKind::Fixed;
  ops::OpTimer timer(fixed ? ops::OpId::avg_pool2d : ops::OpId::adaptive_avg_pool2d);
  Tensor xc = contiguous(x.detach());  // [planes, H, W]
  Tensor y = empty(ops::pooled_shape(x, g.OH, g.OW), x.dtype());
  TT_DISPATCH_FLOAT(x.dtype(), fixed ? "avg_pool2d" : "adaptive_avg_pool2d", [&]<typename T>() {
    if (fixed) kernels::avg_pool2d_forward_cpu<T>(y.data_ptr<T>(), xc.data_ptr<T>(), g, count_include_pad);
    else kernels::adaptive_avg_pool2d_forward_cpu<T>(y.data_ptr<T>(), xc.data_ptr<T>(), g);
  });
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<AvgPool2dBackward>();
    node->kind = kind, node->g = g, node->count_include_pad = count_include_pad;
    node->x_shape = x.shape(), node->dtype = x.dtype();
    attach_node(y, std::move(node), {&x});
  }
  timer.done(y, [&] {
    const double taps = g.planes * (fixed ? avg_taps(g) : adaptive_taps(g));
    return ops::Cost{taps + y.numel(), ops::bytes_of(x), ops::bytes_of(y)};
  }, {&x});
  return y;
}

}  // namespace

Tensor avg_pool2d(const Tensor& x, Pool2dArg kernel_size, Pool2dArg stride, Pool2dArg padding, bool ceil_mode,
                  bool count_include_pad) {
  const kernels::Pool2dGeom g = ops::pool2d_geometry("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode);
  return avg_pool_forward(x, g, AvgKind::Fixed, count_include_pad);
}

Tensor adaptive_avg_pool2d(const Tensor& x, Pool2dArg output_size) {
  ops::check_pool_input("adaptive_avg_pool2d", x);
  TT_CHECK(output_size.given && output_size.h >= 0 && output_size.w >= 0,
           "adaptive_avg_pool2d: output_size must be >= 0, got (", output_size.h, ", ", output_size.w, ") for input ",
           x.shape());
  kernels::Pool2dGeom g;
  g.H = x.size(-2), g.W = x.size(-1), g.planes = x.numel() / (g.H * g.W);
  g.OH = output_size.h, g.OW = output_size.w;
  return avg_pool_forward(x, g, AvgKind::Adaptive, false);
}

}  // namespace tt
