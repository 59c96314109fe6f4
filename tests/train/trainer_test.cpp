// Tests for train/trainer: a tiny 3-class problem trains (loss falls, accuracy rises, eval agrees),
// the JSONL metrics log has one valid object per epoch with the documented keys, the SVG plot is
// written, schedulers step per epoch or per batch, and a non-finite loss is a clear error that leaves
// the parameters untouched. Checkpoint save/resume lives in checkpoint_test.cpp.
#include "train/trainer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/generator.h"
#include "nn/nn.h"
#include "tensor_expect.h"
#include "temp_dir.h"

namespace tt {
namespace {

namespace fs = std::filesystem;

// Three Gaussian blobs in 2-D (centres on a triangle, σ = 0.5): separable to ~100%.
std::shared_ptr<data::TensorDataset> blobs(int64_t n, uint64_t seed) {
  Generator g(seed);
  Tensor y = randint(0, 3, Shape{n}, &g);
  const double cx[3] = {0, 3, -3}, cy[3] = {3, -2, -2};
  Tensor x = randn(Shape{n, 2}, &g) * 0.5;
  std::vector<double> centre;
  for (int64_t c : y.to_vector<int64_t>()) centre.push_back(cx[c]), centre.push_back(cy[c]);
  return std::make_shared<data::TensorDataset>(x + from_vector(centre, Shape{n, 2}).to(kFloat32), y);
}

std::shared_ptr<nn::Sequential> classifier(Generator* g) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(2, 16, true, g), std::make_shared<nn::Tanh>(),
      std::make_shared<nn::Linear>(16, 3, true, g)});
}

data::DataLoaderOptions loader(int64_t batch, bool shuffle, uint64_t seed = 0) {
  data::DataLoaderOptions o;
  o.batch_size = batch, o.shuffle = shuffle, o.seed = seed;
  return o;
}

class TrainerTest : public ::tt::testing::TempDirTest {
 protected:
};

