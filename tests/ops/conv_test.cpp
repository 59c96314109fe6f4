// Convolution ops against plain float64 loops written from the definitions (not from the kernels):
// conv2d over random geometries (ragged sizes, stride, padding and "same", dilation, groups,
// depthwise, 1×1), conv1d, conv_transpose2d as a scatter; gradients through autograd against the
// same loops; col2im as the exact adjoint of im2col; bitwise determinism at 2 threads; and the
// errors bad arguments get. PyTorch comparisons are tests/nn/golden_conv_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <tuple>
#include <vector>

#include "core/generator.h"
#include "core/parallel.h"
#include "ops/conv/conv_cpu.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

// One conv2d configuration; pt/pb/pl/pr are the top/bottom/left/right padding actually applied.
struct Cfg {
  int64_t n, c, h, w, o, kh, kw, sh = 1, sw = 1, pt = 0, pb = 0, pl = 0, pr = 0, dh = 1, dw = 1, groups = 1;
  bool bias = true, same = false;
  int64_t oh() const { return (h + pt + pb - dh * (kh - 1) - 1) / sh + 1; }
  int64_t ow() const { return (w + pl + pr - dw * (kw - 1) - 1) / sw + 1; }
  std::string str() const {
    std::ostringstream os;
    os << "x [" << n << ", " << c << ", " << h << ", " << w << "] w [" << o << ", " << c / groups << ", " << kh << ", "
       << kw << "] stride (" << sh << ", " << sw << ") pad (" << pt << ", " << pb << ", " << pl << ", " << pr
       << ") dil (" << dh << ", " << dw << ") groups " << groups << (same ? " same" : "") << (bias ? " bias" : "");
    return os.str();
  }
};

// y, and the gradients of Σ y·dy, of the convolution in Cfg by its definition:
//   y[n, o, i, j] = b[o] + Σ_{c, r, s} w[o, c, r, s] · x[n, g·cg + c, i·sh − pt + r·dh, j·sw − pl + s·dw].
struct Ref {
  std::vector<double> y, dx, dw, db;
};
Ref naive_conv2d(const Cfg& f, const std::vector<double>& x, const std::vector<double>& w,
                 const std::vector<double>& b, const std::vector<double>& dy) {
  const int64_t cg = f.c / f.groups, og = f.o / f.groups, oh = f.oh(), ow = f.ow();
  Ref r{std::vector<double>(f.n * f.o * oh * ow), std::vector<double>(x.size()), std::vector<double>(w.size()),
        std::vector<double>(f.o)};
  for (int64_t n = 0; n < f.n; ++n)
    for (int64_t o = 0; o < f.o; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          const int64_t yi = ((n * f.o + o) * oh + i) * ow + j;
          double acc = f.bias ? b[o] : 0.0;
          r.db[o] += dy[yi];
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t kr = 0; kr < f.kh; ++kr)
              for (int64_t ks = 0; ks < f.kw; ++ks) {
                const int64_t ih = i * f.sh - f.pt + kr * f.dh, iw = j * f.sw - f.pl + ks * f.dw;
                if (ih < 0 || ih >= f.h || iw < 0 || iw >= f.w) continue;
                const int64_t xi = ((n * f.c + (o / og) * cg + c) * f.h + ih) * f.w + iw;
                const int64_t wi = ((o * cg + c) * f.kh + kr) * f.kw + ks;
                acc += w[wi] * x[xi];
                r.dx[xi] += w[wi] * dy[yi];
                r.dw[wi] += x[xi] * dy[yi];
              }
          r.y[yi] = acc;
        }
  return r;
}

std::vector<double> random_vector(int64_t size, Generator& g) {
  std::vector<double> v(size);
  for (double& e : v) e = g.normal();
  return v;
}

// A float64 leaf from values; `strided`: the same values as a non-contiguous view (every other
// element of a tensor twice as wide in the last dim).
Tensor leaf(const std::vector<double>& v, const Shape& shape, bool strided, DType dt = kFloat64) {
  Tensor t = from_vector(v, shape).to(dt);
  if (strided) {
    Shape wide = shape;
    wide[wide.size() - 1] *= 2;
    Tensor big = zeros(wide, dt);
    big.slice(-1, 0, wide[wide.size() - 1], 2).copy_(t);
    t = big.slice(-1, 0, wide[wide.size() - 1], 2);
  }
  return t.detach().requires_grad_();
}

