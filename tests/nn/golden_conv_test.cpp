// conv2d, conv1d and conv_transpose2d vs PyTorch 1.13 (tests/golden/conv.json, made by make_conv() in
// tests/golden/make_golden.py): forward y and the gradients of x, weight and bias, in float64 (1e-10
// relative) and float32, through the ops on contiguous and non-contiguous inputs and through
// nn::Conv2d / Conv1d / ConvTranspose2d; plus the modules' PyTorch-facing surface (state_dict
// names, default init bounds, repr).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "nn/conv.h"
#include "nn/golden_reference.h"
#include "ops/ops.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& cases() {
  static const json f = testing::load_golden("conv.json");
  return f.at("cases");
}

// float64 agrees to far below the 1e-5 of the other golden files: sums of tens of products.
testing::Tolerance tol(DType dt) { return dt == kFloat64 ? testing::Tolerance{1e-10, 1e-12} : testing::kTolF32; }

// A 2-D parameter ([h, w] in the file) or its default.
IntPair pair_param(const json& p, const char* key, int64_t dflt) {
  if (!p.contains(key)) return dflt;
  const auto v = p.at(key).get<std::vector<int64_t>>();
  return {v.at(0), v.at(1)};
}
int64_t int_param(const json& p, const char* key, int64_t dflt) {
  return p.contains(key) ? p.at(key).get<int64_t>() : dflt;
}
ConvPadding padding_param(const json& p, bool one_d) {
  if (!p.contains("padding")) return 0;
  const json& v = p.at("padding");
  if (v.is_string()) return ConvPadding(v.get<std::string>());
  if (one_d) return v.get<int64_t>();
  return {v.at(0).get<int64_t>(), v.at(1).get<int64_t>()};
}

// The same values as a non-contiguous view: the last two dims transposed, copied, transposed back.
Tensor strided(const Tensor& t) { return t.dim() < 2 ? t : t.transpose(-1, -2).contiguous().transpose(-1, -2); }

class GoldenConv : public ::testing::TestWithParam<testing::GoldenCase> {
 protected:
  const json& c() const { return cases()[GetParam().index]; }
  const json& p() const { return c().at("params"); }
  DType dt() const { return GetParam().dtype; }
  std::string op() const { return c().at("op").get<std::string>(); }
  bool has_bias() const { return c().contains("bias"); }
  Tensor input(const char* key, bool as_strided) const {
    Tensor t = testing::golden_tensor(c().at(key), dt());
    return (as_strided ? strided(t) : t).detach().requires_grad_();
  }

  Tensor call_op(const Tensor& x, const Tensor& w, const Tensor& b) const {
    const int64_t groups = int_param(p(), "groups", 1);
    if (op() == "conv2d")
      return conv2d(x, w, b,
                    {.stride = pair_param(p(), "stride", 1), .padding = padding_param(p(), false),
                     .dilation = pair_param(p(), "dilation", 1), .groups = groups});
    if (op() == "conv1d")
      return conv1d(x, w, b,
                    {.stride = int_param(p(), "stride", 1), .padding = padding_param(p(), true),
                     .dilation = int_param(p(), "dilation", 1), .groups = groups});
    return conv_transpose2d(x, w, b,
                            {.stride = pair_param(p(), "stride", 1), .padding = pair_param(p(), "padding", 0),
                             .output_padding = pair_param(p(), "output_padding", 0), .groups = groups,
                             .dilation = pair_param(p(), "dilation", 1)});
  }

  std::shared_ptr<nn::ConvModule> make_module(const Tensor& w) const {
    const int64_t groups = int_param(p(), "groups", 1);
    if (op() == "conv2d")
      return std::make_shared<nn::Conv2d>(w.size(1) * groups, w.size(0), IntPair{w.size(2), w.size(3)},
                                          pair_param(p(), "stride", 1), padding_param(p(), false),
                                          pair_param(p(), "dilation", 1), groups, has_bias(), nullptr, dt());
    if (op() == "conv1d")
      return std::make_shared<nn::Conv1d>(w.size(1) * groups, w.size(0), w.size(2), int_param(p(), "stride", 1),
                                          padding_param(p(), true), int_param(p(), "dilation", 1), groups, has_bias(),
                                          nullptr, dt());
    return std::make_shared<nn::ConvTranspose2d>(
        w.size(0), w.size(1) * groups, IntPair{w.size(2), w.size(3)}, pair_param(p(), "stride", 1),
        pair_param(p(), "padding", 0), pair_param(p(), "output_padding", 0), groups, has_bias(),
        pair_param(p(), "dilation", 1), nullptr, dt());
  }

