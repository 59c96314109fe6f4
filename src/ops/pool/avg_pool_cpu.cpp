// Average-pooling kernels (contracts in pool_cpu.h). avg_pool2d sweeps whole output rows per kernel
// tap over zero-padded row phases, as max pooling does (Note [Pooling along W] in max_pool_cpu.cpp,
// Note [Row phases] in pool_rows.h); each output's sum still adds its window in row-major order,
// PyTorch's order. Backward builds each output row's gradient once, in row phases, and adds it to
// every input row of the window. Adaptive pooling has windows of varying size, so it sums window by
// window, in double with kLanes independent partial sums.
#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "ops/pool/pool_cpu.h"
#include "ops/pool/pool_rows.h"
#include "ops/pool/pool_window.h"

namespace tt::kernels {
namespace {

constexpr int64_t kMinWorkPerTask = 32768;  // input elements: below this a thread costs more than it saves
constexpr int kLanes = 8;

int64_t planes_per_task(const Pool2dGeom& g) { return std::max<int64_t>(1, kMinWorkPerTask / std::max<int64_t>(1, g.H * g.W)); }

// Calls f(p) for every plane, planes split over threads.
template <typename F>
void for_planes(const Pool2dGeom& g, F&& f) {
  parallel_for(0, g.planes, planes_per_task(g), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) f(p);
  });
}

// The divisor of avg_pool2d along one dim for the window starting at `start` (pool_cpu.h).
int64_t avg_extent(int64_t start, int64_t k, int64_t n, int64_t pad, bool include_pad) {
  const int64_t end = std::min(start + k, n + pad);
  return include_pad ? end - start : std::min(end, n) - std::max<int64_t>(start, 0);
}

// Per-thread scratch, reused across calls (no allocation per op once warm). Rows are rounded up to
// whole blocks (Note [Pooling along W] in max_pool_cpu.cpp); `row` is sized for them.
template <typename T>
struct AvgPoolScratch {
  RowPhases<T> row;
  std::vector<T> acc;     // forward: window sums of an output row
  std::vector<T> scaled;  // backward: [m zeros | dy/divisor of an output row | zeros], m = ⌊(kw − 1)/sw⌋
  void reset(const Pool2dGeom& g) {
    const int64_t n = round_up_to_block(g.OW);
    row.reset(g.W, g.pw, g.sw, n, g.kw - 1);
    acc.assign(static_cast<size_t>(n), T(0));
    scaled.assign(static_cast<size_t>(margin(g) + row.phase_len()), T(0));
  }
  static int64_t margin(const Pool2dGeom& g) { return (g.kw - 1) / g.sw; }
};

// acc[o] (+)= src[o] over n outputs, a multiple of kBlock.
template <typename T>
void tap_add(T* __restrict dst, const T* __restrict src, int64_t n) {
  for (int64_t o0 = 0; o0 < n; o0 += kBlock)
    for (int64_t o = o0; o < o0 + kBlock; ++o) dst[o] += src[o];
}

// x: [H, W] → y: [OH, OW] (one plane).
template <typename T>
void avg_pool_plane(T* y, const T* x, const Pool2dGeom& g, bool include_pad, AvgPoolScratch<T>& sc) {
  const int64_t n = static_cast<int64_t>(sc.acc.size());
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    std::fill(sc.acc.begin(), sc.acc.end(), T(0));
    const int64_t ih0 = oh * g.sh - g.ph;
    for (int64_t ih = std::max<int64_t>(ih0, 0); ih < std::min(ih0 + g.kh, g.H); ++ih) {
      sc.row.load(x + ih * g.W, T(0));
      for (int64_t j = 0; j < g.kw; ++j) tap_add(sc.acc.data(), sc.row.tap(j), n);
    }
    const int64_t rows = avg_extent(ih0, g.kh, g.H, g.ph, include_pad);
    T* yr = y + oh * g.OW;
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const int64_t div = rows * avg_extent(ow * g.sw - g.pw, g.kw, g.W, g.pw, include_pad);
      yr[ow] = div > 0 ? sc.acc[ow] / static_cast<T>(div) : T(0);
    }
  }
}

