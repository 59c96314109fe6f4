// Batch-norm kernels (contracts in batch_norm_cpu.h). Note [Channel layouts]: a channel's values are
// N runs of S contiguous elements, C·S apart. With S > 1 (BatchNorm2d, BatchNorm1d on [N, C, L]) each
// thread takes whole channels and sweeps their runs with kLanes double partial sums, three passes
// (sum, centred sums, write) while the channel is still in cache. With S == 1 (BatchNorm1d on
// [N, C]) a channel is a column, so a thread takes a tile of kTile adjacent channels and sweeps the
// rows, vectorising across the channels of the tile instead.
//
// Note [Elementwise passes in T]
// Statistics are summed in double; the elementwise passes (y, dx) run in T, so float gets 16 lanes
// per AVX-512 op instead of 8 plus two conversions. The mean is carried as two T values,
// m_hi + m_lo, so that x − mean keeps T's precision when |mean| ≫ std (x − m_hi is exact by
// Sterbenz's lemma for x within a factor 2 of m_hi, and m_lo restores the digits m_hi dropped).
#include "ops/batch_norm/batch_norm_cpu.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/parallel.h"

namespace tt::kernels {
namespace {

constexpr int kLanes = 8;
constexpr int kTile = 64;                   // channels per task in the column layout
constexpr int64_t kMinWorkPerTask = 32768;  // elements: below this a thread costs more than it saves

int64_t grain(int64_t per_item) { return std::max<int64_t>(1, kMinWorkPerTask / std::max<int64_t>(1, per_item)); }

// ---- plane layout (S > 1): one channel at a time ----

// Σ x and, about `m`, Σ (x − m) and Σ (x − m)² over the channel starting at x (N runs of S).
template <typename T>
double plane_sum(const T* x, const BatchNormDims& d) {
  double acc[kLanes] = {};
  for (int64_t n = 0; n < d.N; ++n) {
    const T* r = x + n * d.C * d.S;
    int64_t i = 0;
    for (; i + kLanes <= d.S; i += kLanes)
      for (int j = 0; j < kLanes; ++j) acc[j] += r[i + j];
    for (int j = 0; i < d.S; ++i, ++j) acc[j] += r[i];
  }
  double s = 0;
  for (int j = 0; j < kLanes; ++j) s += acc[j];
  return s;
}

template <typename T>
void plane_centred(const T* x, const BatchNormDims& d, double m, double& s1, double& s2) {
  double a1[kLanes] = {}, a2[kLanes] = {};
  for (int64_t n = 0; n < d.N; ++n) {
    const T* r = x + n * d.C * d.S;
    int64_t i = 0;
    for (; i + kLanes <= d.S; i += kLanes)
      for (int j = 0; j < kLanes; ++j) {
        const double v = r[i + j] - m;
        a1[j] += v, a2[j] += v * v;
      }
    for (int j = 0; i < d.S; ++i, ++j) {
      const double v = r[i] - m;
      a1[j] += v, a2[j] += v * v;
    }
  }
  s1 = s2 = 0;
  for (int j = 0; j < kLanes; ++j) s1 += a1[j], s2 += a2[j];
}

// Per-channel coefficients of the elementwise passes, in T, for a tile of channels (index 0 only in
// the plane layout): x − mean = (x − m_hi) − m_lo;  y = (x − mean)·k + c;  dx = k·dy − ka − (x − mean)·kq.
template <typename T>
struct TileCoeffs {
  T m_hi[kTile], m_lo[kTile], k[kTile], c[kTile], ka[kTile], kq[kTile];
  void set_mean(int t, double m) {
    m_hi[t] = static_cast<T>(m);
    m_lo[t] = static_cast<T>(m - static_cast<double>(m_hi[t]));
  }
};

template <typename T>
void plane_apply(T* __restrict y, const T* __restrict x, const BatchNormDims& d, T mh, T ml, T k, T c) {
  for (int64_t n = 0; n < d.N; ++n) {
    const int64_t o = n * d.C * d.S;
    for (int64_t i = 0; i < d.S; ++i) y[o + i] = ((x[o + i] - mh) - ml) * k + c;
  }
}

// Σ dy and Σ dy·(x − m) over the channel.
template <typename T>
void plane_grad_sums(const T* dy, const T* x, const BatchNormDims& d, double m, double& sdy, double& sdyx) {
  double a1[kLanes] = {}, a2[kLanes] = {};
  for (int64_t n = 0; n < d.N; ++n) {
    const int64_t o = n * d.C * d.S;
    int64_t i = 0;
    for (; i + kLanes <= d.S; i += kLanes)
      for (int j = 0; j < kLanes; ++j) {
        const double g = dy[o + i + j];
        a1[j] += g, a2[j] += g * (x[o + i + j] - m);
      }
    for (int j = 0; i < d.S; ++i, ++j) {
      const double g = dy[o + i];
      a1[j] += g, a2[j] += g * (x[o + i] - m);
    }
  }
  sdy = sdyx = 0;
  for (int j = 0; j < kLanes; ++j) sdy += a1[j], sdyx += a2[j];
}

template <typename T>
void plane_dx(T* __restrict dx, const T* __restrict dy, const T* __restrict x, const BatchNormDims& d,
              const TileCoeffs<T>& cf) {
  const T mh = cf.m_hi[0], ml = cf.m_lo[0], k = cf.k[0], ka = cf.ka[0], kq = cf.kq[0];
  for (int64_t n = 0; n < d.N; ++n) {
    const int64_t o = n * d.C * d.S;
    for (int64_t i = 0; i < d.S; ++i) dx[o + i] = k * dy[o + i] - ka - ((x[o + i] - mh) - ml) * kq;
  }
}

// ---- column layout (S == 1): a tile of channels [c0, c0 + len) at a time ----

template <typename T>
void column_stats(const T* x, const BatchNormDims& d, int64_t c0, int len, double* mean, double* var) {
  double s[kTile] = {}, s1[kTile] = {}, s2[kTile] = {};
  for (int64_t n = 0; n < d.N; ++n)
    for (int t = 0; t < len; ++t) s[t] += x[n * d.C + c0 + t];
  for (int t = 0; t < len; ++t) mean[t] = s[t] / static_cast<double>(d.N);
  for (int64_t n = 0; n < d.N; ++n)
    for (int t = 0; t < len; ++t) {
      const double v = x[n * d.C + c0 + t] - mean[t];
      s1[t] += v, s2[t] += v * v;
    }
  const double M = static_cast<double>(d.N);
  for (int t = 0; t < len; ++t) var[t] = std::max(0.0, (s2[t] - s1[t] * s1[t] / M) / M);
}

template <typename T>
void column_apply(T* __restrict y, const T* __restrict x, const BatchNormDims& d, int64_t c0, int len,
                  const TileCoeffs<T>& cf) {
  for (int64_t n = 0; n < d.N; ++n)
    for (int t = 0; t < len; ++t) {
      const int64_t o = n * d.C + c0 + t;
      y[o] = ((x[o] - cf.m_hi[t]) - cf.m_lo[t]) * cf.k[t] + cf.c[t];
    }
}

template <typename T>
void column_grad_sums(const T* dy, const T* x, const BatchNormDims& d, int64_t c0, int len, const double* m,
                      double* sdy, double* sdyx) {
  std::fill(sdy, sdy + len, 0.0), std::fill(sdyx, sdyx + len, 0.0);
  for (int64_t n = 0; n < d.N; ++n)
    for (int t = 0; t < len; ++t) {
      const int64_t o = n * d.C + c0 + t;
      const double g = dy[o];
      sdy[t] += g, sdyx[t] += g * (x[o] - m[t]);
    }
}

template <typename T>
void column_dx(T* __restrict dx, const T* __restrict dy, const T* __restrict x, const BatchNormDims& d, int64_t c0,
               int len, const TileCoeffs<T>& cf) {
  for (int64_t n = 0; n < d.N; ++n)
    for (int t = 0; t < len; ++t) {
      const int64_t o = n * d.C + c0 + t;
      dx[o] = cf.k[t] * dy[o] - cf.ka[t] - ((x[o] - cf.m_hi[t]) - cf.m_lo[t]) * cf.kq[t];
    }
}

// Calls f(c0, len) for tiles of at most kTile channels (S == 1) or single channels (S > 1).
template <typename F>
void for_channels(const BatchNormDims& d, F&& f) {
  if (d.S == 1) {
    const int64_t tiles = (d.C + kTile - 1) / kTile;
    parallel_for(0, tiles, grain(d.N * kTile), [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) f(t * kTile, static_cast<int>(std::min<int64_t>(kTile, d.C - t * kTile)));
    });
  } else {
    parallel_for(0, d.C, grain(d.N * d.S), [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) f(c, 1);
    });
  }
}

