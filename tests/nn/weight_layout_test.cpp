// nn::WeightLayout (Note [Weight layout] in nn/layers.h): an input-major Linear keeps PyTorch's
// (out, in) weight with the same values, state_dict and results; its gradient and optimizer state
// follow its memory order; the layout survives to(dtype) and load_state_dict; training matches an
// out-major twin; the linear op passes the float64 gradient check with an input-major weight.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "autograd/gradcheck.h"
#include "core/generator.h"
#include "core/node.h"
#include "nn/nn.h"
#include "optim/optimizer.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using nn::Linear;
using nn::LinearAct;
using nn::WeightLayout;

bool input_major(const Tensor& w) { return w.strides() == Strides{1, w.shape()[0]} && !w.is_contiguous(); }

// Two copies of one model; the second stored input-major.
template <typename Make>
std::pair<std::shared_ptr<nn::Module>, std::shared_ptr<nn::Module>> twins(Make make) {
  manual_seed(11);
  std::shared_ptr<nn::Module> a = make();
  manual_seed(11);
  std::shared_ptr<nn::Module> b = make();
  nn::set_weight_layout(*b, WeightLayout::InputMajor);
  return {a, b};
}

TEST(WeightLayout, InputMajorKeepsShapeValuesAndStateDict) {
  manual_seed(3);
  Linear fc(6, 4);
  const Tensor before = clone(fc.weight.detach());
  Tensor held = fc.weight;  // a handle taken before: it sees the new layout
  fc.set_weight_layout(WeightLayout::InputMajor);
  EXPECT_EQ(fc.weight_layout(), WeightLayout::InputMajor);
  EXPECT_EQ(held.shape(), (Shape{4, 6}));
  EXPECT_TRUE(input_major(held));
  EXPECT_TRUE(held.is_dense() && held.requires_grad() && held.is_leaf());
  EXPECT_TRUE(testing::bitwise_equal(held, before));
  EXPECT_TRUE(testing::bitwise_equal(fc.state_dict()[0].second, before));
  EXPECT_NE(fc.extra_repr().find("weight_layout=input_major"), std::string::npos) << fc.extra_repr();
  fc.set_weight_layout(WeightLayout::OutMajor);
  EXPECT_TRUE(held.is_contiguous());
  EXPECT_TRUE(testing::bitwise_equal(held, before));
  EXPECT_EQ(fc.extra_repr().find("weight_layout"), std::string::npos);
}

TEST(WeightLayout, SetOnATreeCountsEveryLinear) {
  nn::Sequential m{std::make_shared<nn::Flatten>(), std::make_shared<LinearAct>(12, 8, Activation::Relu),
                   std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
                       std::make_shared<Linear>(8, 5), std::make_shared<nn::Tanh>()}),
                   std::make_shared<Linear>(5, 3, /*bias=*/false)};
  EXPECT_EQ(nn::set_weight_layout(m, WeightLayout::InputMajor), 3);
  for (const auto& [k, v] : m.named_parameters())
    if (v.dim() == 2) {
      EXPECT_TRUE(input_major(v)) << k;
    }
}

// Forward values and every gradient agree with the out-major twin (float64: only the order of a
// GEMM's partial sums may differ); the weight's gradient has the weight's memory order.
TEST(WeightLayout, ForwardAndGradientsMatchOutMajor) {
  for (Activation act : {Activation::None, Activation::Relu, Activation::Gelu}) {
    auto [a, b] = twins([&] { return std::make_shared<LinearAct>(37, 19, act, true, nullptr, kFloat64); });
    Generator g(5);
    Tensor x = randn(Shape{3, 4, 37}, &g, kFloat64);
    Tensor xa = x.detach().requires_grad_(), xb = x.detach().requires_grad_();
    Tensor ya = (*a)(xa), yb = (*b)(xb);
    EXPECT_TRUE(testing::tensors_near(yb, ya, 1e-12));
    Tensor dy = randn(ya.shape(), &g, kFloat64);
    ya.backward(dy);
    yb.backward(dy);
    EXPECT_TRUE(testing::tensors_near(xb.grad(), xa.grad(), 1e-12));
    const auto pa = a->named_parameters(), pb = b->named_parameters();
    for (size_t i = 0; i < pa.size(); ++i) {
      EXPECT_TRUE(testing::tensors_near(pb[i].second.grad(), pa[i].second.grad(), 1e-12)) << pa[i].first;
      EXPECT_EQ(pb[i].second.grad().strides(), pb[i].second.strides()) << pa[i].first;
    }
  }
}

