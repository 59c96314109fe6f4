// Pooling and batch norm vs PyTorch 1.13 (tests/golden/pool_bn.json, made by make_pool_bn() in
// tests/golden/make_golden.py), in float64 (1e-10 relative) and float32: max/avg/adaptive pooling
// forward and input gradient through the ops and the modules, on contiguous and channels-last
// inputs; BatchNorm1d/2d in training (output, gradients, running statistics after the step); three
// training steps with different batches (momentum 0.1, 0.3 and None) then evaluation. Plus the
// modules' PyTorch-facing surface: state_dict names, buffers, repr, train/eval, to(dtype).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "nn/batch_norm.h"
#include "nn/golden_reference.h"
#include "nn/pooling.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& file() {
  static const json f = testing::load_golden("pool_bn.json");
  return f;
}
const json& pool_cases() { return file().at("pool"); }
const json& bn_cases() { return file().at("batch_norm"); }
const json& runs() { return file().at("running"); }

// float64 agrees far below the 1e-5 of the other golden files: the kernels accumulate in double.
testing::Tolerance tol(DType dt) { return dt == kFloat64 ? testing::Tolerance{1e-10, 1e-13} : testing::kTolF32; }

// The same values in channels-last memory: a non-contiguous [N, C, H, W] (or [C, H, W]) view.
Tensor channels_last(const Tensor& t) {
  if (t.dim() == 4) return t.permute({0, 2, 3, 1}).contiguous().permute({0, 3, 1, 2});
  if (t.dim() == 3) return t.permute({1, 2, 0}).contiguous().permute({2, 0, 1});
  return t.t().contiguous().t();
}

// ---- pooling ----

Pool2dArg arg(const json& params, const char* key, Pool2dArg fallback) {
  if (!params.contains(key)) return fallback;
  const auto v = params.at(key).get<std::vector<int64_t>>();
  return Pool2dArg(v.at(0), v.at(1));
}
bool flag(const json& params, const char* key, bool fallback) {
  return params.contains(key) ? params.at(key).get<bool>() : fallback;
}

// The case's pooling as an nn module (its forward is the op with the same arguments).
std::shared_ptr<nn::Module> pool_module(const json& c) {
  const std::string op = c.at("op");
  const json& p = c.at("params");
  if (op == "max_pool2d")
    return std::make_shared<nn::MaxPool2d>(arg(p, "kernel_size", 1), arg(p, "stride", {}), arg(p, "padding", 0),
                                           arg(p, "dilation", 1), flag(p, "ceil_mode", false));
  if (op == "avg_pool2d")
    return std::make_shared<nn::AvgPool2d>(arg(p, "kernel_size", 1), arg(p, "stride", {}), arg(p, "padding", 0),
                                           flag(p, "ceil_mode", false), flag(p, "count_include_pad", true));
  if (op == "adaptive_avg_pool2d") return std::make_shared<nn::AdaptiveAvgPool2d>(arg(p, "output_size", 1));
  throw std::runtime_error("pool_bn.json: unknown op " + op);
}

Tensor pool_op(const json& c, const Tensor& x) {
  const std::string op = c.at("op");
  const json& p = c.at("params");
  if (op == "max_pool2d")
    return max_pool2d(x, arg(p, "kernel_size", 1), arg(p, "stride", {}), arg(p, "padding", 0), arg(p, "dilation", 1),
                      flag(p, "ceil_mode", false));
  if (op == "avg_pool2d")
    return avg_pool2d(x, arg(p, "kernel_size", 1), arg(p, "stride", {}), arg(p, "padding", 0),
                      flag(p, "ceil_mode", false), flag(p, "count_include_pad", true));
  return adaptive_avg_pool2d(x, arg(p, "output_size", 1));
}

class GoldenPool : public ::testing::TestWithParam<testing::GoldenCase> {
 protected:
  const json& c() const { return pool_cases()[GetParam().index]; }
  DType dt() const { return GetParam().dtype; }
  template <typename F>
  void expect_matches(F pool, bool strided) {
    Tensor x = testing::golden_tensor(c().at("x"), dt());
    if (strided) x = channels_last(x);
    x.requires_grad_();
    Tensor y = pool(x);
    EXPECT_EQ(y.dtype(), dt());
    EXPECT_TRUE(allclose(y, c().at("y"), tol(dt()))) << "forward";
    y.backward(testing::golden_tensor(c().at("grad_out"), dt()));
    EXPECT_TRUE(allclose(x.grad(), c().at("grad_x"), tol(dt()))) << "grad_x";
  }
};

TEST_P(GoldenPool, OpMatchesPyTorch) {
  expect_matches([&](const Tensor& x) { return pool_op(c(), x); }, false);
}

