// Tensor creation: empty/zeros/ones/full, ranges, eye, random tensors from a seeded Generator,
// and tensors from host vectors. Not differentiable: creation results are leaves.
#include <cmath>

#include "core/generator.h"
#include "core/tensor.h"

namespace tt {
namespace {

void check_shape(const Shape& shape, const char* op) {
  for (int64_t d : shape) TT_CHECK(d >= 0, op, ": negative dimension in shape ", shape);
}

template <typename T, typename F>
void fill_with(Tensor& t, F&& f) {  // t is contiguous
  T* p = static_cast<T*>(t.raw_data());
  for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(f(i));
}

template <typename F>
Tensor make_filled(const Shape& shape, DType dtype, const char* op, F&& f) {
  check_shape(shape, op);
  Tensor t = empty(shape, dtype);
  TT_DISPATCH_ALL(dtype, op, [&]<typename T>() { fill_with<T>(t, f); });
  return t;
}

Generator& gen_or_default(Generator* g) { return g ? *g : default_generator(); }

}  // namespace

Tensor empty(const Shape& shape, DType dtype) {
  return empty_strided(shape, contiguous_strides(shape), dtype);
}

Tensor empty_strided(const Shape& shape, const Strides& strides, DType dtype) {
  check_shape(shape, "empty");
  int64_t span = 1;  // elements needed to hold every index
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) { span = 0; break; }
    span += (shape[i] - 1) * strides[i];
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(span) * dtype_size(dtype));
  impl->shape = shape;
  impl->strides = strides;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor zeros(const Shape& shape, DType dtype) {
  check_shape(shape, "zeros");
  Tensor t = empty(shape, dtype);
  std::memset(t.raw_data(), 0, t.nbytes());  // all-zero bits are 0 for every dtype we have
  return t;
}
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor full(const Shape& shape, double value, DType dtype) {
  return make_filled(shape, dtype, "full", [value](int64_t) { return value; });
}
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype()); }
Tensor empty_like_layout(const Tensor& t, DType dtype) {
  if (t.is_contiguous() || !t.is_dense()) return empty(t.shape(), dtype);
  return empty_strided(t.shape(), t.strides(), dtype);  // dense: the span is exactly numel
}
Tensor empty_like_layout(const Tensor& t) { return empty_like_layout(t, t.dtype()); }
bool has_layout_of(const Tensor& t, const Tensor& like) {
  if (like.is_contiguous() || !like.is_dense()) return t.is_contiguous();
  return t.strides() == like.strides();
}
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype()); }
Tensor scalar_tensor(double value, DType dtype) { return full(Shape{}, value, dtype); }

Tensor arange(double end, DType dtype) { return arange(0, end, 1, dtype); }
Tensor arange(double start, double end, double step, DType dtype) {
  TT_CHECK(step != 0, "arange: step must be non-zero");
  TT_CHECK(std::isfinite(start) && std::isfinite(end), "arange: start and end must be finite, got ", start,
           " and ", end);
  double n = std::ceil((end - start) / step);
  int64_t count = n > 0 ? static_cast<int64_t>(n) : 0;
  return make_filled(Shape{count}, dtype, "arange", [=](int64_t i) { return start + step * i; });
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  TT_CHECK(steps >= 0, "linspace: steps must be non-negative, got ", steps);
  double step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends so the last value is exactly `end` (as PyTorch does); one step is `start`.
  return make_filled(Shape{steps}, dtype, "linspace", [=](int64_t i) {
    if (steps == 1) return start;
    return i < steps / 2 ? start + step * i : end - step * (steps - 1 - i);
  });
}

Tensor eye(int64_t n, int64_t m, DType dtype) {
  if (m < 0) m = n;
  TT_CHECK(n >= 0, "eye: n must be non-negative, got ", n);
  return make_filled(Shape{n, m}, dtype, "eye", [m](int64_t i) { return i / m == i % m ? 1.0 : 0.0; });
}

