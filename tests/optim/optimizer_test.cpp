// Optimizer mechanics (values vs PyTorch are in golden_optimizers_test.cpp): state_dict round trips
// that continue bit-exactly, state memory (Adam = 2× parameters), option validation errors,
// parameter groups, skipping parameters without gradients, clipping edge cases, and resuming an
// LR scheduler with set_last_epoch.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/generator.h"
#include "core/node.h"
#include "ops/ops.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using MakeOpt = std::function<std::unique_ptr<optim::Optimizer>(const std::vector<Tensor>&)>;

// Least squares on fixed random data: params W (3, 4) and b (3).
struct Regression {
  Tensor X, Y, W, b;
  explicit Regression(DType dt = kFloat32) {
    Generator g(42);
    X = randn(Shape{16, 4}, &g, dt);
    Y = randn(Shape{16, 3}, &g, dt);
    W = randn(Shape{3, 4}, &g, dt).requires_grad_();
    b = randn(Shape{3}, &g, dt).requires_grad_();
  }
  std::vector<Tensor> params() const { return {W, b}; }
  void step(optim::Optimizer& opt) const {
    opt.zero_grad();
    Tensor r = matmul(X, W.t()) + b - Y;
    mean(r * r).backward();
    opt.step();
  }
};

struct NamedMaker {
  std::string name;
  MakeOpt make;
};

template <typename Opt>
MakeOpt maker(optim::Options o) {
  return [o](const std::vector<Tensor>& p) { return std::make_unique<Opt>(p, o); };
}

std::vector<NamedMaker> makers() {
  return {
      {"SGD_nesterov", maker<optim::SGD>({{"lr", 0.05}, {"momentum", 0.9}, {"nesterov", 1}})},
      {"Adam_amsgrad", maker<optim::Adam>({{"lr", 0.01}, {"amsgrad", 1}})},
      {"AdamW", maker<optim::AdamW>({{"lr", 0.01}})},
      {"RMSprop_centered", maker<optim::RMSprop>({{"momentum", 0.5}, {"centered", 1}})},
      {"Adagrad", maker<optim::Adagrad>({{"lr", 0.1}, {"lr_decay", 0.01}})},
  };
}

class OptimizerResume : public ::testing::TestWithParam<NamedMaker> {};

// 8 steps, state_dict into a fresh optimizer over copies of the parameters, 12 more steps:
// bitwise equal to 20 uninterrupted steps.
TEST_P(OptimizerResume, LoadedStateContinuesBitExactly) {
  Regression full;
  auto opt_full = GetParam().make(full.params());
  for (int i = 0; i < 20; ++i) full.step(*opt_full);

  Regression first;
  auto opt_first = GetParam().make(first.params());
  for (int i = 0; i < 8; ++i) first.step(*opt_first);
  optim::OptimizerState st = opt_first->state_dict();

  Regression second;  // fresh process stand-in: new tensors, new optimizer
  {
    NoGradGuard ng;
    second.W.copy_(first.W);
    second.b.copy_(first.b);
  }
  auto opt_second = GetParam().make(second.params());
  opt_second->load_state_dict(st);
  EXPECT_EQ(opt_second->state_bytes(), opt_first->state_bytes());
  for (int i = 0; i < 8; ++i) first.step(*opt_first);  // the saved state must not alias the live one
  for (int i = 0; i < 12; ++i) second.step(*opt_second);
  EXPECT_TRUE(testing::bitwise_equal(second.W, full.W));
  EXPECT_TRUE(testing::bitwise_equal(second.b, full.b));
}

// Without a loaded state the continuation differs (the test above is not vacuous).
TEST_P(OptimizerResume, FreshStateDiverges) {
  Regression full;
  auto opt_full = GetParam().make(full.params());
  for (int i = 0; i < 20; ++i) full.step(*opt_full);
  Regression part;
  auto opt_a = GetParam().make(part.params());
  for (int i = 0; i < 8; ++i) part.step(*opt_a);
  auto opt_b = GetParam().make(part.params());
  for (int i = 0; i < 12; ++i) part.step(*opt_b);
  EXPECT_FALSE(testing::bitwise_equal(part.W, full.W));
}

