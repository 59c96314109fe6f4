// Reverse and copy with a small transformer (see transformer_tasks.h).
#include "milestones/transformer_tasks.h"

#include <chrono>
#include <cstdio>

#include "nn/nn.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"
#include "tinytorch.h"

namespace tt::milestones {
namespace {

constexpr int64_t kDigits = 10, kSep = 10, kLen = 10;  // vocabulary 0..9 and SEP
constexpr int64_t kSteps = 1500, kBatch = 64, kTest = 1000;

// One sequence a SEP b (2·kLen + 1 tokens) from gen.
std::vector<int64_t> make_sequence(SequenceTask task, Generator& gen) {
  std::vector<int64_t> s(2 * kLen + 1);
  for (int64_t i = 0; i < kLen; ++i) s[i] = gen.randint(0, kDigits);
  s[kLen] = kSep;
  for (int64_t i = 0; i < kLen; ++i) s[kLen + 1 + i] = task == SequenceTask::Reverse ? s[kLen - 1 - i] : s[i];
  return s;
}

// x = seq[:-1], y = seq[1:] with the targets before SEP ignored (-100): only b is learned.
std::pair<Tensor, Tensor> make_batch(SequenceTask task, Generator& gen) {
  const int64_t T = 2 * kLen;
  Tensor x = empty(Shape{kBatch, T}, kInt64), y = empty(Shape{kBatch, T}, kInt64);
  for (int64_t b = 0; b < kBatch; ++b) {
    std::vector<int64_t> s = make_sequence(task, gen);
    for (int64_t t = 0; t < T; ++t) {
      x.data_ptr<int64_t>()[b * T + t] = s[t];
      y.data_ptr<int64_t>()[b * T + t] = t >= kLen ? s[t + 1] : -100;
    }
  }
  return {x, y};
}

nn::GPTConfig task_config() {
  nn::GPTConfig c;
  c.vocab_size = kDigits + 1;
  c.context = 2 * kLen + 1;
  c.d_model = 64;
  c.n_layers = 2;
  c.n_heads = 4;
  return c;
}

}  // namespace

SequenceTaskResult run_sequence_task(SequenceTask task, const MilestoneArgs& a) {
  const char* name = task == SequenceTask::Reverse ? "reverse" : "copy";
  auto t0 = std::chrono::steady_clock::now();
  Generator g(a.seed + (task == SequenceTask::Reverse ? 17 : 29));
  nn::GPT model(task_config(), &g);
  optim::AdamW opt(model.parameters(), {{"lr", 1e-3}, {"weight_decay", 0.01}});
  optim::OneCycleLR sched(opt, 3e-3, kSteps, 0.1, "cos", false, 0.85, 0.95, 10.0, 100.0);
  model.train();
  double loss_avg = 0;
  for (int64_t step = 0; step < kSteps; ++step) {
    auto [x, y] = make_batch(task, g);
    Tensor logits = model(x);
    Tensor loss = cross_entropy(logits.reshape(Shape{-1, kDigits + 1}), y.reshape(Shape{-1}));
    opt.zero_grad();
    loss.backward();
    opt.step();
    sched.step();
    loss_avg = 0.95 * loss_avg + 0.05 * loss.item<double>();
  }
  // Held-out sequences from a generator the training never used.
  Generator test_gen(a.seed + 1000003);
  nn::SamplingOptions so;
  so.max_new_tokens = kLen;
  so.temperature = 0;
  int64_t exact = 0, tokens_right = 0;
  for (int64_t i = 0; i < kTest; ++i) {
    std::vector<int64_t> s = make_sequence(task, test_gen);
    std::vector<int64_t> prompt(s.begin(), s.begin() + kLen + 1);
    std::vector<int64_t> out = nn::generate(model, prompt, so);
    int64_t right = 0;
    for (int64_t t = kLen + 1; t < 2 * kLen + 1; ++t) right += out[t] == s[t];
    tokens_right += right;
    exact += right == kLen;
  }
  SequenceTaskResult r;
  r.sequence_accuracy = static_cast<double>(exact) / kTest;
  r.token_accuracy = static_cast<double>(tokens_right) / (kTest * kLen);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!a.quiet)
    std::fprintf(stderr, "transformer/%s: loss %.4f, %.1f%% of %lld sequences exact, %.1f%% of tokens, %.0f s\n", name,
                 loss_avg, 100 * r.sequence_accuracy, static_cast<long long>(kTest), 100 * r.token_accuracy, r.seconds);
  return r;
}

}  // namespace tt::milestones
