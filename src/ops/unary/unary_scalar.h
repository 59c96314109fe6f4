// Scalar forward values and derivatives of the unary kinds, shared by the unary kernels (float64,
// strided and non-float32 rows) and the activations fused into `linear` (float64 path). The
// formulas are listed in unary_cpu.cpp's header; float32 rows use the vector math (unary_f32.h).
#pragma once
#include <cmath>

#include "ops/unary/unary_cpu.h"

namespace tt::kernels::scalar {

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

}  // namespace tt::kernels::scalar
