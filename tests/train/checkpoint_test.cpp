// Tests for io/checkpoint and Trainer::save/resume: a full round trip (model, optimizer, scheduler,
// RNG, training state); corrupt or foreign files (flipped bytes, truncation, wrong format, plain
// safetensors, wrong optimizer, wrong model) each give a tt::Error naming the file, never a crash;
// and the resume guarantee: training resumed from a checkpoint IN A NEW PROCESS (this binary re-run
// with a gtest filter) produces bitwise the same losses as an uninterrupted run.
#include "io/checkpoint.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/generator.h"
#include "io/atomic_file.h"
#include "io/tensor_io.h"
#include "nn/nn.h"
#include "tensor_expect.h"
#include "train/trainer.h"
#include "temp_dir.h"

extern char** environ;

namespace tt {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

class Checkpoint : public ::tt::testing::TempDirTest {
 protected:
};

std::shared_ptr<nn::Sequential> small_model(int64_t hidden = 5) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(4, hidden), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(hidden, 2)});
}

// A few Adam steps so the optimizer has state worth saving.
void train_a_little(nn::Module& m, optim::Optimizer& opt, optim::LRScheduler* sched, int steps) {
  Generator g(17);
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    Tensor y = m(randn(Shape{8, 4}, &g));
    mean(y * y).backward();
    opt.step();
    if (sched) sched->step();
  }
}

void expect_same_state(const nn::Module& a, const nn::Module& b) {
  auto sa = a.state_dict(), sb = b.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) EXPECT_TRUE(testing::bitwise_equal(sa[i].second, sb[i].second)) << sa[i].first;
}

TEST_F(Checkpoint, RoundTripRestoresEverything) {
  manual_seed(1);
  auto model = small_model();
  optim::Adam opt(model->parameters(), {{"lr", 0.01}, {"amsgrad", 1}});
  optim::StepLR sched(opt, 2, 0.5);
  train_a_little(*model, opt, &sched, 5);
  io::TrainingState st;
  st.step = 5, st.epoch = 2, st.batch_in_epoch = 3, st.loader_seed = 0xFFFFFFFFFFFFFFF1ULL;
  st.extra = {{"best_accuracy", 0.875}, {"patience", 2}};
  io::save_checkpoint(path("ck.safetensors"), *model, &opt, &sched, st);
  const double next_random = default_generator().normal();  // what the resumed run must draw next

  manual_seed(2);  // a different "process": other weights, other RNG state
  auto model2 = small_model();
  optim::Adam opt2(model2->parameters(), {{"lr", 0.01}, {"amsgrad", 1}});
  optim::StepLR sched2(opt2, 2, 0.5);
  io::TrainingState got = io::load_checkpoint(path("ck.safetensors"), *model2, &opt2, &sched2);

  expect_same_state(*model, *model2);
  EXPECT_EQ(default_generator().normal(), next_random);
  EXPECT_EQ(got.step, 5);
  EXPECT_EQ(got.epoch, 2);
  EXPECT_EQ(got.batch_in_epoch, 3);
  EXPECT_EQ(got.loader_seed, 0xFFFFFFFFFFFFFFF1ULL);  // full 64 bits survive the JSON
  EXPECT_EQ(got.extra, st.extra);
  EXPECT_EQ(sched2.last_epoch(), 5);
  EXPECT_EQ(opt2.get("lr"), opt.get("lr"));
  optim::OptimizerState a = opt.state_dict(), b = opt2.state_dict();
  EXPECT_EQ(a.scalars, b.scalars);
  ASSERT_EQ(a.tensors.size(), 3u * 4);  // exp_avg, exp_avg_sq, max_exp_avg_sq per parameter
  for (auto& [k, v] : a.tensors) {
    ASSERT_NE(nn::find_in(b.tensors, k), nullptr) << k;
    EXPECT_TRUE(testing::bitwise_equal(*nn::find_in(b.tensors, k), v)) << k;
  }
  // Both continue identically.
  train_a_little(*model, opt, &sched, 3);
  train_a_little(*model2, opt2, &sched2, 3);
  expect_same_state(*model, *model2);
}

TEST_F(Checkpoint, ModelOnlyCheckpointAndOptionalParts) {
  auto model = small_model();
  io::save_checkpoint(path("m.safetensors"), *model, nullptr, nullptr, {});
  auto model2 = small_model();
  io::load_checkpoint(path("m.safetensors"), *model2, nullptr, nullptr);
  expect_same_state(*model, *model2);
  optim::SGD opt(model2->parameters(), {{"lr", 0.1}});
  EXPECT_TT_ERROR(io::load_checkpoint(path("m.safetensors"), *model2, &opt, nullptr), path("m.safetensors"),
                  "no optimizer state");
}

// ---- corrupt and foreign files: each a tt::Error naming the file -----------------------------

