// Optimizers vs PyTorch 1.13 (tests/golden/optimizers.json): all 14 runs of 25 steps on the
// least-squares problem (loss before each step, W and b after it), the param-group run, the
// hyper-parameters PyTorch resolved (our defaults must equal its defaults), and gradient clipping.
// float64 to 1e-10 relative (the README promises 1e-9), float32 to 1e-4.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/node.h"
#include "nn/golden_reference.h"
#include "optim/optimizer.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& golden() {
  static const json g = testing::load_golden("optimizers.json");
  return g;
}

// PyTorch kwargs → our Options: betas → beta1/beta2, booleans → 0/1, ints → double.
optim::Options to_options(const json& kw) {
  optim::Options o;
  for (const auto& [k, v] : kw.items()) {
    if (k == "params") continue;
    if (k == "betas") {
      o["beta1"] = v.at(0).get<double>();
      o["beta2"] = v.at(1).get<double>();
    } else if (v.is_boolean()) {
      o[k] = v.get<bool>() ? 1.0 : 0.0;
    } else {
      o[k] = v.get<double>();
    }
  }
  return o;
}

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name, std::vector<optim::ParamGroup> groups,
                                                 const optim::Options& defaults) {
  if (name == "SGD") return std::make_unique<optim::SGD>(std::move(groups), defaults);
  if (name == "Adam") return std::make_unique<optim::Adam>(std::move(groups), defaults);
  if (name == "AdamW") return std::make_unique<optim::AdamW>(std::move(groups), defaults);
  if (name == "RMSprop") return std::make_unique<optim::RMSprop>(std::move(groups), defaults);
  if (name == "Adagrad") return std::make_unique<optim::Adagrad>(std::move(groups), defaults);
  throw std::runtime_error("optimizers.json: unknown optimizer " + name);
}

// The least-squares problem of the file, in one dtype.
struct Problem {
  Tensor W, b, X, Y;
  explicit Problem(DType dt) {
    const json& p = golden().at("problem");
    W = testing::golden_tensor(p.at("W0"), dt).requires_grad_();
    b = testing::golden_tensor(p.at("b0"), dt).requires_grad_();
    X = testing::golden_tensor(p.at("X"), dt);
    Y = testing::golden_tensor(p.at("Y"), dt);
  }
  // mean((X Wᵀ + b − Y)²) over all 8·3 elements.
  Tensor loss() const {
    Tensor r = matmul(X, W.t()) + b - Y;
    return mean(r * r);
  }
};

// One group per "param_groups" entry (with its overrides), or one group holding [W, b].
std::vector<optim::ParamGroup> groups_of(const json& run, const Problem& pr) {
  if (!run.contains("param_groups")) return {optim::ParamGroup{{pr.W, pr.b}, {}}};
  std::vector<optim::ParamGroup> out;
  for (const json& g : run.at("param_groups")) {
    optim::ParamGroup pg;
    for (const json& n : g.at("params")) pg.params.push_back(n == "W" ? pr.W : pr.b);
    pg.options = to_options(g);
    out.push_back(pg);
  }
  return out;
}

struct RunCase {
  size_t index;
  DType dtype;
};

class GoldenOptimizer : public ::testing::TestWithParam<RunCase> {};

TEST_P(GoldenOptimizer, TrajectoryMatchesPyTorch) {
  const json& run = golden().at("runs")[GetParam().index];
  const DType dt = GetParam().dtype;
  // float64 agrees to ~1e-13 relative after 25 steps (rounding only); the margin allows FMA contraction.
  // float32 is compared with the float64 reference, so its tolerance covers input rounding too.
  const testing::Tolerance tol = dt == kFloat64 ? testing::Tolerance{1e-10, 1e-13} : testing::kTolF32;
  Problem pr(dt);
  auto opt = make_optimizer(run.at("optimizer"), groups_of(run, pr), to_options(run.at("hyperparams")));
  const json& steps = run.at("steps");
  ASSERT_EQ(steps.size(), 25u);
  for (size_t k = 0; k < steps.size(); ++k) {
    opt->zero_grad();
    Tensor loss = pr.loss();
    loss.backward();
    opt->step();
    ASSERT_TRUE(allclose(loss.item<double>(), steps[k].at("loss").get<double>(), tol)) << "loss before step " << k + 1;
    ASSERT_TRUE(allclose(pr.W, steps[k].at("W"), tol)) << "W after step " << k + 1;
    ASSERT_TRUE(allclose(pr.b, steps[k].at("b"), tol)) << "b after step " << k + 1;
  }
  NoGradGuard ng;
  EXPECT_TRUE(allclose(pr.loss().item<double>(), run.at("final_loss").get<double>(), tol)) << "final loss";
}

