// Tests for tensor creation: every dtype through the factories and .to(), ranges (arange,
// linspace with an exact last value, eye), host data (from_vector, tt::tensor), and seeded
// random tensors (same seed → same values, moments of randn/normal, randint bounds).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/generator.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

constexpr DType kAllDTypes[] = {kFloat32, kFloat64, kInt64, kInt32, kInt8, kUInt8, kBool};

TEST(DType, SizesNamesAndPromotion) {
  EXPECT_EQ(dtype_size(kFloat32), 4u);
  EXPECT_EQ(dtype_size(kFloat64), 8u);
  EXPECT_EQ(dtype_size(kInt64), 8u);
  EXPECT_EQ(dtype_size(kInt32), 4u);
  EXPECT_EQ(dtype_size(kInt8), 1u);
  EXPECT_EQ(dtype_size(kUInt8), 1u);
  EXPECT_EQ(dtype_size(kBool), 1u);
  EXPECT_EQ(dtype_name(kFloat64), "float64");
  EXPECT_EQ(dtype_name(kUInt8), "uint8");
  EXPECT_EQ(promote_types(kInt64, kFloat32), kFloat32);
  EXPECT_EQ(promote_types(kBool, kInt8), kInt8);
  EXPECT_EQ(promote_types(kFloat64, kFloat32), kFloat64);
  EXPECT_TRUE(is_floating(kFloat64));
  EXPECT_FALSE(is_integral(kBool));
  EXPECT_TRUE(is_integral(kUInt8));
}

TEST(Creation, ZerosOnesFullInEveryDType) {
  for (DType dt : kAllDTypes) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor z = zeros({2, 3}, dt), o = ones({2, 3}, dt), f = full({4}, 1.0, dt);
    EXPECT_EQ(z.dtype(), dt);
    EXPECT_EQ(z.shape(), Shape({2, 3}));
    EXPECT_TRUE(z.is_contiguous());
    EXPECT_VALUES(z, {0, 0, 0, 0, 0, 0});
    EXPECT_VALUES(o, {1, 1, 1, 1, 1, 1});
    EXPECT_VALUES(f, {1, 1, 1, 1});
    EXPECT_EQ(z.element_size(), dtype_size(dt));
  }
  EXPECT_VALUES(full({2}, -2.5, kFloat64), {-2.5, -2.5});
  EXPECT_VALUES(full({2}, 7, kInt8), {7, 7});
  EXPECT_EQ(scalar_tensor(3.5).dim(), 0);
  EXPECT_EQ(scalar_tensor(3.5).item<float>(), 3.5f);
  EXPECT_EQ(zeros({0, 3}).numel(), 0);
}

TEST(Creation, LikeFactoriesCopyShapeAndDType) {
  Tensor x = ones({2, 3}, kInt32).t();
  for (const Tensor& t : {zeros_like(x), ones_like(x), empty_like(x), full_like(x, 4)}) {
    EXPECT_EQ(t.shape(), Shape({3, 2}));
    EXPECT_EQ(t.dtype(), kInt32);
    EXPECT_TRUE(t.is_contiguous());
  }
  EXPECT_VALUES(full_like(x, 4), {4, 4, 4, 4, 4, 4});
}

TEST(Conversion, ToEveryDTypeRoundTripsSmallIntegers) {
  Tensor src = tensor<double>({0, 1, 2, 3});
  for (DType a : kAllDTypes) {
    for (DType b : kAllDTypes) {
      SCOPED_TRACE(std::string(dtype_name(a)) + " -> " + std::string(dtype_name(b)));
      Tensor x = src.to(a).to(b);
      EXPECT_EQ(x.dtype(), b);
      if (a == kBool || b == kBool) EXPECT_VALUES(x, {0, 1, 1, 1});
      else EXPECT_VALUES(x, {0, 1, 2, 3});
    }
  }
}

TEST(Conversion, FloatToIntTruncatesTowardZeroAndToBoolTestsNonZero) {
  Tensor f = tensor<float>({-1.7f, -0.5f, 0.f, 0.5f, 2.9f});
  EXPECT_VALUES(f.to(kInt64), {-1, 0, 0, 0, 2});
  EXPECT_VALUES(f.to(kInt32), {-1, 0, 0, 0, 2});
  EXPECT_VALUES(f.to(kBool), {1, 1, 0, 1, 1});
  EXPECT_VALUES(tensor<int64_t>({300, -1}).to(kInt8), {44, -1});  // two's-complement wrap, as PyTorch
  EXPECT_VALUES(tensor<int32_t>({255, 256}).to(kUInt8), {255, 0});
  EXPECT_VALUES(tensor<double>({0.1}).to(kFloat32), {double(0.1f)});
}

