// Max-pooling kernels (contracts in pool_cpu.h).
//
// Note [Pooling along W]
// Instead of scanning one window per output (PyTorch's NCHW CPU loop), an output row keeps its
// running maxima in a scratch row and, per kernel tap (i, j), sweeps all its outputs at once:
// acc[ow] = max(acc[ow], x[ih, ow·sw + j·dw − pw]). The input row is first split into stride
// phases padded with −inf (Note [Row phases] in pool_rows.h), so the sweep is unit-stride; and the
// scratch row is rounded up to whole blocks of kBlock outputs, so it runs as fixed-size blocks the
// compiler turns into straight vector code with no scalar tail (a branchy tail of up to 15 outputs
// cost more than the vector part on 32-wide rows). −inf padding never wins under a strict `>`, so
// it is the same as skipping padded cells. Taps run in row-major window order with that strict
// `>`, so ties keep the first cell, as PyTorch.
#include <algorithm>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "ops/pool/pool_cpu.h"
#include "ops/pool/pool_rows.h"
#include "ops/pool/pool_window.h"

namespace tt::kernels {
namespace {

constexpr int64_t kMinWorkPerTask = 32768;  // input elements: below this a thread costs more than it saves

int64_t planes_per_task(const Pool2dGeom& g) {
  return std::max<int64_t>(1, kMinWorkPerTask / std::max<int64_t>(1, g.H * g.W));
}

// Per-thread scratch, reused across calls (no allocation per op once warm).
template <typename T>
struct MaxPoolScratch {
  RowPhases<T> row;
  std::vector<T> acc;               // running maxima, OW rounded up to whole blocks
  std::vector<int32_t> arg;         // their input cells (h·W + w)
  std::vector<int32_t> first_col;   // per output column: the window's first input column, or −1
  std::vector<int32_t> step;        // o·sw: a tap's input column offset for output o (loaded, not rebuilt per block)

  void reset(const Pool2dGeom& g) {
    const int64_t n = round_up_to_block(g.OW);
    row.reset(g.W, g.pw, g.sw, n, (g.kw - 1) * g.dw);
    acc.resize(static_cast<size_t>(n));
    arg.resize(static_cast<size_t>(n));
    first_col.resize(static_cast<size_t>(g.OW));
    step.resize(static_cast<size_t>(n));
    for (int64_t o = 0; o < n; ++o) step[o] = static_cast<int32_t>(o * g.sw);
    for (int64_t ow = 0; ow < g.OW; ++ow) first_col[ow] = static_cast<int32_t>(first_valid(ow * g.sw - g.pw, g.dw, g.kw, g.W));
  }
};

// One kernel tap over n outputs (a multiple of kBlock): `src` holds the tapped cells (unit stride,
// −inf where padded), `col0 + step[o]` their input cells. A NaN always takes over (so NaN propagates,
// and the index ends on the window's last NaN, as PyTorch's `val > max || isnan(val)`).
template <typename T, bool kIdx>
void tap_max(T* __restrict acc, int32_t* __restrict arg, const T* __restrict src, const int32_t* __restrict step,
             int64_t n, int32_t col0) {
  for (int64_t o0 = 0; o0 < n; o0 += kBlock)
    for (int64_t o = o0; o < o0 + kBlock; ++o) {
      const T v = src[o];
      const bool take = v > acc[o] || v != v;
      acc[o] = take ? v : acc[o];
      if constexpr (kIdx) arg[o] = take ? col0 + step[o] : arg[o];
    }
}

// x: [H, W] → y, idx: [OH, OW] (one plane).
template <typename T, bool kIdx>
void max_pool_plane(T* y, int32_t* idx, const T* x, const Pool2dGeom& g, MaxPoolScratch<T>& sc) {
  const T lowest = -std::numeric_limits<T>::infinity();
  const int64_t n = static_cast<int64_t>(sc.acc.size());
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const int64_t ih0 = oh * g.sh - g.ph;
    std::fill(sc.acc.begin(), sc.acc.end(), lowest);
    if constexpr (kIdx) {  // an all −inf window reports its first input cell, as PyTorch; none: −1
      const int64_t first_ih = first_valid(ih0, g.dh, g.kh, g.H);
      for (int64_t ow = 0; ow < g.OW; ++ow)
        sc.arg[ow] = first_ih < 0 || sc.first_col[ow] < 0 ? -1 : static_cast<int32_t>(first_ih * g.W) + sc.first_col[ow];
    }
    for (int64_t i = 0; i < g.kh; ++i) {
      const int64_t ih = ih0 + i * g.dh;
      if (ih < 0 || ih >= g.H) continue;
      sc.row.load(x + ih * g.W, lowest);
      for (int64_t j = 0; j < g.kw; ++j) {
        const int64_t q = j * g.dw;  // output ow reads input column ow·sw + q − pw
        tap_max<T, kIdx>(sc.acc.data(), sc.arg.data(), sc.row.tap(q), sc.step.data(), n,
                         static_cast<int32_t>(ih * g.W + q - g.pw));
      }
    }
    std::copy(sc.acc.begin(), sc.acc.begin() + g.OW, y + oh * g.OW);
    if constexpr (kIdx) std::copy(sc.arg.begin(), sc.arg.begin() + g.OW, idx + oh * g.OW);
  }
}

// The CNN's usual 2×2 window, stride 2, no padding or dilation: each output is the max of four
// cells, taken in window order with the same rule as tap_max (strict >, a NaN takes over). The
// general sweep's per-row set-up (phase split, −inf fill, index rows) cost more than the four
// compares on the short rows CNNs have (13 outputs), and the scalar form's data-dependent branches
// mispredict: float rows go to an AVX-512 kernel (max_pool_avx512.cpp). 64×8×26×26: 445 → ~25 µs.
bool is_2x2_stride_2(const Pool2dGeom& g) {
  return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1 &&
         2 * g.OH <= g.H && 2 * g.OW <= g.W;  // every window inside the input (ceil_mode may add a partial one)
}

bool has_avx512() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return yes;
}