TEST_P(GoldenPool, ChannelsLastInputMatchesPyTorch) {
  expect_matches([&](const Tensor& x) { return pool_op(c(), x); }, true);
}

TEST_P(GoldenPool, ModuleMatchesPyTorch) {
  std::shared_ptr<nn::Module> m = pool_module(c());
  expect_matches([&](const Tensor& x) { return (*m)(x); }, false);
}

std::string pool_label(const ::testing::TestParamInfo<testing::GoldenCase>& info) {
  return testing::golden_case_name(pool_cases(), info.param);
}
INSTANTIATE_TEST_SUITE_P(AllCases, GoldenPool,
                         ::testing::ValuesIn(testing::golden_cases(pool_cases(), {kFloat64, kFloat32})), pool_label);

// ---- batch norm ----

std::optional<double> momentum_of(const json& c) {
  if (c.at("momentum").is_null()) return std::nullopt;
  return c.at("momentum").get<double>();
}

std::shared_ptr<nn::BatchNormBase> bn_module(const json& c, DType dt, double eps = 1e-5) {
  const std::string name = c.at("module");
  const int64_t C = c.at("num_features");
  std::shared_ptr<nn::BatchNormBase> m;
  if (name == "BatchNorm1d") m = std::make_shared<nn::BatchNorm1d>(C, eps, momentum_of(c), true, true, dt);
  else m = std::make_shared<nn::BatchNorm2d>(C, eps, momentum_of(c), true, true, dt);
  m->load_state_dict({{"weight", testing::golden_tensor(c.at("weight"), dt)},
                      {"bias", testing::golden_tensor(c.at("bias"), dt)}},
                     /*strict=*/false);
  return m;
}

class GoldenBatchNorm : public ::testing::TestWithParam<testing::GoldenCase> {
 protected:
  const json& c() const { return bn_cases()[GetParam().index]; }
  DType dt() const { return GetParam().dtype; }
  double eps() const { return c().at("eps").get<double>(); }
  // One training step: y.backward(grad_out), then y, the gradients and the running stats vs PyTorch.
  void expect_matches(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& rm,
                      const Tensor& rv) {
    EXPECT_TRUE(allclose(y, c().at("y"), tol(dt()))) << "forward";
    EXPECT_TRUE(allclose(rm, c().at("running_mean"), tol(dt()))) << "running_mean";
    EXPECT_TRUE(allclose(rv, c().at("running_var"), tol(dt()))) << "running_var";
    y.backward(testing::golden_tensor(c().at("grad_out"), dt()));
    EXPECT_TRUE(allclose(x.grad(), c().at("grad_x"), tol(dt()))) << "grad_x";
    EXPECT_TRUE(allclose(w.grad(), c().at("grad_weight"), tol(dt()))) << "grad_weight";
    EXPECT_TRUE(allclose(b.grad(), c().at("grad_bias"), tol(dt()))) << "grad_bias";
  }
};

TEST_P(GoldenBatchNorm, OpMatchesPyTorch) {
  for (bool strided : {false, true}) {
    SCOPED_TRACE(strided ? "channels-last input" : "contiguous input");
    const int64_t C = c().at("num_features");
    Tensor x = testing::golden_tensor(c().at("x"), dt());
    x = (strided ? channels_last(x) : x).requires_grad_();
    Tensor w = testing::golden_tensor(c().at("weight"), dt()).requires_grad_();
    Tensor b = testing::golden_tensor(c().at("bias"), dt()).requires_grad_();
    Tensor rm = zeros({C}, dt()), rv = ones({C}, dt());
    expect_matches(batch_norm(x, rm, rv, w, b, true, c().at("momentum").get<double>(), eps()), x, w, b, rm, rv);
  }
}

TEST_P(GoldenBatchNorm, ModuleMatchesPyTorch) {
  auto m = bn_module(c(), dt(), eps());
  Tensor x = testing::golden_tensor(c().at("x"), dt()).requires_grad_();
  expect_matches((*m)(x), x, m->weight, m->bias, m->running_mean, m->running_var);
  EXPECT_EQ(m->num_batches_tracked.item<int64_t>(), 1);
}

std::string bn_label(const ::testing::TestParamInfo<testing::GoldenCase>& info) {
  return testing::golden_case_name(bn_cases(), info.param);
}
INSTANTIATE_TEST_SUITE_P(AllCases, GoldenBatchNorm,
                         ::testing::ValuesIn(testing::golden_cases(bn_cases(), {kFloat64, kFloat32})), bn_label);

class GoldenBatchNormRun : public ::testing::TestWithParam<testing::GoldenCase> {
 protected:
  const json& c() const { return runs()[GetParam().index]; }
  DType dt() const { return GetParam().dtype; }
};

