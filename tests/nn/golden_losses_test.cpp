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

struct LossCase {
  size_t index;
  DType dtype;
};

std::vector<LossCase> all_cases() {
  std::vector<LossCase> out;
  for (DType dt : {kFloat64, kFloat32})
    for (size_t i = 0; i < cases().size(); ++i) out.push_back({i, dt});
  return out;
}

std::string case_label(const ::testing::TestParamInfo<LossCase>& info) {
  std::string s = cases()[info.param.index].at("case").get<std::string>() + "_" + testing::dtype_tag(info.param.dtype);
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
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
TEST_P(GoldenLoss, Float64MatchesToTightTolerance) {
  if (GetParam().dtype != kFloat64) GTEST_SKIP() << "float64 only";
  check(functional_loss, testing::Tolerance{1e-12, 1e-15});
}

INSTANTIATE_TEST_SUITE_P(AllCases, GoldenLoss, ::testing::ValuesIn(all_cases()), case_label);

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

}  // namespace
}  // namespace tt
