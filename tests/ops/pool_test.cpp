// Ops max_pool2d, avg_pool2d and adaptive_avg_pool2d against naive float64 references (one window
// scan per output, written from PyTorch's definitions) over random configurations — strides,
// padding, dilation, ceil_mode, count_include_pad, odd sizes — forward and input gradient; NaN, −inf
// and tie rules of max pooling; non-contiguous and 3-D inputs; bitwise determinism across thread
// counts; bad input. Also nn::functional::dropout2d (channel dropout). PyTorch golden values are in
// tests/nn/golden_pool_bn_test.cpp, gradchecks in tests/autograd.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/generator.h"
#include "core/parallel.h"
#include "nn/pooling.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

struct Cfg {
  int64_t N, C, H, W, kh, kw, sh, sw, ph, pw, dh = 1, dw = 1;
  bool ceil = false, include_pad = true;
};

std::ostream& operator<<(std::ostream& os, const Cfg& c) {
  return os << "x [" << c.N << ", " << c.C << ", " << c.H << ", " << c.W << "] kernel (" << c.kh << ", " << c.kw
            << ") stride (" << c.sh << ", " << c.sw << ") padding (" << c.ph << ", " << c.pw << ") dilation (" << c.dh
            << ", " << c.dw << ") ceil " << c.ceil << " include_pad " << c.include_pad;
}

// PyTorch's pooling_output_shape, with Python's floor division.
int64_t ref_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
  const double num = static_cast<double>(in + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0));
  int64_t out = static_cast<int64_t>(std::floor(num / s)) + 1;
  if (ceil && (out - 1) * s >= in + p) --out;
  return out;
}

// A reference pooling: y, and for each output the input cells it reads with their weights, so
// dx = Σ_o weight·dy[o] follows for every pooling kind alike.
struct Tap {
  int64_t in;
  double w;
};
struct RefPool {
  Shape y_shape;
  std::vector<double> y;
  std::vector<std::vector<Tap>> taps;
  std::vector<double> backward(const std::vector<double>& dy, size_t x_numel) const {
    std::vector<double> dx(x_numel, 0.0);
    for (size_t o = 0; o < taps.size(); ++o)
      for (const Tap& t : taps[o]) dx[t.in] += t.w * dy[o];
    return dx;
  }
};

// PyTorch's cpu_max_pool: scan the window in row-major order from −inf, take `v > max || isnan(v)`;
// the index starts at the window's first input cell.
RefPool ref_max_pool(const Cfg& c, const std::vector<double>& x) {
  const int64_t OH = ref_out(c.H, c.kh, c.sh, c.ph, c.dh, c.ceil), OW = ref_out(c.W, c.kw, c.sw, c.pw, c.dw, c.ceil);
  RefPool r{Shape{c.N, c.C, OH, OW}, {}, {}};
  for (int64_t p = 0; p < c.N * c.C; ++p)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double best = -INFINITY;
        int64_t arg = -1;
        for (int64_t i = 0; i < c.kh; ++i)
          for (int64_t j = 0; j < c.kw; ++j) {
            const int64_t ih = oh * c.sh - c.ph + i * c.dh, iw = ow * c.sw - c.pw + j * c.dw;
            if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
            const int64_t at = (p * c.H + ih) * c.W + iw;
            if (arg < 0) arg = at;
            if (x[at] > best || std::isnan(x[at])) best = x[at], arg = at;
          }
        r.y.push_back(best);
        r.taps.push_back(arg < 0 ? std::vector<Tap>{} : std::vector<Tap>{{arg, 1.0}});
      }
  return r;
}