TEST_F(TrainerTest, TinyClassifierLearnsAndLogsEveryEpoch) {
  Generator g(3);
  auto model = classifier(&g);
  optim::Adam opt(model->parameters(), {{"lr", 0.02}});
  optim::StepLR sched(opt, 2, 0.5);
  data::DataLoader train(blobs(240, 1), loader(16, true, 7));
  data::DataLoader eval(blobs(90, 2), loader(30, false));
  train::TrainerOptions to;
  to.epochs = 6, to.progress = false, to.title = "blobs";
  to.metrics_path = path("metrics.jsonl"), to.plot_path = path("plots/curves.svg");
  train::Trainer trainer(*model, opt, nn::CrossEntropyLoss{}, to);
  trainer.set_scheduler(&sched);
  // A zeroed output layer predicts uniformly: loss ln 3 and argmax class 0 (about a third right).
  auto out = std::dynamic_pointer_cast<nn::Linear>((*model)[2]);
  nn::init::zeros_(out->weight);
  nn::init::zeros_(out->bias);
  const train::EvalResult before = trainer.evaluate(eval);
  EXPECT_NEAR(before.loss, std::log(3.0), 1e-6);
  EXPECT_LT(before.accuracy, 0.5);
  std::vector<train::EpochMetrics> hist = trainer.fit(train, &eval);

  ASSERT_EQ(hist.size(), 6u);
  EXPECT_EQ(trainer.step(), 6 * 15);
  EXPECT_LT(hist.back().train_loss, 0.5 * hist.front().train_loss);
  EXPECT_LT(hist.back().eval_loss, 0.25 * before.loss);
  EXPECT_GT(hist.back().train_accuracy, hist.front().train_accuracy);
  EXPECT_GE(hist.back().eval_accuracy, 0.95);
  EXPECT_GT(hist.back().eval_accuracy, before.accuracy);
  for (size_t e = 0; e < hist.size(); ++e) {
    EXPECT_EQ(hist[e].epoch, static_cast<int64_t>(e));
    EXPECT_DOUBLE_EQ(hist[e].lr, 0.02 * std::pow(0.5, static_cast<double>((e + 1) / 2)));  // per-epoch StepLR
  }
  EXPECT_TRUE(model->is_training());  // evaluate() restored the mode

  // One JSON object per epoch, with every documented key.
  std::ifstream f(path("metrics.jsonl"));
  std::string line;
  int64_t n = 0;
  while (std::getline(f, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << "line " << n << ": " << line;
    for (const char* k : {"epoch", "step", "train_loss", "train_accuracy", "eval_loss", "eval_accuracy",
                          "samples_per_s", "seconds", "lr"})
      EXPECT_TRUE(j.contains(k) && j[k].is_number()) << "line " << n << " lacks number \"" << k << "\": " << line;
    EXPECT_EQ(j["epoch"], n);
    EXPECT_EQ(j["step"], (n + 1) * 15);
    EXPECT_DOUBLE_EQ(j["train_loss"].get<double>(), hist[n].train_loss);
    EXPECT_DOUBLE_EQ(j["eval_accuracy"].get<double>(), hist[n].eval_accuracy);
    ++n;
  }
  EXPECT_EQ(n, 6);

  // The SVG plot: a complete document with the title and both panels.
  std::ifstream svg_file(path("plots/curves.svg"));
  ASSERT_TRUE(svg_file.good()) << "plot not written";
  std::string svg((std::istreambuf_iterator<char>(svg_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.rfind("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("blobs"), std::string::npos);
  EXPECT_NE(svg.find("Accuracy"), std::string::npos);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
}

TEST_F(TrainerTest, EvaluateCountsEverySampleWithoutTraining) {
  Generator g(4);
  auto model = classifier(&g);
  optim::SGD opt(model->parameters(), {{"lr", 0.1}});
  train::TrainerOptions to;
  to.progress = false;
  train::Trainer trainer(*model, opt, nn::CrossEntropyLoss{}, to);
  nn::StateDict before = model->state_dict();
  std::vector<Tensor> copies;
  for (auto& [k, v] : before) copies.push_back(v.detach().clone());
  data::DataLoader eval(blobs(50, 5), loader(16, false));  // 16+16+16+2
  model->eval();
  train::EvalResult r = trainer.evaluate(eval);
  EXPECT_EQ(r.samples, 50);
  EXPECT_GE(r.accuracy, 0.0);
  EXPECT_LE(r.accuracy, 1.0);
  EXPECT_GT(r.loss, 0.0);
  EXPECT_FALSE(model->is_training());  // the caller's mode is kept
  for (size_t i = 0; i < copies.size(); ++i) EXPECT_TRUE(testing::bitwise_equal(before[i].second, copies[i]));
  for (const Tensor& p : model->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST_F(TrainerTest, SchedulerPerStepAndGradientClipping) {
  Generator g(5);
  auto model = classifier(&g);
  optim::SGD opt(model->parameters(), {{"lr", 0.1}, {"momentum", 0.9}});
  optim::LinearLR sched(opt, 0.5, 1.0, 10);
  data::DataLoader train(blobs(64, 6), loader(16, true, 1));
  train::TrainerOptions to;
  to.epochs = 2, to.progress = false, to.scheduler_per_step = true, to.clip_grad_norm = 0.01;
  train::Trainer trainer(*model, opt, nn::CrossEntropyLoss{}, to);
  trainer.set_scheduler(&sched);
  trainer.fit(train, nullptr);
  EXPECT_EQ(sched.last_epoch(), 8);  // 2 epochs × 4 batches
  EXPECT_DOUBLE_EQ(opt.get("lr"), 0.1 * (0.5 + 0.5 * 8 / 10));
}

TEST_F(TrainerTest, NonFiniteLossIsAClearErrorAndLeavesParametersAlone) {
  Generator g(6);
  auto model = classifier(&g);
  optim::Adam opt(model->parameters(), {{"lr", 0.01}});
  data::DataLoader train(blobs(32, 7), loader(8, false));
  train::TrainerOptions to;
  to.epochs = 3, to.progress = false, to.metrics_path = path("m.jsonl");
  int calls = 0;
  // Finite for two batches, then log(0) = −inf.
  train::LossFn loss = [&](const Tensor& out, const Tensor& y) {
    Tensor l = nn::functional::cross_entropy(out, y);
    return ++calls <= 2 ? l : l + log(zeros(Shape{}));
  };
  train::Trainer trainer(*model, opt, loss, to);
  EXPECT_TT_ERROR(trainer.fit(train, nullptr), "Trainer", "loss became", "inf", "step 3", "hint");
  EXPECT_EQ(trainer.step(), 2);
  // The failing step leaves the parameters bit-identical: the loss never reached backward or step.
  std::vector<Tensor> before;
  for (const Tensor& p : model->parameters()) before.push_back(p.detach().clone());
  train.start_epoch(0);
  data::Batch b;
  ASSERT_TRUE(train.next(b));
  EXPECT_THROW(trainer.train_step(b, nullptr), Error);
  for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(testing::bitwise_equal(model->parameters()[i], before[i]));
  EXPECT_FALSE(fs::exists(path("m.jsonl")));  // the epoch never completed
}

TEST_F(TrainerTest, CountCorrectAndBadOptions) {
  Tensor logits = from_vector<float>({0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f}, Shape{3, 2});
  EXPECT_EQ(train::count_correct(logits, from_vector<int64_t>({1, 0, 0}, Shape{3})), 2);
  EXPECT_EQ(train::count_correct(logits, from_vector<float>({1, 0, 0}, Shape{3})), 0);  // not class indices
  Generator g(1);
  auto model = classifier(&g);
  optim::SGD opt(model->parameters(), {{"lr", 0.1}});
  train::TrainerOptions to;
  to.epochs = -1;
  EXPECT_TT_ERROR(train::Trainer(*model, opt, nn::CrossEntropyLoss{}, to), "Trainer", "epochs", "-1");
  train::TrainerOptions ok;
  ok.progress = false;
  train::Trainer t(*model, opt, [](const Tensor& o, const Tensor&) { return o.sum(Shape{1}); }, ok);
  data::DataLoader dl(blobs(8, 1), loader(4, false));
  dl.start_epoch(0);
  data::Batch b;
  ASSERT_TRUE(dl.next(b));
  EXPECT_TT_ERROR(t.train_step(b, nullptr), "Trainer", "scalar", "[4]");
}

}  // namespace
// fit() after resume() continues from the checkpoint's epoch with the same losses as a run that
// never stopped (the checkpoint is written by the Trainer at the end of every epoch).
TEST_F(TrainerTest, FitAfterResumeContinuesTheSameRun) {
  // Trains `epochs` epochs (checkpointing each), optionally resuming from a checkpoint first.
  auto run = [&](int64_t epochs, const std::string& ckpt, const std::string& resume_from) {
    Generator g(5);
    auto model = classifier(&g);
    optim::Adam opt(model->parameters(), {{"lr", 0.02}});
    optim::StepLR sched(opt, 2, 0.5);
    data::DataLoader train(blobs(120, 1), loader(16, true, 7));
    train::TrainerOptions to;
    to.epochs = epochs, to.progress = false, to.checkpoint_path = ckpt;
    train::Trainer trainer(*model, opt, nn::CrossEntropyLoss{}, to);
    trainer.set_scheduler(&sched);
    if (!resume_from.empty()) {
      EXPECT_EQ(trainer.resume(resume_from).first, 2);
    }
    return trainer.fit(train, nullptr);
  };
  manual_seed(11);
  auto full = run(4, path("full.ckpt"), "");
  ASSERT_EQ(full.size(), 4u);
  manual_seed(11);
  run(2, path("half.ckpt"), "");  // the state after epoch 2
  manual_seed(999);  // the checkpoint's RNG state must win
  auto rest = run(4, path("rest.ckpt"), path("half.ckpt"));
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].epoch, 2);
  EXPECT_EQ(rest[0].train_loss, full[2].train_loss);
  EXPECT_EQ(rest[1].train_loss, full[3].train_loss);
}

}  // namespace tt
