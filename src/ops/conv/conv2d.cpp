// Op `conv2d`, as torch.nn.functional.conv2d on NCHW: x [N, C, H, W], w [O, C/groups, kH, kW], b [O]:
//   y[n, o, i, j] = b[o] + Σ_{c, r, s} w[o, c, r, s] · x[n, g·C/groups + c, i·sh − ph + r·dh, j·sw − pw + s·dw]
// (g = o/(O/groups); x is 0 outside the image), OH = ⌊(H + 2·ph − dh·(kH − 1) − 1)/sh⌋ + 1, OW alike.
// conv1d is conv2d on [N, C, 1, L] views (the unsqueeze/squeeze views carry its gradient).
// Backward op `conv2d_backward`, one kernel op (ops/conv/conv_cpu.h has the routes):
//   dx = col2im(W_gᵀ · dY_g) per image and group (conv_transpose2d of dY),  dW = Σ_n dY_g · im2col(x_g)ᵀ,
//   db = Σ_{n, i, j} dY.
// Note [No double backward] (as layer_norm): autograd runs backward under no_grad, so the backward is a
// kernel op and gradients of gradients are not available for convolutions.
// Cost: 2·N·O·OH·OW·(C/groups)·kH·kW FLOPs (+ N·O·OH·OW for the bias); reads x, w, b; writes y.
// Backward: the same GEMM count for each of dx and dW wanted, + N·O·OH·OW for db.
#include "core/node.h"
#include "ops/conv/conv_args.h"
#include "ops/conv/conv_cpu.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

using conv_detail::fmt_pair;
using conv_detail::ptr_or_null;
using kernels::ConvGeometry;

struct Conv2dBackward : Node {
  Tensor x, w;  // x [N, C, H, W] when dW is wanted, w [O, C/groups, kH, kW] when dx is; both contiguous
  ConvGeometry g;
  DType dtype;
  bool need_x, need_w, need_b;
  std::vector<Tensor> backward(const Tensor& grad) override;
  void release() override { x = w = Tensor(); }
  const char* name() const override { return "ConvolutionBackward0"; }
};

std::vector<Tensor> Conv2dBackward::backward(const Tensor& grad) {
  ops::OpTimer timer(ops::OpId::conv2d_backward);
  Tensor dy = contiguous(grad.dtype() == dtype ? grad : cast(grad, dtype));  // [N, O, OH, OW]
  Tensor dx = need_x ? empty(Shape{g.n, g.ci, g.hi, g.wi}, dtype) : Tensor();
  Tensor dw = need_w ? empty(Shape{g.co, g.ci_g(), g.kh, g.kw}, dtype) : Tensor();
  Tensor db = need_b ? empty(Shape{g.co}, dtype) : Tensor();
  TT_DISPATCH_FLOAT(dtype, "conv2d_backward", [&]<typename T>() {
    if (need_x) {
      Tensor s = conv_detail::scratch(kernels::conv_input_grad_scratch(g), dtype);
      kernels::conv_input_grad_cpu<T>(dx.data_ptr<T>(), dy.data_ptr<T>(), w.data_ptr<T>(), nullptr, g,
                                      ptr_or_null<T>(s));
    }
    if (need_w) {
      Tensor s = conv_detail::scratch(kernels::conv_weight_grad_scratch(g), dtype);
      kernels::conv_weight_grad_cpu<T>(dw.data_ptr<T>(), dy.data_ptr<T>(), x.data_ptr<T>(), g, ptr_or_null<T>(s));
    }
    if (need_b) kernels::conv_bias_grad_cpu<T>(db.data_ptr<T>(), dy.data_ptr<T>(), g.n, g.co, g.p());
  });
  timer.done(need_x ? dx : (need_w ? dw : db), [&] {
    const double gemm = conv_detail::gemm_flops(g);
    const double flops = (need_x + need_w) * gemm + (need_b ? static_cast<double>(g.n) * g.co * g.p() : 0.0);
    const double read = ops::bytes_of(dy) + (need_w ? ops::bytes_of(x) : 0) + (need_x ? ops::bytes_of(w) : 0);
    const double written = (need_x ? ops::bytes_of(dx) : 0) + (need_w ? ops::bytes_of(dw) : 0) +
                           (need_b ? ops::bytes_of(db) : 0);
    return ops::Cost{flops, read, written};
  }, {&grad, &x, &w});
  return {dx, dw, db};
}

