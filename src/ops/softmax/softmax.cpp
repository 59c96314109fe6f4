// Ops `softmax` and `log_softmax` along one dim, numerically stable (subtract the row max):
//   softmax(x)_i = e^(x_i − m) / Σ_j e^(x_j − m),  log_softmax(x)_i = x_i − m − log Σ_j e^(x_j − m).
// Backward ops (kernels, not differentiable again):
//   softmax_backward:     dx = y ⊙ (dy − Σ(dy ⊙ y))
//   log_softmax_backward: dx = dy − e^y ⊙ Σ dy
// Cost: ~5 FLOPs per element forward (max, sub, exp, sum, div), reads x, writes y.
#include <cmath>
#include <type_traits>
#include <vector>

#include "core/node.h"
#include "core/parallel.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/dim_geometry.h"
#include "ops/unary/vec_math.h"

namespace tt {
namespace {

using RowGeometry = ops::DimGeometry;  // the contiguous input seen around the softmax dim

// Calls f(x_row, y_row, stride) for each of the outer*inner rows; rows run on threads.
template <typename T, typename F>
void for_rows(const RowGeometry& g, const T* x, T* y, F f) {
  parallel_for(0, g.outer * g.inner, std::max<int64_t>(1, 16384 / std::max<int64_t>(g.n, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t o = r / g.inner, i = r % g.inner, base = o * g.n * g.inner + i;
      f(x + base, y + base, g.inner);
    }
  });
}

// One float32 row, contiguous: max and Σ e^(x − m) through vec_math (AVX-512/AVX2 exp, 32 partial
// sums). A strided row (softmax over a dim other than the last) is first gathered into a
// per-thread buffer, so every layout gets the vector exp.
void softmax_row_f32(const float* x, float* y, int64_t n, int64_t s, bool log) {
  if (s != 1) {
    thread_local std::vector<float> row;
    row.resize(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) row[k] = x[k * s];
    softmax_row_f32(row.data(), row.data(), n, 1, log);
    for (int64_t k = 0; k < n; ++k) y[k * s] = row[k];
    return;
  }
  float m = kernels::vmax(x, n);
  if (m == -INFINITY) m = 0;  // all -inf: avoid (-inf) - (-inf)
  if (log) {
    const float log_sum = std::log(kernels::vexp_sum(x, m, nullptr, n));
    for (int64_t k = 0; k < n; ++k) y[k] = (x[k] - m) - log_sum;  // see softmax_row
  } else {
    const float inv = 1.0f / kernels::vexp_sum(x, m, y, n);
    for (int64_t k = 0; k < n; ++k) y[k] *= inv;
  }
}

// One row of n elements at stride s, any float type, with libm's exp (float64 rows).
template <typename T>
void softmax_row(const T* xr, T* yr, int64_t n, int64_t s, bool log) {
  T m = -INFINITY;
  for (int64_t k = 0; k < n; ++k) m = std::max(m, xr[k * s]);
  if (m == -INFINITY) m = 0;  // all -inf: avoid (-inf) - (-inf)
  T sum = 0;
  if (log) {
    for (int64_t k = 0; k < n; ++k) sum += std::exp(xr[k * s] - m);
    // (x − m) − log Σ, not x − (m + log Σ): for large x, m + log Σ rounds away log Σ's digits.
    T log_sum = std::log(sum);
    for (int64_t k = 0; k < n; ++k) yr[k * s] = (xr[k * s] - m) - log_sum;
  } else {
    for (int64_t k = 0; k < n; ++k) sum += (yr[k * s] = std::exp(xr[k * s] - m));
    T inv = T(1) / sum;
    for (int64_t k = 0; k < n; ++k) yr[k * s] *= inv;
  }
}

template <typename T>
void softmax_kernel(const Tensor& y, const Tensor& x, int d, bool log) {
  RowGeometry g = ops::dim_geometry(x.shape(), d);
  for_rows<T>(g, x.data_ptr<T>(), y.data_ptr<T>(), [&](const T* xr, T* yr, int64_t s) {
    if constexpr (std::is_same_v<T, float>) softmax_row_f32(xr, yr, g.n, s, log);
    else softmax_row(xr, yr, g.n, s, log);
  });
}

template <typename T>
void softmax_backward_kernel(const Tensor& dx, const Tensor& dy, const Tensor& y, int d, bool log) {
  RowGeometry g = ops::dim_geometry(y.shape(), d);
  const T* yp = y.data_ptr<T>();
  const T* dyp = dy.data_ptr<T>();
  T* dxp = dx.data_ptr<T>();
  for_rows<T>(g, dyp, dxp, [&](const T* dyr, T* dxr, int64_t s) {
    const T* yr = yp + (dyr - dyp);
    T acc = 0;
    if (log) {
      for (int64_t k = 0; k < g.n; ++k) acc += dyr[k * s];
      if constexpr (std::is_same_v<T, float>) {
        if (s == 1) {  // e^y through the vector exp, into dx first
          kernels::vexp(yr, dxr, g.n);
          for (int64_t k = 0; k < g.n; ++k) dxr[k] = dyr[k] - dxr[k] * acc;
          return;
        }
      }
      for (int64_t k = 0; k < g.n; ++k) dxr[k * s] = dyr[k * s] - std::exp(yr[k * s]) * acc;
    } else {
      for (int64_t k = 0; k < g.n; ++k) acc += dyr[k * s] * yr[k * s];
      for (int64_t k = 0; k < g.n; ++k) dxr[k * s] = yr[k * s] * (dyr[k * s] - acc);
    }
  });
}

Tensor softmax_backward_op(const Tensor& dy, const Tensor& y, int d, bool log) {
  ops::OpTimer timer(log ? ops::OpId::log_softmax_backward : ops::OpId::softmax_backward);
  Tensor dyc = contiguous(dy.dtype() == y.dtype() ? dy : cast(dy, y.dtype()));
  Tensor dx = empty(y.shape(), y.dtype());
  TT_DISPATCH_FLOAT(y.dtype(), "softmax_backward", [&]<typename T>() { softmax_backward_kernel<T>(dx, dyc, y, d, log); });
  timer.done(dx, [&] { return ops::Cost{4.0 * y.numel(), ops::bytes_of(dy) + ops::bytes_of(y), ops::bytes_of(dx)}; },
             {&dy, &y});
  return dx;
}

struct SoftmaxBackward : Node {
  Tensor y;
  int dim;
  bool log;
  std::vector<Tensor> backward(const Tensor& g) override { return {softmax_backward_op(g, y, dim, log)}; }
  void release() override { y = Tensor(); }
  const char* name() const override { return log ? "LogSoftmaxBackward0" : "SoftmaxBackward0"; }
};

Tensor softmax_op(const Tensor& x, int64_t dim, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  TT_CHECK(x.defined(), name, ": undefined input tensor");
  TT_CHECK(is_floating(x.dtype()), name, ": expected a floating-point tensor, got ", x.dtype());
  int d = x.dim() == 0 ? 0 : wrap_dim(dim, x.dim(), name);
  ops::OpTimer timer(log ? ops::OpId::log_softmax : ops::OpId::softmax);
  Tensor xc = contiguous(x.detach());
  Tensor y = empty(x.shape(), x.dtype());
  if (y.numel() > 0)
    TT_DISPATCH_FLOAT(x.dtype(), name, [&]<typename T>() { softmax_kernel<T>(y, xc, x.dim() == 0 ? -1 : d, log); });
  if (any_requires_grad({&x})) {
    auto n = std::make_shared<SoftmaxBackward>();
    n->y = y.detach(), n->dim = x.dim() == 0 ? -1 : d, n->log = log;
    attach_node(y, std::move(n), {&x});
  }
  timer.done(y, [&] { return ops::Cost{5.0 * x.numel(), ops::bytes_of(x), ops::bytes_of(y)}; }, {&x});
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_op(x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_op(x, dim, true); }
Tensor Tensor::softmax(int64_t d) const { return tt::softmax(*this, d); }
Tensor Tensor::log_softmax(int64_t d) const { return tt::log_softmax(*this, d); }

}  // namespace tt