// The forward coefficients of channels [c0, c0 + len): k = rstd·w, c = b.
template <typename T>
TileCoeffs<T> affine_coeffs(const double* mean, const double* rstd, const T* w, const T* b, int64_t c0, int len) {
  TileCoeffs<T> cf;
  for (int t = 0; t < len; ++t) {
    cf.set_mean(t, mean[c0 + t]);
    cf.k[t] = static_cast<T>(rstd[c0 + t] * (w ? static_cast<double>(w[c0 + t]) : 1.0));
    cf.c[t] = b ? b[c0 + t] : T(0);
  }
  return cf;
}

// Applies the forward coefficients to the channels [c0, c0 + len) in either layout.
template <typename T>
void apply_channels(T* y, const T* x, const BatchNormDims& d, int64_t c0, int len, const TileCoeffs<T>& cf) {
  if (d.S == 1) column_apply(y, x, d, c0, len, cf);
  else plane_apply(y + c0 * d.S, x + c0 * d.S, d, cf.m_hi[0], cf.m_lo[0], cf.k[0], cf.c[0]);
}

}  // namespace

template <typename T>
void batch_norm_train_forward_cpu(T* y, double* mean, double* var, double* rstd, const T* x, const T* w, const T* b,
                                  const BatchNormDims& d, double eps) {
  const double M = static_cast<double>(d.N * d.S);
  for_channels(d, [&](int64_t c0, int len) {
    if (d.S == 1) {
      column_stats(x, d, c0, len, mean + c0, var + c0);
    } else {
      const T* xc = x + c0 * d.S;
      mean[c0] = plane_sum(xc, d) / M;
      double s1, s2;
      plane_centred(xc, d, mean[c0], s1, s2);
      var[c0] = std::max(0.0, (s2 - s1 * s1 / M) / M);  // Chan et al.'s corrected two-pass form
    }
    for (int t = 0; t < len; ++t) rstd[c0 + t] = 1.0 / std::sqrt(var[c0 + t] + eps);
    apply_channels(y, x, d, c0, len, affine_coeffs(mean, rstd, w, b, c0, len));
  });
}