void write_bytes(const std::string& file, const Bytes& b) {  // plain write: no fsync, fuzzing writes thousands
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(b.data()), b.size());
}

class CorruptCheckpoint : public Checkpoint {
 protected:
  void SetUp() override {
    Checkpoint::SetUp();
    manual_seed(3);
    model_ = small_model();
    opt_ = std::make_unique<optim::Adam>(model_->parameters(), optim::Options{{"lr", 0.01}});
    train_a_little(*model_, *opt_, nullptr, 2);
    io::save_checkpoint(good(), *model_, opt_.get(), nullptr, {});
    bytes_ = io::read_file(good());
  }
  std::string good() const { return path("good.safetensors"); }
  // Loads `file` into a fresh model/optimizer; returns the tt::Error message ("" and a failure if none).
  std::string load_error(const std::string& file) {
    auto m = small_model();
    optim::Adam o(m->parameters(), {{"lr", 0.01}});
    return testing::error_message([&] { io::load_checkpoint(file, *m, &o, nullptr); });
  }
  std::string write(const std::string& name, const Bytes& b) const {
    write_bytes(path(name), b);
    return path(name);
  }
  size_t data_start() const {
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes_[i];
    return 8 + n;
  }
  std::shared_ptr<nn::Sequential> model_;
  std::unique_ptr<optim::Adam> opt_;
  Bytes bytes_;
};

TEST_F(CorruptCheckpoint, FlippedDataByteIsAChecksumMismatch) {
  for (size_t at : {data_start(), data_start() + 37, bytes_.size() - 1}) {
    Bytes b = bytes_;
    b[at] ^= 0x01;
    const std::string f = write("flipped.safetensors", b);
    testing::expect_mentions(load_error(f), {"checkpoint", f, "checksum mismatch", "corrupt"});
  }
}

TEST_F(CorruptCheckpoint, EveryByteFlipIsAnErrorNotACrash) {
  const std::string f = path("fuzz.safetensors");
  for (size_t at = 0; at < bytes_.size(); ++at) {
    Bytes b = bytes_;
    b[at] ^= (at % 2 ? 0x80 : 0x01);
    write_bytes(f, b);
    auto m = small_model();
    optim::Adam o(m->parameters(), {{"lr", 0.01}});
    try {
      io::load_checkpoint(f, *m, &o, nullptr);
      // Only a flip the format ignores (JSON padding can become another blank) may load, and then intact.
      expect_same_state(*m, *model_);
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find(f), std::string::npos) << "byte " << at << ": " << e.what();
    }
  }
}

TEST_F(CorruptCheckpoint, TruncatedFileIsAnError) {
  for (size_t len : {size_t{0}, size_t{5}, size_t{8}, size_t{20}, data_start() - 1, data_start(), data_start() + 3,
                     bytes_.size() / 2, bytes_.size() - 1}) {
    const std::string f = write("short.safetensors", Bytes(bytes_.begin(), bytes_.begin() + len));
    const std::string msg = load_error(f);
    testing::expect_mentions(msg, {f});
    EXPECT_TRUE(msg.find("truncated") != std::string::npos || msg.find("shorter") != std::string::npos ||
                msg.find("out of range") != std::string::npos || msg.find("not valid JSON") != std::string::npos)
        << "length " << len << ": " << msg;
  }
}

TEST_F(CorruptCheckpoint, WrongFormatMetadataIsAnError) {
  io::SafetensorsFile sf = io::read_safetensors(good());
  std::vector<io::TensorToWrite> tw;
  for (auto& e : sf.tensors) tw.push_back({e.name, e.dtype, e.shape, sf.bytes(e), e.end - e.begin});
  auto meta = sf.metadata;
  meta["format"] = "tinytorch-checkpoint-v0";
  io::write_safetensors(path("v0.safetensors"), tw, meta);
  testing::expect_mentions(load_error(path("v0.safetensors")),
                           {path("v0.safetensors"), "format", "tinytorch-checkpoint-v0", "tinytorch-checkpoint-v1"});
  meta = sf.metadata;
  meta["state"] = "[1, 2";  // not JSON: caught by the checksum first, as the state is covered by it
  io::write_safetensors(path("state.safetensors"), tw, meta);
  testing::expect_mentions(load_error(path("state.safetensors")), {path("state.safetensors"), "checksum mismatch"});
  meta = sf.metadata;
  meta.erase("checksum");
  io::write_safetensors(path("nosum.safetensors"), tw, meta);
  testing::expect_mentions(load_error(path("nosum.safetensors")), {path("nosum.safetensors"), "checksum"});
}

