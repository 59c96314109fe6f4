// View ops: view/reshape, permute/transpose, slice/narrow/select, expand, squeeze/unsqueeze, flatten.
// A view shares storage and changes only (shape, strides, offset): 0 FLOPs, 0 bytes moved.
// Backward: view → reshape back; permute → inverse permutation; slice/select → slice_backward
// (scatter the gradient into zeros); expand → sum_to (the adjoint of broadcasting).
#include <algorithm>

#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/view/view_backward.h"

namespace tt {
namespace {

Tensor make_view(const Tensor& x, const Shape& shape, const Strides& strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = x.storage();
  impl->offset = offset;
  impl->shape = shape;
  impl->strides = strides;
  impl->dtype = x.dtype();
  return Tensor(std::move(impl));
}

// Replaces one -1 in `shape` so the element count matches `numel`.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op, const Shape& from) {
  Shape out = shape;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      TT_CHECK(infer < 0, op, ": only one dimension can be -1, got ", shape);
      infer = i;
    } else {
      TT_CHECK(out[i] >= 0, op, ": invalid dimension ", out[i], " in shape ", shape);
      known *= out[i];
    }
  }
  if (infer >= 0) {
    TT_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape, " is invalid for input of shape ", from,
             " (", numel, " elements)");
    out[infer] = numel / known;
  }
  TT_CHECK(out.numel() == numel, op, ": shape ", shape, " is invalid for input of shape ", from, " (", numel,
           " elements)");
  return out;
}

// Strides for viewing (old_shape, old_strides) as new_shape without copying, if possible.
// Dims of the old view that are contiguous with each other form chunks; each chunk must be
// split exactly by a run of new dims (the rule torch.view documents).
bool view_strides(const Shape& old_shape, const Strides& old_st, const Shape& new_shape, Strides& out) {
  out.resize(new_shape.size());
  if (old_shape.numel() == 0 || old_shape.size() == 0) {
    out = contiguous_strides(new_shape);
    return true;
  }
  int view_d = new_shape.size() - 1;
  int64_t chunk_base = old_st[old_shape.size() - 1], tensor_numel = 1, view_numel = 1;
  for (int d = old_shape.size() - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    bool chunk_ends = d == 0 || (old_shape[d - 1] != 1 && old_st[d - 1] != tensor_numel * chunk_base);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
      out[view_d] = view_numel * chunk_base;
      view_numel *= new_shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return false;
    if (d > 0) {
      chunk_base = old_st[d - 1];
      tensor_numel = view_numel = 1;
    }
  }
  return view_d == -1;
}

struct ViewBackward : Node {
  Shape in_shape;
  std::vector<Tensor> backward(const Tensor& g) override { return {reshape(g, in_shape)}; }
  const char* name() const override { return "ViewBackward0"; }
};

struct PermuteBackward : Node {
  Shape inverse;
  std::vector<Tensor> backward(const Tensor& g) override { return {permute(g, inverse)}; }
  const char* name() const override { return "PermuteBackward0"; }
};

struct SliceBackward : Node {
  Shape in_shape;
  int64_t dim, start, end, step;
  bool squeezed;  // select: the gradient lacks `dim`
  std::vector<Tensor> backward(const Tensor& g) override {
    // A slice over the whole dim is the identity: its gradient is g itself, not a zero-filled copy
    // (MultiHeadAttention's heads() narrows a q/k/v projection to all of its width: 12 copies of
    // 1 MiB per GPT training step, ~1% of it).
    if (!squeezed && start == 0 && step == 1 && end == in_shape[dim]) return {g};
    Tensor gg = squeezed ? unsqueeze(g, dim) : g;
    return {slice_backward(gg, in_shape, dim, start, end, step)};
  }
  const char* name() const override { return squeezed ? "SelectBackward0" : "SliceBackward0"; }
};

struct ExpandBackward : Node {
  Shape in_shape;
  std::vector<Tensor> backward(const Tensor& g) override { return {sum_to(g, in_shape)}; }
  const char* name() const override { return "ExpandBackward0"; }
};

void record_view(ops::OpId id, const Tensor& x, const Tensor& out) {
  if (ops::g_op_observer) {
    ops::OpTimer timer(id);
    timer.done(out, [] { return ops::Cost{}; }, {&x});
  }
}

}  // namespace

