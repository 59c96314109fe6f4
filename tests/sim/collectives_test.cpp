// Tests for sim/collectives: each α–β formula at hand-computed values, the identities between
// them (all-gather + reduce-scatter = ring all-reduce; hierarchical with one node = ring), the
// ring/tree crossover, the best-algorithm choice on a two-level system, the topology model, and
// errors that name the function.
#include "sim/collectives.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "sim_test_util.h"

namespace {

using namespace tt::sim;

constexpr double kAlpha = 5e-6;   // 5 µs, InfiniBand-like
constexpr double kBw = 50e9;      // 50 GB/s per direction

using tt::sim::testing::expect_error;

TEST(Collectives, RingAllReduceMatchesClosedForm) {
  const CollectiveTime t = ring_allreduce(8, 1e9, 100e9, kAlpha);
  EXPECT_DOUBLE_EQ(t.alpha_s, 14 * kAlpha);              // 2(N−1)α
  EXPECT_DOUBLE_EQ(t.beta_s, 2.0 * 7 / 8 * 1e9 / 100e9);  // 2(N−1)/N·M/β = 17.5 ms
  EXPECT_DOUBLE_EQ(t.total_s, t.alpha_s + t.beta_s);
  EXPECT_EQ(t.ranks, 8);
}

TEST(Collectives, OneRankCostsNothing) {
  EXPECT_EQ(ring_allreduce(1, 1e9, kBw, kAlpha).total_s, 0);
  EXPECT_EQ(tree_allreduce(1, 1e9, kBw, kAlpha).total_s, 0);
  EXPECT_EQ(allgather(1, 1e9, kBw, kAlpha).total_s, 0);
  EXPECT_EQ(reduce_scatter(1, 1e9, kBw, kAlpha).total_s, 0);
  EXPECT_EQ(alltoall(1, 1e9, kBw, kAlpha).total_s, 0);
  EXPECT_EQ(broadcast(1, 1e9, kBw, kAlpha, BroadcastAlgo::tree).total_s, 0);
  EXPECT_EQ(broadcast(1, 1e9, kBw, kAlpha, BroadcastAlgo::ring_pipelined).total_s, 0);
  EXPECT_EQ(hierarchical_allreduce(1, 1, 1e9, kBw, kAlpha, kBw, kAlpha).total.total_s, 0);
}

TEST(Collectives, RingTimeGrowsWithRanksTowardTwiceMOverBeta) {
  const double m = 1e9, limit = 2 * m / kBw;
  double prev = 0;
  for (int n : {2, 4, 8, 64, 1024, 65536}) {
    const double t = ring_allreduce(n, m, kBw, 0).total_s;
    EXPECT_GT(t, prev) << n;
    EXPECT_LT(t, limit) << n;
    prev = t;
  }
  EXPECT_NEAR(ring_allreduce(1 << 20, m, kBw, 0).total_s / limit, 1.0, 1e-5);
}

TEST(Collectives, TreeAllReduceUsesCeilLog2Levels) {
  // N = 5 and N = 8 both need ⌈log2 N⌉ = 3 levels: 2·3·(α + M/β).
  const double expect = 6 * (kAlpha + 1e6 / kBw);
  EXPECT_DOUBLE_EQ(tree_allreduce(5, 1e6, kBw, kAlpha).total_s, expect);
  EXPECT_DOUBLE_EQ(tree_allreduce(8, 1e6, kBw, kAlpha).total_s, expect);
  EXPECT_DOUBLE_EQ(tree_allreduce(9, 1e6, kBw, kAlpha).total_s, 8 * (kAlpha + 1e6 / kBw));
}

TEST(Collectives, TreeBeatsRingForTinyMessagesAndRingBeatsTreeForLargeAt256Ranks) {
  EXPECT_LT(tree_allreduce(256, 1e3, kBw, kAlpha).total_s,
            ring_allreduce(256, 1e3, kBw, kAlpha).total_s);
  EXPECT_LT(ring_allreduce(256, 1e9, kBw, kAlpha).total_s,
            tree_allreduce(256, 1e9, kBw, kAlpha).total_s);
}

TEST(Collectives, CrossoverIsWhereRingAndTreeCostTheSame) {
  const double m = ring_tree_crossover_bytes(256, kBw, kAlpha);
  // αβ(N − 1 − L)/(L − (N−1)/N) with N = 256, L = 8: 5e-6·50e9·247/(8 − 255/256) ≈ 8.82 MB.
  EXPECT_NEAR(m, kAlpha * kBw * 247 / (8 - 255.0 / 256), 1e-6);
  EXPECT_NEAR(ring_allreduce(256, m, kBw, kAlpha).total_s,
              tree_allreduce(256, m, kBw, kAlpha).total_s, 1e-12);
  EXPECT_LT(tree_allreduce(256, 0.9 * m, kBw, kAlpha).total_s,
            ring_allreduce(256, 0.9 * m, kBw, kAlpha).total_s);
  EXPECT_GT(tree_allreduce(256, 1.1 * m, kBw, kAlpha).total_s,
            ring_allreduce(256, 1.1 * m, kBw, kAlpha).total_s);
}

TEST(Collectives, TreeNeverWinsBelowFourRanks) {
  for (int n : {1, 2, 3}) {
    EXPECT_EQ(ring_tree_crossover_bytes(n, kBw, kAlpha), 0) << n;
    for (double m : {0.0, 1.0, 1e3, 1e9})
      EXPECT_LE(ring_allreduce(n, m, kBw, kAlpha).total_s,
                tree_allreduce(n, m, kBw, kAlpha).total_s) << n << " " << m;
  }
}

TEST(Collectives, AllGatherPlusReduceScatterIsRingAllReduce) {
  for (int n : {2, 7, 64}) {
    const CollectiveTime ag = allgather(n, 3e8, kBw, kAlpha);
    const CollectiveTime rs = reduce_scatter(n, 3e8, kBw, kAlpha);
    const CollectiveTime ar = ring_allreduce(n, 3e8, kBw, kAlpha);
    EXPECT_DOUBLE_EQ(ag.alpha_s + rs.alpha_s, ar.alpha_s) << n;
    EXPECT_DOUBLE_EQ(ag.beta_s + rs.beta_s, ar.beta_s) << n;
  }
  const CollectiveTime a2a = alltoall(16, 1.6e9, kBw, kAlpha);
  EXPECT_DOUBLE_EQ(a2a.alpha_s, 15 * kAlpha);
  EXPECT_DOUBLE_EQ(a2a.beta_s, 15.0 / 16 * 1.6e9 / kBw);
}

TEST(Collectives, HierarchicalMatchesItsThreePhases) {
  const double bi = 450e9, ai = 0.5e-6, m = 1e9;
  const HierarchicalTime h = hierarchical_allreduce(8, 4, m, bi, ai, kBw, kAlpha);
  EXPECT_DOUBLE_EQ(h.intra_reduce_scatter.total_s, 7.0 / 8 * m / bi + 7 * ai);
  EXPECT_DOUBLE_EQ(h.intra_allgather.total_s, h.intra_reduce_scatter.total_s);
  EXPECT_DOUBLE_EQ(h.inter_allreduce.total_s, 2.0 * 3 / 4 * (m / 8) / kBw + 6 * kAlpha);
  EXPECT_NEAR(h.total.total_s, 2 * h.intra_reduce_scatter.total_s + h.inter_allreduce.total_s,
              1e-15);
  EXPECT_EQ(h.total.ranks, 32);
}

TEST(Collectives, HierarchicalWithOneNodeIsARingOverTheNode) {
  const HierarchicalTime h = hierarchical_allreduce(8, 1, 1e9, 450e9, 0.5e-6, kBw, kAlpha);
  const CollectiveTime ring = ring_allreduce(8, 1e9, 450e9, 0.5e-6);
  EXPECT_DOUBLE_EQ(h.total.alpha_s, ring.alpha_s);
  EXPECT_DOUBLE_EQ(h.total.beta_s, ring.beta_s);
  // And one rank per node is a ring over the nodes on the inter-node link.
  const HierarchicalTime g1 = hierarchical_allreduce(1, 16, 1e9, 450e9, 0.5e-6, kBw, kAlpha);
  EXPECT_DOUBLE_EQ(g1.total.total_s, ring_allreduce(16, 1e9, kBw, kAlpha).total_s);
}

TEST(Collectives, TreeBroadcastMatchesClosedForm) {
  EXPECT_DOUBLE_EQ(broadcast(16, 1e6, kBw, kAlpha, BroadcastAlgo::tree).total_s,
                   4 * (kAlpha + 1e6 / kBw));
}

TEST(Collectives, PipelinedBroadcastIsNoWorseThanAnyChunkCount) {
  const int n = 32;
  const double m = 1e8;
  const double t = broadcast(n, m, kBw, kAlpha, BroadcastAlgo::ring_pipelined).total_s;
  double best_integer = INFINITY;
  for (int k = 1; k <= 20000; ++k)
    best_integer = std::min(best_integer, (n + k - 2) * (kAlpha + m / (k * kBw)));
  EXPECT_LE(t, best_integer * (1 + 1e-12));
  EXPECT_GT(t, best_integer * (1 - 1e-3));  // the continuous optimum is close to the integer one
  EXPECT_GT(t, m / kBw);                    // never faster than sending M once
  // Two ranks: one message. No latency: the chain streams at link rate.
  EXPECT_DOUBLE_EQ(broadcast(2, m, kBw, kAlpha, BroadcastAlgo::ring_pipelined).total_s,
                   kAlpha + m / kBw);
  EXPECT_DOUBLE_EQ(broadcast(n, m, kBw, 0, BroadcastAlgo::ring_pipelined).total_s, m / kBw);
}

TEST(Collectives, BestAllReducePicksTreeForTinyAndHierarchicalForLargeOnTwoLevels) {
  const Link nvlink{"NVLink 4", 450e9, 0.5e-6}, ib{"IB NDR", kBw, kAlpha};
  const AllReduceChoice tiny = best_allreduce(8, 32, 8, nvlink, ib);
  EXPECT_EQ(tiny.best, "tree");
  EXPECT_NE(tiny.binding.find("latency"), std::string::npos) << tiny.binding;
  const AllReduceChoice big = best_allreduce(8, 32, 1e9, nvlink, ib);
  EXPECT_EQ(big.best, "hierarchical");
  EXPECT_NE(big.binding.find("bandwidth"), std::string::npos) << big.binding;
  EXPECT_DOUBLE_EQ(big.best_s, big.hierarchical.total.total_s);
  // The flat algorithms run at the inter-node link's pace.
  EXPECT_DOUBLE_EQ(big.ring.total_s, ring_allreduce(256, 1e9, kBw, kAlpha).total_s);
  EXPECT_DOUBLE_EQ(big.crossover_bytes, ring_tree_crossover_bytes(256, kBw, kAlpha));
  EXPECT_TRUE(big.feasible);
}

TEST(Collectives, BestAllReduceOnOneNodeUsesTheIntraLink) {
  const Link nvlink{"NVLink 4", 450e9, 0.5e-6}, ib{"IB NDR", kBw, kAlpha};
  const AllReduceChoice c = best_allreduce(8, 1, 1e9, nvlink, ib);
  EXPECT_EQ(c.best, "ring");  // hierarchical ties with ring on one node; ring is preferred
  EXPECT_DOUBLE_EQ(c.ring.total_s, ring_allreduce(8, 1e9, 450e9, 0.5e-6).total_s);
}

TEST(Collectives, BadInputNamesTheFunction) {
  expect_error([] { ring_allreduce(0, 1e6, kBw, kAlpha); }, "ring_allreduce: ranks");
  expect_error([] { tree_allreduce(4, -1, kBw, kAlpha); }, "tree_allreduce: bytes");
  expect_error([] { allgather(4, 1e6, 0, kAlpha); }, "allgather: bandwidth");
  expect_error([] { alltoall(4, 1e6, kBw, -1e-6); }, "alltoall: latency");
  expect_error([] { hierarchical_allreduce(8, 0, 1e6, kBw, 0, kBw, 0); },
               "hierarchical_allreduce (inter): ranks");
  expect_error([] { parse_topology("hypercube"); }, "hypercube");
  expect_error([] { topology_model(Topology::ring, 8, kBw, 0.5); }, "oversubscription");
}

TEST(Topology, BisectionFractionsAndHopsFollowTheReference) {
  EXPECT_DOUBLE_EQ(bisection_fraction(Topology::fat_tree, 1000), 1.0);
  EXPECT_DOUBLE_EQ(bisection_fraction(Topology::dragonfly, 1000), 0.85);
  EXPECT_DOUBLE_EQ(bisection_fraction(Topology::ring, 16), 0.125);
  EXPECT_NEAR(bisection_fraction(Topology::torus_3d, 512), 0.25, 1e-15);
  EXPECT_DOUBLE_EQ(bisection_fraction(Topology::ring, 2), 1.0);      // 2/N capped at 1
  EXPECT_DOUBLE_EQ(bisection_fraction(Topology::torus_3d, 4), 1.0);  // 2·4^(−1/3) capped
  EXPECT_DOUBLE_EQ(average_hops(Topology::fat_tree, 64), 4);
  EXPECT_DOUBLE_EQ(average_hops(Topology::dragonfly, 64), 3);
  EXPECT_NEAR(average_hops(Topology::torus_3d, 512), 6, 1e-12);
  EXPECT_DOUBLE_EQ(average_hops(Topology::ring, 16), 4);
}

TEST(Topology, EffectiveBandwidthAndItsBindingTerm) {
  const TopologyResult fat = topology_model(Topology::fat_tree, 64, kBw, 2);
  EXPECT_DOUBLE_EQ(fat.effective_bw, kBw / 2);
  EXPECT_EQ(fat.binding, "oversubscription");
  const TopologyResult torus = topology_model(Topology::torus_3d, 512, kBw, 1.5);
  EXPECT_NEAR(torus.effective_bw, kBw * 0.25 / 1.5, 1e-3);
  EXPECT_EQ(torus.binding, "bisection of the torus_3d");
  Fabric f;
  f.bandwidth = kBw;
  f.topology = "fat-tree";
  EXPECT_EQ(topology_model(f, 8).binding, "link bandwidth");
  EXPECT_EQ(topology_model(f, 8).effective_bw, kBw);
}

TEST(Collectives, JsonCarriesTheParts) {
  const nlohmann::ordered_json j = to_json(ring_allreduce(4, 1e6, kBw, kAlpha));
  EXPECT_EQ(j["algorithm"], "ring all-reduce");
  EXPECT_DOUBLE_EQ(j["alpha_s"].get<double>(), 6 * kAlpha);
  const nlohmann::ordered_json c =
      to_json(best_allreduce(8, 4, 1e9, Link{"nv", 450e9, 5e-7}, Link{"ib", kBw, kAlpha}));
  EXPECT_EQ(c["best"], "hierarchical");
  EXPECT_TRUE(c["hierarchical"]["inter_allreduce"].is_object());
  EXPECT_EQ(to_json(topology_model(Topology::ring, 16, kBw, 1))["topology"], "ring");
}

}  // namespace
