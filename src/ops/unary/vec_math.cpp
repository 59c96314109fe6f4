// Dispatch of vec_math.h: the best table this CPU supports (AVX-512, then AVX2), chosen once, or the
// one a test forced; and the scalar table, plain libm loops, for CPUs without AVX2+FMA.
#include "ops/unary/vec_math.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/unary/vec_math_kernels.h"

namespace tt::kernels {
namespace detail {
namespace {

template <float (*F)(float)>
void scalar_loop(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = F(x[i]);
}

float exp_f(float x) { return std::exp(x); }
float expm1_f(float x) { return std::expm1(x); }
float log_f(float x) { return std::log(x); }
float tanh_f(float x) { return std::tanh(x); }
float erf_f(float x) { return std::erf(x); }
float sigmoid_f(float x) {  // split by sign so exp never overflows
  const float e = std::exp(-std::fabs(x));
  return (x >= 0 ? 1.0f : e) / (1.0f + e);
}
constexpr float kInvSqrt2 = 0.7071067811865476f, kInvSqrt2Pi = 0.3989422804014327f;
float gelu_f(float x) { return 0.5f * x * (1.0f + std::erf(x * kInvSqrt2)); }

void gelu_backward_scalar(const float* dy, const float* x, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float cdf = 0.5f * (1.0f + std::erf(x[i] * kInvSqrt2));
    dx[i] = dy[i] * (cdf + x[i] * kInvSqrt2Pi * std::exp(-0.5f * x[i] * x[i]));
  }
}

std::atomic<const VecMathIsa*> g_forced{nullptr};

const VecMathIsa& current() {
  static const VecMathIsa* const automatic = [] {
    if (const VecMathIsa* p = vec_math_isa_avx512()) return p;
    if (const VecMathIsa* p = vec_math_isa_avx2()) return p;
    return vec_math_isa_scalar();
  }();
  const VecMathIsa* forced = g_forced.load(std::memory_order_relaxed);
  return forced ? *forced : *automatic;
}

}  // namespace

const VecMathIsa* vec_math_isa_scalar() {
  static const VecMathIsa isa{"scalar",           &scalar_loop<exp_f>,     &scalar_loop<expm1_f>,
                              &scalar_loop<log_f>, &scalar_loop<tanh_f>,    &scalar_loop<erf_f>,
                              &scalar_loop<sigmoid_f>, &scalar_loop<gelu_f>, &gelu_backward_scalar};
  return &isa;
}

}  // namespace detail

void vexp(const float* x, float* y, int64_t n) { detail::current().exp(x, y, n); }
void vexpm1(const float* x, float* y, int64_t n) { detail::current().expm1(x, y, n); }
void vlog(const float* x, float* y, int64_t n) { detail::current().log(x, y, n); }
void vtanh(const float* x, float* y, int64_t n) { detail::current().tanh(x, y, n); }
void verf(const float* x, float* y, int64_t n) { detail::current().erf(x, y, n); }
void vsigmoid(const float* x, float* y, int64_t n) { detail::current().sigmoid(x, y, n); }
void vgelu(const float* x, float* y, int64_t n) { detail::current().gelu(x, y, n); }
void vgelu_backward(const float* dy, const float* x, float* dx, int64_t n) {
  detail::current().gelu_backward(dy, x, dx, n);
}

namespace {

// Partial sums / maxima (vec_math.h). 32, not 16: GCC 12 fully unrolls a 16-step lane loop before its
// loop vectoriser sees it and then leaves a max as 16 scalar chains.
constexpr int kLanes = 32;
constexpr int64_t kBlock = 256;  // vexp_sum's scratch block (a multiple of kLanes)

}  // namespace

float vmax(const float* x, int64_t n) {
  float m[kLanes];
  std::fill(m, m + kLanes, -std::numeric_limits<float>::infinity());
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)  // a ternary: GCC 12 leaves std::max here scalar
    for (int j = 0; j < kLanes; ++j) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
  for (; i < n; ++i) m[i % kLanes] = std::max(m[i % kLanes], x[i]);
  return *std::max_element(m, m + kLanes);
}

float vexp_sum(const float* x, float shift, float* y, int64_t n) {
  float buf[kBlock], acc[kLanes] = {};
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t m = std::min(kBlock, n - i);
    float* t = y ? y + i : buf;
    for (int64_t j = 0; j < m; ++j) t[j] = x[i + j] - shift;
    vexp(t, t, m);
    int64_t j = 0;
    for (; j + kLanes <= m; j += kLanes)
      for (int l = 0; l < kLanes; ++l) acc[l] += t[j + l];
    for (; j < m; ++j) acc[j % kLanes] += t[j];
  }
  float sum = 0;
  for (float a : acc) sum += a;
  return sum;
}

const char* vec_math_isa() { return detail::current().name; }

bool force_vec_math_isa(const char* name) {
  if (name == nullptr) {
    detail::g_forced.store(nullptr);
    return true;
  }
  const detail::VecMathIsa* isa = nullptr;
  if (std::strcmp(name, "avx512") == 0) isa = detail::vec_math_isa_avx512();
  if (std::strcmp(name, "avx2") == 0) isa = detail::vec_math_isa_avx2();
  if (std::strcmp(name, "scalar") == 0) isa = detail::vec_math_isa_scalar();
  if (isa == nullptr) return false;
  detail::g_forced.store(isa);
  return true;
}

}  // namespace tt::kernels
