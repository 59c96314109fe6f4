// Op `copy` (contiguous, clone) and op `cast` (to): materialise a view into fresh contiguous
// storage, optionally converting dtype; plus the in-place methods copy_/fill_/zero_/add_/mul_.
// Backward: copy passes the gradient through; cast casts it back to the input's dtype.
// Cost: reads and writes every element once, 0 FLOPs.
#include "core/node.h"
#include "ops/copy/copy_cpu.h"
#include "ops/inplace_check.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

struct CopyBackward : Node {
  std::vector<Tensor> backward(const Tensor& g) override { return {g}; }
  const char* name() const override { return "CloneBackward0"; }
};

struct CastBackward : Node {
  DType in_dtype;
  explicit CastBackward(DType t) : in_dtype(t) {}
  std::vector<Tensor> backward(const Tensor& g) override { return {cast(g, in_dtype)}; }
  const char* name() const override { return "ToCopyBackward0"; }
};

// like: the output takes its memory order (empty_like_layout), else contiguous.
Tensor copy_op(const Tensor& x, DType dtype, ops::OpId id, const Tensor* like = nullptr) {
  TT_CHECK(x.defined(), ops::op_name(id), ": undefined input tensor");
  ops::OpTimer timer(id);
  Tensor out = like ? empty_like_layout(*like, dtype) : empty(x.shape(), dtype);
  kernels::copy_cpu(out, x);
  if (any_requires_grad({&x}) && is_floating(dtype)) {
    if (dtype == x.dtype()) attach_node(out, std::make_shared<CopyBackward>(), {&x});
    else attach_node(out, std::make_shared<CastBackward>(x.dtype()), {&x});
  }
  timer.done(out, [&] { return ops::Cost{0, ops::bytes_of(x), ops::bytes_of(out)}; }, {&x});
  return out;
}

}  // namespace

Tensor contiguous(const Tensor& x) { return x.is_contiguous() ? x : copy_op(x, x.dtype(), ops::OpId::copy); }
Tensor clone(const Tensor& x) { return copy_op(x, x.dtype(), ops::OpId::copy); }
Tensor clone_like(const Tensor& x, const Tensor& like) {
  TT_CHECK(x.defined() && like.defined() && x.shape() == like.shape(), "clone_like: shapes ",
           x.defined() ? x.shape() : Shape{}, " and ", like.defined() ? like.shape() : Shape{}, " differ");
  return copy_op(x, x.dtype(), ops::OpId::copy, &like);
}
Tensor cast(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  return copy_op(x, dtype, ops::OpId::cast);
}

Tensor Tensor::contiguous() const { return tt::contiguous(*this); }
Tensor Tensor::clone() const { return tt::clone(*this); }
Tensor Tensor::to(DType t) const { return tt::cast(*this, t); }

Tensor& Tensor::copy_(const Tensor& src) {
  ops::check_inplace(*this, "copy_");
  TT_CHECK(broadcast_shapes(src.shape(), shape(), "copy_") == shape(), "copy_: source shape ", src.shape(),
           " does not broadcast to ", shape());
  kernels::copy_cpu(*this, src);
  return *this;
}

Tensor& Tensor::fill_(double value) {
  ops::check_inplace(*this, "fill_");
  kernels::fill_cpu(*this, value);
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0.0); }

}  // namespace tt
