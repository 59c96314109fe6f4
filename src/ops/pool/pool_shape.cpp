// Pooling shape rule and argument checks (see pool_shape.h).
#include "ops/pool/pool_shape.h"

#include <limits>

#include "ops/pool/pool_window.h"

namespace tt::ops {
namespace {

struct PairText {
  int64_t h, w;
};
std::ostream& operator<<(std::ostream& os, PairText p) { return os << "(" << p.h << ", " << p.w << ")"; }

}  // namespace

void check_pool_input(const char* op, const Tensor& x) {
  TT_CHECK(x.defined(), op, ": undefined input tensor");
  TT_CHECK(x.dim() == 3 || x.dim() == 4, op, ": expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ",
           x.shape());
  TT_CHECK(is_floating(x.dtype()), op, ": expected a floating-point input, got ", x.dtype(), " (shape ", x.shape(),
           "; hint: convert with .to(tt::kFloat32))");
  for (int d = x.dim() - 3; d < x.dim(); ++d)
    TT_CHECK(x.size(d) > 0, op, ": expected non-zero C, H and W, got input shape ", x.shape(),
             " (only the batch dim N may be 0)");
}

int64_t pool_output_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  int64_t out = kernels::floor_div(in + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0), s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;
  return out;
}

kernels::Pool2dGeom pool2d_geometry(const char* op, const Tensor& x, Pool2dArg kernel, Pool2dArg stride,
                                    Pool2dArg padding, Pool2dArg dilation, bool ceil_mode) {
  check_pool_input(op, x);
  if (!stride.given) stride = kernel;
  const PairText k{kernel.h, kernel.w}, s{stride.h, stride.w}, p{padding.h, padding.w}, d{dilation.h, dilation.w};
  TT_CHECK(kernel.h > 0 && kernel.w > 0, op, ": kernel_size must be positive, got ", k);
  TT_CHECK(stride.h > 0 && stride.w > 0, op, ": stride must be positive, got ", s);
  TT_CHECK(dilation.h > 0 && dilation.w > 0, op, ": dilation must be positive, got ", d);
  TT_CHECK(padding.h >= 0 && padding.w >= 0, op, ": padding must be >= 0, got ", p);
  TT_CHECK(padding.h <= kernel.h / 2 && padding.w <= kernel.w / 2, op, ": padding ", p,
           " must be at most half of kernel_size ", k, " (PyTorch's limit: a window may not be mostly padding)");
  kernels::Pool2dGeom g;
  g.H = x.size(-2), g.W = x.size(-1), g.planes = x.numel() / (g.H * g.W);
  g.kh = kernel.h, g.kw = kernel.w, g.sh = stride.h, g.sw = stride.w;
  g.ph = padding.h, g.pw = padding.w, g.dh = dilation.h, g.dw = dilation.w;
  g.OH = pool_output_size(g.H, g.kh, g.sh, g.ph, g.dh, ceil_mode);
  g.OW = pool_output_size(g.W, g.kw, g.sw, g.pw, g.dw, ceil_mode);
  TT_CHECK(g.OH > 0 && g.OW > 0, op, ": output size ", PairText{g.OH, g.OW}, " is too small for input ", x.shape(),
           " with kernel_size ", k, ", stride ", s, ", padding ", p, ", dilation ", d,
           " (hint: the dilated kernel may not be larger than the padded input)");
  TT_CHECK(g.H * g.W <= std::numeric_limits<int32_t>::max(), op, ": an input plane of ", g.H, "x", g.W,
           " is too large (argmax indices are int32)");
  return g;
}

Shape pooled_shape(const Tensor& x, int64_t oh, int64_t ow) {
  Shape s = x.shape();
  s[s.size() - 2] = oh, s[s.size() - 1] = ow;
  return s;
}

}  // namespace tt::ops
