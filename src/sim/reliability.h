// Reliability of a training fleet: MTBF from component failure rates, the chance a job sees a
// failure, the checkpoint interval (Young, Daly), where wall time goes (checkpoint writes,
// rework, recovery), checkpoint size and write time, and replicated availability. Times in
// seconds (MTTF defaults quoted in hours, converted). Failures are independent and exponential
// (constant rates): no infant mortality, wear-out or correlated failure domains.
// Siblings: memory.h (OptimizerKind), economics.h, parallel.h.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include "sim/memory.h"
#include "sim/registry.h"
#include "sim/result.h"

namespace tt::sim {

constexpr double kSecondsPerHour = 3600.0;

// Component mean times to failure (the reference's registry: GPU 50k h, NIC 150k h, PSU 100k h)
// and any further per-node failure rate (switches, cables, software), in seconds and 1/s.
struct ComponentMttf {
  double gpu = 50e3 * kSecondsPerHour;
  double nic = 150e3 * kSecondsPerHour;
  double psu = 100e3 * kSecondsPerHour;
  double other_rate = 0;  // extra failures per second per node
};

// Series system with constant rates: rates add.
//   1/MTBF_node = n_gpu/MTTF_gpu + n_nic/MTTF_nic + n_psu/MTTF_psu + other;
//   MTBF_cluster = MTBF_node/N;  P(≥ 1 failure in T) = 1 − e^{−T/MTBF_cluster}.
struct FleetReliability : Verdict {
  int nodes = 1, gpus_per_node = 1, nics_per_node = 1, psus_per_node = 2;
  double node_mtbf_s = 0;
  double cluster_mtbf_s = 0;
  double horizon_s = 0;            // the job's duration T
  double expected_failures = 0;    // T/MTBF_cluster
  double p_failure = 0;            // P(≥ 1 failure in T)
};
FleetReliability fleet_reliability(int gpus_per_node, int nics_per_node, int psus_per_node,
                                   int nodes, double horizon_s, const ComponentMttf& mttf = {});
FleetReliability fleet_reliability(const Node& node, int nodes, double horizon_s,
                                   const ComponentMttf& mttf = {});

// 1 − e^{−T/MTBF}, computed with expm1 so tiny T/MTBF keeps its digits.
double failure_probability(double duration_s, double mtbf_s);

// Young (1974), "A first order approximation to the optimum checkpoint interval":
//   τ = √(2δM)   (δ checkpoint write time, M MTBF; τ is compute time between checkpoints).
double young_interval(double write_s, double mtbf_s);
// Daly (2006), "A higher order estimate of the optimum checkpoint interval for restart dumps":
//   τ = √(2δM)·[1 + ⅓·√(δ/(2M)) + δ/(18M)] − δ   for δ < 2M,  else τ = M.
// Expanding, τ ≈ √(2δM) − ⅔δ: a little shorter than Young's, the same to first order.
double daly_interval(double write_s, double mtbf_s);

// Where wall time goes at checkpoint interval τ (first order in δ/M, τ/M, R/M; v2_07 lab's split):
//   write tax δ/τ, rework τ/(2M) (a failure loses half an interval on average), recovery R/M;
//   goodput = 1 − (sum), clamped at 0; infeasible when ≤ 0; binding = the largest tax.
// goodput_reference is the reference's simpler 1 − δ/τ − R/M (no rework term).
enum class IntervalRule { young, daly };
struct CheckpointPlan : Verdict {
  double write_s = 0, recovery_s = 0, mtbf_s = 0;
  double interval_s = 0;            // τ
  double write_tax = 0, rework_tax = 0, recovery_tax = 0;  // fractions of wall time
  double goodput = 0;
  double goodput_reference = 0;
};
constexpr double kDefaultCheckpointWriteS = 60;   // the reference's defaults
constexpr double kDefaultRecoveryS = 300;
CheckpointPlan checkpoint_plan(double write_s, double recovery_s, double mtbf_s,
                               double interval_s);
CheckpointPlan optimal_checkpoint(double write_s, double recovery_s, double mtbf_s,
                                  IntervalRule rule = IntervalRule::daly);
double goodput_reference(double write_s, double interval_s, double recovery_s, double mtbf_s);

// Bytes a training checkpoint stores per parameter: the weights at the training precision, an
// FP32 master copy when training in mixed precision, and the optimizer state (FP32):
//   Adam: 2 + 4 + 4 (m) + 4 (v) = 14 mixed (the reference's 14), 12 in FP32;
//   SGD with momentum 10 / 8; plain SGD 6 / 4 (the reference's "SGD 4" is the FP32 case);
//   none (weights only) 2 / 4.
double checkpoint_bytes_per_param(OptimizerKind optimizer, bool mixed_precision = true);

// Checkpoint write time (reference §3.5): size / min(storage_bw·writers, fs_limit), with the
// parallel file system's aggregate limit defaulting to 500 GB/s. Flags writes over 60 s.
struct CheckpointIo : Verdict {
  double params = 0, bytes_per_param = 0, bytes = 0;
  double storage_bw = 0;           // per writer, bytes/s
  int writers = 1;
  double fs_limit = 0;             // bytes/s
  double write_bw = 0;             // min(storage_bw·writers, fs_limit)
  double write_s = 0;
};
constexpr double kFileSystemLimit = 500e9;
CheckpointIo checkpoint_io(double params, OptimizerKind optimizer, double storage_bw_per_writer,
                           int writers, double fs_limit = kFileSystemLimit,
                           bool mixed_precision = true);

// Steady-state availability of one repairable unit, A = MTBF/(MTBF + MTTR), and of k independent
// replicas of which one suffices: 1 − (1 − A)^k.
double availability(double mtbf_s, double mttr_s);
double replicated_availability(double availability, int replicas);

nlohmann::ordered_json to_json(const FleetReliability& r);
nlohmann::ordered_json to_json(const CheckpointPlan& r);
nlohmann::ordered_json to_json(const CheckpointIo& r);

}  // namespace tt::sim