TEST_P(GoldenBatchNormRun, ThreeTrainingStepsThenEvaluationMatchPyTorch) {
  auto m = bn_module(c(), dt());
  const json& steps = c().at("steps");
  ASSERT_EQ(steps.size(), 3u);
  for (size_t k = 0; k < steps.size(); ++k) {
    SCOPED_TRACE(::testing::Message() << "training step " << k + 1);
    Tensor y = (*m)(testing::golden_tensor(c().at("batches")[k], dt()));
    EXPECT_TRUE(allclose(y, steps[k].at("y"), tol(dt()))) << "y";
    EXPECT_TRUE(allclose(m->running_mean, steps[k].at("running_mean"), tol(dt()))) << "running_mean";
    EXPECT_TRUE(allclose(m->running_var, steps[k].at("running_var"), tol(dt()))) << "running_var";
    EXPECT_EQ(m->num_batches_tracked.item<int64_t>(), steps[k].at("num_batches_tracked").get<int64_t>());
  }
  m->eval();
  const json& e = c().at("eval");
  Tensor x = testing::golden_tensor(e.at("x"), dt()).requires_grad_();
  Tensor y = (*m)(x);
  EXPECT_TRUE(allclose(y, e.at("y"), tol(dt()))) << "eval y";
  y.backward(testing::golden_tensor(e.at("grad_out"), dt()));
  EXPECT_TRUE(allclose(x.grad(), e.at("grad_x"), tol(dt()))) << "eval grad_x";
  EXPECT_TRUE(allclose(m->weight.grad(), e.at("grad_weight"), tol(dt()))) << "eval grad_weight";
  EXPECT_TRUE(allclose(m->bias.grad(), e.at("grad_bias"), tol(dt()))) << "eval grad_bias";
  EXPECT_EQ(m->num_batches_tracked.item<int64_t>(), 3);  // evaluation does not count batches

  // The state_dict carries everything evaluation needs.
  auto fresh = bn_module(c(), dt());
  fresh->load_state_dict(m->state_dict());
  fresh->eval();
  EXPECT_TRUE(testing::bitwise_equal((*fresh)(x.detach()), y.detach()));
}

std::string run_label(const ::testing::TestParamInfo<testing::GoldenCase>& info) {
  return testing::golden_case_name(runs(), info.param);
}
INSTANTIATE_TEST_SUITE_P(AllCases, GoldenBatchNormRun,
                         ::testing::ValuesIn(testing::golden_cases(runs(), {kFloat64, kFloat32})), run_label);

TEST(GoldenPoolBnFile, HasEveryDocumentedCase) {
  EXPECT_EQ(pool_cases().size(), 8u);
  EXPECT_EQ(bn_cases().size(), 3u);
  EXPECT_EQ(runs().size(), 3u);
  for (const json& c : pool_cases()) EXPECT_NO_THROW(pool_module(c)) << c.at("case");
}

// ---- the modules' PyTorch-facing surface ----

TEST(BatchNormModule, StateDictInitAndReprFollowPyTorch) {
  nn::BatchNorm2d bn(8);
  nn::StateDict sd = bn.state_dict();
  ASSERT_EQ(sd.size(), 5u);
  const char* names[] = {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"};
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(sd[i].first, names[i]);
  EXPECT_EQ(bn.weight.to_vector<double>(), std::vector<double>(8, 1.0));
  EXPECT_EQ(bn.bias.to_vector<double>(), std::vector<double>(8, 0.0));
  EXPECT_EQ(bn.running_mean.to_vector<double>(), std::vector<double>(8, 0.0));
  EXPECT_EQ(bn.running_var.to_vector<double>(), std::vector<double>(8, 1.0));
  EXPECT_EQ(bn.num_batches_tracked.dtype(), kInt64);
  EXPECT_EQ(bn.num_batches_tracked.shape(), Shape{});
  EXPECT_EQ(bn.num_parameters(), 16);
  EXPECT_EQ(bn.extra_repr(), "8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True");
  nn::BatchNorm1d plain(4, 1e-3, std::nullopt, false, true);
  EXPECT_EQ(plain.extra_repr(), "4, eps=0.001, momentum=None, affine=False, track_running_stats=True");
  EXPECT_EQ(plain.num_parameters(), 0);
  EXPECT_EQ(plain.state_dict().size(), 3u);
  nn::BatchNorm2d untracked(3, 1e-5, 0.1, true, false);
  EXPECT_EQ(untracked.extra_repr(), "3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=False");
  EXPECT_EQ(untracked.state_dict().size(), 2u);
}

TEST(BatchNormModule, TrainAndEvalSwitchStatistics) {
  Generator g(41);
  nn::BatchNorm2d bn(3, 1e-5, 1.0);  // momentum 1: the running stats become the last batch's
  Tensor x = randn({4, 3, 5, 5}, &g) * 2.0 + 3.0;
  Tensor train_y = bn(x);
  EXPECT_TRUE(testing::tensors_near(bn.running_mean, mean(x, {0, 2, 3}), 1e-5));
  EXPECT_TRUE(testing::tensors_near(bn.running_var, var(x, {0, 2, 3}, 1), 1e-5));  // unbiased
  bn.eval();
  Tensor eval_y = bn(x);  // normalised with the unbiased variance: slightly smaller than in training
  EXPECT_FALSE(testing::tensors_near(eval_y, train_y, 1e-4));
  EXPECT_TRUE(testing::tensors_near(eval_y, train_y * std::sqrt(99.0 / 100.0), 1e-4));
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  // Without running stats the batch statistics are used in evaluation too.
  nn::BatchNorm2d untracked(3, 1e-5, 0.1, true, false);
  untracked.eval();
  EXPECT_TRUE(testing::tensors_near(untracked(x), batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true), 1e-6));
}