// PyTorch's cpu_avg_pool: the window clipped to the padded input gives the pool size; then clipped
// to the input it gives the cells summed.
RefPool ref_avg_pool(const Cfg& c, const std::vector<double>& x) {
  const int64_t OH = ref_out(c.H, c.kh, c.sh, c.ph, 1, c.ceil), OW = ref_out(c.W, c.kw, c.sw, c.pw, 1, c.ceil);
  RefPool r{Shape{c.N, c.C, OH, OW}, {}, {}};
  for (int64_t p = 0; p < c.N * c.C; ++p)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t h0 = oh * c.sh - c.ph, w0 = ow * c.sw - c.pw;
        int64_t h1 = std::min(h0 + c.kh, c.H + c.ph), w1 = std::min(w0 + c.kw, c.W + c.pw);
        const int64_t pool = (h1 - h0) * (w1 - w0);
        h0 = std::max<int64_t>(h0, 0), w0 = std::max<int64_t>(w0, 0);
        h1 = std::min(h1, c.H), w1 = std::min(w1, c.W);
        const double div = c.include_pad ? pool : (h1 - h0) * (w1 - w0);
        double s = 0;
        std::vector<Tap> taps;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) {
            const int64_t at = (p * c.H + ih) * c.W + iw;
            s += x[at];
            taps.push_back({at, 1.0 / div});
          }
        r.y.push_back(taps.empty() ? 0.0 : s / div);
        r.taps.push_back(taps);
      }
  return r;
}

// PyTorch's adaptive windows: [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉).
RefPool ref_adaptive(const Cfg& c, int64_t OH, int64_t OW, const std::vector<double>& x) {
  RefPool r{Shape{c.N, c.C, OH, OW}, {}, {}};
  for (int64_t p = 0; p < c.N * c.C; ++p)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t h0 = oh * c.H / OH, h1 = ((oh + 1) * c.H + OH - 1) / OH;
        const int64_t w0 = ow * c.W / OW, w1 = ((ow + 1) * c.W + OW - 1) / OW;
        const double n = static_cast<double>((h1 - h0) * (w1 - w0));
        double s = 0;
        std::vector<Tap> taps;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) {
            const int64_t at = (p * c.H + ih) * c.W + iw;
            s += x[at];
            taps.push_back({at, 1.0 / n});
          }
        r.y.push_back(s / n);
        r.taps.push_back(taps);
      }
  return r;
}

// Float32-representable values, so both dtypes see exactly the same input.
std::vector<double> random_input(const Shape& s, Generator& g) { return randn(s, &g).to_vector<double>(); }

// Runs `op` on x in `dt`, backpropagates a random dy and compares y and x.grad with `ref`.
template <typename Op>
void expect_matches(const RefPool& ref, const std::vector<double>& x, const Shape& x_shape, Op op, DType dt,
                    Generator& g) {
  const double tol = dt == kFloat64 ? 1e-13 : 2e-6;
  Tensor xt = from_vector(x, x_shape).to(dt).requires_grad_();
  Tensor y = op(xt);
  ASSERT_EQ(y.shape(), ref.y_shape);
  EXPECT_EQ(y.dtype(), dt);
  EXPECT_TRUE(testing::values_near(y, ref.y, tol)) << "forward";
  std::vector<double> dy = random_input(ref.y_shape, g);
  y.backward(from_vector(dy, ref.y_shape).to(dt));
  EXPECT_TRUE(testing::values_near(xt.grad(), ref.backward(dy, x.size()), tol)) << "input gradient";
}

// A random configuration: odd sizes 1..11, kernel 1..4, stride 1..3, padding 0..kernel/2.
Cfg random_cfg(Generator& g, bool dilate) {
  Cfg c{};
  c.N = g.randint(1, 3), c.C = g.randint(1, 4), c.H = g.randint(1, 12), c.W = g.randint(1, 12);
  c.kh = g.randint(1, 5), c.kw = g.randint(1, 5), c.sh = g.randint(1, 4), c.sw = g.randint(1, 4);
  c.ph = g.randint(0, c.kh / 2 + 1), c.pw = g.randint(0, c.kw / 2 + 1);
  if (dilate) c.dh = g.randint(1, 3), c.dw = g.randint(1, 3);
  c.ceil = g.randint(0, 2) == 1, c.include_pad = g.randint(0, 2) == 1;
  return c;
}

