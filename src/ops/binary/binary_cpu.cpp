// Binary kernels. The inner loop is specialised for the three layouts that dominate training:
// all contiguous, right operand a broadcast scalar (x * 2, bias-free), left operand a scalar.
#include "ops/binary/binary_cpu.h"

#include <cmath>

#include "ops/tensor_iter.h"

namespace tt::kernels {
namespace {

template <typename O, typename T, typename F>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  auto L = ops::make_loop<3>(out.shape(), {&out, &a, &b});
  ops::for_each_row(L, [f](char** p, const int64_t* s, int64_t n) {
    O* o = reinterpret_cast<O*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    const T* y = reinterpret_cast<const T*>(p[2]);
    constexpr int64_t so = sizeof(O), st = sizeof(T);
    if (s[0] == so && s[1] == st && s[2] == st) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (s[0] == so && s[1] == st && s[2] == 0) {
      const T yv = *y;
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
    } else if (s[0] == so && s[1] == 0 && s[2] == st) {
      const T xv = *x;
      for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * s[0]) =
            f(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]));
    }
  });
}

template <typename T>
void arithmetic(BinaryKind kind, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  const T al = static_cast<T>(alpha);
  switch (kind) {
    case BinaryKind::Add:
      if (alpha == 1.0) return binary_loop<T, T>(out, a, b, [](T x, T y) { return T(x + y); });
      return binary_loop<T, T>(out, a, b, [al](T x, T y) { return T(x + al * y); });
    case BinaryKind::Sub:
      if (alpha == 1.0) return binary_loop<T, T>(out, a, b, [](T x, T y) { return T(x - y); });
      return binary_loop<T, T>(out, a, b, [al](T x, T y) { return T(x - al * y); });
    case BinaryKind::Mul: return binary_loop<T, T>(out, a, b, [](T x, T y) { return T(x * y); });
    case BinaryKind::Div:
      return binary_loop<T, T>(out, a, b, [](T x, T y) {
        if constexpr (std::is_integral_v<T>) return y == 0 ? T(0) : T(x / y);  // integer division by 0 → 0, no trap
        else return T(x / y);
      });
    case BinaryKind::Pow:
      return binary_loop<T, T>(out, a, b, [](T x, T y) {
        if constexpr (std::is_floating_point_v<T>) {
          if (y == T(2)) return T(x * x);
          return T(std::pow(x, y));
        } else {
          return T(std::pow(static_cast<double>(x), static_cast<double>(y)));
        }
      });
    // NaN propagates through maximum/minimum, as in PyTorch.
    case BinaryKind::Maximum:
      return binary_loop<T, T>(out, a, b, [](T x, T y) { return (x != x || x > y) ? x : y; });
    case BinaryKind::Minimum:
      return binary_loop<T, T>(out, a, b, [](T x, T y) { return (x != x || x < y) ? x : y; });
    default: break;
  }
}

template <typename T>
void compare(BinaryKind kind, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (kind) {
    case BinaryKind::Eq: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x == y; });
    case BinaryKind::Ne: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x != y; });
    case BinaryKind::Lt: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x < y; });
    case BinaryKind::Le: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x <= y; });
    case BinaryKind::Gt: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x > y; });
    case BinaryKind::Ge: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x >= y; });
    case BinaryKind::And: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x != T(0) && y != T(0); });
    case BinaryKind::Or: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x != T(0) || y != T(0); });
    default: break;
  }
}

}  // namespace

void binary_cpu(BinaryKind kind, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  if (kind >= BinaryKind::Eq) {
    TT_DISPATCH_ALL(a.dtype(), "compare", [&]<typename T>() { compare<T>(kind, out, a, b); });
    return;
  }
  TT_DISPATCH_NUMERIC(a.dtype(), "binary", [&]<typename T>() { arithmetic<T>(kind, out, a, b, alpha); });
}

}  // namespace tt::kernels
