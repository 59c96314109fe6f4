// nn::init vs PyTorch's formulas (tests/golden/init_stats.json): gains, fan in/out, and the bound or
// std each initialiser draws with, checked empirically on ~200k samples per (shape, method) from a
// seeded generator; nn::Linear's default init (kaiming_uniform(a = √5) = U(±1/√in), bias U(±1/√in)).
// The sampled values cannot match PyTorch's (different generators); only their distribution can.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/generator.h"
#include "nn/golden_reference.h"
#include "nn/nn.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::json;

const json& golden() {
  static const json g = testing::load_golden("init_stats.json");
  return g;
}

TEST(InitGain, MatchesCalculateGain) {
  const json& g = golden().at("gains");
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("linear"), g.at("linear").get<double>());
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("conv2d"), g.at("conv2d").get<double>());
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("sigmoid"), g.at("sigmoid").get<double>());
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("tanh"), g.at("tanh").get<double>());
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("relu"), g.at("relu").get<double>());
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("selu"), g.at("selu").get<double>());
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("leaky_relu"), g.at("leaky_relu_default(0.01)").get<double>());
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("leaky_relu", std::sqrt(5.0)), g.at("leaky_relu_sqrt5").get<double>());
}

TEST(InitGain, UnknownNonlinearityIsAnError) {
  EXPECT_TT_ERROR(nn::init::calculate_gain("swish"), "calculate_gain", "swish");
}

TEST(InitFans, MatchPyTorchForEveryShape) {
  ASSERT_EQ(golden().at("fans").size(), 6u);
  for (const json& row : golden().at("fans")) {
    Tensor t = empty(Shape(row.at("shape").get<std::vector<int64_t>>()));
    auto [fan_in, fan_out] = nn::init::fan_in_and_fan_out(t);
    EXPECT_EQ(fan_in, row.at("fan_in").get<int64_t>()) << row.at("shape");
    EXPECT_EQ(fan_out, row.at("fan_out").get<int64_t>()) << row.at("shape");
  }
}

TEST(InitFans, OneDimensionalTensorIsAnError) {
  EXPECT_TT_ERROR(nn::init::fan_in_and_fan_out(empty(Shape{5})), "init", "[5]");
  Tensor t = empty(Shape{5});
  EXPECT_TT_ERROR(nn::init::xavier_uniform_(t), "init", "[5]");
}

// Min, max, mean and std of at least `want` values drawn by repeatedly initialising a tensor of `shape`.
struct Sample {
  double min = INFINITY, max = -INFINITY, mean = 0, std = 0;
  int64_t n = 0;
};

Sample draw(const Shape& shape, const std::function<void(Tensor&)>& init, int64_t want = 200000) {
  Tensor t = empty(shape, kFloat64);
  std::vector<double> all;
  while (static_cast<int64_t>(all.size()) < want) {
    init(t);
    std::vector<double> v = t.to_vector<double>();
    all.insert(all.end(), v.begin(), v.end());
  }
  Sample s;
  s.n = static_cast<int64_t>(all.size());
  for (double v : all) s.min = std::min(s.min, v), s.max = std::max(s.max, v), s.mean += v;
  s.mean /= s.n;
  for (double v : all) s.std += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(s.std / (s.n - 1));
  return s;
}

// U(−bound, bound): every value inside, the extremes reached, std = bound/√3 (±1%, >10 SE at 200k).
void expect_uniform(const Sample& s, double bound, const std::string& what) {
  EXPECT_GE(s.min, -bound) << what;
  EXPECT_LE(s.max, bound) << what;
  EXPECT_LT(s.min, -0.999 * bound) << what;
  EXPECT_GT(s.max, 0.999 * bound) << what;
  EXPECT_NEAR(s.std, bound / std::sqrt(3.0), 0.01 * bound / std::sqrt(3.0)) << what;
  EXPECT_NEAR(s.mean, 0.0, 5 * bound / std::sqrt(3.0 * s.n)) << what;
}

// N(0, std²): sample std within 1% (about 6 SE at 200k) and mean within 5 SE.
void expect_normal(const Sample& s, double stddev, const std::string& what) {
  EXPECT_NEAR(s.std, stddev, 0.01 * stddev) << what;
  EXPECT_NEAR(s.mean, 0.0, 5 * stddev / std::sqrt(static_cast<double>(s.n))) << what;
  EXPECT_GT(s.max, 3 * stddev) << what;  // a normal, not a uniform of the same std
}

