// Milestone 1986: backpropagation trains a multi-layer perceptron (Rumelhart, Hinton & Williams).
// MNIST-10k (8,000 train / 2,000 test, our stratified split) must reach ≥ 97% test accuracy and
// Fashion-MNIST (60k / 10k) ≥ 89%. MNIST has few training images, so each batch is augmented with
// random shifts of up to 2 pixels (a cheap way to see more digits); both use dropout, AdamW and a
// one-cycle schedule. Curves are written to <out_dir>/mlp_<set>.svg, metrics to .jsonl.
#include <cstring>
#include <filesystem>

#include "data/dataset.h"
#include "milestones/milestone.h"
#include "nn/nn.h"
#include "train/trainer.h"
#include "tinytorch.h"

namespace tt::milestones {

std::shared_ptr<nn::Sequential> mlp_model(Generator* g) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(784, 512, true, g), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Dropout>(0.2), std::make_shared<nn::Linear>(512, 256, true, g), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Dropout>(0.2), std::make_shared<nn::Linear>(256, 10, true, g)});
}

namespace {

// Wraps a TensorDataset of (N, 1, H, W) images; every batch shifts each image by a random
// (dy, dx) ∈ [−s, s]², filling with the background value (the minimum pixel value).
class ShiftedImages : public data::Dataset {
 public:
  ShiftedImages(std::shared_ptr<data::TensorDataset> base, int shift, uint64_t seed)
      : base_(std::move(base)), shift_(shift), gen_(seed) {}
  int64_t size() const override { return base_->size(); }
  data::Batch example(int64_t i) const override { return base_->example(i); }
  data::Batch get_batch(const std::vector<int64_t>& idx) const override {
    data::Batch b = base_->get_batch(idx);
    const int64_t n = b.x.shape()[0], h = b.x.shape()[2], w = b.x.shape()[3];
    float* p = b.x.data_ptr<float>();
    std::vector<float> tmp(h * w);
    for (int64_t k = 0; k < n; ++k) {
      float* img = p + k * h * w;
      float bg = *std::min_element(img, img + h * w);
      int dy = static_cast<int>(gen_.randint(-shift_, shift_ + 1)), dx = static_cast<int>(gen_.randint(-shift_, shift_ + 1));
      for (int64_t r = 0; r < h; ++r)
        for (int64_t c = 0; c < w; ++c) {
          int64_t sr = r - dy, sc = c - dx;
          tmp[r * w + c] = (sr >= 0 && sr < h && sc >= 0 && sc < w) ? img[sr * w + sc] : bg;
        }
      std::memcpy(img, tmp.data(), tmp.size() * sizeof(float));
    }
    return b;
  }

 private:
  std::shared_ptr<data::TensorDataset> base_;
  int shift_;
  mutable Generator gen_;  // used only by the loader's single prefetch thread
};

double train_mlp(const std::string& set, std::shared_ptr<const data::Dataset> train_ds,
                 std::shared_ptr<data::TensorDataset> test_ds, int64_t epochs, const MilestoneArgs& a) {
  manual_seed(a.seed);
  Generator g(a.seed + 1986);
  std::shared_ptr<nn::Sequential> model_ptr = mlp_model(&g);
  nn::Sequential& model = *model_ptr;
  data::DataLoader train(train_ds, {.batch_size = 64, .shuffle = true, .seed = a.seed, .drop_last = false, .prefetch = 2});
  data::DataLoader test(test_ds, {.batch_size = 1000, .shuffle = false, .seed = 0, .drop_last = false, .prefetch = 0});
  optim::AdamW opt(model.parameters(), {{"lr", 1e-3}, {"weight_decay", 1e-4}});
  optim::OneCycleLR sched(opt, 2e-3, epochs * train.num_batches());
  train::TrainerOptions to;
  to.epochs = epochs;
  to.progress = !a.quiet;
  to.scheduler_per_step = true;
  to.title = "mlp/" + set;
  if (!a.out_dir.empty()) {
    to.metrics_path = a.out_dir + "/mlp_" + set + ".jsonl";
    to.plot_path = a.out_dir + "/mlp_" + set + ".svg";
    std::filesystem::remove(to.metrics_path);
  }
  nn::CrossEntropyLoss ce;
  train::Trainer trainer(model, opt, ce, to);
  trainer.set_scheduler(&sched);
  auto hist = trainer.fit(train, &test);
  return hist.empty() ? 0.0 : hist.back().eval_accuracy;
}

}  // namespace

MilestoneResult run_mlp(const MilestoneArgs& a) {
  MilestoneResult r;
  auto mnist_train = data::load_mnist(true), mnist_test = data::load_mnist(false);
  double mnist = train_mlp("mnist", std::make_shared<ShiftedImages>(mnist_train, 2, a.seed + 7), mnist_test,
                           a.epochs > 0 ? a.epochs : 30, a);
  auto fashion_train = data::load_fashion_mnist(true), fashion_test = data::load_fashion_mnist(false);
  double fashion = train_mlp("fashion", fashion_train, fashion_test, a.epochs > 0 ? a.epochs : 12, a);
  r.metrics = {{"mnist_test_accuracy", mnist}, {"fashion_test_accuracy", fashion}};
  r.passed = mnist >= 0.97 && fashion >= 0.89;
  return r;
}

}  // namespace tt::milestones