TEST(BatchNormModule, ToDtypeConvertsFloatStateButNotTheCounter) {
  nn::BatchNorm1d bn(3);
  bn(randn({4, 3}));
  bn.to(kFloat64);
  EXPECT_EQ(bn.weight.dtype(), kFloat64);
  EXPECT_EQ(bn.running_var.dtype(), kFloat64);
  EXPECT_EQ(bn.num_batches_tracked.dtype(), kInt64);
  EXPECT_EQ(bn(randn({4, 3}, nullptr, kFloat64)).dtype(), kFloat64);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 2);
}

TEST(BatchNormModule, BadInputNamesTheModuleOrOpAndLeavesStateUnchanged) {
  nn::BatchNorm2d bn2(4);
  EXPECT_TT_ERROR(bn2(zeros({2, 4, 5})), "BatchNorm2d", "4-D", "[2, 4, 5]");
  EXPECT_TT_ERROR(bn2(zeros({2, 3, 5, 5})), "batch_norm", "weight", "[4]", "[2, 3, 5, 5]");
  EXPECT_EQ(bn2.num_batches_tracked.item<int64_t>(), 0);
  EXPECT_EQ(bn2.running_mean.to_vector<double>(), std::vector<double>(4, 0.0));
  nn::BatchNorm1d bn1(4);
  EXPECT_TT_ERROR(bn1(zeros({2, 4, 5, 5})), "BatchNorm1d", "[2, 4, 5, 5]");
  EXPECT_TT_ERROR(bn1(zeros({1, 4})), "batch_norm", "more than 1 value", "[1, 4]");
  EXPECT_THROW(nn::BatchNorm2d(-1), Error);
}

TEST(PoolingModules, ReprFollowsPyTorch) {
  EXPECT_EQ(nn::MaxPool2d(2).extra_repr(), "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False");
  EXPECT_EQ(nn::MaxPool2d({2, 3}, {}, 1).extra_repr(),
            "kernel_size=(2, 3), stride=(2, 3), padding=1, dilation=1, ceil_mode=False");
  EXPECT_EQ(nn::AvgPool2d(3, 2, 1).extra_repr(), "kernel_size=3, stride=2, padding=1");
  EXPECT_EQ(nn::AvgPool2d(2, {}, 0, true, false).extra_repr(), "kernel_size=2, stride=2, padding=0");
  EXPECT_EQ(nn::AdaptiveAvgPool2d(1).extra_repr(), "output_size=1");
  EXPECT_EQ(nn::AdaptiveAvgPool2d({2, 3}).extra_repr(), "output_size=(2, 3)");
  EXPECT_EQ(nn::Dropout2d().extra_repr(), "p=0.5, inplace=False");
  EXPECT_EQ(nn::Dropout2d(0.25).extra_repr(), "p=0.25, inplace=False");
  nn::MaxPool2d mp(2);
  EXPECT_EQ(mp.type_name(), "MaxPool2d");
  EXPECT_TRUE(mp.state_dict().empty());
}

TEST(Dropout2dModule, DropsChannelsInTrainingOnly) {
  Generator g(42);
  nn::Dropout2d drop(0.5, &g);
  Tensor x = ones({8, 16, 2, 2});
  Tensor y = drop(x);
  std::vector<double> v = y.to_vector<double>();
  int zeros_seen = 0;
  for (size_t i = 0; i < v.size(); i += 4) {
    EXPECT_TRUE(v[i] == 0.0 || v[i] == 2.0);
    EXPECT_TRUE(v[i + 1] == v[i] && v[i + 2] == v[i] && v[i + 3] == v[i]);
    zeros_seen += v[i] == 0.0;
  }
  EXPECT_GT(zeros_seen, 0);
  EXPECT_LT(zeros_seen, 128);
  drop.eval();
  EXPECT_TRUE(drop(x).is_same(x));
}

}  // namespace
}  // namespace tt
