// Suite `mlp`: the Fashion-MNIST MLP 784-128-ReLU-64-ReLU-10 (batch 64, Adam lr 1e-3,
// cross-entropy) — training throughput measured like the peer (each epoch's training loop only,
// median over the epochs), test accuracy, allocator cache misses per steady-state training step,
// and batch-1 inference latency (eval mode, NoGradGuard, individually timed calls).
// Peers: bench/peers/torch_fmnist.py --model mlp and bench/peers/torch_latency.py.
#include <algorithm>
#include <filesystem>
#include <fmt/core.h>
#include <iostream>
#include <memory>

#include "bench/peer.h"
#include "bench/train_loop.h"
#include "bench/suites.h"
#include "data/dataset.h"
#include "nn/nn.h"
#include "optim/optimizer.h"
#include "tinytorch.h"

namespace tt::bench {
namespace {

constexpr const char* kFmnistDir = "/usr/share/datasets/fashion-mnist";  // load_fashion_mnist's default
constexpr int kEpochs = 2;
constexpr int64_t kBatch = 64;
constexpr int64_t kLatencyCalls = 10000;

// The peer's 784-128-ReLU-64-ReLU-10; Linear+ReLU written as the fused nn::LinearAct (same
// parameters, same initialisation and arithmetic as Linear then ReLU; one op instead of two).
// Weights stored input-major (nn::WeightLayout, Note [Weight layout]): same values and state_dict;
// at batch 64 the first layer's product then reads W in place instead of transposing it.
std::shared_ptr<nn::Sequential> make_mlp() {
  auto model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::LinearAct>(784, 128, Activation::Relu),
      std::make_shared<nn::LinearAct>(128, 64, Activation::Relu), std::make_shared<nn::Linear>(64, 10)});
  nn::set_weight_layout(*model, nn::WeightLayout::InputMajor);
  return model;
}

// Batch-1 inference latency: eval mode, NoGradGuard, kLatencyCalls individually timed calls.
Latency inference_latency(nn::Module& model, const data::TensorDataset& test) {
  model.eval();
  Tensor x1 = contiguous(test.x().narrow(0, 0, 1));  // (1, 1, 28, 28)
  NoGradGuard ng;
  Latency lat = measure_latency([&] { do_not_optimize(model(x1).impl()); }, kLatencyCalls);
  std::cout << fmt::format("ours: batch-1 latency P50 {:.2f} us, P90 {:.2f}, P99 {:.2f}, P99.9 {:.2f}, max {:.1f}, "
                           "mean {:.2f} (target P50 <= 3 us)\n",
                           lat.p50, lat.p90, lat.p99, lat.p999, lat.max, lat.mean)
            << std::flush;
  return lat;
}

}  // namespace

std::vector<Result> suite_mlp(const SuiteArgs& args) {
  const int t = args.threads;
  TT_CHECK(std::filesystem::exists(std::string(kFmnistDir) + "/train-images-idx3-ubyte.gz"),
           "bench mlp: Fashion-MNIST not found in ", kFmnistDir,
           " (hint: apt-get install -y dataset-fashion-mnist, or tito data fetch fashion-mnist)");
  auto train = data::load_fashion_mnist(true), test = data::load_fashion_mnist(false);
  manual_seed(0);
  auto model = make_mlp();
  optim::Adam opt(model->parameters(), {{"lr", 1e-3}});
  // With one thread the batches are gathered inline, as the peer does: a prefetch thread would
  // borrow the second core and flatter the 1-thread figure.
  const int prefetch = t > 1 ? 2 : 0;
  data::DataLoader loader(train, {.batch_size = kBatch, .shuffle = true, .seed = 0, .drop_last = false, .prefetch = prefetch});

  LoadMonitor load;
  const TrainFigures tf = train_epochs(*model, opt, loader, *test, kEpochs, "mlp");
  const double allocs = system_allocs_per_step(*model, opt, loader, kEpochs);
  const Latency lat = inference_latency(*model, *test);
  std::cout << fmt::format("ours: background load {:.2f} cores (other processes, during our measurements)\n",
                           load.background_cores());

  auto fm = run_peer_configs("torch_fmnist.py", fmt::format("--model mlp --epochs {}", kEpochs), t, true);
  auto lt = run_peer_configs("torch_latency.py", fmt::format("--calls {}", kLatencyCalls), t, true);
  for (const PeerRun& r : lt)
    if (auto it = r.text.find("mlp_checkpoint"); it != r.text.end())
      std::cout << "peer:   torch_latency.py model checkpoint: " << it->second << "\n";

  std::vector<Result> results;
  results.push_back(compare("mlp_train_samples_per_s", tf.samples_per_s, "samples/s", Better::Higher, fm,
                            fmt::format("mlp_t{}_samples_per_s", t)));
  results.push_back(compare(fmt::format("mlp_test_acc_{}ep", kEpochs), tf.test_acc, "%", Better::Higher, fm,
                            fmt::format("mlp_t{}_epoch{}_test_acc", t, kEpochs)));
  results.push_back(make_result("mlp_train_system_allocs_per_step", allocs, std::nullopt,
                                "n/a: no peer counter (target 0)", "allocs", Better::Lower));
  for (auto [p, v] : {std::pair{"p50", lat.p50}, {"p90", lat.p90}, {"p99", lat.p99}})
    results.push_back(compare(fmt::format("mlp_infer_b1_{}", p), v, "us", Better::Lower, lt,
                              fmt::format("mlp_fp32_b1_t{}_{}", t, p)));
  return results;
}

}  // namespace tt::bench
