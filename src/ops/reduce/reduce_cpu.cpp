// Reduction kernels: sum / max / min over a set of dims, and arg-reductions over one dim.
// Note [Reduction layouts]: kept dims keep their order, reduced dims are sorted by decreasing
// |stride| (so the walk follows memory, and x and x.t() reduce alike), and in each list size-1 dims
// are dropped and neighbours that are contiguous in memory merged. Then:
//  A. the innermost reduced dim is contiguous → each output reduces contiguous rows, in blocks of
//     kBlock elements with kLanes interleaved partial results (the compiler vectorises the lanes),
//     block results combined pairwise (Cascade), so the error of a float sum grows with log n;
//  B. the innermost kept dim is contiguous and reduced dims are strided (e.g. bias gradient = sum
//     over the batch) → whole output rows accumulate, vectorised along the row;
//  C. anything else → per-output strided loop.
// Note [Deterministic reductions]: an output's combination order is a function of shapes and
// strides only, never of the thread count. Threads take whole outputs, column chunks (B) or blocks
// of one long row (A), and partial results are combined in a fixed order, so results are bitwise
// identical run to run and for 1 or N threads.
#include "ops/reduce/reduce_cpu.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

#include "core/parallel.h"
#include "ops/tensor_iter.h"

namespace tt::kernels {
namespace {

constexpr int kLanes = 32;          // partial results per block: 2 zmm (or 4 ymm) of floats
constexpr int64_t kBlock = 4096;    // layout A: elements per block of a contiguous row
constexpr int64_t kColChunk = 1024;  // layout B: output columns per task (its partials stay in L1)
constexpr int64_t kRowBlock = 256;   // layout B: reduced indices combined before joining the total
constexpr int64_t kGrain = ops::kParallelGrain;  // elements of work worth a thread

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

// Geometry after moving kept dims first and reduced dims last (Note [Reduction layouts]).
struct Geometry {
  int nk = 0, nr = 0;
  int64_t kshape[kMaxDims], kstride[kMaxDims], rshape[kMaxDims], rstride[kMaxDims];
  int64_t kept_numel = 1, red_numel = 1;
};

// Appends dim (size, stride) to a list, merging it into the previous dim when the pair is
// contiguous in memory (previous stride = size · stride).
void push_dim(int64_t* shape, int64_t* stride, int& n, int64_t size, int64_t st) {
  if (n > 0 && stride[n - 1] == size * st) {
    shape[n - 1] *= size;
    stride[n - 1] = st;
    return;
  }
  shape[n] = size, stride[n] = st, ++n;
}

Geometry make_geometry(const Tensor& x, const bool* reduced) {
  Geometry g;
  int order[kMaxDims], nred = 0;
  for (int i = 0; i < x.dim(); ++i) {
    const int64_t size = x.shape()[i];
    (reduced[i] ? g.red_numel : g.kept_numel) *= size;
    if (size == 1) continue;
    if (reduced[i]) order[nred++] = i;
    else push_dim(g.kshape, g.kstride, g.nk, size, x.strides()[i]);
  }
  std::stable_sort(order, order + nred,
                   [&](int a, int b) { return std::llabs(x.strides()[a]) > std::llabs(x.strides()[b]); });
  for (int j = 0; j < nred; ++j) push_dim(g.rshape, g.rstride, g.nr, x.shape()[order[j]], x.strides()[order[j]]);
  return g;
}

// Offset (elements) of linear index `i` in a (shape, stride) sub-space of `n` dims.
inline int64_t offset_of(int64_t i, const int64_t* shape, const int64_t* stride, int n) {
  int64_t off = 0;
  for (int d = n - 1; d > 0; --d) {
    off += (i % shape[d]) * stride[d];
    i /= shape[d];
  }
  return n > 0 ? off + i * stride[0] : off;
}

// Offsets of every linear index of a sub-space: one multiply for a single dim, else a table walked
// once like an odometer (no divisions in the hot loops).
class Offsets {
 public:
  Offsets(const int64_t* shape, const int64_t* stride, int n) {
    if (n <= 1) {
      stride1_ = n == 1 ? stride[0] : 0;
      return;
    }
    int64_t count = 1, idx[kMaxDims] = {}, off = 0;
    for (int d = 0; d < n; ++d) count *= shape[d];
    table_.resize(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      table_[i] = off;
      for (int d = n - 1; d >= 0; --d) {
        off += stride[d];
        if (++idx[d] < shape[d]) break;
        off -= idx[d] * stride[d];
        idx[d] = 0;
      }
    }
  }
  int64_t operator[](int64_t i) const { return table_.empty() ? i * stride1_ : table_[i]; }

