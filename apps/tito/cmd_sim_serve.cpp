// tito sim serve | memory | validate (see cmd_sim.cpp for the overview).
#include <fmt/core.h>

#include <iostream>

#include "apps/tito/cmd_sim.h"
#include "apps/tito/commands.h"
#include "apps/tito/targets.h"
#include "core/error.h"
#include "sim/plots.h"
#include "sim/serving.h"
#include "sim_trace/trace.h"
#include "tinytorch.h"

namespace tito {
namespace {

using tt::sim::Dim;

struct ServeArgs {
  std::string model, device, precision = "fp16", draft;
  int seq = 2048, batch = 1, output = 128, cached = 0, chunk = 0, draft_tokens = 4;
  double efficiency = 0.5, acceptance = 0.7;
  bool disaggregated = false, compat = false, json = false;
};

void run_serve(const ServeArgs& a) {
  const tt::sim::Registry& reg = tt::sim::registry();
  const tt::sim::Device& d = reg.device(a.device);
  const tt::sim::ModelSpec& m = reg.model(a.model);
  tt::sim::ServingOptions o;
  o.seq = a.seq, o.batch = a.batch, o.output_tokens = a.output, o.precision = tt::sim::parse_precision(a.precision);
  o.efficiency = a.efficiency, o.cached_prefix = a.cached, o.chunk = a.chunk, o.disaggregated = a.disaggregated;
  o.compat = a.compat, o.draft_tokens = a.draft_tokens, o.acceptance = a.acceptance;
  if (!a.draft.empty()) o.draft = &reg.model(a.draft);
  const tt::sim::ServingResult r = tt::sim::solve_serving(m, d, o);
  std::cout << fmt::format("sim serve: {} on {} — prompt {}, batch {}, {} output tokens, {}{}\n", m.key, d.key, a.seq,
                           a.batch, a.output, a.precision, a.compat ? " (reference-compatible)" : "");
  std::cout << fmt::format("  TTFT {}  ({:.4g} FLOP prefill, {}-bound)\n", fq(r.ttft, Dim::time), r.prefill_flops,
                           r.prefill_bound);
  std::cout << fmt::format("  ITL  {}  ({}-bound) -> {:.4g} tokens/s at batch {}\n", fq(r.itl, Dim::time),
                           r.decode_bound, r.decode_tokens_per_s, a.batch);
  std::cout << fmt::format("  end-to-end {} per request\n", fq(r.e2e, Dim::time));
  std::cout << fmt::format("  memory: weights {} + KV cache {} = {} of {} ({:.1f}%)\n", fq(r.weights_bytes, Dim::bytes),
                           fq(r.kv_bytes, Dim::bytes), fq(r.total_memory, Dim::bytes), fq(r.capacity, Dim::bytes),
                           100 * r.utilization);
  std::cout << fmt::format("  continuous batching: {} concurrent requests fit (paged KV), {:.4g} tokens/s "
                           "(static batching {:.4g})\n", r.max_concurrent, r.capacity_tokens_per_s, r.static_tokens_per_s);
  if (o.draft)
    std::cout << fmt::format("  speculative ({} drafts of {}, acceptance {:.2f}): {:.2f} tokens per pass, ITL {}\n",
                             a.draft_tokens, a.draft, a.acceptance, r.spec_expected_tokens, fq(r.spec_itl, Dim::time));
  std::cout << fmt::format("  {}; binding: {}\n", r.feasible ? "feasible" : "INFEASIBLE", r.binding);
  if (a.json) print_json_line(tt::sim::to_json(r));
}

struct MemoryArgs {
  std::string model, device, precision = "fp16", recompute = "selective", optimizer = "adam", svg;
  int batch = 8, seq = 2048, zero = 0, dp = 1, tp = 1, pp = 1, grad_accum = 1;
  bool lora = false, compat = false, json = false;
};

void run_memory(const MemoryArgs& a) {
  const tt::sim::Registry& reg = tt::sim::registry();
  const tt::sim::Device& d = reg.device(a.device);
  const tt::sim::ModelSpec& m = reg.model(a.model);
  tt::sim::TrainingMemoryOptions o;
  o.batch = a.batch, o.seq = a.seq, o.precision = tt::sim::parse_precision(a.precision);
  o.recompute = tt::sim::parse_recompute(a.recompute), o.optimizer = tt::sim::parse_optimizer(a.optimizer);
  o.zero_stage = a.zero, o.dp = a.dp, o.tp = a.tp, o.pp = a.pp, o.grad_accum = a.grad_accum;
  o.lora = a.lora, o.compat = a.compat;
  const tt::sim::TrainingMemoryResult r = tt::sim::training_memory(m, d, o);
  std::cout << fmt::format("sim memory: training {} on {} — batch {}, seq {}, {}, recompute {}, ZeRO-{} over DP {}, "
                           "TP {}, PP {}\n", m.key, d.key, a.batch, a.seq, a.precision, a.recompute, a.zero, a.dp, a.tp, a.pp);
  const std::pair<const char*, double> parts[] = {{"weights", r.weights}, {"gradients", r.gradients},
      {"optimizer state", r.optimizer}, {"activations", r.activations}, {"buffers", r.buffers}};
  for (const auto& [name, v] : parts)
    std::cout << fmt::format("  {:<16} {:>10}  {:5.1f}%\n", name, fq(v, Dim::bytes), 100 * v / r.total);
  std::cout << fmt::format("  {:<16} {:>10}  of {} ({:.2f}x): {}\n", "total", fq(r.total, Dim::bytes),
                           fq(r.capacity, Dim::bytes), r.utilization, r.feasible ? "fits" : "does NOT fit");
  for (const std::string& n : r.notes) std::cout << "  note: " << n << "\n";
  if (!a.svg.empty()) {
    // The stack for each recompute policy, then each ZeRO stage at the chosen recompute.
    std::vector<std::pair<std::string, tt::sim::TrainingMemoryResult>> cfgs;
    for (const char* rc : {"none", "selective", "full"}) {
      tt::sim::TrainingMemoryOptions x = o;
      x.recompute = tt::sim::parse_recompute(rc), x.zero_stage = 0;
      cfgs.emplace_back(std::string("recompute ") + rc, tt::sim::training_memory(m, d, x));
    }
    for (int z = 1; z <= 3 && a.dp > 1; ++z) {
      tt::sim::TrainingMemoryOptions x = o;
      x.zero_stage = z;
      cfgs.emplace_back(fmt::format("ZeRO-{} (DP {})", z, a.dp), tt::sim::training_memory(m, d, x));
    }
    tt::sim::SimPlotOptions po;
    po.title = fmt::format("Training memory per accelerator: {} on {}, batch {}, seq {}, {}", m.key, d.key, a.batch,
                           a.seq, a.precision);
    tt::sim::write_memory_stack_svg(a.svg, cfgs, po);
    std::cerr << "memory stack: " << a.svg << "\n";
  }
  if (a.json) print_json_line(tt::sim::to_json(r));
}

struct ValidateArgs {
  int steps = 5, warmup = 2, top = 0, rounds = 3;
  bool json = false;
};

void run_validate(const ValidateArgs& a) {
  tt::set_num_threads(1);
  const tt::hw::Ceilings c = tt::hw::ceilings_for(1);
  tt::manual_seed(0);
  // Our milestone models, training steps, plus GPT inference: the ops a learner profiles.
  struct Spec { const char* model; bool train; int batch; };
  const Spec specs[] = {{"mlp", true, 64}, {"cnn", true, 32}, {"gpt", true, 8}, {"gpt", false, 8}};
  std::vector<Target> targets;
  std::vector<std::unique_ptr<tt::optim::Optimizer>> opts;
  std::vector<tt::sim::FrameworkWorkload> work;
  for (const Spec& s : specs) {
    targets.push_back(make_target(s.model, s.batch, 0));
    Target& t = targets.back();
    opts.push_back(s.train ? std::make_unique<tt::optim::AdamW>(t.w.model->parameters(), tt::optim::Options{{"lr", 1e-3}})
                           : nullptr);
    const std::string name = std::string(s.model) + (s.train ? "" : "-inf");
    work.push_back({name, t.w, opts.back().get(), s.train, double(t.batch), double(t.batch * t.seq)});
  }
  // Rounds, each calibrating then measuring, merged by medians: a burst from another process
  // during one round's calibration or measurement moves no row.
  std::vector<tt::sim::ValidationResult> rounds;
  for (int i = 0; i < a.rounds; ++i) {
    std::cerr << fmt::format("sim validate: round {}/{}: calibrating this machine's bandwidth tiers and per-op "
                             "costs, then measuring\n", i + 1, a.rounds);
    rounds.push_back(tt::sim::validate(work, tt::sim::calibrate_host(c), {a.warmup, a.steps}));
  }
  const tt::sim::ValidationResult r = tt::sim::merge_rounds(rounds);
  std::cout << "sim validate: each op's time predicted from this machine's measured ceilings vs measured (1 thread)\n";
  std::cout << tt::sim::format_validation(r, a.top);
  if (a.json) print_json_line(tt::sim::to_json(r));
}

}  // namespace

void add_sim_serve(CLI::App& sim) {
  static ServeArgs a;
  auto* s = sim.add_subcommand("serve", "LLM serving on a device: TTFT, ITL, KV cache, batching, speculative decoding");
  s->add_option("model", a.model, "zoo key of a transformer")->required();
  s->add_option("device", a.device, "device key")->required();
  s->add_option("--seq", a.seq, "prompt tokens (default 2048)")->check(CLI::PositiveNumber);
  s->add_option("--batch", a.batch, "requests batched together (default 1)")->check(CLI::PositiveNumber);
  s->add_option("--output", a.output, "generated tokens per request (default 128)")->check(CLI::PositiveNumber);
  s->add_option("--precision", a.precision, "weights and KV precision (default fp16)");
  s->add_option("--efficiency", a.efficiency, "η of prefill (default 0.5)")->check(CLI::Range(1e-6, 1.0));
  s->add_option("--cached", a.cached, "prompt tokens already cached (prefix caching)")->check(CLI::NonNegativeNumber);
  s->add_option("--chunk", a.chunk, "chunked prefill: tokens per chunk")->check(CLI::NonNegativeNumber);
  s->add_flag("--disaggregated", a.disaggregated, "prefill and decode on separate devices (KV moves between)");
  s->add_option("--draft", a.draft, "speculative decoding with this zoo model as the draft");
  s->add_option("--draft-tokens", a.draft_tokens, "tokens drafted per step (default 4)")->check(CLI::PositiveNumber);
  s->add_option("--acceptance", a.acceptance, "per-token acceptance probability (default 0.7)")
      ->check(CLI::Range(0.0, 0.999));
  s->add_flag("--compat", a.compat, "the reference simulator's serving model");
  s->add_flag("--json", a.json, "last line: JSON");
  s->callback([] { run_serve(a); });
}

void add_sim_memory(CLI::App& sim) {
  static MemoryArgs a;
  auto* m = sim.add_subcommand("memory", "training memory per accelerator: weights, gradients, optimizer, activations");
  m->add_option("model", a.model, "zoo key")->required();
  m->add_option("device", a.device, "device key")->required();
  m->add_option("--batch", a.batch, "global batch (default 8)")->check(CLI::PositiveNumber);
  m->add_option("--seq", a.seq, "tokens per sequence (default 2048)")->check(CLI::PositiveNumber);
  m->add_option("--precision", a.precision, "default fp16");
  m->add_option("--recompute", a.recompute, "none | selective | full (default selective)");
  m->add_option("--optimizer", a.optimizer, "adam | adamw | sgd_momentum | sgd | none (default adam)");
  m->add_option("--zero", a.zero, "ZeRO stage 0-3")->check(CLI::Range(0, 3));
  m->add_option("--dp", a.dp, "data-parallel ranks")->check(CLI::PositiveNumber);
  m->add_option("--tp", a.tp, "tensor-parallel ranks")->check(CLI::PositiveNumber);
  m->add_option("--pp", a.pp, "pipeline stages")->check(CLI::PositiveNumber);
  m->add_option("--grad-accum", a.grad_accum, "gradient-accumulation micro-steps")->check(CLI::PositiveNumber);
  m->add_flag("--lora", a.lora, "train rank-16 LoRA adapters only");
  m->add_flag("--compat", a.compat, "the reference simulator's rules");
  m->add_option("--svg", a.svg, "write the memory stack for each recompute policy and ZeRO stage");
  m->add_flag("--json", a.json, "last line: JSON");
  m->callback([] { run_memory(a); });
}

void add_sim_validate(CLI::App& sim) {
  static ValidateArgs a;
  auto* v = sim.add_subcommand("validate", "our ops' predicted time on this machine vs their measured time");
  v->add_option("--steps", a.steps, "recorded steps per workload (default 5)")->check(CLI::Range(1, 100));
  v->add_option("--warmup", a.warmup, "unrecorded steps first (default 2)")->check(CLI::Range(0, 100));
  v->add_option("--rounds", a.rounds, "calibrate-then-measure rounds merged by medians (default 3)")
      ->check(CLI::Range(1, 20));
  v->add_option("--top", a.top, "rows to print (0 = all)")->check(CLI::NonNegativeNumber);
  v->add_flag("--json", a.json, "last line: {\"median_abs_error\": E, \"ops\": [...]}");
  v->callback([] { run_validate(a); });
}

}  // namespace tito
