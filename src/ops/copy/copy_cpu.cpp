// Copy/convert and fill kernels over strided views (tensor_iter does the broadcasting).
#include "ops/copy/copy_cpu.h"

#include <cstring>

#include "ops/tensor_iter.h"

namespace tt::kernels {

template <typename D, typename S>
static void copy_typed(const Tensor& dst, const Tensor& src) {
  auto L = ops::make_loop<2>(dst.shape(), {&dst, &src});
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
