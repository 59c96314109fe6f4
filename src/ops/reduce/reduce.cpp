// Reductions: sum, amax/amin over any dims; max/min over one dim with indices; argmax/argmin;
// mean, var and std as compositions (their gradients follow from sum's).
// Shape rule: reduced dims removed (or kept as 1 with keepdim); empty dims = all dims.
// Backward: sum → expand g back; amax/amin → g split evenly among the extreme elements;
// max/min(dim) → g scattered to the index. Cost: one FLOP per input element, reads x, writes out.
#include <cmath>

#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/reduce/reduce_cpu.h"

namespace tt {
namespace {

using kernels::ReduceKind;

struct ReducePlan {
  bool reduced[kMaxDims] = {};
  Shape out_shape, keep_shape;  // keep_shape: reduced dims as 1
};

ReducePlan plan_reduce(const Tensor& x, const Shape& dims, bool keepdim, const char* op) {
  ReducePlan p;
  for (int64_t d : dims) {
    int w = wrap_dim(d, x.dim(), op);
    if (x.dim() == 0) continue;
    TT_CHECK(!p.reduced[w], op, ": dim ", w, " appears twice in ", dims);
    p.reduced[w] = true;
  }
  if (dims.empty())
    for (int i = 0; i < x.dim(); ++i) p.reduced[i] = true;
  for (int i = 0; i < x.dim(); ++i) {
    p.keep_shape.push_back(p.reduced[i] ? 1 : x.shape()[i]);
    if (!p.reduced[i]) p.out_shape.push_back(x.shape()[i]);
    else if (keepdim) p.out_shape.push_back(1);
  }
  return p;
}

struct SumBackward : Node {
  Shape in_shape, keep_shape;
  std::vector<Tensor> backward(const Tensor& g) override { return {expand(reshape(g, keep_shape), in_shape)}; }
  const char* name() const override { return "SumBackward1"; }
};

struct ExtremeBackward : Node {  // amax / amin
  Tensor x, out_keep;
  Shape keep_shape;
  bool is_max;
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor mask = eq(x, out_keep).to(g.dtype());
    Tensor count = sum_to(mask, keep_shape);
    return {mask * (reshape(g, keep_shape) / count)};
  }
  void release() override { x = out_keep = Tensor(); }
  const char* name() const override { return is_max ? "AmaxBackward0" : "AminBackward0"; }
};

struct IndexReduceBackward : Node {  // max/min over one dim
  Tensor indices;  // keepdim shape
  Shape in_shape, keep_shape, x_shape;  // in_shape differs from x_shape only for 0-d x
  int dim;
  bool is_max;
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor gx = scatter_add(zeros(in_shape, g.dtype()), dim, indices, reshape(g, keep_shape));
    return {reshape(gx, x_shape)};
  }
  void release() override { indices = Tensor(); }
  const char* name() const override { return is_max ? "MaxBackward0" : "MinBackward0"; }
};

Tensor reduce_op(ReduceKind kind, const Tensor& x, const Shape& dims, bool keepdim) {
  const ops::OpId id = kind == ReduceKind::Sum ? ops::OpId::sum : kind == ReduceKind::Max ? ops::OpId::amax
                                                                                            : ops::OpId::amin;
  const char* name = ops::op_name(id);
  TT_CHECK(x.defined(), name, ": undefined input tensor");
  ReducePlan p = plan_reduce(x, dims, keepdim, name);
  TT_CHECK(kind == ReduceKind::Sum || x.numel() > 0 || p.keep_shape.numel() == 0, name,
           ": cannot reduce an empty tensor of shape ", x.shape(), " (the extreme of nothing is undefined)");
  ops::OpTimer timer(id);
  DType out_dtype = kind == ReduceKind::Sum && !is_floating(x.dtype()) ? kInt64 : x.dtype();
  Tensor out = empty(p.out_shape, out_dtype);
  if (out.numel() > 0) kernels::reduce_cpu(kind, out, x, p.reduced);
  if (any_requires_grad({&x})) {
    if (kind == ReduceKind::Sum) {
      auto n = std::make_shared<SumBackward>();
      n->in_shape = x.shape(), n->keep_shape = p.keep_shape;
      attach_node(out, std::move(n), {&x});
    } else {
      auto n = std::make_shared<ExtremeBackward>();
      n->x = x.detach(), n->out_keep = reshape(out.detach(), p.keep_shape), n->keep_shape = p.keep_shape;
      n->is_max = kind == ReduceKind::Max;
      attach_node(out, std::move(n), {&x});
    }
  }
  timer.done(out, [&] { return ops::Cost{static_cast<double>(x.numel()), ops::bytes_of(x), ops::bytes_of(out)}; },
             {&x});
  return out;
}

