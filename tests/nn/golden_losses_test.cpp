// Losses vs PyTorch 1.13 (tests/golden/losses.json): all 48 cases (16 configs × mean/sum/none),
// output and grad_input = d(sum(output·grad_out))/d input, in float64 and float32, through
// nn::functional and through the loss modules. Semantics checked: ignore_index (mean divides by the
// kept count), label smoothing, BCE's log clamp at −100, the stable BCE-with-logits form.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "nn/golden_reference.h"
#include "nn/loss.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;
namespace F = nn::functional;

const json& cases() {
  static const json c = testing::load_golden("losses.json").at("cases");
  return c;
}

using LossCase = testing::GoldenCase;

std::vector<LossCase> all_cases(std::initializer_list<DType> dtypes = {kFloat64, kFloat32}) {
  return testing::golden_cases(cases(), dtypes);
}

std::string case_label(const ::testing::TestParamInfo<LossCase>& info) {
  return testing::golden_case_name(cases(), info.param);
}

// Float targets are tensor objects; class targets are plain int lists (README "General conventions").
Tensor target_of(const json& c, DType dt) {
  const json& t = c.at("target");
  return t.is_array() ? testing::golden_indices(t) : testing::golden_tensor(t, dt);
}

Tensor functional_loss(const json& c, const Tensor& x, const Tensor& t) {
  const std::string name = c.at("name"), red = c.at("reduction");
  const json& p = c.at("params");
  if (name == "mse_loss") return F::mse_loss(x, t, red);
  if (name == "l1_loss") return F::l1_loss(x, t, red);
  if (name == "huber_loss") return F::huber_loss(x, t, red, p.at("delta").get<double>());
  if (name == "cross_entropy")
    return F::cross_entropy(x, t, red, p.at("ignore_index").get<int64_t>(), p.at("label_smoothing").get<double>());
  if (name == "nll_loss") return F::nll_loss(x, t, red, p.at("ignore_index").get<int64_t>());
  if (name == "binary_cross_entropy") return F::binary_cross_entropy(x, t, red);
  if (name == "binary_cross_entropy_with_logits") return F::binary_cross_entropy_with_logits(x, t, red);
  throw std::runtime_error("losses.json: unknown loss " + name);
}

Tensor module_loss(const json& c, const Tensor& x, const Tensor& t) {
  const std::string name = c.at("name"), red = c.at("reduction");
  const json& p = c.at("params");
  if (name == "mse_loss") return nn::MSELoss{red}(x, t);
  if (name == "l1_loss") return nn::L1Loss{red}(x, t);
  if (name == "huber_loss") return nn::HuberLoss{red, p.at("delta").get<double>()}(x, t);
  if (name == "cross_entropy")
    return nn::CrossEntropyLoss{red, p.at("ignore_index").get<int64_t>(), p.at("label_smoothing").get<double>()}(x, t);
  if (name == "nll_loss") return nn::NLLLoss{red, p.at("ignore_index").get<int64_t>()}(x, t);
  if (name == "binary_cross_entropy") return nn::BCELoss{red}(x, t);
  if (name == "binary_cross_entropy_with_logits") return nn::BCEWithLogitsLoss{red}(x, t);
  throw std::runtime_error("losses.json: unknown loss " + name);
}

class GoldenLoss : public ::testing::TestWithParam<LossCase> {
 protected:
  // Runs `loss` on the case's input and checks output and grad_input against PyTorch.
  template <typename LossFn>
  void check(LossFn loss, testing::Tolerance tol) {
    const json& c = cases()[GetParam().index];
    const DType dt = GetParam().dtype;
    Tensor x = testing::golden_tensor(c.at("input"), dt).requires_grad_();
    Tensor out = loss(c, x, target_of(c, dt));
    EXPECT_EQ(out.dtype(), dt);
    EXPECT_TRUE(allclose(out, c.at("output"), tol)) << "output";
    out.backward(testing::golden_tensor(c.at("grad_out"), dt));
    ASSERT_TRUE(x.grad().defined()) << "no gradient reached the input";
    EXPECT_TRUE(allclose(x.grad(), c.at("grad_input"), tol)) << "grad_input";
  }
};

TEST_P(GoldenLoss, FunctionalMatchesPyTorch) { check(functional_loss, testing::tol_for(GetParam().dtype)); }

TEST_P(GoldenLoss, ModuleMatchesPyTorch) { check(module_loss, testing::tol_for(GetParam().dtype)); }

// Float64 should agree far beyond the suggested 1e-5 (a handful of libm calls and one reduction).
class GoldenLossTight : public GoldenLoss {};