  // y.backward(grad_out), then y and every gradient against PyTorch.
  void expect_matches(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b, bool as_strided) {
    EXPECT_EQ(y.dtype(), dt());
    EXPECT_TRUE(allclose(y, c().at("y"), tol(dt()))) << "forward";
    Tensor go = testing::golden_tensor(c().at("grad_out"), dt());
    y.backward(as_strided ? strided(go) : go);
    EXPECT_TRUE(allclose(x.grad(), c().at("grad_x"), tol(dt()))) << "grad_x";
    EXPECT_TRUE(allclose(w.grad(), c().at("grad_weight"), tol(dt()))) << "grad_weight";
    if (has_bias()) {
      EXPECT_TRUE(allclose(b.grad(), c().at("grad_bias"), tol(dt()))) << "grad_bias";
    }
  }
};

TEST_P(GoldenConv, OpMatchesPyTorch) {
  Tensor x = input("x", false), w = input("weight", false), b = has_bias() ? input("bias", false) : Tensor();
  expect_matches(call_op(x, w, b), x, w, b, false);
}

TEST_P(GoldenConv, NonContiguousInputsMatchPyTorch) {
  Tensor x = input("x", true), w = input("weight", true), b = has_bias() ? input("bias", false) : Tensor();
  ASSERT_FALSE(x.is_contiguous());
  expect_matches(call_op(x, w, b), x, w, b, true);
}

TEST_P(GoldenConv, ModuleLoadsPyTorchWeightsAndMatches) {
  Tensor w0 = testing::golden_tensor(c().at("weight"), dt());
  std::shared_ptr<nn::ConvModule> m = make_module(w0);
  nn::StateDict sd = {{"weight", w0}};
  if (has_bias()) sd.push_back({"bias", testing::golden_tensor(c().at("bias"), dt())});
  m->load_state_dict(sd);
  Tensor x = input("x", false);
  expect_matches((*m)(x), x, m->weight, m->bias, false);
}

std::string label(const ::testing::TestParamInfo<testing::GoldenCase>& info) {
  return testing::golden_case_name(cases(), info.param);
}
INSTANTIATE_TEST_SUITE_P(AllCases, GoldenConv,
                         ::testing::ValuesIn(testing::golden_cases(cases(), {kFloat64, kFloat32})), label);

TEST(GoldenConvFile, HasEveryDocumentedCase) {
  ASSERT_EQ(cases().size(), 10u);
  int per_op[3] = {};
  for (const json& c : cases()) {
    const std::string op = c.at("op");
    per_op[op == "conv2d" ? 0 : op == "conv1d" ? 1 : 2]++;
  }
  EXPECT_EQ(per_op[0], 6);
  EXPECT_EQ(per_op[1], 2);
  EXPECT_EQ(per_op[2], 2);
}

// ---- the modules' PyTorch-facing surface ----

