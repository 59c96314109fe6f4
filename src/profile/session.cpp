// run_profiled (see session.h).
#include "profile/session.h"

#include <algorithm>

#include "core/error.h"
#include "core/node.h"

namespace tt::profile {

double RunResult::median_step_ns() const {
  if (step_ns.empty()) return 0;
  std::vector<double> s = step_ns;
  std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
  return s[s.size() / 2];
}

double RunResult::total_ns() const {
  double t = 0;
  for (double s : step_ns) t += s;
  return t;
}

namespace {

void one_step(const Workload& w, optim::Optimizer* opt, bool train) {
  Region step("step");
  if (!train) {
    NoGradGuard ng;
    Region f("forward");
    Tensor out = w.forward ? w.forward(w.input) : w.model->forward(w.input);
    return;
  }
  opt->zero_grad();
  Tensor loss;
  {
    Region f("forward");
    Tensor out = w.forward ? w.forward(w.input) : w.model->forward(w.input);
    loss = w.loss(out);
  }
  {
    Region b("backward");
    loss.backward();
  }
  Region u("optimizer");
  opt->step();
}

}  // namespace

RunResult run_profiled(Profiler& p, const Workload& w, optim::Optimizer* opt, const RunOptions& o) {
  TT_CHECK(w.model, "profile: no model");
  TT_CHECK(w.input.defined(), "profile: no input batch");
  TT_CHECK(!o.train || (opt && w.loss), "profile: training needs an optimizer and a loss");
  TT_CHECK(o.steps >= 1 && o.warmup >= 0, "profile: steps must be >= 1 and warmup >= 0, got steps ", o.steps,
           ", warmup ", o.warmup);
  w.model->train(o.train);
  p.name_modules(*w.model);
  for (int i = 0; i < o.warmup; ++i) one_step(w, opt, o.train);
  RunResult r;
  ProfileGuard guard(p);
  for (int i = 0; i < o.steps; ++i) {
    int64_t t0 = ops::now_ns();
    one_step(w, opt, o.train);
    r.step_ns.push_back(static_cast<double>(ops::now_ns() - t0));
  }
  return r;
}

}  // namespace tt::profile
