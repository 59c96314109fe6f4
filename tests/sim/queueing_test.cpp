// Tests for sim/queueing: Erlang C against the independent Erlang-B recursion (up to c = 10⁴ and
// ρ → 1), M/M/1 closed forms, the exact sojourn quantile against M/M/1's exponential law, a
// numerical convolution and a discrete-event simulation; M/G/c and M/D/1 against
// Pollaczek–Khinchine; unstable queues; min_replicas' defining property; errors.
#include "sim/queueing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "sim_test_util.h"

namespace {

using namespace tt::sim;

using tt::sim::testing::expect_error;

// Erlang B by its textbook recursion B_k = a·B_{k−1}/(k + a·B_{k−1}), then
// C = B/(1 − ρ(1 − B)) (Cooper 1981): an independent route to P_wait.
double erlang_c_by_recursion(int c, double a) {
  double b = 1;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  const double rho = a / c;
  return b / (1 - rho * (1 - b));
}

TEST(ErlangC, MatchesTheErlangBRecursion) {
  const std::vector<std::pair<int, double>> cases = {
      {1, 0.3},      {2, 1.0},       {10, 7.5},     {64, 60},
      {1000, 990},   {1000, 999.9},  {10000, 9999}, {10000, 5000},
      {1000000, 999000}, {1000000, 500000}};
  for (auto [c, a] : cases) {
    const double ours = erlang_c(c, a), ref = erlang_c_by_recursion(c, a);
    EXPECT_NEAR(ours, ref, 1e-9 * ref + 1e-300) << "c " << c << " a " << a;
  }
  EXPECT_NEAR(erlang_c(2, 1.0), 1.0 / 3, 1e-15);  // by hand: (1/2)/(1/2) over 1 + 1 + 1
}

TEST(ErlangC, IsAProbabilityThatFallsWithServers) {
  double prev = 1;
  for (int c = 51; c <= 200; ++c) {
    const double p = erlang_c(c, 50);
    EXPECT_GE(p, 0);
    EXPECT_LE(p, 1);
    EXPECT_LT(p, prev) << c;
    prev = p;
  }
  EXPECT_EQ(erlang_c(4, 0), 0);
  const double near_one = erlang_c(10000, 10000 * (1 - 1e-9));
  EXPECT_TRUE(std::isfinite(near_one));
  EXPECT_GT(near_one, 0.999);
}

TEST(MMc, OneServerIsMM1) {
  const double lambda = 0.6, mu = 1.0, rho = 0.6;
  const QueueResult r = mmc(lambda, mu, 1);
  EXPECT_NEAR(r.p_wait, rho, 1e-15);
  EXPECT_NEAR(r.mean_wait, rho / (mu - lambda), 1e-14);         // 1.5 s
  EXPECT_NEAR(r.mean_sojourn, 1 / (mu - lambda), 1e-14);        // 2.5 s
  EXPECT_NEAR(r.mean_queue, rho * rho / (1 - rho), 1e-14);      // Lq = 0.9
  EXPECT_NEAR(r.mean_in_system, rho / (1 - rho), 1e-14);        // L = 1.5
  // Wait quantile: ln(ρ/(1−q))/(μ − λ); the median falls on "wait" since ρ > 0.5.
  EXPECT_NEAR(r.wait_p99, std::log(rho / 0.01) / (mu - lambda), 1e-12);
  EXPECT_NEAR(r.wait_p50, std::log(rho / 0.5) / (mu - lambda), 1e-12);
  EXPECT_NEAR(r.latency_p99, r.wait_p99 + 1 / mu, 1e-12);
  // M/M/1 sojourn time is exactly exponential with rate μ − λ.
  EXPECT_NEAR(r.sojourn_p99, -std::log(0.01) / (mu - lambda), 1e-9);
  EXPECT_NEAR(r.sojourn_p50, std::log(2.0) / (mu - lambda), 1e-9);
  EXPECT_TRUE(r.feasible);
}

TEST(MMc, WaitQuantileIsZeroWhenMostArrivalsDoNotWait) {
  EXPECT_EQ(wait_quantile(0.3, 2.0, 0.5), 0);
  EXPECT_EQ(wait_quantile(0.01, 2.0, 0.99), 0);
  EXPECT_NEAR(wait_quantile(0.5, 2.0, 0.99), 2.0 * std::log(50.0), 1e-14);
}

// P(T > t) = (1 − P_w)·P(S > t) + P_w·∫₀^∞ θe^{−θw}·P(S > t − w) dw, by Simpson's rule.
double sojourn_tail_by_quadrature(double t, double lambda, double mu, int c) {
  const double pw = erlang_c(c, lambda / mu), theta = c * mu - lambda;
  const int n = 20000;
  const double h = t / n;
  double integral = 0;
  for (int i = 0; i <= n; ++i) {
    const double w = i * h, weight = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
    integral += weight * theta * std::exp(-theta * w) * std::exp(-mu * (t - w));
  }
  integral *= h / 3;
  return (1 - pw) * std::exp(-mu * t) + pw * (integral + std::exp(-theta * t));  // + P(W > t)
}

TEST(MMc, SojournTailMatchesNumericalConvolution) {
  struct Case { double lambda, mu; int c; };
  // θ = cμ − λ above, equal to, and below μ (the closed form's three branches).
  for (const Case k : {Case{3.5, 1, 4}, Case{1, 1, 2}, Case{1.5, 1, 2}, Case{9.5, 1, 10}}) {
    for (double t : {0.3, 2.0, 7.0}) {
      EXPECT_NEAR(mmc_sojourn_tail(t, k.lambda, k.mu, k.c),
                  sojourn_tail_by_quadrature(t, k.lambda, k.mu, k.c), 1e-10)
          << "λ " << k.lambda << " c " << k.c << " t " << t;
    }
  }
  // Continuous across θ = μ.
  EXPECT_NEAR(mmc_sojourn_tail(3, 1, 1, 2), mmc_sojourn_tail(3, 1 + 1e-9, 1, 2), 1e-8);
}

TEST(MMc, ExactSojournQuantileSitsBetweenItsBounds) {
  // Always: T ≥ W and T ≥ S, so t_q ≥ max(w_q, s_q); by the union bound
  // t_q ≤ w_{q'} + s_{q'} with 1 − q' = (1 − q)/2.
  for (double lambda : {0.5, 3.0, 3.6, 3.96}) {
    const double mu = 1;
    const int c = 4;
    const QueueResult r = mmc(lambda, mu, c);
    const double cond = 1 / (c * mu - lambda);
    for (double q : {0.5, 0.95, 0.99}) {
      const double t = mmc_sojourn_quantile(lambda, mu, c, q);
      const double s_q = -std::log(1 - q) / mu, w_q = wait_quantile(r.p_wait, cond, q);
      const double q2 = 1 - (1 - q) / 2;
      EXPECT_GE(t, std::max(w_q, s_q) * (1 - 1e-12)) << lambda << " " << q;
      EXPECT_LE(t, wait_quantile(r.p_wait, cond, q2) - std::log(1 - q2) / mu) << lambda << " " << q;
      EXPECT_NEAR(mmc_sojourn_tail(t, lambda, mu, c), 1 - q, 1e-12);
    }
  }
}

TEST(MMc, ExactP99BelowSumOfQuantilesUnderLoadButAboveReferenceAtLightLoad) {
  // Heavy load (ρ = 0.95): the sum of the P99 wait and P99 service overstates the P99 sojourn.
  const QueueResult heavy = mmc(9.5, 1, 10);
  EXPECT_LT(heavy.sojourn_p99, heavy.wait_p99 - std::log(0.01));
  EXPECT_GT(heavy.sojourn_p99, heavy.latency_p99);  // but exceeds "wait + mean service"
  // Light load: hardly anyone waits, so the reference's rule reports about 1/μ while an
  // exponential service alone has P99 ln(100)/μ.
  const QueueResult light = mmc(0.4, 1, 4);
  EXPECT_DOUBLE_EQ(light.latency_p99, 1.0);
  EXPECT_GT(light.sojourn_p99, std::log(100.0));
}

// FCFS M/M/c by discrete-event simulation: each arrival takes the earliest-free server.
struct SimStats { double p_wait, mean_wait, p99_sojourn; };
SimStats simulate_mmc(double lambda, double mu, int c, int customers, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto expo = [&](double rate) {
    return -std::log(1 - std::generate_canonical<double, 53>(rng)) / rate;
  };
  std::vector<double> free_at(c, 0), sojourn;
  double now = 0, waited = 0, wait_sum = 0;
  const int warmup = customers / 20;
  for (int i = 0; i < customers; ++i) {
    now += expo(lambda);
    auto server = std::min_element(free_at.begin(), free_at.end());
    const double start = std::max(now, *server), wait = start - now;
    *server = start + expo(mu);
    if (i < warmup) continue;
    waited += wait > 0;
    wait_sum += wait;
    sojourn.push_back(*server - now);
  }
  std::sort(sojourn.begin(), sojourn.end());
  const double n = sojourn.size();
  return {waited / n, wait_sum / n, sojourn[static_cast<size_t>(0.99 * n)]};
}

TEST(MMc, AgreesWithADiscreteEventSimulation) {
  const double lambda = 2.4, mu = 1;
  const int c = 3;
  const QueueResult r = mmc(lambda, mu, c);
  const SimStats s = simulate_mmc(lambda, mu, c, 2000000, 42);
  EXPECT_NEAR(s.p_wait, r.p_wait, 0.01);                          // 0.647
  EXPECT_NEAR(s.mean_wait / r.mean_wait, 1.0, 0.03);              // 1.079 s
  EXPECT_NEAR(s.p99_sojourn / r.sojourn_p99, 1.0, 0.02);          // exact quantile
}

TEST(MGc, ExponentialServiceIsMMcAndOneServerIsPollaczekKhinchine) {
  const QueueResult a = mgc(3, 1, 4, 1.0), b = mmc(3, 1, 4);
  EXPECT_EQ(a.mean_wait, b.mean_wait);
  EXPECT_EQ(a.sojourn_p99, b.sojourn_p99);
  // c = 1: Wq = ρ(1 + c_s²)/(2μ(1 − ρ)), exact for M/G/1.
  const double lambda = 0.7, mu = 1, rho = 0.7;
  for (double cv2 : {0.0, 0.5, 2.0}) {
    const QueueResult r = mgc(lambda, mu, 1, cv2);
    EXPECT_NEAR(r.mean_wait, rho * (1 + cv2) / (2 * mu * (1 - rho)), 1e-12) << cv2;
    EXPECT_NEAR(r.mean_queue, lambda * r.mean_wait, 1e-12);  // Little
  }
  EXPECT_TRUE(std::isnan(mgc(3, 1, 4, 0.5).sojourn_p99));
  EXPECT_NEAR(mgc(3, 1, 4, 0.0).sojourn_p99, mgc(3, 1, 4, 0.0).wait_p99 + 1, 1e-12);
  // More service variability, more waiting.
  EXPECT_LT(mgc(3, 1, 4, 0.0).mean_wait, mgc(3, 1, 4, 2.0).mean_wait);
}

TEST(MD1, MatchesPollaczekKhinchine) {
  const QueueResult r = md1(0.5, 1);
  EXPECT_NEAR(r.mean_wait, 0.5, 1e-15);     // ρ/(2μ(1−ρ)) = 0.5/(2·0.5)
  EXPECT_NEAR(r.mean_queue, 0.25, 1e-15);   // ρ²/(2(1−ρ))
  EXPECT_NEAR(r.mean_sojourn, 1.5, 1e-15);
  EXPECT_NEAR(r.p_wait, 0.5, 1e-15);
  const QueueResult g = mgc(0.5, 1, 1, 0.0);
  EXPECT_NEAR(g.mean_wait, r.mean_wait, 1e-15);
  EXPECT_NEAR(g.wait_p99, r.wait_p99, 1e-12);
  // Deterministic service halves the M/M/1 wait.
  EXPECT_NEAR(r.mean_wait, mmc(0.5, 1, 1).mean_wait / 2, 1e-15);
}

TEST(Queue, UnstableQueueIsInfeasibleWithInfiniteWaits) {
  for (const QueueResult& r : {mmc(2, 1, 2), mmc(5, 1, 2), mgc(3, 1, 2, 0.5), md1(1, 1)}) {
    EXPECT_FALSE(r.feasible) << r.model;
    EXPECT_EQ(r.binding, "utilisation ≥ 1");
    EXPECT_TRUE(std::isinf(r.mean_wait));
    EXPECT_TRUE(std::isinf(r.latency_p99));
    const nlohmann::ordered_json j = to_json(r);
    EXPECT_TRUE(j["mean_wait_s"].is_null());
    EXPECT_TRUE(j["sojourn_exact_s"]["p99"].is_null());
    EXPECT_FALSE(j["feasible"].get<bool>());
  }
  EXPECT_TRUE(std::isinf(mmc_sojourn_quantile(2, 1, 2, 0.99)));
  EXPECT_EQ(mmc_sojourn_tail(1, 2, 1, 2), 1);
}

TEST(Queue, LittlesLaw) {
  EXPECT_DOUBLE_EQ(littles_law_items(100, 0.25), 25);
  EXPECT_DOUBLE_EQ(littles_law_time(25, 100), 0.25);
  const QueueResult r = mmc(7, 1, 9);
  EXPECT_NEAR(r.mean_in_system, 7 * r.mean_sojourn, 1e-12);
  EXPECT_NEAR(r.mean_in_system - r.mean_queue, 7.0, 1e-12);  // busy servers = λ/μ
}

TEST(MinReplicas, SmallestCountMeetingTheTarget) {
  const double lambda = 90, mu = 1, target = 1.2;
  for (LatencyRule rule : {LatencyRule::wait_plus_mean_service, LatencyRule::exact_sojourn}) {
    const double t = rule == LatencyRule::exact_sojourn ? 5.0 : target;
    const ReplicaPlan p = min_replicas(lambda, mu, t, rule);
    ASSERT_TRUE(p.feasible);
    EXPECT_EQ(p.binding, "P99 SLA");
    auto p99 = [&](int c) {
      const QueueResult q = mmc(lambda, mu, c);
      return rule == LatencyRule::exact_sojourn ? q.sojourn_p99 : q.latency_p99;
    };
    EXPECT_LE(p99(p.replicas), t);
    EXPECT_GT(p99(p.replicas - 1), t);
    EXPECT_GT(p.replicas, 90);
    EXPECT_DOUBLE_EQ(p.p99, p99(p.replicas));
  }
  // A large fleet: 10⁵ requests in flight on average.
  const ReplicaPlan big = min_replicas(1e5, 1, 1.01);
  EXPECT_LE(mmc(1e5, 1, big.replicas).latency_p99, 1.01);
  EXPECT_GT(mmc(1e5, 1, big.replicas - 1).latency_p99, 1.01);
  EXPECT_EQ(min_replicas(0, 1, 2).replicas, 1);
  EXPECT_EQ(min_replicas(0.5, 1, 10).replicas, 1);
}

TEST(MinReplicas, TargetBelowServiceTimeIsInfeasible) {
  const ReplicaPlan p = min_replicas(10, 1, 0.9);
  EXPECT_FALSE(p.feasible);
  EXPECT_EQ(p.binding, "P99 SLA");
  EXPECT_EQ(p.replicas, 0);
  EXPECT_TRUE(to_json(p)["queue"].is_null());
  // ln(100) ≈ 4.6 service times: feasible by the reference's rule, not for exponential service.
  EXPECT_TRUE(min_replicas(10, 1, 4).feasible);
  EXPECT_FALSE(min_replicas(10, 1, 4, LatencyRule::exact_sojourn).feasible);
}

TEST(Queue, BadInputNamesTheFunction) {
  expect_error([] { mmc(1, 0, 1); }, "mmc: service rate");
  expect_error([] { mmc(-1, 1, 1); }, "mmc: arrival rate");
  expect_error([] { mmc(1, 1, 0); }, "mmc: servers");
  expect_error([] { erlang_c(4, 4); }, "erlang_c: offered load");
  expect_error([] { wait_quantile(0.5, 1, 1.0); }, "wait_quantile: quantile");
  expect_error([] { mgc(1, 1, 2, -0.1); }, "mgc: squared coefficient");
  expect_error([] { min_replicas(1, 1, 0); }, "min_replicas: P99 target");
}

}  // namespace
