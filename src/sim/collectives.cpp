// α–β collective costs and the topology model. Formulas and references in collectives.h.
#include "sim/collectives.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tt::sim {

namespace {

using Json = nlohmann::ordered_json;

void check_args(const char* fn, int ranks, double bytes, double bw, double alpha) {
  TT_CHECK(ranks >= 1, fn, ": ranks must be ≥ 1, got ", ranks);
  TT_CHECK(bytes >= 0 && std::isfinite(bytes), fn, ": bytes must be finite and ≥ 0, got ", bytes);
  TT_CHECK(bw > 0 && std::isfinite(bw), fn, ": bandwidth must be finite and > 0 bytes/s, got ", bw,
           " (hint: links are bytes/s per direction)");
  TT_CHECK(alpha >= 0 && std::isfinite(alpha), fn, ": latency α must be finite and ≥ 0 s, got ",
           alpha);
}

int ceil_log2(int n) {
  int levels = 0;
  while ((int64_t{1} << levels) < n) ++levels;
  return levels;
}

CollectiveTime make(const char* algorithm, int ranks, double bytes, double alpha_s, double beta_s) {
  return {algorithm, ranks, bytes, alpha_s, beta_s, alpha_s + beta_s};
}

// The (N−1)/N·M/β + (N−1)α shape shared by all-gather, reduce-scatter and all-to-all: each rank
// sends N−1 messages of M/N bytes, one per step.
CollectiveTime one_pass(const char* fn, const char* algorithm, int ranks, double bytes, double bw,
                        double alpha) {
  check_args(fn, ranks, bytes, bw, alpha);
  const double steps = ranks - 1;
  return make(algorithm, ranks, bytes, steps * alpha, steps / ranks * bytes / bw);
}

}  // namespace

CollectiveTime ring_allreduce(int ranks, double bytes, double bw, double alpha) {
  check_args("ring_allreduce", ranks, bytes, bw, alpha);
  const double steps = 2.0 * (ranks - 1);  // N−1 reduce-scatter steps + N−1 all-gather steps
  return make("ring all-reduce", ranks, bytes, steps * alpha, steps / ranks * bytes / bw);
}

CollectiveTime tree_allreduce(int ranks, double bytes, double bw, double alpha) {
  check_args("tree_allreduce", ranks, bytes, bw, alpha);
  const double levels = 2.0 * ceil_log2(ranks);  // up the tree and back down
  return make("tree all-reduce", ranks, bytes, levels * alpha, levels * bytes / bw);
}

CollectiveTime allgather(int ranks, double bytes, double bw, double alpha) {
  return one_pass("allgather", "ring all-gather", ranks, bytes, bw, alpha);
}

CollectiveTime reduce_scatter(int ranks, double bytes, double bw, double alpha) {
  return one_pass("reduce_scatter", "ring reduce-scatter", ranks, bytes, bw, alpha);
}

CollectiveTime alltoall(int ranks, double bytes, double bw, double alpha) {
  return one_pass("alltoall", "pairwise all-to-all", ranks, bytes, bw, alpha);
}

CollectiveTime broadcast(int ranks, double bytes, double bw, double alpha, BroadcastAlgo algo) {
  check_args("broadcast", ranks, bytes, bw, alpha);
  if (ranks == 1) return make(algo == BroadcastAlgo::tree ? "tree broadcast" : "ring broadcast",
                              1, bytes, 0, 0);
  if (algo == BroadcastAlgo::tree) {
    const double levels = ceil_log2(ranks);
    return make("tree broadcast", ranks, bytes, levels * alpha, levels * bytes / bw);
  }
  // Pipelined chain: the last rank receives chunk k after N−2 + k steps of (α + M/(kβ)).
  const double hops = ranks - 2.0;
  if (alpha == 0) return make("ring broadcast", ranks, bytes, 0, bytes / bw);  // k → ∞
  const double k = std::max(1.0, std::sqrt(hops * bytes / (alpha * bw)));
  const double steps = hops + k;
  return make("ring broadcast", ranks, bytes, steps * alpha, steps * bytes / (k * bw));
}

