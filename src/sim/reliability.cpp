// Reliability, checkpointing and availability. Formulas and references in reliability.h.
#include "sim/reliability.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tt::sim {

namespace {

using Json = nlohmann::ordered_json;

void check_positive(const char* fn, const char* what, double x) {
  TT_CHECK(x > 0 && std::isfinite(x), fn, ": ", what, " must be finite and > 0, got ", x);
}

void check_non_negative(const char* fn, const char* what, double x) {
  TT_CHECK(x >= 0 && std::isfinite(x), fn, ": ", what, " must be finite and ≥ 0, got ", x);
}

// The first-order model assumes δ, τ and R are small against the MTBF (the v2_07 lab's check).
void note_first_order(CheckpointPlan& p) {
  const double limit = 0.1 * p.mtbf_s;
  auto check = [&](const char* what, double x) {
    if (x > limit)
      p.notes.push_back(fmt::format("{} = {:.3g} s is over 10% of the MTBF ({:.3g} s): the "
                                    "first-order model is optimistic here", what, x, p.mtbf_s));
  };
  check("checkpoint write δ", p.write_s);
  check("interval τ", p.interval_s);
  check("recovery R", p.recovery_s);
}

}  // namespace

FleetReliability fleet_reliability(int gpus_per_node, int nics_per_node, int psus_per_node,
                                   int nodes, double horizon_s, const ComponentMttf& mttf) {
  TT_CHECK(gpus_per_node >= 0 && nics_per_node >= 0 && psus_per_node >= 0,
           "fleet_reliability: component counts must be ≥ 0, got gpus ", gpus_per_node, ", nics ",
           nics_per_node, ", psus ", psus_per_node);
  TT_CHECK(nodes >= 1, "fleet_reliability: nodes must be ≥ 1, got ", nodes);
  check_non_negative("fleet_reliability", "horizon", horizon_s);
  check_positive("fleet_reliability", "GPU MTTF", mttf.gpu);
  check_positive("fleet_reliability", "NIC MTTF", mttf.nic);
  check_positive("fleet_reliability", "PSU MTTF", mttf.psu);
  check_non_negative("fleet_reliability", "other failure rate", mttf.other_rate);
  const double rate_gpu = gpus_per_node / mttf.gpu, rate_nic = nics_per_node / mttf.nic;
  const double rate_psu = psus_per_node / mttf.psu;
  const double node_rate = rate_gpu + rate_nic + rate_psu + mttf.other_rate;
  TT_CHECK(node_rate > 0, "fleet_reliability: a node with no failing parts never fails; give at "
           "least one component or other_rate > 0");
  FleetReliability r;
  r.nodes = nodes;
  r.gpus_per_node = gpus_per_node;
  r.nics_per_node = nics_per_node;
  r.psus_per_node = psus_per_node;
  r.node_mtbf_s = 1 / node_rate;
  r.cluster_mtbf_s = r.node_mtbf_s / nodes;
  r.horizon_s = horizon_s;
  r.expected_failures = horizon_s / r.cluster_mtbf_s;
  r.p_failure = failure_probability(horizon_s, r.cluster_mtbf_s);
  const double top = std::max({rate_gpu, rate_nic, rate_psu, mttf.other_rate});
  r.binding = top == rate_gpu ? "GPU failures" : top == rate_nic ? "NIC failures"
              : top == rate_psu ? "PSU failures" : "other failures";
  r.notes.push_back(fmt::format("cluster MTBF {:.4g} h; {:.3g} failures expected in {:.4g} h",
                                r.cluster_mtbf_s / kSecondsPerHour, r.expected_failures,
                                horizon_s / kSecondsPerHour));
  return r;
}

FleetReliability fleet_reliability(const Node& node, int nodes, double horizon_s,
                                   const ComponentMttf& mttf) {
  return fleet_reliability(node.accelerators, node.nics, node.psus, nodes, horizon_s, mttf);
}

double failure_probability(double duration_s, double mtbf_s) {
  check_non_negative("failure_probability", "duration", duration_s);
  check_positive("failure_probability", "MTBF", mtbf_s);
  return -std::expm1(-duration_s / mtbf_s);
}

