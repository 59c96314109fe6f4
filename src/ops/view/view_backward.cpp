// Op `slice_backward`. Cost: writes the full input-shaped gradient, reads the slice's gradient.
#include "ops/view/view_backward.h"

#include "core/node.h"
#include "ops/copy/copy_cpu.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {
struct SliceBackwardBackward : Node {
  int64_t dim, start, end, step;
  std::vector<Tensor> backward(const Tensor& g) override { return {slice(g, dim, start, end, step)}; }
  const char* name() const override { return "SliceBackwardBackward0"; }
};
}  // namespace

Tensor slice_backward(const Tensor& g, const Shape& in_shape, int64_t dim, int64_t start, int64_t end,
                      int64_t step) {
  ops::OpTimer timer(ops::OpId::slice_backward);
  Tensor out = zeros(in_shape, g.dtype());
  Tensor region;
  {
    NoGradGuard ng;
    region = slice(out, dim, start, end, step);
  }
  TT_ASSERT(region.shape() == g.shape(), "slice_backward: ", region.shape(), " vs ", g.shape());
  kernels::copy_cpu(region, g);
  if (any_requires_grad({&g})) {
    auto n = std::make_shared<SliceBackwardBackward>();
    n->dim = dim, n->start = start, n->end = end, n->step = step;
    attach_node(out, std::move(n), {&g});
  }
  timer.done(out, [&] { return ops::Cost{0, ops::bytes_of(g), ops::bytes_of(out)}; }, {&g});
  return out;
}

}  // namespace tt
