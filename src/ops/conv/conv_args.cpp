// Argument checks shared by the convolution ops (see conv_args.h), and ConvPadding's string form.
#include "ops/conv/conv_args.h"

#include <sstream>

namespace tt {

ConvPadding::ConvPadding(const std::string& mode) : same(mode == "same"), valid(mode == "valid") {
  TT_CHECK(mode == "same" || mode == "valid", "conv: padding must be an int, a pair, \"valid\" or \"same\", got \"",
           mode, "\"");
}

namespace conv_detail {

std::string fmt_pair(IntPair v, int spatial) {
  std::ostringstream os;
  if (spatial == 1)
    os << v.w;
  else
    os << "(" << v.h << ", " << v.w << ")";
  return os.str();
}

void check_tensors(const char* op, const Tensor& x, const Tensor& w, const Tensor& b, int spatial,
                   const char* x_dims, const char* w_dims) {
  const int rank = 2 + spatial;
  TT_CHECK(x.defined() && w.defined(), op, ": undefined input or weight");
  TT_CHECK(x.dim() == rank, op, ": expected a ", rank, "-D input ", x_dims, ", got shape ", x.shape(),
           x.dim() == rank - 1 ? " (hint: add the batch dim with unsqueeze(0))" : "");
  TT_CHECK(w.dim() == rank, op, ": expected a ", rank, "-D weight ", w_dims, ", got shape ", w.shape());
  TT_CHECK(is_floating(x.dtype()), op, ": expected a floating-point input, got ", x.dtype(), " (shape ", x.shape(),
           "; hint: convert with .to(tt::kFloat32))");
  TT_CHECK(w.dtype() == x.dtype(), op, ": weight dtype ", w.dtype(), " differs from input ", x.dtype());
  TT_CHECK(!b.defined() || b.dtype() == x.dtype(), op, ": bias dtype ", b.dtype(), " differs from input ", x.dtype());
}

void check_at_least(const char* op, const char* what, IntPair v, int64_t min, int spatial) {
  TT_CHECK(v.h >= min && v.w >= min, op, ": ", what, " must be >= ", min, ", got ", fmt_pair(v, spatial));
}

void check_kernel_and_groups(const char* op, const Tensor& w, int64_t groups) {
  TT_CHECK(groups >= 1, op, ": groups must be >= 1, got ", groups);
  for (int d = 2; d < w.dim(); ++d)
    TT_CHECK(w.shape()[d] >= 1, op, ": kernel size must be >= 1 in every spatial dim, got weight ", w.shape());
}

void check_bias(const char* op, const Tensor& b, int64_t channels, const Tensor& w) {
  if (!b.defined()) return;
  TT_CHECK(b.dim() == 1 && b.shape()[0] == channels, op, ": bias shape ", b.shape(), " does not match the ", channels,
           " output channels of weight ", w.shape(), " (expected [", channels, "])");
}

}  // namespace conv_detail
}  // namespace tt
