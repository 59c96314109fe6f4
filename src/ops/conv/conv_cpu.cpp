// Convolution kernels, im2col + GEMM route (contracts in conv_cpu.h): per image and group, the
// forward is Y_g = W_g · im2col(x_g) (Chellapilla, Puri & Simard 2006, "High Performance
// Convolutional Neural Networks for Document Processing"), the input gradient col2im(W_gᵀ · dY_g)
// and the weight gradient Σ_images dY_g · im2col(x_g)ᵀ, all on tt::kernels::gemm_f32 / gemm_f64.
// im2col reads a zero-padded copy of the group's planes (conv_padded.h) and col2im accumulates
// into one, so neither tests borders. The direct route (one input channel per group) is
// conv_direct_cpu.cpp.
#include <algorithm>
#include <vector>

#include "core/parallel.h"
#include "ops/conv/conv_chunks.h"
#include "ops/conv/conv_cpu.h"
#include "ops/conv/conv_padded.h"
#include "ops/matmul/gemm.h"

namespace tt::kernels {
namespace {

// C = op(A)·op(B) + beta·C with alpha = 1, for either element type.
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm_f32(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, double beta, double* c, int64_t ldc) {
  gemm_f64(ta, tb, m, n, k, 1.0, a, lda, b, ldb, beta, c, ldc);
}

// out [rows, p]: row o set to b[o] (0 when b is null).
template <typename T>
void fill_rows(T* out, const T* b, int64_t rows, int64_t p) {
  for (int64_t o = 0; o < rows; ++o) std::fill(out + o * p, out + (o + 1) * p, b ? b[o] : T(0));
}

// Note [Row tiles]
// A whole image's im2col matrix can be megabytes (64→64 channels, 3×3, 32×32: 2.4 MB), written
// once and read back by the GEMM from L3 or memory. So the GEMM routes work on tiles of output
// rows whose column block, k × rows·wo, stays within kTileElems (512 KB of float32, half of a
// Zen 5 L2); each tile's GEMM writes (or reads, for the gradients) the tile's columns of the
// [co/groups, ho·wo] output in place (ldc = ho·wo). Measured on that 64→64 layer at 1 thread:
// forward 170 GFLOP/s against 158 untiled and 160 with 256 KB tiles (whose GEMMs get too narrow).
constexpr int64_t kTileElems = int64_t{1} << 17;
int64_t tile_rows(const ConvGeometry& g) {
  return std::clamp<int64_t>(kTileElems / std::max<int64_t>(1, g.k() * g.wo), 1, std::max<int64_t>(g.ho, 1));
}

// im2col of output rows [i0, i1) from the padded planes xpad [ci/groups, hp, wp]: col [k, (i1 − i0)·wo]
// (+ kSlack). With stride 1 a row is one run of wo elements, copied a whole vector at a time: a
// copy may run past its row into the next one's place (written right after) or into the slack.
template <typename T>
void im2col_rows(T* col, const T* xpad, const ConvGeometry& g, const Padded& pd, int64_t i0, int64_t i1) {
  // Locals, not g's fields: the vector stores go through memcpy, which may alias anything, so the
  // compiler would reload every field after each store.
  const int64_t wo = g.wo, sw = g.sw, row_step = g.sh * pd.wp, ld = (i1 - i0) * wo;
  for (int64_t c = 0; c < g.ci_g(); ++c)
    for (int64_t r = 0; r < g.kh; ++r)
      for (int64_t s = 0; s < g.kw; ++s) {
        T* d = col + ((c * g.kh + r) * g.kw + s) * ld;
        const T* src = xpad + c * pd.plane() + (i0 * g.sh + r * g.dh) * pd.wp + s * g.dw;
        for (int64_t i = i0; i < i1; ++i, d += wo, src += row_step) {
          if (sw == 1) {
            for (int64_t j = 0; j < wo; j += kVec<T>) store(d + j, load(src + j));
          } else {
            for (int64_t j = 0; j < wo; ++j) d[j] = src[j * sw];
          }
        }
      }
}

// d[j] += src[j], j < n: whole vectors, then the rest one by one (an accumulation cannot overrun).
template <typename T>
void add_row(T* d, const T* src, int64_t n) {
  int64_t j = 0;
  for (; j + kVec<T> <= n; j += kVec<T>) store(d + j, load(d + j) + load(src + j));
  for (; j < n; ++j) d[j] += src[j];
}

// The adjoint of im2col_rows: dxpad [ci/groups, hp, wp] += the tile's columns, each to where it was read.
template <typename T>
void col2im_rows(T* dxpad, const T* col, const ConvGeometry& g, const Padded& pd, int64_t i0, int64_t i1) {
  const int64_t wo = g.wo, sw = g.sw, row_step = g.sh * pd.wp, ld = (i1 - i0) * wo;
  for (int64_t c = 0; c < g.ci_g(); ++c)
    for (int64_t r = 0; r < g.kh; ++r)
      for (int64_t s = 0; s < g.kw; ++s) {
        const T* src = col + ((c * g.kh + r) * g.kw + s) * ld;
        T* d = dxpad + c * pd.plane() + (i0 * g.sh + r * g.dh) * pd.wp + s * g.dw;
        for (int64_t i = i0; i < i1; ++i, src += wo, d += row_step) {
          if (sw == 1) {
            add_row(d, src, wo);
          } else {
            for (int64_t j = 0; j < wo; ++j) d[j * sw] += src[j];
          }
        }
      }
}

// db[o]'s share of one plane, in kLanes double partials (a fixed order the compiler can vectorise).
template <typename T>
double plane_sum(const T* p, int64_t n) {
  constexpr int kLanes = 16;
  double acc[kLanes] = {}, s = 0;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += p[i + l];
  for (; i < n; ++i) s += p[i];
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}

// One chunk's scratch on the GEMM route: the group's padded planes and a column tile (the pointwise
// route reads x in place and needs neither).
struct GemmScratch {
  int64_t planes, tile;
  int64_t slot() const { return planes + tile; }
};
GemmScratch gemm_scratch(const ConvGeometry& g) {
  if (g.is_pointwise()) return {0, 0};
  return {g.ci_g() * padded_of(g).plane() + kSlack, g.k() * tile_rows(g) * g.wo + kSlack};
}

}  // namespace

// Note [Direct route]
// With one input channel per group (depthwise, or a first layer reading one image plane) the
// im2col matrix has only kh·kw rows: the GEMM degenerates to a handful of axpys per output row
// plus the cost of writing and re-reading the column buffer. For stride 1 the direct kernels run
// each tap as one long vector loop over a zero-padded copy of the plane (conv_direct_cpu.cpp);
// strided ones stay on the GEMM route, whose gather im2col handles the stride.
bool ConvGeometry::is_direct() const { return ci_g() == 1 && sh == 1 && sw == 1; }

template <typename T>
void im2col_cpu(T* col, const T* x_g, const ConvGeometry& g) {
  const Padded pd = padded_of(g);
  std::vector<T> xpad(g.ci_g() * pd.plane() + kSlack), tile(g.k() * g.p() + kSlack);
  pad_planes(xpad.data(), x_g, g.ci_g(), g, pd);
  im2col_rows(tile.data(), xpad.data(), g, pd, 0, g.ho);
  std::copy(tile.begin(), tile.begin() + g.k() * g.p(), col);
}

template <typename T>
void col2im_cpu(T* dx_g, const T* col, const ConvGeometry& g) {
  const Padded pd = padded_of(g);
  std::vector<T> dxpad(g.ci_g() * pd.plane() + kSlack), grad(g.ci_g() * g.hi * g.wi);
  col2im_rows(dxpad.data(), col, g, pd, 0, g.ho);
  crop_planes(grad.data(), dxpad.data(), static_cast<const T*>(nullptr), g.ci_g(), g, pd);
  for (size_t i = 0; i < grad.size(); ++i) dx_g[i] += grad[i];
}

int64_t conv_forward_scratch(const ConvGeometry& g) {
  return g.is_direct() ? conv_direct_scratch(g, false) : num_chunks(g.n) * gemm_scratch(g).slot();
}
int64_t conv_input_grad_scratch(const ConvGeometry& g) { return conv_forward_scratch(g); }
int64_t conv_weight_grad_scratch(const ConvGeometry& g) {
  if (g.is_direct()) return conv_direct_scratch(g, true);
  return (num_chunks(g.n) - 1) * g.co * g.k() + num_chunks(g.n) * gemm_scratch(g).slot();
}

template <typename T>
void conv_forward_cpu(T* y, const T* x, const T* w, const T* b, const ConvGeometry& g, T* scratch) {
  if (g.is_direct()) return conv_direct_forward_cpu(y, x, w, b, g, scratch);
  const int64_t k = g.k(), p = g.p(), cig = g.ci_g(), cog = g.co_g(), rows = tile_rows(g);
  const bool pointwise = g.is_pointwise();
  const Padded pd = padded_of(g);
  const GemmScratch gs = gemm_scratch(g);
  for_each_chunk(g.n, [&](int64_t chunk, int64_t b0, int64_t b1) {
    T* xpad = scratch + chunk * gs.slot();
    T* col = xpad + gs.planes;
    for (int64_t img = b0; img < b1; ++img)
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const T* x_g = x + (img * g.ci + grp * cig) * g.hi * g.wi;
        const T* w_g = w + grp * cog * k;  // [cog, k]
        T* y_g = y + (img * g.co + grp * cog) * p;
        if (b) fill_rows(y_g, b + grp * cog, cog, p);  // the GEMMs add onto the bias (beta = 1)
        const T beta = b ? 1 : 0;
        if (pointwise) {
          gemm(false, false, cog, p, k, w_g, k, x_g, p, beta, y_g, p);
          continue;
        }
        pad_planes(xpad, x_g, cig, g, pd);
        for (int64_t i0 = 0; i0 < g.ho; i0 += rows) {  // Note [Row tiles]
          const int64_t i1 = std::min(g.ho, i0 + rows), cols = (i1 - i0) * g.wo;
          im2col_rows(col, xpad, g, pd, i0, i1);
          gemm(false, false, cog, cols, k, w_g, k, col, cols, beta, y_g + i0 * g.wo, p);
        }
      }
  });
}

