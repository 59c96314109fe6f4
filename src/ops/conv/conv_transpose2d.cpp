// Op `conv_transpose2d`, as torch.nn.functional.conv_transpose2d: the adjoint in its input of the
// conv2d that maps y [N, O, OH, OW] to x [N, C, H, W] with weight w [C, O/groups, kH, kW] (a conv2d
// weight [C_out = C, C_in/groups = O/groups, kH, kW]), plus a bias [O]:
//   y = convᵀ(x) + b,  y[n, g·O/groups + c, i·sh − ph + r·dh, j·sw − pw + s·dw] += w[k, c, r, s] · x[n, k, i, j]
// (k in group g), OH = (H − 1)·sh − 2·ph + dh·(kH − 1) + output_padding_h + 1, OW alike. So the
// forward is conv2d's input-gradient kernel (col2im(W_gᵀ · x_g)) and the backward op
// `conv_transpose2d_backward` uses conv2d's forward (dx = conv2d(dy, w)) and weight-gradient kernels
// (dW = Σ_n x_g · im2col(dy_g)ᵀ), db = Σ_{n, i, j} dy. No double backward (Note in conv2d.cpp).
// Cost: 2·N·C·H·W·(O/groups)·kH·kW FLOPs (+ N·O·OH·OW for the bias); reads x, w, b; writes y.
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

// The conv2d whose adjoint this op is, y-space [N, O, OH, OW] → x-space [N, C, H, W]: its "input" is
// this op's output. Backward below reads the fields with that orientation.
struct ConvTranspose2dBackward : Node {
  Tensor x, w;  // x [N, C, H, W] when dW is wanted, w [C, O/groups, kH, kW] when dx is; both contiguous
  ConvGeometry g;
  DType dtype;
  bool need_x, need_w, need_b;
  std::vector<Tensor> backward(const Tensor& grad) override;
  void release() override { x = w = Tensor(); }
  const char* name() const override { return "ConvolutionBackward0"; }
};

std::vector<Tensor> ConvTranspose2dBackward::backward(const Tensor& grad) {
  ops::OpTimer timer(ops::OpId::conv_transpose2d_backward);
  Tensor dy = contiguous(grad.dtype() == dtype ? grad : cast(grad, dtype));  // [N, O, OH, OW]
  Tensor dx = need_x ? empty(Shape{g.n, g.co, g.ho, g.wo}, dtype) : Tensor();
  Tensor dw = need_w ? empty(Shape{g.co, g.ci_g(), g.kh, g.kw}, dtype) : Tensor();
  Tensor db = need_b ? empty(Shape{g.ci}, dtype) : Tensor();
  TT_DISPATCH_FLOAT(dtype, "conv_transpose2d_backward", [&]<typename T>() {
    if (need_x) {  // dx = conv2d(dy, w)
      Tensor s = conv_detail::scratch(kernels::conv_forward_scratch(g), dtype);
      kernels::conv_forward_cpu<T>(dx.data_ptr<T>(), dy.data_ptr<T>(), w.data_ptr<T>(), nullptr, g, ptr_or_null<T>(s));
    }
    if (need_w) {  // the conv's weight gradient with x as its output gradient and dy as its input
      Tensor s = conv_detail::scratch(kernels::conv_weight_grad_scratch(g), dtype);
      kernels::conv_weight_grad_cpu<T>(dw.data_ptr<T>(), x.data_ptr<T>(), dy.data_ptr<T>(), g, ptr_or_null<T>(s));
    }
    if (need_b) kernels::conv_bias_grad_cpu<T>(db.data_ptr<T>(), dy.data_ptr<T>(), g.n, g.ci, g.hi * g.wi);
  });
  timer.done(need_x ? dx : (need_w ? dw : db), [&] {
    const double gemm = conv_detail::gemm_flops(g);
    const double flops =
        (need_x + need_w) * gemm + (need_b ? static_cast<double>(g.n) * g.ci * g.hi * g.wi : 0.0);
    const double read = ops::bytes_of(dy) + (need_w ? ops::bytes_of(x) : 0) + (need_x ? ops::bytes_of(w) : 0);
    const double written = (need_x ? ops::bytes_of(dx) : 0) + (need_w ? ops::bytes_of(dw) : 0) +
                           (need_b ? ops::bytes_of(db) : 0);
    return ops::Cost{flops, read, written};
  }, {&grad, &x, &w});
  return {dx, dw, db};
}