TEST(ConvModules, ReprMatchesPyTorch) {
  EXPECT_EQ(nn::Conv2d(1, 8, 3).extra_repr(), "1, 8, kernel_size=(3, 3), stride=(1, 1)");
  EXPECT_EQ(nn::Conv2d(16, 32, {3, 5}, 2, {1, 2}, 1, 4, false).extra_repr(),
            "16, 32, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), groups=4, bias=False");
  EXPECT_EQ(nn::Conv2d(3, 3, 3, 1, "same", 2).extra_repr(),
            "3, 3, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2)");
  EXPECT_EQ(nn::Conv2d(3, 3, 3, 1, "valid").extra_repr(), "3, 3, kernel_size=(3, 3), stride=(1, 1), padding=valid");
  EXPECT_EQ(nn::Conv1d(16, 33, 3, 2).extra_repr(), "16, 33, kernel_size=(3,), stride=(2,)");
  EXPECT_EQ(nn::Conv1d(16, 33, 3, 1, "same", 2, 1, false).extra_repr(),
            "16, 33, kernel_size=(3,), stride=(1,), padding=same, dilation=(2,), bias=False");
  EXPECT_EQ(nn::Conv1d(16, 33, 3, 1, 2).extra_repr(), "16, 33, kernel_size=(3,), stride=(1,), padding=(2,)");
  EXPECT_EQ(nn::ConvTranspose2d(16, 33, 3, 2, 1, 1).extra_repr(),
            "16, 33, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1)");
  EXPECT_EQ(nn::ConvTranspose2d(4, 6, 3, 1, 0, 0, 2, false, 2).extra_repr(),
            "4, 6, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), groups=2, bias=False");
  EXPECT_EQ(nn::Conv2d(1, 8, 3).summary().substr(0, 47), "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))");
}

// Weight and bias in ±1/√fan_in (kaiming_uniform(a = √5) and PyTorch's bias rule), std ≈ bound/√3.
void expect_default_init(nn::ConvModule& m, int64_t fan_in, const Shape& weight_shape) {
  nn::StateDict sd = m.state_dict();
  ASSERT_EQ(sd.size(), 2u);
  EXPECT_EQ(sd[0].first, "weight");
  EXPECT_EQ(sd[1].first, "bias");
  EXPECT_EQ(m.weight.shape(), weight_shape);
  EXPECT_TRUE(m.weight.requires_grad() && m.bias.requires_grad());
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  std::vector<double> w = m.weight.to_vector<double>(), b = m.bias.to_vector<double>();
  double sq = 0;
  for (double v : w) {
    EXPECT_LE(std::fabs(v), bound);
    sq += v * v;
  }
  for (double v : b) EXPECT_LE(std::fabs(v), bound);
  EXPECT_NEAR(std::sqrt(sq / w.size()), bound / std::sqrt(3.0), 0.1 * bound);
}

TEST(ConvModules, DefaultInitAndStateDictFollowPyTorch) {
  nn::Conv2d conv(8, 64, 3);
  expect_default_init(conv, 8 * 9, {64, 8, 3, 3});
  nn::Conv1d c1(6, 48, 5, 1, 0, 1, 3);
  expect_default_init(c1, 2 * 5, {48, 2, 5});
  nn::ConvTranspose2d ct(64, 32, {3, 2}, 2, 0, 0, 2);  // weight [in, out/groups, kH, kW], fan_in = 16·6
  expect_default_init(ct, 16 * 6, {64, 16, 3, 2});
  EXPECT_EQ(nn::Conv2d(3, 4, 3, 1, 0, 1, 1, false).num_parameters(), 4 * 3 * 9);
}

TEST(ConvModules, BadConstructionAndInputGetClearErrors) {
  EXPECT_THROW(nn::Conv2d(3, 4, 3, 1, 0, 1, 2), Error);  // 3 input channels, groups 2
  EXPECT_THROW(nn::Conv2d(4, 4, 3, 2, "same"), Error);
  EXPECT_THROW(nn::Conv2d(4, 4, 0), Error);
  EXPECT_THROW(nn::ConvTranspose2d(4, 4, 3, 1, -1), Error);
  nn::Conv2d conv(3, 8, 3);
  try {
    conv(randn({2, 4, 8, 8}));
    ADD_FAILURE() << "did not throw";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("Conv2d(3, 8, kernel_size=(3, 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[2, 4, 8, 8]"), std::string::npos) << msg;
  }
  EXPECT_THROW(conv(randn({3, 8, 8})), Error);
  EXPECT_EQ(conv(randn({2, 3, 8, 8})).shape(), Shape({2, 8, 6, 6}));
}

}  // namespace
}  // namespace tt