ValuesIndices index_reduce(bool is_max, const Tensor& x, int64_t dim, bool keepdim) {
  const ops::OpId id = is_max ? ops::OpId::max_dim : ops::OpId::min_dim;
  const char* name = is_max ? "max" : "min";
  TT_CHECK(x.defined(), name, ": undefined input tensor");
  Tensor xx = x.dim() == 0 ? reshape(x, Shape{1}) : x;
  int d = wrap_dim(dim, xx.dim(), name);
  TT_CHECK(xx.shape()[d] > 0, name, ": cannot reduce over dim ", d, " of size 0 (shape ", x.shape(), ")");
  ops::OpTimer timer(id);
  Shape vshape = xx.shape();
  vshape.erase(d);
  Tensor values = empty(vshape, x.dtype()), indices = empty(vshape, kInt64);
  kernels::arg_reduce_cpu(is_max, values, indices, xx, d);
  Shape keep = xx.shape();
  keep[d] = 1;
  if (keepdim) {
    values = reshape(values, keep);
    indices = reshape(indices, keep);
  } else if (x.dim() == 0) {
    values = reshape(values, Shape{});
    indices = reshape(indices, Shape{});
  }
  if (any_requires_grad({&x})) {
    auto n = std::make_shared<IndexReduceBackward>();
    n->indices = reshape(indices, keep), n->in_shape = xx.shape(), n->keep_shape = keep, n->dim = d, n->is_max = is_max;
    n->x_shape = x.shape();
    attach_node(values, std::move(n), {&x});
  }
  timer.done(values, [&] {
    return ops::Cost{static_cast<double>(x.numel()), ops::bytes_of(x), ops::bytes_of(values) + ops::bytes_of(indices)};
  }, {&x});
  return {values, indices};
}

}  // namespace

Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) { return reduce_op(ReduceKind::Sum, x, dims, keepdim); }
Tensor amax(const Tensor& x, const Shape& dims, bool keepdim) { return reduce_op(ReduceKind::Max, x, dims, keepdim); }
Tensor amin(const Tensor& x, const Shape& dims, bool keepdim) { return reduce_op(ReduceKind::Min, x, dims, keepdim); }
ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim) { return index_reduce(true, x, dim, keepdim); }
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim) { return index_reduce(false, x, dim, keepdim); }

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  if (!dim) return index_reduce(true, reshape(x.detach(), Shape{-1}), 0, false).indices;
  return index_reduce(true, x.detach(), *dim, keepdim).indices;
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  if (!dim) return index_reduce(false, reshape(x.detach(), Shape{-1}), 0, false).indices;
  return index_reduce(false, x.detach(), *dim, keepdim).indices;
}

Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  TT_CHECK(x.defined(), "mean: undefined input tensor");
  TT_CHECK(is_floating(x.dtype()), "mean: expected a floating-point tensor, got ", x.dtype(),
           " (hint: convert with .to(tt::kFloat32))");
  ReducePlan p = plan_reduce(x, dims, keepdim, "mean");
  int64_t count = p.keep_shape.numel() ? x.numel() / p.keep_shape.numel() : 0;
  return sum(x, dims, keepdim) * (1.0 / static_cast<double>(count));  // 0 elements → NaN, as PyTorch
}

// var = Σ(x − x̄)² / (N − correction)
Tensor var(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  TT_CHECK(x.defined(), "var: undefined input tensor");
  TT_CHECK(is_floating(x.dtype()), "var: expected a floating-point tensor, got ", x.dtype());
  ReducePlan p = plan_reduce(x, dims, keepdim, "var");
  int64_t count = p.keep_shape.numel() ? x.numel() / p.keep_shape.numel() : 0;
  Tensor centered = x - mean(x, dims, true);
  Tensor ss = sum(centered * centered, dims, keepdim);
  double denom = static_cast<double>(count - correction);
  return ss * (denom > 0 ? 1.0 / denom : NAN);
}

Tensor std(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  return sqrt(var(x, dims, correction, keepdim));
}

Tensor Tensor::sum() const { return tt::sum(*this); }
Tensor Tensor::sum(const Shape& d, bool k) const { return tt::sum(*this, d, k); }
Tensor Tensor::mean() const { return tt::mean(*this); }
Tensor Tensor::mean(const Shape& d, bool k) const { return tt::mean(*this, d, k); }
Tensor Tensor::max() const { return tt::amax(*this); }
Tensor Tensor::max(int64_t d, bool k) const { return tt::max(*this, d, k).values; }
Tensor Tensor::min() const { return tt::amin(*this); }
Tensor Tensor::min(int64_t d, bool k) const { return tt::min(*this, d, k).values; }
Tensor Tensor::argmax(int64_t d, bool k) const { return tt::argmax(*this, d, k); }
Tensor Tensor::argmin(int64_t d, bool k) const { return tt::argmin(*this, d, k); }
Tensor Tensor::var(const Shape& d, int64_t c, bool k) const { return tt::var(*this, d, c, k); }
Tensor Tensor::std(const Shape& d, int64_t c, bool k) const { return tt::std(*this, d, c, k); }

}  // namespace tt
