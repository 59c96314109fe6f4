// tito gpt train: a GPT on your own text file (char or BPE tokens) → a model file;
// tito generate: text from a saved GPT model file (written by `gpt train`, the transformer
// milestone or io::save_gpt). Thin: training is train/lm_trainer.h, loading io/model_file.h,
// sampling nn/generate.h. Generated text goes to stdout as it is produced; timing and the KV
// cache's size go to stderr.
#include <fmt/core.h>

#include <chrono>
#include <iostream>
#include <string>

#include "apps/tito/commands.h"
#include "core/parallel.h"
#include "data/text_corpus.h"
#include "io/model_file.h"
#include "nn/generate.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"
#include "text/bpe_tokenizer.h"
#include "text/char_tokenizer.h"
#include "train/lm_trainer.h"

namespace tito {
namespace {

struct GenerateArgs {
  std::string checkpoint, prompt;
  tt::nn::SamplingOptions o;
  bool no_cache = false;
};

void run_generate(GenerateArgs a) {
  tt::io::LoadedGpt g = tt::io::load_gpt(a.checkpoint);
  a.o.use_cache = !a.no_cache;
  const std::vector<int64_t> prompt = g.tokenizer->encode(a.prompt);
  if (prompt.empty()) throw tt::Error("generate: the prompt encodes to no tokens (give a non-empty --prompt)");
  std::cout << a.prompt << std::flush;
  auto t0 = std::chrono::steady_clock::now();
  auto out = tt::nn::generate(*g.model, prompt, a.o, [&](int64_t id) {
    std::cout << g.tokenizer->decode(std::vector<int64_t>{id}) << std::flush;  // byte-level BPE may split a char
  });
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "\n";
  std::cerr << fmt::format("generated {} tokens in {:.3f} s ({:.0f} tokens/s, {}; KV cache {} bytes)\n",
                           out.size() - prompt.size(), s, (out.size() - prompt.size()) / std::max(s, 1e-9),
                           a.no_cache ? "no cache" : "KV cache", g.model->make_cache(1).memory_bytes());
}

struct GptTrainArgs {
  std::string corpus, out, tokenizer = "char";
  int64_t vocab = 512, steps = 1000, batch = 32, eval_every = 0;
  double lr = 2e-3, seconds = 0;
  int threads = 0;
  uint64_t seed = 0;
  tt::nn::GPTConfig c;
};

void run_gpt_train(GptTrainArgs a) {
  if (a.threads > 0) tt::set_num_threads(a.threads);
  const std::string text = tt::data::load_text_file(a.corpus);
  std::unique_ptr<tt::text::Tokenizer> tok;
  if (a.tokenizer == "char") tok = std::make_unique<tt::text::CharTokenizer>(tt::text::CharTokenizer::train(text));
  else tok = std::make_unique<tt::text::BpeTokenizer>(tt::text::BpeTokenizer::train(text, a.vocab));
  const auto split = tt::data::split_tokens(tt::data::tokens_tensor(tok->encode(text)));
  a.c.vocab_size = tok->vocab_size();
  tt::manual_seed(a.seed);
  tt::Generator g(a.seed);
  tt::nn::GPT model(a.c, &g);
  std::cerr << fmt::format("gpt train: {} tokens ({} train / {} val), vocab {}, {} parameters\n",
                           split.train.numel() + split.val.numel(), split.train.numel(), split.val.numel(),
                           tok->vocab_size(), model.num_parameters());
  tt::optim::AdamW opt(model.parameters(), {{"lr", a.lr}, {"beta1", 0.9}, {"beta2", 0.95}, {"weight_decay", 0.1}});
  tt::optim::OneCycleLR sched(opt, a.lr, std::max<int64_t>(a.steps, 1), 0.05, "cos", false, 0.85, 0.95, 10.0, 100.0);
  tt::train::LmTrainOptions o;
  o.batch = a.batch;
  o.steps = a.steps;
  o.max_seconds = a.seconds;
  o.eval_every = a.eval_every ? a.eval_every : std::max<int64_t>(1, a.steps / 10);
  o.clip_grad_norm = 1.0;
  o.title = "gpt train";
  auto r = tt::train::train_lm(model, opt, split, o, g, &sched);
  tt::io::save_gpt(a.out, model, *tok);
  std::cout << fmt::format("trained {} steps in {:.1f} s ({:.0f} tokens/s): val loss {:.4f}; wrote {}\n",
                           r.steps_done, r.seconds, r.tokens_per_s, r.evals.back().val_loss, a.out);
}

}  // namespace

void add_gpt(CLI::App& app) {
  auto* cmd = app.add_subcommand("gpt", "train a GPT on a text file (see also: tito generate)");
  cmd->require_subcommand(1);
  auto* train = cmd->add_subcommand("train", "train a GPT on a text file and save a model file for `tito generate`");
  static GptTrainArgs a;
  train->add_option("--corpus", a.corpus, "training text (first 90% train, last 10% validation)")->required();
  train->add_option("--out", a.out, "model file to write (safetensors with config and tokenizer)")->required();
  train->add_option("--tokenizer", a.tokenizer, "char | bpe (default char)")->check(CLI::IsMember({"char", "bpe"}));
  train->add_option("--vocab", a.vocab, "bpe vocabulary size (default 512)")->check(CLI::Range(257, 65536));
  train->add_option("--steps", a.steps, "optimizer steps (default 1000)")->check(CLI::NonNegativeNumber);
  train->add_option("--seconds", a.seconds, "stop after this many seconds (default: no limit)")
      ->check(CLI::NonNegativeNumber);
  train->add_option("--batch", a.batch, "windows per step (default 32)")->check(CLI::PositiveNumber);
  train->add_option("--lr", a.lr, "peak learning rate, one-cycle schedule (default 2e-3)")->check(CLI::PositiveNumber);
  train->add_option("--context", a.c.context, "context length (default 64)")->check(CLI::PositiveNumber);
  train->add_option("--d-model", a.c.d_model, "width (default 128)")->check(CLI::PositiveNumber);
  train->add_option("--layers", a.c.n_layers, "blocks (default 4)")->check(CLI::PositiveNumber);
  train->add_option("--heads", a.c.n_heads, "attention heads (default 4)")->check(CLI::PositiveNumber);
  train->add_option("--eval-every", a.eval_every, "steps between validation losses (default steps/10)")
      ->check(CLI::NonNegativeNumber);
  train->add_option("--threads", a.threads, "threads (default: all cores)")->check(CLI::PositiveNumber);
  train->add_option("--seed", a.seed, "seed (default 0)");
  train->callback([] { run_gpt_train(a); });
}

void add_generate(CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "generate text from a saved GPT (e.g. runs/transformer/gpt.safetensors)");
  static GenerateArgs a;
  cmd->add_option("--checkpoint", a.checkpoint, "GPT model file (tito milestone run transformer writes one)")
      ->required();
  cmd->add_option("--prompt", a.prompt, "text to continue")->required();
  cmd->add_option("--tokens", a.o.max_new_tokens, "new tokens (default 256)")->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("--temperature", a.o.temperature, "0 = greedy; default 1")->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--top-k", a.o.top_k, "keep the k most likely tokens (0 = all)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-p", a.o.top_p, "nucleus: smallest set with probability >= p (1 = all)")
      ->check(CLI::Range(1e-9, 1.0));
  cmd->add_option("--seed", a.o.seed, "sampling seed (default 0)");
  cmd->add_flag("--no-cache", a.no_cache, "recompute the whole window each token (slow; for comparison)");
  cmd->callback([] { run_generate(a); });
}

}  // namespace tito
