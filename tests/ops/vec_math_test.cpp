// Tests for the float32 vector math (ops/unary/vec_math.h) on every ISA this CPU has: the max error in
// ulps against float64 libm over a sweep of the whole float32 domain (every 4099th bit pattern),
// random arguments in [-100, 100], tiny and denormal arguments and the edges of overflow, underflow
// and the approximations' branch points; special values (NaN, ±inf, ±0, denormals); lengths 0..33 at
// unaligned addresses and in place; the AVX-512 and AVX2 versions agreeing bit for bit; the fused
// GELU rows; and the softmax row primitives vmax and vexp_sum. Not a benchmark (docs/vector_math.md
// has the speed).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ops/unary/vec_math.h"

namespace {

using namespace tt::kernels;

using VecFn = void (*)(const float*, float*, int64_t);

// Measured max errors (ulp, all 2^32 inputs, AVX-512 and AVX2 alike): exp 1.01, expm1 1.44, log 0.82,
// tanh 1.50, erf 0.76, sigmoid 2.40; max_ulp sits just above. The scalar ISA is glibc's float
// functions, held to libm_ulp instead: glibc documents tanhf at 2 ulp (measured here 2.09).
struct Fn {
  const char* name;
  VecFn vec;
  double (*ref)(double);
  double max_ulp, libm_ulp;
};
const Fn kFns[] = {
    {"exp", vexp, [](double x) { return std::exp(x); }, 1.1, 1.1},
    {"expm1", vexpm1, [](double x) { return std::expm1(x); }, 1.5, 1.5},
    {"log", vlog, [](double x) { return std::log(x); }, 1.0, 1.0},
    {"tanh", vtanh, [](double x) { return std::tanh(x); }, 1.6, 2.5},
    {"erf", verf, [](double x) { return std::erf(x); }, 0.8, 1.2},
    {"sigmoid", vsigmoid, [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, 2.5, 2.5},
};

float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint32_t to_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// |y − ref| in units of the float32 ulp at ref (2^-149 for denormals). A reference that rounds to
// ±inf or is NaN must be matched exactly.
double ulp_error(float y, double ref) {
  if (std::isnan(ref)) return std::isnan(y) ? 0 : INFINITY;
  const float rf = static_cast<float>(ref);
  if (std::isinf(rf)) return y == rf ? 0 : INFINITY;
  if (!std::isfinite(y)) return INFINITY;
  int e;
  std::frexp(ref, &e);
  return std::fabs(static_cast<double>(y) - ref) / std::ldexp(1.0, std::max(e - 24, -149));
}

struct Worst {
  double ulp = 0;
  float x = 0, y = 0;
};

Worst worst_error(const Fn& f, const std::vector<float>& xs) {
  std::vector<float> ys(xs.size());
  f.vec(xs.data(), ys.data(), static_cast<int64_t>(xs.size()));
  Worst w;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double e = ulp_error(ys[i], f.ref(xs[i]));
    if (e > w.ulp) w = {e, xs[i], ys[i]};
  }
  return w;
}

// Every 4099th bit pattern (a prime stride, so mantissas vary), both signs, NaN and inf included.
std::vector<float> sweep_inputs() {
  std::vector<float> xs;
  for (uint64_t b = 0; b < (uint64_t{1} << 32); b += 4099) xs.push_back(from_bits(static_cast<uint32_t>(b)));
  return xs;
}

// Random [-100, 100], tiny (2^-40..2^-8) and denormal arguments, and 2000 consecutive floats on each
// side of the points where a function overflows, underflows, saturates or switches approximation.
std::vector<float> targeted_inputs() {
  std::mt19937 rng(7);
  std::vector<float> xs;
  std::uniform_real_distribution<float> wide(-100.0f, 100.0f), expo(-40.0f, -8.0f);
  std::uniform_int_distribution<uint32_t> denormal(1, 0x007FFFFF);
  for (int i = 0; i < 100000; ++i) xs.push_back(wide(rng));
  for (int i = 0; i < 20000; ++i) xs.push_back((i % 2 ? -1.0f : 1.0f) * std::exp2(expo(rng)));
  for (int i = 0; i < 20000; ++i) xs.push_back(from_bits(denormal(rng) | (i % 2 ? 0x80000000u : 0u)));
  const float edges[] = {88.7228394f, -87.3365479f, -103.278931f, -103.972076f, 0.0f, 1.0f, FLT_MIN, FLT_MAX,
                         0.625f, 9.01f, 1.0f, 3.92f, -17.33f, 16.64f, 0.34657359f, -0.34657359f};
  for (float e : edges) {
    for (float s : {1.0f, -1.0f}) {
      float up = s * e, down = s * e;
      for (int i = 0; i < 2000; ++i) {
        xs.push_back(up = std::nextafter(up, INFINITY));
        xs.push_back(down = std::nextafter(down, -INFINITY));
      }
    }
  }
  return xs;
}

class VecMath : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!force_vec_math_isa(GetParam())) GTEST_SKIP() << GetParam() << " is not available on this CPU";
  }
  void TearDown() override { force_vec_math_isa(nullptr); }
  static double bound(const Fn& f) { return std::string(GetParam()) == "scalar" ? f.libm_ulp : f.max_ulp; }
};

