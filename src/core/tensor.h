// Tensor: a shared, strided view of a Storage (shape, strides, offset — views never copy), plus
// the autograd fields (requires_grad, grad, grad_fn). The class is a cheap handle (one shared_ptr).
// Not the ops: methods such as reshape/sum/matmul are declared here for a PyTorch-like API and
// defined in ops/ (tensor_methods.cpp); backward() is defined in autograd/.
#pragma once
#include <cstring>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/allocator.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"

namespace tt {

constexpr DType kBool = DType::Bool, kUInt8 = DType::UInt8, kInt8 = DType::Int8, kInt32 = DType::Int32,
                kInt64 = DType::Int64, kFloat32 = DType::Float32, kFloat64 = DType::Float64;

// Bytes owned by one allocation; shared by every view of it.
class Storage {
 public:
  explicit Storage(size_t nbytes) : data_(allocate(nbytes)), nbytes_(nbytes) {}
  ~Storage() { deallocate(data_, nbytes_); }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

 private:
  void* data_;
  size_t nbytes_;
};

class Node;  // autograd graph node, core/node.h

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  Strides strides;
  DType dtype = DType::Float32;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;  // accumulated gradient (leaves, and retained non-leaves)
  std::shared_ptr<Node> grad_fn;     // the node that produced this tensor (null for leaves)
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata (core) ----
  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  const Shape& shape() const { return impl_->shape; }
  const Strides& strides() const { return impl_->strides; }
  int dim() const { return impl_->shape.size(); }
  // d in [-dim, dim); inline, since layers call size(-1) on every forward.
  int64_t size(int64_t d) const {
    const int i = dim_index(d);
    return i >= 0 ? shape()[i] : size_slow(d);
  }
  int64_t stride(int64_t d) const {
    const int i = dim_index(d);
    return i >= 0 ? strides()[i] : stride_slow(d);
  }
  int64_t numel() const { return impl_->shape.numel(); }
  int64_t offset() const { return impl_->offset; }
  DType dtype() const { return impl_->dtype; }
  size_t element_size() const { return dtype_size(impl_->dtype); }
  size_t nbytes() const { return numel() * element_size(); }
  bool is_contiguous() const;
  // Non-overlapping and dense: the elements fill numel() consecutive slots in some dimension order
  // (contiguous, or a permutation of it such as a transposed matrix), strides positive. Such a view
  // can be processed as one flat array from raw_data() when the order does not matter (elementwise
  // updates), and a tensor of the same layout is made by empty_like_layout.
  bool is_dense() const;
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  const std::shared_ptr<Storage>& storage() const { return impl_->storage; }
  // Pointer to element 0 of this view.
  void* raw_data() const {
    return static_cast<char*>(impl_->storage->data()) + impl_->offset * static_cast<int64_t>(element_size());
  }
  template <typename T>
  T* data_ptr() const {
    TT_CHECK(dtype_of_v<T> == dtype(), "data_ptr: tensor is ", dtype(), ", requested ", dtype_of_v<T>);
    return static_cast<T*>(raw_data());
  }
  // The single value of a one-element tensor, converted to T.
  template <typename T = double>
  T item() const;
  // All elements in row-major order, converted to T.
  template <typename T>
  std::vector<T> to_vector() const;

  // ---- autograd (core holds the fields; autograd/ runs the graph) ----
  bool requires_grad() const { return impl_->requires_grad; }
  Tensor& requires_grad_(bool on = true);
  bool is_leaf() const { return impl_->grad_fn == nullptr; }
  Tensor grad() const { return Tensor(impl_->grad); }
  void set_grad(const Tensor& g) const { impl_->grad = g.impl_; }
  const std::shared_ptr<Node>& grad_fn() const { return impl_->grad_fn; }
  Tensor detach() const;  // same storage, no autograd history
  void backward(const Tensor& grad_output = Tensor(), bool retain_graph = false) const;  // autograd/

  // ---- view ops (ops/view) ----
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor t() const;  // 2-D transpose
  Tensor mT() const { return transpose(-2, -1); }
  Tensor permute(const Shape& dims) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor expand(const Shape& shape) const;
  Tensor expand_as(const Tensor& o) const { return expand(o.shape()); }
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(DType t) const;

