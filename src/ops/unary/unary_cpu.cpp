// Unary kernels. Forward and derivative formulas sit side by side, per kind:
//   sigmoid σ(x) = 1/(1+e^−x), σ' = σ(1−σ);  tanh' = 1 − tanh²;  exp' = exp;  log' = 1/x
//   gelu x·Φ(x), gelu' = Φ(x) + x·φ(x)  (Hendrycks & Gimpel 2016)
//   gelu_tanh 0.5x(1+tanh(√(2/π)(x+0.044715x³))) and its derivative;  silu x·σ(x), silu' = σ(1+x(1−σ))
//   relu' = [x>0];  leaky_relu' = 1 or slope (slope at x ≤ 0);  elu' = 1 or α·eˣ (α at x ≤ 0)
#include "ops/unary/unary_cpu.h"

#include <cmath>

#include "ops/tensor_iter.h"

namespace tt::kernels {
namespace {

constexpr double kSqrt2OverPi = 0.7978845608028654, kInvSqrt2 = 0.7071067811865476,
                 kInvSqrt2Pi = 0.3989422804014327, kGeluC = 0.044715;

template <typename T>
inline T sigmoid_of(T x) {
  // Split by sign so exp never overflows.
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

template <typename T>
inline T forward_value(UnaryKind k, T x, T p) {
  switch (k) {
    case UnaryKind::Neg: return -x;
    case UnaryKind::Exp: return std::exp(x);
    case UnaryKind::Log: return std::log(x);
    case UnaryKind::Log1p: return std::log1p(x);
    case UnaryKind::Sqrt: return std::sqrt(x);
    case UnaryKind::Abs: return std::abs(x);
    case UnaryKind::Sign: return T((x > T(0)) - (x < T(0)));
    case UnaryKind::Relu: return x > T(0) ? x : T(0);
    case UnaryKind::LeakyRelu: return x > T(0) ? x : x * p;
    case UnaryKind::Elu: return x > T(0) ? x : p * std::expm1(x);
    case UnaryKind::Sigmoid: return sigmoid_of(x);
    case UnaryKind::Tanh: return std::tanh(x);
    case UnaryKind::Gelu: return T(0.5) * x * (T(1) + std::erf(x * T(kInvSqrt2)));
    case UnaryKind::GeluTanh: return T(0.5) * x * (T(1) + std::tanh(T(kSqrt2OverPi) * (x + T(kGeluC) * x * x * x)));
    case UnaryKind::Silu: return x * sigmoid_of(x);
  }
  return x;
}

template <typename T>
inline T derivative(UnaryKind k, T x, T y, T p) {
  switch (k) {
    case UnaryKind::Neg: return T(-1);
    case UnaryKind::Exp: return y;
    case UnaryKind::Log: return T(1) / x;
    case UnaryKind::Log1p: return T(1) / (T(1) + x);
    case UnaryKind::Sqrt: return T(0.5) / y;
    case UnaryKind::Abs: return T((x > T(0)) - (x < T(0)));
    case UnaryKind::Sign: return T(0);
    case UnaryKind::Relu: return x > T(0) ? T(1) : T(0);
    case UnaryKind::LeakyRelu: return x > T(0) ? T(1) : p;
    case UnaryKind::Elu: return x > T(0) ? T(1) : y + p;  // α·eˣ = y + α
    case UnaryKind::Sigmoid: return y * (T(1) - y);
    case UnaryKind::Tanh: return T(1) - y * y;
    case UnaryKind::Gelu: {
      T cdf = T(0.5) * (T(1) + std::erf(x * T(kInvSqrt2)));
      return cdf + x * T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
    }
    case UnaryKind::GeluTanh: {
      T inner = T(kSqrt2OverPi) * (x + T(kGeluC) * x * x * x);
      T th = std::tanh(inner);
      T dinner = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluC) * x * x);
      return T(0.5) * (T(1) + th) + T(0.5) * x * (T(1) - th * th) * dinner;
    }
    case UnaryKind::Silu: {
      T s = sigmoid_of(x);
      return s * (T(1) + x * (T(1) - s));
    }
  }
  return T(0);
}

template <typename T, UnaryKind K>
void forward_kind(const Tensor& out, const Tensor& x, T p) {
  auto L = ops::make_loop<2>(out.shape(), {&out, &x});
  ops::for_each_row(L, [p](char** ptr, const int64_t* s, int64_t n) {
    T* o = reinterpret_cast<T*>(ptr[0]);
    const T* a = reinterpret_cast<const T*>(ptr[1]);
    if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
      for (int64_t i = 0; i < n; ++i) o[i] = forward_value<T>(K, a[i], p);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(ptr[0] + i * s[0]) = forward_value<T>(K, *reinterpret_cast<const T*>(ptr[1] + i * s[1]), p);
    }
  });
}