TEST_P(VecMath, WithinUlpBoundsOverWholeDomainSweep) {
  const std::vector<float> xs = sweep_inputs();
  for (const Fn& f : kFns) {
    const Worst w = worst_error(f, xs);
    std::printf("  [%s] %-8s sweep: max %.3f ulp at x = %.9g (got %.9g)\n", GetParam(), f.name, w.ulp, w.x, w.y);
    EXPECT_LE(w.ulp, bound(f)) << f.name << " at x = " << w.x << " gave " << w.y << ", exact " << f.ref(w.x);
  }
}

TEST_P(VecMath, WithinUlpBoundsOnRandomTinyDenormalAndEdgeArguments) {
  const std::vector<float> xs = targeted_inputs();
  for (const Fn& f : kFns) {
    const Worst w = worst_error(f, xs);
    std::printf("  [%s] %-8s targeted: max %.3f ulp at x = %.9g\n", GetParam(), f.name, w.ulp, w.x);
    EXPECT_LE(w.ulp, bound(f)) << f.name << " at x = " << w.x << " gave " << w.y << ", exact " << f.ref(w.x);
  }
}

// Exact results at special arguments (NaN matches any NaN; zeros must carry the right sign).
TEST_P(VecMath, SpecialValuesAreExact) {
  const float inf = INFINITY, nan = NAN, dmin = from_bits(1), big = FLT_MAX;
  struct Case {
    VecFn fn;
    const char* name;
    std::vector<std::pair<float, float>> io;
  };
  const Case cases[] = {
      {vexp, "exp", {{nan, nan}, {inf, inf}, {-inf, 0}, {0, 1}, {-0.0f, 1}, {89, inf}, {big, inf}, {-104, 0},
                     {-big, 0}, {dmin, 1}, {-dmin, 1}}},
      {vexpm1, "expm1", {{nan, nan}, {inf, inf}, {-inf, -1}, {0, 0}, {-0.0f, -0.0f}, {dmin, dmin}, {-dmin, -dmin},
                         {89, inf}, {big, inf}, {-100, -1}, {-big, -1}}},
      {vlog, "log", {{nan, nan}, {inf, inf}, {-inf, nan}, {0, -inf}, {-0.0f, -inf}, {-1, nan}, {-dmin, nan},
                     {1, 0}, {-big, nan}}},
      {vtanh, "tanh", {{nan, nan}, {inf, 1}, {-inf, -1}, {0, 0}, {-0.0f, -0.0f}, {dmin, dmin}, {-dmin, -dmin},
                       {20, 1}, {-20, -1}, {big, 1}, {-big, -1}}},
      {verf, "erf", {{nan, nan}, {inf, 1}, {-inf, -1}, {0, 0}, {-0.0f, -0.0f}, {10, 1}, {-10, -1}, {big, 1},
                     {-big, -1}}},
      {vsigmoid, "sigmoid", {{nan, nan}, {inf, 1}, {-inf, 0}, {0, 0.5f}, {-0.0f, 0.5f}, {100, 1}, {-200, 0},
                             {big, 1}, {-big, 0}}},
  };
  for (const Case& c : cases) {
    for (auto [x, want] : c.io) {
      float y = 12345.0f;
      c.fn(&x, &y, 1);
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(y)) << c.name << "(" << x << ") = " << y << ", expected NaN";
      } else {
        EXPECT_EQ(to_bits(y), to_bits(want)) << c.name << "(" << x << ") = " << y << ", expected " << want;
      }
    }
  }
  // log of denormals: exact scaling, so within the normal bound.
  float xs[] = {dmin, from_bits(0x00400000), from_bits(0x007FFFFF)}, ys[3];
  vlog(xs, ys, 3);
  for (int i = 0; i < 3; ++i) EXPECT_LE(ulp_error(ys[i], std::log(static_cast<double>(xs[i]))), 1.0) << xs[i];
}

