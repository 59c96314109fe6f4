// Milestone 1998: convolutional networks read documents (LeCun, Bottou, Bengio & Haffner, "Gradient-
// based learning applied to document recognition", LeNet-5). A LeNet-style CNN — two 3×3
// convolution blocks (conv, batch norm, ReLU, 2×2 max pool) and a two-layer classifier — must reach
// ≥ 91% test accuracy on Fashion-MNIST and ≥ 98.5% on MNIST-10k (8,000 train / 2,000 test). Both
// train with random crops (2 pixels of padding; Fashion also flips left-right), AdamW and a
// one-cycle schedule. With --cifar10 DIR a wider CNN also trains on CIFAR-10 (documented target
// ≥ 75%; the data set is not installed here). Outputs: curves (.svg), metrics (.jsonl) and the first
// layer's filters drawn as an image (cnn_filters_<set>.svg) in <out_dir>.
#include <algorithm>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>

#include "data/cifar.h"
#include "data/dataset.h"
#include "data/transforms.h"
#include "milestones/milestone.h"
#include "nn/nn.h"
#include "train/trainer.h"
#include "tinytorch.h"

namespace tt::milestones {
namespace {

using ModulePtr = std::shared_ptr<nn::Module>;

// conv 3×3 (padding 1) → batch norm → ReLU → 2×2 max pool: halves H and W.
std::vector<ModulePtr> conv_block(int64_t in, int64_t out, Generator* g) {
  return {std::make_shared<nn::Conv2d>(in, out, 3, 1, 1, 1, 1, false, g), std::make_shared<nn::BatchNorm2d>(out),
          std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2)};
}

// [N, 1, 28, 28] → 32 × 14 × 14 → 64 × 7 × 7 → 128 → 10.
std::shared_ptr<nn::Sequential> lenet(Generator* g) {
  auto model = std::make_shared<nn::Sequential>();
  for (auto& m : conv_block(1, 32, g)) model->push_back(m);
  for (auto& m : conv_block(32, 64, g)) model->push_back(m);
  model->push_back(std::make_shared<nn::Flatten>());
  model->push_back(std::make_shared<nn::LinearAct>(64 * 7 * 7, 128, Activation::Relu, true, g));
  model->push_back(std::make_shared<nn::Dropout>(0.3));
  model->push_back(std::make_shared<nn::Linear>(128, 10, true, g));
  return model;
}

// [N, 3, 32, 32] → 32×16² → 64×8² → 128×4² → global average → 10: a small VGG, two 3×3 convs per
// stage (~77 MFLOP per image forward; ~500 images/s training on 2 cores, so 20 epochs ≈ 35 min).
std::shared_ptr<nn::Sequential> cifar_net(Generator* g) {
  auto model = std::make_shared<nn::Sequential>();
  const int64_t widths[] = {3, 32, 64, 128};
  for (int i = 0; i < 3; ++i) {
    model->push_back(std::make_shared<nn::Conv2d>(widths[i], widths[i + 1], 3, 1, 1, 1, 1, false, g));
    model->push_back(std::make_shared<nn::BatchNorm2d>(widths[i + 1]));
    model->push_back(std::make_shared<nn::ReLU>());
    for (auto& m : conv_block(widths[i + 1], widths[i + 1], g)) model->push_back(m);
  }
  model->push_back(std::make_shared<nn::AdaptiveAvgPool2d>(1));
  model->push_back(std::make_shared<nn::Flatten>());
  model->push_back(std::make_shared<nn::Linear>(128, 10, true, g));
  return model;
}

// The first convolution's filters as a grid of grey squares (each filter scaled to its own
// min..max, one square per input channel's kernel): what the network learned to look for.
void write_filters_svg(const Tensor& weight, const std::string& path) {
  Tensor w = weight.detach().contiguous().to(kFloat32);  // [O, C, kH, kW]
  const int64_t o = w.size(0), c = w.size(1), kh = w.size(2), kw = w.size(3);
  const float* p = w.data_ptr<float>();
  const int cell = 12, gap = 4, cols = 8;
  const int64_t rows = (o + cols - 1) / cols, fw = c * kw * cell + gap, fh = kh * cell + gap;
  std::ofstream f(path);
  f << fmt::format("<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}'>\n", cols * fw + gap,
                   rows * fh + gap + 20);
  f << fmt::format("<text x='{}' y='14' font-family='sans-serif' font-size='12'>first-layer filters ({}x{}x{}x{})"
                   "</text>\n", gap, o, c, kh, kw);
  for (int64_t k = 0; k < o; ++k) {
    const float* fk = p + k * c * kh * kw;
    const auto [lo, hi] = std::minmax_element(fk, fk + c * kh * kw);
    const float span = std::max(*hi - *lo, 1e-12f);
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j) {
          const int grey = static_cast<int>(255.0f * (fk[(ch * kh + i) * kw + j] - *lo) / span);
          f << fmt::format("<rect x='{}' y='{}' width='{}' height='{}' fill='rgb({},{},{})'/>\n",
                           gap + (k % cols) * fw + (ch * kw + j) * cell, 20 + gap + (k / cols) * fh + i * cell, cell,
                           cell, grey, grey, grey);
        }
  }
  f << "</svg>\n";
}