TEST(Conversion, ToSameDTypeReturnsSameTensorAndOtherwiseCopies) {
  Tensor x = ones({3});
  EXPECT_TRUE(x.to(kFloat32).is_same(x));
  Tensor y = x.t().to(kFloat64);
  EXPECT_NE(y.storage().get(), x.storage().get());
  Tensor nc = arange(6.0, kInt32).reshape({2, 3}).t().to(kFloat32);  // non-contiguous source
  EXPECT_VALUES(nc, {0, 3, 1, 4, 2, 5});
}

TEST(Creation, ArangeMatchesPythonRange) {
  EXPECT_VALUES(arange(5), {0, 1, 2, 3, 4});
  EXPECT_EQ(arange(5).dtype(), kInt64);
  EXPECT_VALUES(arange(1, 10, 3), {1, 4, 7});
  EXPECT_VALUES(arange(5, 0, -2), {5, 3, 1});
  EXPECT_EQ(arange(3, 3).numel(), 0);
  EXPECT_EQ(arange(5, 0).numel(), 0);
  EXPECT_VALUES_NEAR(arange(0, 1, 0.25, kFloat32), 1e-7, {0, 0.25, 0.5, 0.75});
  EXPECT_EQ(arange(0, 1, 0.1, kFloat64).numel(), 10);
}

TEST(Creation, LinspaceEndsExactlyAtEnd) {
  Tensor l = linspace(0, 1, 11, kFloat32);
  EXPECT_EQ(l.numel(), 11);
  EXPECT_EQ(l.to_vector<float>().back(), 1.0f);
  EXPECT_EQ(l.to_vector<float>().front(), 0.0f);
  EXPECT_VALUES_NEAR(l, 1e-7, {0, .1, .2, .3, .4, .5, .6, .7, .8, .9, 1});
  Tensor d = linspace(-3.3, 7.7, 1000, kFloat64);
  EXPECT_EQ(d.to_vector<double>().back(), 7.7);
  EXPECT_EQ(d.to_vector<double>().front(), -3.3);
  EXPECT_VALUES(linspace(2, 4, 3, kInt64), {2, 3, 4});
  EXPECT_EQ(linspace(0, 1, 0).numel(), 0);
}

TEST(Creation, LinspaceWithOneStepGivesStart) {  // regression: returned `end`, PyTorch gives start
  EXPECT_VALUES(linspace(5, 10, 1), {5});
}

TEST(Creation, EyeIsIdentity) {
  EXPECT_VALUES(eye(3), {1, 0, 0, 0, 1, 0, 0, 0, 1});
  EXPECT_VALUES(eye(2, 3, kInt64), {1, 0, 0, 0, 1, 0});
  EXPECT_EQ(eye(2, 3).shape(), Shape({2, 3}));
  EXPECT_EQ(eye(3, 0).numel(), 0);
  EXPECT_EQ(eye(3, -1, kBool).dtype(), kBool);
}

TEST(Creation, FromVectorAndInitializerLists) {
  Tensor a = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(a.dtype(), kFloat32);
  EXPECT_EQ(a.shape(), Shape({2, 3}));
  EXPECT_VALUES(a, {1, 2, 3, 4, 5, 6});
  Tensor b = tensor({{1., 2.}, {3., 4.}});
  EXPECT_EQ(b.dtype(), kFloat64);
  EXPECT_EQ(b.shape(), Shape({2, 2}));
  EXPECT_EQ(element_at(b, {1, 0}), 3.0);
  EXPECT_EQ(tensor({1, 2, 3}).dtype(), kInt32);
  EXPECT_EQ(tensor<int64_t>({1, 2}).dtype(), kInt64);
  EXPECT_EQ(tensor<int8_t>({-1}).dtype(), kInt8);
  EXPECT_EQ(tensor<uint8_t>({255}).item<int>(), 255);
  Tensor bl = tensor({true, false, true});
  EXPECT_EQ(bl.dtype(), kBool);
  EXPECT_VALUES(bl, {1, 0, 1});
  EXPECT_EQ(from_vector<double>({7}, Shape{}).dim(), 0);
  EXPECT_TT_ERROR(from_vector<float>({1, 2, 3}, {2, 2}), "from_vector", "3", "[2, 2]");
  EXPECT_TT_ERROR(tensor({{1.f, 2.f}, {3.f}}), "tensor", "ragged");
}

TEST(Creation, ItemAndToVectorConvert) {
  Tensor x = tensor<float>({1.5f, -2.f});
  EXPECT_EQ(x[0].item<double>(), 1.5);
  EXPECT_EQ(x[1].item<int64_t>(), -2);
  EXPECT_EQ(x.to_vector<int>(), std::vector<int>({1, -2}));
  EXPECT_TRUE(x.to_vector<float>() == std::vector<float>({1.5f, -2.f}));
}