TEST_F(CorruptCheckpoint, PlainSafetensorsIsNotACheckpoint) {
  io::save_safetensors(path("plain.safetensors"), model_->state_dict());
  testing::expect_mentions(load_error(path("plain.safetensors")),
                           {path("plain.safetensors"), "missing metadata", "format", "not a TinyTorch checkpoint"});
  EXPECT_TT_ERROR(io::load_checkpoint(path("absent.safetensors"), *model_, nullptr, nullptr), "absent.safetensors");
  fs::create_directory(path("dir.safetensors"));
  EXPECT_TT_ERROR(io::load_checkpoint(path("dir.safetensors"), *model_, nullptr, nullptr), "dir.safetensors");
}

TEST_F(CorruptCheckpoint, WrongOptimizerTypeIsAnError) {
  auto m = small_model();
  optim::SGD sgd(m->parameters(), {{"lr", 0.1}, {"momentum", 0.9}});
  EXPECT_TT_ERROR(io::load_checkpoint(good(), *m, &sgd, nullptr), "checkpoint", good(), "optimizer is Adam",
                  "expected SGD");
}

TEST_F(CorruptCheckpoint, ModelShapeMismatchIsAnError) {
  auto wider = small_model(/*hidden=*/6);
  EXPECT_TT_ERROR(io::load_checkpoint(good(), *wider, nullptr, nullptr), "checkpoint", good(), "0.weight", "[5, 4]",
                  "[6, 4]");
  nn::Linear other(4, 2);
  EXPECT_TT_ERROR(io::load_checkpoint(good(), other, nullptr, nullptr), "checkpoint", good(), "missing key");
}

TEST_F(CorruptCheckpoint, FailedLoadLeavesModelAndOptimizerUntouched) {
  auto m = small_model();
  optim::SGD sgd(m->parameters(), {{"lr", 0.1}, {"momentum", 0.9}});
  train_a_little(*m, sgd, nullptr, 2);
  auto before = small_model();
  before->load_state_dict(m->state_dict());
  auto opt_before = sgd.state_dict();
  EXPECT_THROW(io::load_checkpoint(good(), *m, &sgd, nullptr), Error);  // checkpoint holds Adam state
  expect_same_state(*m, *before);
  auto opt_after = sgd.state_dict();
  ASSERT_EQ(opt_after.tensors.size(), opt_before.tensors.size());
  for (size_t i = 0; i < opt_after.tensors.size(); ++i)
    EXPECT_TRUE(testing::bitwise_equal(opt_after.tensors[i].second, opt_before.tensors[i].second));
}

// ---- resume in a new process ------------------------------------------------------------------

// The run: an MLP with Dropout on a synthetic 3-class dataset, DataLoader(shuffle, seed) with
// prefetch, Adam + OneCycleLR stepped per batch (it cycles beta1 too). 6 batches per epoch.
constexpr int64_t kSaveAt = 8, kTotal = 22;  // save mid-epoch 1 (batch 2 of 6), then 14 more steps

struct ResumeRun {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<optim::Adam> opt;
  std::unique_ptr<optim::OneCycleLR> sched;
  std::unique_ptr<data::DataLoader> loader;
  std::unique_ptr<train::Trainer> trainer;

  explicit ResumeRun(uint64_t seed) {
    manual_seed(seed);  // weight init and dropout masks use the default generator
    Generator g(123);   // the data never changes
    Tensor x = randn(Shape{96, 4}, &g);
    Tensor y = argmax(matmul(x, randn(Shape{4, 3}, &g)), 1);
    data::DataLoaderOptions lo;
    lo.batch_size = 16, lo.shuffle = true, lo.seed = 77, lo.prefetch = 2;
    loader = std::make_unique<data::DataLoader>(std::make_shared<data::TensorDataset>(x, y), lo);
    model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::Linear>(4, 32), std::make_shared<nn::ReLU>(), std::make_shared<nn::Dropout>(0.3),
        std::make_shared<nn::Linear>(32, 3)});
    opt = std::make_unique<optim::Adam>(model->parameters(), optim::Options{{"lr", 0.01}});
    sched = std::make_unique<optim::OneCycleLR>(*opt, 0.05, 30);
    train::TrainerOptions to;
    to.progress = false, to.scheduler_per_step = true;
    trainer = std::make_unique<train::Trainer>(*model, *opt, nn::CrossEntropyLoss{}, to);
    trainer->set_scheduler(sched.get());
  }

  // Trains from (epoch, batch) until trainer step `until`; saves a checkpoint after step `save_at`.
  std::vector<double> run(int64_t epoch, int64_t batch, int64_t until, int64_t save_at = -1,
                          const std::string& save_path = "") {
    std::vector<double> losses;
    model->train();
    for (;; ++epoch, batch = 0) {
      loader->start_epoch(epoch, batch);
      data::Batch b;
      while (loader->next(b)) {
        losses.push_back(trainer->train_step(b, nullptr));
        if (trainer->step() == save_at) trainer->save(save_path, epoch, loader->position().batch);
        if (trainer->step() == until) return losses;
      }
    }
  }
};

