// Collective communication costs in the α–β (Hockney) model, and the network-topology model that
// turns a fabric's per-node link into the bandwidth a collective actually sees. Pure functions of
// plain numbers: N ranks, M bytes (the full buffer each rank holds), β bytes/s per direction,
// α seconds per message. Not a network simulator: no contention, congestion or packet effects.
// Siblings: parallel.h (uses these for DP/TP/PP/EP traffic), registry.h (Link, Fabric).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "sim/registry.h"
#include "sim/result.h"

namespace tt::sim {

// One collective's time, split into its latency (α) and bandwidth (β) parts; total = α + β part.
struct CollectiveTime {
  std::string algorithm;   // "ring all-reduce", "tree all-reduce", ...
  int ranks = 1;
  double bytes = 0;        // M
  double alpha_s = 0;      // latency term (message start-ups)
  double beta_s = 0;       // bandwidth term (bytes on the bottleneck link)
  double total_s = 0;
};

// Ring all-reduce = reduce-scatter + all-gather (Patarasuk & Mueller 2009; Thakur et al. 2005):
//   2(N−1)/N · M/β + 2(N−1)·α.  Bandwidth-optimal; its latency grows linearly in N.
CollectiveTime ring_allreduce(int ranks, double bytes, double bw, double alpha);

// Binary / double-binary tree all-reduce, reduce up then broadcast down, unpipelined (as in the
// reference): 2⌈log2 N⌉ · (α + M/β). Latency-optimal; moves the whole buffer at every level.
CollectiveTime tree_allreduce(int ranks, double bytes, double bw, double alpha);

// All-gather and reduce-scatter over a ring (Thakur et al. 2005): (N−1)/N · M/β + (N−1)·α,
// where M is the full (gathered) size; each rank holds or ends with M/N.
CollectiveTime allgather(int ranks, double bytes, double bw, double alpha);
CollectiveTime reduce_scatter(int ranks, double bytes, double bw, double alpha);

// All-to-all, pairwise exchange (Thakur et al. 2005): (N−1)/N · M/β + (N−1)·α, M = bytes each
// rank sends in total (it keeps M/N).
CollectiveTime alltoall(int ranks, double bytes, double bw, double alpha);

// Broadcast of M bytes from one root.
//   tree (binomial, Thakur et al. 2005): ⌈log2 N⌉ · (α + M/β);
//   ring (pipelined chain, M in k chunks): (N + k − 2) · (α + M/(kβ)), with the continuous
//   optimum k* = √((N−2)·M/(αβ)) clamped to ≥ 1 (k → ∞ when α = 0: time → M/β).
enum class BroadcastAlgo { ring_pipelined, tree };
CollectiveTime broadcast(int ranks, double bytes, double bw, double alpha, BroadcastAlgo algo);

// Hierarchical all-reduce over n nodes of g ranks each (the reference's corrected form; NCCL's
// "tree of rings" idea): intra-node reduce-scatter (g−1)/g·M/β_intra + (g−1)α_intra, then a ring
// all-reduce of the M/g shard across the n nodes on β_inter, α_inter, then an intra-node
// all-gather priced like the reduce-scatter. With n = 1 it is a ring over g; with g = 1 a ring
// over n.
struct HierarchicalTime {
  CollectiveTime intra_reduce_scatter, inter_allreduce, intra_allgather;
  CollectiveTime total;    // the three phases in sequence
};
HierarchicalTime hierarchical_allreduce(int per_node, int nodes, double bytes, double bw_intra,
                                        double alpha_intra, double bw_inter, double alpha_inter);

// Which all-reduce wins for M bytes on n nodes of g ranks: a flat ring, a flat tree (both over
// all N = g·n ranks, limited by the slowest link they cross: the inter-node one when n > 1) and
// the hierarchical form. crossover_bytes is where flat ring and flat tree cost the same:
//   M* = αβ·(N − 1 − L) / (L − (N−1)/N),  L = ⌈log2 N⌉;  the tree wins below M*
// (M* = 0 when N ≤ 3: the tree never wins strictly). binding says which term dominates.
struct AllReduceChoice : Verdict {
  CollectiveTime ring, tree;
  HierarchicalTime hierarchical;
  std::string best;        // "ring", "tree" or "hierarchical"
  double best_s = 0;
  double crossover_bytes = 0;
};
AllReduceChoice best_allreduce(int per_node, int nodes, double bytes, const Link& intra,
                               const Link& inter);

// The ring/tree crossover message size alone (formula above), for N ranks on one link.
double ring_tree_crossover_bytes(int ranks, double bw, double alpha);

// Network topology (reference §3.12). Bisection fraction β_topo of full bisection:
//   ring 2/N, torus_3d 2·N^(−1/3), fat_tree 1, dragonfly 0.85 (capped at 1 for tiny N);
// average hops: fat_tree 4, dragonfly 3, torus_3d 0.75·N^(1/3), ring N/4;
// effective per-node bandwidth = link · β_topo / oversubscription.
enum class Topology { fat_tree, dragonfly, torus_3d, ring };
Topology parse_topology(const std::string& s);  // also accepts "fat-tree", "torus"
const char* topology_name(Topology t);
double bisection_fraction(Topology t, int nodes);
double average_hops(Topology t, int nodes);

struct TopologyResult : Verdict {
  Topology topology = Topology::fat_tree;
  int nodes = 1;
  double link_bw = 0;            // bytes/s per node, one direction
  double oversubscription = 1;
  double bisection_fraction = 1;
  double average_hops = 0;
  double effective_bw = 0;       // link · β_topo / oversubscription
};
TopologyResult topology_model(Topology t, int nodes, double link_bw, double oversubscription);
TopologyResult topology_model(const Fabric& f, int nodes);

nlohmann::ordered_json to_json(const CollectiveTime& r);
nlohmann::ordered_json to_json(const HierarchicalTime& r);
nlohmann::ordered_json to_json(const AllReduceChoice& r);
nlohmann::ordered_json to_json(const TopologyResult& r);

}  // namespace tt::sim