TEST(Random, SameSeedSameValuesDifferentSeedsDiffer) {
  Generator g1(42), g2(42), g3(43);
  for (auto make : {+[](Generator* g) { return rand({100}, g); }, +[](Generator* g) { return randn({100}, g); },
                    +[](Generator* g) { return randint(0, 1000, {100}, g); },
                    +[](Generator* g) { return normal({100}, 1.0, 2.0, g, kFloat64); }}) {
    Tensor a = make(&g1), b = make(&g2), c = make(&g3);
    EXPECT_TRUE(testing::bitwise_equal(a, b));
    EXPECT_FALSE(testing::bitwise_equal(a, c));
  }
}

TEST(Random, ManualSeedResetsTheStream) {
  Generator g(7);
  Tensor a = randn({10}, &g);
  g.manual_seed(7);
  EXPECT_TRUE(testing::bitwise_equal(a, randn({10}, &g)));
  manual_seed(5);
  Tensor d1 = rand({10});
  manual_seed(5);
  EXPECT_TRUE(testing::bitwise_equal(d1, rand({10})));
}

TEST(Random, StateRoundTripsIncludingCachedNormal) {
  Generator g(3);
  g.normal();  // leaves the second Box–Muller value cached
  auto st = g.state();
  Tensor a = randn({5}, &g, kFloat64);
  Generator h;
  h.set_state(st);
  EXPECT_TRUE(testing::bitwise_equal(a, randn({5}, &h, kFloat64)));
  EXPECT_EQ(h.seed(), 3u);
}

TEST(Random, RandnHasZeroMeanUnitStd) {
  Generator g(2024);
  Tensor x = randn({100000}, &g, kFloat64);
  double m = mean(x).item<double>(), s = tt::std(x).item<double>();
  EXPECT_NEAR(m, 0.0, 0.015);  // 1/sqrt(1e5) ≈ 0.003: 5 sigma
  EXPECT_NEAR(s, 1.0, 0.015);
  Tensor y = normal({100000}, 3.0, 2.0, &g, kFloat32);
  EXPECT_NEAR(mean(y).item<double>(), 3.0, 0.03);
  EXPECT_NEAR(tt::std(y).item<double>(), 2.0, 0.03);
}

TEST(Random, RandIsInUnitIntervalWithUniformMean) {
  Generator g(1);
  for (DType dt : {kFloat32, kFloat64}) {
    Tensor x = rand({100000}, &g, dt);
    EXPECT_EQ(x.dtype(), dt);
    EXPECT_GE(amin(x).item<double>(), 0.0);
    EXPECT_LT(amax(x).item<double>(), 1.0);
    EXPECT_NEAR(mean(x).item<double>(), 0.5, 0.01);
  }
  Tensor u = uniform({1000}, -2, -1, &g);
  EXPECT_GE(amin(u).item<double>(), -2.0);
  EXPECT_LT(amax(u).item<double>(), -1.0);
}

TEST(Random, RandintCoversHalfOpenRange) {
  Generator g(9);
  Tensor r = randint(-3, 4, {10000}, &g);
  EXPECT_EQ(r.dtype(), kInt64);
  std::vector<int64_t> v = r.to_vector<int64_t>();
  std::set<int64_t> seen(v.begin(), v.end());
  EXPECT_EQ(seen, std::set<int64_t>({-3, -2, -1, 0, 1, 2, 3}));
  EXPECT_EQ(randint(0, 10, {3}, &g, kInt32).dtype(), kInt32);
}

TEST(Random, RandpermIsAPermutationAndBernoulliHasRateP) {
  Generator g(11);
  std::vector<int64_t> p = randperm(50, &g).to_vector<int64_t>();
  std::set<int64_t> s(p.begin(), p.end());
  EXPECT_EQ(s.size(), 50u);
  EXPECT_EQ(*s.begin(), 0);
  EXPECT_EQ(*s.rbegin(), 49);
  Tensor b = bernoulli({20000}, 0.3, &g);
  EXPECT_NEAR(mean(b).item<double>(), 0.3, 0.02);
}

TEST(Random, RejectsBadArguments) {
  EXPECT_TT_ERROR(randint(5, 5, {2}), "randint", "5");
  EXPECT_TT_ERROR(normal({2}, 0, -1), "normal", "-1");
  EXPECT_TT_ERROR(rand({2}, nullptr, kInt64), "uniform", "int64");
  EXPECT_TT_ERROR(bernoulli({2}, 1.5), "bernoulli", "1.5");
}

}  // namespace
}  // namespace tt
