// Scaling laws and compression estimates: training compute C = 6·N·D, the Chinchilla
// compute-optimal split and parametric loss, training time on a fleet, quantisation and pruning
// rules of thumb (the reference's §3.16 tables), Amdahl / strong and weak scaling.
// N params, D tokens, C FLOPs. Estimates for planning, not predictions of a specific run.
// Siblings: economics.h (what the training time costs), parallel.h (scaling efficiency).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "sim/result.h"

namespace tt::sim {

// Training FLOPs of a dense transformer (Kaplan et al. 2020, §2.1; Hoffmann et al. 2022):
// C ≈ 6·N·D (2 for the forward multiply-adds, 4 for the backward).
double training_flops(double params, double tokens);

// Chinchilla (Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models").
// Parametric fit (Approach 3): L(N, D) = E + A/N^α + B/D^β with E 1.69, A 406.4, B 410.7,
// α 0.34, β 0.28 (nats per token on MassiveText).
struct ChinchillaConstants {
  double e = 1.69, a = 406.4, b = 410.7, alpha = 0.34, beta = 0.28;
};
double chinchilla_loss(double params, double tokens, const ChinchillaConstants& k = {});

// Compute-optimal split by the 20-tokens-per-parameter rule: D = 20·N and C = 6·N·D give
// N* = √(C/120), D* = 20·N*. `loss` is the parametric fit at (N*, D*).
struct ChinchillaOptimum {
  double compute = 0, params = 0, tokens = 0, tokens_per_param = 0, loss = 0;
  std::string rule;                // "20 tokens/param" or "parametric fit"
};
ChinchillaOptimum chinchilla_optimal(double compute_flops);
// The fit's own minimiser of L(N, C/(6N)) (Hoffmann et al. 2022, eq. 4):
//   N* = G·(C/6)^{β/(α+β)}, D* = G⁻¹·(C/6)^{α/(α+β)}, G = (αA/(βB))^{1/(α+β)}.
// With the published constants it asks for more data than the 20-tokens rule, drifting with C:
// ≈ 50 tokens/param at 10²¹ FLOPs, ≈ 78 at 10²³, ≈ 122 at 10²⁵ (the paper's Approaches 1–2 give
// ≈ 20; Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt", refit Approach 3).
ChinchillaOptimum chinchilla_parametric_optimal(double compute_flops,
                                                const ChinchillaConstants& k = {});

// Wall time for C FLOPs on `devices` accelerators of `peak_flops` each at utilisation `mfu`:
// T = C/(devices·peak·MFU); GPU-days = devices·T/86400.
struct TrainingTime : Verdict {
  double compute = 0;
  int devices = 1;
  double peak_flops = 0, mfu = 0;
  double seconds = 0, days = 0, device_days = 0;
};
TrainingTime training_time(double compute_flops, int devices, double peak_flops, double mfu);
// The reference's GPU-days convention: H100 dense FP16 989 TFLOP/s at 40 % MFU.
double gpu_days(double compute_flops, double peak_flops = 989e12, double mfu = 0.40);

// Quantisation (reference §3.16): ratio = source_bits/bits; accuracy delta (fraction, e.g.
// −0.005 = −0.5 points): ≥ 16 bits 0, 8-bit float −0.2 %, 8-bit integer −0.5 %, 4–7 bits −2.5 %,
// < 4 bits −5 %; speed-up = ratio when memory-bound (bytes fall by the ratio), else
// min(hardware rate ratio of the two formats, ratio).
struct QuantizationResult : Verdict {
  double source_bits = 32, bits = 8;
  bool floating_point = false, memory_bound = true;
  double hw_rate_ratio = 1;
  double compression_ratio = 1, accuracy_delta = 0, speedup = 1;
};
double quantization_accuracy_delta(double bits, bool floating_point);
QuantizationResult quantization(double bits, bool floating_point, bool memory_bound,
                                double hw_rate_ratio, double source_bits = 32);

// Pruning (reference §3.16): ratio 1/(1 − s); accuracy delta −0.1 % for s ≤ 0.5, else
// −0.01·e^{2s}; speed-up: structured (whole channels/heads) = ratio; 2:4 semi-structured
// (Mishra et al. 2021, NVIDIA Ampere sparse tensor cores) 2× at s = 0.5; unstructured 1× (dense
// kernels cannot skip scattered zeros).
enum class PruneKind { unstructured, structured, two_four };
const char* prune_kind_name(PruneKind k);
struct PruningResult : Verdict {
  double sparsity = 0;
  PruneKind kind = PruneKind::unstructured;
  double compression_ratio = 1, accuracy_delta = 0, speedup = 1;
};
PruningResult pruning(double sparsity, PruneKind kind);

// Amdahl (1967): speed-up of a program whose fraction p runs s× faster: 1/((1 − p) + p/s).
// Strong scaling on n workers with serial fraction f (Amdahl with s = n, p = 1 − f):
//   n/(1 + (n − 1)·f); efficiency = that / n.
// Weak scaling (Gustafson 1988): the problem grows with n: n − f·(n − 1).
double amdahl_speedup(double parallel_fraction, double part_speedup);
double strong_scaling_speedup(int workers, double serial_fraction);
double strong_scaling_efficiency(int workers, double serial_fraction);
double weak_scaling_speedup(int workers, double serial_fraction);

nlohmann::ordered_json to_json(const ChinchillaOptimum& r);
nlohmann::ordered_json to_json(const TrainingTime& r);
nlohmann::ordered_json to_json(const QuantizationResult& r);
nlohmann::ordered_json to_json(const PruningResult& r);

}  // namespace tt::sim
