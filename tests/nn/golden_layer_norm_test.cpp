// layer_norm and the fused Linear+activation vs PyTorch 1.13 (tests/golden/layer_norm.json, made by
// make_layer_norm() in tests/golden/make_golden.py): forward y and the gradients of x, weight and
// bias, in float64 (1e-10 relative) and float32, through the ops and through nn::LayerNorm and
// nn::LinearAct; plus the modules' PyTorch-facing surface (state_dict names, init, repr).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/golden_reference.h"
#include "nn/layers.h"
#include "nn/normalization.h"
#include "ops/ops.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& file() {
  static const json f = testing::load_golden("layer_norm.json");
  return f;
}
const json& ln_cases() { return file().at("layer_norm"); }
const json& lin_cases() { return file().at("linear_act"); }

// float64 agrees to far below the 1e-5 of the other golden files: one fused kernel in double.
testing::Tolerance tol(DType dt) { return dt == kFloat64 ? testing::Tolerance{1e-10, 1e-13} : testing::kTolF32; }

Activation parse_activation(const std::string& s) {
  for (Activation a : {Activation::None, Activation::Relu, Activation::Gelu, Activation::GeluTanh, Activation::Silu})
    if (s == activation_name(a)) return a;
  throw std::runtime_error("layer_norm.json: unknown activation " + s);
}

// ---- layer_norm ----

class GoldenLayerNorm : public ::testing::TestWithParam<testing::GoldenCase> {
 protected:
  const json& c() const { return ln_cases()[GetParam().index]; }
  DType dt() const { return GetParam().dtype; }
  Shape normalized_shape() const { return Shape(c().at("normalized_shape").get<std::vector<int64_t>>()); }
  bool affine() const { return c().at("affine").get<bool>(); }
  // y.backward(grad_out), then y, x.grad, weight.grad and bias.grad against PyTorch.
  void expect_matches(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b, bool strided) {
    EXPECT_EQ(y.dtype(), dt());
    EXPECT_TRUE(allclose(y, c().at("y"), tol(dt()))) << "forward";
    y.backward(strided ? testing::golden_tensor_strided(c().at("grad_out"), dt())
                       : testing::golden_tensor(c().at("grad_out"), dt()));
    EXPECT_TRUE(allclose(x.grad(), c().at("grad_x"), tol(dt()))) << "grad_x";
    if (!affine()) return;
    EXPECT_TRUE(allclose(w.grad(), c().at("grad_weight"), tol(dt()))) << "grad_weight";
    EXPECT_TRUE(allclose(b.grad(), c().at("grad_bias"), tol(dt()))) << "grad_bias";
  }
};

TEST_P(GoldenLayerNorm, OpMatchesPyTorch) {
  Tensor x = testing::golden_tensor(c().at("x"), dt()).requires_grad_();
  Tensor w, b;
  if (affine()) {
    w = testing::golden_tensor(c().at("weight"), dt()).requires_grad_();
    b = testing::golden_tensor(c().at("bias"), dt()).requires_grad_();
  }
  expect_matches(layer_norm(x, normalized_shape(), w, b, c().at("eps").get<double>()), x, w, b, false);
}

TEST_P(GoldenLayerNorm, NonContiguousInputMatchesPyTorch) {
  Tensor x = testing::golden_tensor_strided(c().at("x"), dt()).requires_grad_();
  Tensor w, b;
  if (affine()) {
    w = testing::golden_tensor_strided(c().at("weight"), dt()).requires_grad_();
    b = testing::golden_tensor_strided(c().at("bias"), dt()).requires_grad_();
  }
  expect_matches(layer_norm(x, normalized_shape(), w, b, c().at("eps").get<double>()), x, w, b, true);
}

TEST_P(GoldenLayerNorm, ModuleMatchesPyTorch) {
  nn::LayerNorm m(normalized_shape(), c().at("eps").get<double>(), affine(), dt());
  if (affine())
    m.load_state_dict({{"weight", testing::golden_tensor(c().at("weight"), dt())},
                       {"bias", testing::golden_tensor(c().at("bias"), dt())}});
  Tensor x = testing::golden_tensor(c().at("x"), dt()).requires_grad_();
  expect_matches(m(x), x, m.weight, m.bias, false);
}

std::string ln_label(const ::testing::TestParamInfo<testing::GoldenCase>& info) {
  return testing::golden_case_name(ln_cases(), info.param);
}
INSTANTIATE_TEST_SUITE_P(AllCases, GoldenLayerNorm,
                         ::testing::ValuesIn(testing::golden_cases(ln_cases(), {kFloat64, kFloat32})), ln_label);

// ---- linear + activation ----

