// Zero-padded planes and the 64-byte vectors the convolution kernels (conv_cpu.cpp,
// conv_direct_cpu.cpp) run on. Every route first copies an image's input planes into a padded
// buffer holding exactly the rows and columns its taps read, so no inner loop tests borders, and
// gradients are accumulated in a padded buffer and cropped back. Internal to ops/conv.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "ops/conv/conv_cpu.h"

namespace tt::kernels {

// 64-byte vectors (GCC's vector extension: one AVX-512 register, or two AVX2 ones) with unaligned
// loads and stores: fixed-width loops whose accumulators stay in registers.
template <typename T>
struct VecOf;
template <>
struct VecOf<float> {
  typedef float type __attribute__((vector_size(64)));
};
template <>
struct VecOf<double> {
  typedef double type __attribute__((vector_size(64)));
};
template <typename T>
using Vec = typename VecOf<T>::type;
template <typename T>
constexpr int64_t kVec = 64 / sizeof(T);
// Elements any buffer keeps past its data, so whole-vector (or whole-block) loops may run over.
constexpr int64_t kSlack = 64;

template <typename T>
Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename T>
void store(T* p, const Vec<T>& v) {
  std::memcpy(p, &v, sizeof v);
}

// The padded extent of a geometry's input: every (i·sh + r·dh, j·sw + s·dw) a tap reads, with x
// placed at (ph, pw): hp = (ho − 1)·sh + dh·(kh − 1) + 1, wp alike. Rows or columns of x beyond it
// are read by no output.
struct Padded {
  int64_t hp, wp;
  int64_t plane() const { return hp * wp; }
};
inline Padded padded_of(const ConvGeometry& g) {
  return {(g.ho - 1) * g.sh + g.dh * (g.kh - 1) + 1, (g.wo - 1) * g.sw + g.dw * (g.kw - 1) + 1};
}

// xpad [channels, hp, wp] (+ kSlack zeros) = x [channels, hi, wi] placed at (ph, pw), zeros around.
template <typename T>
void pad_planes(T* xpad, const T* x, int64_t channels, const ConvGeometry& g, const Padded& pd) {
  std::fill(xpad, xpad + channels * pd.plane() + kSlack, T(0));
  const int64_t rows = std::min(g.hi, pd.hp - g.ph), cols = std::min(g.wi, pd.wp - g.pw);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t ih = 0; ih < rows && cols > 0; ++ih) {
      const T* src = x + (c * g.hi + ih) * g.wi;
      std::copy(src, src + cols, xpad + c * pd.plane() + (ih + g.ph) * pd.wp + g.pw);
    }
}

// dx [channels, hi, wi] = bias[c] (0 when null) + dxpad [channels, hp, wp] at (ph, pw): pad_planes'
// adjoint, plus the bias conv_transpose2d adds. Pixels outside the padded extent get the bias only.
template <typename T>
void crop_planes(T* dx, const T* dxpad, const T* bias, int64_t channels, const ConvGeometry& g, const Padded& pd) {
  const int64_t rows = std::min(g.hi, pd.hp - g.ph), cols = std::min(g.wi, pd.wp - g.pw);
  for (int64_t c = 0; c < channels; ++c) {
    T* plane = dx + c * g.hi * g.wi;
    const T b = bias ? bias[c] : T(0);
    std::fill(plane, plane + g.hi * g.wi, b);
    for (int64_t ih = 0; ih < rows; ++ih) {
      T* __restrict d = plane + ih * g.wi;
      const T* __restrict s = dxpad + c * pd.plane() + (ih + g.ph) * pd.wp + g.pw;
      for (int64_t iw = 0; iw < cols; ++iw) d[iw] += s[iw];
    }
  }
}

}  // namespace tt::kernels
