// Direct convolution kernels for one input channel per group and stride 1 (Note [Direct route] in
// conv_cpu.cpp): depthwise convolutions and first layers reading a single image plane.
// Note [Flat taps]
// Copy the input plane into a zero-padded buffer xpad [hp, wp], hp = ho + dh·(kh − 1),
// wp = wo + dw·(kw − 1). Output (i, j) reads xpad[(i + r·dh)·wp + j + s·dw] at tap (r, s), so with
// the output laid out with row pitch wp ("ext" rows, the last dw·(kw − 1) columns unused) every tap
// is a shift by off = r·dh·wp + s·dw of ONE flat index q = i·wp + j: a single vector loop over
// len = (ho − 1)·wp + wo elements instead of ho short row loops with border arithmetic. Unused
// columns cost (wp − wo)/wp of the work (7% for 3×3 on 28×28) and are dropped (forward) or kept
// at 0 (backward, so they scatter and sum nothing).
#include <algorithm>

#include "ops/conv/conv_chunks.h"
#include "ops/conv/conv_cpu.h"
#include "ops/conv/conv_padded.h"

namespace tt::kernels {
namespace {

template <typename T>
constexpr int64_t kBlock = 4 * kVec<T>;  // elements per block: four vectors
static_assert(kBlock<float> <= kSlack, "the flat loops run up to one block past their data");

// Note [Flat taps]'s view of the padded plane (conv_padded.h; for stride 1, hp = ho + dh·(kh − 1)).
struct Flat {
  Padded pd;
  int64_t len, reach;  // flat output length (row pitch wp); largest tap offset
  int64_t plane() const { return pd.plane(); }
  // Buffer A: the padded plane (xpad or dxpad); buffer B: an ext plane with `reach` zeros in front.
  // Both run a block past their data, since the loops below work in whole blocks.
  int64_t size_a() const { return plane() + kSlack; }
  int64_t size_b() const { return plane() + reach + kSlack; }
  int64_t off(const ConvGeometry& g, int64_t r, int64_t s) const { return r * g.dh * pd.wp + s * g.dw; }
};
Flat flat_of(const ConvGeometry& g) {
  const Padded pd = padded_of(g);
  return {pd, (g.ho - 1) * pd.wp + g.wo, g.dh * (g.kh - 1) * pd.wp + g.dw * (g.kw - 1)};
}

// ext = `lead` zeros, then dy [ho, wo] with row pitch wp (unused columns 0), then zeros to size_b.
template <typename T>
void expand_rows(T* ext, const T* dy, int64_t lead, const ConvGeometry& g, const Flat& f) {
  std::fill(ext, ext + f.size_b(), T(0));
  for (int64_t i = 0; i < g.ho; ++i) std::copy(dy + i * g.wo, dy + (i + 1) * g.wo, ext + lead + i * f.pd.wp);
}

constexpr int kTapGroup = 32;  // taps whose weights and offsets sit on the stack at once

// out[q] = (accumulate ? out[q] : init) + Σ_t ws[t]·in[q + offs[t]], for q over whole blocks
// covering [0, len): each block's four vectors stay in registers across the taps.
template <typename T>
void flat_taps(T* out, const T* in, int64_t len, const T* ws, const int64_t* offs, int taps, T init,
               bool accumulate) {
  constexpr int64_t v = kVec<T>;
  for (int64_t q = 0; q < len; q += kBlock<T>) {
    Vec<T> a0, a1, a2, a3;
    if (accumulate) {
      a0 = load(out + q), a1 = load(out + q + v), a2 = load(out + q + 2 * v), a3 = load(out + q + 3 * v);
    } else {
      a0 = a1 = a2 = a3 = Vec<T>{} + init;
    }
    for (int t = 0; t < taps; ++t) {
      const T* src = in + q + offs[t];
      const Vec<T> wv = Vec<T>{} + ws[t];
      a0 += wv * load(src), a1 += wv * load(src + v), a2 += wv * load(src + 2 * v), a3 += wv * load(src + 3 * v);
    }
    store(out + q, a0), store(out + q + v, a1), store(out + q + 2 * v, a2), store(out + q + 3 * v, a3);
  }
}

// flat_taps over every tap (r, s) of the kernel w [kh, kw], offset off(r, s), kTapGroup at a time.
template <typename T, typename Off>
void all_taps(T* out, const T* in, int64_t len, const T* w, const ConvGeometry& g, Off off, T init, bool accumulate) {
  T ws[kTapGroup];
  int64_t offs[kTapGroup];
  int n = 0;
  for (int64_t r = 0; r < g.kh; ++r)
    for (int64_t s = 0; s < g.kw; ++s) {
      ws[n] = w[r * g.kw + s], offs[n] = off(r, s);
      if (++n == kTapGroup || (r == g.kh - 1 && s == g.kw - 1)) {
        flat_taps(out, in, len, ws, offs, n, init, accumulate);
        accumulate = true, n = 0;
      }
    }
}

// Σ_q a[q]·b[q] over whole blocks covering [0, len), in four vector partials, reduced in a fixed order.
template <typename T>
T flat_dot(const T* a, const T* b, int64_t len) {
  constexpr int64_t v = kVec<T>;
  Vec<T> s0{}, s1{}, s2{}, s3{};
  for (int64_t q = 0; q < len; q += kBlock<T>) {
    s0 += load(a + q) * load(b + q), s1 += load(a + q + v) * load(b + q + v);
    s2 += load(a + q + 2 * v) * load(b + q + 2 * v), s3 += load(a + q + 3 * v) * load(b + q + 3 * v);
  }
  const Vec<T> s = (s0 + s1) + (s2 + s3);
  T sum = 0;
  for (int64_t l = 0; l < v; ++l) sum += s[l];
  return sum;
}

int64_t slot_size(const Flat& f) { return f.size_a() + f.size_b(); }

}  // namespace

int64_t conv_direct_scratch(const ConvGeometry& g, bool weight_grad) {
  const int64_t slots = weight_grad ? num_chunks(g.n) : num_chunks(g.n * g.ci);
  return slots * slot_size(flat_of(g)) + (weight_grad ? slots * g.co * g.kh * g.kw : 0);
}

// Chunks of input planes q = (image, channel c); each pads its plane once and runs the co/groups
// output channels reading it (c·cog ... (c + 1)·cog − 1, since ci/groups == 1).
template <typename T>
void conv_direct_forward_cpu(T* y, const T* x, const T* w, const T* b, const ConvGeometry& g, T* scratch) {
  const Flat f = flat_of(g);
  const int64_t cog = g.co_g(), taps = g.kh * g.kw;
  for_each_chunk(g.n * g.ci, [&](int64_t chunk, int64_t q0, int64_t q1) {
    T* xpad = scratch + chunk * slot_size(f);
    T* ext = xpad + f.size_a();
    for (int64_t q = q0; q < q1; ++q) {
      pad_planes(xpad, x + q * g.hi * g.wi, 1, g, f.pd);
      for (int64_t o = (q % g.ci) * cog; o < (q % g.ci + 1) * cog; ++o) {
        all_taps(ext, xpad, f.len, w + o * taps, g, [&](int64_t r, int64_t s) { return f.off(g, r, s); },
                 b ? b[o] : T(0), false);
        T* yp = y + ((q / g.ci) * g.co + o) * g.p();
        for (int64_t i = 0; i < g.ho; ++i) std::copy(ext + i * f.pd.wp, ext + i * f.pd.wp + g.wo, yp + i * g.wo);
      }
    }
  });
}

// dxpad[p] = Σ_{o, r, s} w[o, r, s]·ext_o[p − off(r, s)]: the forward's adjoint as a gather, so it
// runs on the same register-blocked loop (ext_o: dy_o with row pitch wp, `reach` zeros in front).
template <typename T>
void conv_direct_input_grad_cpu(T* dx, const T* dy, const T* w, const T* b, const ConvGeometry& g, T* scratch) {
  const Flat f = flat_of(g);
  const int64_t cog = g.co_g(), taps = g.kh * g.kw;
  for_each_chunk(g.n * g.ci, [&](int64_t chunk, int64_t q0, int64_t q1) {
    T* dxpad = scratch + chunk * slot_size(f);
    T* ext = dxpad + f.size_a();
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t c = q % g.ci;
      for (int64_t o = c * cog; o < (c + 1) * cog; ++o) {
        expand_rows(ext, dy + ((q / g.ci) * g.co + o) * g.p(), f.reach, g, f);
        all_taps(dxpad, ext, f.plane(), w + o * taps, g,
                 [&](int64_t r, int64_t s) { return f.reach - f.off(g, r, s); }, T(0), o != c * cog);
      }
      crop_planes(dx + q * g.hi * g.wi, dxpad, b ? b + c : nullptr, 1, g, f.pd);
    }
  });
}