template <typename T, bool kIdx>
void max_pool_plane_2x2(T* y, int32_t* idx, const T* x, const Pool2dGeom& g) {
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const T* r0 = x + 2 * oh * g.W;
    const T* r1 = r0 + g.W;
    if constexpr (std::is_same_v<T, float>) {
      if (has_avx512()) {
        max_pool_2x2_row_f32_avx512(r0, r1, g.W, g.OW, static_cast<int32_t>(2 * oh * g.W), y + oh * g.OW,
                                    kIdx ? idx + oh * g.OW : nullptr);
        continue;
      }
    }
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const int64_t c = 2 * ow;
      T m = r0[c];
      int32_t at = static_cast<int32_t>(2 * oh * g.W + c);
      const T v[3] = {r0[c + 1], r1[c], r1[c + 1]};
      const int32_t cell[3] = {at + 1, at + static_cast<int32_t>(g.W), at + static_cast<int32_t>(g.W) + 1};
      for (int t = 0; t < 3; ++t) {
        const bool take = v[t] > m || v[t] != v[t];
        m = take ? v[t] : m;
        at = take ? cell[t] : at;
      }
      y[oh * g.OW + ow] = m;
      if constexpr (kIdx) idx[oh * g.OW + ow] = at;
    }
  }
}

template <typename T, bool kIdx>
void max_pool_planes(T* y, int32_t* idx, const T* x, const Pool2dGeom& g) {
  const int64_t in = g.H * g.W, out = g.OH * g.OW;
  parallel_for(0, g.planes, planes_per_task(g), [&](int64_t p0, int64_t p1) {
    if (is_2x2_stride_2(g)) {
      for (int64_t p = p0; p < p1; ++p) max_pool_plane_2x2<T, kIdx>(y + p * out, kIdx ? idx + p * out : nullptr, x + p * in, g);
      return;
    }
    thread_local MaxPoolScratch<T> sc;
    sc.reset(g);
    for (int64_t p = p0; p < p1; ++p) max_pool_plane<T, kIdx>(y + p * out, kIdx ? idx + p * out : nullptr, x + p * in, g, sc);
  });
}

}  // namespace

template <typename T>
void max_pool2d_forward_cpu(T* y, int32_t* idx, const T* x, const Pool2dGeom& g) {
  if (g.planes <= 0 || g.OH <= 0 || g.OW <= 0) return;
  if (idx) max_pool_planes<T, true>(y, idx, x, g);
  else max_pool_planes<T, false>(y, idx, x, g);
}

template <typename T>
void max_pool2d_backward_cpu(T* dx, const T* dy, const int32_t* idx, const Pool2dGeom& g) {
  const int64_t in = g.H * g.W, out = g.OH * g.OW;
  parallel_for(0, g.planes, planes_per_task(g), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      T* d = dx + p * in;
      const T* gy = dy + p * out;
      const int32_t* ix = idx + p * out;
      std::fill(d, d + in, T(0));
      for (int64_t o = 0; o < out; ++o)
        if (ix[o] >= 0) d[ix[o]] += gy[o];
    }
  });
}

template void max_pool2d_forward_cpu<float>(float*, int32_t*, const float*, const Pool2dGeom&);
template void max_pool2d_forward_cpu<double>(double*, int32_t*, const double*, const Pool2dGeom&);
template void max_pool2d_backward_cpu<float>(float*, const float*, const int32_t*, const Pool2dGeom&);
template void max_pool2d_backward_cpu<double>(double*, const double*, const int32_t*, const Pool2dGeom&);

}  // namespace tt::kernels
