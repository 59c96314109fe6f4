// Learning-rate schedules (closed forms of torch.optim.lr_scheduler, epoch e = number of step()
// calls so far; the constructor applies e = 0 as PyTorch does):
//   StepLR:        lr = base·γ^⌊e/step_size⌋
//   CosineAnnealingLR: lr = η_min + (base − η_min)(1 + cos(π e / T_max))/2   (Loshchilov & Hutter 2017)
//   LinearLR:      lr = base·(s + (f − s)·min(e, T)/T)   — the usual linear warm-up
//   OneCycleLR:    warm up from max_lr/div to max_lr over pct_start of the steps, then anneal to
//                  max_lr/(div·final_div) (cos or linear), cycling momentum/β1 inversely (Smith 2018)
#pragma once
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace tt::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& opt);
  virtual ~LRScheduler() = default;
  void step();  // advances one epoch/step and writes the new lr into every group
  int64_t last_epoch() const { return last_epoch_; }
  std::vector<double> get_last_lr() const;
  // Resume support: the epoch counter is the whole state (schedules are closed forms). The base lr
  // is each group's "initial_lr" (set by the first scheduler, kept in the optimizer's state dict).
  void set_last_epoch(int64_t e);

 protected:
  virtual double lr_at(int64_t epoch, double base_lr) const = 0;
  virtual void apply_extra(int64_t /*epoch*/) {}
  void init();  // call at the end of a derived constructor
  Optimizer& opt_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = -1;
};

class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& opt, int64_t step_size, double gamma = 0.1);

 protected:
  double lr_at(int64_t e, double base) const override;
  int64_t step_size_;
  double gamma_;
};

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& opt, int64_t t_max, double eta_min = 0.0);

 protected:
  double lr_at(int64_t e, double base) const override;
  int64_t t_max_;
  double eta_min_;
};

class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& opt, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);

 protected:
  double lr_at(int64_t e, double base) const override;
  double start_, end_;
  int64_t total_;
};

class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& opt, double max_lr, int64_t total_steps, double pct_start = 0.3,
             const std::string& anneal_strategy = "cos", bool cycle_momentum = true, double base_momentum = 0.85,
             double max_momentum = 0.95, double div_factor = 25.0, double final_div_factor = 1e4);

 protected:
  double lr_at(int64_t e, double base) const override;
  void apply_extra(int64_t e) override;
  double anneal(double start, double end, double pct) const;
  double phase_value(int64_t e, double v0, double v1, double v2) const;
  double max_lr_, initial_lr_, min_lr_, pct_start_, base_m_, max_m_;
  int64_t total_;
  bool cos_, cycle_m_;
  std::string momentum_key_;  // "momentum" (SGD, RMSprop) or "beta1" (Adam)
};

}  // namespace tt::optim
