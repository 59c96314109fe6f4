// Tests for sim/scaling: 6ND against GPT-3's reported compute, the Chinchilla rule and fit
// (Chinchilla's own 70B/1.4T budget, the fit's minimiser), training time and GPU-days,
// quantisation and pruning tables, Amdahl and strong/weak scaling, and errors.
#include "sim/scaling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "sim_test_util.h"

namespace {

using namespace tt::sim;

using tt::sim::testing::expect_error;

TEST(Scaling, SixNDMatchesGpt3WithinOnePercent) {
  // GPT-3: 175B params, 300B tokens, reported 3.14e23 FLOPs (Brown et al. 2020, Table D.1).
  const double c = training_flops(175e9, 300e9);
  EXPECT_DOUBLE_EQ(c, 3.15e23);
  EXPECT_NEAR(c / 3.14e23, 1.0, 0.01);
}

TEST(Scaling, ChinchillaRuleRecoversChinchillasOwnSize) {
  // Chinchilla: 70B params on 1.4T tokens, C = 6·70e9·1.4e12 = 5.88e23.
  const ChinchillaOptimum o = chinchilla_optimal(5.88e23);
  EXPECT_NEAR(o.params, 70e9, 0.001 * 70e9);
  EXPECT_NEAR(o.tokens, 1.4e12, 0.001 * 1.4e12);
  EXPECT_NEAR(6 * o.params * o.tokens / o.compute, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(o.tokens_per_param, 20);
  EXPECT_NEAR(o.params, std::sqrt(5.88e23 / 120), 1e-3);
}

TEST(Scaling, ChinchillaLossByHandAndItsLimits) {
  // 1.69 + 406.4/(7e10)^0.34 + 410.7/(1.4e12)^0.28 ≈ 1.69 + 0.0835 + 0.1632 = 1.937.
  EXPECT_NEAR(chinchilla_loss(70e9, 1.4e12), 1.937, 1e-3);
  EXPECT_GT(chinchilla_loss(1e9, 1e12), chinchilla_loss(2e9, 1e12));
  EXPECT_GT(chinchilla_loss(1e9, 1e12), chinchilla_loss(1e9, 2e12));
  EXPECT_NEAR(chinchilla_loss(1e30, 1e30), 1.69, 1e-3);
}

TEST(Scaling, ParametricOptimumMinimisesLossAtFixedCompute) {
  for (double c : {1e21, 1e23, 1e25}) {
    const ChinchillaOptimum o = chinchilla_parametric_optimal(c);
    EXPECT_NEAR(6 * o.params * o.tokens / c, 1.0, 1e-12);
    auto loss_at = [&](double n) { return chinchilla_loss(n, c / (6 * n)); };
    EXPECT_LT(o.loss, loss_at(o.params * 1.1)) << c;
    EXPECT_LT(o.loss, loss_at(o.params / 1.1)) << c;
    // It can only do at least as well as the 20-tokens rule at the same compute.
    EXPECT_LE(o.loss, chinchilla_optimal(c).loss) << c;
  }
  // By hand at 10²³: G = (0.34·406.4/(0.28·410.7))^(1/0.62) ≈ 1.3447, N* = G·(C/6)^(0.28/0.62)
  // ≈ 1.455e10, D* = (C/6)^(0.34/0.62)/G ≈ 1.145e12: about 78 tokens per parameter, not 20.
  const ChinchillaOptimum o = chinchilla_parametric_optimal(1e23);
  EXPECT_NEAR(o.params, 1.455e10, 0.005e10);
  EXPECT_NEAR(o.tokens_per_param, 78.5, 1.0);
}

TEST(Scaling, TrainingTimeAndGpuDays) {
  const TrainingTime t = training_time(3.14e23, 1024, 312e12, 0.5);
  EXPECT_NEAR(t.seconds, 3.14e23 / (1024 * 312e12 * 0.5), 1e-6);
  EXPECT_NEAR(t.days, t.seconds / 86400, 1e-12);
  EXPECT_NEAR(t.device_days, 1024 * t.days, 1e-9);
  EXPECT_EQ(t.binding, "compute");
  EXPECT_NEAR(gpu_days(3.14e23), 3.14e23 / (989e12 * 0.40 * 86400), 1e-9);
}

TEST(Scaling, QuantisationTable) {
  const QuantizationResult int8 = quantization(8, false, true, 2);
  EXPECT_DOUBLE_EQ(int8.compression_ratio, 4);
  EXPECT_DOUBLE_EQ(int8.speedup, 4);             // memory-bound: bytes shrink 4×
  EXPECT_DOUBLE_EQ(int8.accuracy_delta, -0.005);
  EXPECT_EQ(int8.binding, "memory bandwidth");
  const QuantizationResult compute = quantization(8, false, false, 2);
  EXPECT_DOUBLE_EQ(compute.speedup, 2);          // the INT8 units run only 2× the FP32 rate
  EXPECT_EQ(compute.binding, "hardware rate of the narrow format");
  EXPECT_DOUBLE_EQ(quantization(4, false, false, 8, 16).speedup, 4);  // capped by 16/4
  EXPECT_DOUBLE_EQ(quantization_accuracy_delta(16, true), 0);
  EXPECT_DOUBLE_EQ(quantization_accuracy_delta(8, true), -0.002);
  EXPECT_DOUBLE_EQ(quantization_accuracy_delta(4, false), -0.025);
  EXPECT_DOUBLE_EQ(quantization_accuracy_delta(3, false), -0.05);
}

TEST(Scaling, PruningTable) {
  const PruningResult u = pruning(0.5, PruneKind::unstructured);
  EXPECT_DOUBLE_EQ(u.compression_ratio, 2);
  EXPECT_DOUBLE_EQ(u.speedup, 1);
  EXPECT_DOUBLE_EQ(u.accuracy_delta, -0.001);
  const PruningResult s = pruning(0.9, PruneKind::structured);
  EXPECT_NEAR(s.compression_ratio, 10, 1e-12);
  EXPECT_NEAR(s.speedup, 10, 1e-12);
  EXPECT_NEAR(s.accuracy_delta, -0.01 * std::exp(1.8), 1e-15);  // −6.05 points
  EXPECT_DOUBLE_EQ(pruning(0.5, PruneKind::two_four).speedup, 2);
  EXPECT_EQ(to_json(pruning(0.5, PruneKind::two_four))["kind"], "2:4");
}

TEST(Scaling, AmdahlAndStrongWeakScaling) {
  EXPECT_NEAR(amdahl_speedup(0.95, 1e12), 20, 1e-9);  // the serial 5 % caps it at 20×
  EXPECT_DOUBLE_EQ(amdahl_speedup(0.5, 2), 1 / 0.75);
  EXPECT_DOUBLE_EQ(amdahl_speedup(0, 100), 1);
  for (int n : {1, 8, 1024}) {
    EXPECT_NEAR(strong_scaling_speedup(n, 0.05), amdahl_speedup(0.95, n), 1e-12) << n;
    EXPECT_NEAR(strong_scaling_efficiency(n, 0.05), strong_scaling_speedup(n, 0.05) / n, 1e-15);
  }
  EXPECT_DOUBLE_EQ(weak_scaling_speedup(1024, 0.05), 1024 - 0.05 * 1023);
  EXPECT_GT(weak_scaling_speedup(1024, 0.05), strong_scaling_speedup(1024, 0.05));
}

TEST(Scaling, JsonCarriesTheFields) {
  const nlohmann::ordered_json j = to_json(chinchilla_optimal(5.88e23));
  EXPECT_EQ(j["rule"], "20 tokens/param");
  EXPECT_NEAR(j["params"].get<double>(), 70e9, 1e8);
  EXPECT_EQ(to_json(training_time(1e21, 8, 1e15, 0.4))["devices"], 8);
  EXPECT_DOUBLE_EQ(to_json(quantization(8, false, true, 2))["speedup"].get<double>(), 4);
}

TEST(Scaling, BadInputNamesTheFunction) {
  expect_error([] { training_flops(0, 1e9); }, "training_flops: params");
  expect_error([] { chinchilla_optimal(-1); }, "chinchilla_optimal: compute");
  expect_error([] { training_time(1e21, 0, 1e15, 0.4); }, "training_time: devices");
  expect_error([] { training_time(1e21, 8, 1e15, 1.2); }, "training_time: MFU");
  expect_error([] { quantization(16, false, true, 1, 8); }, "quantization: target 16 bits");
  expect_error([] { pruning(1.0, PruneKind::structured); }, "pruning: sparsity");
  expect_error([] { pruning(0.7, PruneKind::two_four); }, "pruning: 2:4");
  expect_error([] { amdahl_speedup(1.5, 2); }, "amdahl_speedup: parallel fraction");
}

}  // namespace
