// Scaling laws, training time, compression estimates, Amdahl. Formulas in scaling.h.
#include "sim/scaling.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tt::sim {

namespace {

using Json = nlohmann::ordered_json;
constexpr double kTokensPerParam = 20;   // Hoffmann et al. 2022, Table 3 (≈ 20 across budgets)
constexpr double kSecondsPerDay = 86400;

void check_positive(const char* fn, const char* what, double x) {
  TT_CHECK(x > 0 && std::isfinite(x), fn, ": ", what, " must be finite and > 0, got ", x);
}

void check_fraction(const char* fn, const char* what, double x) {
  TT_CHECK(x >= 0 && x <= 1, fn, ": ", what, " must be in [0, 1], got ", x);
}

}  // namespace

double training_flops(double params, double tokens) {
  check_positive("training_flops", "params", params);
  check_positive("training_flops", "tokens", tokens);
  return 6 * params * tokens;
}

double chinchilla_loss(double params, double tokens, const ChinchillaConstants& k) {
  check_positive("chinchilla_loss", "params", params);
  check_positive("chinchilla_loss", "tokens", tokens);
  return k.e + k.a / std::pow(params, k.alpha) + k.b / std::pow(tokens, k.beta);
}

ChinchillaOptimum chinchilla_optimal(double compute_flops) {
  check_positive("chinchilla_optimal", "compute", compute_flops);
  ChinchillaOptimum r;
  r.compute = compute_flops;
  r.params = std::sqrt(compute_flops / (6 * kTokensPerParam));  // C = 6·N·(20·N) = 120·N²
  r.tokens = kTokensPerParam * r.params;
  r.tokens_per_param = kTokensPerParam;
  r.loss = chinchilla_loss(r.params, r.tokens);
  r.rule = "20 tokens/param";
  return r;
}

ChinchillaOptimum chinchilla_parametric_optimal(double compute_flops,
                                                const ChinchillaConstants& k) {
  check_positive("chinchilla_parametric_optimal", "compute", compute_flops);
  TT_CHECK(k.alpha > 0 && k.beta > 0 && k.a > 0 && k.b > 0,
           "chinchilla_parametric_optimal: A, B, α, β must be > 0");
  const double s = k.alpha + k.beta;
  const double g = std::pow(k.alpha * k.a / (k.beta * k.b), 1 / s);
  const double c6 = compute_flops / 6;
  ChinchillaOptimum r;
  r.compute = compute_flops;
  r.params = g * std::pow(c6, k.beta / s);
  r.tokens = std::pow(c6, k.alpha / s) / g;
  r.tokens_per_param = r.tokens / r.params;
  r.loss = chinchilla_loss(r.params, r.tokens, k);
  r.rule = "parametric fit";
  return r;
}

TrainingTime training_time(double compute_flops, int devices, double peak_flops, double mfu) {
  check_positive("training_time", "compute", compute_flops);
  TT_CHECK(devices >= 1, "training_time: devices must be ≥ 1, got ", devices);
  check_positive("training_time", "peak FLOP/s", peak_flops);
  TT_CHECK(mfu > 0 && mfu <= 1, "training_time: MFU must be in (0, 1], got ", mfu);
  TrainingTime r;
  r.compute = compute_flops;
  r.devices = devices;
  r.peak_flops = peak_flops;
  r.mfu = mfu;
  r.seconds = compute_flops / (devices * peak_flops * mfu);
  r.days = r.seconds / kSecondsPerDay;
  r.device_days = devices * r.days;
  r.binding = "compute";
  r.notes.push_back(fmt::format("{} devices × {:.4g} TFLOP/s × MFU {:.3g}: {:.4g} days", devices,
                                peak_flops / 1e12, mfu, r.days));
  return r;
}

double gpu_days(double compute_flops, double peak_flops, double mfu) {
  return training_time(compute_flops, 1, peak_flops, mfu).days;
}

double quantization_accuracy_delta(double bits, bool floating_point) {
  check_positive("quantization_accuracy_delta", "bits", bits);
  if (bits >= 16) return 0;
  if (bits >= 8) return floating_point ? -0.002 : -0.005;
  if (bits >= 4) return -0.025;
  return -0.05;
}

QuantizationResult quantization(double bits, bool floating_point, bool memory_bound,
                                double hw_rate_ratio, double source_bits) {
  check_positive("quantization", "bits", bits);
  check_positive("quantization", "source bits", source_bits);
  check_positive("quantization", "hardware rate ratio", hw_rate_ratio);
  TT_CHECK(bits <= source_bits, "quantization: target ", bits, " bits is wider than the source's ",
           source_bits, " bits");
  QuantizationResult r;
  r.source_bits = source_bits;
  r.bits = bits;
  r.floating_point = floating_point;
  r.memory_bound = memory_bound;
  r.hw_rate_ratio = hw_rate_ratio;
  r.compression_ratio = source_bits / bits;
  r.accuracy_delta = quantization_accuracy_delta(bits, floating_point);
  // Memory-bound: time is bytes moved, which shrink by the ratio. Compute-bound: the narrower
  // format only helps as far as the hardware runs it faster.
  r.speedup = memory_bound ? r.compression_ratio : std::min(hw_rate_ratio, r.compression_ratio);
  r.binding = memory_bound ? "memory bandwidth"
              : hw_rate_ratio < r.compression_ratio ? "hardware rate of the narrow format"
                                                    : "compression ratio";
  r.notes.push_back(fmt::format("{:.3g} → {:.3g} bits: {:.3g}× smaller, {:.3g}× faster, "
                                "accuracy {:+.2f} points", source_bits, bits, r.compression_ratio,
                                r.speedup, 100 * r.accuracy_delta));
  return r;
}

