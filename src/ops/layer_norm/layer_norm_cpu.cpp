// Layer-norm kernels (contracts and formulas in layer_norm_cpu.h). Forward: two passes over each
// row for its statistics, one to write y. Backward: one pass for the row sums Σg and Σg·x̂ (and the
// dw/db partials), one to write dx. The row loops here serve float64, and float32 on CPUs without
// AVX-512: they widen every element to double and keep kLanes independent double partial sums, a
// fixed summation order the compiler can put in SIMD lanes (a single running sum cannot be).
// float32 on AVX-512 CPUs runs the rows of layer_norm_avx512.cpp instead, under the same threading
// and the same chunks.
#include "ops/layer_norm/layer_norm_cpu.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/parallel.h"
#include "ops/layer_norm/layer_norm_avx512.h"
#include "ops/row_chunks.h"

namespace tt::kernels {
namespace {

constexpr int kLanes = 8;
constexpr int64_t kMinWorkPerTask = 32768;  // elements: below this a thread costs more than it saves

// Note [Two-pass variance]
// The one-pass form var = E[x²] − E[x]² cancels catastrophically when |mean| ≫ std (a row near
// 1e4 with std 1e-2 loses every digit in float32, and half of them in double). So: pass 1 takes
// the mean, pass 2 sums d = x − mean. The second pass uses the corrected form
// var = (Σd² − (Σd)²/N)/N (Chan, Golub & LeVeque 1983), which cancels the error of the rounded
// mean. Welford's update is as sound but serial (a division per element); the row is still in
// L1/L2 for the second pass, so two passes cost less.

template <typename T>
double row_sum(const T* x, int64_t n) {
  double acc[kLanes] = {}, tail = 0;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += x[i + j];
  for (; i < n; ++i) tail += x[i];
  for (int j = 0; j < kLanes; ++j) tail += acc[j];
  return tail;
}

// Returns the biased variance of the row about `mean` (Note [Two-pass variance]).
template <typename T>
double row_variance(const T* x, int64_t n, double mean) {
  double s1[kLanes] = {}, s2[kLanes] = {}, t1 = 0, t2 = 0;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      double d = x[i + j] - mean;
      s1[j] += d, s2[j] += d * d;
    }
  for (; i < n; ++i) {
    double d = x[i] - mean;
    t1 += d, t2 += d * d;
  }
  for (int j = 0; j < kLanes; ++j) t1 += s1[j], t2 += s2[j];
  return std::max(0.0, (t2 - t1 * t1 / n) / n);
}

template <typename T, bool kW, bool kB>
void normalize_row(T* y, const T* x, const T* w, const T* b, int64_t n, double mean, double rstd) {
  for (int64_t i = 0; i < n; ++i) {
    double v = (x[i] - mean) * rstd;
    if constexpr (kW) v *= w[i];
    if constexpr (kB) v += b[i];
    y[i] = static_cast<T>(v);
  }
}

// True when float32 rows go to layer_norm_avx512.cpp; checked once.
bool use_avx512_f32() {
  static const bool has = detail::layer_norm_has_avx512();
  return has;
}

template <typename T, bool kW, bool kB>
void forward_rows(T* y, double* mean, double* rstd, const T* x, const T* w, const T* b, int64_t M, int64_t N,
                  double eps) {
  parallel_for(0, M, std::max<int64_t>(1, kMinWorkPerTask / N), [&](int64_t r0, int64_t r1) {
    if constexpr (std::is_same_v<T, float>) {
      if (use_avx512_f32())
        return detail::layer_norm_forward_f32_avx512(y + r0 * N, mean + r0, rstd + r0, x + r0 * N, w, b, r1 - r0,
                                                     N, eps);
    }
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * N;
      const double mu = row_sum(xr, N) / N;
      const double rs = 1.0 / std::sqrt(row_variance(xr, N, mu) + eps);
      normalize_row<T, kW, kB>(y + r * N, xr, w, b, N, mu, rs);
      mean[r] = mu, rstd[r] = rs;
    }
  });
}

// dw, db sum over row chunks (Note [Deterministic column sums] in ops/row_chunks.h).
using row_chunks::num_chunks;
using row_chunks::rows_per_chunk;

struct BackwardArgs {
  int64_t M, N;
  double* pw;  // partial dw rows, (chunks, N), or nullptr
  double* pb;  // partial db rows, or nullptr
};

