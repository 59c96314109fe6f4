// nn::Module behaviour: parameter names as PyTorch builds them ("0.weight", "encoder.fc1.bias"),
// counts, train/eval propagation, Dropout in both modes, state_dict round trips and the errors of
// load_state_dict (each names the key and the shapes), summary() and to(dtype).
// Numerical agreement with PyTorch lives in the golden_*_test.cpp files.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/generator.h"
#include "nn/nn.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using nn::Linear;
using nn::Sequential;

// A two-level custom module: Net{encoder: Block{fc1, fc2}, head: Linear, scale, buffer running}.
class Block : public nn::Module {
 public:
  Block() {
    fc1 = register_module("fc1", std::make_shared<Linear>(4, 3));
    fc2 = register_module("fc2", std::make_shared<Linear>(3, 3, /*bias=*/false));
  }
  Tensor forward(const Tensor& x) override { return (*fc2)(relu((*fc1)(x))); }
  std::string type_name() const override { return "Block"; }
  std::shared_ptr<Linear> fc1, fc2;
};

class Net : public nn::Module {
 public:
  Net() {
    encoder = register_module("encoder", std::make_shared<Block>());
    head = register_module("head", std::make_shared<Linear>(3, 2));
    scale = register_parameter("scale", ones(Shape{1}));
    running = register_buffer("running", zeros(Shape{2}));
  }
  Tensor forward(const Tensor& x) override { return (*head)((*encoder)(x)) * scale; }
  std::string type_name() const override { return "Net"; }
  std::shared_ptr<Block> encoder;
  std::shared_ptr<Linear> head;
  Tensor scale, running;
};

std::vector<std::string> keys(const nn::StateDict& sd) {
  std::vector<std::string> out;
  for (const auto& [k, v] : sd) out.push_back(k);
  return out;
}

std::shared_ptr<Sequential> make_mlp() {
  auto inner = std::make_shared<Sequential>(
      std::initializer_list<std::shared_ptr<nn::Module>>{std::make_shared<Linear>(8, 5), std::make_shared<nn::Tanh>()});
  return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<Linear>(6, 8), std::make_shared<nn::ReLU>(), inner, std::make_shared<nn::Dropout>(0.5),
      std::make_shared<Linear>(5, 3)});
}

TEST(ModuleNames, SequentialUsesIndicesAndNests) {
  auto m = make_mlp();
  EXPECT_EQ(keys(m->named_parameters()),
            (std::vector<std::string>{"0.weight", "0.bias", "2.0.weight", "2.0.bias", "4.weight", "4.bias"}));
  EXPECT_EQ(keys(m->named_parameters(/*recurse=*/false)), std::vector<std::string>{});
  EXPECT_EQ(m->named_children().size(), 5u);
}

TEST(ModuleNames, CustomModuleUsesRegisteredNames) {
  Net net;
  EXPECT_EQ(keys(net.named_parameters()),
            (std::vector<std::string>{"scale", "encoder.fc1.weight", "encoder.fc1.bias", "encoder.fc2.weight",
                                      "head.weight", "head.bias"}));
  EXPECT_EQ(keys(net.named_buffers()), std::vector<std::string>{"running"});
  EXPECT_EQ(keys(net.state_dict()).back(), "running");  // parameters, then buffers
  EXPECT_EQ(net.state_dict().size(), 7u);
  EXPECT_FALSE(net.running.requires_grad());
  for (const Tensor& p : net.parameters()) EXPECT_TRUE(p.requires_grad() && p.is_leaf());
}

TEST(ModuleNames, NamedParametersShareStorageWithTheLayer) {
  Net net;
  const nn::StateDict params = net.named_parameters();
  const Tensor* w = nn::find_in(params, "encoder.fc1.weight");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->is_same(net.encoder->fc1->weight));
  EXPECT_EQ(nn::find_in(params, "encoder.fc2.bias"), nullptr);  // bias=false
}

TEST(ModuleCount, NumParametersSumsEveryTensor) {
  auto m = make_mlp();
  EXPECT_EQ(m->parameters().size(), 6u);
  EXPECT_EQ(m->num_parameters(), (6 * 8 + 8) + (8 * 5 + 5) + (5 * 3 + 3));
  Net net;
  EXPECT_EQ(net.num_parameters(), 1 + (4 * 3 + 3) + 3 * 3 + (3 * 2 + 2));  // buffers not counted
}