TEST(MaxPool2d, MatchesNaiveReferenceOnRandomConfigs) {
  Generator g(21);
  int checked = 0;
  for (int it = 0; it < 150; ++it) {
    const Cfg c = random_cfg(g, true);
    SCOPED_TRACE(::testing::Message() << c);
    const Shape xs{c.N, c.C, c.H, c.W};
    const std::vector<double> x = random_input(xs, g);
    auto op = [&](const Tensor& t) { return max_pool2d(t, {c.kh, c.kw}, {c.sh, c.sw}, {c.ph, c.pw}, {c.dh, c.dw}, c.ceil); };
    if (ref_out(c.H, c.kh, c.sh, c.ph, c.dh, c.ceil) < 1 || ref_out(c.W, c.kw, c.sw, c.pw, c.dw, c.ceil) < 1) {
      EXPECT_TT_ERROR(op(from_vector(x, xs)), "max_pool2d", "too small");
      continue;
    }
    ++checked;
    for (DType dt : {kFloat64, kFloat32}) expect_matches(ref_max_pool(c, x), x, xs, op, dt, g);
  }
  EXPECT_GT(checked, 80);
}

// The 2×2 stride-2 window has its own kernel (AVX-512 rows, 16 outputs a step): widths around
// the 16-output step and 32-column loads, odd sizes, and ceil_mode (whose last window is partial
// and must take the general path).
TEST(MaxPool2d, TwoByTwoStrideTwoMatchesNaiveReference) {
  Generator g(23);
  for (int64_t w : {2, 3, 5, 13, 26, 31, 32, 33, 35, 64, 67})
    for (bool ceil : {false, true}) {
      Cfg c{};
      c.N = 2, c.C = 3, c.H = w % 7 + 2, c.W = w, c.kh = c.kw = c.sh = c.sw = 2, c.dh = c.dw = 1, c.ceil = ceil;
      SCOPED_TRACE(::testing::Message() << c);
      const Shape xs{c.N, c.C, c.H, c.W};
      const std::vector<double> x = random_input(xs, g);
      auto op = [&](const Tensor& t) { return max_pool2d(t, 2, 2, 0, 1, ceil); };
      for (DType dt : {kFloat64, kFloat32}) expect_matches(ref_max_pool(c, x), x, xs, op, dt, g);
    }
}

TEST(AvgPool2d, MatchesNaiveReferenceOnRandomConfigs) {
  Generator g(22);
  int checked = 0;
  for (int it = 0; it < 150; ++it) {
    const Cfg c = random_cfg(g, false);
    SCOPED_TRACE(::testing::Message() << c);
    const Shape xs{c.N, c.C, c.H, c.W};
    const std::vector<double> x = random_input(xs, g);
    auto op = [&](const Tensor& t) {
      return avg_pool2d(t, {c.kh, c.kw}, {c.sh, c.sw}, {c.ph, c.pw}, c.ceil, c.include_pad);
    };
    if (ref_out(c.H, c.kh, c.sh, c.ph, 1, c.ceil) < 1 || ref_out(c.W, c.kw, c.sw, c.pw, 1, c.ceil) < 1) {
      EXPECT_TT_ERROR(op(from_vector(x, xs)), "avg_pool2d", "too small");
      continue;
    }
    ++checked;
    for (DType dt : {kFloat64, kFloat32}) expect_matches(ref_avg_pool(c, x), x, xs, op, dt, g);
  }
  EXPECT_GT(checked, 80);
}

TEST(AdaptiveAvgPool2d, MatchesNaiveReferenceIncludingOverlappingWindows) {
  Generator g(23);
  for (int it = 0; it < 60; ++it) {
    Cfg c{};
    c.N = g.randint(1, 3), c.C = g.randint(1, 4), c.H = g.randint(1, 14), c.W = g.randint(1, 14);
    const int64_t OH = g.randint(1, 9), OW = g.randint(1, 9);  // also OH > H: windows repeat rows
    SCOPED_TRACE(::testing::Message() << c << " output (" << OH << ", " << OW << ")");
    const Shape xs{c.N, c.C, c.H, c.W};
    const std::vector<double> x = random_input(xs, g);
    auto op = [&](const Tensor& t) { return adaptive_avg_pool2d(t, {OH, OW}); };
    for (DType dt : {kFloat64, kFloat32}) expect_matches(ref_adaptive(c, OH, OW, x), x, xs, op, dt, g);
  }
}