 private:
  int64_t stride1_ = 0;
  std::vector<int64_t> table_;
};

// Pairwise combination of a stream of partial results: a binary counter holds one partial per set
// bit (level l combines 2^l inputs), so a float sum's error grows with log(count), not count,
// and the order depends on the count only.
template <typename A, typename Op>
class Cascade {
 public:
  void push(A v) {
    int l = 0;
    for (int64_t c = count_++; c & 1; c >>= 1, ++l) v = Op::combine(level_[l], v);
    level_[l] = v;
  }
  A result() const {  // earlier inputs sit at higher levels: combine from the top down
    A r = Op::init();
    bool first = true;
    for (int l = 62; l >= 0; --l) {
      if (!((count_ >> l) & 1)) continue;
      r = first ? level_[l] : Op::combine(r, level_[l]);
      first = false;
    }
    return r;
  }

 private:
  A level_[63];
  int64_t count_ = 0;
};

// One block of n ≤ kBlock contiguous elements: kLanes interleaved partials, then a pairwise tree.
template <typename T, typename A, typename Op>
A reduce_block(const T* p, int64_t n) {
  if (n < kLanes) {
    A r = Op::init();
    for (int64_t i = 0; i < n; ++i) r = Op::combine(r, static_cast<A>(p[i]));
    return r;
  }
  A acc[kLanes];
  for (auto& a : acc) a = Op::init();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] = Op::combine(acc[j], static_cast<A>(p[i + j]));
  for (int j = 0; i < n; ++i, ++j) acc[j] = Op::combine(acc[j], static_cast<A>(p[i]));
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] = Op::combine(acc[j], acc[j + w]);
  return acc[0];
}

// A row of n elements at stride s (layout A when s == 1, else C).
template <typename T, typename A, typename Op>
A reduce_row(const T* p, int64_t n, int64_t s) {
  if (s != 1) {
    A r = Op::init();
    for (int64_t i = 0; i < n; ++i) r = Op::combine(r, static_cast<A>(p[i * s]));
    return r;
  }
  if (n <= kBlock) return reduce_block<T, A, Op>(p, n);
  Cascade<A, Op> c;
  for (int64_t i = 0; i < n; i += kBlock) c.push(reduce_block<T, A, Op>(p + i, std::min(kBlock, n - i)));
  return c.result();
}

// reduce_row(p, n, 1) bit for bit, with the blocks spread over the threads.
template <typename T, typename A, typename Op>
A reduce_row_parallel(const T* p, int64_t n) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<A> part(static_cast<size_t>(blocks));
  parallel_for(0, blocks, std::max<int64_t>(1, kGrain / kBlock), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) part[k] = reduce_block<T, A, Op>(p + k * kBlock, std::min(kBlock, n - k * kBlock));
  });
  Cascade<A, Op> c;
  for (const A& v : part) c.push(v);
  return c.result();
}

