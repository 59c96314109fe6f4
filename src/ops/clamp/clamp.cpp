// Op `clamp(x, min, max)`: min(max(x, lo), hi), either bound optional. NaN stays NaN.
// Backward: g where lo ≤ x ≤ hi, else 0 (as torch.clamp). Cost: 2 FLOPs per element.
#include <cmath>

#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/tensor_iter.h"

namespace tt {
namespace {

template <typename T>
void clamp_kernel(const Tensor& out, const Tensor& x, double lo, double hi) {
  const T l = lo == -INFINITY ? std::numeric_limits<T>::lowest() : static_cast<T>(lo);
  const T h = hi == INFINITY ? std::numeric_limits<T>::max() : static_cast<T>(hi);
  auto L = ops::make_loop<2>(out.shape(), {&out, &x});
  ops::for_each_row(L, [l, h](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      T v = *reinterpret_cast<const T*>(p[1] + i * s[1]);
      *reinterpret_cast<T*>(p[0] + i * s[0]) = v < l ? l : (v > h ? h : v);
    }
  });
}

struct ClampBackward : Node {
  Tensor x;
  double lo, hi;
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor keep = logical_and(ge(x, scalar_tensor(lo, x.dtype())), le(x, scalar_tensor(hi, x.dtype())));
    return {where(keep, g, zeros(Shape{}, g.dtype()))};
  }
  void release() override { x = Tensor(); }
  const char* name() const override { return "ClampBackward1"; }
};

}  // namespace

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  TT_CHECK(x.defined(), "clamp: undefined input tensor");
  TT_CHECK(min || max, "clamp: at least one of min and max must be given");
  double lo = min ? *min : -INFINITY, hi = max ? *max : INFINITY;
  TT_CHECK(!(lo > hi), "clamp: min ", lo, " is greater than max ", hi);
  ops::OpTimer timer(ops::OpId::clamp);
  Tensor out = empty(x.shape(), x.dtype());
  TT_DISPATCH_NUMERIC(x.dtype(), "clamp", [&]<typename T>() { clamp_kernel<T>(out, x, lo, hi); });
  if (any_requires_grad({&x})) {
    auto n = std::make_shared<ClampBackward>();
    n->x = x.detach(), n->lo = lo, n->hi = hi;
    attach_node(out, std::move(n), {&x});
  }
  timer.done(out, [&] { return ops::Cost{2.0 * x.numel(), ops::bytes_of(x), ops::bytes_of(out)}; }, {&x});
  return out;
}

Tensor Tensor::clamp(double lo, double hi) const { return tt::clamp(*this, lo, hi); }

}  // namespace tt