TEST(AdaptiveAvgPool2d, GlobalPoolingIsThePlaneMean) {
  Generator g(24);
  Tensor x = randn({3, 5, 17, 19}, &g, kFloat64);
  EXPECT_TRUE(testing::tensors_near(adaptive_avg_pool2d(x, 1), mean(x, {2, 3}, true), 1e-14));
  EXPECT_EQ(adaptive_avg_pool2d(x, {0, 2}).shape(), Shape({3, 5, 0, 2}));
}

TEST(MaxPool2d, NaNPropagatesAndTakesTheGradient) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor x = from_vector(std::vector<double>{1, nan, 3, nan, 5, 2}, Shape{1, 1, 1, 6}).requires_grad_();
  Tensor y = max_pool2d(x, {1, 5}, 1);  // windows [1 nan 3 nan 5], [nan 3 nan 5 2]
  EXPECT_TRUE(std::isnan(y.to_vector<double>()[0]) && std::isnan(y.to_vector<double>()[1]));
  y.backward(ones({1, 1, 1, 2}, kFloat64));
  EXPECT_VALUES(x.grad(), {0, 0, 0, 2, 0, 0});  // PyTorch: the index ends on the window's last NaN
  Tensor f = from_vector(std::vector<float>{NAN, 1.f, 2.f, 3.f}, Shape{1, 1, 2, 2});
  EXPECT_TRUE(std::isnan(max_pool2d(f, 2).item()));
}

TEST(MaxPool2d, TiesGoToTheFirstCellAndPaddingNeverWins) {
  Tensor x = from_vector(std::vector<double>{2, 2, 1, 2}, Shape{1, 1, 2, 2}).requires_grad_();
  Tensor y = max_pool2d(x, 2);
  y.backward(ones({1, 1, 1, 1}, kFloat64));
  EXPECT_VALUES(x.grad(), {1, 0, 0, 0});
  // All −inf: padded cells (also −inf) never win; the first input cell of each window does.
  Tensor m = full({1, 1, 1, 3}, -INFINITY, kFloat64).requires_grad_();
  Tensor z = max_pool2d(m, {1, 3}, 1, {0, 1});
  EXPECT_VALUES(z, {-INFINITY, -INFINITY, -INFINITY});
  z.backward(from_vector(std::vector<double>{1, 10, 100}, Shape{1, 1, 1, 3}));
  EXPECT_VALUES(m.grad(), {11, 100, 0});  // windows start at cells 0, 0, 1
}

TEST(Pool2d, NonContiguousAndThreeDInputsMatchContiguousFourD) {
  Generator g(25);
  Tensor nhwc = randn({2, 9, 11, 3}, &g, kFloat64);
  Tensor x = nhwc.permute({0, 3, 1, 2});  // [2, 3, 9, 11], channels innermost in memory
  Tensor sliced = randn({2, 6, 9, 22}, &g, kFloat64).slice(1, 0, 6, 2).slice(3, 1, 22, 2);  // [2, 3, 9, 11]
  using Fn = Tensor (*)(const Tensor&);
  const Fn ops[] = {
      [](const Tensor& t) { return max_pool2d(t, 3, 2, 1); },
      [](const Tensor& t) { return avg_pool2d(t, {3, 2}, {2, 1}, {1, 0}, true, false); },
      [](const Tensor& t) { return adaptive_avg_pool2d(t, {4, 3}); },
  };
  for (Fn op : ops)
    for (const Tensor& v : {x, sliced}) {
      ASSERT_FALSE(v.is_contiguous());
      EXPECT_TRUE(testing::bitwise_equal(op(v), op(v.contiguous())));
      Tensor img = v.select(0, 1);  // [C, H, W]
      EXPECT_TRUE(testing::bitwise_equal(op(img), op(img.unsqueeze(0)).squeeze(0)));
    }
}