template <typename T, UnaryKind K>
void backward_kind(const Tensor& dx, const Tensor& dy, const Tensor& x, const Tensor& y, T p) {
  auto L = ops::make_loop<4>(dx.shape(), {&dx, &dy, &x, &y});
  ops::for_each_row(L, [p](char** ptr, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T) && s[3] == sizeof(T)) {  // vectorisable
      T* __restrict dx = reinterpret_cast<T*>(ptr[0]);
      const T* __restrict dy = reinterpret_cast<const T*>(ptr[1]);
      const T* __restrict xs = reinterpret_cast<const T*>(ptr[2]);
      const T* __restrict ys = reinterpret_cast<const T*>(ptr[3]);
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * derivative<T>(K, xs[i], ys[i], p);
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      T g = *reinterpret_cast<const T*>(ptr[1] + i * s[1]);
      T xv = *reinterpret_cast<const T*>(ptr[2] + i * s[2]);
      T yv = *reinterpret_cast<const T*>(ptr[3] + i * s[3]);
      *reinterpret_cast<T*>(ptr[0] + i * s[0]) = g * derivative<T>(K, xv, yv, p);
    }
  });
}

// Instantiates one loop per kind, so each inner loop is a straight-line body the compiler can
// vectorise (a switch inside the loop would block that).
template <typename T, template <typename, UnaryKind> class Fn, typename... Args>
void by_kind(UnaryKind k, Args&&... args) {
#define TT_UNARY_CASE(K) case UnaryKind::K: return Fn<T, UnaryKind::K>::run(args...);
  switch (k) {
    TT_UNARY_CASE(Neg) TT_UNARY_CASE(Exp) TT_UNARY_CASE(Log) TT_UNARY_CASE(Log1p) TT_UNARY_CASE(Sqrt)
    TT_UNARY_CASE(Abs) TT_UNARY_CASE(Sign) TT_UNARY_CASE(Relu) TT_UNARY_CASE(LeakyRelu) TT_UNARY_CASE(Elu)
    TT_UNARY_CASE(Sigmoid) TT_UNARY_CASE(Tanh) TT_UNARY_CASE(Gelu) TT_UNARY_CASE(GeluTanh) TT_UNARY_CASE(Silu)
  }
#undef TT_UNARY_CASE
}

template <typename T, UnaryKind K>
struct Fwd {
  static void run(const Tensor& out, const Tensor& x, double p) { forward_kind<T, K>(out, x, static_cast<T>(p)); }
};
template <typename T, UnaryKind K>
struct Bwd {
  static void run(const Tensor& dx, const Tensor& dy, const Tensor& x, const Tensor& y, double p) {
    backward_kind<T, K>(dx, dy, x, y, static_cast<T>(p));
  }
};

}  // namespace

void unary_cpu(UnaryKind kind, const Tensor& out, const Tensor& x, double param) {
  if (kind == UnaryKind::Neg || kind == UnaryKind::Abs || kind == UnaryKind::Sign || kind == UnaryKind::Relu) {
    TT_DISPATCH_NUMERIC(x.dtype(), "unary", [&]<typename T>() {
      if constexpr (std::is_signed_v<T> || std::is_floating_point_v<T>) by_kind<T, Fwd>(kind, out, x, param);
      // unsigned inputs are rejected by the op before reaching here
    });
    return;
  }
  TT_DISPATCH_FLOAT(x.dtype(), "unary", [&]<typename T>() { by_kind<T, Fwd>(kind, out, x, param); });
}

void unary_backward_cpu(UnaryKind kind, const Tensor& dx, const Tensor& dy, const Tensor& x, const Tensor& y,
                        double param) {
  TT_DISPATCH_FLOAT(dx.dtype(), "unary_backward", [&]<typename T>() { by_kind<T, Bwd>(kind, dx, dy, x, y, param); });
}

}  // namespace tt::kernels