template <typename T>
void conv_input_grad_cpu(T* dx, const T* dy, const T* w, const T* b, const ConvGeometry& g, T* scratch) {
  if (g.is_direct()) return conv_direct_input_grad_cpu(dx, dy, w, b, g, scratch);
  const int64_t k = g.k(), p = g.p(), cig = g.ci_g(), cog = g.co_g(), plane = g.hi * g.wi, rows = tile_rows(g);
  const bool pointwise = g.is_pointwise();
  const Padded pd = padded_of(g);
  const GemmScratch gs = gemm_scratch(g);
  for_each_chunk(g.n, [&](int64_t chunk, int64_t b0, int64_t b1) {
    T* dxpad = scratch + chunk * gs.slot();
    T* dcol = dxpad + gs.planes;
    for (int64_t img = b0; img < b1; ++img)
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const T* dy_g = dy + (img * g.co + grp * cog) * p;
        const T* b_g = b ? b + grp * cig : nullptr;
        T* dx_g = dx + (img * g.ci + grp * cig) * plane;
        const T* w_g = w + grp * cog * k;  // [cog, k]; op(A) = W_gᵀ [k, cog]
        if (pointwise) {  // the GEMM writes dx itself, onto the bias if there is one
          if (b) fill_rows(dx_g, b_g, cig, plane);
          gemm(true, false, k, p, cog, w_g, k, dy_g, p, T(b ? 1 : 0), dx_g, p);
          continue;
        }
        std::fill(dxpad, dxpad + gs.planes, T(0));
        for (int64_t i0 = 0; i0 < g.ho; i0 += rows) {
          const int64_t i1 = std::min(g.ho, i0 + rows), cols = (i1 - i0) * g.wo;
          gemm(true, false, k, cols, cog, w_g, k, dy_g + i0 * g.wo, p, T(0), dcol, cols);
          col2im_rows(dxpad, dcol, g, pd, i0, i1);
        }
        crop_planes(dx_g, dxpad, b_g, cig, g, pd);
      }
  });
}

