// Suite `cnn`: the peer's small CNN on Fashion-MNIST — conv 1→8 3×3, ReLU, max pool 2, conv 8→16
// 3×3, ReLU, max pool 2, linear 400→10; batch 64, Adam lr 1e-3, cross-entropy — training samples/s
// measured like the peer (bench/train_loop.h; peer bench/peers/torch_fmnist.py --model cnn), test
// accuracy, allocations per step; and Conv2d forward / forward+backward GFLOP/s with % of this
// machine's FMA peak for five layer shapes (peer bench/peers/torch_conv.py, same shapes).
#include <fmt/core.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "bench/peer.h"
#include "bench/suites.h"
#include "bench/train_loop.h"
#include "core/parallel.h"
#include "hw/ceilings.h"
#include "nn/nn.h"
#include "tinytorch.h"

namespace tt::bench {
namespace {

constexpr const char* kFmnistDir = "/usr/share/datasets/fashion-mnist";
constexpr int kEpochs = 2;

std::shared_ptr<nn::Sequential> make_cnn() {  // as common.make_cnn in the peer
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(1, 8, 3), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2),
      std::make_shared<nn::Conv2d>(8, 16, 3), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2),
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(16 * 5 * 5, 10)});
}

struct ConvLayer {
  const char* name;
  int64_t n, c, o, k, h, pad, groups;
};
// The list in torch_conv.py.
constexpr ConvLayer kLayers[] = {{"cnn1", 64, 1, 8, 3, 28, 0, 1},
                                 {"cnn2", 64, 8, 16, 3, 13, 0, 1},
                                 {"c64", 16, 64, 64, 3, 32, 1, 1},
                                 {"pw", 16, 64, 128, 1, 32, 0, 1},
                                 {"dw", 16, 64, 64, 3, 32, 1, 64}};

// Forward and forward+backward GFLOP/s of one layer (FLOPs as torch_conv.py counts them).
std::pair<double, double> conv_gflops(const ConvLayer& l) {
  Tensor x = randn(Shape{l.n, l.c, l.h, l.h}), w = randn(Shape{l.o, l.c / l.groups, l.k, l.k}) * 0.1,
         b = randn(Shape{l.o});
  const Conv2dOptions opt{.stride = 1, .padding = l.pad, .dilation = 1, .groups = l.groups};
  const int64_t oh = l.h + 2 * l.pad - l.k + 1;
  const double flops = 2.0 * l.n * l.o * oh * oh * (l.c / l.groups) * l.k * l.k;
  double fwd;
  {
    NoGradGuard ng;
    fwd = time_per_call([&] { do_not_optimize(conv2d(x, w, b, opt).impl()); }, 0.1);
  }
  Tensor xg = x.detach().requires_grad_(true), wg = w.detach().requires_grad_(true),
         bg = b.detach().requires_grad_(true);
  Tensor g = randn(Shape{l.n, l.o, oh, oh});
  const double both = time_per_call([&] {
    xg.set_grad(Tensor()), wg.set_grad(Tensor()), bg.set_grad(Tensor());
    conv2d(xg, wg, bg, opt).backward(g);
  }, 0.1);
  return {flops / fwd * 1e-9, 3 * flops / both * 1e-9};
}

}  // namespace

std::vector<Result> suite_cnn(const SuiteArgs& args) {
  const int t = args.threads;
  TT_CHECK(std::filesystem::exists(std::string(kFmnistDir) + "/train-images-idx3-ubyte.gz"),
           "bench cnn: Fashion-MNIST not found in ", kFmnistDir,
           " (hint: apt-get install -y dataset-fashion-mnist, or tito data fetch fashion-mnist)");
  auto train = data::load_fashion_mnist(true), test = data::load_fashion_mnist(false);
  manual_seed(0);
  auto model = make_cnn();
  optim::Adam opt(model->parameters(), {{"lr", 1e-3}});
  // Batches gathered inline, as the peer does. A prefetch thread would compete with the compute
  // threads for the 2 cores: at 2 threads it cut training from ~91k to ~58k samples/s.
  data::DataLoader loader(train, {.batch_size = 64, .shuffle = true, .seed = 0, .drop_last = false,
                                  .prefetch = 0});
  LoadMonitor load;
  const TrainFigures tf = train_epochs(*model, opt, loader, *test, kEpochs, "cnn");
  const double allocs = system_allocs_per_step(*model, opt, loader, kEpochs);

  const hw::Ceilings hw = hw::ceilings();
  const double peak = t == 1 ? hw.peak_gflops_1 : t == hw.threads ? hw.peak_gflops_all : hw.peak_gflops_1 * t;
  std::vector<std::pair<double, double>> conv;
  for (const ConvLayer& l : kLayers) {
    conv.push_back(conv_gflops(l));
    std::cout << fmt::format("ours: conv {:<5} N={} {}->{} {}x{} on {}x{}{}: forward {:.1f} GFLOP/s ({:.0f}% of "
                             "{:.0f} peak), forward+backward {:.1f}\n",
                             l.name, l.n, l.c, l.o, l.k, l.k, l.h, l.h, l.groups > 1 ? " depthwise" : "",
                             conv.back().first, 100 * conv.back().first / peak, peak, conv.back().second)
              << std::flush;
  }
  std::cout << fmt::format("ours: background load {:.2f} cores\n", load.background_cores());

  auto fm = run_peer_configs("torch_fmnist.py", fmt::format("--model cnn --epochs {}", kEpochs), t, true);
  auto cv = run_peer_configs("torch_conv.py", "", t, false);
  std::vector<Result> results;
  results.push_back(compare("cnn_train_samples_per_s", tf.samples_per_s, "samples/s", Better::Higher, fm,
                            fmt::format("cnn_t{}_samples_per_s", t)));
  results.push_back(compare(fmt::format("cnn_test_acc_{}ep", kEpochs), tf.test_acc, "%", Better::Higher, fm,
                            fmt::format("cnn_t{}_epoch{}_test_acc", t, kEpochs)));
  results.push_back(make_result("cnn_train_system_allocs_per_step", allocs, std::nullopt,
                                "n/a: no peer counter (target 0)", "allocs", Better::Lower));
  for (size_t i = 0; i < std::size(kLayers); ++i) {
    const std::string n = kLayers[i].name;
    results.push_back(compare("conv_" + n + "_fwd", conv[i].first, "GFLOP/s", Better::Higher, cv,
                              fmt::format("conv_{}_fwd_t{}", n, t)));
    results.push_back(compare("conv_" + n + "_fwdbwd", conv[i].second, "GFLOP/s", Better::Higher, cv,
                              fmt::format("conv_{}_fwdbwd_t{}", n, t)));
  }
  return results;
}

}  // namespace tt::bench
