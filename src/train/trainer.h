// Trainer: the training loop every milestone and example shares — epochs over a DataLoader,
// forward, loss, backward, optional gradient clipping, optimizer and scheduler steps; evaluation;
// a progress bar (loss, accuracy, samples/s, ETA) on stderr; a JSONL metrics log; an SVG of the
// loss and accuracy curves at the end; and checkpoints that resume bit-exactly.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nn/module.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"

namespace tt::train {

using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;

struct TrainerOptions {
  int64_t epochs = 1;
  bool progress = true;           // progress bar on stderr
  std::string metrics_path;       // JSONL, one object per epoch (empty: none)
  std::string plot_path;          // SVG of loss/accuracy curves written by fit() (empty: none)
  std::string checkpoint_path;    // written at the end of every epoch (empty: none)
  double clip_grad_norm = 0;      // 0: no clipping
  bool scheduler_per_step = false;  // step the scheduler every batch instead of every epoch
  std::string title = "training";
};

struct EpochMetrics {
  int64_t epoch = 0;
  double train_loss = 0, train_accuracy = 0, eval_loss = 0, eval_accuracy = 0;
  double samples_per_s = 0, seconds = 0, lr = 0;
};

struct EvalResult {
  double loss = 0, accuracy = 0;
  int64_t samples = 0;
};

class Trainer {
 public:
  Trainer(nn::Module& model, optim::Optimizer& opt, LossFn loss, TrainerOptions options = {});
  void set_scheduler(optim::LRScheduler* s) { sched_ = s; }

  // Runs the remaining epochs up to options.epochs (after resume(): from the saved epoch and
  // batch); evaluates on `eval` (may be null) after each.
  std::vector<EpochMetrics> fit(data::DataLoader& train, data::DataLoader* eval);
  EpochMetrics train_epoch(data::DataLoader& train, int64_t epoch, int64_t first_batch = 0);
  EvalResult evaluate(data::DataLoader& loader);
  // One optimisation step on a batch; returns the loss (a float64 copy) and fills `correct`.
  double train_step(const data::Batch& b, int64_t* correct);

  void save(const std::string& path, int64_t epoch, int64_t batch) const;
  // Restores model/optimizer/scheduler/RNG; returns (epoch, batch) to resume from.
  std::pair<int64_t, int64_t> resume(const std::string& path);
  int64_t step() const { return step_; }
  const std::vector<EpochMetrics>& history() const { return history_; }

 private:
  void log_epoch(const EpochMetrics& m) const;
  void write_plot() const;

  nn::Module& model_;
  optim::Optimizer& opt_;
  LossFn loss_;
  TrainerOptions opt_s_;
  optim::LRScheduler* sched_ = nullptr;
  int64_t step_ = 0;
  int64_t resume_epoch_ = 0, resume_batch_ = 0;  // where fit() continues after resume()
  std::vector<EpochMetrics> history_;
  std::vector<double> step_losses_;
};

// Number of rows where argmax(logits, 1) == target (classification accuracy numerator).
int64_t count_correct(const Tensor& logits, const Tensor& target);

}  // namespace tt::train