// Every length 0..33 at every alignment mod 16 bytes, and in place, gives the bits of one long call;
// nothing outside [0, n) is written.
TEST_P(VecMath, TailsUnalignedAndInPlaceMatchLongCall) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-6.0f, 6.0f);
  std::vector<float> in(64), ref(64);
  for (float& v : in) v = dist(rng);
  for (const Fn& f : kFns) {
    std::vector<float> src = in;
    if (std::string(f.name) == "log")
      for (float& v : src) v = std::fabs(v) + 0.01f;
    f.vec(src.data(), ref.data(), 64);
    for (int off = 0; off < 4; ++off) {
      for (int n = 0; n <= 33; ++n) {
        std::vector<float> x(48, 7.0f), y(48, 12345.0f);
        std::copy(src.begin(), src.begin() + n, x.begin() + off);
        f.vec(x.data() + off, y.data() + off, n);
        for (int i = 0; i < 48; ++i) {
          const bool inside = i >= off && i < off + n;
          EXPECT_EQ(to_bits(y[i]), to_bits(inside ? ref[i - off] : 12345.0f))
              << f.name << " n=" << n << " off=" << off << " i=" << i;
        }
        f.vec(x.data() + off, x.data() + off, n);  // in place
        for (int i = 0; i < n; ++i) EXPECT_EQ(to_bits(x[off + i]), to_bits(ref[i])) << f.name << " in place";
      }
    }
  }
}