INSTANTIATE_TEST_SUITE_P(AllOptimizers, OptimizerResume, ::testing::ValuesIn(makers()),
                         [](const ::testing::TestParamInfo<NamedMaker>& i) { return i.param.name; });

// Note [Gradient layout]: a dense, non-contiguous parameter (a weight stored transposed, as
// nn::WeightLayout::InputMajor does) is updated element for element as its contiguous twin, with
// gradients given in either layout, and its state has its memory order.
struct Twins {
  Tensor plain, transposed;  // the same (5, 7) values; `transposed` is a view of (7, 5) storage
  Twins() {
    Generator g(7);
    plain = randn(Shape{5, 7}, &g).requires_grad_();
    transposed = contiguous(plain.detach().t()).t().requires_grad_();
  }
  // Gradient of step i, the same values for both; given contiguous, or for the transposed twin in
  // its own layout every other step.
  void set_grads(int i) const {
    Generator gen(100 + i);
    Tensor g = randn(Shape{5, 7}, &gen);
    plain.set_grad(g);
    transposed.set_grad(i % 2 ? g : contiguous(g.t()).t());
  }
};

class OptimizerLayout : public ::testing::TestWithParam<NamedMaker> {};

TEST_P(OptimizerLayout, TransposedParameterUpdatesAsContiguous) {
  Twins t;
  ASSERT_TRUE(!t.transposed.is_contiguous() && t.transposed.is_dense());
  auto a = GetParam().make({t.plain});
  auto b = GetParam().make({t.transposed});
  for (int i = 0; i < 20; ++i) {
    t.set_grads(i);
    a->step();
    b->step();
  }
  EXPECT_TRUE(testing::bitwise_equal(t.transposed, t.plain));
  EXPECT_FALSE(t.transposed.is_contiguous());  // updated in place, layout kept
  for (const auto& [k, v] : b->state_dict().tensors) EXPECT_EQ(v.strides(), t.transposed.strides()) << k;
}

// State saved from the transposed twin loads into the contiguous one (and back) and continues
// bit-exactly: the state dict holds logical values, whatever the memory order.
TEST_P(OptimizerLayout, StateMovesBetweenLayouts) {
  Twins t;
  auto a = GetParam().make({t.plain});
  auto b = GetParam().make({t.transposed});
  for (int i = 0; i < 5; ++i) t.set_grads(i), a->step(), b->step();
  auto a2 = GetParam().make({t.plain});
  auto b2 = GetParam().make({t.transposed});
  a2->load_state_dict(b->state_dict());
  b2->load_state_dict(a->state_dict());
  for (const auto& [k, v] : b2->state_dict().tensors) EXPECT_EQ(v.strides(), t.transposed.strides()) << k;
  for (int i = 5; i < 12; ++i) t.set_grads(i), a2->step(), b2->step();
  EXPECT_TRUE(testing::bitwise_equal(t.transposed, t.plain));
}

INSTANTIATE_TEST_SUITE_P(AllOptimizers, OptimizerLayout, ::testing::ValuesIn(makers()),
                         [](const ::testing::TestParamInfo<NamedMaker>& i) { return i.param.name; });

TEST(OptimizerLayout, NonDenseParameterIsAClearError) {
  Tensor base = randn(Shape{6, 4}).requires_grad_();
  Tensor every_other = base.detach().slice(0, 0, 6, 2).requires_grad_();  // strides {8, 1}: gaps
  EXPECT_TT_ERROR(optim::Adam(std::vector<Tensor>{every_other}), "Adam", "parameter 0", "dense", "[3, 4]", "[8, 1]");
}