class GoldenLinearAct : public ::testing::TestWithParam<testing::GoldenCase> {
 protected:
  const json& c() const { return lin_cases()[GetParam().index]; }
  DType dt() const { return GetParam().dtype; }
  void expect_matches(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b) {
    EXPECT_TRUE(allclose(y, c().at("y"), tol(dt()))) << "forward";
    y.backward(testing::golden_tensor(c().at("grad_out"), dt()));
    EXPECT_TRUE(allclose(x.grad(), c().at("grad_x"), tol(dt()))) << "grad_x";
    EXPECT_TRUE(allclose(w.grad(), c().at("grad_weight"), tol(dt()))) << "grad_weight";
    EXPECT_TRUE(allclose(b.grad(), c().at("grad_bias"), tol(dt()))) << "grad_bias";
  }
};

TEST_P(GoldenLinearAct, OpMatchesPyTorch) {
  Tensor x = testing::golden_tensor(c().at("x"), dt()).requires_grad_();
  Tensor w = testing::golden_tensor(c().at("weight"), dt()).requires_grad_();
  Tensor b = testing::golden_tensor(c().at("bias"), dt()).requires_grad_();
  expect_matches(linear(x, w, b, parse_activation(c().at("activation"))), x, w, b);
}

TEST_P(GoldenLinearAct, ModuleLoadsPyTorchLinearWeightsAndMatches) {
  Tensor w0 = testing::golden_tensor(c().at("weight"), dt());
  nn::LinearAct m(w0.size(1), w0.size(0), parse_activation(c().at("activation")), true, nullptr, dt());
  m.load_state_dict({{"weight", w0}, {"bias", testing::golden_tensor(c().at("bias"), dt())}});
  Tensor x = testing::golden_tensor(c().at("x"), dt()).requires_grad_();
  expect_matches(m(x), x, m.weight, m.bias);
}

std::string lin_label(const ::testing::TestParamInfo<testing::GoldenCase>& info) {
  return testing::golden_case_name(lin_cases(), info.param);
}
INSTANTIATE_TEST_SUITE_P(AllCases, GoldenLinearAct,
                         ::testing::ValuesIn(testing::golden_cases(lin_cases(), {kFloat64, kFloat32})), lin_label);

TEST(GoldenLayerNormFile, HasEveryDocumentedCase) {
  EXPECT_EQ(ln_cases().size(), 5u);
  ASSERT_EQ(lin_cases().size(), 5u);
  for (const json& c : lin_cases()) EXPECT_NO_THROW(parse_activation(c.at("activation")));
}

// ---- the modules' PyTorch-facing surface ----

TEST(LayerNormModule, ParametersInitAndReprFollowPyTorch) {
  nn::LayerNorm ln(Shape{2, 3});
  nn::StateDict sd = ln.state_dict();
  ASSERT_EQ(sd.size(), 2u);
  EXPECT_EQ(sd[0].first, "weight");
  EXPECT_EQ(sd[1].first, "bias");
  EXPECT_EQ(ln.weight.shape(), Shape({2, 3}));
  EXPECT_EQ(ln.weight.to_vector<double>(), std::vector<double>(6, 1.0));
  EXPECT_EQ(ln.bias.to_vector<double>(), std::vector<double>(6, 0.0));
  EXPECT_TRUE(ln.weight.requires_grad());
  EXPECT_EQ(ln.extra_repr(), "(2, 3), eps=1e-05, elementwise_affine=True");
  nn::LayerNorm plain(64, 1e-6, false);
  EXPECT_EQ(plain.num_parameters(), 0);
  EXPECT_FALSE(plain.weight.defined());
  EXPECT_EQ(plain.extra_repr(), "(64,), eps=1e-06, elementwise_affine=False");
  EXPECT_THROW(nn::LayerNorm(Shape{}), Error);
  Tensor x = randn({3, 64});
  EXPECT_EQ(plain(x).to_vector<double>(), layer_norm(x, {64}, Tensor(), Tensor(), 1e-6).to_vector<double>());
}

TEST(LinearActModule, SameStateDictAsLinearAndNamesItsActivation) {
  nn::LinearAct m(4, 3, Activation::Gelu);
  nn::StateDict sd = m.state_dict();
  ASSERT_EQ(sd.size(), 2u);
  EXPECT_EQ(sd[0].first, "weight");
  EXPECT_EQ(sd[1].first, "bias");
  EXPECT_EQ(m.activation(), Activation::Gelu);
  EXPECT_EQ(m.type_name(), "LinearAct");
  EXPECT_EQ(m.extra_repr(), "in_features=4, out_features=3, bias=True, activation=gelu");
  nn::Linear plain(4, 3);
  EXPECT_EQ(plain.extra_repr(), "in_features=4, out_features=3, bias=True");  // unchanged
  Tensor x = randn({2, 4});
  EXPECT_EQ(m(x).to_vector<double>(), linear(x, m.weight, m.bias, Activation::Gelu).to_vector<double>());
}

}  // namespace
}  // namespace tt
