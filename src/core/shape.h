// Shape and strides as a small fixed-capacity vector (no heap: tiny ops must be cheap), plus the
// metadata-only rules for views: contiguous strides, broadcasting, dim wrapping.
// Not storage: a Shape never owns data. Siblings: tensor.h (uses these), ops/view (view ops).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "core/error.h"

namespace tt {

constexpr int kMaxDims = 8;

// A vector of at most kMaxDims int64s, stored inline.
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> v) { assign(v.begin(), v.end()); }
  explicit Shape(const std::vector<int64_t>& v) { assign(v.begin(), v.end()); }
  template <typename It>
  Shape(It b, It e) { assign(b, e); }

  int size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t operator[](int i) const { return d_[i]; }
  int64_t& operator[](int i) { return d_[i]; }
  const int64_t* begin() const { return d_; }
  const int64_t* end() const { return d_ + n_; }
  int64_t* begin() { return d_; }
  int64_t* end() { return d_ + n_; }
  int64_t back() const { return d_[n_ - 1]; }
  void push_back(int64_t v) {
    TT_CHECK(n_ < kMaxDims, "shape: more than ", kMaxDims, " dims are not supported");
    d_[n_++] = v;
  }
  void insert(int pos, int64_t v);
  void erase(int pos);
  void resize(int n, int64_t fill = 0);
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  int64_t numel() const;  // product of dims (1 for a 0-d shape)

  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  template <typename It>
  void assign(It b, It e) {
    n_ = 0;
    for (; b != e; ++b) push_back(static_cast<int64_t>(*b));
  }
  int64_t d_[kMaxDims] = {};
  int n_ = 0;
};

std::ostream& operator<<(std::ostream& os, const Shape& s);  // prints [2, 3]

using Strides = Shape;  // strides are in elements, not bytes

Strides contiguous_strides(const Shape& shape);
// Normalises a possibly-negative dim against `ndim` dims; errors name `op` and the bad value.
int wrap_dim(int64_t dim, int ndim, const char* op);
// NumPy broadcasting of two shapes; errors name `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Strides that read a tensor of (shape, strides) as if it had `target` shape (stride 0 on
// broadcast dims). Assumes `shape` broadcasts to `target`.
Strides broadcast_strides(const Shape& shape, const Strides& strides, const Shape& target);

}  // namespace tt