TEST(OptimizerState, StateDictHasStepsGroupsAndTensors) {
  Regression r;
  optim::Adam opt(r.params(), {{"lr", 0.01}});
  r.step(opt);
  r.step(opt);
  optim::OptimizerState st = opt.state_dict();
  EXPECT_EQ(st.scalars.at("state.0.step"), 2);
  EXPECT_EQ(st.scalars.at("state.1.step"), 2);
  EXPECT_EQ(st.scalars.at("group.0.lr"), 0.01);
  EXPECT_EQ(st.scalars.at("group.0.beta2"), 0.999);
  ASSERT_NE(nn::find_in(st.tensors, "state.0.exp_avg"), nullptr);
  EXPECT_EQ(nn::find_in(st.tensors, "state.1.exp_avg_sq")->shape(), (Shape{3}));
}

TEST(OptimizerState, AdamHoldsTwiceTheParameterBytes) {
  Regression r;
  const int64_t param_bytes = static_cast<int64_t>(r.W.nbytes() + r.b.nbytes());
  optim::Adam adam(r.params());
  EXPECT_EQ(adam.state_bytes(), 0);  // allocated lazily on the first step
  r.step(adam);
  EXPECT_EQ(adam.state_bytes(), 2 * param_bytes);
  r.step(adam);
  EXPECT_EQ(adam.state_bytes(), 2 * param_bytes);  // no growth after the first step

  Regression r2;
  optim::Adam ams(r2.params(), {{"amsgrad", 1}});
  r2.step(ams);
  EXPECT_EQ(ams.state_bytes(), 3 * param_bytes);
  optim::SGD plain(r2.params(), {{"lr", 0.1}});
  r2.step(plain);
  EXPECT_EQ(plain.state_bytes(), 0);
}

TEST(OptimizerState, LoadRejectsMismatchedState) {
  Regression r;
  optim::Adam opt(r.params());
  r.step(opt);
  optim::OptimizerState st = opt.state_dict();
  Tensor big = zeros(Shape{1});
  optim::Adam other(std::vector<Tensor>{big.requires_grad_()});
  EXPECT_TT_ERROR(other.load_state_dict(st), "Adam", "parameter");
  optim::OptimizerState bad = st;
  bad.tensors[0].second = zeros(Shape{4, 3});
  EXPECT_TT_ERROR(opt.load_state_dict(bad), "Adam", "state.0.exp_avg", "[4, 3]", "[3, 4]");
  optim::OptimizerState junk = st;
  junk.scalars["velocity.0.x"] = 1;
  EXPECT_TT_ERROR(opt.load_state_dict(junk), "Adam", "velocity.0.x");
}

TEST(OptimizerOptions, BadOptionsAreClearErrors) {
  Regression r;
  EXPECT_TT_ERROR(optim::Adam(r.params(), {{"betas", 0.9}}), "Adam", "unknown option", "betas", "beta1");
  EXPECT_TT_ERROR(optim::SGD(r.params(), {{"lr", 0.1}, {"momentom", 0.9}}), "SGD", "unknown option", "momentom");
  EXPECT_TT_ERROR(optim::Adam(r.params(), {{"lr", -0.1}}), "Adam", "lr");
  EXPECT_TT_ERROR(optim::SGD(r.params(), {{"lr", -1}}), "SGD", "lr");
  EXPECT_TT_ERROR(optim::RMSprop(r.params(), {{"lr", -0.01}}), "RMSprop", "lr");
  EXPECT_TT_ERROR(optim::SGD(r.params(), {{"lr", 0.1}, {"nesterov", 1}}), "SGD", "Nesterov", "momentum");
  EXPECT_TT_ERROR(optim::SGD(r.params(), {{"lr", 0.1}, {"nesterov", 1}, {"momentum", 0.9}, {"dampening", 0.1}}),
                  "SGD", "Nesterov", "dampening");
  EXPECT_TT_ERROR(optim::SGD(r.params(), optim::Options{}), "SGD", "lr");
  EXPECT_TT_ERROR(optim::Adam(r.params(), {{"beta1", 1.0}}), "Adam", "betas");
  EXPECT_TT_ERROR(optim::RMSprop(r.params(), {{"alpha", -0.5}}), "RMSprop", "alpha");
  EXPECT_TT_ERROR(optim::Adagrad(r.params(), {{"eps", -1}}), "Adagrad", "eps");
  std::vector<optim::ParamGroup> groups{{{r.W}, {}}, {{r.b}, {{"lrr", 0.1}}}};
  EXPECT_TT_ERROR(optim::Adam(groups, {}), "Adam", "unknown option", "lrr", "group 1");
  Tensor frozen = zeros(Shape{2});
  EXPECT_TT_ERROR(optim::Adam(std::vector<Tensor>{frozen}), "Adam", "does not require grad");
}