// conv2d's (spatial = 2) or conv1d's (spatial = 1: x [N, C, L] read as [N, C, 1, L]) argument checks;
// returns the geometry with "same" resolved to top/left padding.
ConvGeometry check_conv(const char* op, const Tensor& x, const Tensor& w, const Tensor& b, IntPair stride,
                        ConvPadding pad, IntPair dil, int64_t groups, int spatial) {
  const bool two_d = spatial == 2;
  conv_detail::check_tensors(op, x, w, b, spatial, two_d ? "[N, C, H, W]" : "[N, C, L]",
                             two_d ? "[O, C/groups, kH, kW]" : "[O, C/groups, k]");
  conv_detail::check_kernel_and_groups(op, w, groups);
  conv_detail::check_at_least(op, "stride", stride, 1, spatial);
  conv_detail::check_at_least(op, "dilation", dil, 1, spatial);
  if (!pad.same) conv_detail::check_at_least(op, "padding", {pad.h, pad.w}, 0, spatial);
  TT_CHECK(!pad.same || (stride.h == 1 && stride.w == 1), op, ": padding=\"same\" needs stride 1, got stride ",
           fmt_pair(stride, spatial), " (as in PyTorch, \"same\" is not defined for strided convolutions)");
  const int64_t n = x.shape()[0], c = x.shape()[1], o = w.shape()[0];
  TT_CHECK(c % groups == 0, op, ": groups ", groups, " does not divide the ", c, " input channels of input ",
           x.shape());
  TT_CHECK(o % groups == 0, op, ": groups ", groups, " does not divide the ", o, " output channels of weight ",
           w.shape());
  TT_CHECK(w.shape()[1] * groups == c, op, ": input ", x.shape(), " has ", c, " channels but weight ", w.shape(),
           " with groups ", groups, " expects ", w.shape()[1] * groups, " (= weight.size(1)·groups)");
  conv_detail::check_bias(op, b, o, w);
  ConvGeometry g{n, c, two_d ? x.shape()[2] : 1, x.shape()[spatial + 1], o, 0, 0, two_d ? w.shape()[2] : 1,
                 w.shape()[spatial + 1], stride.h, stride.w, pad.h, pad.w, dil.h, dil.w, groups};
  const int64_t span_h = g.dh * (g.kh - 1) + 1, span_w = g.dw * (g.kw - 1) + 1;  // the dilated kernel
  if (pad.same) g.ph = (span_h - 1) / 2, g.pw = (span_w - 1) / 2;  // PyTorch: left = total/2, right = rest
  const int64_t padded_h = pad.same ? g.hi + span_h - 1 : g.hi + 2 * g.ph;
  const int64_t padded_w = pad.same ? g.wi + span_w - 1 : g.wi + 2 * g.pw;
  TT_CHECK(span_h <= padded_h && span_w <= padded_w, op, ": kernel ", fmt_pair({g.kh, g.kw}, spatial),
           " with dilation ", fmt_pair(dil, spatial), " spans ", fmt_pair({span_h, span_w}, spatial),
           ", larger than the padded input ", fmt_pair({padded_h, padded_w}, spatial), " (input ", x.shape(),
           ", padding ", pad.same ? std::string("\"same\"") : fmt_pair({pad.h, pad.w}, spatial), ")");
  g.ho = (padded_h - span_h) / g.sh + 1;
  g.wo = (padded_w - span_w) / g.sw + 1;
  return g;
}

Tensor conv2d_checked(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeometry& g) {
  ops::OpTimer timer(ops::OpId::conv2d);
  const bool record = any_requires_grad({&x, &w, &b});
  Tensor xc = contiguous(x.detach()), wc = contiguous(w.detach());
  Tensor bc = b.defined() ? contiguous(b.detach()) : Tensor();
  Tensor y = empty(Shape{g.n, g.co, g.ho, g.wo}, x.dtype());
  Tensor s = conv_detail::scratch(kernels::conv_forward_scratch(g), x.dtype());
  TT_DISPATCH_FLOAT(x.dtype(), "conv2d", [&]<typename T>() {
    kernels::conv_forward_cpu<T>(y.data_ptr<T>(), xc.data_ptr<T>(), wc.data_ptr<T>(), ptr_or_null<T>(bc), g,
                                 ptr_or_null<T>(s));
  });
  if (record) {
    auto node = std::make_shared<Conv2dBackward>();
    node->g = g, node->dtype = x.dtype();
    node->need_x = x.requires_grad(), node->need_w = w.requires_grad(), node->need_b = b.defined() && b.requires_grad();
    if (node->need_w) node->x = xc;
    if (node->need_x) node->w = wc;
    attach_node(y, std::move(node), {&x, &w, &b});
  }
  timer.done(y, [&] {
    const double flops = conv_detail::gemm_flops(g) + (b.defined() ? static_cast<double>(g.n) * g.co * g.p() : 0.0);
    return ops::Cost{flops, ops::bytes_of(x) + ops::bytes_of(w) + (b.defined() ? ops::bytes_of(b) : 0.0),
                     ops::bytes_of(y)};
  }, {&x, &w, &b});
  return y;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& opt) {
  const ConvGeometry g =
      check_conv("conv2d", x, weight, bias, opt.stride, opt.padding, opt.dilation, opt.groups, /*spatial=*/2);
  return conv2d_checked(x, weight, bias, g);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv1dOptions& opt) {
  const ConvPadding& p = opt.padding;
  TT_CHECK(p.same || p.h == p.w, "conv1d: padding must be one value, \"valid\" or \"same\", got (", p.h, ", ", p.w,
           ")");
  ConvPadding pad2 = p.same ? p : ConvPadding(0, p.w);
  const ConvGeometry g = check_conv("conv1d", x, weight, bias, {1, opt.stride}, pad2, {1, opt.dilation}, opt.groups,
                                    /*spatial=*/1);
  return conv2d_checked(x.unsqueeze(2), weight.unsqueeze(2), bias, g).squeeze(2);
}

}  // namespace tt