struct RunSpec {
  std::string set;
  std::shared_ptr<data::TensorDataset> train, test;
  std::shared_ptr<const data::Transform> augment;  // training batches only
  int64_t epochs;
  double max_lr;
};

double train_cnn(const RunSpec& s, std::shared_ptr<nn::Sequential> model, const MilestoneArgs& a) {
  data::DataLoaderOptions tro{.batch_size = 64, .shuffle = true, .seed = a.seed, .drop_last = false, .prefetch = 2};
  tro.transform = data::batch_transform(s.augment);
  data::DataLoader train(s.train, tro);
  data::DataLoader test(s.test, {.batch_size = 500, .shuffle = false, .seed = 0, .drop_last = false, .prefetch = 0});
  optim::AdamW opt(model->parameters(), {{"lr", s.max_lr / 10}, {"weight_decay", 5e-4}});
  optim::OneCycleLR sched(opt, s.max_lr, s.epochs * train.num_batches());
  train::TrainerOptions to;
  to.epochs = s.epochs;
  to.progress = !a.quiet;
  to.scheduler_per_step = true;
  to.title = "cnn/" + s.set;
  if (!a.out_dir.empty()) {
    to.metrics_path = a.out_dir + "/cnn_" + s.set + ".jsonl";
    to.plot_path = a.out_dir + "/cnn_" + s.set + ".svg";
    std::filesystem::remove(to.metrics_path);
  }
  nn::CrossEntropyLoss ce;
  train::Trainer trainer(*model, opt, ce, to);
  trainer.set_scheduler(&sched);
  auto hist = trainer.fit(train, &test);
  if (!a.out_dir.empty()) {
    auto* conv = dynamic_cast<nn::Conv2d*>((*model)[0].get());
    if (conv) write_filters_svg(conv->weight, a.out_dir + "/cnn_filters_" + s.set + ".svg");
  }
  return hist.empty() ? 0.0 : hist.back().eval_accuracy;
}

// Random crops with the padding filled by the background: pixel value 0 after (x − mean) / std.
std::shared_ptr<const data::Transform> augment(double mean, double std, bool flip) {
  std::vector<std::shared_ptr<const data::Transform>> t = {
      std::make_shared<data::RandomCrop>(28, 2, -mean / std)};
  if (flip) t.push_back(std::make_shared<data::RandomHorizontalFlip>(0.5));
  return std::make_shared<data::Compose>(t);
}

}  // namespace

std::shared_ptr<nn::Sequential> lenet_model(Generator* g) { return lenet(g); }

MilestoneResult run_cnn(const MilestoneArgs& a) {
  MilestoneResult r;
  manual_seed(a.seed);
  Generator g(a.seed + 1998);
  RunSpec mnist{"mnist", data::load_mnist(true), data::load_mnist(false), augment(0.1307, 0.3081, false),
                a.epochs > 0 ? a.epochs : 15, 3e-3};
  const double mnist_acc = train_cnn(mnist, lenet_model(&g), a);
  RunSpec fashion{"fashion", data::load_fashion_mnist(true), data::load_fashion_mnist(false),
                  augment(0.2860, 0.3530, true), a.epochs > 0 ? a.epochs : 10, 3e-3};
  const double fashion_acc = train_cnn(fashion, lenet_model(&g), a);
  r.metrics = {{"mnist_test_accuracy", mnist_acc}, {"fashion_test_accuracy", fashion_acc}};
  r.passed = mnist_acc >= 0.985 && fashion_acc >= 0.91;
  if (!a.cifar10_dir.empty()) {  // documented target ≥ 75% (docs/spatial.md); not part of `passed`
    RunSpec cifar{"cifar10", data::load_cifar10(a.cifar10_dir, true), data::load_cifar10(a.cifar10_dir, false),
                  data::cifar10_transform(true), a.epochs > 0 ? a.epochs : 20, 4e-3};
    // The test split is normalised once here; training batches are normalised by the transform.
    Tensor test_x = cifar.test->x();  // a handle: normalised in place
    data::cifar10_transform(false)->apply(test_x, 0);
    r.metrics["cifar10_test_accuracy"] = train_cnn(cifar, cifar_net(&g), a);
  }
  return r;
}

}  // namespace tt::milestones
