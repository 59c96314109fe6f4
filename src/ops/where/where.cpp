// Ops `where(cond, a, b)` (cond ? a : b, all three broadcast), `masked_fill(x, mask, v)`
// (where(mask, v, x)) and `logical_not`. Backward of where: (where(cond, g, 0), where(cond, 0, g))
// reduced to each input's shape; masked_fill passes g where the mask is false.
// Cost: 0 FLOPs (a select), reads the three operands, writes the output.
#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/tensor_iter.h"

namespace tt {
namespace {

template <typename T>
void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  auto L = ops::make_loop<4>(out.shape(), {&out, &cond, &a, &b});
  ops::for_each_row(L, [](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      bool c = *reinterpret_cast<const bool*>(p[1] + i * s[1]);
      *reinterpret_cast<T*>(p[0] + i * s[0]) = c ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                 : *reinterpret_cast<const T*>(p[3] + i * s[3]);
    }
  });
}

void where_cpu(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  TT_DISPATCH_ALL(out.dtype(), "where", [&]<typename T>() { where_kernel<T>(out, cond, a, b); });
}

struct WhereBackward : Node {
  Tensor cond;
  Shape a_shape, b_shape;
  DType a_dtype, b_dtype;
  bool need_a, need_b;
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor zero = zeros(Shape{}, g.dtype()), ga, gb;
    if (need_a) ga = cast(sum_to(where(cond, g, zero), a_shape), a_dtype);
    if (need_b) gb = cast(sum_to(where(cond, zero, g), b_shape), b_dtype);
    return {ga, gb};
  }
  void release() override { cond = Tensor(); }
  const char* name() const override { return "WhereBackward0"; }
};

Tensor as_bool(const Tensor& t) {
  if (t.dtype() == kBool) return t;
  NoGradGuard ng;
  return ne(t, zeros(Shape{}, t.dtype()));
}

}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  TT_CHECK(cond.defined() && a.defined() && b.defined(), "where: undefined input tensor");
  ops::OpTimer timer(ops::OpId::where);
  Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  DType dt = promote_types(a.dtype(), b.dtype());
  Tensor c = as_bool(cond), ac, bc;
  {
    NoGradGuard ng;
    ac = cast(a, dt);
    bc = cast(b, dt);
  }
  Tensor out = empty(shape, dt);
  where_cpu(out, c, ac, bc);
  if (any_requires_grad({&a, &b})) {
    auto n = std::make_shared<WhereBackward>();
    n->cond = c.detach();
    n->a_shape = a.shape(), n->b_shape = b.shape(), n->a_dtype = a.dtype(), n->b_dtype = b.dtype();
    n->need_a = a.requires_grad(), n->need_b = b.requires_grad();
    attach_node(out, std::move(n), {&a, &b});
  }
  timer.done(out, [&] {
    return ops::Cost{0, ops::bytes_of(cond) + ops::bytes_of(a) + ops::bytes_of(b), ops::bytes_of(out)};
  }, {&cond, &a, &b});
  return out;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  TT_CHECK(x.defined() && mask.defined(), "masked_fill: undefined input tensor");
  TT_CHECK(mask.dtype() == kBool, "masked_fill: mask must be bool, got ", mask.dtype());
  TT_CHECK(broadcast_shapes(x.shape(), mask.shape(), "masked_fill") == x.shape(), "masked_fill: mask shape ",
           mask.shape(), " does not broadcast to input shape ", x.shape());
  return where(mask, scalar_tensor(value, x.dtype()), x);
}

Tensor logical_not(const Tensor& x) {
  TT_CHECK(x.defined(), "logical_not: undefined input tensor");
  ops::OpTimer timer(ops::OpId::logical_not);
  Tensor out = eq(as_bool(x), scalar_tensor(0, kBool));
  timer.done(out, [&] { return ops::Cost{0, ops::bytes_of(x), ops::bytes_of(out)}; }, {&x});
  return out;
}

}  // namespace tt
