// Training a language model on a token stream: steps of random windows (data::sample_windows)
// rather than epochs over a DataLoader, the way GPTs are trained (nanoGPT, the char-GPT peer).
// Each step: x, y (B, T) → logits (B, T, V) → mean cross-entropy over B·T positions → backward →
// optional clipping → optimizer (and scheduler) step. Stops after `steps` or `max_seconds`.
// Throughput counts tokens (B·T per step) and skips the first `warmup_steps` steps, as the peer
// (bench/peers/torch_chargpt.py) does. Used by the transformer milestone and `tito bench gpt`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/generator.h"
#include "data/text_corpus.h"
#include "nn/transformer.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"

namespace tt::train {

struct LmTrainOptions {
  int64_t batch = 32;
  int64_t context = 0;          // 0: the model's context
  int64_t steps = 300;
  double max_seconds = 0;       // 0: no time limit; else stop once a step ends past it
  int64_t warmup_steps = 5;     // not counted in tokens/s (still trained on)
  int64_t eval_every = 0;       // 0: evaluate only at the end
  int64_t eval_batches = 20;    // validation windows = eval_batches · batch
  double clip_grad_norm = 0;    // 0: none
  bool progress = true;         // one line per eval on stderr
  std::string title = "gpt";
};

struct LmEval {
  int64_t step = 0;
  double train_loss = 0;        // mean of the training losses since the previous eval
  double val_loss = 0;
  double seconds = 0;           // since the start of training
};

struct LmTrainResult {
  int64_t steps_done = 0;
  double tokens_per_s = 0;      // steps after warm-up · B · T / their time
  double ms_per_step = 0;
  double median_ms_per_step = 0;     // the median step after warm-up (evaluations not included)
  double median_tokens_per_s = 0;    // B · T / that median: steady state, robust to a stall or a busy spell
  double seconds = 0;           // all steps
  std::vector<double> losses;   // every step's training loss
  std::vector<LmEval> evals;    // the periodic evaluations, the last one at the end
};

// Mean cross-entropy (nats/token) of `model` over `batches` random windows of `tokens` (eval
// mode, no autograd); the windows come from `gen`.
double evaluate_lm(nn::GPT& model, const Tensor& tokens, int64_t batch, int64_t batches, Generator& gen,
                   int64_t context = 0);

// Trains on split.train, evaluates on split.val; windows drawn from `gen` (training and eval use
// separate generators derived from it, so evaluations never shift the training batches).
// sched (optional) steps once per training step.
LmTrainResult train_lm(nn::GPT& model, optim::Optimizer& opt, const data::TokenSplit& split,
                       const LmTrainOptions& options, Generator& gen, optim::LRScheduler* sched = nullptr);

}  // namespace tt::train