// Note [Deterministic weight gradient]
// dW sums over the batch. Chunk 0 accumulates its images straight into dw (GEMMs with beta = 1
// after its first), chunk c > 0 into its own partial; the partials are then added to dw in chunk
// order. Same cut, same order, same bits (Note [Batch chunks] in conv_chunks.h).
template <typename T>
void conv_weight_grad_cpu(T* dw, const T* dy, const T* x, const ConvGeometry& g, T* scratch) {
  if (g.is_direct()) return conv_direct_weight_grad_cpu(dw, dy, x, g, scratch);
  const int64_t k = g.k(), p = g.p(), cig = g.ci_g(), cog = g.co_g(), wsize = g.co * k, rows = tile_rows(g);
  const int64_t chunks = num_chunks(g.n);
  const bool pointwise = g.is_pointwise();
  const Padded pd = padded_of(g);
  const GemmScratch gs = gemm_scratch(g);
  T* partials = scratch;                             // (chunks − 1) × [co, k]
  T* slots = scratch + (chunks - 1) * wsize;         // chunks × (padded planes, column tile)
  if (g.n == 0) std::fill(dw, dw + wsize, T(0));
  for_each_chunk(g.n, [&](int64_t chunk, int64_t b0, int64_t b1) {
    T* part = chunk == 0 ? dw : partials + (chunk - 1) * wsize;
    T* xpad = slots + chunk * gs.slot();
    T* col = xpad + gs.planes;
    for (int64_t img = b0; img < b1; ++img)
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const T* x_g = x + (img * g.ci + grp * cig) * g.hi * g.wi;
        const T* dy_g = dy + (img * g.co + grp * cog) * p;
        T* dw_g = part + grp * cog * k;
        // [cog, k] (+)= dY_g [cog, cols] · colᵀ, col stored [k, cols]
        if (pointwise) {
          gemm(false, true, cog, k, p, dy_g, p, x_g, p, T(img == b0 ? 0 : 1), dw_g, k);
          continue;
        }
        pad_planes(xpad, x_g, cig, g, pd);
        for (int64_t i0 = 0; i0 < g.ho; i0 += rows) {
          const int64_t i1 = std::min(g.ho, i0 + rows), cols = (i1 - i0) * g.wo;
          im2col_rows(col, xpad, g, pd, i0, i1);
          gemm(false, true, cog, k, cols, dy_g + i0 * g.wo, p, col, cols, T(img == b0 && i0 == 0 ? 0 : 1), dw_g, k);
        }
      }
  });
  for (int64_t c = 1; c < chunks && g.n > 0; ++c) {
    const T* part = partials + (c - 1) * wsize;
    for (int64_t i = 0; i < wsize; ++i) dw[i] += part[i];
  }
}