// dy: [OH, OW] → dx: [H, W] (one plane). The gradient an output row sends to each of its input rows
// is the same row vector, built once in row phases: phase r cell i gathers dy/divisor of the outputs
// o = i − ⌊j/sw⌋ of every tap j ≡ r (mod sw) (Note [Row phases]). Gathering, rather than adding each
// tap into the phases, reads shifted copies and writes each phase cell once: the scatter form stored
// a vector and loaded it back 4 bytes off, a store-forwarding stall per tap (measured: 2x slower).
template <typename T>
void avg_pool_backward_plane(T* dx, const T* dy, const Pool2dGeom& g, bool include_pad, AvgPoolScratch<T>& sc) {
  const int64_t m = AvgPoolScratch<T>::margin(g), len = sc.row.phase_len();
  T* sp = sc.scaled.data();  // sp[m + o] = dy[o]/divisor; zero outside [m, m + OW)
  std::fill(dx, dx + g.H * g.W, T(0));
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const int64_t ih0 = oh * g.sh - g.ph;
    const int64_t rows = avg_extent(ih0, g.kh, g.H, g.ph, include_pad);
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const int64_t div = rows * avg_extent(ow * g.sw - g.pw, g.kw, g.W, g.pw, include_pad);
      sp[m + ow] = div > 0 ? dy[oh * g.OW + ow] / static_cast<T>(div) : T(0);
    }
    for (int64_t r = 0; r < g.sw; ++r) {
      T* __restrict ph = sc.row.phase(r);
      if (r >= g.kw) std::fill(ph, ph + len, T(0));  // no tap lands in this phase
      for (int64_t j = r; j < g.kw; j += g.sw) {
        const T* __restrict src = sp + m - j / g.sw;
        if (j == r) std::copy(src, src + len, ph);
        else for (int64_t i = 0; i < len; ++i) ph[i] += src[i];
      }
    }
    for (int64_t ih = std::max<int64_t>(ih0, 0); ih < std::min(ih0 + g.kh, g.H); ++ih) sc.row.add_to(dx + ih * g.W);
  }
}

template <typename T>
void avg_forward_planes(T* y, const T* x, const Pool2dGeom& g, bool include_pad) {
  parallel_for(0, g.planes, planes_per_task(g), [&](int64_t p0, int64_t p1) {
    thread_local AvgPoolScratch<T> sc;
    sc.reset(g);
    for (int64_t p = p0; p < p1; ++p) avg_pool_plane<T>(y + p * g.OH * g.OW, x + p * g.H * g.W, g, include_pad, sc);
  });
}

template <typename T>
void avg_backward_planes(T* dx, const T* dy, const Pool2dGeom& g, bool include_pad) {
  parallel_for(0, g.planes, planes_per_task(g), [&](int64_t p0, int64_t p1) {
    thread_local AvgPoolScratch<T> sc;
    sc.reset(g);
    for (int64_t p = p0; p < p1; ++p)
      avg_pool_backward_plane<T>(dx + p * g.H * g.W, dy + p * g.OH * g.OW, g, include_pad, sc);
  });
}

// Σ x[0..n) in double, kLanes partial sums (a fixed order the compiler can keep in SIMD lanes).
// Long float runs (global pooling) first sum blocks of kBlockRun values in 16 float lanes — one
// float partial adds only kBlockRun/16 values — and add the blocks in double: twice the lanes per
// op of double accumulation, with no conversion per element.
constexpr int64_t kBlockRun = 256;

template <typename T>
double run_sum(const T* x, int64_t n) {
  double acc[kLanes] = {}, tail = 0;
  int64_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (; i + kBlockRun <= n; i += kBlockRun) {
      float part[16] = {};
      for (int64_t k = 0; k < kBlockRun; k += 16)
        for (int j = 0; j < 16; ++j) part[j] += x[i + k + j];
      for (int j = 0; j < 16; ++j) acc[j % kLanes] += part[j];
    }
  }
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += x[i + j];
  for (; i < n; ++i) tail += x[i];
  for (int j = 0; j < kLanes; ++j) tail += acc[j];
  return tail;
}