// Every hyper-parameter PyTorch used (defaults included) equals ours; the flags we do not implement
// (maximize, foreach, capturable, differentiable, fused) were off in PyTorch's runs.
void check_resolved(const json& run, int& compared) {
  Problem pr(kFloat64);
  auto opt = make_optimizer(run.at("optimizer"), groups_of(run, pr), to_options(run.at("hyperparams")));
  const json& resolved = run.at("resolved_groups");
  ASSERT_EQ(opt->param_groups().size(), resolved.size());
  for (size_t g = 0; g < resolved.size(); ++g) {
    const json& rg = resolved[g];
    ASSERT_EQ(opt->param_groups()[g].params.size(), rg.at("params").size());
    for (const auto& [key, value] : rg.items()) {
      if (key == "params") continue;
      if (key == "maximize" || key == "foreach" || key == "capturable" || key == "differentiable" || key == "fused") {
        EXPECT_TRUE(value.is_null() || value == false) << key << " is on in PyTorch's run; we do not implement it";
        continue;
      }
      for (const auto& [ours, want] : to_options(json{{key, value}})) {
        EXPECT_EQ(opt->get(ours, g), want) << run.at("optimizer") << " group " << g << " option " << ours;
        ++compared;
      }
    }
  }
}

TEST(GoldenOptimizers, ResolvedHyperparametersMatchPyTorchDefaults) {
  int compared = 0;
  for (const json& run : golden().at("runs")) {
    SCOPED_TRACE(run.at("optimizer").get<std::string>() + " " + run.at("hyperparams").dump());
    check_resolved(run, compared);
  }
  EXPECT_EQ(compared, 84);  // every numeric hyper-parameter of the 15 groups (betas count twice)
}

std::vector<RunCase> all_runs() {
  std::vector<RunCase> out;
  for (DType dt : {kFloat64, kFloat32})
    for (size_t i = 0; i < golden().at("runs").size(); ++i) out.push_back({i, dt});
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllRuns, GoldenOptimizer, ::testing::ValuesIn(all_runs()),
                         [](const ::testing::TestParamInfo<RunCase>& info) {
                           const json& run = golden().at("runs")[info.param.index];
                           return std::to_string(info.param.index) + "_" + run.at("optimizer").get<std::string>() +
                                  (run.contains("param_groups") ? "_param_groups" : "") + "_" +
                                  testing::dtype_tag(info.param.dtype);
                         });

TEST(GoldenOptimizers, FileHasFourteenRunsOfTwentyFiveSteps) {
  ASSERT_EQ(golden().at("runs").size(), 14u);
  EXPECT_EQ(golden().at("problem").at("num_steps"), 25);
  EXPECT_TRUE(golden().at("runs")[13].contains("param_groups"));
}

// The problem's gradient at (W0, b0) from our autograd equals PyTorch's (the clipping input).
TEST(GoldenClipping, GradientsAtStartMatchPyTorch) {
  Problem pr(kFloat64);
  pr.loss().backward();
  const json& before = golden().at("clipping").at("grads_before");
  EXPECT_TRUE(allclose(pr.W.grad(), before.at("W"), {1e-12, 1e-15}));
  EXPECT_TRUE(allclose(pr.b.grad(), before.at("b"), {1e-12, 1e-15}));
}

TEST(GoldenClipping, EveryCaseMatchesPyTorch) {
  const json& clip = golden().at("clipping");
  ASSERT_EQ(clip.at("cases").size(), 4u);
  for (DType dt : {kFloat64, kFloat32}) {
    const testing::Tolerance tol = dt == kFloat64 ? testing::Tolerance{1e-12, 1e-15} : testing::kTolF32;
    for (const json& c : clip.at("cases")) {
      SCOPED_TRACE(c.dump().substr(0, 90) + " " + testing::dtype_tag(dt));
      Problem pr(dt);
      pr.W.set_grad(testing::golden_tensor(clip.at("grads_before").at("W"), dt));
      pr.b.set_grad(testing::golden_tensor(clip.at("grads_before").at("b"), dt));
      const json& p = c.at("params");
      if (c.at("function") == "clip_grad_norm_") {
        double norm_type = p.at("norm_type").is_string() ? INFINITY : p.at("norm_type").get<double>();
        double total = optim::clip_grad_norm_({pr.W, pr.b}, p.at("max_norm").get<double>(), norm_type);
        EXPECT_TRUE(allclose(total, c.at("total_norm").get<double>(), tol)) << "total_norm";
      } else {
        optim::clip_grad_value_({pr.W, pr.b}, p.at("clip_value").get<double>());
      }
      EXPECT_EQ(pr.W.grad().dtype(), dt);
      EXPECT_TRUE(allclose(pr.W.grad(), c.at("grad_W"), tol)) << "grad_W";
      EXPECT_TRUE(allclose(pr.b.grad(), c.at("grad_b"), tol)) << "grad_b";
    }
  }
}

}  // namespace
}  // namespace tt
