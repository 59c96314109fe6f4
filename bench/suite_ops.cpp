// Suite `ops`: what one tiny op costs end to end (checks, output allocation, dispatch, kernel,
// autograd recording). At these sizes the arithmetic is a few nanoseconds; everything else is
// framework overhead, which DESIGN.md asks to keep small. Plus one fused op at a training shape:
// causal attention of a char-level GPT step, fused and composed (docs/attention.md).
// Peer: bench/peers/torch_dispatch.py, whose figures are the same calls timed the same way
// (time_per_call, µs per call).
#include <fmt/core.h>

#include <cmath>
#include <iostream>
#include <memory>

#include "bench/peer.h"
#include "bench/suites.h"
#include "nn/nn.h"
#include "optim/optimizer.h"
#include "tinytorch.h"

namespace tt::bench {
namespace {

// One of our figures (µs per call) and the name of the peer figure it is compared with.
struct OpsCase {
  std::string name, peer_figure;
  double us = 0;
};

std::shared_ptr<nn::Sequential> tiny_mlp() {  // 8-16-ReLU-16-ReLU-1, as the peer
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(8, 16), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(16, 16),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(16, 1)});
}

template <typename F>
double us_per_call(F&& fn) {
  return time_per_call(fn) * 1e6;
}

}  // namespace

std::vector<Result> suite_ops(const SuiteArgs& args) {
  manual_seed(0);
  LoadMonitor load;
  std::vector<OpsCase> cases;
  auto add_case = [&](const char* name, double us) {  // torch_dispatch.py names it <name>_t<threads>
    cases.push_back({name, fmt::format("{}_t{}", name, args.threads), us});
    std::cout << fmt::format("ours: {:<24} {:8.3f} us\n", name, us) << std::flush;
  };

  Tensor a = ones(Shape{1}), b = ones(Shape{1});
  add_case("add_1elem", us_per_call([&] { do_not_optimize(add(a, b).impl()); }));
  add_case("add_1elem_inplace", us_per_call([&] { a.add_(b); }));

  nn::Linear lin(8, 8);
  Tensor x = randn(Shape{1, 8});
  add_case("linear8_b1_nograd", us_per_call([&] {
             NoGradGuard ng;
             do_not_optimize(lin(x).impl());
           }));
  add_case("linear8_b1_grad", us_per_call([&] { do_not_optimize(lin(x).impl()); }));

  auto mlp = tiny_mlp();
  add_case("mlp_tiny_fwd_grad", us_per_call([&] { do_not_optimize((*mlp)(x).sum().impl()); }));
  add_case("mlp_tiny_fwd_bwd", us_per_call([&] {
             mlp->zero_grad();
             (*mlp)(x).sum().backward();
           }));
  optim::SGD sgd(mlp->parameters(), {{"lr", 1e-3}});
  add_case("mlp_tiny_fwd_bwd_sgd", us_per_call([&] {
             sgd.zero_grad();
             (*mlp)(x).sum().backward();
             sgd.step();
           }));
  optim::Adam adam(mlp->parameters(), {{"lr", 1e-3}});
  add_case("mlp_tiny_fwd_bwd_adam", us_per_call([&] {
             adam.zero_grad();
             (*mlp)(x).sum().backward();
             adam.step();
           }));

  // Causal self-attention of a char-level GPT step, B 32, H 4, T 64, D 32: the fused op, and the
  // same math composed of matmul, masked_fill and softmax (the peer's only form in torch 1.13).
  {
    const int64_t B = 32, H = 4, T = 64, D = 32;
    auto leaf = [&](Shape s) { return randn(s).requires_grad_(); };
    Tensor q = leaf({B, H, T, D}), k = leaf({B, H, T, D}), v = leaf({B, H, T, D}), r = randn({B, H, T, D});
    Tensor hidden = gt(arange(0, T, 1, kInt64).reshape({1, T}), arange(0, T, 1, kInt64).reshape({T, 1}));
    add_case("attn_gpt_fwd_bwd",
             us_per_call([&] { scaled_dot_product_attention(q, k, v, Tensor(), true).backward(r); }));
    add_case("attn_gpt_fwd_bwd_unfused", us_per_call([&] {
               Tensor s = masked_fill(matmul(q, k.transpose(-1, -2)) * (1.0 / std::sqrt(double(D))), hidden, -INFINITY);
               matmul(softmax(s, -1), v).backward(r);
             }));
    NoGradGuard ng;  // a KV-cache decode step: one query against 64 cached keys
    Tensor q1 = randn({1, H, 1, D}), k1 = randn({1, H, 64, D}), v1 = randn({1, H, 64, D});
    add_case("attn_decode_tk64", us_per_call([&] {
               do_not_optimize(scaled_dot_product_attention(q1, k1, v1, Tensor(), true).impl());
             }));
  }

  std::cout << fmt::format("ours: background load {:.2f} cores (other processes, during our timings)\n",
                           load.background_cores());
  std::vector<PeerRun> peer = run_peer_configs("torch_dispatch.py", "", args.threads, false);
  std::vector<Result> results;
  for (const OpsCase& c : cases)
    results.push_back(compare(c.name, c.us, "us", Better::Lower, peer, c.peer_figure));
  std::cout << "targets: add_1elem <= 0.3 us, linear8_b1_nograd <= 1 us\n";
  return results;
}

}  // namespace tt::bench
