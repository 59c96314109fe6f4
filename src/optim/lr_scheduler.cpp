// Schedules: closed forms (see lr_scheduler.h), so resuming only needs last_epoch.
#include "optim/lr_scheduler.h"

#include <cmath>

namespace tt::optim {

// The base lr is kept in the group as "initial_lr" (as PyTorch does), so it travels with the
// optimizer's state dict: a scheduler built after loading a decayed lr still starts from the original.
LRScheduler::LRScheduler(Optimizer& opt) : opt_(opt) {
  for (auto& g : opt.param_groups())
    base_lrs_.push_back(g.options.try_emplace("initial_lr", g.options.at("lr")).first->second);
}

void LRScheduler::init() { step(); }

void LRScheduler::step() { set_last_epoch(last_epoch_ + 1); }

void LRScheduler::set_last_epoch(int64_t e) {
  TT_CHECK(e >= 0, "LRScheduler: epoch must be >= 0, got ", e);
  last_epoch_ = e;
  auto& groups = opt_.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options["lr"] = lr_at(e, base_lrs_[i]);
  apply_extra(e);
}

std::vector<double> LRScheduler::get_last_lr() const {
  std::vector<double> out;
  for (auto& g : opt_.param_groups()) out.push_back(g.options.at("lr"));
  return out;
}

StepLR::StepLR(Optimizer& opt, int64_t step_size, double gamma) : LRScheduler(opt), step_size_(step_size), gamma_(gamma) {
  TT_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  init();
}
double StepLR::lr_at(int64_t e, double base) const { return base * std::pow(gamma_, static_cast<double>(e / step_size_)); }

CosineAnnealingLR::CosineAnnealingLR(Optimizer& opt, int64_t t_max, double eta_min)
    : LRScheduler(opt), t_max_(t_max), eta_min_(eta_min) {
  TT_CHECK(t_max > 0, "CosineAnnealingLR: T_max must be positive, got ", t_max);
  init();
}
double CosineAnnealingLR::lr_at(int64_t e, double base) const {
  return eta_min_ + (base - eta_min_) * (1 + std::cos(M_PI * static_cast<double>(e) / t_max_)) / 2;
}

LinearLR::LinearLR(Optimizer& opt, double start_factor, double end_factor, int64_t total_iters)
    : LRScheduler(opt), start_(start_factor), end_(end_factor), total_(total_iters) {
  TT_CHECK(start_factor > 0 && start_factor <= 1 && end_factor >= 0 && end_factor <= 1,
           "LinearLR: factors must be in (0, 1] and [0, 1], got ", start_factor, " and ", end_factor);
  TT_CHECK(total_iters > 0, "LinearLR: total_iters must be positive, got ", total_iters);
  init();
}
double LinearLR::lr_at(int64_t e, double base) const {
  double t = static_cast<double>(std::min(e, total_));
  return base * (start_ + (end_ - start_) * t / static_cast<double>(total_));
}

OneCycleLR::OneCycleLR(Optimizer& opt, double max_lr, int64_t total_steps, double pct_start,
                       const std::string& anneal_strategy, bool cycle_momentum, double base_momentum,
                       double max_momentum, double div_factor, double final_div_factor)
    : LRScheduler(opt), max_lr_(max_lr), pct_start_(pct_start), base_m_(base_momentum), max_m_(max_momentum),
      total_(total_steps), cos_(anneal_strategy == "cos"), cycle_m_(cycle_momentum) {
  TT_CHECK(total_steps > 1, "OneCycleLR: total_steps must be > 1, got ", total_steps);
  TT_CHECK(pct_start > 0 && pct_start < 1, "OneCycleLR: pct_start must be in (0, 1), got ", pct_start);
  TT_CHECK(anneal_strategy == "cos" || anneal_strategy == "linear",
           "OneCycleLR: anneal_strategy must be \"cos\" or \"linear\", got \"", anneal_strategy, "\"");
  initial_lr_ = max_lr / div_factor;
  min_lr_ = initial_lr_ / final_div_factor;
  auto& o = opt.param_groups()[0].options;
  momentum_key_ = o.count("beta1") ? "beta1" : "momentum";
  TT_CHECK(!cycle_momentum || o.count(momentum_key_), "OneCycleLR: cycle_momentum needs an optimizer with momentum");
  init();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (cos_) return end + (start - end) / 2.0 * (std::cos(M_PI * pct) + 1);
  return (end - start) * pct + start;
}

// Two phases: [0, pct·T − 1] goes v0 → v1, then up to T − 1 goes v1 → v2 (PyTorch's boundaries).
double OneCycleLR::phase_value(int64_t e, double v0, double v1, double v2) const {
  double end1 = pct_start_ * static_cast<double>(total_) - 1, end2 = static_cast<double>(total_) - 1;
  double t = static_cast<double>(e);
  if (t <= end1) return anneal(v0, v1, t / end1);
  return anneal(v1, v2, (t - end1) / (end2 - end1));
}

double OneCycleLR::lr_at(int64_t e, double) const {
  // PyTorch allows stepping once past the last step (it extrapolates); more is an error.
  TT_CHECK(e <= total_, "OneCycleLR: stepped ", e, " times but total_steps is ", total_);
  return phase_value(e, initial_lr_, max_lr_, min_lr_);
}

void OneCycleLR::apply_extra(int64_t e) {
  if (cycle_m_) opt_.set(momentum_key_, phase_value(e, max_m_, base_m_, max_m_));
}

}  // namespace tt::optim