TEST_P(VecMath, ExpSumAndMaxMatchFloat64) {
  std::mt19937 rng(5);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  for (int64_t n : {0, 1, 15, 16, 17, 255, 256, 257, 1000, 10000}) {
    std::vector<float> x(n), y(n), e(n);
    for (float& v : x) v = dist(rng);
    double mx = -INFINITY, sum = 0;
    for (float v : x) mx = std::max<double>(mx, v);
    EXPECT_EQ(vmax(x.data(), n), static_cast<float>(mx)) << n;
    const float shift = n ? static_cast<float>(mx) : 0.0f;
    for (float v : x) sum += std::exp(static_cast<double>(v) - shift);
    const float s = vexp_sum(x.data(), shift, y.data(), n);
    EXPECT_NEAR(s, sum, 1e-6 * sum + 1e-30) << n;
    EXPECT_EQ(to_bits(vexp_sum(x.data(), shift, nullptr, n)), to_bits(s)) << "sum without y differs, n=" << n;
    for (int64_t i = 0; i < n; ++i) e[i] = x[i] - shift;
    vexp(e.data(), e.data(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(to_bits(y[i]), to_bits(e[i])) << "n=" << n << " i=" << i;
  }
}

// The fused rows against the same formula over this ISA's verf and vexp, evaluated in double: the
// fusion may only change the rounding of the few products and sums around them. Then lengths 0..33
// and in place against one long call, bit for bit.
TEST_P(VecMath, GeluRowsMatchTheFormulaOverErfAndExp) {
  std::mt19937 rng(13);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  const int64_t n = 4099;
  std::vector<float> x(n), dy(n), y(n), dx(n), a(n), e(n), u(n);
  const float specials[] = {0.0f, -0.0f, 1e-30f, 40.0f, -40.0f, NAN};
  for (int64_t i = 0; i < n; ++i) x[i] = i < 6 ? specials[i] : dist(rng);
  for (float& v : dy) v = dist(rng);
  vgelu(x.data(), y.data(), n);
  vgelu_backward(dy.data(), x.data(), dx.data(), n);
  for (int64_t i = 0; i < n; ++i) a[i] = x[i] * 0.70710678f, u[i] = -0.5f * x[i] * x[i];
  verf(a.data(), e.data(), n);
  vexp(u.data(), u.data(), n);
  for (int64_t i = 0; i < n; ++i) {
    const double xi = x[i], cdf = 0.5 * (1.0 + e[i]);
    const double want_y = xi * cdf, want_dx = dy[i] * (cdf + xi * 0.3989422804014327 * u[i]);
    if (std::isnan(xi)) {
      EXPECT_TRUE(std::isnan(y[i]) && std::isnan(dx[i])) << "NaN in, " << y[i] << " and " << dx[i] << " out";
      continue;
    }
    EXPECT_NEAR(y[i], want_y, 4e-7 * std::fabs(xi) + 1e-37) << "gelu at x = " << xi;
    EXPECT_NEAR(dx[i], want_dx, 4e-7 * std::fabs(dy[i]) * (1.0 + std::fabs(xi) * u[i])) << "gelu' at x = " << xi;
  }
  EXPECT_EQ(to_bits(y[0]), to_bits(0.0f));
  EXPECT_EQ(to_bits(y[1]), to_bits(-0.0f));
  EXPECT_EQ(y[3], 40.0f);
  EXPECT_EQ(y[4], -0.0f);
  for (int64_t len = 0; len <= 33; ++len) {
    std::vector<float> xs(x.begin() + 100, x.begin() + 100 + len), gs(dy.begin() + 100, dy.begin() + 100 + len);
    std::vector<float> ys(len), gx(len);
    vgelu(xs.data(), ys.data(), len);
    vgelu_backward(gs.data(), xs.data(), gx.data(), len);
    vgelu_backward(gs.data(), xs.data(), gs.data(), len);  // in place over dy
    vgelu(xs.data(), xs.data(), len);                      // in place over x
    for (int64_t i = 0; i < len; ++i) {
      ASSERT_EQ(to_bits(ys[i]), to_bits(y[100 + i])) << "len " << len << " i " << i;
      ASSERT_EQ(to_bits(xs[i]), to_bits(y[100 + i])) << "in place, len " << len << " i " << i;
      ASSERT_EQ(to_bits(gx[i]), to_bits(dx[100 + i])) << "len " << len << " i " << i;
      ASSERT_EQ(to_bits(gs[i]), to_bits(dx[100 + i])) << "in place, len " << len << " i " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, VecMath, ::testing::Values("avx512", "avx2", "scalar"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

// The two SIMD versions share algorithms and coefficients, so they agree bit for bit.
TEST(VecMathIsas, Avx512AndAvx2AgreeBitwise) {
  if (!force_vec_math_isa("avx512") || !force_vec_math_isa("avx2")) GTEST_SKIP() << "needs AVX-512 and AVX2";
  std::vector<float> xs = sweep_inputs(), a(xs.size()), b(xs.size());
  const int64_t n = static_cast<int64_t>(xs.size());
  for (const Fn& f : kFns) {
    force_vec_math_isa("avx512");
    f.vec(xs.data(), a.data(), n);
    force_vec_math_isa("avx2");
    f.vec(xs.data(), b.data(), n);
    int64_t differ = 0, first = -1;
    for (int64_t i = 0; i < n; ++i) {
      if (to_bits(a[i]) == to_bits(b[i]) || (std::isnan(a[i]) && std::isnan(b[i]))) continue;
      if (differ++ == 0) first = i;
    }
    EXPECT_EQ(differ, 0) << f.name << " first differs at x = " << (first >= 0 ? xs[first] : 0.0f) << ": avx512 "
                         << (first >= 0 ? a[first] : 0.0f) << " vs avx2 " << (first >= 0 ? b[first] : 0.0f);
  }
  std::vector<float> dy(xs.size(), 1.5f);
  force_vec_math_isa("avx512");
  vgelu(xs.data(), a.data(), n);
  vgelu_backward(dy.data(), xs.data(), b.data(), n);
  force_vec_math_isa("avx2");
  std::vector<float> a2(xs.size()), b2(xs.size());
  vgelu(xs.data(), a2.data(), n);
  vgelu_backward(dy.data(), xs.data(), b2.data(), n);
  int64_t differ = 0;
  for (int64_t i = 0; i < n; ++i) {
    const bool nan = std::isnan(a[i]) && std::isnan(a2[i]) && std::isnan(b[i]) && std::isnan(b2[i]);
    differ += !nan && (to_bits(a[i]) != to_bits(a2[i]) || to_bits(b[i]) != to_bits(b2[i]));
  }
  EXPECT_EQ(differ, 0) << "gelu rows differ between avx512 and avx2";
  force_vec_math_isa(nullptr);
}

}  // namespace