void write_doubles(const std::string& file, const std::vector<double>& v) {
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
}

std::vector<double> read_doubles(const std::string& file) {
  Bytes b = io::read_file(file);
  std::vector<double> v(b.size() / sizeof(double));
  std::memcpy(v.data(), b.data(), v.size() * sizeof(double));
  return v;
}

// Runs this test binary again with only `filter` and extra environment; returns its exit status.
int run_self(const std::string& filter, const std::vector<std::string>& env, const std::string& log) {
  const std::string exe = fs::read_symlink("/proc/self/exe").string(), arg = "--gtest_filter=" + filter;
  std::vector<std::string> envs = env;
  for (char** e = environ; *e; ++e) {  // inherit all but gtest sharding/output and our own variables
    const std::string kv = *e;
    if (kv.rfind("GTEST_", 0) != 0 && kv.rfind("TT_RESUME_", 0) != 0) envs.push_back(kv);
  }
  std::vector<char*> argv{const_cast<char*>(exe.c_str()), const_cast<char*>(arg.c_str()), nullptr}, envp;
  for (auto& s : envs) envp.push_back(s.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1000 - rc;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -100 - WTERMSIG(status);
}

// The child half of ResumeInANewProcess (skipped unless that test started this process): resumes
// from TT_RESUME_CHECKPOINT with a different seed, writes its losses and final model.
TEST(CheckpointResumeChild, ContinuesFromTheCheckpoint) {
  const char* ck = std::getenv("TT_RESUME_CHECKPOINT");
  const char* out = std::getenv("TT_RESUME_OUT");
  if (!ck || !out) GTEST_SKIP() << "helper for Checkpoint.ResumeInANewProcessIsBitExact";
  ResumeRun r(/*seed=*/999);  // everything the checkpoint must override differs from the parent
  auto [epoch, batch] = r.trainer->resume(ck);
  ASSERT_EQ(r.trainer->step(), kSaveAt);
  write_doubles(std::string(out) + ".losses", r.run(epoch, batch, kTotal));
  io::save_safetensors(std::string(out) + ".model", r.model->state_dict());
}

TEST_F(Checkpoint, ResumeInANewProcessIsBitExact) {
  ResumeRun full(/*seed=*/2024);
  const std::vector<double> losses = full.run(0, 0, kTotal, kSaveAt, path("resume.ck"));
  ASSERT_EQ(losses.size(), static_cast<size_t>(kTotal));
  const std::vector<double> tail(losses.begin() + kSaveAt, losses.end());

  const int status = run_self("CheckpointResumeChild.*",
                              {"TT_RESUME_CHECKPOINT=" + path("resume.ck"), "TT_RESUME_OUT=" + path("child")},
                              path("child.log"));
  ASSERT_EQ(status, 0) << "child process failed; its output:\n" << [&] {
    Bytes b = io::read_file(path("child.log"));
    return std::string(b.begin(), b.end());
  }();
  const std::vector<double> resumed = read_doubles(path("child.losses"));
  ASSERT_EQ(resumed.size(), tail.size());
  for (size_t i = 0; i < tail.size(); ++i)
    EXPECT_EQ(resumed[i], tail[i]) << "step " << kSaveAt + i + 1 << " (exact comparison)";
  io::LoadedTensors final_model = io::load_safetensors(path("child.model"));
  for (const auto& [k, v] : full.model->state_dict()) {
    ASSERT_NE(nn::find_in(final_model.tensors, k), nullptr) << k;
    EXPECT_TRUE(testing::bitwise_equal(*nn::find_in(final_model.tensors, k), v)) << k;
  }
}

// The same in-process, plus the control that makes the test meaningful: without the checkpoint's
// RNG state (dropout masks) the continuation differs.
TEST_F(Checkpoint, ResumeInProcessIsBitExactAndRngStateMatters) {
  ResumeRun full(/*seed=*/2024);
  const std::vector<double> losses = full.run(0, 0, kTotal, kSaveAt, path("resume.ck"));
  ResumeRun again(/*seed=*/7);
  auto [epoch, batch] = again.trainer->resume(path("resume.ck"));
  EXPECT_EQ(epoch, 1);
  EXPECT_EQ(batch, 2);
  EXPECT_EQ(again.run(epoch, batch, kTotal), std::vector<double>(losses.begin() + kSaveAt, losses.end()));

  ResumeRun reseeded(/*seed=*/7);
  reseeded.trainer->resume(path("resume.ck"));
  manual_seed(5);  // discard the restored RNG state
  std::vector<double> other = reseeded.run(epoch, batch, kTotal);
  EXPECT_NE(other, std::vector<double>(losses.begin() + kSaveAt, losses.end()));
}

}  // namespace
}  // namespace tt