// max |a − b| / (1 + |b|).
double max_rel_err(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double e = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) e = std::max(e, std::fabs(a[i] - b[i]) / (1 + std::fabs(b[i])));
  return e;
}

// A random valid conv2d configuration (ragged sizes, every option), drawn until the kernel fits.
Cfg random_cfg(std::mt19937_64& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (;;) {
    Cfg f{pick(1, 3), 0, pick(1, 11), pick(1, 11), 0, pick(1, 4), pick(1, 4)};
    const int64_t kind = pick(0, 5);  // 0: depthwise, 1: one input channel per group, 2: 1×1, else general
    f.groups = kind <= 1 ? pick(1, 4) : pick(1, 3);
    f.c = f.groups * (kind <= 1 ? 1 : pick(1, 3));
    f.o = f.groups * (kind == 0 ? 1 : pick(1, 3));
    if (kind == 2) f.kh = f.kw = 1;
    f.dh = pick(1, 2), f.dw = pick(1, 2);
    f.bias = pick(0, 3) != 0;
    if (pick(0, 4) == 0) {  // "same": PyTorch's split, the odd one out at the bottom/right
      f.same = true;
      f.pt = f.dh * (f.kh - 1) / 2, f.pb = f.dh * (f.kh - 1) - f.pt;
      f.pl = f.dw * (f.kw - 1) / 2, f.pr = f.dw * (f.kw - 1) - f.pl;
    } else {
      f.sh = pick(1, 3), f.sw = pick(1, 3);
      f.pt = f.pb = pick(0, 2), f.pl = f.pr = pick(0, 2);
    }
    if (kind == 2 && pick(0, 1) == 0) f.sh = f.sw = 1, f.pt = f.pb = f.pl = f.pr = 0;  // the plain-GEMM route
    if (f.dh * (f.kh - 1) + 1 <= f.h + f.pt + f.pb && f.dw * (f.kw - 1) + 1 <= f.w + f.pl + f.pr) return f;
  }
}

Conv2dOptions options_of(const Cfg& f) {
  Conv2dOptions opt{.stride = {f.sh, f.sw}, .padding = {f.pt, f.pl}, .dilation = {f.dh, f.dw}, .groups = f.groups};
  if (f.same) opt.padding = "same";
  return opt;
}

// conv2d in `dt` on (optionally strided) inputs vs naive_conv2d: forward and all three gradients.
void expect_conv2d_matches(const Cfg& f, Generator& g, DType dt, bool strided, double tol) {
  SCOPED_TRACE(f.str() + (dt == kFloat64 ? " float64" : " float32") + (strided ? " strided" : ""));
  const auto x = random_vector(f.n * f.c * f.h * f.w, g), w = random_vector(f.o * (f.c / f.groups) * f.kh * f.kw, g);
  const auto b = random_vector(f.o, g), dy = random_vector(f.n * f.o * f.oh() * f.ow(), g);
  const Ref ref = naive_conv2d(f, x, w, b, dy);
  Tensor xt = leaf(x, {f.n, f.c, f.h, f.w}, strided, dt), wt = leaf(w, {f.o, f.c / f.groups, f.kh, f.kw}, strided, dt);
  Tensor bt = f.bias ? leaf(b, {f.o}, false, dt) : Tensor();
  Tensor y = conv2d(xt, wt, bt, options_of(f));
  ASSERT_EQ(y.shape(), Shape({f.n, f.o, f.oh(), f.ow()}));
  EXPECT_LE(max_rel_err(y.to_vector<double>(), ref.y), tol) << "forward";
  y.backward(from_vector(dy, y.shape()).to(dt));
  EXPECT_LE(max_rel_err(xt.grad().to_vector<double>(), ref.dx), tol) << "dx";
  EXPECT_LE(max_rel_err(wt.grad().to_vector<double>(), ref.dw), tol) << "dw";
  if (f.bias) {
    EXPECT_LE(max_rel_err(bt.grad().to_vector<double>(), ref.db), tol) << "db";
  }
}