// PyTorch's adaptive window along one dim: [⌊i·n/outs⌋, ⌈(i+1)·n/outs⌉).
IndexRange adaptive_window(int64_t i, int64_t n, int64_t outs) { return {i * n / outs, ceil_div((i + 1) * n, outs)}; }

template <typename T>
void adaptive_plane(T* y, const T* x, const Pool2dGeom& g) {
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const IndexRange rh = adaptive_window(oh, g.H, g.OH);
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const IndexRange rw = adaptive_window(ow, g.W, g.OW);
      double s = 0;
      if (rw.lo == 0 && rw.hi == g.W) {  // full-width rows are one contiguous run (global pooling)
        s = run_sum(x + rh.lo * g.W, (rh.hi - rh.lo) * g.W);
      } else {
        for (int64_t ih = rh.lo; ih < rh.hi; ++ih) s += run_sum(x + ih * g.W + rw.lo, rw.hi - rw.lo);
      }
      y[oh * g.OW + ow] = static_cast<T>(s / static_cast<double>((rh.hi - rh.lo) * (rw.hi - rw.lo)));
    }
  }
}

template <typename T>
void adaptive_backward_plane(T* dx, const T* dy, const Pool2dGeom& g) {
  std::fill(dx, dx + g.H * g.W, T(0));
  for (int64_t oh = 0; oh < g.OH; ++oh) {
    const IndexRange rh = adaptive_window(oh, g.H, g.OH);
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const IndexRange rw = adaptive_window(ow, g.W, g.OW);
      const T d = dy[oh * g.OW + ow] / static_cast<T>((rh.hi - rh.lo) * (rw.hi - rw.lo));
      for (int64_t ih = rh.lo; ih < rh.hi; ++ih)
        for (int64_t iw = rw.lo; iw < rw.hi; ++iw) dx[ih * g.W + iw] += d;
    }
  }
}

}  // namespace

template <typename T>
void avg_pool2d_forward_cpu(T* y, const T* x, const Pool2dGeom& g, bool include_pad) {
  if (g.planes <= 0 || g.OH <= 0 || g.OW <= 0) return;
  avg_forward_planes<T>(y, x, g, include_pad);
}

template <typename T>
void avg_pool2d_backward_cpu(T* dx, const T* dy, const Pool2dGeom& g, bool include_pad) {
  if (g.planes <= 0) return;
  avg_backward_planes<T>(dx, dy, g, include_pad);
}

template <typename T>
void adaptive_avg_pool2d_forward_cpu(T* y, const T* x, const Pool2dGeom& g) {
  if (g.OH <= 0 || g.OW <= 0) return;
  for_planes(g, [&](int64_t p) { adaptive_plane(y + p * g.OH * g.OW, x + p * g.H * g.W, g); });
}

template <typename T>
void adaptive_avg_pool2d_backward_cpu(T* dx, const T* dy, const Pool2dGeom& g) {
  for_planes(g, [&](int64_t p) { adaptive_backward_plane(dx + p * g.H * g.W, dy + p * g.OH * g.OW, g); });
}

template void avg_pool2d_forward_cpu<float>(float*, const float*, const Pool2dGeom&, bool);
template void avg_pool2d_forward_cpu<double>(double*, const double*, const Pool2dGeom&, bool);
template void avg_pool2d_backward_cpu<float>(float*, const float*, const Pool2dGeom&, bool);
template void avg_pool2d_backward_cpu<double>(double*, const double*, const Pool2dGeom&, bool);
template void adaptive_avg_pool2d_forward_cpu<float>(float*, const float*, const Pool2dGeom&);
template void adaptive_avg_pool2d_forward_cpu<double>(double*, const double*, const Pool2dGeom&);
template void adaptive_avg_pool2d_backward_cpu<float>(float*, const float*, const Pool2dGeom&);
template void adaptive_avg_pool2d_backward_cpu<double>(double*, const double*, const Pool2dGeom&);

}  // namespace tt::kernels