  // ---- math (ops/) ----
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor log1p() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor pow(double exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor clamp(double min, double max) const;
  Tensor matmul(const Tensor& o) const;
  Tensor sum() const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;
  Tensor max() const;
  Tensor max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  Tensor min(int64_t dim, bool keepdim = false) const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor argmin(int64_t dim, bool keepdim = false) const;
  Tensor var(const Shape& dims, int64_t correction = 1, bool keepdim = false) const;
  Tensor std(const Shape& dims, int64_t correction = 1, bool keepdim = false) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // ---- in-place (no autograd history; allowed on leaves only under NoGradGuard) ----
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);       // broadcasts src, converts dtype
  Tensor& add_(const Tensor& o, double alpha = 1.0);
  Tensor& mul_(double s);

 private:
  // d wrapped into [0, dim), or -1 when out of range (size_slow / stride_slow then throw).
  int dim_index(int64_t d) const {
    const int n = dim();
    return d >= 0 && d < n ? static_cast<int>(d) : d < 0 && d >= -n ? static_cast<int>(d + n) : -1;
  }
  int64_t size_slow(int64_t d) const;  // the error for an out-of-range d (and 0-d tensors)
  int64_t stride_slow(int64_t d) const;
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);  // PyTorch-style printing
std::string to_string(const Tensor& t);

// ---- creation (core/creation.cpp) ----
class Generator;
Tensor empty(const Shape& shape, DType dtype = kFloat32);
Tensor empty_strided(const Shape& shape, const Strides& strides, DType dtype = kFloat32);
Tensor zeros(const Shape& shape, DType dtype = kFloat32);
Tensor ones(const Shape& shape, DType dtype = kFloat32);
Tensor full(const Shape& shape, double value, DType dtype = kFloat32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor empty_like(const Tensor& t);  // contiguous, same shape and dtype
// Same shape, dtype and memory order as t when t is dense (Tensor::is_dense), else contiguous:
// PyTorch's empty_like(preserve_format). Gradients and optimizer state of a dense parameter are
// made this way, so one flat loop updates parameter, gradient and state element by element.
Tensor empty_like_layout(const Tensor& t, DType dtype);
Tensor empty_like_layout(const Tensor& t);
// Whether t has the memory order empty_like_layout(like) would give (clone_like in ops/ copies
// into it).
bool has_layout_of(const Tensor& t, const Tensor& like);
Tensor full_like(const Tensor& t, double value);
Tensor scalar_tensor(double value, DType dtype = kFloat32);  // 0-d
Tensor arange(double end, DType dtype = kInt64);
Tensor arange(double start, double end, double step = 1.0, DType dtype = kInt64);
Tensor linspace(double start, double end, int64_t steps, DType dtype = kFloat32);
Tensor eye(int64_t n, int64_t m = -1, DType dtype = kFloat32);
Tensor rand(const Shape& shape, Generator* gen = nullptr, DType dtype = kFloat32);
Tensor randn(const Shape& shape, Generator* gen = nullptr, DType dtype = kFloat32);
Tensor normal(const Shape& shape, double mean, double stddev, Generator* gen = nullptr, DType dtype = kFloat32);
Tensor uniform(const Shape& shape, double low, double high, Generator* gen = nullptr, DType dtype = kFloat32);
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen = nullptr, DType dtype = kInt64);
Tensor randperm(int64_t n, Generator* gen = nullptr);
Tensor bernoulli(const Shape& shape, double p, Generator* gen = nullptr, DType dtype = kFloat32);

// From host data. The nested-initializer-list forms build 1-D and 2-D tensors:
//   tt::tensor({1.f, 2.f}), tt::tensor({{1., 2.}, {3., 4.}}).
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape);
template <typename T>
Tensor tensor(std::initializer_list<T> values) {
  return from_vector(std::vector<T>(values), Shape{static_cast<int64_t>(values.size())});
}
template <typename T>
Tensor tensor(std::initializer_list<std::initializer_list<T>> rows);
// Reads the element at a multi-index, converted to double (tests, printing).
double element_at(const Tensor& t, const Shape& index);

}  // namespace tt