TEST(Pool2d, ResultsAndGradientsDoNotDependOnThreadCount) {
  Generator g(26);
  Tensor x = randn({4, 16, 33, 31}, &g), dy1 = randn({4, 16, 17, 16}, &g), dy2 = randn({4, 16, 5, 7}, &g);
  auto run = [&](auto op, const Tensor& dy) {
    Tensor xl = x.detach().clone().requires_grad_();
    Tensor y = op(xl);
    y.backward(dy);
    return std::pair{y.detach(), xl.grad()};
  };
  auto mp = [](const Tensor& t) { return max_pool2d(t, 3, 2, 1); };
  auto ap = [](const Tensor& t) { return avg_pool2d(t, 3, 2, 1, true); };
  auto ad = [](const Tensor& t) { return adaptive_avg_pool2d(t, {5, 7}); };
  const int threads = get_num_threads();
  set_num_threads(1);
  auto m1 = run(mp, dy1), a1 = run(ap, dy1), d1 = run(ad, dy2);
  set_num_threads(2);
  auto m2 = run(mp, dy1), a2 = run(ap, dy1), d2 = run(ad, dy2);
  set_num_threads(threads);
  for (auto [one, two] : {std::pair{m1, m2}, std::pair{a1, a2}, std::pair{d1, d2}}) {
    EXPECT_TRUE(testing::bitwise_equal(one.first, two.first));
    EXPECT_TRUE(testing::bitwise_equal(one.second, two.second));
  }
}

TEST(Pool2d, BadInputNamesTheOpAndShapes) {
  EXPECT_TT_ERROR(max_pool2d(zeros({4, 5}), 2), "max_pool2d", "3-D", "4-D", "[4, 5]");
  EXPECT_TT_ERROR(max_pool2d(zeros({1, 2, 3, 4, 5}), 2), "max_pool2d", "[1, 2, 3, 4, 5]");
  EXPECT_TT_ERROR(avg_pool2d(zeros({2, 3}), 2), "avg_pool2d", "[2, 3]");
  EXPECT_TT_ERROR(adaptive_avg_pool2d(zeros({8}), 2), "adaptive_avg_pool2d", "[8]");
  EXPECT_TT_ERROR(max_pool2d(zeros({1, 1, 3, 3}), 5), "max_pool2d", "too small", "[1, 1, 3, 3]", "(5, 5)");
  EXPECT_TT_ERROR(max_pool2d(zeros({1, 1, 3, 3}), 3, 1, 1, 3), "max_pool2d", "too small", "dilation (3, 3)");
  EXPECT_TT_ERROR(avg_pool2d(zeros({1, 1, 4, 2}), {2, 5}, 1, {1, 1}), "avg_pool2d", "too small", "(2, 5)");
  EXPECT_TT_ERROR(max_pool2d(zeros({1, 1, 8, 8}), 3, 1, 2), "max_pool2d", "padding (2, 2)", "half", "(3, 3)");
  EXPECT_TT_ERROR(avg_pool2d(zeros({1, 1, 8, 8}), {4, 2}, 1, {1, 2}), "avg_pool2d", "padding (1, 2)", "(4, 2)");
  EXPECT_TT_ERROR(max_pool2d(zeros({1, 1, 8, 8}), 0), "max_pool2d", "kernel_size", "(0, 0)");
  EXPECT_TT_ERROR(max_pool2d(zeros({1, 1, 8, 8}), 2, {1, -1}), "max_pool2d", "stride", "(1, -1)");
  EXPECT_TT_ERROR(max_pool2d(zeros({1, 1, 8, 8}), 2, 2, 0, 0), "max_pool2d", "dilation", "(0, 0)");
  EXPECT_TT_ERROR(max_pool2d(zeros({1, 1, 8, 8}, kInt64), 2), "max_pool2d", "int64");
  EXPECT_TT_ERROR(max_pool2d(zeros({2, 0, 8, 8}), 2), "max_pool2d", "non-zero", "[2, 0, 8, 8]");
  EXPECT_TT_ERROR(adaptive_avg_pool2d(zeros({1, 1, 4, 4}), {2, -1}), "adaptive_avg_pool2d", "(2, -1)", "[1, 1, 4, 4]");
  EXPECT_TT_ERROR(max_pool2d(Tensor(), 2), "max_pool2d", "undefined");
}

