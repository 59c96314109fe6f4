// Suite `gemm-ladder`: the kernel lab (bench/kernels, docs/acceleration.md) timed rung by rung —
// naive, reorder, tiled, packed, simd, threads, then the production tt::kernels::gemm_f32 — on
// square float32 GEMMs, each result checked against the float64 reference before it is timed.
// Figures: GFLOP/s = 2n³/t, % of this machine's measured FMA peak (tt::hw::ceilings()), speed-up
// over rung 1, and OpenBLAS cblas_sgemm (bench/openblas_peer.h) at the same n and thread count
// as the peer; a rung whose predicted cost is too high at a size is skipped there, and says so.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fmt/core.h>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "bench/kernels/kernel_lab.h"
#include "bench/openblas_peer.h"
#include "bench/suites.h"
#include "core/error.h"
#include "core/parallel.h"
#include "hw/ceilings.h"
#include "ops/matmul/gemm.h"

namespace tt::bench {
namespace {

// Timing: the median of kRepeats repeats of >= kRepeatSeconds each (bench::time_per_call); a call
// slower than kRepeatSeconds is timed as the median of kSlowCalls single calls, the checked first
// call among them. A (variant, n) runs only if one call, predicted as t·(n/n₀)³ from the variant at
// a smaller n₀, stays under kMaxCallSeconds: rung 1 needs seconds at n = 1024, minutes at 2048.
constexpr double kRepeatSeconds = 0.1, kMaxCallSeconds = 1.0;
constexpr int kRepeats = 5, kSlowCalls = 3;
constexpr int64_t kSeedN = 128;  // the size that seeds the prediction when no smaller n is listed
const std::vector<int64_t> kDefaultSizes = {512, 1024, 2048};

// Square sizes: TT_LADDER_N="256,4096" overrides the default 512, 1024, 2048.
std::vector<int64_t> ladder_sizes() {
  const char* env = std::getenv("TT_LADDER_N");
  if (env == nullptr || *env == '\0') return kDefaultSizes;
  std::vector<int64_t> sizes;
  std::stringstream ss(env);
  for (std::string item; std::getline(ss, item, ',');) {
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    TT_CHECK(end != item.c_str() && *end == '\0' && v >= 1 && v <= 8192,
             "gemm-ladder: TT_LADDER_N must be a comma-separated list of sizes in 1..8192, got \"", env, "\"");
    sizes.push_back(v);
  }
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

// One square problem: A, B (uniform in [-1, 1), fixed seed), the float64 reference, a C buffer.
struct Problem {
  int64_t n;
  std::vector<float> a, b, c;
  std::vector<double> ref, mag;
};

Problem make_problem(int64_t n) {
  const size_t nn = static_cast<size_t>(n * n);
  Problem p{n, std::vector<float>(nn), std::vector<float>(nn), std::vector<float>(nn), std::vector<double>(nn),
            std::vector<double>(nn)};
  std::mt19937 gen(static_cast<uint32_t>(n));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& x : p.a) x = dist(gen);
  for (float& x : p.b) x = dist(gen);
  lab::gemm_reference(n, n, n, p.a.data(), p.b.data(), p.ref.data(), p.mag.data());
  return p;
}

struct Timing {
  double seconds = 0;  // per call
  double max_rel_err = 0;
};

// Runs call(c) once into a NaN-filled C and checks it against the reference (a wrong result is an
// error, not a figure), then times it.
template <typename F>
Timing check_and_time(const std::string& what, Problem& p, F&& call) {
  std::fill(p.c.begin(), p.c.end(), std::numeric_limits<float>::quiet_NaN());
  const int64_t t0 = clock_ns();
  call(p.c.data());
  const double first = (clock_ns() - t0) * 1e-9;
  const lab::Check chk = lab::check_result(p.n, p.n, p.n, p.c.data(), p.ref.data(), p.mag.data());
  TT_CHECK(chk.ok, "gemm-ladder: ", what, " at n=", p.n, " is wrong: max relative error ", chk.max_rel_err,
           " > tolerance ", chk.tolerance, " (bench/kernels/kernel_lab.h, check_result)");
  if (first <= kRepeatSeconds)
    return {time_per_call([&] { call(p.c.data()); }, kRepeatSeconds, kRepeats, 0), chk.max_rel_err};
  std::vector<double> calls = {first};
  while (calls.size() < kSlowCalls) {
    const int64_t t1 = clock_ns();
    call(p.c.data());
    calls.push_back((clock_ns() - t1) * 1e-9);
  }
  std::sort(calls.begin(), calls.end());
  return {calls[calls.size() / 2], chk.max_rel_err};
}

// A row of the ladder: the six rungs and, as rung 7, the production GEMM.
struct Variant {
  int rung;
  std::string name, idea;
  lab::GemmFn fn;
  bool threaded;
};

void production_gemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  kernels::gemm_f32(false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
}

std::vector<Variant> variants() {
  std::vector<Variant> out;
  for (const lab::Rung& r : lab::ladder()) out.push_back({r.number, r.name, r.idea, r.fn, r.threaded});
  out.push_back({7, "production", "tt::kernels::gemm_f32 (src/ops/matmul), for scale", &production_gemm, true});
  return out;
}

struct Measurement {
  int rung;
  std::string name;
  int64_t n;
  int threads;
  std::optional<Timing> timing;
  std::string skipped;  // why there is no timing
  double gflops() const { return timing ? 2.0 * n * n * n / timing->seconds * 1e-9 : 0.0; }
};

// Seconds for one call of v at n (unchecked, C discarded): seeds the skip prediction.
double one_call_seconds(const Variant& v, int64_t n) {
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n);
  const int64_t t0 = clock_ns();
  v.fn(n, n, n, a.data(), b.data(), c.data());
  return (clock_ns() - t0) * 1e-9;
}

// The rung -> (n, seconds per call) at the largest n timed so far, for the skip prediction.
using CallTimes = std::map<int, std::pair<int64_t, double>>;

// Times every variant at p.n (sizes in increasing order: the prediction uses the smaller ones).
void measure_ours(Problem& p, int threads, CallTimes& last, std::vector<Measurement>& out) {
  const int64_t n = p.n;
  for (const Variant& v : variants()) {
    Measurement m{v.rung, v.name, n, v.threaded ? threads : 1, std::nullopt, ""};
    set_num_threads(m.threads);
    if (!last.count(v.rung) && n > 2 * kSeedN) last[v.rung] = {kSeedN, one_call_seconds(v, kSeedN)};
    if (auto it = last.find(v.rung); it != last.end()) {
      const double predicted = it->second.second * std::pow(static_cast<double>(n) / it->second.first, 3);
      if (predicted > kMaxCallSeconds) {
        m.skipped = fmt::format("skipped: ~{:.1f} s per call predicted from n={}", predicted, it->second.first);
        std::cout << fmt::format("ours: {} {:<10} n={:<5} {}\n", v.rung, v.name, n, m.skipped) << std::flush;
        out.push_back(m);
        continue;
      }
    }
    m.timing = check_and_time(v.name, p, [&](float* c) { v.fn(n, n, n, p.a.data(), p.b.data(), c); });
    last[v.rung] = {n, m.timing->seconds};
    std::cout << fmt::format("ours: {} {:<10} n={:<5} {} thr  {:8.2f} GFLOP/s  (max rel err {:.1e})\n", v.rung,
                             v.name, n, m.threads, m.gflops(), m.timing->max_rel_err)
              << std::flush;
    out.push_back(m);
  }
  set_num_threads(threads);
}

// OpenBLAS GFLOP/s by (n, threads), or why it is missing.
struct PeerFigures {
  std::map<std::pair<int64_t, int>, double> gflops;
  std::string missing, name;
};

// Times OpenBLAS at p.n with 1 thread and with `threads`, right after ours at the same n (the
// machines are shared: figures taken minutes apart compare badly). OpenBLAS's worker threads spin
// for a while after a call (THREAD_TIMEOUT, ~2^28 cycles) and would take a core from our next
// timing, so a multi-threaded run ends with a pause that lets them go to sleep.
void measure_openblas(Problem& p, int threads, PeerFigures& peer) {
  const OpenBlas* blas = OpenBlas::load(1, &peer.missing);
  if (blas == nullptr) return;
  peer.name = "OpenBLAS " + blas->core();
  const int64_t n = p.n;
  for (int t : {1, threads}) {
    if (peer.gflops.count({n, t})) continue;
    blas->set_threads(t);
    const Timing tm = check_and_time("OpenBLAS cblas_sgemm", p, [&](float* c) {
      blas->sgemm(false, false, n, n, n, 1.0f, p.a.data(), n, p.b.data(), n, 0.0f, c, n);
    });
    peer.gflops[{n, t}] = 2.0 * n * n * n / tm.seconds * 1e-9;
    std::cout << fmt::format("peer: OpenBLAS sgemm n={:<5} {} thr  {:8.2f} GFLOP/s  ({})\n", n, t,
                             peer.gflops[{n, t}], blas->describe())
              << std::flush;
  }
  blas->set_threads(1);
  if (threads > 1) std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

// This machine's FMA peak for `threads` threads: the probe's 1-thread or all-thread figure, or
// the 1-thread figure times threads for another count. nullopt if the ceilings are unavailable.
std::optional<double> peak_for(const std::optional<hw::Ceilings>& c, int threads) {
  if (!c || c->peak_gflops_1 <= 0) return std::nullopt;
  if (threads == 1) return c->peak_gflops_1;
  if (threads == c->threads && c->peak_gflops_all > 0) return c->peak_gflops_all;
  return c->peak_gflops_1 * threads;
}

// hw::ceilings() probes, when nothing is cached, with tt::get_num_threads() threads: all of the
// machine's for the "all threads" figure, whatever --threads this run has.
std::optional<hw::Ceilings> load_ceilings(int threads) {
  try {
    set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    hw::Ceilings c = hw::ceilings();
    set_num_threads(threads);
    std::cout << fmt::format("peak: {:.1f} GFLOP/s FMA on 1 thread, {:.1f} on {} ({} kernel); STREAM triad "
                             "{:.1f} / {:.1f} GB/s; ridge {:.1f} FLOP/byte (1 thread); measured {} ({})\n",
                             c.peak_gflops_1, c.peak_gflops_all, c.threads, c.isa, c.triad_gbs_1, c.triad_gbs_all,
                             c.ridge_1(), c.measured_at, hw::cache_path());
    return c;
  } catch (const std::exception& e) {
    set_num_threads(threads);
    std::cout << "peak: unavailable (" << e.what() << "); % of peak left out\n";
    return std::nullopt;
  }
}

// The lesson's table: the columns Result has no room for.
void print_ladder(const std::vector<Measurement>& ms, const PeerFigures& peer, const std::optional<hw::Ceilings>& c) {
  std::map<int64_t, double> naive;  // rung 1's GFLOP/s by n
  for (const Measurement& m : ms)
    if (m.rung == 1 && m.timing) naive[m.n] = m.gflops();
  std::cout << "\n== gemm-ladder: C = A·B, square n, float32; GFLOP/s = 2n³/t\n";
  for (const Variant& v : variants()) std::cout << fmt::format("  {} {:<10} {}\n", v.rung, v.name, v.idea);
  std::cout
            << "AI = arithmetic intensity, FLOP/byte: reg = of the inner loop's loads and stores, L1 = of its L1 "
               "misses\n"
            << fmt::format("{:<13} {:>5} {:>3} {:>9} {:>7} {:>8} {:>6} {:>6} {:>9} {:>8}\n", "rung", "n", "thr",
                           "GFLOP/s", "% peak", "x naive", "AI reg", "AI L1", "OpenBLAS", "of OBLAS");
  bool borrowed_naive = false, above_peak = false;
  for (const Measurement& m : ms) {
    const std::string label = fmt::format("{} {}", m.rung, m.name);
    if (!m.timing) {
      std::cout << fmt::format("{:<13} {:>5} {:>3} {}\n", label, m.n, m.threads, m.skipped);
      continue;
    }
    const double g = m.gflops();
    const auto peak = peak_for(c, m.threads);
    std::string speedup = "-";
    if (auto it = naive.find(m.n); it != naive.end()) {
      speedup = fmt::format("{:.1f}", g / it->second);
    } else if (!naive.empty()) {  // naive not timed at this n: its rate at the smallest n
      speedup = fmt::format("{:.1f}*", g / naive.begin()->second);
      borrowed_naive = true;
    }
    std::string ai_reg = "-", ai_l1 = "-";  // the production GEMM is not modelled
    if (m.rung <= 6) {
      const lab::Intensity in = lab::arithmetic_intensity(m.rung);
      ai_reg = fmt::format("{:.3g}", in.registers);
      ai_l1 = fmt::format("{:.3g}", in.l1_misses);
    }
    const auto pit = peer.gflops.find({m.n, m.threads});
    const bool has_peer = pit != peer.gflops.end();
    const std::string pct = peak ? fmt::format("{:.1f}%", 100.0 * g / *peak) : "-";
    above_peak = above_peak || (peak && g > *peak);
    std::cout << fmt::format("{:<13} {:>5} {:>3} {:>9.2f} {:>7} {:>8} {:>6} {:>6} {:>9} {:>8}\n", label, m.n,
                             m.threads, g, pct, speedup, ai_reg, ai_l1,
                             has_peer ? fmt::format("{:.2f}", pit->second) : "-",
                             has_peer ? fmt::format("{:.2f}", g / pit->second) : "-");
  }
  if (borrowed_naive)
    std::cout << fmt::format("* rung 1 not timed at this n; speed-up over its rate at n={} (naive gets slower "
                             "with n, so this understates the gain)\n", naive.begin()->first);
  std::cout << fmt::format("timing: median of {} repeats of >= {} s ({} single calls when a call is slower); "
                           "every result checked against the float64 reference first\n",
                           kRepeats, kRepeatSeconds, kSlowCalls);
  if (above_peak)
    std::cout << "% peak above 100%: the cached peak was probed while other processes loaded the cores; "
                 "re-measure it on a quiet machine with `tito hw probe`\n";
  if (!peer.missing.empty()) std::cout << "OpenBLAS: missing: " << peer.missing << "\n";
}

}  // namespace

std::vector<Result> suite_gemm_ladder(const SuiteArgs& args) {
  const std::vector<int64_t> sizes = ladder_sizes();  // first: a bad TT_LADDER_N fails at once
  const std::optional<hw::Ceilings> ceil = load_ceilings(args.threads);
  std::cout << fmt::format("kernel lab: rung 5/6 micro-kernel {} ({}x{}); peer: OpenBLAS cblas_sgemm in this "
                           "process (dlopen libopenblas.so.0), same n and threads as each rung\n",
                           lab::micro_kernel_best().name, lab::micro_kernel_best().mr, lab::micro_kernel_best().nr)
            << std::flush;
  LoadMonitor load;
  std::vector<Measurement> ours;
  PeerFigures peer;
  CallTimes last;
  for (int64_t n : sizes) {
    Problem p = make_problem(n);
    measure_ours(p, args.threads, last, ours);
    measure_openblas(p, args.threads, peer);
  }
  std::cout << fmt::format("background load {:.2f} cores (other processes, during our and the peer's timings)\n",
                           load.background_cores());
  print_ladder(ours, peer, ceil);

  std::vector<Result> results;
  for (const Measurement& m : ours) {
    if (!m.timing) continue;
    const std::string name = fmt::format("{}_n{}_t{}", m.name, m.n, m.threads);
    const auto pit = peer.gflops.find({m.n, m.threads});
    if (pit == peer.gflops.end()) {
      results.push_back(make_result(name, m.gflops(), std::nullopt, "missing: " + peer.missing, "GFLOP/s",
                                    Better::Higher));
    } else {
      results.push_back(make_result(name, m.gflops(), pit->second,
                                    fmt::format("{} sgemm n={} {}t", peer.name, m.n, m.threads), "GFLOP/s",
                                    Better::Higher));
    }
  }
  return results;
}

}  // namespace tt::bench
