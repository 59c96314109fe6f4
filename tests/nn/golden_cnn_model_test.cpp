// A small CNN end to end vs PyTorch 1.13 (tests/golden/cnn_model.json, make_cnn_model() in
// tests/golden/make_golden.py): Conv2d → BatchNorm2d → ReLU → MaxPool2d → grouped Conv2d → ReLU →
// AdaptiveAvgPool2d → Flatten → Linear, one training-mode step: every layer's output, the logits,
// the loss, every parameter gradient, the input gradient, BatchNorm's running statistics after
// the step, and the eval-mode logits. float64 (tight) and float32.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/node.h"
#include "nn/golden_reference.h"
#include "nn/nn.h"
#include "ops/ops.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& golden() {
  static const json f = testing::load_golden("cnn_model.json");
  return f;
}

std::shared_ptr<nn::Sequential> make_model(DType dt) {
  auto m = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(2, 4, 3, 1, 1), std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Conv2d>(4, 6, 3, 1, 0, 1, 2),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::AdaptiveAvgPool2d>(1), std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(6, 3)});
  m->to(dt);
  return m;
}

class GoldenCnnModel : public ::testing::TestWithParam<DType> {};

TEST_P(GoldenCnnModel, TrainingStepMatchesPyTorch) {
  const json& c = golden();
  const DType dt = GetParam();
  const testing::Tolerance tol = dt == kFloat64 ? testing::Tolerance{1e-10, 1e-12} : testing::kTolF32;
  auto model = make_model(dt);
  nn::StateDict sd;
  for (const auto& [k, v] : c.at("state_dict").items()) sd.emplace_back(k, testing::golden_tensor(v));
  model->load_state_dict(sd);
  model->train();

  Tensor x = testing::golden_tensor(c.at("x"), dt).requires_grad_();
  Tensor h = x;
  // One forward, layer by layer (BatchNorm updates its running statistics once, as in the file).
  for (size_t i = 0; i < model->size(); ++i) {
    h = (*(*model)[i])(h);
    EXPECT_TRUE(allclose(h, c.at("layer_outputs")[i], tol)) << "layer " << i << " (" << (*model)[i]->type_name() << ")";
  }
  EXPECT_TRUE(allclose(h, c.at("logits"), tol)) << "logits";
  Tensor loss = nn::functional::cross_entropy(h, testing::golden_indices(c.at("target")));
  EXPECT_TRUE(allclose(loss.item<double>(), c.at("loss").get<double>(), tol)) << "loss";
  loss.backward();

  ASSERT_NO_FATAL_FAILURE(testing::expect_parameter_grads(*model, c.at("grads"), tol));
  EXPECT_TRUE(allclose(x.grad(), c.at("grad_x"), tol)) << "grad_x";

  auto* bn = dynamic_cast<nn::BatchNorm2d*>((*model)[1].get());
  ASSERT_NE(bn, nullptr);
  EXPECT_TRUE(allclose(bn->running_mean, c.at("running_mean"), tol)) << "running_mean";
  EXPECT_TRUE(allclose(bn->running_var, c.at("running_var"), tol)) << "running_var";

  model->eval();
  NoGradGuard ng;
  EXPECT_TRUE(allclose((*model)(x), c.at("eval_logits"), tol)) << "eval-mode logits";
}

INSTANTIATE_TEST_SUITE_P(Dtypes, GoldenCnnModel, ::testing::Values(kFloat64, kFloat32),
                         [](const auto& info) { return testing::dtype_tag(info.param); });

TEST(GoldenCnnModel, StateDictNamesMatchPyTorch) {
  std::vector<std::string> ours, theirs;
  for (const auto& [k, v] : make_model(kFloat64)->state_dict()) ours.push_back(k);
  for (const auto& [k, v] : golden().at("state_dict").items()) theirs.push_back(k);
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  EXPECT_EQ(ours, theirs);
}

}  // namespace
}  // namespace tt
