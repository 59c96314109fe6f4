// Activations vs PyTorch 1.13 (tests/golden/activations.json): every case's forward y = f(x) and
// backward grad_x = vjp(grad_out), in float64 and float32, through the ops and the nn modules.
// Not here: gradient checks by finite differences (tests/autograd) or op edge cases (tests/ops).
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "nn/golden_reference.h"
#include "nn/layers.h"
#include "ops/ops.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& cases() {
  static const json c = testing::load_golden("activations.json").at("cases");
  return c;
}

using ActivationCase = testing::GoldenCase;

std::vector<ActivationCase> all_cases(std::initializer_list<DType> dtypes = {kFloat64, kFloat32}) {
  return testing::golden_cases(cases(), dtypes);
}

std::string case_label(const ::testing::TestParamInfo<ActivationCase>& info) {
  return testing::golden_case_name(cases(), info.param);
}

// The op named in the case, with its params (PyTorch keyword names).
Tensor apply_op(const json& c, const Tensor& x) {
  const std::string name = c.at("name");
  const json& p = c.at("params");
  if (name == "relu") return relu(x);
  if (name == "leaky_relu") return leaky_relu(x, p.at("negative_slope").get<double>());
  if (name == "elu") return elu(x, p.at("alpha").get<double>());
  if (name == "sigmoid") return sigmoid(x);
  if (name == "tanh") return tanh(x);
  if (name == "gelu") return gelu(x, p.at("approximate").get<std::string>());
  if (name == "silu") return silu(x);
  if (name == "softmax") return softmax(x, p.at("dim").get<int64_t>());
  if (name == "log_softmax") return log_softmax(x, p.at("dim").get<int64_t>());
  throw std::runtime_error("activations.json: unknown activation " + name);
}

// The same through the nn module, where one exists.
std::shared_ptr<nn::Module> make_module(const json& c) {
  const std::string name = c.at("name");
  const json& p = c.at("params");
  if (name == "relu") return std::make_shared<nn::ReLU>();
  if (name == "leaky_relu") return std::make_shared<nn::LeakyReLU>(p.at("negative_slope").get<double>());
  if (name == "elu") return std::make_shared<nn::ELU>(p.at("alpha").get<double>());
  if (name == "sigmoid") return std::make_shared<nn::Sigmoid>();
  if (name == "tanh") return std::make_shared<nn::Tanh>();
  if (name == "gelu") return std::make_shared<nn::GELU>(p.at("approximate").get<std::string>());
  if (name == "silu") return std::make_shared<nn::SiLU>();
  if (name == "softmax") return std::make_shared<nn::Softmax>(p.at("dim").get<int64_t>());
  if (name == "log_softmax") return std::make_shared<nn::LogSoftmax>(p.at("dim").get<int64_t>());
  return nullptr;
}

class GoldenActivation : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(GoldenActivation, ForwardAndBackwardMatchPyTorch) {
  const json& c = cases()[GetParam().index];
  const DType dt = GetParam().dtype;
  const testing::Tolerance tol = testing::tol_for(dt);
  Tensor x = testing::golden_tensor(c.at("x"), dt).requires_grad_();
  Tensor y = apply_op(c, x);
  EXPECT_EQ(y.dtype(), dt);
  EXPECT_TRUE(allclose(y, c.at("y"), tol)) << "forward";
  y.backward(testing::golden_tensor(c.at("grad_out"), dt));
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().dtype(), dt);
  EXPECT_TRUE(allclose(x.grad(), c.at("grad_x"), tol)) << "backward";
}

TEST_P(GoldenActivation, ModuleMatchesPyTorch) {
  const json& c = cases()[GetParam().index];
  const DType dt = GetParam().dtype;
  std::shared_ptr<nn::Module> m = make_module(c);
  ASSERT_NE(m, nullptr);
  Tensor x = testing::golden_tensor(c.at("x"), dt).requires_grad_();
  Tensor y = (*m)(x);
  EXPECT_TRUE(allclose(y, c.at("y"), testing::tol_for(dt)));
  y.backward(testing::golden_tensor(c.at("grad_out"), dt));
  EXPECT_TRUE(allclose(x.grad(), c.at("grad_x"), testing::tol_for(dt)));
}

// Float64 should agree far beyond the suggested 1e-5: these are one or two libm calls per element.
class GoldenActivationTight : public GoldenActivation {};

TEST_P(GoldenActivationTight, Float64MatchesToTightTolerance) {
  const json& c = cases()[GetParam().index];
  const testing::Tolerance tight{1e-12, 1e-15};
  Tensor x = testing::golden_tensor(c.at("x")).requires_grad_();
  Tensor y = apply_op(c, x);
  EXPECT_TRUE(allclose(y, c.at("y"), tight));
  y.backward(testing::golden_tensor(c.at("grad_out")));
  EXPECT_TRUE(allclose(x.grad(), c.at("grad_x"), tight));
}

TEST_P(GoldenActivation, NonContiguousInputMatchesPyTorch) {
  const json& c = cases()[GetParam().index];
  const DType dt = GetParam().dtype;
  Tensor x = testing::golden_tensor_strided(c.at("x"), dt).requires_grad_();
  ASSERT_FALSE(x.is_contiguous());
  Tensor y = apply_op(c, x);
  EXPECT_TRUE(allclose(y, c.at("y"), testing::tol_for(dt)));
  y.backward(testing::golden_tensor_strided(c.at("grad_out"), dt));
  EXPECT_TRUE(allclose(x.grad(), c.at("grad_x"), testing::tol_for(dt)));
}

INSTANTIATE_TEST_SUITE_P(AllCases, GoldenActivation, ::testing::ValuesIn(all_cases()), case_label);
INSTANTIATE_TEST_SUITE_P(Float64Cases, GoldenActivationTight, ::testing::ValuesIn(all_cases({kFloat64})), case_label);

TEST(GoldenActivations, FileHasEveryDocumentedCase) {
  // 14 normal cases + 3 "_large" ones (tests/golden/README.md).
  ASSERT_EQ(cases().size(), 17u);
  int large = 0;
  for (const json& c : cases()) large += c.at("case").get<std::string>().ends_with("_large");
  EXPECT_EQ(large, 3);
}

// PyTorch's documented choice of subgradient at exactly x == 0 (README "gradients at x == 0").
TEST(GoldenActivations, GradientAtZeroFollowsPyTorch) {
  int checked = 0;
  for (const json& c : cases()) {
    const std::string name = c.at("name");
    if (name != "relu" && name != "leaky_relu" && name != "elu") continue;
    ASSERT_EQ(c.at("x").at("data")[0].get<double>(), 0.0) << c.at("case");
    ++checked;
    Tensor x = testing::golden_tensor(c.at("x")).requires_grad_();
    apply_op(c, x).backward(testing::golden_tensor(c.at("grad_out")));
    double g0 = c.at("grad_out").at("data")[0].get<double>();
    double want = c.at("grad_x").at("data")[0].get<double>();
    EXPECT_EQ(x.grad().to_vector<double>()[0], want) << c.at("case") << " (grad_out[0] = " << g0 << ")";
  }
  EXPECT_EQ(checked, 5);
}

}  // namespace
}  // namespace tt
