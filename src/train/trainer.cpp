// Trainer implementation (see trainer.h).
#include "train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/node.h"
#include "io/checkpoint.h"
#include "ops/ops.h"
#include "train/svg_plot.h"

namespace tt::train {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void draw_progress(const std::string& title, int64_t epoch, int64_t epochs, int64_t done, int64_t total, double loss,
                   double acc, double sps, double eta) {
  const int width = 24;
  int filled = total ? static_cast<int>(width * done / total) : width;
  std::string bar(filled, '=');
  if (filled < width) bar += '>' + std::string(width - filled - 1, ' ');
  std::fprintf(stderr, "\r%s epoch %lld/%lld [%s] %lld/%lld loss %.4f acc %5.1f%% %8.0f samples/s ETA %4.0fs ",
               title.c_str(), static_cast<long long>(epoch + 1), static_cast<long long>(epochs), bar.c_str(),
               static_cast<long long>(done), static_cast<long long>(total), loss, 100 * acc, sps, eta);
  std::fflush(stderr);
}

}  // namespace

int64_t count_correct(const Tensor& logits, const Tensor& target) {
  if (logits.dim() != 2 || target.dim() != 1 || is_floating(target.dtype())) return 0;
  Tensor pred = argmax(logits, 1);
  return sum(eq(pred, target.to(kInt64))).item<int64_t>();
}

Trainer::Trainer(nn::Module& model, optim::Optimizer& opt, LossFn loss, TrainerOptions options)
    : model_(model), opt_(opt), loss_(std::move(loss)), opt_s_(std::move(options)) {
  TT_CHECK(opt_s_.epochs >= 0, "Trainer: epochs must be >= 0, got ", opt_s_.epochs);
}

double Trainer::train_step(const data::Batch& b, int64_t* correct) {
  Tensor out = model_(b.x);
  Tensor loss = loss_(out, b.y);
  TT_CHECK(loss.numel() == 1, "Trainer: loss must be a scalar, got shape ", loss.shape());
  // Checked before backward/step, so a non-finite loss leaves the parameters as they were.
  const double value = loss.item<double>();
  TT_CHECK(std::isfinite(value), "Trainer: loss became ", value, " at step ", step_ + 1,
           "; parameters were not updated (hint: lower the learning rate or clip gradients)");
  opt_.zero_grad();
  loss.backward();
  if (opt_s_.clip_grad_norm > 0) optim::clip_grad_norm_(model_.parameters(), opt_s_.clip_grad_norm);
  opt_.step();
  if (sched_ && opt_s_.scheduler_per_step) sched_->step();
  ++step_;
  NoGradGuard ng;
  if (correct) *correct = count_correct(out.detach(), b.y);
  return value;
}

EpochMetrics Trainer::train_epoch(data::DataLoader& train, int64_t epoch, int64_t first_batch) {
  model_.train();
  train.start_epoch(epoch, first_batch);
  const int64_t total = train.num_batches();
  auto t0 = std::chrono::steady_clock::now();
  double loss_sum = 0, last_draw = -1;
  const bool tty = ::isatty(::fileno(stderr)) != 0;
  int64_t correct = 0, seen = 0, batches = 0;
  data::Batch b;
  while (train.next(b)) {
    int64_t c = 0;
    double l = train_step(b, &c);
    step_losses_.push_back(l);
    loss_sum += l * b.x.shape()[0];
    correct += c, seen += b.x.shape()[0], ++batches;
    double el = seconds_since(t0);
    // A live bar only on a terminal; logs and pipes get the final line of each epoch.
    bool last = train.position().batch == total;
    if (opt_s_.progress && ((tty && el - last_draw > 0.1) || last)) {
      double sps = seen / std::max(el, 1e-9);
      draw_progress(opt_s_.title, epoch, opt_s_.epochs, train.position().batch, total, loss_sum / seen,
                    double(correct) / seen, sps, (total - train.position().batch) * (el / batches));
      last_draw = el;
    }
  }
  if (opt_s_.progress && seen) std::fprintf(stderr, "\n");
  if (sched_ && !opt_s_.scheduler_per_step) sched_->step();
  EpochMetrics m;
  m.epoch = epoch;
  m.seconds = seconds_since(t0);
  m.train_loss = seen ? loss_sum / seen : NAN;
  m.train_accuracy = seen ? double(correct) / seen : NAN;
  m.samples_per_s = seen / std::max(m.seconds, 1e-9);
  m.lr = opt_.get("lr");
  return m;
}