template <typename T>
void conv_bias_grad_cpu(T* db, const T* dy, int64_t n, int64_t c, int64_t p) {
  parallel_for(0, c, std::max<int64_t>(1, 32768 / std::max<int64_t>(n * p, 1)), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      double s = 0;
      for (int64_t img = 0; img < n; ++img) s += plane_sum(dy + (img * c + o) * p, p);
      db[o] = static_cast<T>(s);
    }
  });
}

#define TT_CONV_INSTANTIATE(T)                                                                               \
  template void im2col_cpu<T>(T*, const T*, const ConvGeometry&);                                            \
  template void col2im_cpu<T>(T*, const T*, const ConvGeometry&);                                            \
  template void conv_forward_cpu<T>(T*, const T*, const T*, const T*, const ConvGeometry&, T*);              \
  template void conv_input_grad_cpu<T>(T*, const T*, const T*, const T*, const ConvGeometry&, T*);           \
  template void conv_weight_grad_cpu<T>(T*, const T*, const T*, const ConvGeometry&, T*);                    \
  template void conv_bias_grad_cpu<T>(T*, const T*, int64_t, int64_t, int64_t);
TT_CONV_INSTANTIATE(float)
TT_CONV_INSTANTIATE(double)
#undef TT_CONV_INSTANTIATE

}  // namespace tt::kernels