TEST(OptimizerGroups, GroupOptionsOverrideDefaults) {
  Regression r;
  optim::SGD opt({{{r.W}, {}}, {{r.b}, {{"lr", 0.5}, {"momentum", 0.9}}}}, {{"lr", 0.1}});
  EXPECT_EQ(opt.get("lr", 0), 0.1);
  EXPECT_EQ(opt.get("lr", 1), 0.5);
  EXPECT_EQ(opt.get("momentum", 0), 0.0);
  EXPECT_EQ(opt.get("momentum", 1), 0.9);
  EXPECT_TT_ERROR(opt.get("lr", 2), "SGD", "group 2");
  opt.set("lr", 0.01);  // what schedulers do: every group
  EXPECT_EQ(opt.get("lr", 1), 0.01);
}

// A parameter without a gradient is left alone and its step count does not advance (PyTorch).
TEST(OptimizerStep, SkipsParametersWithoutGradient) {
  Regression r;
  optim::Adam opt(r.params(), {{"lr", 0.1}});
  Tensor b_before = r.b.detach().clone();
  opt.zero_grad();
  Tensor r1 = matmul(r.X, r.W.t()) - r.Y;  // b unused: no gradient reaches it
  mean(r1 * r1).backward();
  EXPECT_FALSE(r.b.grad().defined());
  opt.step();
  EXPECT_TRUE(testing::bitwise_equal(r.b, b_before));
  EXPECT_EQ(opt.state_dict().scalars.at("state.0.step"), 1);
  EXPECT_EQ(opt.state_dict().scalars.at("state.1.step"), 0);
}

TEST(Clipping, NormTypesAndUndefinedGradients) {
  Tensor a = zeros(Shape{2}, kFloat64).requires_grad_(), b = zeros(Shape{2}, kFloat64).requires_grad_();
  Tensor c = zeros(Shape{3}, kFloat64).requires_grad_();  // no gradient: ignored
  a.set_grad(from_vector<double>({3, -4}, Shape{2}));
  b.set_grad(from_vector<double>({0, 12}, Shape{2}));
  EXPECT_DOUBLE_EQ(optim::clip_grad_norm_({a, b, c}, 100.0, 1.0), 19.0);
  EXPECT_DOUBLE_EQ(optim::clip_grad_norm_({a, b, c}, 100.0), 13.0);
  EXPECT_DOUBLE_EQ(optim::clip_grad_norm_({a, b, c}, 100.0, INFINITY), 12.0);
  EXPECT_VALUES(a.grad(), {3, -4});  // max_norm above the norm: untouched
  EXPECT_DOUBLE_EQ(optim::clip_grad_norm_({a, b, c}, 6.5), 13.0);
  EXPECT_VALUES_NEAR(a.grad(), 1e-6, {1.5, -2});  // scaled by 6.5 / (13 + 1e-6)
  EXPECT_VALUES_NEAR(b.grad(), 1e-6, {0, 6});
  EXPECT_FALSE(c.grad().defined());
  EXPECT_TT_ERROR(optim::clip_grad_norm_({a}, 1.0, 0.0), "clip_grad_norm_", "norm_type");
  EXPECT_TT_ERROR(optim::clip_grad_value_({a}, -1.0), "clip_grad_value_", "-1");
  a.set_grad(from_vector<double>({3, -4}, Shape{2}));
  optim::clip_grad_value_({a, b, c}, 2.0);
  EXPECT_VALUES(a.grad(), {2, -2});
  EXPECT_VALUES(b.grad(), {0, 2});
}

