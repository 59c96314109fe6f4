// Elementwise unary ops (neg exp log log1p sqrt abs sign relu leaky_relu elu sigmoid tanh gelu silu).
// Shape rule: output has the input's shape; integer inputs to float-only functions are computed in
// float32 (as torch.exp(int_tensor) does). Backward: op `unary_backward`, dx = dy·f'(x) in one
// kernel (formulas in unary_cpu.cpp); it is not itself differentiable (no double backward).
// Cost: FLOPs per element as counted in kFlopsPerElement (transcendentals counted as one, a
// convention the profiler documents), reads x, writes y.
#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/unary/unary_cpu.h"

namespace tt {
namespace {

using kernels::UnaryKind;

constexpr ops::OpId kOpIds[] = {ops::OpId::neg, ops::OpId::exp, ops::OpId::log, ops::OpId::log1p,
                                ops::OpId::sqrt, ops::OpId::abs, ops::OpId::sign, ops::OpId::relu,
                                ops::OpId::leaky_relu, ops::OpId::elu, ops::OpId::sigmoid, ops::OpId::tanh,
                                ops::OpId::gelu, ops::OpId::gelu_tanh, ops::OpId::silu};
constexpr double kFlopsPerElement[] = {1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 1, 6, 8, 4};
constexpr const char* kNodeNames[] = {"NegBackward0", "ExpBackward0", "LogBackward0", "Log1PBackward0",
                                      "SqrtBackward0", "AbsBackward0", "SignBackward0", "ReluBackward0",
                                      "LeakyReluBackward0", "EluBackward0", "SigmoidBackward0", "TanhBackward0",
                                      "GeluBackward0", "GeluBackward0", "SiluBackward0"};

Tensor unary_backward(UnaryKind kind, const Tensor& dy, const Tensor& x, const Tensor& y, double param) {
  ops::OpTimer timer(ops::OpId::unary_backward);
  Tensor dyc = dy.dtype() == x.dtype() ? dy : cast(dy, x.dtype());
  Tensor dx = empty(x.shape(), x.dtype());
  kernels::unary_backward_cpu(kind, dx, dyc, x, y, param);
  timer.done(dx, [&] {
    return ops::Cost{2.0 * dx.numel() * kFlopsPerElement[static_cast<int>(kind)],
                     ops::bytes_of(dy) + ops::bytes_of(x) + ops::bytes_of(y), ops::bytes_of(dx)};
  }, {&dy, &x, &y});
  return dx;
}

struct UnaryBackward : Node {
  UnaryKind kind;
  double param = 0;
  Tensor x, y;
  std::vector<Tensor> backward(const Tensor& g) override {
    if (kind == UnaryKind::Neg) return {neg(g)};
    return {unary_backward(kind, g, x, y, param)};
  }
  void release() override { x = y = Tensor(); }
  const char* name() const override { return kNodeNames[static_cast<int>(kind)]; }
};

bool integer_ok(UnaryKind k) {
  return k == UnaryKind::Neg || k == UnaryKind::Abs || k == UnaryKind::Sign || k == UnaryKind::Relu;
}

Tensor unary_op(UnaryKind kind, const Tensor& x, double param = 0) {
  const ops::OpId id = kOpIds[static_cast<int>(kind)];
  TT_CHECK(x.defined(), ops::op_name(id), ": undefined input tensor");
  TT_CHECK((x.dtype() != kBool && x.dtype() != kUInt8) || !integer_ok(kind), ops::op_name(id),
           ": not supported for ", x.dtype(), " tensors (hint: convert with .to(tt::kInt64))");
  ops::OpTimer timer(id);
  Tensor xc = x;
  if (!integer_ok(kind) && !is_floating(x.dtype())) {
    NoGradGuard ng;
    xc = cast(x, kFloat32);
  }
  Tensor out = empty(x.shape(), xc.dtype());
  kernels::unary_cpu(kind, out, xc, param);
  if (kind != UnaryKind::Sign && any_requires_grad({&x})) {
    auto n = std::make_shared<UnaryBackward>();
    n->kind = kind, n->param = param, n->x = xc.detach(), n->y = out.detach();
    attach_node(out, std::move(n), {&x});
  }
  timer.done(out, [&] {
    return ops::Cost{out.numel() * kFlopsPerElement[static_cast<int>(kind)], ops::bytes_of(x), ops::bytes_of(out)};
  }, {&x});
  return out;
}

}  // namespace

Tensor neg(const Tensor& x) { return unary_op(UnaryKind::Neg, x); }
Tensor exp(const Tensor& x) { return unary_op(UnaryKind::Exp, x); }
Tensor log(const Tensor& x) { return unary_op(UnaryKind::Log, x); }
Tensor log1p(const Tensor& x) { return unary_op(UnaryKind::Log1p, x); }
Tensor sqrt(const Tensor& x) { return unary_op(UnaryKind::Sqrt, x); }
Tensor abs(const Tensor& x) { return unary_op(UnaryKind::Abs, x); }
Tensor sign(const Tensor& x) { return unary_op(UnaryKind::Sign, x); }
Tensor relu(const Tensor& x) { return unary_op(UnaryKind::Relu, x); }
Tensor leaky_relu(const Tensor& x, double slope) { return unary_op(UnaryKind::LeakyRelu, x, slope); }
Tensor elu(const Tensor& x, double alpha) { return unary_op(UnaryKind::Elu, x, alpha); }
Tensor sigmoid(const Tensor& x) { return unary_op(UnaryKind::Sigmoid, x); }
Tensor tanh(const Tensor& x) { return unary_op(UnaryKind::Tanh, x); }
Tensor silu(const Tensor& x) { return unary_op(UnaryKind::Silu, x); }
Tensor gelu(const Tensor& x, const std::string& approximate) {
  TT_CHECK(approximate == "none" || approximate == "tanh", "gelu: approximate must be \"none\" or \"tanh\", got \"",
           approximate, "\"");
  return unary_op(approximate == "none" ? UnaryKind::Gelu : UnaryKind::GeluTanh, x);
}
Tensor operator-(const Tensor& a) { return neg(a); }

Tensor Tensor::neg() const { return tt::neg(*this); }
Tensor Tensor::exp() const { return tt::exp(*this); }
Tensor Tensor::log() const { return tt::log(*this); }
Tensor Tensor::log1p() const { return tt::log1p(*this); }
Tensor Tensor::sqrt() const { return tt::sqrt(*this); }
Tensor Tensor::abs() const { return tt::abs(*this); }
Tensor Tensor::relu() const { return tt::relu(*this); }
Tensor Tensor::sigmoid() const { return tt::sigmoid(*this); }
Tensor Tensor::tanh() const { return tt::tanh(*this); }

}  // namespace tt
