// RMSNorm kernels (contracts and formulas in rms_norm_cpu.h). Forward: one pass for Σx², one to
// write y. Backward: one pass for Σg·x (and the dw partials), one to write dx, using
//   dx = rstd·(g − x̂·mean(g·x̂)) = rstd·g − c·x,  c = rstd³·(Σ_i g_i·x_i)/N.
// Generic rows keep kLanes independent double partial sums (a fixed order the compiler can put in
// SIMD lanes); float32 rows go through the AVX-512 loops of rms_norm_avx512.cpp when available.
#include "ops/rms_norm/rms_norm_cpu.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/parallel.h"
#include "ops/row_chunks.h"

namespace tt::kernels {
namespace {

constexpr int kLanes = 8;
constexpr int64_t kMinWorkPerTask = 32768;  // elements: below this a thread costs more than it saves

template <typename T>
const detail::RmsRowsF32* fast_rows() {
  if constexpr (std::is_same_v<T, float>) {
    static const detail::RmsRowsF32* rows = detail::rms_rows_avx512();
    return rows;
  }
  return nullptr;
}

template <typename T>
double sum_squares(const T* x, int64_t n) {
  if (auto* f = fast_rows<T>()) return f->sum_squares(reinterpret_cast<const float*>(x), n);
  double acc[kLanes] = {}, tail = 0;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += double(x[i + j]) * x[i + j];
  for (; i < n; ++i) tail += double(x[i]) * x[i];
  for (int j = 0; j < kLanes; ++j) tail += acc[j];
  return tail;
}

template <typename T>
void scale_row(T* y, const T* x, const T* w, double rs, int64_t n) {
  if (auto* f = fast_rows<T>()) {
    f->scale(reinterpret_cast<float*>(y), reinterpret_cast<const float*>(x), reinterpret_cast<const float*>(w),
             static_cast<float>(rs), n);
    return;
  }
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(w ? x[i] * rs * w[i] : x[i] * rs);
}

// Σ_i g_i·x_i with g = dy·w (dy when w is null), in double.
template <typename T>
double dot_gx(const T* dy, const T* x, const T* w, int64_t n) {
  if (auto* f = fast_rows<T>())
    return f->dot_gx(reinterpret_cast<const float*>(dy), reinterpret_cast<const float*>(x),
                     reinterpret_cast<const float*>(w), n);
  double acc[kLanes] = {}, tail = 0;
  auto g = [&](int64_t i) { return w ? double(dy[i]) * w[i] : double(dy[i]); };
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += g(i + j) * x[i + j];
  for (; i < n; ++i) tail += g(i) * x[i];
  for (int j = 0; j < kLanes; ++j) tail += acc[j];
  return tail;
}

template <typename T>
void dx_row(T* dx, const T* dy, const T* x, const T* w, double rs, double c, int64_t n) {
  if (auto* f = fast_rows<T>()) {
    f->dx(reinterpret_cast<float*>(dx), reinterpret_cast<const float*>(dy), reinterpret_cast<const float*>(x),
          reinterpret_cast<const float*>(w), static_cast<float>(rs), static_cast<float>(c), n);
    return;
  }
  for (int64_t i = 0; i < n; ++i) dx[i] = static_cast<T>(rs * (w ? double(dy[i]) * w[i] : double(dy[i])) - c * x[i]);
}

// dw sums over row chunks (Note [Deterministic column sums] in ops/row_chunks.h).
using row_chunks::num_chunks;
using row_chunks::rows_per_chunk;

// Rows [r0, r1): dx, and the chunk's dw partial pw (N doubles, or nullptr) += dy·x̂.
template <typename T>
void backward_rows(T* dx, double* pw, const T* dy, const T* x, const double* rstd, const T* w, int64_t r0,
                   int64_t r1, int64_t N) {
  if (pw) std::fill(pw, pw + N, 0.0);
  for (int64_t r = r0; r < r1; ++r) {
    const T *dyr = dy + r * N, *xr = x + r * N;
    const double rs = rstd[r];
    if (dx) dx_row(dx + r * N, dyr, xr, w, rs, rs * rs * rs * dot_gx(dyr, xr, w, N) / N, N);
    if (pw)
      for (int64_t i = 0; i < N; ++i) pw[i] += double(dyr[i]) * xr[i] * rs;
  }
}

}  // namespace

template <typename T>
void rms_norm_forward_cpu(T* y, double* rstd, const T* x, const T* w, int64_t M, int64_t N, double eps) {
  if (M <= 0 || N <= 0) return;
  parallel_for(0, M, std::max<int64_t>(1, kMinWorkPerTask / N), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const double rs = 1.0 / std::sqrt(sum_squares(x + r * N, N) / N + eps);
      scale_row(y + r * N, x + r * N, w, rs, N);
      rstd[r] = rs;
    }
  });
}

int64_t rms_norm_backward_scratch(int64_t M, int64_t N) { return num_chunks(M) * N; }

template <typename T>
void rms_norm_backward_cpu(T* dx, T* dw, const T* dy, const T* x, const double* rstd, const T* w, int64_t M, int64_t N,
                           double* scratch) {
  if (N <= 0) return;
  if (M <= 0) {  // no rows: dw is an empty sum
    if (dw) std::fill(dw, dw + N, T(0));
    return;
  }
  const int64_t rpc = rows_per_chunk(M), chunks = num_chunks(M);
  double* partial = dw ? scratch : nullptr;
  parallel_for(0, chunks, std::max<int64_t>(1, kMinWorkPerTask / (rpc * N)), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c)
      backward_rows(dx, partial ? partial + c * N : nullptr, dy, x, rstd, w, c * rpc, std::min(M, (c + 1) * rpc), N);
  });
  if (dw) row_chunks::sum_partials(dw, partial, chunks, N, kMinWorkPerTask);
}

template void rms_norm_forward_cpu<float>(float*, double*, const float*, const float*, int64_t, int64_t, double);
template void rms_norm_forward_cpu<double>(double*, double*, const double*, const double*, int64_t, int64_t, double);
template void rms_norm_backward_cpu<float>(float*, float*, const float*, const float*, const double*, const float*,
                                           int64_t, int64_t, double*);
template void rms_norm_backward_cpu<double>(double*, double*, const double*, const double*, const double*,
                                            const double*, int64_t, int64_t, double*);

}  // namespace tt::kernels