// Resume: a fresh scheduler jumped to epoch e with set_last_epoch gives the same lr sequence from
// there as one stepped e times.
TEST(SchedulerResume, SetLastEpochContinuesTheSchedule) {
  Regression r;
  optim::SGD opt_a(r.params(), {{"lr", 0.1}, {"momentum", 0.9}});
  optim::StepLR a(opt_a, 3, 0.5);
  for (int i = 0; i < 7; ++i) a.step();
  optim::SGD opt_b(r.params(), {{"lr", 0.1}, {"momentum", 0.9}});
  optim::StepLR b(opt_b, 3, 0.5);
  b.set_last_epoch(7);
  EXPECT_EQ(b.last_epoch(), 7);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(opt_a.get("lr"), opt_b.get("lr")) << "epoch " << a.last_epoch();
    a.step(), b.step();
  }
  EXPECT_TT_ERROR(b.set_last_epoch(-2), "LRScheduler", "-2");
}

// The checkpoint order: optimizer state (with the decayed lr) loaded, then the scheduler resumed.
// Either construction order must give the same lr: the scheduler keeps the initial lr in the group
// ("initial_lr", as PyTorch), so it never takes an already-decayed lr as its base.
TEST(SchedulerResume, IndependentOfConstructionOrder) {
  Regression r;
  optim::Adam opt(r.params(), {{"lr", 0.1}});
  optim::CosineAnnealingLR sched(opt, 10);
  for (int i = 0; i < 4; ++i) r.step(opt), sched.step();
  const double want = opt.get("lr");
  optim::OptimizerState st = opt.state_dict();

  optim::Adam opt1(r.params(), {{"lr", 0.1}});  // scheduler first, then the state
  optim::CosineAnnealingLR sched1(opt1, 10);
  opt1.load_state_dict(st);
  sched1.set_last_epoch(4);
  EXPECT_DOUBLE_EQ(opt1.get("lr"), want);

  optim::Adam opt2(r.params(), {{"lr", 0.1}});  // state first, then the scheduler
  opt2.load_state_dict(st);
  optim::CosineAnnealingLR sched2(opt2, 10);
  sched2.set_last_epoch(4);
  EXPECT_DOUBLE_EQ(opt2.get("lr"), want);
}

TEST(SchedulerErrors, BadArgumentsAreClearErrors) {
  Regression r;
  optim::SGD opt(r.params(), {{"lr", 0.1}});
  EXPECT_TT_ERROR(optim::StepLR(opt, 0), "StepLR", "step_size");
  EXPECT_TT_ERROR(optim::CosineAnnealingLR(opt, 0), "CosineAnnealingLR", "T_max");
  EXPECT_TT_ERROR(optim::OneCycleLR(opt, 0.1, 10, 0.3, "cosine"), "OneCycleLR", "cosine");
  optim::Adagrad no_momentum(r.params());
  EXPECT_TT_ERROR(optim::OneCycleLR(no_momentum, 0.1, 10), "OneCycleLR", "momentum");
  optim::OneCycleLR one(opt, 0.1, 10, 0.3, "cos", /*cycle_momentum=*/false);
  for (int i = 0; i < 10; ++i) one.step();  // PyTorch allows one step past the last
  EXPECT_TT_ERROR(one.step(), "OneCycleLR", "total_steps");
}

}  // namespace
}  // namespace tt