TEST(InitDistributions, MatchPyTorchBoundsAndStds) {
  Generator gen(6006);
  for (const json& row : golden().at("fans")) {
    const Shape shape(row.at("shape").get<std::vector<int64_t>>());
    const std::string tag = "shape " + row.at("shape").dump() + ": ";
    expect_uniform(draw(shape, [&](Tensor& t) { nn::init::xavier_uniform_(t, 1.0, &gen); }),
                   row.at("xavier_uniform_bound"), tag + "xavier_uniform_");
    expect_normal(draw(shape, [&](Tensor& t) { nn::init::xavier_normal_(t, 1.0, &gen); }), row.at("xavier_normal_std"),
                  tag + "xavier_normal_");
    expect_normal(draw(shape, [&](Tensor& t) { nn::init::kaiming_normal_(t, 0, "fan_in", "relu", &gen); }),
                  row.at("kaiming_normal_fan_in_relu_std"), tag + "kaiming_normal_(fan_in, relu)");
    expect_normal(draw(shape, [&](Tensor& t) { nn::init::kaiming_normal_(t, 0, "fan_out", "relu", &gen); }),
                  row.at("kaiming_normal_fan_out_relu_std"), tag + "kaiming_normal_(fan_out, relu)");
    expect_uniform(draw(shape, [&](Tensor& t) { nn::init::kaiming_uniform_(t, 0, "fan_in", "relu", &gen); }),
                   row.at("kaiming_uniform_fan_in_relu_bound"), tag + "kaiming_uniform_(fan_in, relu)");
    const double a5 = std::sqrt(5.0);
    expect_uniform(draw(shape, [&](Tensor& t) { nn::init::kaiming_uniform_(t, a5, "fan_in", "leaky_relu", &gen); }),
                   row.at("kaiming_uniform_a_sqrt5_bound"), tag + "kaiming_uniform_(a=sqrt(5))");
    // PyTorch's own Linear/Conv bias bound is 1/√fan_in, equal to the a = √5 weight bound.
    EXPECT_NEAR(row.at("default_bias_bound").get<double>(), row.at("kaiming_uniform_a_sqrt5_bound").get<double>(),
                1e-15);
  }
}

TEST(InitDistributions, SameSeedSameValues) {
  Tensor a = empty(Shape{16, 8}), b = empty(Shape{16, 8});
  Generator g1(7), g2(7);
  nn::init::kaiming_normal_(a, 0, "fan_in", "relu", &g1);
  nn::init::kaiming_normal_(b, 0, "fan_in", "relu", &g2);
  EXPECT_TRUE(testing::bitwise_equal(a, b));
}

TEST(InitConstant, FillsExactly) {
  Tensor t = empty(Shape{3, 4}, kFloat64);
  nn::init::constant_(t, 0.25);
  EXPECT_VALUES(t, (std::vector<double>(12, 0.25)));
  nn::init::zeros_(t);
  EXPECT_VALUES(t, (std::vector<double>(12, 0.0)));
  nn::init::ones_(t);
  EXPECT_VALUES(t, (std::vector<double>(12, 1.0)));
}

TEST(InitKaiming, BadModeIsAnError) {
  Tensor t = empty(Shape{4, 4});
  EXPECT_TT_ERROR(nn::init::kaiming_uniform_(t, 0, "fan_avg"), "kaiming", "fan_avg");
}

// nn.Linear(784, 128): weight and bias U(±1/√784); std of the weight as PyTorch's own sample.
TEST(LinearInit, DefaultBoundsMatchPyTorch) {
  const json& lin = golden().at("linear_default");
  const double wb = lin.at("weight_bound"), bb = lin.at("bias_bound");
  EXPECT_NEAR(wb, 1.0 / std::sqrt(784.0), 1e-15);
  Generator gen(6006);
  for (DType dt : {kFloat64, kFloat32}) {
    nn::Linear layer(lin.at("in_features"), lin.at("out_features"), true, &gen, dt);
    ASSERT_EQ(layer.weight.shape(), (Shape{128, 784}));
    ASSERT_EQ(layer.bias.shape(), (Shape{128}));
    std::vector<double> w = layer.weight.to_vector<double>(), b = layer.bias.to_vector<double>();
    Sample s;
    s.n = static_cast<int64_t>(w.size());
    for (double v : w) s.min = std::min(s.min, v), s.max = std::max(s.max, v), s.mean += v;
    s.mean /= s.n;
    for (double v : w) s.std += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(s.std / (s.n - 1));
    // float32 rounding may land a value exactly on the (rounded) bound: allow one float ulp.
    expect_uniform(s, wb * (1 + 1e-7), std::string("Linear weight ") + testing::dtype_tag(dt));
    EXPECT_NEAR(s.std, lin.at("expected_weight_std").get<double>(), 0.01 * wb);
    EXPECT_NEAR(s.std, lin.at("torch_sample_weight").at("std").get<double>(), 0.01 * wb);
    for (double v : b) {
      EXPECT_LE(std::fabs(v), bb * (1 + 1e-7));
    }
    EXPECT_GT(*std::max_element(b.begin(), b.end()), 0.5 * bb);  // spread over the range, not zeros
    EXPECT_LT(*std::min_element(b.begin(), b.end()), -0.5 * bb);
  }
}

TEST(LinearInit, ResetParametersRedrawsFromTheGenerator) {
  Generator g1(1), g2(1);
  nn::Linear a(5, 3, true, &g1), b(5, 3, true, &g2);
  EXPECT_TRUE(testing::bitwise_equal(a.weight, b.weight));
  EXPECT_TRUE(testing::bitwise_equal(a.bias, b.bias));
  a.reset_parameters(&g1);
  EXPECT_FALSE(testing::bitwise_equal(a.weight, b.weight));
}

}  // namespace
}  // namespace tt