HierarchicalTime hierarchical_allreduce(int per_node, int nodes, double bytes, double bw_intra,
                                        double alpha_intra, double bw_inter, double alpha_inter) {
  check_args("hierarchical_allreduce (intra)", per_node, bytes, bw_intra, alpha_intra);
  check_args("hierarchical_allreduce (inter)", nodes, bytes, bw_inter, alpha_inter);
  HierarchicalTime h;
  h.intra_reduce_scatter = reduce_scatter(per_node, bytes, bw_intra, alpha_intra);
  h.inter_allreduce = ring_allreduce(nodes, bytes / per_node, bw_inter, alpha_inter);
  h.intra_allgather = allgather(per_node, bytes, bw_intra, alpha_intra);
  const double a = h.intra_reduce_scatter.alpha_s + h.inter_allreduce.alpha_s +
                   h.intra_allgather.alpha_s;
  const double b = h.intra_reduce_scatter.beta_s + h.inter_allreduce.beta_s +
                   h.intra_allgather.beta_s;
  h.total = make("hierarchical all-reduce", per_node * nodes, bytes, a, b);
  return h;
}

double ring_tree_crossover_bytes(int ranks, double bw, double alpha) {
  check_args("ring_tree_crossover_bytes", ranks, 0, bw, alpha);
  if (ranks < 2) return 0;
  // ring(M) = tree(M)  ⇔  M/β·(L − (N−1)/N) = α·(N − 1 − L); L ≥ 1 > (N−1)/N for N ≥ 2.
  const double n = ranks, levels = ceil_log2(ranks);
  const double alpha_gain = n - 1 - levels;
  if (alpha_gain <= 0) return 0;
  return alpha * bw * alpha_gain / (levels - (n - 1) / n);
}

AllReduceChoice best_allreduce(int per_node, int nodes, double bytes, const Link& intra,
                               const Link& inter) {
  check_args("best_allreduce (intra)", per_node, bytes, intra.bandwidth, intra.latency);
  check_args("best_allreduce (inter)", nodes, bytes, inter.bandwidth, inter.latency);
  AllReduceChoice c;
  const int ranks = per_node * nodes;
  // A flat algorithm over all ranks crosses node boundaries when nodes > 1; every step waits on
  // the slowest link it uses, so it sees the smaller β and the larger α of the two.
  const bool crosses = nodes > 1;
  const double bw = crosses ? std::min(intra.bandwidth, inter.bandwidth) : intra.bandwidth;
  const double alpha = crosses ? std::max(intra.latency, inter.latency) : intra.latency;
  c.ring = ring_allreduce(ranks, bytes, bw, alpha);
  c.tree = tree_allreduce(ranks, bytes, bw, alpha);
  c.hierarchical = hierarchical_allreduce(per_node, nodes, bytes, intra.bandwidth, intra.latency,
                                          inter.bandwidth, inter.latency);
  c.crossover_bytes = ring_tree_crossover_bytes(ranks, bw, alpha);
  // Ties (within rounding) go to the simpler algorithm: ring, then tree, then hierarchical
  // (hierarchical on one node is the same ring).
  auto beats = [](double t, double best) { return t < best * (1 - 1e-12); };
  c.best = "ring";
  const CollectiveTime* win = &c.ring;
  if (beats(c.tree.total_s, win->total_s)) {
    c.best = "tree";
    win = &c.tree;
  }
  if (beats(c.hierarchical.total.total_s, win->total_s)) {
    c.best = "hierarchical";
    win = &c.hierarchical.total;
  }
  c.best_s = win->total_s;
  c.binding = c.best + (win->alpha_s > win->beta_s ? ": latency (α) term" : ": bandwidth (β) term");
  c.notes.push_back(fmt::format("flat ring/tree over {} ranks on the {}", ranks,
                                crosses ? "slowest link (inter-node)" : "intra-node link"));
  c.notes.push_back(fmt::format("flat tree beats flat ring below {:.4g} bytes", c.crossover_bytes));
  return c;
}

Topology parse_topology(const std::string& s) {
  if (s == "fat_tree" || s == "fat-tree") return Topology::fat_tree;
  if (s == "dragonfly") return Topology::dragonfly;
  if (s == "torus_3d" || s == "torus-3d" || s == "torus") return Topology::torus_3d;
  if (s == "ring") return Topology::ring;
  TT_CHECK(false, "parse_topology: unknown topology '", s,
           "' (choices: fat_tree, dragonfly, torus_3d, ring)");
  return Topology::fat_tree;
}

const char* topology_name(Topology t) {
  switch (t) {
    case Topology::fat_tree: return "fat_tree";
    case Topology::dragonfly: return "dragonfly";
    case Topology::torus_3d: return "torus_3d";
    case Topology::ring: return "ring";
  }
  return "?";
}

