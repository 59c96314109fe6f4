// Unary kernels. Forward and derivative formulas sit side by side, per kind:
//   sigmoid σ(x) = 1/(1+e^−x), σ' = σ(1−σ);  tanh' = 1 − tanh²;  exp' = exp;  log' = 1/x
//   gelu x·Φ(x), gelu' = Φ(x) + x·φ(x)  (Hendrycks & Gimpel 2016)
//   gelu_tanh 0.5x(1+tanh(√(2/π)(x+0.044715x³))) and its derivative;  silu x·σ(x), silu' = σ(1+x(1−σ))
//   relu' = [x>0];  leaky_relu' = 1 or slope (slope at x ≤ 0);  elu' = 1 or α·eˣ (α at x ≤ 0)
// Float32 kinds that need exp/log/tanh/erf run through the vector math instead (unary_f32.h,
// Note [Float32 transcendentals]); float64 keeps libm.
#include "ops/unary/unary_cpu.h"

#include <cmath>
#include <type_traits>

#include "ops/tensor_iter.h"
#include "ops/unary/unary_f32.h"
#include "ops/unary/unary_scalar.h"

namespace tt::kernels {
namespace {

using scalar::derivative;
using scalar::forward_value;


// Note [Float32 transcendentals]: libm's expf/tanhf/erff are scalar calls the compiler cannot
// vectorise, so a float32 loop over them runs at ~1 element per 5–20 ns. The float32 kinds that need
// one go through unary_f32.h (vec_math.h: AVX-512/AVX2, ≤ 2.5 ulp), for every layout (strided rows
// are gathered), so a value does not depend on whether its tensor was contiguous.
template <typename T, UnaryKind K>
void forward_kind(const Tensor& out, const Tensor& x, T p) {
  auto L = ops::make_loop<2>(out.shape(), {&out, &x});
  if constexpr (std::is_same_v<T, float> && has_f32_forward(K)) {
    ops::for_each_row(L, [p](char** ptr, const int64_t* s, int64_t n) {
      unary_f32_forward(K, reinterpret_cast<const float*>(ptr[1]), s[1] / 4, reinterpret_cast<float*>(ptr[0]),
                        s[0] / 4, n, p);  // byte strides → elements
    });
    return;
  }
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
  if constexpr (std::is_same_v<T, float> && has_f32_backward(K)) {  // Note [Float32 transcendentals]
    ops::for_each_row(L, [](char** ptr, const int64_t* s, int64_t n) {
      unary_f32_backward(K, reinterpret_cast<const float*>(ptr[1]), s[1] / 4, reinterpret_cast<const float*>(ptr[2]),
                         s[2] / 4, reinterpret_cast<float*>(ptr[0]), s[0] / 4, n);  // byte strides → elements
    });
    return;
  }
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
