// Suite `profiler`: what tt::profile::Profiler costs. Three workloads, each timed with the profiler
// off (the hooks' one branch per op and span) and on (recording): add of 1-element tensors, the
// tiny MLP 8-16-16-1 step at batch 1 (as suite `ops`), and the MLP 784-128-64-10 Adam step at batch
// 64 on random data (the `mlp` suite's model). Not the reports: building them happens after stop().
// Peer: bench/peers/torch_profiler_overhead.py, torch.profiler.profile(CPU, record_shapes,
// profile_memory) timed the same way.
#include <fmt/core.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <vector>

#include "bench/peer.h"
#include "bench/suites.h"
#include "nn/nn.h"
#include "optim/optimizer.h"
#include "profile/profiler.h"
#include "tinytorch.h"

namespace tt::bench {
namespace {

// Records (ops + spans) one timed repeat may hold, both sides (the peer's --max-events): ours keep
// memory bounded (~0.5 KB per op record), the peer's exit post-processes ~60-70 µs per event.
constexpr int64_t kMaxRecords = 50000;

struct ProfilerCase {
  std::string name;
  double off_us = 0, on_us = 0, records_per_call = 0;
};

// Note [Timing with the profiler on]
// time_per_call (harness.h) with every batch of calls run inside a fresh Profiler, started before
// the clock and stopped after it, as the peer enters and exits a fresh torch.profiler.profile: a
// repeat is one whole profile, paying its record vector's growth and first touch, not a warm
// buffer's. The repeat count is calibrated as time_per_call does, then capped at kMaxRecords
// records per repeat. Sets records_per_call from the last repeat.
template <typename F>
double time_per_call_profiled(F&& fn, const nn::Module* root, double& records_per_call, double min_time = 0.2,
                              int repeats = 7, int warmup = 10) {
  std::unique_ptr<profile::Profiler> prof;
  auto fresh = [&] {
    prof.reset();  // the previous profile's records are freed before the next one starts
    prof = std::make_unique<profile::Profiler>();
    if (root) prof->name_modules(*root);
    prof->start();
  };
  auto records = [&] { return static_cast<double>(prof->ops().size() + prof->spans().size()); };
  fresh();
  for (int i = 0; i < warmup; ++i) fn();
  prof->stop();
  int64_t n = 1;
  double dt = 0;
  for (;;) {
    fresh();
    int64_t t0 = clock_ns();
    for (int64_t i = 0; i < n; ++i) fn();
    dt = (clock_ns() - t0) * 1e-9;
    prof->stop();
    if (dt >= 0.02 || n >= (int64_t{1} << 24)) break;
    n *= 2;
  }
  const double per_call = std::max(records() / static_cast<double>(n), 1e-9);
  n = std::max<int64_t>(1, std::min(static_cast<int64_t>(n * min_time / std::max(dt, 1e-9)),
                                    static_cast<int64_t>(kMaxRecords / per_call)));
  std::vector<double> res;
  for (int r = 0; r < repeats; ++r) {
    fresh();
    int64_t t0 = clock_ns();
    for (int64_t i = 0; i < n; ++i) fn();
    res.push_back((clock_ns() - t0) * 1e-9 / n);
    prof->stop();
  }
  records_per_call = records() / static_cast<double>(n);
  std::sort(res.begin(), res.end());
  return res[res.size() / 2];
}

// Times fn with the profiler off, then on; prints the figures as they are taken.
template <typename F>
ProfilerCase measure(const std::string& name, const nn::Module* root, F&& fn) {
  ProfilerCase c{name};
  c.off_us = time_per_call(fn) * 1e6;
  c.on_us = time_per_call_profiled(fn, root, c.records_per_call) * 1e6;
  const double over = c.on_us - c.off_us;
  std::cout << fmt::format("ours: {:<14} off {:9.3f} us, on {:9.3f} us, overhead {:8.3f} us ({:5.1f}%), "
                           "{:.1f} records per call, {:.0f} ns per record\n",
                           name, c.off_us, c.on_us, over, 100.0 * over / c.off_us, c.records_per_call,
                           1e3 * over / c.records_per_call)
            << std::flush;
  return c;
}

std::shared_ptr<nn::Sequential> tiny_mlp() {  // 8-16-ReLU-16-ReLU-1, as suite_ops.cpp and the peer
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(8, 16), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(16, 16),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(16, 1)});
}