TEST(Conv2d, MatchesNaiveLoopsOnRandomConfigurations) {
  std::mt19937_64 rng(2024);
  Generator g(7);
  for (int t = 0; t < 120; ++t) {
    const Cfg f = random_cfg(rng);
    expect_conv2d_matches(f, g, kFloat64, t % 2 == 1, 1e-12);
    if (t % 4 == 0) expect_conv2d_matches(f, g, kFloat32, t % 8 == 0, 2e-5);
  }
}

TEST(Conv2d, EachKernelRouteMatchesNaiveLoops) {
  Generator g(11);
  // pointwise (plain GEMM), depthwise and one-plane (direct; 49 taps: more than one tap group),
  // general (im2col), several row tiles per image (k·wo past the tile budget), wide batch (chunks)
  const std::vector<Cfg> cfgs = {
      {4, 6, 5, 7, 5, 1, 1},
      {3, 6, 9, 8, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6},
      {2, 3, 15, 14, 3, 7, 7, 1, 1, 6, 6, 6, 6, 2, 2, 3},
      {5, 1, 12, 10, 4, 3, 3},
      {2, 1, 9, 20, 6, 5, 5, 1, 1, 2, 2, 0, 0},
      {2, 4, 6, 6, 8, 3, 2, 2, 1, 1, 1, 0, 0, 1, 2, 2},
      {1, 64, 3, 300, 2, 3, 3, 1, 1, 1, 1, 1, 1},
      {1, 64, 5, 300, 2, 3, 3, 2, 2, 1, 1, 1, 1},
      {9, 3, 7, 5, 4, 2, 3, 1, 2, 0, 0, 1, 1},
  };
  for (const Cfg& f : cfgs)
    for (int threads : {1, 2}) {
      const int saved = get_num_threads();
      set_num_threads(threads);
      expect_conv2d_matches(f, g, kFloat64, false, 1e-12);
      expect_conv2d_matches(f, g, kFloat32, true, 2e-5);
      set_num_threads(saved);
    }
}

TEST(Conv2d, SamePaddingKeepsTheSizeAndPutsTheOddPixelLast) {
  Tensor x = randn({1, 1, 5, 6}, nullptr, kFloat64), w = randn({1, 1, 4, 2}, nullptr, kFloat64);
  Tensor y = conv2d(x, w, Tensor(), {.padding = "same"});
  EXPECT_EQ(y.shape(), Shape({1, 1, 5, 6}));
  // total padding 3 rows: 1 on top, 2 below; 1 column: 0 left, 1 right (PyTorch's split)
  Tensor padded = zeros({1, 1, 8, 7}, kFloat64);
  padded.slice(2, 1, 6).slice(3, 0, 6).copy_(x);
  EXPECT_TRUE(testing::tensors_near(y, conv2d(padded, w), 1e-12));
  EXPECT_EQ(conv2d(x, w, Tensor(), {.padding = "valid"}).shape(), Shape({1, 1, 2, 5}));
}

TEST(Conv1d, MatchesConv2dOnHeightOne) {
  Generator g(3);
  for (auto [k, s, p, d, groups, same] : std::vector<std::tuple<int, int, int, int, int, bool>>{
           {3, 1, 0, 1, 1, false}, {3, 2, 1, 1, 2, false}, {5, 1, 0, 2, 1, true}, {4, 1, 0, 1, 4, true}}) {
    Tensor x = randn({2, 4, 11}, &g, kFloat64).requires_grad_(), w = randn({8, 4 / groups, k}, &g, kFloat64);
    Tensor b = randn({8}, &g, kFloat64);
    Conv1dOptions o1{.stride = s, .padding = p, .dilation = d, .groups = groups};
    Conv2dOptions o2{.stride = {1, s}, .padding = {0, p}, .dilation = {1, d}, .groups = groups};
    if (same) o1.padding = "same", o2.padding = "same";
    Tensor y = conv1d(x, w, b, o1);
    Tensor ref = conv2d(x.detach().unsqueeze(2), w.unsqueeze(2), b, o2).squeeze(2);
    EXPECT_TRUE(testing::bitwise_equal(y, ref)) << "k " << k << " s " << s << " same " << same;
    sum(y * y).backward();
    EXPECT_EQ(x.grad().shape(), x.shape());
  }
}