TEST_P(GoldenLossTight, Float64MatchesToTightTolerance) {
  check(functional_loss, testing::Tolerance{1e-12, 1e-15});
}

TEST_P(GoldenLoss, NonContiguousInputMatchesPyTorch) {
  const json& c = cases()[GetParam().index];
  const DType dt = GetParam().dtype;
  Tensor x = testing::golden_tensor_strided(c.at("input"), dt).requires_grad_();
  ASSERT_FALSE(x.is_contiguous());
  const json& t = c.at("target");
  Tensor target = t.is_array() ? testing::golden_indices(t) : testing::golden_tensor_strided(t, dt);
  Tensor out = functional_loss(c, x, target);
  EXPECT_TRUE(allclose(out, c.at("output"), testing::tol_for(dt))) << "output";
  out.backward(testing::golden_tensor_strided(c.at("grad_out"), dt));
  EXPECT_TRUE(allclose(x.grad(), c.at("grad_input"), testing::tol_for(dt))) << "grad_input";
}

INSTANTIATE_TEST_SUITE_P(AllCases, GoldenLoss, ::testing::ValuesIn(all_cases()), case_label);
INSTANTIATE_TEST_SUITE_P(Float64Cases, GoldenLossTight, ::testing::ValuesIn(all_cases({kFloat64})), case_label);

TEST(GoldenLosses, FileHas48Cases) {
  ASSERT_EQ(cases().size(), 48u);
  int none = 0;
  for (const json& c : cases()) none += c.at("reduction") == "none";
  EXPECT_EQ(none, 16);
}

// Ignored rows give loss 0 and gradient 0 with reduction "none" (README "Semantics").
TEST(GoldenLosses, IgnoredRowsGiveZeroLossAndGradient) {
  for (const json& c : cases()) {
    if (!c.at("target").is_array() || c.at("reduction") != "none") continue;
    const int64_t ignore = c.at("params").at("ignore_index");
    Tensor x = testing::golden_tensor(c.at("input")).requires_grad_();
    Tensor out = functional_loss(c, x, target_of(c, kFloat64));
    out.backward(testing::golden_tensor(c.at("grad_out")));
    std::vector<int64_t> t = c.at("target").get<std::vector<int64_t>>();
    std::vector<double> o = out.to_vector<double>(), g = x.grad().to_vector<double>();
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] != ignore) continue;
      EXPECT_EQ(o[i], 0.0) << c.at("case") << " row " << i;
      for (size_t k = 0; k < 4; ++k) EXPECT_EQ(g[i * 4 + k], 0.0) << c.at("case") << " row " << i;
    }
  }
}

// Regression: at p = 0 or 1 (a saturated float32 sigmoid) BCE's gradient is PyTorch's
// (p − y)/max(p(1 − p), 1e-12), not the NaN that differentiating the clamped logs gives.
TEST(LossEdgeCases, BinaryCrossEntropyAtZeroAndOneHasFiniteGradient) {
  for (DType dt : {kFloat64, kFloat32}) {
    Tensor p = from_vector<double>({0, 1, 0, 1, 1e-30}, Shape{5}).to(dt).requires_grad_();
    Tensor y = from_vector<double>({1, 0, 0, 1, 1}, Shape{5}).to(dt);
    Tensor loss = F::binary_cross_entropy(p, y, "none");
    EXPECT_TRUE(allclose(loss, {100, 100, 0, 0, dt == kFloat64 ? 69.07755278982137 : 69.07755279}, Shape{5},
                         testing::tol_for(dt)));
    loss.sum().backward();
    EXPECT_TRUE(allclose(p.grad(), {-1e12, 1e12, 0, 0, -1e12}, Shape{5}, {1e-6, 0})) << testing::dtype_tag(dt);
  }
}

// Regression: BCE-with-logits at exactly x = 0 has gradient σ(0) − y = ½ − y (it was −y), and stays
// finite and exact for large |x|.
TEST(LossEdgeCases, BinaryCrossEntropyWithLogitsGradientAtZeroAndExtremes) {
  Tensor x = from_vector<double>({0, 0, 0, 800, -800}, Shape{5}).requires_grad_();
  Tensor y = from_vector<double>({0, 1, 0.25, 1, 0}, Shape{5});
  Tensor loss = F::binary_cross_entropy_with_logits(x, y, "none");
  EXPECT_TRUE(allclose(loss, {std::log(2.0), std::log(2.0), std::log(2.0), 0, 0}, Shape{5}, {1e-15, 0}));
  loss.sum().backward();
  EXPECT_TRUE(allclose(x.grad(), {0.5, -0.5, 0.25, 0, 0}, Shape{5}, {1e-15, 0}));
}

}  // namespace
}  // namespace tt