namespace {
// The view itself, once the shape (no -1) and strides are known; records the backward node.
Tensor view_with(const Tensor& x, const Shape& s, const Strides& st) {
  Tensor out = make_view(x, s, st, x.offset());
  if (any_requires_grad({&x})) {
    auto n = std::make_shared<ViewBackward>();
    n->in_shape = x.shape();
    attach_node(out, std::move(n), {&x});
  }
  record_view(ops::OpId::view, x, out);
  return out;
}
}  // namespace

Tensor view(const Tensor& x, const Shape& shape) {
  Shape s = infer_shape(shape, x.numel(), "view", x.shape());
  Strides st;
  TT_CHECK(view_strides(x.shape(), x.strides(), s, st), "view: cannot view a tensor of shape ", x.shape(),
           " with strides ", x.strides(), " as ", s, " without copying (hint: use reshape)");
  return view_with(x, s, st);
}

// A view when the strides allow one, else a contiguous copy viewed (shape and strides computed once).
Tensor reshape(const Tensor& x, const Shape& shape) {
  Shape s = infer_shape(shape, x.numel(), "reshape", x.shape());
  Strides st;
  if (view_strides(x.shape(), x.strides(), s, st)) return view_with(x, s, st);
  return view_with(contiguous(x), s, contiguous_strides(s));
}

Tensor permute(const Tensor& x, const Shape& dims) {
  TT_CHECK(dims.size() == x.dim(), "permute: got ", dims.size(), " dims ", dims, " for a ", x.dim(),
           "-d tensor of shape ", x.shape());
  Shape shape, inverse;
  Strides st;
  shape.resize(x.dim());
  st.resize(x.dim());
  inverse.resize(x.dim(), -1);
  for (int i = 0; i < x.dim(); ++i) {
    int d = wrap_dim(dims[i], x.dim(), "permute");
    TT_CHECK(inverse[d] == -1, "permute: dim ", d, " repeated in ", dims);
    inverse[d] = i;
    shape[i] = x.shape()[d];
    st[i] = x.strides()[d];
  }
  Tensor out = make_view(x, shape, st, x.offset());
  if (any_requires_grad({&x})) {
    auto n = std::make_shared<PermuteBackward>();
    n->inverse = inverse;
    attach_node(out, std::move(n), {&x});
  }
  record_view(ops::OpId::permute, x, out);
  return out;
}

Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) {
  if (x.dim() == 0) return x;
  int a = wrap_dim(d0, x.dim(), "transpose"), b = wrap_dim(d1, x.dim(), "transpose");
  Shape dims;
  for (int i = 0; i < x.dim(); ++i) dims.push_back(i);
  std::swap(dims[a], dims[b]);
  return permute(x, dims);
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  TT_CHECK(x.dim() > 0, "slice: cannot slice a 0-d tensor");
  int d = wrap_dim(dim, x.dim(), "slice");
  TT_CHECK(step > 0, "slice: step must be positive, got ", step);
  int64_t n = x.shape()[d];
  // Python slice semantics: negatives count from the end, out-of-range bounds clamp.
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape shape = x.shape();
  Strides st = x.strides();
  shape[d] = (end - start + step - 1) / step;
  st[d] *= step;
  Tensor out = make_view(x, shape, st, x.offset() + start * x.strides()[d]);
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<SliceBackward>();
    node->in_shape = x.shape();
    node->dim = d, node->start = start, node->end = end, node->step = step, node->squeezed = false;
    attach_node(out, std::move(node), {&x});
  }
  record_view(ops::OpId::slice, x, out);
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  TT_CHECK(x.dim() > 0, "narrow: cannot narrow a 0-d tensor");
  int d = wrap_dim(dim, x.dim(), "narrow");
  int64_t n = x.shape()[d];
  if (start < 0) start += n;
  TT_CHECK(start >= 0 && length >= 0 && start + length <= n, "narrow: start ", start, " + length ", length,
           " exceeds dim ", d, " of size ", n, " (shape ", x.shape(), ")");
  return slice(x, d, start, start + length);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  TT_CHECK(x.dim() > 0, "select: cannot index a 0-d tensor");
  int d = wrap_dim(dim, x.dim(), "select");
  int64_t n = x.shape()[d];
  TT_CHECK(index >= -n && index < n, "select: index ", index, " out of range for dim ", d, " of size ", n,
           " (shape ", x.shape(), ")");
  if (index < 0) index += n;
  Shape shape = x.shape();
  Strides st = x.strides();
  int64_t offset = x.offset() + index * st[d];
  shape.erase(d);
  st.erase(d);
  Tensor out = make_view(x, shape, st, offset);
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<SliceBackward>();
    node->in_shape = x.shape();
    node->dim = d, node->start = index, node->end = index + 1, node->step = 1, node->squeezed = true;
    attach_node(out, std::move(node), {&x});
  }
  record_view(ops::OpId::select, x, out);
  return out;
}

