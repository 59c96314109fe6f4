// Elementwise binary ops: add sub mul div pow maximum minimum (differentiable), comparisons and
// logical and/or (not differentiable). Shape rule: NumPy broadcasting; dtype rule: promote_types
// (integer division gives float32). Backward (reduced to each input's shape with sum_to):
//   add: (g, α·g)   sub: (g, −α·g)   mul: (g·b, g·a)   div: (g/b, −g·a/b²)
//   pow: (g·b·a^(b−1), g·aᵇ·ln a)    maximum/minimum: g to the winner, split evenly on ties.
// Cost: one FLOP per output element (pow counted as one), reads both inputs, writes the output.
#include "core/node.h"
#include "ops/binary/binary_cpu.h"
#include "ops/inplace_check.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

using kernels::BinaryKind;

struct BinaryBackward : Node {
  BinaryKind kind;
  double alpha = 1.0;
  Tensor a, b, out;  // saved only where the formula needs them
  Shape a_shape, b_shape;
  DType a_dtype, b_dtype;
  bool need_a = false, need_b = false;

  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor ga, gb;
    switch (kind) {
      case BinaryKind::Add:
        if (need_a) ga = g;
        if (need_b) gb = alpha == 1.0 ? g : g * alpha;
        break;
      case BinaryKind::Sub:
        if (need_a) ga = g;
        if (need_b) gb = alpha == 1.0 ? neg(g) : g * (-alpha);
        break;
      case BinaryKind::Mul:
        if (need_a) ga = g * b;
        if (need_b) gb = g * a;
        break;
      case BinaryKind::Div:
        if (need_a) ga = g / b;
        if (need_b) gb = neg(g) * out / b;
        break;
      case BinaryKind::Pow:
        if (need_a) ga = g * b * pow(a, b - 1.0);
        // d/db aᵇ = aᵇ ln a; defined as 0 where a == 0 (and b >= 0), as PyTorch does.
        if (need_b) gb = where(eq(a, scalar_like(0, a)) & ge(b, scalar_like(0, b)), zeros_like(out), g * out * log(a));
        break;
      case BinaryKind::Maximum:
      case BinaryKind::Minimum: {
        Tensor tie = eq(a, b), half = g * 0.5;
        Tensor shared = where(tie, half, g);
        Tensor a_wins = kind == BinaryKind::Maximum ? gt(a, b) : lt(a, b);
        Tensor zero = zeros_like(g);
        if (need_a) ga = where(a_wins | tie, shared, zero);
        if (need_b) gb = where(a_wins, zero, shared);
        break;
      }
      default: TT_ASSERT(false, "binary backward for a non-differentiable kind");
    }
    if (ga.defined()) ga = cast(sum_to(ga, a_shape), a_dtype);
    if (gb.defined()) gb = cast(sum_to(gb, b_shape), b_dtype);
    return {ga, gb};
  }
  void release() override { a = b = out = Tensor(); }
  const char* name() const override {
    static const char* names[] = {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0", "PowBackward1",
                                  "MaximumBackward0", "MinimumBackward0"};
    return names[static_cast<int>(kind)];
  }
};

constexpr ops::OpId kOpIds[] = {ops::OpId::add, ops::OpId::sub, ops::OpId::mul, ops::OpId::div,
                                ops::OpId::pow, ops::OpId::maximum, ops::OpId::minimum, ops::OpId::eq,
                                ops::OpId::ne, ops::OpId::lt, ops::OpId::le, ops::OpId::gt,
                                ops::OpId::ge, ops::OpId::logical_and, ops::OpId::logical_or};

