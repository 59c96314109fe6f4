// Invariants of the solvers over every device and cluster of the shipped registry: what must hold
// whatever the numbers (efficiencies in [0, 1], the Iron Law's forms ordered, memory components
// summing, ZeRO and recomputation never increasing memory, monotone growth with sequence length),
// and the golden values again from the registry's own entries.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "sim/memory.h"
#include "sim/node.h"
#include "sim/parallel.h"
#include "sim/registry.h"
#include "sim/serving.h"

namespace tt::sim {
namespace {

const Registry& reg() {
  static const Registry r = load_registry(registry_dir(), false);
  return r;
}

TEST(SimInvariants, NodeSolverOverEveryDevice) {
  for (const char* model : {"ResNet-50", "Llama-3-8B", "GPT-2-Small"}) {
    if (!reg().models.count(model)) continue;
    for (const auto& [key, d] : reg().devices)
      for (bool train : {false, true}) {
        NodeOptions o;
        o.batch = 4, o.seq = 256, o.precision = d.default_precision, o.training = train;
        SCOPED_TRACE(std::string(model) + " on " + key + (train ? " training" : ""));
        const NodeResult r = solve_node(reg().model(model), d, o);
        EXPECT_GT(r.latency, 0);
        EXPECT_TRUE(std::isfinite(r.latency));
        EXPECT_GE(r.mfu, 0);
        EXPECT_LE(r.mfu, 1);
        EXPECT_GE(r.hfu, r.mfu - 1e-12);
        EXPECT_LE(r.hfu, 1);
        // Σ(a + b) ≥ Σ max(a, b): the sum form never beats the max form.
        EXPECT_GE(r.latency_sum, r.latency_max * (1 - 1e-12));
        EXPECT_NEAR(r.latency, r.latency_max, 1e-12 * r.latency);
        EXPECT_GT(r.energy, 0);
        EXPECT_EQ(r.feasible, r.memory_footprint <= r.capacity);
      }
  }
}

TEST(SimInvariants, OverlapFormLiesBetweenMaxAndSum) {
  const Device& d = reg().device("H100");
  NodeOptions o;
  o.batch = 8, o.seq = 512;
  o.form = IronLaw::max;
  const double tmax = solve_node(reg().model("Llama-3-8B"), d, o).latency;
  o.form = IronLaw::sum;
  const double tsum = solve_node(reg().model("Llama-3-8B"), d, o).latency;
  o.form = IronLaw::overlap, o.overlap = 0.5;
  const double tov = solve_node(reg().model("Llama-3-8B"), d, o).latency;
  EXPECT_LT(tmax, tov);
  EXPECT_LT(tov, tsum);
  o.overlap = 1;
  EXPECT_NEAR(solve_node(reg().model("Llama-3-8B"), d, o).latency, tmax, 1e-12);
}

TEST(SimInvariants, TrainingMemoryComponentsZeroAndRecompute) {
  for (const auto& [dk, d] : reg().devices) {
    if (d.category != "cloud") continue;
    for (const auto& [mk, m] : reg().models) {
      TrainingMemoryOptions o;
      o.batch = 4, o.seq = 512, o.dp = 8;
      double previous = INFINITY;
      for (int z = 0; z <= 3; ++z) {
        o.zero_stage = z;
        const TrainingMemoryResult r = training_memory(m, d, o);
        EXPECT_NEAR(r.total, r.weights + r.gradients + r.optimizer + r.activations + r.buffers, 1e-6 * r.total);
        EXPECT_LE(r.total, previous * (1 + 1e-12)) << mk << " ZeRO-" << z;
        previous = r.total;
      }
      o.zero_stage = 0;
      double before = INFINITY;
      for (Recompute rc : {Recompute::none, Recompute::selective, Recompute::full}) {
        o.recompute = rc;
        const double t = training_memory(m, d, o).total;
        EXPECT_LE(t, before * (1 + 1e-12)) << mk << " " << recompute_name(rc);
        before = t;
      }
      o.recompute = Recompute::selective, o.precision = Precision::fp32;
      const double fp32 = training_memory(m, d, o).total;
      o.precision = Precision::fp16;
      EXPECT_GE(fp32, training_memory(m, d, o).total) << mk;
    }
  }
}

TEST(SimInvariants, ServingGrowsWithSequence) {
  const Device& d = reg().device("H100");
  for (const auto& [mk, m] : reg().models) {
    if (!m.is_transformer()) continue;
    double kv = 0, itl = 0;
    for (int seq : {256, 1024, 4096}) {
      ServingOptions o;
      o.seq = seq;
      const ServingResult r = solve_serving(m, d, o);
      EXPECT_GT(r.kv_bytes, kv) << mk;
      EXPECT_GE(r.itl, itl) << mk;
      kv = r.kv_bytes, itl = r.itl;
    }
  }
}

TEST(SimInvariants, ParallelSweepOverEveryCluster) {
  for (const auto& [ck, c] : reg().clusters) {
    const System s = resolve_system(reg(), ck);
    ParallelOptions o;
    o.batch = 4 * s.accelerators(), o.seq = 1024, o.zero_stage = 1;
    for (const ParallelResult& r : sweep_parallel(reg().model("Llama-3-8B"), s, o)) {
      SCOPED_TRACE(ck + " tp " + std::to_string(r.tp) + " pp " + std::to_string(r.pp));
      EXPECT_EQ(r.dp * r.tp * r.pp * r.ep, s.accelerators());
      EXPECT_GE(r.t_dp, 0);
      EXPECT_GE(r.t_tp, 0);
      EXPECT_GE(r.t_bubble, 0);
      EXPECT_GT(r.scaling_efficiency, 0);
      EXPECT_LE(r.scaling_efficiency, 1 + 1e-12);
      EXPECT_GE(r.mfu, 0);
      EXPECT_LE(r.mfu, 1);
    }
  }
}

TEST(SimInvariants, BadOptionsAreErrors) {
  const Device& d = reg().device("H100");
  const ModelSpec& m = reg().model("Llama-3-8B");
  NodeOptions o;
  o.efficiency = 0;
  EXPECT_THROW(solve_node(m, d, o), Error);
  o.efficiency = 0.5, o.batch = 0;
  EXPECT_THROW(solve_node(m, d, o), Error);
  ParallelOptions p;
  p.tp = 3;  // does not divide 256
  EXPECT_THROW(solve_parallel(m, resolve_system(reg(), "Research_256"), p), Error);
  ServingOptions s;
  s.cached_prefix = s.seq;
  EXPECT_THROW(solve_serving(m, d, s), Error);
  EXPECT_THROW(kv_cache(reg().model("ResNet-50"), {}), Error);
}

// The golden values of golden_test.cpp again, from the registry's own entries.
TEST(SimInvariants, RegistryEntriesReproduceTheGoldenValues) {
  NodeOptions n;
  n.compat = true;
  EXPECT_NEAR(solve(reg().model("ResNet-50"), reg().device("A100"), n).latency * 1e3, 0.5675641025641026, 1e-9);
  ServingOptions s;
  s.compat = true;
  const ServingResult sr = solve_serving(reg().model("Llama-3-8B"), reg().device("H100"), s);
  EXPECT_NEAR(sr.ttft * 1e3, 70.97037058756726, 1e-7);
  EXPECT_NEAR(sr.itl * 1e3, 5.194159837611941, 1e-7);
  ParallelOptions p;
  p.batch = 1024, p.seq = 2048, p.efficiency = 0.45, p.tp = 8, p.pp = 4, p.microbatches = 16;
  p.zero_stage = 1, p.compat = true;
  const ParallelResult pr = solve_parallel(reg().model("Llama-3-8B"), resolve_system(reg(), "Research_256"), p);
  EXPECT_NEAR(pr.step * 1e3, 5088.519845717895, 5088.5 * 1e-9);
  EXPECT_NEAR(pr.scaling_efficiency, 0.6807298792231218, 1e-9);
}

}  // namespace
}  // namespace tt::sim
