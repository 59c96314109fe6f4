// A whole model vs PyTorch 1.13 (tests/golden/mlp.json): build the nn::Sequential the file
// describes, load its state_dict, run forward, cross-entropy and backward, and compare every layer
// output, the logits, the loss, every parameter gradient and the input gradient.
// In float64 (tight) and float32 (the same model converted with to() or built in float32).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "nn/golden_reference.h"
#include "nn/nn.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& cases() {
  static const json c = testing::load_golden("mlp.json").at("cases");
  return c;
}

std::shared_ptr<nn::Module> make_layer(const json& d, DType dt) {
  const std::string type = d.at("type");
  if (type == "Linear")
    return std::make_shared<nn::Linear>(d.at("in_features").get<int64_t>(), d.at("out_features").get<int64_t>(), true,
                                        nullptr, dt);
  if (type == "ReLU") return std::make_shared<nn::ReLU>();
  if (type == "Tanh") return std::make_shared<nn::Tanh>();
  if (type == "GELU") return std::make_shared<nn::GELU>(d.at("approximate").get<std::string>());
  if (type == "LeakyReLU") return std::make_shared<nn::LeakyReLU>(d.at("negative_slope").get<double>());
  throw std::runtime_error("mlp.json: unknown layer " + type);
}

std::shared_ptr<nn::Sequential> make_model(const json& c, DType dt) {
  auto model = std::make_shared<nn::Sequential>();
  for (const json& d : c.at("layers")) model->push_back(make_layer(d, dt));
  return model;
}

nn::StateDict golden_state_dict(const json& c) {
  nn::StateDict sd;
  for (const auto& [k, v] : c.at("state_dict").items()) sd.emplace_back(k, testing::golden_tensor(v));
  return sd;
}

struct MlpCase {
  size_t index;
  DType dtype;
  bool convert;  // built in float64, loaded, then model.to(dtype)
};

class GoldenMlp : public ::testing::TestWithParam<MlpCase> {};

TEST_P(GoldenMlp, ForwardLossAndGradientsMatchPyTorch) {
  const json& c = cases()[GetParam().index];
  const DType dt = GetParam().dtype;
  const testing::Tolerance tol = dt == kFloat64 ? testing::Tolerance{1e-12, 1e-14} : testing::kTolF32;
  auto model = make_model(c, GetParam().convert ? kFloat64 : dt);
  model->load_state_dict(golden_state_dict(c));  // float64 values, converted on copy
  if (GetParam().convert) model->to(dt);
  for (const auto& [k, p] : model->named_parameters()) EXPECT_EQ(p.dtype(), dt) << k;

  Tensor x = testing::golden_tensor(c.at("x"), dt).requires_grad_();
  Tensor h = x;
  for (size_t i = 0; i < model->size(); ++i) {
    h = (*(*model)[i])(h);
    EXPECT_TRUE(allclose(h, c.at("layer_outputs")[i], tol)) << "layer " << i << " (" << (*model)[i]->type_name() << ")";
  }
  Tensor logits = (*model)(x);
  EXPECT_TRUE(allclose(logits, c.at("logits"), tol)) << "logits";
  Tensor loss = nn::functional::cross_entropy(logits, testing::golden_indices(c.at("target")));
  EXPECT_TRUE(allclose(loss.item<double>(), c.at("loss").get<double>(), tol)) << "loss";
  loss.backward();

  ASSERT_NO_FATAL_FAILURE(testing::expect_parameter_grads(*model, c.at("grads"), tol));
  // x fed the model twice (layer by layer, then whole), so its gradient is from the second graph only:
  // the first graph was never backpropagated.
  EXPECT_TRUE(allclose(x.grad(), c.at("grad_x"), tol)) << "grad_x";
}

INSTANTIATE_TEST_SUITE_P(AllCases, GoldenMlp,
                         ::testing::Values(MlpCase{0, kFloat64, false}, MlpCase{1, kFloat64, false},
                                           MlpCase{0, kFloat32, false}, MlpCase{1, kFloat32, false},
                                           MlpCase{0, kFloat32, true}, MlpCase{1, kFloat32, true}),
                         [](const ::testing::TestParamInfo<MlpCase>& info) {
                           return cases()[info.param.index].at("name").get<std::string>() + "_" +
                                  testing::dtype_tag(info.param.dtype) + (info.param.convert ? "_via_to" : "");
                         });

TEST(GoldenMlp, FileHasBothCasesWithPyTorchNames) {
  ASSERT_EQ(cases().size(), 2u);
  for (const json& c : cases()) {
    auto model = make_model(c, kFloat64);
    std::vector<std::string> ours, theirs;
    for (const auto& [k, v] : model->state_dict()) ours.push_back(k);
    for (const auto& [k, v] : c.at("state_dict").items()) theirs.push_back(k);
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    EXPECT_EQ(ours, theirs) << c.at("name");
  }
}

}  // namespace
}  // namespace tt