// Chunks of images, each summing into its own partial [co, kh, kw] (chunk 0 into dw); partials are
// added in chunk order (Note [Deterministic weight gradient] in conv_cpu.cpp).
template <typename T>
void conv_direct_weight_grad_cpu(T* dw, const T* dy, const T* x, const ConvGeometry& g, T* scratch) {
  const Flat f = flat_of(g);
  const int64_t cog = g.co_g(), taps = g.kh * g.kw, wsize = g.co * taps, chunks = num_chunks(g.n);
  T* partials = scratch + chunks * slot_size(f);
  for_each_chunk(g.n, [&](int64_t chunk, int64_t b0, int64_t b1) {
    T* part = chunk == 0 ? dw : partials + chunk * wsize;
    T* xpad = scratch + chunk * slot_size(f);
    T* ext = xpad + f.size_a();
    std::fill(part, part + wsize, T(0));
    for (int64_t img = b0; img < b1; ++img)
      for (int64_t c = 0; c < g.ci; ++c) {
        pad_planes(xpad, x + (img * g.ci + c) * g.hi * g.wi, 1, g, f.pd);
        for (int64_t o = c * cog; o < (c + 1) * cog; ++o) {
          expand_rows(ext, dy + (img * g.co + o) * g.p(), 0, g, f);
          for (int64_t r = 0; r < g.kh; ++r)
            for (int64_t s = 0; s < g.kw; ++s)
              part[o * taps + r * g.kw + s] += flat_dot(ext, xpad + f.off(g, r, s), f.len);
        }
      }
  });
  for (int64_t c = 1; c < chunks; ++c)
    for (int64_t i = 0; i < wsize; ++i) dw[i] += partials[c * wsize + i];
}

#define TT_CONV_DIRECT_INSTANTIATE(T)                                                                         \
  template void conv_direct_forward_cpu<T>(T*, const T*, const T*, const T*, const ConvGeometry&, T*);       \
  template void conv_direct_input_grad_cpu<T>(T*, const T*, const T*, const T*, const ConvGeometry&, T*);    \
  template void conv_direct_weight_grad_cpu<T>(T*, const T*, const T*, const ConvGeometry&, T*);
TT_CONV_DIRECT_INSTANTIATE(float)
TT_CONV_DIRECT_INSTANTIATE(double)
#undef TT_CONV_DIRECT_INSTANTIATE

}  // namespace tt::kernels
