// Language-model training by steps (see lm_trainer.h).
#include "train/lm_trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

#include "core/node.h"
#include "ops/ops.h"

namespace tt::train {
namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Mean cross-entropy of logits (B, T, V) against targets (B, T).
Tensor lm_loss(const Tensor& logits, const Tensor& y) {
  int64_t V = logits.size(2);
  return cross_entropy(logits.reshape(Shape{-1, V}), y.reshape(Shape{-1}));
}
}  // namespace

double evaluate_lm(nn::GPT& model, const Tensor& tokens, int64_t batch, int64_t batches, Generator& gen,
                   int64_t context) {
  TT_CHECK(batches >= 1, "evaluate_lm: batches must be >= 1, got ", batches);
  const int64_t T = context ? context : model.config.context;
  bool was_training = model.is_training();
  model.eval();
  NoGradGuard ng;
  double total = 0;
  for (int64_t i = 0; i < batches; ++i) {
    data::WindowBatch b = data::sample_windows(tokens, batch, T, gen);
    total += lm_loss(model(b.x), b.y).item<double>();
  }
  model.train(was_training);
  return total / batches;
}

LmTrainResult train_lm(nn::GPT& model, optim::Optimizer& opt, const data::TokenSplit& split,
                       const LmTrainOptions& o, Generator& gen, optim::LRScheduler* sched) {
  TT_CHECK(o.batch >= 1 && o.steps >= 0 && o.warmup_steps >= 0 && o.eval_every >= 0,
           "train_lm: batch must be >= 1 and steps, warmup_steps, eval_every >= 0 (got ", o.batch, ", ", o.steps,
           ", ", o.warmup_steps, ", ", o.eval_every, ")");
  const int64_t T = o.context ? o.context : model.config.context;
  Generator train_gen(gen.next_u64()), eval_gen(gen.next_u64());
  const std::vector<Tensor> params = model.parameters();
  LmTrainResult r;
  model.train();
  auto start = Clock::now(), timed_start = start;
  size_t since_eval = 0;
  double eval_seconds = 0;  // spent in periodic evaluations: not training time
  auto eval_now = [&](int64_t step) {
    auto t0 = Clock::now();
    double tl = 0;
    for (size_t i = since_eval; i < r.losses.size(); ++i) tl += r.losses[i];
    tl /= std::max<size_t>(1, r.losses.size() - since_eval);
    since_eval = r.losses.size();
    double vl = evaluate_lm(model, split.val, o.batch, o.eval_batches, eval_gen, T);
    r.evals.push_back({step, tl, vl, since(start)});
    if (o.progress)
      std::fprintf(stderr, "%s: step %5lld  train loss %.4f  val loss %.4f  %.0f s\n", o.title.c_str(),
                   static_cast<long long>(step), tl, vl, r.evals.back().seconds);
    eval_seconds += since(t0);
  };
  std::vector<double> step_seconds;  // each timed step, without evaluations
  for (int64_t step = 0; step < o.steps; ++step) {
    if (step == o.warmup_steps) timed_start = Clock::now(), eval_seconds = 0;
    if (o.max_seconds > 0 && step > o.warmup_steps && since(start) > o.max_seconds) break;
    const auto step_start = Clock::now();
    data::WindowBatch b = data::sample_windows(split.train, o.batch, T, train_gen);
    Tensor loss = lm_loss(model(b.x), b.y);
    opt.zero_grad();
    loss.backward();
    if (o.clip_grad_norm > 0) optim::clip_grad_norm_(params, o.clip_grad_norm);
    opt.step();
    if (sched) sched->step();
    r.losses.push_back(loss.item<double>());
    if (step >= o.warmup_steps) step_seconds.push_back(since(step_start));
    r.steps_done = step + 1;
    if (o.eval_every > 0 && r.steps_done % o.eval_every == 0 && r.steps_done < o.steps) eval_now(r.steps_done);
  }
  r.seconds = since(start);
  const int64_t timed = r.steps_done - o.warmup_steps;
  if (timed > 0) {
    double t = since(timed_start) - eval_seconds;
    r.tokens_per_s = timed * o.batch * T / t;
    r.ms_per_step = t / timed * 1e3;
    std::nth_element(step_seconds.begin(), step_seconds.begin() + step_seconds.size() / 2, step_seconds.end());
    const double median = step_seconds[step_seconds.size() / 2];
    r.median_ms_per_step = median * 1e3;
    r.median_tokens_per_s = o.batch * T / median;
  }
  eval_now(r.steps_done);
  return r;
}

}  // namespace tt::train