// Layout B: output row r (`row` contiguous kept elements) combines x over every reduced index.
// Work splits into column chunks of kColChunk (rows of x are read contiguously) and blocks of
// kRowBlock reduced indices; a column's total combines its block partials in block order. With few
// chunks, threads take blocks and park their partials in a buffer; otherwise threads take chunks
// and combine as they go. Either way the order, and so every bit, is the same.
template <typename T, typename A, typename Op>
void reduce_columns(const Geometry& g, const T* base, A* o) {
  const int64_t row = g.kshape[g.nk - 1], rows_out = g.kept_numel / row, cw = std::min(kColChunk, row);
  const int64_t chunks = (row + kColChunk - 1) / kColChunk, tasks = rows_out * chunks;
  const int64_t blocks = (g.red_numel + kRowBlock - 1) / kRowBlock;
  const Offsets red(g.rshape, g.rstride, g.nr);
  auto width = [&](int64_t t) { return std::min(kColChunk, row - (t % chunks) * kColChunk); };
  auto out_of = [&](int64_t t) { return o + (t / chunks) * row + (t % chunks) * kColChunk; };
  // part[0, w) = combination of block kb of the reduced indices, columns of task t.
  auto block_partial = [&](int64_t t, int64_t kb, A* part) {
    const int64_t w = width(t);
    const T* src0 = base + offset_of((t / chunks) * row, g.kshape, g.kstride, g.nk) + (t % chunks) * kColChunk;
    std::fill(part, part + w, Op::init());
    for (int64_t k = kb * kRowBlock; k < std::min((kb + 1) * kRowBlock, g.red_numel); ++k) {
      const T* src = src0 + red[k];
      for (int64_t j = 0; j < w; ++j) part[j] = Op::combine(part[j], static_cast<A>(src[j]));
    }
  };
  auto join = [&](A* total, const A* part, int64_t w, bool first) {
    for (int64_t j = 0; j < w; ++j) total[j] = first ? part[j] : Op::combine(total[j], part[j]);
  };
  if (tasks >= get_num_threads() || blocks == 1) {
    parallel_for(0, tasks, std::max<int64_t>(1, kGrain / (cw * g.red_numel)), [&](int64_t b, int64_t e) {
      A part[kColChunk];
      for (int64_t t = b; t < e; ++t)
        for (int64_t kb = 0; kb < blocks; ++kb) {
          block_partial(t, kb, part);
          join(out_of(t), part, width(t), kb == 0);
        }
    });
    return;
  }
  std::unique_ptr<A[]> parts(new A[tasks * blocks * cw]);  // 1/kRowBlock of x; not vector: A may be bool
  parallel_for(0, tasks * blocks, std::max<int64_t>(1, kGrain / (cw * kRowBlock)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) block_partial(i / blocks, i % blocks, &parts[i * cw]);
  });
  for (int64_t t = 0; t < tasks; ++t)
    for (int64_t kb = 0; kb < blocks; ++kb) join(out_of(t), &parts[(t * blocks + kb) * cw], width(t), kb == 0);
}

template <typename T, typename A, typename Op>
void reduce_typed(const Tensor& out, const Tensor& x, const bool* reduced) {
  const Geometry g = make_geometry(x, reduced);
  const T* base = static_cast<const T*>(x.raw_data());
  A* o = static_cast<A*>(out.raw_data());
  if (g.kept_numel == 0) return;
  if (g.red_numel == 0) {
    std::fill(o, o + g.kept_numel, Op::init());
    return;
  }
  const int64_t inner_n = g.nr ? g.rshape[g.nr - 1] : 1, inner_s = g.nr ? g.rstride[g.nr - 1] : 1;
  if (g.nr > 0 && g.nk > 0 && g.kstride[g.nk - 1] == 1 && inner_s != 1) return reduce_columns<T, A, Op>(g, base, o);
  if (g.nr <= 1 && inner_s == 1 && g.kept_numel < get_num_threads() && inner_n >= 2 * kBlock) {
    for (int64_t k = 0; k < g.kept_numel; ++k)  // few long rows: threads split each row
      o[k] = reduce_row_parallel<T, A, Op>(base + offset_of(k, g.kshape, g.kstride, g.nk), inner_n);
    return;
  }
  // A and C: threads take whole outputs; rows of an output combine pairwise.
  const Offsets rows(g.rshape, g.rstride, g.nr > 0 ? g.nr - 1 : 0);
  const int64_t outer_red = g.red_numel / inner_n;
  parallel_for(0, g.kept_numel, std::max<int64_t>(1, kGrain / g.red_numel), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      const T* src = base + offset_of(k, g.kshape, g.kstride, g.nk);
      if (outer_red == 1) {
        o[k] = reduce_row<T, A, Op>(src, inner_n, inner_s);
        continue;
      }
      Cascade<A, Op> c;
      for (int64_t r = 0; r < outer_red; ++r) c.push(reduce_row<T, A, Op>(src + rows[r], inner_n, inner_s));
      o[k] = c.result();
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
    const int64_t n = x.shape()[dim], s = x.strides()[dim];
    // Kept dims in order, uncoalesced: values/indices are contiguous over them.
    int64_t kshape[kMaxDims], kstride[kMaxDims];
    int nk = 0;
    for (int i = 0; i < x.dim(); ++i)
      if (i != dim) kshape[nk] = x.shape()[i], kstride[nk++] = x.strides()[i];
    const int64_t kept = values.numel();
    const T* base = static_cast<const T*>(x.raw_data());
    T* v = static_cast<T*>(values.raw_data());
    int64_t* ix = static_cast<int64_t*>(indices.raw_data());
    parallel_for(0, kept, std::max<int64_t>(1, kGrain / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; ++k) {
        const T* p = base + offset_of(k, kshape, kstride, nk);
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