double young_interval(double write_s, double mtbf_s) {
  check_non_negative("young_interval", "checkpoint write time δ", write_s);
  check_positive("young_interval", "MTBF", mtbf_s);
  return std::sqrt(2 * write_s * mtbf_s);
}

double daly_interval(double write_s, double mtbf_s) {
  check_non_negative("daly_interval", "checkpoint write time δ", write_s);
  check_positive("daly_interval", "MTBF", mtbf_s);
  if (write_s >= 2 * mtbf_s) return mtbf_s;  // checkpoints cost more than they save
  const double x = write_s / mtbf_s;
  return std::sqrt(2 * write_s * mtbf_s) * (1 + std::sqrt(x / 2) / 3 + x / 18) - write_s;
}

double goodput_reference(double write_s, double interval_s, double recovery_s, double mtbf_s) {
  check_non_negative("goodput_reference", "checkpoint write time δ", write_s);
  check_positive("goodput_reference", "interval τ", interval_s);
  check_non_negative("goodput_reference", "recovery time R", recovery_s);
  check_positive("goodput_reference", "MTBF", mtbf_s);
  return 1 - write_s / interval_s - recovery_s / mtbf_s;
}

CheckpointPlan checkpoint_plan(double write_s, double recovery_s, double mtbf_s,
                               double interval_s) {
  check_non_negative("checkpoint_plan", "checkpoint write time δ", write_s);
  check_non_negative("checkpoint_plan", "recovery time R", recovery_s);
  check_positive("checkpoint_plan", "MTBF", mtbf_s);
  check_positive("checkpoint_plan", "interval τ", interval_s);
  CheckpointPlan p;
  p.goodput_reference = goodput_reference(write_s, interval_s, recovery_s, mtbf_s);
  p.write_s = write_s;
  p.recovery_s = recovery_s;
  p.mtbf_s = mtbf_s;
  p.interval_s = interval_s;
  p.write_tax = write_s / interval_s;
  p.rework_tax = interval_s / (2 * mtbf_s);
  p.recovery_tax = recovery_s / mtbf_s;
  const double waste = p.write_tax + p.rework_tax + p.recovery_tax;
  p.goodput = std::max(0.0, 1 - waste);
  const double top = std::max({p.write_tax, p.rework_tax, p.recovery_tax});
  p.binding = top == p.write_tax ? "checkpoint writes" : top == p.rework_tax
              ? "rework after failures" : "recovery after failures";
  p.notes.push_back(fmt::format("taxes: write {:.4g}, rework {:.4g}, recovery {:.4g}",
                                p.write_tax, p.rework_tax, p.recovery_tax));
  if (p.goodput <= 0) {
    p.feasible = false;
    p.notes.push_back("no useful work: failures and checkpoints take all the wall time");
  }
  note_first_order(p);
  return p;
}

CheckpointPlan optimal_checkpoint(double write_s, double recovery_s, double mtbf_s,
                                  IntervalRule rule) {
  const double tau = rule == IntervalRule::young ? young_interval(write_s, mtbf_s)
                                                 : daly_interval(write_s, mtbf_s);
  TT_CHECK(tau > 0, "optimal_checkpoint: a zero checkpoint write time gives a zero interval; "
           "give δ > 0 or call checkpoint_plan with an interval");
  CheckpointPlan p = checkpoint_plan(write_s, recovery_s, mtbf_s, tau);
  p.notes.insert(p.notes.begin(), rule == IntervalRule::young ? "interval: Young τ = √(2δM)"
                                                              : "interval: Daly (2006)");
  return p;
}

double checkpoint_bytes_per_param(OptimizerKind optimizer, bool mixed_precision) {
  const double weights = mixed_precision ? 2 : 4;  // fp16/bf16 or fp32 weights
  const double master = mixed_precision ? 4 : 0;   // fp32 master copy (mixed precision only)
  switch (optimizer) {
    case OptimizerKind::adam: return weights + master + 8;          // + m, v in fp32
    case OptimizerKind::sgd_momentum: return weights + master + 4;  // + momentum in fp32
    case OptimizerKind::sgd: return weights + master;
    case OptimizerKind::none: return weights;                       // inference weights only
  }
  return weights;
}

