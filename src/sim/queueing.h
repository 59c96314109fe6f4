// Queueing models for serving: M/M/c (Erlang C, in the log domain), M/G/c (Allen–Cunneen), M/D/1
// (Pollaczek–Khinchine), the exact M/M/c sojourn-time quantile, Little's law, and the smallest
// replica count that meets a P99 target. Rates are per second, times in seconds. Pure functions;
// no simulation. Siblings: serving.h (turns a model on a device into a service rate μ).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "sim/result.h"

namespace tt::sim {

// Erlang C (Erlang 1917; Kleinrock 1975, §3.5): probability an arrival waits in M/M/c with
// offered load a = λ/μ < c:
//   P_wait = [a^c/(c!(1−ρ))] / [Σ_{i<c} a^i/i! + a^c/(c!(1−ρ))],  ρ = a/c.
// Summed in the log domain (log-sum-exp over lgamma terms), so it neither overflows (the textbook
// form does at c ≈ 170) nor loses digits as ρ → 1; checked against the Erlang-B recursion up to
// c = 10⁴. Cost O(c − a + √a): terms far below the Poisson mode are skipped.
double erlang_c(int servers, double offered_load);

// Waiting-time quantile when waiting is "P_wait, then exponential with mean m" (exact for M/M/c
// with m = 1/(cμ − λ); the usual approximation otherwise): P(W > t) = P_wait·e^{−t/m}, so
//   t_q = m·ln(P_wait/(1−q)), and 0 when P_wait ≤ 1 − q.
double wait_quantile(double p_wait, double conditional_mean_wait, double q);

// Exact sojourn time T = W + S of FCFS M/M/c (Gross & Harris, "Fundamentals of Queueing Theory",
// §2.3): with θ = cμ − λ,
//   P(T > t) = e^{−μt} + P_wait·μ·(e^{−μt} − e^{−θt})/(θ − μ)
// (the second term's limit at θ = μ is P_wait·μt·e^{−μt}).
// The quantile solves P(T > t) = 1 − q by bisection (the tail is strictly decreasing).
double mmc_sojourn_tail(double t, double arrival_rate, double service_rate, int servers);
double mmc_sojourn_quantile(double arrival_rate, double service_rate, int servers, double q);

// Note [Latency quantiles]: the reference reports P99 latency = P99 wait + mean service 1/μ.
// A sum of quantiles is not the quantile of a sum. We report both: latency_pXX (the reference's
// rule, exact when service is deterministic) and sojourn_pXX (the exact quantile of W + S for
// exponential service). At light load the reference's rule is optimistic: with P_wait < 1 − q
// it reports 1/μ while the exponential service alone has P99 ln(100)/μ ≈ 4.6/μ.
struct QueueResult : Verdict {
  std::string model;               // "M/M/c", "M/G/c (Allen–Cunneen)", "M/D/1 (P–K)"
  double arrival_rate = 0;         // λ, 1/s
  double service_rate = 0;         // μ per server, 1/s
  int servers = 1;                 // c
  double service_cv2 = 1;          // squared coefficient of variation of service (1: exponential)
  double utilisation = 0;          // ρ = λ/(cμ)
  double p_wait = 0;               // P(an arrival waits)
  double mean_wait = 0;            // Wq, s
  double mean_sojourn = 0;         // W = Wq + 1/μ, s
  double mean_queue = 0;           // Lq = λ·Wq (Little)
  double mean_in_system = 0;       // L = λ·W (Little)
  double wait_p50 = 0, wait_p95 = 0, wait_p99 = 0;
  double latency_p50 = 0, latency_p95 = 0, latency_p99 = 0;  // wait quantile + 1/μ (reference)
  double sojourn_p50 = 0, sojourn_p95 = 0, sojourn_p99 = 0;  // exact; NaN when unknown
};

// M/M/c. Unstable (λ ≥ cμ): feasible = false, binding "utilisation ≥ 1", waits +∞.
QueueResult mmc(double arrival_rate, double service_rate, int servers);

// M/G/c by the Allen–Cunneen approximation (Allen 1990, "Probability, Statistics and Queueing
// Theory", §6; Kingman 1961 for c = 1), Poisson arrivals (c_a² = 1):
//   Wq(M/G/c) ≈ Wq(M/M/c)·(1 + c_s²)/2, P_wait from Erlang C, conditional wait exponential.
// Exact for c = 1 (it is then Pollaczek–Khinchine). Sojourn quantiles are exact for c_s² = 1
// and "wait quantile + 1/μ" for c_s² = 0 (deterministic service); NaN otherwise.
QueueResult mgc(double arrival_rate, double service_rate, int servers, double service_cv2);

// M/D/1 by Pollaczek–Khinchine (Pollaczek 1930; Khinchine 1932): Wq = ρ/(2μ(1−ρ)),
// Lq = ρ²/(2(1−ρ)), P_wait = ρ. The reference uses it for cluster job queues.
QueueResult md1(double arrival_rate, double service_rate);

// Little's law (Little 1961): L = λ·W.
double littles_law_items(double arrival_rate, double time_in_system);
double littles_law_time(double items_in_system, double arrival_rate);

// The smallest c whose P99 latency meets p99_target, by the reference's rule (P99 wait + 1/μ)
// or the exact M/M/c sojourn quantile. Infeasible when the service time alone misses the target
// (no replica count helps); binding "P99 SLA".
enum class LatencyRule { wait_plus_mean_service, exact_sojourn };
struct ReplicaPlan : Verdict {
  int replicas = 0;
  double p99_target = 0;
  double p99 = 0;                  // at `replicas`, by `rule`
  LatencyRule rule = LatencyRule::wait_plus_mean_service;
  QueueResult queue;               // the M/M/c at `replicas`
};
ReplicaPlan min_replicas(double arrival_rate, double service_rate, double p99_target,
                         LatencyRule rule = LatencyRule::wait_plus_mean_service);

nlohmann::ordered_json to_json(const QueueResult& r);
nlohmann::ordered_json to_json(const ReplicaPlan& r);

}  // namespace tt::sim
