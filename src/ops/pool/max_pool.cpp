// Op `max_pool2d`, as torch.nn.functional.max_pool2d on x [N, C, H, W] or [C, H, W]:
//   y[n, c, oh, ow] = max_{i<kh, j<kw} x[n, c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]  (padding = −inf)
// Shape rule: pool_shape.h. Forward saves the argmax per output (int32, h·W + w in its plane) when
// a gradient is needed; in inference it writes y only.
// Backward op `max_pool2d_backward` (a kernel op, Note [No double backward] in layer_norm.cpp):
//   dx[argmax(o)] += dy[o], every other cell 0.
// Cost: forward one comparison per window tap (planes·OH·OW·kh·kw FLOPs), reads x, writes y (and
// the int32 indices); backward one add per output, reads dy and the indices, writes dx.
#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/pool/pool_cpu.h"
#include "ops/pool/pool_shape.h"

namespace tt {
namespace {

struct MaxPool2dBackward : Node {
  Tensor idx;  // int32, y's shape
  kernels::Pool2dGeom g;
  Shape x_shape;
  DType dtype;
  std::vector<Tensor> backward(const Tensor& grad) override;
  void release() override { idx = Tensor(); }
  const char* name() const override { return "MaxPool2DWithIndicesBackward0"; }
};

std::vector<Tensor> MaxPool2dBackward::backward(const Tensor& grad) {
  ops::OpTimer timer(ops::OpId::max_pool2d_backward);
  Tensor dy = contiguous(grad.dtype() == dtype ? grad : cast(grad, dtype));  // y's shape
  Tensor dx = empty(x_shape, dtype);
  TT_DISPATCH_FLOAT(dtype, "max_pool2d_backward", [&]<typename T>() {
    kernels::max_pool2d_backward_cpu<T>(dx.data_ptr<T>(), dy.data_ptr<T>(), idx.data_ptr<int32_t>(), g);
  });
  timer.done(dx, [&] {
    return ops::Cost{static_cast<double>(dy.numel()), ops::bytes_of(dy) + ops::bytes_of(idx), ops::bytes_of(dx)};
  }, {&grad, &idx});
  return {dx};
}

}  // namespace

Tensor max_pool2d(const Tensor& x, Pool2dArg kernel_size, Pool2dArg stride, Pool2dArg padding, Pool2dArg dilation,
                  bool ceil_mode) {
  const kernels::Pool2dGeom g = ops::pool2d_geometry("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode);
  ops::OpTimer timer(ops::OpId::max_pool2d);
  const bool need_grad = any_requires_grad({&x});
  Tensor xc = contiguous(x.detach());  // [planes, H, W]
  Tensor y = empty(ops::pooled_shape(x, g.OH, g.OW), x.dtype());
  Tensor idx = need_grad ? empty(y.shape(), kInt32) : Tensor();
  TT_DISPATCH_FLOAT(x.dtype(), "max_pool2d", [&]<typename T>() {
    kernels::max_pool2d_forward_cpu<T>(y.data_ptr<T>(), need_grad ? idx.data_ptr<int32_t>() : nullptr,
                                       xc.data_ptr<T>(), g);
  });
  if (need_grad) {
    auto node = std::make_shared<MaxPool2dBackward>();
    node->idx = idx, node->g = g, node->x_shape = x.shape(), node->dtype = x.dtype();
    attach_node(y, std::move(node), {&x});
  }
  timer.done(y, [&] {
    const double taps = static_cast<double>(y.numel()) * g.kh * g.kw;
    return ops::Cost{taps, ops::bytes_of(x), ops::bytes_of(y) + (need_grad ? ops::bytes_of(idx) : 0.0)};
  }, {&x});
  return y;
}

}  // namespace tt