Tensor binary_op(BinaryKind kind, const Tensor& a, const Tensor& b, double alpha = 1.0) {
  const ops::OpId id = kOpIds[static_cast<int>(kind)];
  const char* name = ops::op_name(id);
  TT_CHECK(a.defined() && b.defined(), name, ": undefined input tensor");
  ops::OpTimer timer(id);
  const Shape shape = a.shape() == b.shape() ? a.shape() : broadcast_shapes(a.shape(), b.shape(), name);
  const bool logical = kind >= BinaryKind::Eq;
  DType dt = promote_types(a.dtype(), b.dtype());
  if (!logical && dt == kBool) dt = kInt64;
  if (kind == BinaryKind::Div && !is_floating(dt)) dt = kFloat32;  // true division, as torch.div
  Tensor ac, bc;
  {
    NoGradGuard ng;  // conversions are internal; the node below casts gradients back
    ac = cast(a, dt);
    bc = cast(b, dt);
  }
  Tensor out = empty(shape, logical ? kBool : dt);
  kernels::binary_cpu(kind, out, ac, bc, alpha);
  if (!logical && any_requires_grad({&a, &b})) {
    auto n = std::make_shared<BinaryBackward>();
    n->kind = kind, n->alpha = alpha;
    n->a_shape = a.shape(), n->b_shape = b.shape(), n->a_dtype = a.dtype(), n->b_dtype = b.dtype();
    n->need_a = a.requires_grad(), n->need_b = b.requires_grad();
    bool pow_or_minmax = kind == BinaryKind::Pow || kind >= BinaryKind::Maximum;
    if ((kind == BinaryKind::Mul && n->need_b) || kind == BinaryKind::Div || pow_or_minmax) n->a = ac.detach();
    if ((kind == BinaryKind::Mul && n->need_a) || kind == BinaryKind::Div || pow_or_minmax) n->b = bc.detach();
    if ((kind == BinaryKind::Div && n->need_b) || kind == BinaryKind::Pow) n->out = out.detach();
    attach_node(out, std::move(n), {&a, &b});
  }
  timer.done(out, [&] {
    return ops::Cost{static_cast<double>(out.numel()), ops::bytes_of(a) + ops::bytes_of(b), ops::bytes_of(out)};
  }, {&a, &b});
  return out;
}

}  // namespace

Tensor scalar_like(double s, const Tensor& like) {
  DType dt = like.dtype();
  if (!is_floating(dt) && s != static_cast<double>(static_cast<int64_t>(s))) dt = kFloat32;
  if (dt == kBool) dt = kInt64;
  return scalar_tensor(s, dt);
}

Tensor add(const Tensor& a, const Tensor& b, double alpha) { return binary_op(BinaryKind::Add, a, b, alpha); }
Tensor sub(const Tensor& a, const Tensor& b, double alpha) { return binary_op(BinaryKind::Sub, a, b, alpha); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Div, a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Pow, a, b); }
Tensor pow(const Tensor& a, double e) { return binary_op(BinaryKind::Pow, a, scalar_like(e, a)); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Maximum, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Minimum, a, b); }
Tensor eq(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Ge, a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::And, a, b); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::Or, a, b); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double s) { return add(a, scalar_like(s, a)); }
Tensor operator-(const Tensor& a, double s) { return sub(a, scalar_like(s, a)); }
Tensor operator*(const Tensor& a, double s) { return mul(a, scalar_like(s, a)); }
Tensor operator/(const Tensor& a, double s) { return div(a, scalar_like(s, a)); }
Tensor operator+(double s, const Tensor& a) { return add(scalar_like(s, a), a); }
Tensor operator-(double s, const Tensor& a) { return sub(scalar_like(s, a), a); }
Tensor operator*(double s, const Tensor& a) { return mul(scalar_like(s, a), a); }
Tensor operator/(double s, const Tensor& a) { return div(scalar_like(s, a), a); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator<(const Tensor& a, double s) { return lt(a, scalar_like(s, a)); }
Tensor operator<=(const Tensor& a, double s) { return le(a, scalar_like(s, a)); }
Tensor operator>(const Tensor& a, double s) { return gt(a, scalar_like(s, a)); }
Tensor operator>=(const Tensor& a, double s) { return ge(a, scalar_like(s, a)); }
Tensor operator==(const Tensor& a, double s) { return eq(a, scalar_like(s, a)); }
Tensor operator!=(const Tensor& a, double s) { return ne(a, scalar_like(s, a)); }
Tensor operator&(const Tensor& a, const Tensor& b) { return logical_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return logical_or(a, b); }

Tensor Tensor::pow(double e) const { return tt::pow(*this, e); }
Tensor Tensor::pow(const Tensor& e) const { return tt::pow(*this, e); }

// In-place updates reuse the binary kernel with out aliasing self: no temporary.
Tensor& Tensor::add_(const Tensor& o, double alpha) {
  ops::check_inplace(*this, "add_");
  TT_CHECK(o.defined(), "add_: undefined tensor");
  TT_CHECK(broadcast_shapes(shape(), o.shape(), "add_") == shape(), "add_: other shape ", o.shape(),
           " does not broadcast to ", shape());
  Tensor oc = o.dtype() == dtype() ? o : tt::cast(o.detach(), dtype());
  kernels::binary_cpu(BinaryKind::Add, *this, *this, oc, alpha);
  return *this;
}

Tensor& Tensor::mul_(double s) {
  ops::check_inplace(*this, "mul_");
  kernels::binary_cpu(BinaryKind::Mul, *this, *this, scalar_tensor(s, dtype()));
  return *this;
}

}  // namespace tt