Tensor expand(const Tensor& x, const Shape& shape) {
  TT_CHECK(shape.size() >= x.dim(), "expand: target shape ", shape, " has fewer dims than input ", x.shape());
  Shape out_shape = shape;
  Strides st;
  st.resize(shape.size());
  int off = shape.size() - x.dim();
  for (int i = 0; i < shape.size(); ++i) {
    int j = i - off;
    int64_t in = j >= 0 ? x.shape()[j] : 1;
    if (shape[i] == -1) {
      TT_CHECK(j >= 0, "expand: -1 not allowed in a new leading dim, target ", shape);
      out_shape[i] = in;
    }
    TT_CHECK(out_shape[i] >= 0, "expand: invalid size ", shape[i], " at dim ", i, " in target ", shape);
    TT_CHECK(in == out_shape[i] || in == 1, "expand: input shape ", x.shape(), " cannot be expanded to ",
             shape, " (dim ", i, ": ", in, " vs ", out_shape[i], ")");
    st[i] = (j >= 0 && in == out_shape[i]) ? x.strides()[j] : 0;
  }
  Tensor out = make_view(x, out_shape, st, x.offset());
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<ExpandBackward>();
    node->in_shape = x.shape();
    attach_node(out, std::move(node), {&x});
  }
  record_view(ops::OpId::expand, x, out);
  return out;
}

Tensor squeeze(const Tensor& x, std::optional<int64_t> dim) {
  Shape s;
  if (dim) {
    if (x.dim() == 0) return x;
    int d = wrap_dim(*dim, x.dim(), "squeeze");
    s = x.shape();
    if (s[d] == 1) s.erase(d);
  } else {
    for (int64_t v : x.shape())
      if (v != 1) s.push_back(v);
  }
  return view(x, s);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  int d = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape s = x.shape();
  s.insert(d, 1);
  return view(x, s);
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return reshape(x, Shape{1});
  int a = wrap_dim(start_dim, x.dim(), "flatten"), b = wrap_dim(end_dim, x.dim(), "flatten");
  TT_CHECK(a <= b, "flatten: start_dim ", start_dim, " comes after end_dim ", end_dim);
  Shape s;
  for (int i = 0; i < a; ++i) s.push_back(x.shape()[i]);
  int64_t p = 1;
  for (int i = a; i <= b; ++i) p *= x.shape()[i];
  s.push_back(p);
  for (int i = b + 1; i < x.dim(); ++i) s.push_back(x.shape()[i]);
  return reshape(x, s);
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  Shape dims;
  int lead = g.dim() - shape.size();
  TT_ASSERT(lead >= 0, "sum_to: ", g.shape(), " -> ", shape);
  for (int i = 0; i < g.dim(); ++i)
    if (i < lead || (shape[i - lead] == 1 && g.shape()[i] != 1)) dims.push_back(i);
  Tensor r = dims.empty() ? g : sum(g, dims, /*keepdim=*/true);
  return reshape(r, shape);
}

Tensor Tensor::view(const Shape& s) const { return tt::view(*this, s); }
Tensor Tensor::reshape(const Shape& s) const { return tt::reshape(*this, s); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return tt::transpose(*this, a, b); }
Tensor Tensor::t() const {
  TT_CHECK(dim() <= 2, "t: expects a tensor with <= 2 dims, got shape ", shape());
  return dim() < 2 ? *this : tt::transpose(*this, 0, 1);
}
Tensor Tensor::permute(const Shape& d) const { return tt::permute(*this, d); }
Tensor Tensor::slice(int64_t d, int64_t s, int64_t e, int64_t st) const { return tt::slice(*this, d, s, e, st); }
Tensor Tensor::narrow(int64_t d, int64_t s, int64_t l) const { return tt::narrow(*this, d, s, l); }
Tensor Tensor::select(int64_t d, int64_t i) const { return tt::select(*this, d, i); }
Tensor Tensor::expand(const Shape& s) const { return tt::expand(*this, s); }
Tensor Tensor::squeeze() const { return tt::squeeze(*this); }
Tensor Tensor::squeeze(int64_t d) const { return tt::squeeze(*this, d); }
Tensor Tensor::unsqueeze(int64_t d) const { return tt::unsqueeze(*this, d); }
Tensor Tensor::flatten(int64_t a, int64_t b) const { return tt::flatten(*this, a, b); }

}  // namespace tt
