// Reduction kernels. Three layouts (Note [Reduction layouts]):
//  A. the innermost reduced dim is contiguous → each output is a dot-free running sum over a
//     contiguous row (8 partial accumulators so the compiler vectorises and precision improves);
//  B. the innermost dim is kept and contiguous (e.g. bias gradient = sum over the batch) →
//     accumulate whole rows into the output, vectorised along the row;
//  C. anything else → per-output strided loop.
// Outputs are split across threads (never the reduced range), so results are deterministic.
#include "ops/reduce/reduce_cpu.h"

#include <cmath>
#include <limits>

#include "core/parallel.h"

namespace tt::kernels {
namespace {

template <typename A>
struct SumOp {
  static A init() { return A(0); }
  static A combine(A a, A b) { return a + b; }
};
template <typename A>
struct MaxOp {
  static A init() { return std::numeric_limits<A>::has_infinity ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::lowest(); }
  static A combine(A a, A b) { return (a != a || a > b) ? a : b; }  // NaN wins, as in PyTorch
};
template <typename A>
struct MinOp {
  static A init() { return std::numeric_limits<A>::has_infinity ? std::numeric_limits<A>::infinity() : std::numeric_limits<A>::max(); }
  static A combine(A a, A b) { return (a != a || a < b) ? a : b; }
};

// Geometry after moving kept dims first and reduced dims last.
struct Geometry {
  int nk = 0, nr = 0;
  int64_t kshape[kMaxDims], kstride[kMaxDims], rshape[kMaxDims], rstride[kMaxDims];
  int64_t kept_numel = 1, red_numel = 1;
};

Geometry make_geometry(const Tensor& x, const bool* reduced) {
  Geometry g;
  for (int i = 0; i < x.dim(); ++i) {
    if (reduced[i]) {
      g.rshape[g.nr] = x.shape()[i], g.rstride[g.nr++] = x.strides()[i];
      g.red_numel *= x.shape()[i];
    } else {
      g.kshape[g.nk] = x.shape()[i], g.kstride[g.nk++] = x.strides()[i];
      g.kept_numel *= x.shape()[i];
    }
  }
  return g;
}

// Offset (elements) of linear index `i` in a (shape, stride) sub-space of `n` dims.
inline int64_t offset_of(int64_t i, const int64_t* shape, const int64_t* stride, int n) {
  int64_t off = 0;
  for (int d = n - 1; d >= 0; --d) {
    off += (i % shape[d]) * stride[d];
    i /= shape[d];
  }
  return off;
}

template <typename T, typename A, typename Op>
A reduce_row(const T* p, int64_t n, int64_t stride) {
  if (stride == 1) {
    A acc[8];
    for (auto& a : acc) a = Op::init();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) acc[j] = Op::combine(acc[j], static_cast<A>(p[i + j]));
    for (; i < n; ++i) acc[0] = Op::combine(acc[0], static_cast<A>(p[i]));
    A r = acc[0];
    for (int j = 1; j < 8; ++j) r = Op::combine(r, acc[j]);
    return r;
  }
  A r = Op::init();
  for (int64_t i = 0; i < n; ++i) r = Op::combine(r, static_cast<A>(p[i * stride]));
  return r;
}

template <typename T, typename A, typename Op>
void reduce_typed(const Tensor& out, const Tensor& x, const bool* reduced) {
  Geometry g = make_geometry(x, reduced);
  const T* base = static_cast<const T*>(x.raw_data());
  A* o = static_cast<A*>(out.raw_data());
  const int64_t inner_n = g.nr ? g.rshape[g.nr - 1] : 1, inner_s = g.nr ? g.rstride[g.nr - 1] : 1;
  const int64_t outer_red = inner_n ? g.red_numel / inner_n : 0;
  const bool layout_b = g.nr > 0 && g.nk > 0 && g.kstride[g.nk - 1] == 1 && inner_s != 1 && x.dim() > 0;
  if (layout_b) {  // B: accumulate contiguous kept rows
    const int64_t row = g.kshape[g.nk - 1], rows_out = g.kept_numel / std::max<int64_t>(row, 1);
    // Grain from the work per output row, so small reductions stay on the calling thread.
    const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(row * g.red_numel, 1));
    parallel_for(0, rows_out, grain, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        A* dst = o + r * row;
        for (int64_t j = 0; j < row; ++j) dst[j] = Op::init();
        const T* src0 = base + offset_of(r * row, g.kshape, g.kstride, g.nk);
        for (int64_t k = 0; k < g.red_numel; ++k) {
          const T* src = src0 + offset_of(k, g.rshape, g.rstride, g.nr);
          for (int64_t j = 0; j < row; ++j) dst[j] = Op::combine(dst[j], static_cast<A>(src[j]));
        }
      }
    });
    return;
  }
  // A and C: one output at a time.
  int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(g.red_numel, 1));
  parallel_for(0, g.kept_numel, grain, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      const T* src = base + offset_of(k, g.kshape, g.kstride, g.nk);
      A acc = Op::init();
      for (int64_t r = 0; r < outer_red; ++r) {
        const T* p = src + (g.nr > 1 ? offset_of(r, g.rshape, g.rstride, g.nr - 1) : 0);
        acc = Op::combine(acc, reduce_row<T, A, Op>(p, inner_n, inner_s));
      }
      o[k] = acc;
    }
  });
}

}  // namespace

void reduce_cpu(ReduceKind kind, const Tensor& out, const Tensor& x, const bool* reduced) {
  TT_DISPATCH_ALL(x.dtype(), "reduce", [&]<typename T>() {
    if constexpr (std::is_integral_v<T>) {  // bool included: sums count, max/min are any/all
      if (kind == ReduceKind::Sum) reduce_typed<T, int64_t, SumOp<int64_t>>(out, x, reduced);
      else if (kind == ReduceKind::Max) reduce_typed<T, T, MaxOp<T>>(out, x, reduced);
      else reduce_typed<T, T, MinOp<T>>(out, x, reduced);
    } else {
      if (kind == ReduceKind::Sum) reduce_typed<T, T, SumOp<T>>(out, x, reduced);
      else if (kind == ReduceKind::Max) reduce_typed<T, T, MaxOp<T>>(out, x, reduced);
      else reduce_typed<T, T, MinOp<T>>(out, x, reduced);
    }
  });
}

void arg_reduce_cpu(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x, int dim) {
  TT_DISPATCH_ALL(x.dtype(), "argmax", [&]<typename T>() {
    bool reduced[kMaxDims] = {};
    reduced[dim] = true;
    Geometry g = make_geometry(x, reduced);
    const T* base = static_cast<const T*>(x.raw_data());
    T* v = static_cast<T*>(values.raw_data());
    int64_t* ix = static_cast<int64_t*>(indices.raw_data());
    const int64_t n = g.rshape[0], s = g.rstride[0];
    parallel_for(0, g.kept_numel, std::max<int64_t>(1, 32768 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        const T* p = base + offset_of(k, g.kshape, g.kstride, g.nk);
        T best = p[0];
        int64_t bi = 0;
        for (int64_t i = 1; i < n && best == best; ++i) {
          T c = p[i * s];
          if (c != c || (is_max ? c > best : c < best)) best = c, bi = i;
        }
        v[k] = best;
        ix[k] = bi;
      }
    });
  });
}

}  // namespace tt::kernels