// ---- conv_transpose2d against a scatter loop ----

struct TCfg {
  int64_t n, c, h, w, o, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw, groups;
  int64_t oh() const { return (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1; }
  int64_t ow() const { return (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1; }
};

// y[n, g·og + c, i·sh − ph + r·dh, j·sw − pw + s·dw] += w[k, c, r, s] · x[n, k, i, j] (k in group g), + b.
Ref naive_conv_transpose2d(const TCfg& f, const std::vector<double>& x, const std::vector<double>& w,
                           const std::vector<double>& b, const std::vector<double>& dy) {
  const int64_t cg = f.c / f.groups, og = f.o / f.groups, oh = f.oh(), ow = f.ow();
  Ref r{std::vector<double>(f.n * f.o * oh * ow), std::vector<double>(x.size()), std::vector<double>(w.size()),
        std::vector<double>(f.o)};
  for (int64_t n = 0; n < f.n; ++n)
    for (int64_t o = 0; o < f.o; ++o)
      for (int64_t p = 0; p < oh * ow; ++p) {
        r.y[(n * f.o + o) * oh * ow + p] = b[o];
        r.db[o] += dy[(n * f.o + o) * oh * ow + p];
      }
  for (int64_t n = 0; n < f.n; ++n)
    for (int64_t k = 0; k < f.c; ++k)
      for (int64_t i = 0; i < f.h; ++i)
        for (int64_t j = 0; j < f.w; ++j)
          for (int64_t c = 0; c < og; ++c)
            for (int64_t kr = 0; kr < f.kh; ++kr)
              for (int64_t ks = 0; ks < f.kw; ++ks) {
                const int64_t yi = i * f.sh - f.ph + kr * f.dh, yj = j * f.sw - f.pw + ks * f.dw;
                if (yi < 0 || yi >= oh || yj < 0 || yj >= ow) continue;
                const int64_t xo = ((n * f.c + k) * f.h + i) * f.w + j, wo = ((k * og + c) * f.kh + kr) * f.kw + ks;
                const int64_t yo = ((n * f.o + (k / cg) * og + c) * oh + yi) * ow + yj;
                r.y[yo] += w[wo] * x[xo];
                r.dx[xo] += w[wo] * dy[yo];
                r.dw[wo] += x[xo] * dy[yo];
              }
  return r;
}

TEST(ConvTranspose2d, MatchesNaiveScatterOnRandomConfigurations) {
  std::mt19937_64 rng(99);
  Generator g(5);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (int t = 0; t < 60; ++t) {
    TCfg f{pick(1, 3), 0, pick(1, 6), pick(1, 6), 0, pick(1, 4), pick(1, 4), pick(1, 3), pick(1, 3), 0, 0, 0, 0,
           pick(1, 2), pick(1, 2), pick(1, 3)};
    f.c = f.groups * pick(1, 3), f.o = f.groups * pick(1, 3);
    f.ph = pick(0, 1), f.pw = pick(0, 1);
    f.oph = pick(0, std::max(f.sh, f.dh) - 1), f.opw = pick(0, std::max(f.sw, f.dw) - 1);
    if (f.oh() < 1 || f.ow() < 1) continue;
    for (DType dt : {kFloat64, kFloat32}) {
      SCOPED_TRACE(::testing::Message() << "case " << t << (dt == kFloat64 ? " float64" : " float32"));
      const auto x = random_vector(f.n * f.c * f.h * f.w, g);
      const auto w = random_vector(f.c * (f.o / f.groups) * f.kh * f.kw, g);
      const auto b = random_vector(f.o, g), dy = random_vector(f.n * f.o * f.oh() * f.ow(), g);
      const Ref ref = naive_conv_transpose2d(f, x, w, b, dy);
      Tensor xt = leaf(x, {f.n, f.c, f.h, f.w}, t % 2 == 1, dt);
      Tensor wt = leaf(w, {f.c, f.o / f.groups, f.kh, f.kw}, false, dt);
      Tensor bt = leaf(b, {f.o}, false, dt);
      Tensor y = conv_transpose2d(xt, wt, bt,
                                  {.stride = {f.sh, f.sw}, .padding = {f.ph, f.pw}, .output_padding = {f.oph, f.opw},
                                   .groups = f.groups, .dilation = {f.dh, f.dw}});
      ASSERT_EQ(y.shape(), Shape({f.n, f.o, f.oh(), f.ow()}));
      const double tol = dt == kFloat64 ? 1e-12 : 2e-5;
      EXPECT_LE(max_rel_err(y.to_vector<double>(), ref.y), tol) << "forward";
      y.backward(from_vector(dy, y.shape()).to(dt));
      EXPECT_LE(max_rel_err(xt.grad().to_vector<double>(), ref.dx), tol) << "dx";
      EXPECT_LE(max_rel_err(wt.grad().to_vector<double>(), ref.dw), tol) << "dw";
      EXPECT_LE(max_rel_err(bt.grad().to_vector<double>(), ref.db), tol) << "db";
    }
  }
}

// ---- im2col / col2im ----

TEST(Im2col, Col2imIsItsExactAdjoint) {
  std::mt19937_64 rng(17);
  Generator g(23);
  for (int t = 0; t < 200; ++t) {
    const Cfg f = random_cfg(rng);
    kernels::ConvGeometry geo{1, f.c / f.groups, f.h, f.w, 1, f.oh(), f.ow(), f.kh, f.kw, f.sh, f.sw, f.pt, f.pl,
                              f.dh, f.dw, 1};
    const auto x = random_vector(geo.ci * f.h * f.w, g), y = random_vector(geo.k() * geo.p(), g);
    std::vector<double> col(y.size(), NAN), back(x.size(), 0.0);
    kernels::im2col_cpu(col.data(), x.data(), geo);
    kernels::col2im_cpu(back.data(), y.data(), geo);
    double lhs = 0, rhs = 0, scale = 0;
    for (size_t i = 0; i < col.size(); ++i) lhs += col[i] * y[i], scale += std::fabs(col[i] * y[i]);
    for (size_t i = 0; i < x.size(); ++i) rhs += x[i] * back[i];
    EXPECT_NEAR(lhs, rhs, 1e-13 * (1 + scale)) << f.str();  // ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩
  }
}

// ---- determinism ----

TEST(Conv2d, BitwiseDeterministicAtTwoThreads) {
  const int saved = get_num_threads();
  set_num_threads(2);
  Generator g(1);
  struct Case {
    Shape x, w;
    Conv2dOptions opt;
  };
  const std::vector<Case> cases = {{{16, 8, 13, 13}, {16, 8, 3, 3}, {}},
                                   {{6, 16, 12, 12}, {32, 16, 1, 1}, {}},
                                   {{8, 12, 10, 10}, {12, 1, 3, 3}, {.padding = 1, .groups = 12}},
                                   {{1, 32, 20, 20}, {32, 32, 3, 3}, {.padding = "same"}}};
  for (const Case& c : cases) {
    Tensor x = randn(c.x, &g), w = randn(c.w, &g), b = randn({c.w[0]}, &g), dy;
    std::vector<Tensor> runs[2];
    for (auto& run : runs) {
      Tensor xl = x.detach().requires_grad_(), wl = w.detach().requires_grad_(), bl = b.detach().requires_grad_();
      Tensor y = conv2d(xl, wl, bl, c.opt);
      if (!dy.defined()) dy = randn(y.shape(), &g);
      y.backward(dy);
      run = {y, xl.grad(), wl.grad(), bl.grad()};
    }
    for (size_t i = 0; i < runs[0].size(); ++i) EXPECT_TRUE(testing::bitwise_equal(runs[0][i], runs[1][i])) << i;
  }
  set_num_threads(saved);
}

// ---- errors ----

TEST(ConvErrors, BadArgumentsNameTheOpAndTheShapes) {
  Tensor x = randn({2, 3, 8, 8}), w = randn({4, 3, 3, 3});
  EXPECT_TT_ERROR(conv2d(x, randn({4, 2, 3, 3})), "conv2d", "[2, 3, 8, 8]", "has 3 channels", "[4, 2, 3, 3]");
  EXPECT_TT_ERROR(conv2d(randn({1, 1, 2, 2}), randn({1, 1, 3, 3})), "conv2d", "larger than the padded input",
                  "(2, 2)", "(3, 3)");
  EXPECT_TT_ERROR(conv2d(randn({1, 1, 4, 4}), randn({1, 1, 3, 3}), Tensor(), {.dilation = 2}), "conv2d",
                  "spans (5, 5)");
  EXPECT_TT_ERROR(conv2d(randn({3, 8, 8}), w), "conv2d", "4-D input", "[3, 8, 8]", "unsqueeze(0)");
  EXPECT_TT_ERROR(conv2d(x, randn({4, 3, 3})), "conv2d", "4-D weight", "[4, 3, 3]");
  EXPECT_TT_ERROR(conv2d(randn({1, 4, 5, 5}), randn({3, 1, 3, 3}), Tensor(), {.groups = 3}), "conv2d", "groups 3",
                  "4 input channels");
  EXPECT_TT_ERROR(conv2d(randn({1, 6, 5, 5}), randn({4, 2, 3, 3}), Tensor(), {.groups = 3}), "conv2d", "groups 3",
                  "4 output channels");
  EXPECT_TT_ERROR(conv2d(x, w, Tensor(), {.stride = 2, .padding = "same"}), "conv2d", "\"same\"", "stride (2, 2)");
  EXPECT_TT_ERROR(conv2d(x, w, Tensor(), {.padding = {-1, 0}}), "conv2d", "padding must be >= 0", "(-1, 0)");
  EXPECT_TT_ERROR(conv2d(x, w, Tensor(), {.stride = 0}), "conv2d", "stride must be >= 1");
  EXPECT_TT_ERROR(conv2d(x, w, Tensor(), {.groups = 0}), "conv2d", "groups must be >= 1");
  EXPECT_TT_ERROR(conv2d(x, w, randn({3})), "conv2d", "bias shape [3]", "expected [4]");
  EXPECT_TT_ERROR(conv2d(x, w.to(kFloat64)), "conv2d", "weight dtype");
  EXPECT_TT_ERROR(conv2d(x, w, Tensor(), {.padding = "full"}), "padding", "\"full\"");
  EXPECT_TT_ERROR(conv1d(x, w), "conv1d", "3-D input [N, C, L]", "[2, 3, 8, 8]");
  EXPECT_TT_ERROR(conv1d(randn({2, 3, 2}), randn({4, 3, 5})), "conv1d", "larger than the padded input", "spans 5");
  EXPECT_TT_ERROR(conv1d(randn({2, 3, 9}), randn({4, 3, 3}), Tensor(), {.padding = -2}), "conv1d", "padding", "-2");
  EXPECT_TT_ERROR(conv_transpose2d(x, randn({2, 4, 3, 3})), "conv_transpose2d", "has 3 channels", "[2, 4, 3, 3]");
  EXPECT_TT_ERROR(conv_transpose2d(x, randn({3, 4, 3, 3}), Tensor(), {.stride = 2, .output_padding = 2}),
                  "conv_transpose2d", "output_padding (2, 2)", "stride (2, 2)");
  EXPECT_TT_ERROR(conv_transpose2d(randn({1, 3, 1, 1}), randn({3, 4, 3, 3}), Tensor(), {.padding = 2}),
                  "conv_transpose2d", "not positive");
  EXPECT_TT_ERROR(conv_transpose2d(randn({3, 8, 8}), w), "conv_transpose2d", "4-D input");
}

TEST(ConvErrors, SizeZeroBatchGivesAnEmptyOutputAndZeroWeightGradient) {
  Tensor x = randn({0, 3, 6, 6}).requires_grad_(), w = randn({4, 3, 3, 3}).requires_grad_();
  Tensor b = randn({4}).requires_grad_();
  Tensor y = conv2d(x, w, b, {.padding = 1});
  EXPECT_EQ(y.shape(), Shape({0, 4, 6, 6}));
  sum(y).backward();
  EXPECT_EQ(w.grad().to_vector<double>(), std::vector<double>(w.numel(), 0.0));
  EXPECT_EQ(b.grad().to_vector<double>(), std::vector<double>(4, 0.0));
}

}  // namespace
}  // namespace tt
