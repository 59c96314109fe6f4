// Float32 unary rows through vec_math (see unary_f32.h). Each row is cut into blocks of kBlock
// elements that stay in L1: a strided row is gathered into a buffer first; the transcendental runs
// over the block as one vector call, and the arithmetic around it is plain loops the compiler
// vectorises. gelu, the MLP activation of transformers, has fused rows in vec_math instead (one
// read and one write per element, erf and exp in registers). Formulas (references in unary_cpu.cpp):
//   gelu ½x(1 + erf(x/√2)), gelu' = ½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π)
//   gelu_tanh ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), gelu_tanh' = ½(1 + tanh u) + ½x(1 − tanh²u)·u'
//   silu x·σ(x), silu' = σ(1 + x(1 − σ));  elu x > 0 ? x : α(e^x − 1)
#include "ops/unary/unary_f32.h"

#include <algorithm>

#include "ops/unary/vec_math.h"

// The scratch blocks below are filled by a loop and then passed as a `const float*` input; GCC 12
// cannot see that the loop covers the n elements read and warns (-Wmaybe-uninitialized on
// const-pointer arguments, a heuristic since GCC 11). Zero-filling 1 KiB per block to silence it
// would cost more than the work on small rows.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tt::kernels {
namespace {

constexpr int64_t kBlock = 256;
constexpr float kSqrt2OverPi = 0.7978845608028654f, kGeluC = 0.044715f;

// y = f(x) for n ≤ kBlock contiguous elements; y may alias x.
void forward_block(UnaryKind k, const float* x, float* y, int64_t n, float p) {
  float t[kBlock];
  switch (k) {
    case UnaryKind::Exp: return vexp(x, y, n);
    case UnaryKind::Log: return vlog(x, y, n);
    case UnaryKind::Tanh: return vtanh(x, y, n);
    case UnaryKind::Sigmoid: return vsigmoid(x, y, n);
    case UnaryKind::Silu:
      vsigmoid(x, t, n);
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] * t[i];
      return;
    case UnaryKind::Gelu: return vgelu(x, y, n);
    case UnaryKind::GeluTanh:
      for (int64_t i = 0; i < n; ++i) t[i] = kSqrt2OverPi * (x[i] + kGeluC * x[i] * x[i] * x[i]);
      vtanh(t, t, n);
      for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + t[i]);
      return;
    case UnaryKind::Elu:  // min(x, 0): e^x − 1 is only wanted, and only finite, on that side
      for (int64_t i = 0; i < n; ++i) t[i] = std::min(x[i], 0.0f);
      vexpm1(t, t, n);
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : p * t[i];
      return;
    default: return;  // not a has_f32_forward kind
  }
}

// dx = dy · f'(x) for n ≤ kBlock contiguous elements; dx may alias dy or x.
void backward_block(UnaryKind k, const float* dy, const float* x, float* dx, int64_t n) {
  float t[kBlock];
  switch (k) {
    case UnaryKind::Gelu: return vgelu_backward(dy, x, dx, n);
    case UnaryKind::GeluTanh:
      for (int64_t i = 0; i < n; ++i) t[i] = kSqrt2OverPi * (x[i] + kGeluC * x[i] * x[i] * x[i]);
      vtanh(t, t, n);
      for (int64_t i = 0; i < n; ++i) {
        const float dinner = kSqrt2OverPi * (1.0f + 3.0f * kGeluC * x[i] * x[i]);
        dx[i] = dy[i] * (0.5f * (1.0f + t[i]) + 0.5f * x[i] * (1.0f - t[i] * t[i]) * dinner);
      }
      return;
    case UnaryKind::Silu:
      vsigmoid(x, t, n);
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (t[i] * (1.0f + x[i] * (1.0f - t[i])));
      return;
    default: return;  // not a has_f32_backward kind
  }
}

void gather(const float* src, int64_t stride, int64_t n, float* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i * stride];
}
void scatter(const float* src, int64_t n, float* dst, int64_t stride) {
  for (int64_t i = 0; i < n; ++i) dst[i * stride] = src[i];
}

}  // namespace

void unary_f32_forward(UnaryKind k, const float* x, int64_t sx, float* y, int64_t sy, int64_t n, float p) {
  float xb[kBlock], yb[kBlock];
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t m = std::min(kBlock, n - i);
    if (sx == 1 && sy == 1) {
      forward_block(k, x + i, y + i, m, p);
      continue;
    }
    gather(x + i * sx, sx, m, xb);
    forward_block(k, xb, yb, m, p);
    scatter(yb, m, y + i * sy, sy);
  }
}

void unary_f32_backward(UnaryKind k, const float* dy, int64_t sdy, const float* x, int64_t sx, float* dx,
                        int64_t sdx, int64_t n) {
  float dyb[kBlock], xb[kBlock], dxb[kBlock];
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t m = std::min(kBlock, n - i);
    if (sdy == 1 && sx == 1 && sdx == 1) {
      backward_block(k, dy + i, x + i, dx + i, m);
      continue;
    }
    gather(dy + i * sdy, sdy, m, dyb);
    gather(x + i * sx, sx, m, xb);
    backward_block(k, dyb, xb, dxb, m);
    scatter(dxb, m, dx + i * sdx, sdx);
  }
}

}  // namespace tt::kernels