const char* prune_kind_name(PruneKind k) {
  switch (k) {
    case PruneKind::unstructured: return "unstructured";
    case PruneKind::structured: return "structured";
    case PruneKind::two_four: return "2:4";
  }
  return "?";
}

PruningResult pruning(double sparsity, PruneKind kind) {
  TT_CHECK(sparsity >= 0 && sparsity < 1, "pruning: sparsity must be in [0, 1), got ", sparsity);
  TT_CHECK(kind != PruneKind::two_four || std::abs(sparsity - 0.5) < 1e-9,
           "pruning: 2:4 sparsity is 0.5 by construction (2 of every 4 weights), got ", sparsity);
  PruningResult r;
  r.sparsity = sparsity;
  r.kind = kind;
  r.compression_ratio = 1 / (1 - sparsity);
  r.accuracy_delta = sparsity <= 0.5 ? -0.001 : -0.01 * std::exp(2 * sparsity);
  switch (kind) {
    case PruneKind::structured: r.speedup = r.compression_ratio; break;
    case PruneKind::two_four: r.speedup = 2; break;
    case PruneKind::unstructured: r.speedup = 1; break;
  }
  r.binding = kind == PruneKind::unstructured ? "dense kernels skip no zeros" : "sparsity";
  r.notes.push_back(fmt::format("{} sparsity {:.3g}: {:.3g}× smaller, {:.3g}× faster, accuracy "
                                "{:+.2f} points", prune_kind_name(kind), sparsity,
                                r.compression_ratio, r.speedup, 100 * r.accuracy_delta));
  return r;
}

double amdahl_speedup(double parallel_fraction, double part_speedup) {
  check_fraction("amdahl_speedup", "parallel fraction p", parallel_fraction);
  check_positive("amdahl_speedup", "speed-up s of the parallel part", part_speedup);
  return 1 / ((1 - parallel_fraction) + parallel_fraction / part_speedup);
}

double strong_scaling_speedup(int workers, double serial_fraction) {
  TT_CHECK(workers >= 1, "strong_scaling_speedup: workers must be ≥ 1, got ", workers);
  check_fraction("strong_scaling_speedup", "serial fraction f", serial_fraction);
  return workers / (1 + (workers - 1) * serial_fraction);
}

double strong_scaling_efficiency(int workers, double serial_fraction) {
  return strong_scaling_speedup(workers, serial_fraction) / workers;
}

double weak_scaling_speedup(int workers, double serial_fraction) {
  TT_CHECK(workers >= 1, "weak_scaling_speedup: workers must be ≥ 1, got ", workers);
  check_fraction("weak_scaling_speedup", "serial fraction f", serial_fraction);
  return workers - serial_fraction * (workers - 1);
}

Json to_json(const ChinchillaOptimum& r) {
  return {{"rule", r.rule},     {"compute_flops", r.compute},
          {"params", r.params}, {"tokens", r.tokens},
          {"tokens_per_param", r.tokens_per_param}, {"loss", r.loss}};
}

Json to_json(const TrainingTime& r) {
  return {{"feasible", r.feasible}, {"binding", r.binding},   {"compute_flops", r.compute},
          {"devices", r.devices},   {"peak_flops", r.peak_flops}, {"mfu", r.mfu},
          {"seconds", r.seconds},   {"days", r.days},         {"device_days", r.device_days},
          {"notes", r.notes}};
}

Json to_json(const QuantizationResult& r) {
  return {{"feasible", r.feasible},       {"binding", r.binding},
          {"source_bits", r.source_bits}, {"bits", r.bits},
          {"floating_point", r.floating_point}, {"memory_bound", r.memory_bound},
          {"hw_rate_ratio", r.hw_rate_ratio}, {"compression_ratio", r.compression_ratio},
          {"accuracy_delta", r.accuracy_delta}, {"speedup", r.speedup},
          {"notes", r.notes}};
}

Json to_json(const PruningResult& r) {
  return {{"feasible", r.feasible},  {"binding", r.binding},
          {"sparsity", r.sparsity},  {"kind", prune_kind_name(r.kind)},
          {"compression_ratio", r.compression_ratio}, {"accuracy_delta", r.accuracy_delta},
          {"speedup", r.speedup},    {"notes", r.notes}};
}

}  // namespace tt::sim
