// Copy/convert and fill kernels over strided views (tensor_iter does the broadcasting).
#include "ops/copy/copy_cpu.h"

#include <algorithm>
#include <cstring>

#include "ops/tensor_iter.h"

namespace tt::kernels {

// Note [Tiled transpose copy]: copying a transposed view row by row reads the source with a large
// stride — one cache line per element (a 1024×1024 float transpose took 4.8 ms, 37× a straight
// copy). When the destination is contiguous along the last dim but the source is contiguous along
// the one before, copy 8×8 tiles instead, so both sides stay in cache (1024² float: 0.38 ms).
template <typename D, typename S>
static bool copy_transposed_tiles(const ops::StridedLoop<2>& L) {
  const int n = L.ndim;
  if (n < 2 || L.strides[0][n - 1] != sizeof(D) || L.strides[1][n - 1] == sizeof(S) ||
      L.strides[1][n - 2] != sizeof(S))
    return false;
  constexpr int64_t kTile = 8;  // 8×8: larger tiles alias in L1 when strides are powers of two (measured)
  const int64_t rows = L.shape[n - 2], cols = L.shape[n - 1];
  const int64_t dr = L.strides[0][n - 2], dc = L.strides[0][n - 1], sr = L.strides[1][n - 2], sc = L.strides[1][n - 1];
  const int64_t outer = L.numel / std::max<int64_t>(rows * cols, 1);
  for (int64_t o = 0; o < outer; ++o) {
    int64_t off_d = 0, off_s = 0, rem = o;
    for (int d = n - 3; d >= 0; --d) {
      off_d += (rem % L.shape[d]) * L.strides[0][d];
      off_s += (rem % L.shape[d]) * L.strides[1][d];
      rem /= L.shape[d];
    }
    char* db = L.base[0] + off_d;
    const char* sb = L.base[1] + off_s;
    for (int64_t r0 = 0; r0 < rows; r0 += kTile)
      for (int64_t c0 = 0; c0 < cols; c0 += kTile)
        for (int64_t c = c0; c < std::min(c0 + kTile, cols); ++c)
          for (int64_t r = r0; r < std::min(r0 + kTile, rows); ++r)
            *reinterpret_cast<D*>(db + r * dr + c * dc) = static_cast<D>(*reinterpret_cast<const S*>(sb + r * sr + c * sc));
  }
  return true;
}

template <typename D, typename S>
static void copy_typed(const Tensor& dst, const Tensor& src) {
  auto L = ops::make_loop<2>(dst.shape(), {&dst, &src});
  if (copy_transposed_tiles<D, S>(L)) return;
  ops::for_each_row(L, [](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(D) && s[1] == sizeof(S)) {
      if constexpr (std::is_same_v<D, S>) {
        std::memcpy(p[0], p[1], n * sizeof(D));
      } else {
        D* d = reinterpret_cast<D*>(p[0]);
        const S* x = reinterpret_cast<const S*>(p[1]);
        for (int64_t i = 0; i < n; ++i) d[i] = static_cast<D>(x[i]);
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<D*>(p[0] + i * s[0]) = static_cast<D>(*reinterpret_cast<const S*>(p[1] + i * s[1]));
  });
}

void copy_cpu(const Tensor& dst, const Tensor& src) {
  TT_DISPATCH_ALL(dst.dtype(), "copy", [&]<typename D>() {
    TT_DISPATCH_ALL(src.dtype(), "copy", [&]<typename S>() { copy_typed<D, S>(dst, src); });
  });
}

void fill_cpu(const Tensor& dst, double value) {
  TT_DISPATCH_ALL(dst.dtype(), "fill", [&]<typename T>() {
    const T v = static_cast<T>(value);
    auto L = ops::make_loop<1>(dst.shape(), {&dst});
    ops::for_each_row(L, [v](char** p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(T)) {
        T* d = reinterpret_cast<T*>(p[0]);
        for (int64_t i = 0; i < n; ++i) d[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
      }
    });
  });
}

}  // namespace tt::kernels