TEST(ModuleMode, TrainAndEvalPropagateToEveryDescendant) {
  auto m = make_mlp();
  EXPECT_TRUE(m->is_training());
  m->eval();
  EXPECT_FALSE(m->is_training());
  auto inner = std::dynamic_pointer_cast<Sequential>((*m)[2]);
  ASSERT_NE(inner, nullptr);
  EXPECT_FALSE(inner->is_training());
  EXPECT_FALSE((*inner)[0]->is_training());
  EXPECT_FALSE((*m)[3]->is_training());
  m->train();
  EXPECT_TRUE((*inner)[1]->is_training());
  EXPECT_TRUE((*m)[3]->is_training());
}

TEST(Dropout, TrainingZeroesAboutPAndScalesTheRest) {
  const double p = 0.3;
  nn::Dropout drop(p);
  manual_seed(11);
  Tensor x = full(Shape{400, 250}, 2.0, kFloat64);
  std::vector<double> y = drop(x).to_vector<double>();
  int64_t zeros = 0;
  for (double v : y) {
    if (v == 0) ++zeros;
    else EXPECT_DOUBLE_EQ(v, 2.0 / (1 - p));
  }
  const double n = static_cast<double>(y.size()), frac = zeros / n;
  EXPECT_NEAR(frac, p, 5 * std::sqrt(p * (1 - p) / n));  // 5 binomial SE
}

TEST(Dropout, GradientUsesTheSameMask) {
  nn::Dropout drop(0.5);
  Tensor x = ones(Shape{1000}, kFloat64).requires_grad_();
  Tensor y = drop(x);
  y.sum().backward();
  EXPECT_TRUE(testing::bitwise_equal(x.grad(), y.detach()));  // dy/dx = mask/(1−p) = y for x = 1
}

TEST(Dropout, EvalIsIdentityAndExtremesBehave) {
  nn::Dropout drop(0.5);
  Tensor x = randn(Shape{50, 4});
  drop.eval();
  EXPECT_TRUE(testing::bitwise_equal(drop(x), x));
  drop.train();
  nn::Dropout none(0.0), all(1.0);
  EXPECT_TRUE(testing::bitwise_equal(none(x), x));
  EXPECT_VALUES(all(x).abs().sum(), {0.0});
  EXPECT_TT_ERROR(nn::Dropout(1.5), "Dropout", "1.5");
  EXPECT_TT_ERROR(nn::Dropout(-0.1), "Dropout", "-0.1");
}

TEST(Dropout, SameSeedSameMask) {
  nn::Dropout drop(0.5);
  Tensor x = ones(Shape{256});
  manual_seed(5);
  Tensor a = drop(x);
  manual_seed(5);
  Tensor b = drop(x);
  EXPECT_TRUE(testing::bitwise_equal(a, b));
}

TEST(StateDict, RoundTripCopiesValuesIntoTheExistingTensors) {
  manual_seed(1);
  auto a = make_mlp();
  manual_seed(2);
  auto b = make_mlp();
  Tensor w_before = (*b).named_parameters()[0].second;
  ASSERT_FALSE(testing::bitwise_equal(a->named_parameters()[0].second, w_before));
  b->load_state_dict(a->state_dict());
  const nn::StateDict sa = a->state_dict(), sb = b->state_dict();
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].first, sb[i].first);
    EXPECT_TRUE(testing::bitwise_equal(sa[i].second, sb[i].second)) << sa[i].first;
  }
  EXPECT_TRUE(b->named_parameters()[0].second.is_same(w_before));  // in place: held handles stay valid
  EXPECT_TRUE(w_before.requires_grad() && w_before.is_leaf());
  a->eval(), b->eval();
  Tensor x = randn(Shape{4, 6});
  EXPECT_TRUE(testing::bitwise_equal((*a)(x), (*b)(x)));
  // The copy is deep: changing a afterwards leaves b alone.
  a->named_parameters()[0].second.detach().fill_(0.0);
  EXPECT_FALSE(testing::bitwise_equal(a->named_parameters()[0].second, b->named_parameters()[0].second));
}