TEST(WeightLayout, LinearWithInputMajorWeightPassesGradcheck) {
  Generator g(9);
  Tensor x = randn(Shape{5, 7}, &g, kFloat64).requires_grad_();
  Tensor w = contiguous(randn(Shape{7, 4}, &g, kFloat64)).t().requires_grad_();  // (4, 7), input-major
  Tensor b = randn(Shape{4}, &g, kFloat64).requires_grad_();
  ASSERT_TRUE(input_major(w));
  for (Activation act : {Activation::None, Activation::Relu, Activation::Silu}) {
    auto r = autograd::gradcheck([&](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2], act); },
                                 {x, w, b});
    EXPECT_TRUE(r.ok) << activation_name(act) << ": " << r.message;
  }
}

// Twenty Adam steps on a small MLP: the parameters stay within float64 rounding of the twin's.
TEST(WeightLayout, TrainingMatchesOutMajor) {
  auto make = [] {
    return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
        std::make_shared<LinearAct>(20, 16, Activation::Relu, true, nullptr, kFloat64),
        std::make_shared<Linear>(16, 3, true, nullptr, kFloat64)});
  };
  auto [a, b] = twins(make);
  optim::Adam oa(a->parameters(), {{"lr", 1e-2}}), ob(b->parameters(), {{"lr", 1e-2}});
  Generator g(1);
  Tensor x = randn(Shape{32, 20}, &g, kFloat64), y = randint(0, 3, Shape{32}, &g);
  for (int i = 0; i < 20; ++i) {
    for (auto [m, o] : {std::pair{a.get(), &oa}, std::pair{b.get(), &ob}}) {
      o->zero_grad();
      cross_entropy((*m)(x), y).backward();
      o->step();
    }
  }
  const auto pa = a->named_parameters(), pb = b->named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(testing::tensors_near(pb[i].second, pa[i].second, 1e-10)) << pa[i].first;
    if (pb[i].second.dim() == 2) {
      EXPECT_TRUE(input_major(pb[i].second)) << pa[i].first;
    }
  }
  for (const auto& [k, v] : ob.state_dict().tensors)
    if (v.dim() == 2) {
      EXPECT_TRUE(input_major(v)) << k;
    }
}

// Re-laying a weight after the optimizer has state: the state is re-laid at its next step and the
// update continues exactly (gradients set by hand, so no GEMM is involved).
TEST(WeightLayout, OptimizerStateFollowsALaterRelayout) {
  auto [a, b] = twins([] { return std::make_shared<Linear>(5, 3); });
  nn::set_weight_layout(*b, WeightLayout::OutMajor);
  optim::Adam oa(a->parameters()), ob(b->parameters());
  auto set_grads = [&](int i) {
    for (auto* m : {a.get(), b.get()}) {
      Generator g(50 + i);  // the same gradients for both
      for (auto& [k, v] : m->named_parameters()) v.set_grad(randn(v.shape(), &g));
    }
  };
  set_grads(0), oa.step(), ob.step();
  nn::set_weight_layout(*b, WeightLayout::InputMajor);
  for (int i = 1; i < 6; ++i) set_grads(i), oa.step(), ob.step();
  EXPECT_TRUE(testing::bitwise_equal(b->named_parameters()[0].second, a->named_parameters()[0].second));
  EXPECT_TRUE(input_major(b->named_parameters()[0].second));
  for (const auto& [k, v] : ob.state_dict().tensors)
    if (v.dim() == 2) {
      EXPECT_TRUE(input_major(v)) << k;
    }
}

TEST(WeightLayout, SurvivesToDtypeAndLoadStateDict) {
  auto [a, b] = twins([] { return std::make_shared<Linear>(6, 4); });
  b->to(kFloat64);
  const Tensor w = b->named_parameters()[0].second;
  EXPECT_EQ(w.dtype(), kFloat64);
  EXPECT_TRUE(input_major(w));
  EXPECT_TRUE(testing::tensors_near(w, a->named_parameters()[0].second.to(kFloat64), 0));
  // Out-major values load into the input-major tensor in place, by logical index.
  manual_seed(99);
  Linear other(6, 4);
  b->load_state_dict(other.state_dict());
  EXPECT_TRUE(input_major(w));
  EXPECT_TRUE(testing::tensors_near(w, other.weight.to(kFloat64), 0));
}

}  // namespace
}  // namespace tt
