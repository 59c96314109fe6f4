// Indexing ops: index_select, gather, scatter_add, index_add (differentiable) and one_hot.
//   index_select(x, d, idx)[.., i, ..] = x[.., idx[i], ..]        backward: index_add into zeros
//   gather(x, d, idx)[p] = x[p with coordinate d := idx[p]]         backward: scatter_add into zeros
//   scatter_add(x, d, idx, src): x + Σ src[p] at p with d := idx[p] backward: (g, gather(g, d, idx))
//   index_add(x, d, idx, src): x with src[.., i, ..] added at idx[i] backward: (g, index_select(g, d, idx))
// Every index is bounds-checked in the op (kernels assume valid indices). Cost: 0 FLOPs for the
// selects, one FLOP per added element; bytes as read and written.
#include <cstring>

#include "core/node.h"
#include "ops/copy/copy_cpu.h"
#include "ops/dim_geometry.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/view/view_backward.h"

namespace tt {
namespace {

Tensor as_index(const Tensor& idx, const char* op) {
  TT_CHECK(idx.defined(), op, ": undefined index tensor");
  TT_CHECK(idx.dtype() == kInt64 || idx.dtype() == kInt32, op, ": index must be int64 (or int32), got ", idx.dtype());
  return contiguous(idx.to(kInt64));
}

void check_range(const Tensor& idx, int64_t size, const char* op, int dim) {
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i)
    TT_CHECK(p[i] >= 0 && p[i] < size, op, ": index ", p[i], " at position ", i, " is out of range for dim ", dim,
             " of size ", size);
}

// Calls f(index position multi-index, linear position) over every element of `shape`.
template <typename F>
void for_each_index(const Shape& shape, F&& f) {
  if (shape.numel() == 0) return;
  Shape idx;
  idx.resize(shape.size(), 0);
  for (int64_t n = 0, total = shape.numel(); n < total; ++n) {
    f(idx, n);
    for (int i = shape.size() - 1; i >= 0; --i) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
}

inline int64_t offset(const Shape& idx, const Strides& st) {
  int64_t o = 0;
  for (int i = 0; i < idx.size(); ++i) o += idx[i] * st[i];
  return o;
}

// gather (scatter = false): out[p] = x[p|d:=idx[p]];  scatter_add (scatter = true): out[p|d:=idx[p]] += src[p]
template <typename T>
void gather_scatter_kernel(bool scatter, const Tensor& dst, const Tensor& src, const Tensor& idx, int d) {
  const int64_t* ip = idx.data_ptr<int64_t>();
  T* dp = static_cast<T*>(dst.raw_data());
  const T* sp = static_cast<const T*>(src.raw_data());
  for_each_index(idx.shape(), [&](const Shape& p, int64_t n) {
    Shape q = p;
    q[d] = ip[n];
    if (scatter) dp[offset(q, dst.strides())] += sp[offset(p, src.strides())];
    else dp[offset(p, dst.strides())] = sp[offset(q, src.strides())];
  });
}

struct IndexSelectBackward : Node {
  Tensor idx;
  Shape in_shape;
  int dim;
  std::vector<Tensor> backward(const Tensor& g) override {
    return {index_add(zeros(in_shape, g.dtype()), dim, idx, g), Tensor()};
  }
  void release() override { idx = Tensor(); }
  const char* name() const override { return "IndexSelectBackward0"; }
};

struct GatherBackward : Node {
  Tensor idx;
  Shape in_shape;
  int dim;
  std::vector<Tensor> backward(const Tensor& g) override {
    return {scatter_add(zeros(in_shape, g.dtype()), dim, idx, g), Tensor()};
  }
  void release() override { idx = Tensor(); }
  const char* name() const override { return "GatherBackward0"; }
};

struct AddAtBackward : Node {  // scatter_add and index_add
  Tensor idx;
  Shape src_shape;
  int dim;
  bool scatter, need_x, need_src;
  std::vector<Tensor> backward(const Tensor& g) override {
    Tensor gs;
    if (need_src) gs = scatter ? gather(g, dim, idx) : index_select(g, dim, idx);
    // scatter_add: src may extend past the index in any dim; those elements were never added, so
    // their gradient is 0 (zero-padded by slice_backward, the adjoint of narrowing).
    for (int i = 0; gs.defined() && i < gs.dim(); ++i) {
      if (gs.shape()[i] == src_shape[i]) continue;
      Shape full = gs.shape();
      full[i] = src_shape[i];
      gs = slice_backward(gs, full, i, 0, gs.shape()[i], 1);
    }
    return {need_x ? g : Tensor(), Tensor(), gs};
  }
  void release() override { idx = Tensor(); }
  const char* name() const override { return scatter ? "ScatterAddBackward0" : "IndexAddBackward0"; }
};

// Note [Row kernels]: index_select and index_add move whole slices — for an embedding, rows of d
// floats. On contiguous tensors, seen as (outer, n, inner) around dim d, each slice is one block
// of `inner` elements: copied or added directly instead of through a view and a tensor op per
// index (which cost ~0.3 µs each: 1.2 ms for a GPT batch's 4096 tokens, against ~0.1 ms here).

// out (outer, k, inner) = x (outer, n, inner) at rows ip[0..k).
void select_rows(Tensor& out, const Tensor& x, int d, const int64_t* ip, int64_t k) {
  ops::DimGeometry b = ops::dim_geometry(x.shape(), d);
  const int64_t n = b.n, es = x.element_size(), row = b.inner * es;
  const char* src = static_cast<const char*>(x.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < b.outer; ++o)
    for (int64_t i = 0; i < k; ++i) std::memcpy(dst + (o * k + i) * row, src + (o * n + ip[i]) * row, row);
}

// out (outer, n, inner) += src (outer, k, inner) at rows ip[0..k), in index order (deterministic).
template <typename T>
void add_rows(Tensor& out, const Tensor& src, int d, const int64_t* ip, int64_t k) {
  ops::DimGeometry b = ops::dim_geometry(out.shape(), d);
  const int64_t n = b.n;
  T* dst = out.data_ptr<T>();
  const T* s = src.data_ptr<T>();
  for (int64_t o = 0; o < b.outer; ++o)
    for (int64_t i = 0; i < k; ++i) {
      T* __restrict r = dst + (o * n + ip[i]) * b.inner;
      const T* __restrict a = s + (o * k + i) * b.inner;
      for (int64_t j = 0; j < b.inner; ++j) r[j] += a[j];
    }
}

void check_gather_shapes(const Tensor& x, const Tensor& idx, int d, const char* op, const Tensor* src) {
  TT_CHECK(idx.dim() == x.dim(), op, ": index must have as many dims as the input: index ", idx.shape(), " vs input ",
           x.shape());
  for (int i = 0; i < x.dim(); ++i) {
    TT_CHECK(i == d || idx.shape()[i] <= x.shape()[i], op, ": index shape ", idx.shape(), " exceeds input shape ",
             x.shape(), " in dim ", i);
    if (src) TT_CHECK(idx.shape()[i] <= src->shape()[i], op, ": index shape ", idx.shape(), " exceeds src shape ",
                      src->shape(), " in dim ", i);
  }
}

}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  TT_CHECK(x.defined(), "index_select: undefined input");
  Tensor idx = as_index(index, "index_select");
  TT_CHECK(idx.dim() <= 1, "index_select: index must be 1-D, got shape ", index.shape());
  Tensor xx = x.dim() == 0 ? reshape(x, Shape{1}) : x;
  int d = wrap_dim(dim, xx.dim(), "index_select");
  check_range(idx, xx.shape()[d], "index_select", d);
  ops::OpTimer timer(ops::OpId::index_select);
  Shape out_shape = xx.shape();
  out_shape[d] = idx.numel();
  Tensor out = empty(out_shape, x.dtype());
  const int64_t* ip = idx.data_ptr<int64_t>();
  if (xx.is_contiguous()) {
    select_rows(out, xx, d, ip, idx.numel());  // Note [Row kernels]
  } else {
    NoGradGuard ng;
    for (int64_t i = 0; i < idx.numel(); ++i) kernels::copy_cpu(select(out, d, i), select(xx, d, ip[i]));
  }
  if (x.dim() == 0) out = reshape(out, index.dim() == 0 ? Shape{} : Shape{idx.numel()});
  if (any_requires_grad({&x})) {
    auto n = std::make_shared<IndexSelectBackward>();
    n->idx = idx, n->in_shape = x.shape(), n->dim = x.dim() == 0 ? 0 : d;
    attach_node(out, std::move(n), {&x, &index});
  }
  timer.done(out, [&] { return ops::Cost{0, ops::bytes_of(out) + ops::bytes_of(idx), ops::bytes_of(out)}; }, {&x, &index});
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  TT_CHECK(x.defined(), "gather: undefined input");
  Tensor idx = as_index(index, "gather");
  int d = wrap_dim(dim, x.dim(), "gather");
  check_gather_shapes(x, idx, d, "gather", nullptr);
  check_range(idx, x.dim() ? x.shape()[d] : 1, "gather", d);
  ops::OpTimer timer(ops::OpId::gather);
  Tensor out = empty(idx.shape(), x.dtype());
  TT_DISPATCH_ALL(x.dtype(), "gather", [&]<typename T>() { gather_scatter_kernel<T>(false, out, x, idx, d); });
  if (any_requires_grad({&x})) {
    auto n = std::make_shared<GatherBackward>();
    n->idx = idx, n->in_shape = x.shape(), n->dim = d;
    attach_node(out, std::move(n), {&x, &index});
  }
  timer.done(out, [&] { return ops::Cost{0, ops::bytes_of(out) + ops::bytes_of(idx), ops::bytes_of(out)}; }, {&x, &index});
  return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  TT_CHECK(x.defined() && src.defined(), "scatter_add: undefined input or src");
  TT_CHECK(src.dtype() == x.dtype(), "scatter_add: src dtype ", src.dtype(), " differs from input ", x.dtype());
  Tensor idx = as_index(index, "scatter_add");
  int d = wrap_dim(dim, x.dim(), "scatter_add");
  TT_CHECK(src.dim() == x.dim(), "scatter_add: src must have as many dims as the input: ", src.shape(), " vs ", x.shape());
  check_gather_shapes(x, idx, d, "scatter_add", &src);
  check_range(idx, x.dim() ? x.shape()[d] : 1, "scatter_add", d);
  ops::OpTimer timer(ops::OpId::scatter_add);
  Tensor out = clone(x.detach());
  TT_DISPATCH_NUMERIC(x.dtype(), "scatter_add", [&]<typename T>() { gather_scatter_kernel<T>(true, out, src, idx, d); });
  if (any_requires_grad({&x, &src})) {
    auto n = std::make_shared<AddAtBackward>();
    n->idx = idx, n->src_shape = src.shape(), n->dim = d, n->scatter = true, n->need_x = x.requires_grad(), n->need_src = src.requires_grad();
    attach_node(out, std::move(n), {&x, &index, &src});
  }
  timer.done(out, [&] {
    return ops::Cost{double(idx.numel()), ops::bytes_of(x) + ops::bytes_of(idx) + ops::bytes_of(src), ops::bytes_of(out)};
  }, {&x, &index, &src});
  return out;
}

Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  TT_CHECK(x.defined() && src.defined(), "index_add: undefined input or src");
  TT_CHECK(src.dtype() == x.dtype(), "index_add: src dtype ", src.dtype(), " differs from input ", x.dtype());
  Tensor idx = as_index(index, "index_add");
  TT_CHECK(idx.dim() <= 1, "index_add: index must be 1-D, got shape ", index.shape());
  int d = wrap_dim(dim, x.dim(), "index_add");
  Shape expect = x.shape();
  if (x.dim()) expect[d] = idx.numel();
  TT_CHECK(src.shape() == expect, "index_add: src shape ", src.shape(), " must be ", expect, " (input ", x.shape(),
           " with dim ", d, " = index length ", idx.numel(), ")");
  check_range(idx, x.dim() ? x.shape()[d] : 1, "index_add", d);
  ops::OpTimer timer(ops::OpId::index_add);
  Tensor out = clone(x.detach());
  const int64_t* ip = idx.data_ptr<int64_t>();
  if (x.dim() > 0 && x.dtype() != kBool) {  // Note [Row kernels]; out is a fresh contiguous clone
    Tensor s = contiguous(src.detach());
    TT_DISPATCH_NUMERIC(x.dtype(), "index_add", [&]<typename T>() { add_rows<T>(out, s, d, ip, idx.numel()); });
  } else {
    NoGradGuard ng;
    for (int64_t i = 0; i < idx.numel(); ++i) {
      Tensor row = select(out, d, ip[i]);
      row.add_(select(src.detach(), d, i));
    }
  }
  if (any_requires_grad({&x, &src})) {
    auto n = std::make_shared<AddAtBackward>();
    n->idx = idx, n->src_shape = src.shape(), n->dim = d, n->scatter = false, n->need_x = x.requires_grad(), n->need_src = src.requires_grad();
    attach_node(out, std::move(n), {&x, &index, &src});
  }
  timer.done(out, [&] {
    return ops::Cost{double(src.numel()), ops::bytes_of(x) + ops::bytes_of(src), ops::bytes_of(out)};
  }, {&x, &index, &src});
  return out;
}

Tensor one_hot(const Tensor& index, int64_t num_classes) {
  Tensor idx = as_index(index, "one_hot");
  const int64_t* ip = idx.data_ptr<int64_t>();
  if (num_classes < 0) {
    num_classes = 0;
    for (int64_t i = 0; i < idx.numel(); ++i) num_classes = std::max(num_classes, ip[i] + 1);
  }
  check_range(idx, num_classes, "one_hot", -1);
  ops::OpTimer timer(ops::OpId::one_hot);
  Shape shape = idx.shape();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, kInt64);
  int64_t* op = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) op[i * num_classes + ip[i]] = 1;
  timer.done(out, [&] { return ops::Cost{0, ops::bytes_of(idx), ops::bytes_of(out)}; }, {&index});
  return out;
}

}  // namespace tt