// One row: Σg, Σg·x̂ (kLanes partials each) and the dw/db partials; then dx if wanted.
template <typename T, bool kW>
void backward_row(T* dx, const T* dy, const T* x, double mu, double rs, const T* w, int64_t n, double* pw,
                  double* pb) {
  double sg[kLanes] = {}, sgx[kLanes] = {};
  auto accumulate = [&](int64_t i, int j) {
    const double xh = (x[i] - mu) * rs, d = dy[i];
    const double g = kW ? d * w[i] : d;
    sg[j] += g, sgx[j] += g * xh;
    if (pw) pw[i] += d * xh;
    if (pb) pb[i] += d;
  };
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) accumulate(i + j, j);
  for (int j = 0; i < n; ++i, ++j) accumulate(i, j);
  if (!dx) return;
  double sum_g = 0, sum_gx = 0;
  for (int j = 0; j < kLanes; ++j) sum_g += sg[j], sum_gx += sgx[j];
  const double c1 = sum_g / n, c2 = sum_gx / n;
  for (int64_t k = 0; k < n; ++k) {
    const double xh = (x[k] - mu) * rs;
    const double g = kW ? double(dy[k]) * w[k] : double(dy[k]);
    dx[k] = static_cast<T>(rs * (g - c1 - xh * c2));
  }
}

template <typename T, bool kW>
void backward_chunks(T* dx, const T* dy, const T* x, const double* mean, const double* rstd, const T* w,
                     const BackwardArgs& a) {
  const int64_t rpc = rows_per_chunk(a.M), chunks = num_chunks(a.M);
  parallel_for(0, chunks, std::max<int64_t>(1, kMinWorkPerTask / (rpc * a.N)), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double* pw = a.pw ? a.pw + c * a.N : nullptr;
      double* pb = a.pb ? a.pb + c * a.N : nullptr;
      if (pw) std::fill(pw, pw + a.N, 0.0);
      if (pb) std::fill(pb, pb + a.N, 0.0);
      const int64_t r0 = c * rpc, r1 = std::min(a.M, r0 + rpc), N = a.N;
      if constexpr (std::is_same_v<T, float>) {
        if (use_avx512_f32()) {
          detail::layer_norm_backward_f32_avx512(dx ? dx + r0 * N : nullptr, dy + r0 * N, x + r0 * N, mean + r0,
                                                 rstd + r0, w, r1 - r0, N, pw, pb);
          continue;
        }
      }
      for (int64_t r = r0; r < r1; ++r)
        backward_row<T, kW>(dx ? dx + r * N : nullptr, dy + r * N, x + r * N, mean[r], rstd[r], w, N, pw, pb);
    }
  });
}

}  // namespace

template <typename T>
void layer_norm_forward_cpu(T* y, double* mean, double* rstd, const T* x, const T* w, const T* b, int64_t M, int64_t N,
                            double eps) {
  if (M <= 0 || N <= 0) return;
  if (w && b) forward_rows<T, true, true>(y, mean, rstd, x, w, b, M, N, eps);
  else if (w) forward_rows<T, true, false>(y, mean, rstd, x, w, b, M, N, eps);
  else if (b) forward_rows<T, false, true>(y, mean, rstd, x, w, b, M, N, eps);
  else forward_rows<T, false, false>(y, mean, rstd, x, w, b, M, N, eps);
}

int64_t layer_norm_backward_scratch(int64_t M, int64_t N) { return 2 * num_chunks(M) * N; }

template <typename T>
void layer_norm_backward_cpu(T* dx, T* dw, T* db, const T* dy, const T* x, const double* mean, const double* rstd,
                             const T* w, int64_t M, int64_t N, double* scratch) {
  if (N <= 0) return;
  if (M <= 0) {  // no rows: the column sums are empty sums
    if (dw) std::fill(dw, dw + N, T(0));
    if (db) std::fill(db, db + N, T(0));
    return;
  }
  const int64_t chunks = num_chunks(M);
  BackwardArgs a{M, N, dw ? scratch : nullptr, db ? scratch + chunks * N : nullptr};
  if (w) backward_chunks<T, true>(dx, dy, x, mean, rstd, w, a);
  else backward_chunks<T, false>(dx, dy, x, mean, rstd, w, a);
  if (dw) row_chunks::sum_partials(dw, a.pw, chunks, N, kMinWorkPerTask);
  if (db) row_chunks::sum_partials(db, a.pb, chunks, N, kMinWorkPerTask);
}

template void layer_norm_forward_cpu<float>(float*, double*, double*, const float*, const float*, const float*,
                                            int64_t, int64_t, double);
template void layer_norm_forward_cpu<double>(double*, double*, double*, const double*, const double*, const double*,
                                             int64_t, int64_t, double);
template void layer_norm_backward_cpu<float>(float*, float*, float*, const float*, const float*, const double*,
                                             const double*, const float*, int64_t, int64_t, double*);
template void layer_norm_backward_cpu<double>(double*, double*, double*, const double*, const double*, const double*,
                                              const double*, const double*, int64_t, int64_t, double*);

}  // namespace tt::kernels
