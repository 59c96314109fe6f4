// LR schedulers vs PyTorch 1.13 (tests/golden/schedulers.json): the lr read before each of 30
// scheduler steps (lr[0] right after construction) for StepLR, CosineAnnealingLR (past T_max it
// rises again), LinearLR and OneCycleLR (cos and linear, with its momentum cycle).
// Our schedules are closed forms; PyTorch's cosine is recursive, equal to ~4e-15 relative.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "nn/golden_reference.h"
#include "optim/lr_scheduler.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& schedulers() {
  static const json s = testing::load_golden("schedulers.json").at("schedulers");
  return s;
}

constexpr testing::Tolerance kTol{1e-12, 1e-15};

std::unique_ptr<optim::LRScheduler> make_scheduler(const json& s, optim::Optimizer& opt) {
  const std::string name = s.at("scheduler");
  const json& p = s.at("params");
  if (name == "StepLR") return std::make_unique<optim::StepLR>(opt, p.at("step_size"), p.at("gamma"));
  if (name == "CosineAnnealingLR")
    return std::make_unique<optim::CosineAnnealingLR>(opt, p.at("T_max"), p.at("eta_min"));
  if (name == "LinearLR")
    return std::make_unique<optim::LinearLR>(opt, p.at("start_factor"), p.at("end_factor"), p.at("total_iters"));
  if (name == "OneCycleLR") {
    EXPECT_EQ(p.at("three_phase"), false) << "three_phase is not implemented";
    return std::make_unique<optim::OneCycleLR>(
        opt, p.at("max_lr"), p.at("total_steps"), p.at("pct_start"), p.at("anneal_strategy").get<std::string>(),
        p.at("cycle_momentum"), p.at("base_momentum"), p.at("max_momentum"), p.at("div_factor"),
        p.at("final_div_factor"));
  }
  throw std::runtime_error("schedulers.json: unknown scheduler " + name);
}

// SGD over one dummy parameter with the file's optimizer kwargs.
struct SchedulerRig {
  Tensor p = zeros(Shape{1}, kFloat64).requires_grad_();
  std::unique_ptr<optim::SGD> opt;
  std::unique_ptr<optim::LRScheduler> sched;
  explicit SchedulerRig(const json& s) {
    optim::Options o;
    for (const auto& [k, v] : s.at("optimizer").items())
      if (k != "type") o[k] = v.get<double>();
    opt = std::make_unique<optim::SGD>(std::vector<Tensor>{p}, o);
    sched = make_scheduler(s, *opt);
  }
};

class GoldenScheduler : public ::testing::TestWithParam<size_t> {};

TEST_P(GoldenScheduler, LrSequenceMatchesPyTorch) {
  const json& s = schedulers()[GetParam()];
  SchedulerRig st(s);
  const std::vector<double> lr = s.at("lr"), momentum = s.value("momentum", std::vector<double>{});
  ASSERT_EQ(lr.size(), static_cast<size_t>(s.at("num_steps").get<int>()));
  for (size_t t = 0; t < lr.size(); ++t) {
    EXPECT_TRUE(allclose(st.opt->get("lr"), lr[t], kTol)) << "lr[" << t << "]";
    EXPECT_EQ(st.sched->get_last_lr().at(0), st.opt->get("lr"));
    EXPECT_EQ(st.sched->last_epoch(), static_cast<int64_t>(t));
    if (!momentum.empty()) {
      EXPECT_TRUE(allclose(st.opt->get("momentum"), momentum[t], kTol)) << "momentum[" << t << "]";
    }
    st.opt->step();  // no gradient: a no-op, as in the generator script
    st.sched->step();
  }
}

// Resuming is set_last_epoch(t) on a fresh scheduler: it must land on the same lr (and momentum).
TEST_P(GoldenScheduler, SetLastEpochJumpsToTheSameValues) {
  const json& s = schedulers()[GetParam()];
  const std::vector<double> lr = s.at("lr"), momentum = s.value("momentum", std::vector<double>{});
  for (size_t t : {0u, 1u, 7u, 8u, 9u, 20u, 21u, 29u}) {
    SchedulerRig st(s);
    st.sched->set_last_epoch(static_cast<int64_t>(t));
    EXPECT_TRUE(allclose(st.opt->get("lr"), lr[t], kTol)) << "lr[" << t << "]";
    if (!momentum.empty()) {
      EXPECT_TRUE(allclose(st.opt->get("momentum"), momentum[t], kTol)) << "momentum[" << t << "]";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllSchedulers, GoldenScheduler, ::testing::Range<size_t>(0, 5),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           const json& s = schedulers()[info.param];
                           const std::string name = s.at("scheduler");
                           if (name != "OneCycleLR") return name;
                           return name + "_" + s.at("params").at("anneal_strategy").get<std::string>();
                         });

TEST(GoldenSchedulers, FileHasFiveSchedulers) { EXPECT_EQ(schedulers().size(), 5u); }

// README: OneCycleLR ignores the optimizer's lr/momentum, starts at max_lr/div_factor and ends at
// exactly min_lr with cos annealing; the phase boundary is pct_start·total − 1 = 8.
TEST(GoldenSchedulers, OneCycleDerivedValues) {
  for (const json& s : schedulers()) {
    if (s.at("scheduler") != "OneCycleLR") continue;
    SchedulerRig st(s);
    const json& d = s.at("derived");
    EXPECT_TRUE(allclose(st.opt->get("lr"), d.at("initial_lr").get<double>(), kTol));
    EXPECT_EQ(st.opt->get("momentum"), s.at("params").at("max_momentum").get<double>());
    for (int t = 0; t < 8; ++t) st.sched->step();
    EXPECT_TRUE(allclose(st.opt->get("lr"), s.at("params").at("max_lr").get<double>(), kTol)) << "peak at step 8";
    for (int t = 8; t < 29; ++t) st.sched->step();
    EXPECT_TRUE(allclose(st.opt->get("lr"), d.at("min_lr").get<double>(), {1e-9, 0}));
  }
}

}  // namespace
}  // namespace tt
