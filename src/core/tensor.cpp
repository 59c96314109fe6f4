// Tensor metadata, element access and grad-mode state.
#include "core/tensor.h"

#include <utility>

#include "core/node.h"
#include "core/span.h"

namespace tt {
namespace {
thread_local bool t_grad_enabled = true;
}

bool grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool on) { t_grad_enabled = on; }

// Note [Deep graphs]: destroying a node drops its input edges, which may destroy the producer node,
// and so on — recursion as deep as the graph (a 100k-op chain overflows the stack). Instead the
// destructor moves every producer it is the last owner of onto an explicit stack and frees those
// one at a time, each with its edges already taken.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> stack;
  auto take_edges = [&stack](std::vector<Edge>& edges) {
    for (Edge& e : edges)
      if (e.node && e.node.use_count() == 1) stack.push_back(std::move(e.node));
    edges.clear();
  };
  take_edges(inputs);
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    take_edges(n->inputs);
  }  // n is destroyed here with no edges left: no recursion
}

void attach_node(Tensor& out, std::shared_ptr<Node> node, std::initializer_list<const Tensor*> inputs) {
  node->inputs.reserve(inputs.size());
  for (const Tensor* t : inputs) node->inputs.push_back(edge_of(*t));
  node->module = g_current_module;
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
}

void attach_node(Tensor& out, std::shared_ptr<Node> node, const std::vector<Tensor>& inputs) {
  node->inputs.reserve(inputs.size());
  for (const Tensor& t : inputs) node->inputs.push_back(edge_of(t));
  node->module = g_current_module;
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
}

int64_t Tensor::size_slow(int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }
int64_t Tensor::stride_slow(int64_t d) const { return strides()[wrap_dim(d, dim(), "stride")]; }

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int i = dim() - 1; i >= 0; --i) {
    if (shape()[i] == 1) continue;
    if (strides()[i] != expected) return false;
    expected *= shape()[i];
  }
  return true;
}

bool Tensor::is_dense() const {
  if (numel() == 0) return true;
  // Walk the dims from the smallest stride up: each must step exactly over the dims below it.
  int order[kMaxDims], n = 0;
  for (int i = 0; i < dim(); ++i)
    if (shape()[i] != 1) order[n++] = i;
  for (int j = 1; j < n; ++j)  // insertion sort by stride (n <= kMaxDims)
    for (int q = j; q > 0 && strides()[order[q]] < strides()[order[q - 1]]; --q) std::swap(order[q], order[q - 1]);
  int64_t expected = 1;
  for (int j = 0; j < n; ++j) {
    const int i = order[j];
    if (strides()[i] != expected) return false;
    expected *= shape()[i];
  }
  return true;
}

Tensor& Tensor::requires_grad_(bool on) {
  TT_CHECK(!on || is_floating(dtype()), "requires_grad_: only floating-point tensors can require grad, got ",
           dtype());
  TT_CHECK(is_leaf(), "requires_grad_: can only be set on leaf tensors (hint: use .detach() first)");
  impl_->requires_grad = on;
  return *this;
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->offset = impl_->offset;
  impl->shape = impl_->shape;
  impl->strides = impl_->strides;
  impl->dtype = impl_->dtype;
  return Tensor(std::move(impl));
}

namespace {
double load_double(const char* p, DType t) {
  switch (t) {
    case DType::Bool: return *reinterpret_cast<const bool*>(p) ? 1.0 : 0.0;
    case DType::UInt8: return *reinterpret_cast<const uint8_t*>(p);
    case DType::Int8: return *reinterpret_cast<const int8_t*>(p);
    case DType::Int32: return *reinterpret_cast<const int32_t*>(p);
    case DType::Int64: return static_cast<double>(*reinterpret_cast<const int64_t*>(p));
    case DType::Float32: return *reinterpret_cast<const float*>(p);
    case DType::Float64: return *reinterpret_cast<const double*>(p);
  }
  return 0;
}
}  // namespace

double element_at(const Tensor& t, const Shape& index) {
  TT_CHECK(index.size() == t.dim(), "element_at: index ", index, " does not match shape ", t.shape());
  int64_t off = 0;
  for (int i = 0; i < t.dim(); ++i) {
    TT_CHECK(index[i] >= 0 && index[i] < t.shape()[i], "element_at: index ", index, " out of range for shape ",
             t.shape());
    off += index[i] * t.strides()[i];
  }
  return load_double(static_cast<const char*>(t.raw_data()) + off * static_cast<int64_t>(t.element_size()),
                     t.dtype());
}

// Reads element `n` (row-major) of a strided view as S, converted to T — through the source type,
// not double, so int64 values above 2^53 survive.
template <typename T>
T Tensor::item() const {
  TT_CHECK(defined(), "item: undefined tensor");
  TT_CHECK(numel() == 1, "item: expected a one-element tensor, got shape ", shape());
  return TT_DISPATCH_ALL(dtype(), "item", [&]<typename S>() -> T { return static_cast<T>(*static_cast<const S*>(raw_data())); });
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> out;
  out.reserve(numel());
  if (numel() == 0) return out;
  Shape idx;
  idx.resize(dim(), 0);
  TT_DISPATCH_ALL(dtype(), "to_vector", [&]<typename S>() {
    const S* base = static_cast<const S*>(raw_data());
    for (int64_t n = 0; n < numel(); ++n) {
      int64_t off = 0;
      for (int i = 0; i < dim(); ++i) off += idx[i] * strides()[i];
      out.push_back(static_cast<T>(base[off]));
      for (int i = dim() - 1; i >= 0; --i) {
        if (++idx[i] < shape()[i]) break;
        idx[i] = 0;
      }
    }
  });
  return out;
}

#define TT_INSTANTIATE_ACCESS(T) \
  template T Tensor::item<T>() const; \
  template std::vector<T> Tensor::to_vector<T>() const;
TT_INSTANTIATE_ACCESS(bool)
TT_INSTANTIATE_ACCESS(uint8_t)
TT_INSTANTIATE_ACCESS(int8_t)
TT_INSTANTIATE_ACCESS(int32_t)
TT_INSTANTIATE_ACCESS(int64_t)
TT_INSTANTIATE_ACCESS(float)
TT_INSTANTIATE_ACCESS(double)
#undef TT_INSTANTIATE_ACCESS

}  // namespace tt