TEST(StateDict, MissingKeyNamesTheKeyAndShape) {
  Net net;
  nn::StateDict sd = net.state_dict();
  sd.erase(sd.begin() + 2);  // encoder.fc1.bias
  EXPECT_TT_ERROR(net.load_state_dict(sd), "load_state_dict", "missing", "encoder.fc1.bias", "[3]");
  EXPECT_NO_THROW(net.load_state_dict(sd, /*strict=*/false));
}

TEST(StateDict, UnexpectedKeyNamesTheKey) {
  Net net;
  nn::StateDict sd = net.state_dict();
  sd.emplace_back("encoder.fc3.weight", zeros(Shape{3, 3}));
  EXPECT_TT_ERROR(net.load_state_dict(sd), "load_state_dict", "unexpected", "encoder.fc3.weight");
  EXPECT_NO_THROW(net.load_state_dict(sd, /*strict=*/false));
}

TEST(StateDict, ShapeMismatchNamesTheKeyAndBothShapes) {
  Net net;
  nn::StateDict sd = net.state_dict();
  for (auto& [k, v] : sd)
    if (k == "head.weight") v = zeros(Shape{2, 4});
  EXPECT_TT_ERROR(net.load_state_dict(sd), "load_state_dict", "head.weight", "[2, 4]", "[2, 3]");
  EXPECT_TT_ERROR(net.load_state_dict(sd, /*strict=*/false), "head.weight", "[2, 4]", "[2, 3]");
}

TEST(StateDict, LoadConvertsDtype) {
  Net net;
  nn::StateDict sd;
  for (auto& [k, v] : net.state_dict()) sd.emplace_back(k, full(v.shape(), 0.5, kFloat64));
  net.load_state_dict(sd);
  EXPECT_EQ(net.head->weight.dtype(), kFloat32);
  EXPECT_VALUES(net.head->weight, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
}

TEST(Summary, ShowsTheTreeAndTheParameterCount) {
  auto m = make_mlp();
  const std::string s = m->summary();
  EXPECT_NE(s.find("Total params: " + std::to_string(m->num_parameters())), std::string::npos) << s;
  EXPECT_NE(s.find("Linear(in_features=6, out_features=8, bias=True)"), std::string::npos) << s;
  EXPECT_NE(s.find("Dropout(p=0.5)"), std::string::npos) << s;
  EXPECT_NE(s.find("(2): Sequential("), std::string::npos) << s;
  EXPECT_NE(s.find("56 params"), std::string::npos) << s;  // Linear(6, 8): 48 + 8
}

TEST(ModuleTo, ConvertsEveryTensorInPlace) {
  Net net;
  Tensor held = net.head->weight;  // a handle taken before the conversion
  std::vector<double> before = held.to_vector<double>();
  Tensor x = randn(Shape{2, 4});
  Tensor y32 = net(x);
  net.to(kFloat64);
  for (const auto& [k, v] : net.state_dict()) EXPECT_EQ(v.dtype(), kFloat64) << k;
  EXPECT_EQ(held.dtype(), kFloat64);
  EXPECT_EQ(held.to_vector<double>(), before);  // float32 → float64 is exact
  EXPECT_TRUE(held.requires_grad());
  Tensor y64 = net(x.to(kFloat64));
  EXPECT_EQ(y64.dtype(), kFloat64);
  EXPECT_TRUE(testing::tensors_near(y64, y32, 1e-5));
  y64.sum().backward();
  EXPECT_EQ(net.head->weight.grad().dtype(), kFloat64);
}

TEST(ModuleErrors, LinearRejectsWrongInputWidth) {
  Linear fc(4, 2);
  EXPECT_TT_ERROR(fc(zeros(Shape{3, 5})), "Linear(4, 2)", "[3, 5]");
}

TEST(Layers, FlattenAndIdentity) {
  Tensor x = randn(Shape{2, 3, 4});
  EXPECT_EQ(nn::Flatten()(x).shape(), (Shape{2, 12}));
  EXPECT_EQ(nn::Flatten(0)(x).shape(), (Shape{24}));
  EXPECT_TRUE(nn::Identity()(x).is_same(x));
}

}  // namespace
}  // namespace tt
