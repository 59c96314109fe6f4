// Queueing models. Formulas and references in queueing.h.
#include "sim/queueing.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tt::sim {

namespace {

using Json = nlohmann::ordered_json;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_rates(const char* fn, double lambda, double mu, int servers) {
  TT_CHECK(lambda >= 0 && std::isfinite(lambda), fn,
           ": arrival rate λ must be finite and ≥ 0 per s, got ", lambda);
  TT_CHECK(mu > 0 && std::isfinite(mu), fn, ": service rate μ must be finite and > 0 per s, got ",
           mu);
  TT_CHECK(servers >= 1, fn, ": servers c must be ≥ 1, got ", servers);
}

void check_quantile(const char* fn, double q) {
  TT_CHECK(q > 0 && q < 1, fn, ": quantile q must be in (0, 1), got ", q);
}

// Second term of the M/M/c sojourn tail without the P_wait·μ factor: (e^{−μt} − e^{−θt})/(θ − μ),
// written with expm1 so that θ ≈ μ loses no digits and θ < μ does not overflow.
double hypoexp_gap(double t, double mu, double theta) {
  const double d = theta - mu;
  if (d == 0) return t * std::exp(-mu * t);
  if (d > 0) return std::exp(-mu * t) * -std::expm1(-d * t) / d;
  return std::exp(-theta * t) * std::expm1(d * t) / d;
}

double sojourn_tail(double t, double p_wait, double mu, double theta) {
  return std::exp(-mu * t) + p_wait * mu * hypoexp_gap(t, mu, theta);
}

double sojourn_quantile(double p_wait, double mu, double theta, double q) {
  const double tail = 1 - q;
  // Bracket by the union bound: P(W + S > w + s) ≤ P(W > w) + P(S > s) = tail when w and s are
  // the (1 − tail/2)-quantiles of W and S.
  double lo = 0, hi = wait_quantile(p_wait, 1 / theta, 1 - tail / 2) + std::log(2 / tail) / mu;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (sojourn_tail(mid, p_wait, mu, theta) > tail ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

QueueResult start(const char* model, double lambda, double mu, int servers, double cv2) {
  QueueResult r;
  r.model = model;
  r.arrival_rate = lambda;
  r.service_rate = mu;
  r.servers = servers;
  r.service_cv2 = cv2;
  r.utilisation = lambda / (servers * mu);
  r.notes.push_back(fmt::format("utilisation ρ = λ/(cμ) = {:.4g}", r.utilisation));
  if (r.utilisation < 1) return r;
  r.feasible = false;
  r.binding = "utilisation ≥ 1";
  r.notes.push_back("unstable: arrivals meet or exceed capacity, the queue grows without bound");
  r.p_wait = 1;
  r.mean_wait = r.mean_sojourn = r.mean_queue = r.mean_in_system = kInf;
  r.wait_p50 = r.wait_p95 = r.wait_p99 = kInf;
  r.latency_p50 = r.latency_p95 = r.latency_p99 = kInf;
  r.sojourn_p50 = r.sojourn_p95 = r.sojourn_p99 = kInf;
  return r;
}

// Means by Little's law, and the waiting quantiles with an exponential conditional wait of
// mean Wq/P_wait.
void finish(QueueResult& r, double p_wait, double mean_wait) {
  const double service = 1 / r.service_rate;
  r.p_wait = p_wait;
  r.mean_wait = mean_wait;
  r.mean_sojourn = mean_wait + service;
  r.mean_queue = littles_law_items(r.arrival_rate, r.mean_wait);
  r.mean_in_system = littles_law_items(r.arrival_rate, r.mean_sojourn);
  const double cond = p_wait > 0 ? mean_wait / p_wait : 0;
  r.wait_p50 = wait_quantile(p_wait, cond, 0.50);
  r.wait_p95 = wait_quantile(p_wait, cond, 0.95);
  r.wait_p99 = wait_quantile(p_wait, cond, 0.99);
  r.latency_p50 = r.wait_p50 + service;
  r.latency_p95 = r.wait_p95 + service;
  r.latency_p99 = r.wait_p99 + service;
  r.binding = mean_wait > service ? "queueing delay" : "service time";
  r.notes.push_back(fmt::format("P(wait) = {:.4g}, mean wait {:.4g} s vs service {:.4g} s",
                                p_wait, mean_wait, service));
}

void exact_sojourn(QueueResult& r) {
  const double theta = r.servers * r.service_rate - r.arrival_rate;
  r.sojourn_p50 = sojourn_quantile(r.p_wait, r.service_rate, theta, 0.50);
  r.sojourn_p95 = sojourn_quantile(r.p_wait, r.service_rate, theta, 0.95);
  r.sojourn_p99 = sojourn_quantile(r.p_wait, r.service_rate, theta, 0.99);
}

// Deterministic service: T = W + 1/μ exactly, so the sojourn quantile is the wait quantile + 1/μ
// (as exact as the model of W).
void copy_latency_to_sojourn(QueueResult& r) {
  r.sojourn_p50 = r.latency_p50;
  r.sojourn_p95 = r.latency_p95;
  r.sojourn_p99 = r.latency_p99;
}

}  // namespace

double erlang_c(int servers, double offered_load) {
  TT_CHECK(servers >= 1, "erlang_c: servers c must be ≥ 1, got ", servers);
  TT_CHECK(offered_load >= 0 && offered_load < servers, "erlang_c: offered load a = λ/μ must be in "
           "[0, c) for a stable queue, got a = ", offered_load, " with c = ", servers);
  if (offered_load == 0) return 0;
  const double c = servers, log_a = std::log(offered_load), rho = offered_load / c;
  // log of the waiting term a^c/(c!(1−ρ)) and of each idle term a^i/i!, i < c.
  const double log_wait = c * log_a - std::lgamma(c + 1) - std::log1p(-rho);
  auto log_term = [&](double i) { return i * log_a - std::lgamma(i + 1); };
  // Idle terms peak at i = ⌊a⌋ (Poisson mode), capped at c − 1; shift by the largest exponent.
  const double peak = std::max(log_wait, log_term(std::min(c - 1, std::floor(offered_load))));
  // Terms more than 40√a below the mode are under e^{−800} of it (Poisson tail, ≈ e^{−(a−i)²/2a}):
  // skipping them changes nothing in double precision and makes the sum O(√a + c − a), not O(c).
  const int first = static_cast<int>(
      std::clamp(std::floor(offered_load - 40 * std::sqrt(offered_load) - 10), 0.0, c - 1));
  double idle = 0;
  for (int i = first; i < servers; ++i) idle += std::exp(log_term(i) - peak);
  const double wait = std::exp(log_wait - peak);
  return wait / (idle + wait);
}

double wait_quantile(double p_wait, double conditional_mean_wait, double q) {
  check_quantile("wait_quantile", q);
  TT_CHECK(p_wait >= 0 && p_wait <= 1, "wait_quantile: P_wait must be in [0, 1], got ", p_wait);
  TT_CHECK(conditional_mean_wait >= 0, "wait_quantile: conditional mean wait must be ≥ 0, got ",
           conditional_mean_wait);
  if (p_wait <= 1 - q) return 0;  // the quantile falls on the atom "no wait"
  return conditional_mean_wait * std::log(p_wait / (1 - q));
}

double mmc_sojourn_tail(double t, double arrival_rate, double service_rate, int servers) {
  check_rates("mmc_sojourn_tail", arrival_rate, service_rate, servers);
  TT_CHECK(t >= 0, "mmc_sojourn_tail: t must be ≥ 0, got ", t);
  if (arrival_rate >= servers * service_rate) return 1;
  const double p_wait = erlang_c(servers, arrival_rate / service_rate);
  return sojourn_tail(t, p_wait, service_rate, servers * service_rate - arrival_rate);
}

double mmc_sojourn_quantile(double arrival_rate, double service_rate, int servers, double q) {
  check_rates("mmc_sojourn_quantile", arrival_rate, service_rate, servers);
  check_quantile("mmc_sojourn_quantile", q);
  if (arrival_rate >= servers * service_rate) return kInf;
  const double p_wait = erlang_c(servers, arrival_rate / service_rate);
  return sojourn_quantile(p_wait, service_rate, servers * service_rate - arrival_rate, q);
}

QueueResult mmc(double arrival_rate, double service_rate, int servers) {
  check_rates("mmc", arrival_rate, service_rate, servers);
  QueueResult r = start("M/M/c", arrival_rate, service_rate, servers, 1);
  if (!r.feasible) return r;
  const double p_wait = erlang_c(servers, arrival_rate / service_rate);
  finish(r, p_wait, p_wait / (servers * service_rate - arrival_rate));  // Wq = P_wait/(cμ − λ)
  exact_sojourn(r);
  return r;
}

QueueResult mgc(double arrival_rate, double service_rate, int servers, double service_cv2) {
  check_rates("mgc", arrival_rate, service_rate, servers);
  TT_CHECK(service_cv2 >= 0 && std::isfinite(service_cv2),
           "mgc: squared coefficient of variation of service must be finite and ≥ 0, got ",
           service_cv2);
  if (service_cv2 == 1) return mmc(arrival_rate, service_rate, servers);
  QueueResult r = start("M/G/c (Allen–Cunneen)", arrival_rate, service_rate, servers, service_cv2);
  if (!r.feasible) return r;
  const double p_wait = erlang_c(servers, arrival_rate / service_rate);
  const double wq_mmc = p_wait / (servers * service_rate - arrival_rate);
  finish(r, p_wait, wq_mmc * (1 + service_cv2) / 2);
  if (service_cv2 == 0) {
    copy_latency_to_sojourn(r);
  } else {
    r.sojourn_p50 = r.sojourn_p95 = r.sojourn_p99 = kNaN;
    r.notes.push_back("sojourn quantiles need the service distribution (known for c_s² = 0 or 1)");
  }
  r.notes.push_back("Allen–Cunneen: Wq ≈ Wq(M/M/c)·(1 + c_s²)/2 (exact for c = 1)");
  return r;
}

QueueResult md1(double arrival_rate, double service_rate) {
  check_rates("md1", arrival_rate, service_rate, 1);
  QueueResult r = start("M/D/1 (P–K)", arrival_rate, service_rate, 1, 0);
  if (!r.feasible) return r;
  const double rho = r.utilisation;
  finish(r, rho, rho / (2 * service_rate * (1 - rho)));  // P–K: Wq = ρ/(2μ(1−ρ)), P_wait = ρ
  copy_latency_to_sojourn(r);
  return r;
}

double littles_law_items(double arrival_rate, double time_in_system) {
  TT_CHECK(arrival_rate >= 0 && time_in_system >= 0, "littles_law_items: λ and W must be ≥ 0, got ",
           arrival_rate, " and ", time_in_system);
  return arrival_rate == 0 ? 0 : arrival_rate * time_in_system;  // an empty queue holds nothing
}

double littles_law_time(double items_in_system, double arrival_rate) {
  TT_CHECK(items_in_system >= 0 && arrival_rate > 0, "littles_law_time: need L ≥ 0 and λ > 0, got ",
           items_in_system, " and ", arrival_rate);
  return items_in_system / arrival_rate;
}

ReplicaPlan min_replicas(double arrival_rate, double service_rate, double p99_target,
                         LatencyRule rule) {
  check_rates("min_replicas", arrival_rate, service_rate, 1);
  TT_CHECK(p99_target > 0 && std::isfinite(p99_target),
           "min_replicas: P99 target must be finite and > 0 s, got ", p99_target);
  const double load = arrival_rate / service_rate;
  TT_CHECK(load < 1e7, "min_replicas: offered load λ/μ = ", load, " needs over 10⁷ replicas");
  const bool exact = rule == LatencyRule::exact_sojourn;
  ReplicaPlan plan;
  plan.rule = rule;
  plan.p99_target = p99_target;
  plan.binding = "P99 SLA";
  // With c → ∞ nobody waits: P99 → the service time's own P99 (exact) or 1/μ (reference).
  const double floor_s = (exact ? std::log(100.0) : 1.0) / service_rate;
  if (p99_target <= floor_s) {
    plan.feasible = false;
    plan.p99 = floor_s;
    plan.notes.push_back(fmt::format("service alone takes {:.4g} s at P99 ≥ target {:.4g} s: no "
                                     "replica count meets it; make each request faster",
                                     floor_s, p99_target));
    return plan;
  }
  auto p99_at = [&](int c) {
    const QueueResult q = mmc(arrival_rate, service_rate, c);
    return exact ? q.sojourn_p99 : q.latency_p99;
  };
  // P99 falls monotonically with c (P_wait falls, cμ − λ grows): gallop up, then bisect.
  int lo = static_cast<int>(std::floor(load)) + 1, hi = lo;  // smallest stable c
  for (int step = 1; p99_at(hi) > p99_target; step *= 2) {
    TT_ASSERT(hi < (1 << 29), "min_replicas: no replica count found below 2^29");
    lo = hi + 1;  // every c < lo misses the target
    hi += step;
  }
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (p99_at(mid) <= p99_target) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  plan.replicas = hi;
  plan.queue = mmc(arrival_rate, service_rate, hi);
  plan.p99 = exact ? plan.queue.sojourn_p99 : plan.queue.latency_p99;
  plan.notes.push_back(fmt::format("{} replicas: P99 {:.4g} s ≤ target {:.4g} s ({})", hi, plan.p99,
                                   p99_target, exact ? "exact sojourn" : "P99 wait + 1/μ"));
  return plan;
}

Json to_json(const QueueResult& r) {
  return {{"feasible", r.feasible},
          {"binding", r.binding},
          {"model", r.model},
          {"arrival_rate", r.arrival_rate},
          {"service_rate", r.service_rate},
          {"servers", r.servers},
          {"service_cv2", r.service_cv2},
          {"utilisation", r.utilisation},
          {"p_wait", r.p_wait},
          {"mean_wait_s", finite_or_null(r.mean_wait)},
          {"mean_sojourn_s", finite_or_null(r.mean_sojourn)},
          {"mean_queue", finite_or_null(r.mean_queue)},
          {"mean_in_system", finite_or_null(r.mean_in_system)},
          {"wait_s", {{"p50", finite_or_null(r.wait_p50)}, {"p95", finite_or_null(r.wait_p95)},
                      {"p99", finite_or_null(r.wait_p99)}}},
          {"latency_s", {{"p50", finite_or_null(r.latency_p50)},
                         {"p95", finite_or_null(r.latency_p95)},
                         {"p99", finite_or_null(r.latency_p99)}}},
          {"sojourn_exact_s", {{"p50", finite_or_null(r.sojourn_p50)},
                               {"p95", finite_or_null(r.sojourn_p95)},
                               {"p99", finite_or_null(r.sojourn_p99)}}},
          {"notes", r.notes}};
}

Json to_json(const ReplicaPlan& r) {
  return {{"feasible", r.feasible},
          {"binding", r.binding},
          {"replicas", r.replicas},
          {"p99_target_s", r.p99_target},
          {"p99_s", finite_or_null(r.p99)},
          {"rule",
           r.rule == LatencyRule::exact_sojourn ? "exact_sojourn" : "wait_plus_mean_service"},
          {"queue", r.replicas > 0 ? to_json(r.queue) : Json(nullptr)},
          {"notes", r.notes}};
}

}  // namespace tt::sim