Tensor uniform(const Shape& shape, double low, double high, Generator* gen, DType dtype) {
  TT_CHECK(is_floating(dtype), "uniform: dtype must be floating, got ", dtype);
  TT_CHECK(low <= high, "uniform: low ", low, " > high ", high);
  Generator& g = gen_or_default(gen);
  if (dtype == kFloat32)
    return make_filled(shape, dtype, "uniform", [&](int64_t) { return low + (high - low) * g.uniform_float(); });
  return make_filled(shape, dtype, "uniform", [&](int64_t) { return low + (high - low) * g.uniform(); });
}
Tensor rand(const Shape& shape, Generator* gen, DType dtype) { return uniform(shape, 0, 1, gen, dtype); }
Tensor normal(const Shape& shape, double mean, double stddev, Generator* gen, DType dtype) {
  TT_CHECK(is_floating(dtype), "normal: dtype must be floating, got ", dtype);
  TT_CHECK(stddev >= 0, "normal: stddev must be >= 0, got ", stddev);
  Generator& g = gen_or_default(gen);
  return make_filled(shape, dtype, "normal", [&](int64_t) { return mean + stddev * g.normal(); });
}
Tensor randn(const Shape& shape, Generator* gen, DType dtype) { return normal(shape, 0, 1, gen, dtype); }
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen, DType dtype) {
  TT_CHECK(low < high, "randint: low ", low, " must be < high ", high);
  Generator& g = gen_or_default(gen);
  return make_filled(shape, dtype, "randint", [&](int64_t) { return static_cast<double>(g.randint(low, high)); });
}
Tensor bernoulli(const Shape& shape, double p, Generator* gen, DType dtype) {
  TT_CHECK(p >= 0 && p <= 1, "bernoulli: p must be in [0, 1], got ", p);
  Generator& g = gen_or_default(gen);
  return make_filled(shape, dtype, "bernoulli", [&](int64_t) { return g.uniform() < p ? 1.0 : 0.0; });
}

Tensor randperm(int64_t n, Generator* gen) {
  TT_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  Generator& g = gen_or_default(gen);
  Tensor t = arange(static_cast<double>(n), kInt64);
  int64_t* p = t.data_ptr<int64_t>();
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[g.randint(0, i + 1)]);  // Fisher–Yates
  return t;
}

template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
  TT_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector: ", values.size(),
           " values do not fill shape ", shape, " (", shape.numel(), " elements)");
  Tensor t = empty(shape, dtype_of_v<T>);
  T* p = static_cast<T*>(t.raw_data());
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return t;
}

template <typename T>
Tensor tensor(std::initializer_list<std::initializer_list<T>> rows) {
  std::vector<T> flat;
  int64_t cols = rows.size() ? static_cast<int64_t>(rows.begin()->size()) : 0;
  for (auto& r : rows) {
    TT_CHECK(static_cast<int64_t>(r.size()) == cols, "tensor: ragged rows (", r.size(), " vs ", cols, ")");
    flat.insert(flat.end(), r.begin(), r.end());
  }
  return from_vector(flat, Shape{static_cast<int64_t>(rows.size()), cols});
}

#define TT_INSTANTIATE_FROM(T)                                                   \
  template Tensor from_vector<T>(const std::vector<T>&, const Shape&);          \
  template Tensor tensor<T>(std::initializer_list<std::initializer_list<T>>);
TT_INSTANTIATE_FROM(uint8_t)
TT_INSTANTIATE_FROM(int8_t)
TT_INSTANTIATE_FROM(int32_t)
TT_INSTANTIATE_FROM(int64_t)
TT_INSTANTIATE_FROM(float)
TT_INSTANTIATE_FROM(double)
#undef TT_INSTANTIATE_FROM

template <>
Tensor from_vector<bool>(const std::vector<bool>& values, const Shape& shape) {
  TT_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector: ", values.size(),
           " values do not fill shape ", shape);
  Tensor t = empty(shape, kBool);
  bool* p = static_cast<bool*>(t.raw_data());
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return t;
}

}  // namespace tt
