// Op `cat` (concatenate along a dim) and the compositions stack (unsqueeze + cat), split and chunk
// (narrow views, no copies). Backward of cat: the gradient's slice for each input.
// Cost: 0 FLOPs; reads every input, writes the output.
#include "core/node.h"
#include "ops/copy/copy_cpu.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

struct CatBackward : Node {
  int dim;
  std::vector<int64_t> sizes;
  std::vector<Tensor> backward(const Tensor& g) override {
    std::vector<Tensor> out;
    int64_t start = 0;
    for (int64_t s : sizes) {
      out.push_back(narrow(g, dim, start, s));
      start += s;
    }
    return out;
  }
  const char* name() const override { return "CatBackward0"; }
};

}  // namespace

Tensor cat(const std::vector<Tensor>& xs, int64_t dim) {
  TT_CHECK(!xs.empty(), "cat: expected a non-empty list of tensors");
  const Tensor& first = xs[0];
  for (const Tensor& x : xs) TT_CHECK(x.defined(), "cat: undefined tensor in the list");
  TT_CHECK(first.dim() > 0, "cat: zero-dimensional tensors cannot be concatenated (hint: use stack)");
  int d = wrap_dim(dim, first.dim(), "cat");
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& x = xs[i];
    TT_CHECK(x.dim() == first.dim(), "cat: tensor ", i, " has shape ", x.shape(), ", expected ", first.dim(), " dims like ",
             first.shape());
    TT_CHECK(x.dtype() == first.dtype(), "cat: tensor ", i, " is ", x.dtype(), ", expected ", first.dtype());
    for (int k = 0; k < x.dim(); ++k)
      TT_CHECK(k == d || x.shape()[k] == first.shape()[k], "cat: sizes must match except in dim ", d, ": tensor ", i,
               " has shape ", x.shape(), ", tensor 0 has ", first.shape());
    out_shape[d] += x.shape()[d];
  }
  ops::OpTimer timer(ops::OpId::cat);
  Tensor out = empty(out_shape, first.dtype());
  int64_t start = 0;
  double bytes_in = 0;
  for (const Tensor& x : xs) {
    NoGradGuard ng;
    kernels::copy_cpu(narrow(out, d, start, x.shape()[d]), x);
    start += x.shape()[d];
    bytes_in += ops::bytes_of(x);
  }
  bool need = false;
  for (const Tensor& x : xs) need |= any_requires_grad({&x});
  if (need) {
    auto n = std::make_shared<CatBackward>();
    n->dim = d;
    for (const Tensor& x : xs) n->sizes.push_back(x.shape()[d]);
    attach_node(out, std::move(n), xs);
  }
  timer.done(out, [&] { return ops::Cost{0, bytes_in, ops::bytes_of(out)}; }, {&first});
  return out;
}

Tensor stack(const std::vector<Tensor>& xs, int64_t dim) {
  TT_CHECK(!xs.empty(), "stack: expected a non-empty list of tensors");
  int d = wrap_dim(dim, xs[0].dim() + 1, "stack");
  std::vector<Tensor> us;
  us.reserve(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    TT_CHECK(xs[i].defined() && xs[i].shape() == xs[0].shape(), "stack: tensor ", i, " has shape ",
             xs[i].defined() ? xs[i].shape() : Shape{}, ", expected ", xs[0].shape(), " (all must match)");
    us.push_back(unsqueeze(xs[i], d));
  }
  return cat(us, d);
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
  TT_CHECK(x.defined() && x.dim() > 0, "split: expected a tensor with at least 1 dim");
  int d = wrap_dim(dim, x.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) {
    TT_CHECK(s >= 0, "split: negative section size ", s);
    total += s;
  }
  TT_CHECK(total == x.shape()[d], "split: section sizes sum to ", total, " but dim ", d, " has size ", x.shape()[d]);
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t s : sizes) {
    out.push_back(narrow(x, d, start, s));
    start += s;
  }
  return out;
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  TT_CHECK(x.defined() && x.dim() > 0, "split: expected a tensor with at least 1 dim");
  TT_CHECK(split_size > 0, "split: split_size must be positive, got ", split_size);
  int d = wrap_dim(dim, x.dim(), "split");
  std::vector<int64_t> sizes;
  for (int64_t start = 0; start < x.shape()[d]; start += split_size)
    sizes.push_back(std::min(split_size, x.shape()[d] - start));
  if (sizes.empty()) sizes.push_back(0);
  return split(x, sizes, d);
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  TT_CHECK(chunks > 0, "chunk: number of chunks must be positive, got ", chunks);
  TT_CHECK(x.defined() && x.dim() > 0, "chunk: expected a tensor with at least 1 dim");
  int d = wrap_dim(dim, x.dim(), "chunk");
  int64_t size = (x.shape()[d] + chunks - 1) / chunks;
  return split(x, std::max<int64_t>(size, 1), d);
}

}  // namespace tt