TEST(Pool2d, SizeZeroBatch) {
  Tensor x = zeros({0, 3, 6, 6}).requires_grad_();
  Tensor y = max_pool2d(x, 2) + avg_pool2d(x, 2) + adaptive_avg_pool2d(x, 3);
  EXPECT_EQ(y.shape(), Shape({0, 3, 3, 3}));
  sum(y).backward();
  EXPECT_EQ(x.grad().shape(), x.shape());
}

// ---- channel dropout (nn::functional::dropout2d) ----

TEST(Dropout2d, ZeroesWholeChannelsAtRateP) {
  const double p = 0.3;
  Generator g(27);
  Tensor y = nn::functional::dropout2d(ones({64, 32, 3, 3}), p, true, &g);
  std::vector<double> v = y.to_vector<double>();
  int64_t dropped = 0;
  for (int64_t plane = 0; plane < 64 * 32; ++plane) {
    const double first = v[plane * 9];
    EXPECT_TRUE(first == 0.0 || std::fabs(first - 1 / (1 - p)) < 1e-6) << first;
    for (int k = 1; k < 9; ++k) ASSERT_EQ(v[plane * 9 + k], first) << "plane " << plane << " is not uniform";
    dropped += first == 0.0;
  }
  const double rate = dropped / 2048.0, sigma = std::sqrt(p * (1 - p) / 2048);
  EXPECT_NEAR(rate, p, 4 * sigma);
}

TEST(Dropout2d, ReproducibleWithASeedAndIdentityInEval) {
  Tensor x = randn({4, 8, 5, 5});
  manual_seed(99);
  Tensor a = nn::functional::dropout2d(x, 0.5, true);
  manual_seed(99);
  Tensor b = nn::functional::dropout2d(x, 0.5, true);
  EXPECT_TRUE(testing::bitwise_equal(a, b));
  Generator g1(5), g2(5);
  EXPECT_TRUE(testing::bitwise_equal(nn::functional::dropout2d(x, 0.5, true, &g1),
                                     nn::functional::dropout2d(x, 0.5, true, &g2)));
  EXPECT_TRUE(nn::functional::dropout2d(x, 0.5, false).is_same(x));
  EXPECT_TRUE(nn::functional::dropout2d(x, 0.0, true).is_same(x));
  EXPECT_VALUES(sum(abs(nn::functional::dropout2d(x, 1.0, true))), {0});
  EXPECT_EQ(nn::functional::dropout2d(randn({8, 5, 5}), 0.5, true).shape(), Shape({8, 5, 5}));
  // The gradient is the same mask: kept planes get 1/(1 − p), dropped ones 0.
  Tensor xl = ones({2, 6, 2, 2}).requires_grad_();
  Generator g3(6);
  Tensor y = nn::functional::dropout2d(xl, 0.5, true, &g3);
  sum(y).backward();
  EXPECT_TRUE(testing::bitwise_equal(xl.grad(), y.detach()));
}

TEST(Dropout2d, BadInput) {
  EXPECT_TT_ERROR(nn::functional::dropout2d(ones({2, 3}), 0.5, true), "dropout2d", "[2, 3]");
  EXPECT_TT_ERROR(nn::functional::dropout2d(ones({2, 3, 4, 4}), 1.5, true), "dropout2d", "1.5");
  EXPECT_TT_ERROR(nn::Dropout2d(-0.1), "Dropout2d", "-0.1");
}

}  // namespace
}  // namespace tt