CheckpointIo checkpoint_io(double params, OptimizerKind optimizer, double storage_bw_per_writer,
                           int writers, double fs_limit, bool mixed_precision) {
  check_non_negative("checkpoint_io", "params", params);
  check_positive("checkpoint_io", "storage bandwidth per writer", storage_bw_per_writer);
  TT_CHECK(writers >= 1, "checkpoint_io: writers must be ≥ 1, got ", writers);
  check_positive("checkpoint_io", "file-system limit", fs_limit);
  CheckpointIo c;
  c.params = params;
  c.bytes_per_param = checkpoint_bytes_per_param(optimizer, mixed_precision);
  c.bytes = params * c.bytes_per_param;
  c.storage_bw = storage_bw_per_writer;
  c.writers = writers;
  c.fs_limit = fs_limit;
  const double aggregate = storage_bw_per_writer * writers;
  c.write_bw = std::min(aggregate, fs_limit);
  c.write_s = c.bytes / c.write_bw;
  c.binding = aggregate > fs_limit ? "file-system bandwidth limit" : "storage bandwidth";
  c.notes.push_back(fmt::format("{:.4g} GB at {:.4g} GB/s: {:.4g} s", c.bytes / 1e9,
                                c.write_bw / 1e9, c.write_s));
  if (c.write_s > 60)
    c.notes.push_back("write takes over 60 s: consider asynchronous or sharded checkpoints");
  return c;
}

double availability(double mtbf_s, double mttr_s) {
  check_positive("availability", "MTBF", mtbf_s);
  check_non_negative("availability", "MTTR", mttr_s);
  return mtbf_s / (mtbf_s + mttr_s);
}

double replicated_availability(double availability, int replicas) {
  TT_CHECK(availability >= 0 && availability <= 1,
           "replicated_availability: availability must be in [0, 1], got ", availability);
  TT_CHECK(replicas >= 1, "replicated_availability: replicas must be ≥ 1, got ", replicas);
  return 1 - std::pow(1 - availability, replicas);
}

Json to_json(const FleetReliability& r) {
  return {{"feasible", r.feasible},
          {"binding", r.binding},
          {"nodes", r.nodes},
          {"gpus_per_node", r.gpus_per_node},
          {"nics_per_node", r.nics_per_node},
          {"psus_per_node", r.psus_per_node},
          {"node_mtbf_s", r.node_mtbf_s},
          {"node_mtbf_h", r.node_mtbf_s / kSecondsPerHour},
          {"cluster_mtbf_s", r.cluster_mtbf_s},
          {"cluster_mtbf_h", r.cluster_mtbf_s / kSecondsPerHour},
          {"horizon_s", r.horizon_s},
          {"expected_failures", r.expected_failures},
          {"p_failure", r.p_failure},
          {"notes", r.notes}};
}

Json to_json(const CheckpointPlan& r) {
  return {{"feasible", r.feasible},
          {"binding", r.binding},
          {"write_s", r.write_s},
          {"recovery_s", r.recovery_s},
          {"mtbf_s", r.mtbf_s},
          {"interval_s", r.interval_s},
          {"write_tax", r.write_tax},
          {"rework_tax", r.rework_tax},
          {"recovery_tax", r.recovery_tax},
          {"goodput", r.goodput},
          {"goodput_reference", r.goodput_reference},
          {"notes", r.notes}};
}

Json to_json(const CheckpointIo& r) {
  return {{"feasible", r.feasible},
          {"binding", r.binding},
          {"params", r.params},
          {"bytes_per_param", r.bytes_per_param},
          {"bytes", r.bytes},
          {"storage_bw", r.storage_bw},
          {"writers", r.writers},
          {"fs_limit", r.fs_limit},
          {"write_bw", r.write_bw},
          {"write_s", r.write_s},
          {"notes", r.notes}};
}

}  // namespace tt::sim