// Note [Bisection fractions]: the reference's conventions, kept for comparability. Ring 2/N and
// torus 2·N^(−1/3) count the links a bisection cuts (2 for a ring, 2k² for a k×k×k torus with
// wrap-around) against the N/2 needed for full bisection, per direction. Below N = 4 (ring) or
// N = 8 (torus) those exceed 1; a fraction of full bisection cannot, so we cap at 1.
double bisection_fraction(Topology t, int nodes) {
  TT_CHECK(nodes >= 1, "bisection_fraction: nodes must be ≥ 1, got ", nodes);
  const double n = nodes;
  switch (t) {
    case Topology::fat_tree: return 1.0;
    case Topology::dragonfly: return 0.85;
    case Topology::torus_3d: return std::min(1.0, 2.0 * std::pow(n, -1.0 / 3.0));
    case Topology::ring: return std::min(1.0, 2.0 / n);
  }
  return 1.0;
}

double average_hops(Topology t, int nodes) {
  TT_CHECK(nodes >= 1, "average_hops: nodes must be ≥ 1, got ", nodes);
  const double n = nodes;
  switch (t) {
    case Topology::fat_tree: return 4.0;   // up to the spine and back down (3-tier Clos)
    case Topology::dragonfly: return 3.0;  // local, global, local (Kim et al. 2008)
    case Topology::torus_3d: return 0.75 * std::cbrt(n);  // 3 dimensions × k/4 with wrap-around
    case Topology::ring: return n / 4.0;   // bidirectional ring
  }
  return 0.0;
}

TopologyResult topology_model(Topology t, int nodes, double link_bw, double oversubscription) {
  TT_CHECK(link_bw > 0 && std::isfinite(link_bw),
           "topology_model: link bandwidth must be finite and > 0, got ", link_bw);
  TT_CHECK(oversubscription >= 1, "topology_model: oversubscription must be ≥ 1, got ",
           oversubscription);
  TopologyResult r;
  r.topology = t;
  r.nodes = nodes;
  r.link_bw = link_bw;
  r.oversubscription = oversubscription;
  r.bisection_fraction = bisection_fraction(t, nodes);
  r.average_hops = average_hops(t, nodes);
  r.effective_bw = link_bw * r.bisection_fraction / oversubscription;
  const bool topo_limits = r.bisection_fraction < 1.0 / oversubscription;
  r.binding = r.effective_bw == link_bw ? "link bandwidth"
              : topo_limits             ? std::string("bisection of the ") + topology_name(t)
                                        : "oversubscription";
  r.notes.push_back(fmt::format("effective bandwidth = link × {:.4g} (bisection) / {:.4g} "
                                "(oversubscription)", r.bisection_fraction, oversubscription));
  return r;
}

TopologyResult topology_model(const Fabric& f, int nodes) {
  return topology_model(parse_topology(f.topology), nodes, f.bandwidth, f.oversubscription);
}

Json to_json(const CollectiveTime& r) {
  return {{"algorithm", r.algorithm}, {"ranks", r.ranks},      {"bytes", r.bytes},
          {"alpha_s", r.alpha_s},     {"beta_s", r.beta_s},    {"total_s", r.total_s}};
}

Json to_json(const HierarchicalTime& r) {
  return {{"intra_reduce_scatter", to_json(r.intra_reduce_scatter)},
          {"inter_allreduce", to_json(r.inter_allreduce)},
          {"intra_allgather", to_json(r.intra_allgather)},
          {"total", to_json(r.total)}};
}

Json to_json(const AllReduceChoice& r) {
  return {{"feasible", r.feasible},      {"binding", r.binding},
          {"best", r.best},              {"best_s", r.best_s},
          {"crossover_bytes", r.crossover_bytes}, {"ring", to_json(r.ring)},
          {"tree", to_json(r.tree)},     {"hierarchical", to_json(r.hierarchical)},
          {"notes", r.notes}};
}

Json to_json(const TopologyResult& r) {
  return {{"feasible", r.feasible},
          {"binding", r.binding},
          {"topology", topology_name(r.topology)},
          {"nodes", r.nodes},
          {"link_bw", r.link_bw},
          {"oversubscription", r.oversubscription},
          {"bisection_fraction", r.bisection_fraction},
          {"average_hops", r.average_hops},
          {"effective_bw", r.effective_bw},
          {"notes", r.notes}};
}

}  // namespace tt::sim