EvalResult Trainer::evaluate(data::DataLoader& loader) {
  NoGradGuard ng;
  bool was_training = model_.is_training();
  model_.eval();
  loader.start_epoch(0);
  EvalResult r;
  double loss_sum = 0;
  int64_t correct = 0;
  data::Batch b;
  while (loader.next(b)) {
    Tensor out = model_(b.x);
    loss_sum += loss_(out, b.y).item<double>() * b.x.shape()[0];
    correct += count_correct(out, b.y);
    r.samples += b.x.shape()[0];
  }
  model_.train(was_training);
  r.loss = r.samples ? loss_sum / r.samples : NAN;
  r.accuracy = r.samples ? double(correct) / r.samples : NAN;
  return r;
}

std::vector<EpochMetrics> Trainer::fit(data::DataLoader& train, data::DataLoader* eval) {
  int64_t first = std::max<int64_t>(static_cast<int64_t>(history_.size()), resume_epoch_);
  for (int64_t e = first; e < opt_s_.epochs; ++e) {
    EpochMetrics m = train_epoch(train, e, e == resume_epoch_ ? resume_batch_ : 0);
    resume_batch_ = 0;
    if (eval) {
      EvalResult r = evaluate(*eval);
      m.eval_loss = r.loss, m.eval_accuracy = r.accuracy;
    }
    history_.push_back(m);
    log_epoch(m);
    if (!opt_s_.checkpoint_path.empty()) save(opt_s_.checkpoint_path, e + 1, 0);
  }
  if (!opt_s_.plot_path.empty()) write_plot();
  return history_;
}

void Trainer::log_epoch(const EpochMetrics& m) const {
  if (opt_s_.metrics_path.empty()) return;
  std::ofstream f(opt_s_.metrics_path, std::ios::app);
  TT_CHECK(f.good(), "Trainer: cannot open metrics log ", opt_s_.metrics_path);
  nlohmann::json j = {{"epoch", m.epoch},           {"step", step_},
                      {"train_loss", m.train_loss}, {"train_accuracy", m.train_accuracy},
                      {"eval_loss", m.eval_loss},   {"eval_accuracy", m.eval_accuracy},
                      {"samples_per_s", m.samples_per_s}, {"seconds", m.seconds}, {"lr", m.lr}};
  f << j.dump() << "\n";
}

void Trainer::write_plot() const {
  Series steps{"train loss (per step)", {}, step_losses_};
  Series tl{"train loss", {}, {}}, el{"eval loss", {}, {}}, ta{"train", {}, {}}, ea{"eval", {}, {}};
  for (const auto& m : history_) {
    double x = static_cast<double>(m.epoch + 1) * (step_losses_.size() / std::max<size_t>(history_.size(), 1));
    tl.x.push_back(x), tl.y.push_back(m.train_loss);
    el.x.push_back(x), el.y.push_back(m.eval_loss);
    ta.x.push_back(m.epoch + 1), ta.y.push_back(m.train_accuracy);
    ea.x.push_back(m.epoch + 1), ea.y.push_back(m.eval_accuracy);
  }
  write_svg_plot(opt_s_.plot_path,
                 {PlotPanel{"Loss", "step", "loss", {steps, tl, el}}, PlotPanel{"Accuracy", "epoch", "accuracy", {ta, ea}}},
                 opt_s_.title);
}

void Trainer::save(const std::string& path, int64_t epoch, int64_t batch) const {
  io::TrainingState st;
  st.step = step_, st.epoch = epoch, st.batch_in_epoch = batch;
  io::save_checkpoint(path, model_, &opt_, sched_, st);
}

std::pair<int64_t, int64_t> Trainer::resume(const std::string& path) {
  io::TrainingState st = io::load_checkpoint(path, model_, &opt_, sched_);
  step_ = st.step;
  resume_epoch_ = st.epoch, resume_batch_ = st.batch_in_epoch;
  return {st.epoch, st.batch_in_epoch};
}

}  // namespace tt::train
