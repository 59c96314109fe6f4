// Activation kernels fused into `linear` (contracts in linear_cpu.h). Formulas, as in ops/unary:
//   relu  max(x, 0),                              relu'  = [x > 0] = [y > 0]
//   gelu  x·Φ(x) = ½x(1 + erf(x/√2)),             gelu'  = Φ(x) + x·φ(x)   (Hendrycks & Gimpel 2016)
//   gelu_tanh ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³),
//                                                 gelu_tanh' = ½(1 + tanh u) + ½x(1 − tanh²u)·u'
//   silu  x·σ(x),                                 silu'  = σ(x)(1 + x(1 − σ(x)))  (Elfwing et al. 2018)
// float32 gelu/gelu_tanh/silu call ops/unary's vectorised rows (unary_f32.h, SIMD erf/tanh/exp),
// the code the unfused float32 ops run, so fusing never trades speed or accuracy for a pass. float64
// (gradient checks, golden tests) uses the std:: functions below.
#include "ops/linear/linear_cpu.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/parallel.h"
#include "ops/unary/unary_f32.h"
#include "ops/unary/unary_scalar.h"

namespace tt::kernels {
namespace {

constexpr UnaryKind unary_kind(Activation a) {
  return a == Activation::Relu   ? UnaryKind::Relu
         : a == Activation::Gelu ? UnaryKind::Gelu
         : a == Activation::GeluTanh ? UnaryKind::GeluTanh
                                     : UnaryKind::Silu;
}

template <Activation A, typename T>
inline T act_forward(T x) {
  if constexpr (A == Activation::None) return x;
  else return scalar::forward_value<T>(unary_kind(A), x, T(0));
}

// f' from what the forward saved: y for relu (y > 0 exactly where x > 0), the pre-activation x
// for the others (their derivatives read x only).
template <Activation A, typename T>
inline T act_derivative(T s) {
  if constexpr (A == Activation::None) return T(1);
  else return scalar::derivative<T>(unary_kind(A), s, T(0), T(0));
}

// Rows per task: relu is a max per element (memory-bound, threads pay off late); the others
// call erf/tanh/exp, ~10× the work per element.
int64_t grain_rows(Activation act, int64_t cols) {
  const int64_t elems = act == Activation::Relu ? 65536 : 8192;
  return std::max<int64_t>(1, elems / std::max<int64_t>(cols, 1));
}


// y[i] = f(x[i]), i < n; y may alias x.
template <Activation A, typename T>
void forward_span(T* y, const T* x, int64_t n) {
  if constexpr (std::is_same_v<T, float> && A != Activation::Relu) {
    unary_f32_forward(unary_kind(A), x, 1, y, 1, n, 0.0f);
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = act_forward<A>(x[i]);
  }
}

// d[i] = g[i·gs] · f'(s[i]), i < n.
template <Activation A, typename T>
void backward_span(T* d, const T* g, int64_t gs, const T* s, int64_t n) {
  if constexpr (std::is_same_v<T, float> && A != Activation::Relu) {
    unary_f32_backward(unary_kind(A), g, gs, s, 1, d, 1, n);
  } else if (gs == 1) {
    for (int64_t j = 0; j < n; ++j) d[j] = g[j] * act_derivative<A>(s[j]);
  } else {  // e.g. the stride-0 gradient of sum(y)
    for (int64_t j = 0; j < n; ++j) d[j] = g[j * gs] * act_derivative<A>(s[j]);
  }
}

template <Activation A, typename T>
void forward_rows(T* y, const T* pre, int64_t rows, int64_t cols) {
  parallel_for(0, rows, grain_rows(A, cols), [&](int64_t r0, int64_t r1) {
    forward_span<A>(y + r0 * cols, pre + r0 * cols, (r1 - r0) * cols);
  });
}

template <Activation A, typename T>
void backward_rows(T* dpre, const T* dy, int64_t rs, int64_t cs, const T* saved, int64_t rows, int64_t cols) {
  parallel_for(0, rows, grain_rows(A, cols), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) backward_span<A>(dpre + r * cols, dy + r * rs, cs, saved + r * cols, cols);
  });
}

// fn.template operator()<A>() for the run-time act, as a compile-time A; nothing for None.
template <typename Fn>
void with_activation(Activation act, Fn&& fn) {
  switch (act) {
    case Activation::Relu: return fn.template operator()<Activation::Relu>();
    case Activation::Gelu: return fn.template operator()<Activation::Gelu>();
    case Activation::GeluTanh: return fn.template operator()<Activation::GeluTanh>();
    case Activation::Silu: return fn.template operator()<Activation::Silu>();
    case Activation::None: return;
  }
}

}  // namespace

template <typename T>
void linear_activation_cpu(Activation act, T* y, const T* pre, int64_t rows, int64_t cols) {
  with_activation(act, [&]<Activation A>() { forward_rows<A>(y, pre, rows, cols); });
}

template <typename T>
void linear_activation_backward_cpu(Activation act, T* dpre, const T* dy, int64_t dy_rs, int64_t dy_cs,
                                    const T* saved, int64_t rows, int64_t cols) {
  with_activation(act, [&]<Activation A>() { backward_rows<A>(dpre, dy, dy_rs, dy_cs, saved, rows, cols); });
}

void linear_epilogue_f32(const void* ctx, float* c, int64_t ldc, int64_t i0, int64_t j0, int64_t rows,
                         int64_t cols) {
  const auto& e = *static_cast<const LinearEpilogueF32*>(ctx);
  for (int64_t r = 0; r < rows; ++r) {
    float* pre = c + r * ldc;
    if (e.bias != nullptr) {
      const float* b = e.bias + j0;
      for (int64_t j = 0; j < cols; ++j) pre[j] += b[j];
    }
    float* y = e.y + (i0 + r) * e.ldy + j0;
    with_activation(e.act, [&]<Activation A>() { forward_span<A>(y, pre, cols); });
  }
}

template void linear_activation_cpu<float>(Activation, float*, const float*, int64_t, int64_t);
template void linear_activation_cpu<double>(Activation, double*, const double*, int64_t, int64_t);
template void linear_activation_backward_cpu<float>(Activation, float*, const float*, int64_t, int64_t, const float*,
                                                    int64_t, int64_t);
template void linear_activation_backward_cpu<double>(Activation, double*, const double*, int64_t, int64_t,
                                                     const double*, int64_t, int64_t);

}  // namespace tt::kernels