std::shared_ptr<nn::Sequential> mlp784() {  // suite_mlp.cpp's model: Linear+ReLU as the fused LinearAct
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::LinearAct>(784, 128, Activation::Relu),
      std::make_shared<nn::LinearAct>(128, 64, Activation::Relu), std::make_shared<nn::Linear>(64, 10)});
}

}  // namespace

std::vector<Result> suite_profiler(const SuiteArgs& args) {
  manual_seed(0);
  LoadMonitor load;
  std::cout << fmt::format("ours: on = a fresh Profiler per timed repeat (started and stopped outside the clock), "
                           "at most {} records per repeat\n",
                           kMaxRecords);
  std::vector<ProfilerCase> cases;

  Tensor a = ones(Shape{1}), b = ones(Shape{1});
  cases.push_back(measure("add_1elem", nullptr, [&] { do_not_optimize(add(a, b).impl()); }));

  auto tiny = tiny_mlp();
  Tensor x1 = randn(Shape{1, 8});
  optim::SGD sgd(tiny->parameters(), {{"lr", 1e-3}});
  cases.push_back(measure("mlp_tiny_sgd", tiny.get(), [&] {
    sgd.zero_grad();
    (*tiny)(x1).sum().backward();
    sgd.step();
  }));

  auto mlp = mlp784();
  optim::Adam adam(mlp->parameters(), {{"lr", 1e-3}});
  Tensor xb = randn(Shape{64, 1, 28, 28}), yb = randint(0, 10, Shape{64});
  cases.push_back(measure("mlp784_adam", mlp.get(), [&] {
    Tensor loss = cross_entropy((*mlp)(xb), yb);
    adam.zero_grad();
    loss.backward();
    adam.step();
  }));

  std::cout << fmt::format("ours: background load {:.2f} cores (other processes, during our timings)\n",
                           load.background_cores());
  std::vector<PeerRun> peer = run_peer_configs("torch_profiler_overhead.py", fmt::format("--max-events {}", kMaxRecords),
                                               args.threads, false);
  for (const PeerRun& r : peer)
    for (const ProfilerCase& c : cases) {
      auto events = r.get(fmt::format("{}_events_per_call_t{}", c.name, args.threads));
      auto exit_us = r.get(fmt::format("{}_exit_us_per_event_t{}", c.name, args.threads));
      if (events && exit_us)
        std::cout << fmt::format("peer:   {:<14} {:.1f} events per call; profile exit {:.1f} us per event (not timed); "
                                 "OpenBLAS {} thr\n",
                                 c.name, *events, *exit_us, r.blas_threads);
    }

  std::vector<Result> results;
  for (const ProfilerCase& c : cases) {
    const double over = c.on_us - c.off_us;
    auto fig = [&](const char* what) { return fmt::format("{}_{}_t{}", c.name, what, args.threads); };
    results.push_back(compare(c.name + "_off", c.off_us, "us", Better::Lower, peer, fig("off")));
    results.push_back(compare(c.name + "_on", c.on_us, "us", Better::Lower, peer, fig("on")));
    results.push_back(compare(c.name + "_overhead", over, "us", Better::Lower, peer, fig("overhead")));
    results.push_back(compare(c.name + "_overhead_pct", 100.0 * over / c.off_us, "%", Better::Lower, peer,
                              fig("overhead_pct")));
  }
  return results;
}

}  // namespace tt::bench
