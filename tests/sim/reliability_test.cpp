// Tests for sim/reliability: fleet MTBF at hand-computed values, Young and Daly intervals (Daly
// beats Young on Daly's exact expected-runtime model; both agree to first order), the wall-time
// taxes and goodput, checkpoint size and write time, availability, and errors.
#include "sim/reliability.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "sim_test_util.h"

namespace {

using namespace tt::sim;
constexpr double kHour = 3600;

using tt::sim::testing::expect_error;

TEST(Reliability, DgxFleetMtbfByHand) {
  // 8 GPUs, 8 NICs, 2 PSUs: 8/50k + 8/150k + 2/100k = 2.3333e-4 per hour → 4285.71 h per node.
  const FleetReliability r = fleet_reliability(8, 8, 2, 32, 24 * kHour);
  const double node_h = 1 / (8 / 50e3 + 8 / 150e3 + 2 / 100e3);
  EXPECT_NEAR(r.node_mtbf_s / kHour, node_h, 1e-9);
  EXPECT_NEAR(node_h, 4285.714285714286, 1e-9);
  EXPECT_NEAR(r.cluster_mtbf_s, r.node_mtbf_s / 32, 1e-6);
  EXPECT_NEAR(r.expected_failures, 24 / (node_h / 32), 1e-12);
  EXPECT_NEAR(r.p_failure, 1 - std::exp(-24 / (node_h / 32)), 1e-12);
  EXPECT_EQ(r.binding, "GPU failures");
  Node dgx;
  dgx.accelerators = 8;
  dgx.nics = 8;
  dgx.psus = 2;
  EXPECT_DOUBLE_EQ(fleet_reliability(dgx, 32, 24 * kHour).cluster_mtbf_s, r.cluster_mtbf_s);
}

TEST(Reliability, FailureProbabilityKeepsDigitsForShortJobs) {
  // 1 − e^{−x} = x − x²/2 + …; the naive form loses ~7 of the 16 digits at x = 1e-10.
  EXPECT_NEAR(failure_probability(1e-3, 1e7), 1e-10 - 5e-21, 1e-25);
  EXPECT_EQ(failure_probability(0, 1e7), 0);
  EXPECT_NEAR(failure_probability(1e7, 1e7), 1 - std::exp(-1.0), 1e-15);
}

TEST(Reliability, YoungIntervalByHand) {
  EXPECT_NEAR(young_interval(60, 1e5), std::sqrt(1.2e7), 1e-9);  // 3464.1 s
  // Young's τ minimises the first-order waste δ/τ + τ/(2M), where write and rework taxes meet.
  const CheckpointPlan p = optimal_checkpoint(60, 300, 1e5, IntervalRule::young);
  EXPECT_NEAR(p.write_tax, p.rework_tax, 1e-15);
  auto waste = [](double tau) { return 60 / tau + tau / 2e5; };
  EXPECT_LT(waste(p.interval_s), waste(p.interval_s * 1.05));
  EXPECT_LT(waste(p.interval_s), waste(p.interval_s / 1.05));
}

TEST(Reliability, DalyIsShorterThanYoungAndAgreesToFirstOrder) {
  const double m = 1e5;
  for (double delta : {1e-3, 1.0, 60.0, 600.0}) {
    EXPECT_LT(daly_interval(delta, m), young_interval(delta, m)) << delta;
    // τ_Daly ≈ √(2δM) − ⅔δ.
    EXPECT_NEAR(daly_interval(delta, m), young_interval(delta, m) - 2 * delta / 3,
                0.01 * delta) << delta;
  }
  EXPECT_NEAR(daly_interval(1e-3, m) / young_interval(1e-3, m), 1.0, 1e-4);
  EXPECT_EQ(daly_interval(300, 100), 100);  // δ ≥ 2M: τ = M
  // By hand at δ = 60 s, M = 10⁵ s: x = 6e-4; √(1.2e7)·(1 + √3e-4/3 + 6e-4/18) − 60.
  const double x = 6e-4;
  EXPECT_NEAR(daly_interval(60, m), std::sqrt(1.2e7) * (1 + std::sqrt(x / 2) / 3 + x / 18) - 60,
              1e-9);
}

// Daly (2006) eq. 13, expected wall time to finish T_s of work with interval τ, write δ,
// restart R, MTBF M: M·e^{R/M}·(e^{(τ+δ)/M} − 1)·T_s/τ. Daly's τ should be nearer its minimum.
double daly_wall_time(double tau, double delta, double restart, double m) {
  return m * std::exp(restart / m) * std::expm1((tau + delta) / m) / tau;
}

TEST(Reliability, DalyBeatsYoungOnTheExactRuntimeModel) {
  const double m = 3600, restart = 300;
  for (double delta : {60.0, 300.0, 900.0}) {
    const double young = daly_wall_time(young_interval(delta, m), delta, restart, m);
    const double daly = daly_wall_time(daly_interval(delta, m), delta, restart, m);
    EXPECT_LT(daly, young) << delta;
  }
}

TEST(Reliability, GoodputIsOneMinusTheThreeTaxes) {
  const CheckpointPlan p = checkpoint_plan(60, 300, 1e5, 3000);
  EXPECT_DOUBLE_EQ(p.write_tax, 0.02);
  EXPECT_DOUBLE_EQ(p.rework_tax, 0.015);
  EXPECT_DOUBLE_EQ(p.recovery_tax, 0.003);
  EXPECT_NEAR(p.goodput, 1 - 0.038, 1e-15);
  EXPECT_NEAR(p.goodput_reference, 1 - 0.02 - 0.003, 1e-15);
  EXPECT_NEAR(goodput_reference(60, 3000, 300, 1e5), p.goodput_reference, 1e-15);
  EXPECT_EQ(p.binding, "checkpoint writes");
  EXPECT_TRUE(p.feasible);
  for (double m : {1e3, 1e4, 1e5, 1e7}) {
    const CheckpointPlan q = optimal_checkpoint(60, 300, m);
    EXPECT_GE(q.goodput, 0);
    EXPECT_LE(q.goodput, 1);
    EXPECT_LE(q.goodput, q.goodput_reference);  // ours also charges the rework
  }
}

TEST(Reliability, FailuresFasterThanCheckpointsLeaveNoGoodput) {
  const CheckpointPlan p = optimal_checkpoint(60, 300, 200);
  EXPECT_FALSE(p.feasible);
  EXPECT_EQ(p.goodput, 0);
  EXPECT_EQ(p.binding, "recovery after failures");  // R/M = 1.5 dominates
  bool warned = false;
  for (const std::string& n : p.notes)
    warned |= n.find("over 10% of the MTBF") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(Reliability, CheckpointBytesPerParameter) {
  EXPECT_EQ(checkpoint_bytes_per_param(OptimizerKind::adam), 14);        // the reference's 14
  EXPECT_EQ(checkpoint_bytes_per_param(OptimizerKind::adam, false), 12);
  EXPECT_EQ(checkpoint_bytes_per_param(OptimizerKind::sgd, false), 4);   // the reference's SGD 4
  EXPECT_EQ(checkpoint_bytes_per_param(OptimizerKind::sgd), 6);
  EXPECT_EQ(checkpoint_bytes_per_param(OptimizerKind::sgd_momentum), 10);
  EXPECT_EQ(checkpoint_bytes_per_param(OptimizerKind::none), 2);
}

TEST(Reliability, CheckpointWriteTimeIsBoundByStorageOrTheFileSystem) {
  const CheckpointIo few = checkpoint_io(8.03e9, OptimizerKind::adam, 2e9, 8);
  EXPECT_NEAR(few.bytes, 112.42e9, 1);
  EXPECT_DOUBLE_EQ(few.write_bw, 16e9);
  EXPECT_NEAR(few.write_s, 112.42e9 / 16e9, 1e-12);
  EXPECT_EQ(few.binding, "storage bandwidth");
  const CheckpointIo many = checkpoint_io(8.03e9, OptimizerKind::adam, 2e9, 1000);
  EXPECT_DOUBLE_EQ(many.write_bw, 500e9);
  EXPECT_EQ(many.binding, "file-system bandwidth limit");
  const CheckpointIo slow = checkpoint_io(405e9, OptimizerKind::adam, 1e9, 1);
  EXPECT_GT(slow.write_s, 60);
  EXPECT_NE(slow.notes.back().find("over 60 s"), std::string::npos);
}

TEST(Reliability, Availability) {
  EXPECT_NEAR(availability(99, 1), 0.99, 1e-15);
  EXPECT_NEAR(replicated_availability(0.99, 3), 1 - 1e-6, 1e-12);
  EXPECT_EQ(replicated_availability(0.9, 1), 0.9);
  EXPECT_LT(replicated_availability(0.9, 2), replicated_availability(0.9, 3));
}

TEST(Reliability, JsonCarriesTheTaxes) {
  const nlohmann::ordered_json j = to_json(checkpoint_plan(60, 300, 1e5, 3000));
  EXPECT_DOUBLE_EQ(j["write_tax"].get<double>(), 0.02);
  EXPECT_EQ(j["binding"], "checkpoint writes");
  EXPECT_NEAR(to_json(fleet_reliability(8, 8, 2, 1, 0))["node_mtbf_h"].get<double>(),
              4285.714285714286, 1e-9);
  EXPECT_EQ(to_json(checkpoint_io(1e9, OptimizerKind::adam, 1e9, 1))["bytes"].get<double>(), 14e9);
}

TEST(Reliability, BadInputNamesTheFunction) {
  expect_error([] { young_interval(-1, 1e5); }, "young_interval: checkpoint write time");
  expect_error([] { daly_interval(60, 0); }, "daly_interval: MTBF");
  expect_error([] { fleet_reliability(8, 8, 2, 0, 1); }, "fleet_reliability: nodes");
  expect_error([] { fleet_reliability(0, 0, 0, 4, 1); }, "fleet_reliability: a node with no");
  expect_error([] { checkpoint_plan(60, 300, 1e5, 0); }, "checkpoint_plan: interval");
  expect_error([] { optimal_checkpoint(0, 300, 1e5); }, "optimal_checkpoint");
  expect_error([] { checkpoint_io(1e9, OptimizerKind::adam, 1e9, 0); }, "checkpoint_io: writers");
  expect_error([] { replicated_availability(1.5, 2); }, "replicated_availability");
}

}  // namespace