template <typename T>
void batch_norm_apply_cpu(T* y, const T* x, const double* mean, const double* rstd, const T* w, const T* b,
                          const BatchNormDims& d) {
  if (d.S == 1) {
    for_channels(d, [&](int64_t c0, int len) { apply_channels(y, x, d, c0, len, affine_coeffs(mean, rstd, w, b, c0, len)); });
    return;
  }
  // No statistics to gather, so sweep memory in order, run (n, c) after run: one sequential stream
  // instead of a channel's N runs C·S apart (measured 2x faster on [32, 64, 32, 32]).
  std::vector<T> cf(static_cast<size_t>(4 * d.C));  // per channel: m_hi, m_lo, k, c
  for (int64_t c = 0; c < d.C; ++c) {
    const TileCoeffs<T> one = affine_coeffs(mean, rstd, w, b, c, 1);
    cf[4 * c] = one.m_hi[0], cf[4 * c + 1] = one.m_lo[0], cf[4 * c + 2] = one.k[0], cf[4 * c + 3] = one.c[0];
  }
  const BatchNormDims run{1, 1, d.S};
  parallel_for(0, d.N * d.C, grain(d.S), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* k = cf.data() + 4 * (r % d.C);
      plane_apply(y + r * d.S, x + r * d.S, run, k[0], k[1], k[2], k[3]);
    }
  });
}

template <typename T>
void batch_norm_backward_cpu(T* dx, T* dw, T* db, const T* dy, const T* x, const double* mean, const double* rstd,
                             const T* w, const BatchNormDims& d, bool train) {
  const double M = static_cast<double>(d.N * d.S);
  for_channels(d, [&](int64_t c0, int len) {
    double sdy[kTile], sdyx[kTile];
    const int64_t o = d.S == 1 ? 0 : c0 * d.S;  // offset of the channel's first run (plane layout)
    if (d.S == 1) column_grad_sums(dy, x, d, c0, len, mean + c0, sdy, sdyx);
    else plane_grad_sums(dy + o, x + o, d, mean[c0], sdy[0], sdyx[0]);
    TileCoeffs<T> cf;
    for (int t = 0; t < len; ++t) {
      const int64_t c = c0 + t;
      const double r = rstd[c], k = r * (w ? static_cast<double>(w[c]) : 1.0);
      if (dw) dw[c] = static_cast<T>(r * sdyx[t]);  // Σ dy·x̂ = rstd·Σ dy·(x − mean)
      if (db) db[c] = static_cast<T>(sdy[t]);
      // dx = k·(dy − Σdy/M − x̂·Σ(dy·x̂)/M), x̂·Σ(dy·x̂) = (x − mean)·rstd²·Σ dy·(x − mean); eval: k·dy
      const bool batch_stats = train && M > 0;
      cf.set_mean(t, mean[c]);
      cf.k[t] = static_cast<T>(k);
      cf.ka[t] = static_cast<T>(batch_stats ? k * sdy[t] / M : 0.0);
      cf.kq[t] = static_cast<T>(batch_stats ? k * r * r * sdyx[t] / M : 0.0);
    }
    if (!dx) return;
    if (d.S == 1) column_dx(dx, dy, x, d, c0, len, cf);
    else plane_dx(dx + o, dy + o, x + o, d, cf);
  });
}

template void batch_norm_train_forward_cpu<float>(float*, double*, double*, double*, const float*, const float*,
                                                  const float*, const BatchNormDims&, double);
template void batch_norm_train_forward_cpu<double>(double*, double*, double*, double*, const double*, const double*,
                                                   const double*, const BatchNormDims&, double);
template void batch_norm_apply_cpu<float>(float*, const float*, const double*, const double*, const float*,
                                          const float*, const BatchNormDims&);
template void batch_norm_apply_cpu<double>(double*, const double*, const double*, const double*, const double*,
                                           const double*, const BatchNormDims&);
template void batch_norm_backward_cpu<float>(float*, float*, float*, const float*, const float*, const double*,
                                             const double*, const float*, const BatchNormDims&, bool);
template void batch_norm_backward_cpu<double>(double*, double*, double*, const double*, const double*, const double*,
                                              const double*, const double*, const BatchNormDims&, bool);

}  // namespace tt::kernels