ConvGeometry check_conv_transpose(const Tensor& x, const Tensor& w, const Tensor& b,
                                  const ConvTranspose2dOptions& opt) {
  const char* op = "conv_transpose2d";
  conv_detail::check_tensors(op, x, w, b, 2, "[N, C, H, W]", "[C, O/groups, kH, kW]");
  conv_detail::check_kernel_and_groups(op, w, opt.groups);
  conv_detail::check_at_least(op, "stride", opt.stride, 1, 2);
  conv_detail::check_at_least(op, "dilation", opt.dilation, 1, 2);
  conv_detail::check_at_least(op, "padding", opt.padding, 0, 2);
  conv_detail::check_at_least(op, "output_padding", opt.output_padding, 0, 2);
  const IntPair op_pad = opt.output_padding, s = opt.stride, d = opt.dilation;
  TT_CHECK((op_pad.h < s.h || op_pad.h < d.h) && (op_pad.w < s.w || op_pad.w < d.w), op, ": output_padding ",
           fmt_pair(op_pad, 2), " must be smaller than either stride ", fmt_pair(s, 2), " or dilation ",
           fmt_pair(d, 2), " in each dim");
  const int64_t n = x.shape()[0], c = x.shape()[1], groups = opt.groups;
  TT_CHECK(c % groups == 0, op, ": groups ", groups, " does not divide the ", c, " input channels of input ",
           x.shape());
  TT_CHECK(w.shape()[0] == c, op, ": input ", x.shape(), " has ", c, " channels but weight ", w.shape(),
           " expects ", w.shape()[0], " (weight is [C, O/groups, kH, kW])");
  const int64_t o = w.shape()[1] * groups;
  conv_detail::check_bias(op, b, o, w);
  const int64_t kh = w.shape()[2], kw = w.shape()[3];
  const int64_t oh = (x.shape()[2] - 1) * s.h - 2 * opt.padding.h + d.h * (kh - 1) + op_pad.h + 1;
  const int64_t ow = (x.shape()[3] - 1) * s.w - 2 * opt.padding.w + d.w * (kw - 1) + op_pad.w + 1;
  TT_CHECK(oh >= 1 && ow >= 1, op, ": output size ", fmt_pair({oh, ow}, 2), " is not positive (input ", x.shape(),
           ", kernel ", fmt_pair({kh, kw}, 2), ", stride ", fmt_pair(s, 2), ", padding ", fmt_pair(opt.padding, 2),
           ", dilation ", fmt_pair(d, 2), "; hint: reduce the padding)");
  return ConvGeometry{n, o, oh, ow, c, x.shape()[2], x.shape()[3], kh, kw, s.h, s.w,
                      opt.padding.h, opt.padding.w, d.h, d.w, groups};
}

}  // namespace

Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvTranspose2dOptions& opt) {
  const ConvGeometry g = check_conv_transpose(x, w, b, opt);  // g.ci, g.hi, g.wi: this op's output
  ops::OpTimer timer(ops::OpId::conv_transpose2d);
  const bool record = any_requires_grad({&x, &w, &b});
  Tensor xc = contiguous(x.detach()), wc = contiguous(w.detach());
  Tensor bc = b.defined() ? contiguous(b.detach()) : Tensor();
  Tensor y = empty(Shape{g.n, g.ci, g.hi, g.wi}, x.dtype());
  Tensor s = conv_detail::scratch(kernels::conv_input_grad_scratch(g), x.dtype());
  TT_DISPATCH_FLOAT(x.dtype(), "conv_transpose2d", [&]<typename T>() {
    kernels::conv_input_grad_cpu<T>(y.data_ptr<T>(), xc.data_ptr<T>(), wc.data_ptr<T>(), ptr_or_null<T>(bc), g,
                                    ptr_or_null<T>(s));
  });
  if (record) {
    auto node = std::make_shared<ConvTranspose2dBackward>();
    node->g = g, node->dtype = x.dtype();
    node->need_x = x.requires_grad(), node->need_w = w.requires_grad(), node->need_b = b.defined() && b.requires_grad();
    if (node->need_w) node->x = xc;
    if (node->need_x) node->w = wc;
    attach_node(y, std::move(node), {&x, &w, &b});
  }
  timer.done(y, [&] {
    const double flops =
        conv_detail::gemm_flops(g) + (b.defined() ? static_cast<double>(g.n) * g.ci * g.hi * g.wi : 0.0);
    return ops::Cost{flops, ops::bytes_of(x) + ops::bytes_of(w) + (b.defined() ? ops::bytes_of(b) : 0.0),
                     ops::bytes_of(y)};
  }, {&x, &w, &b});
  return y;
}

}  // namespace tt
