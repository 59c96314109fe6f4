// Workloads built from our framework's models (see targets.h).
#include "apps/tito/targets.h"

#include <fmt/core.h>

#include <filesystem>

#include "io/checkpoint.h"
#include "io/model_file.h"
#include "milestones/milestone.h"
#include "tinytorch.h"

namespace tito {
namespace {

void image_target(Target& t, std::shared_ptr<tt::nn::Sequential> m, int64_t batch, const std::string& weights) {
  const int64_t B = batch > 0 ? batch : 64;
  if (!weights.empty()) tt::io::load_checkpoint(weights, *m, nullptr, nullptr);
  t.module = m;
  t.w.model = m.get();
  t.w.input = tt::randn(tt::Shape{B, 1, 28, 28});  // a Fashion-MNIST-sized batch; the values do not change the cost
  tt::Tensor y = tt::randint(0, 10, tt::Shape{B});
  t.w.loss = [y](const tt::Tensor& out) { return tt::cross_entropy(out, y); };
  t.shape_note = fmt::format("batch {}, input [{}, 1, 28, 28]", B, B);
  t.batch = B;
}

void gpt_target(Target& t, std::unique_ptr<tt::nn::GPT> gpt, int64_t batch, int64_t seq) {
  const tt::nn::GPTConfig& c = gpt->config;
  const int64_t B = batch > 0 ? batch : 32, T = seq > 0 ? seq : c.context;
  if (T > c.context) throw tt::Error(fmt::format("--seq {} exceeds the model's context {}", T, c.context));
  tt::Tensor ids = tt::randint(0, c.vocab_size, tt::Shape{B, T});
  tt::Tensor y = tt::randint(0, c.vocab_size, tt::Shape{B * T});
  const int64_t V = c.vocab_size;
  t.w.model = gpt.get();
  t.w.input = ids;
  t.w.loss = [y, V](const tt::Tensor& logits) { return tt::cross_entropy(logits.reshape(tt::Shape{-1, V}), y); };
  t.gpt = std::move(gpt);
  t.shape_note = fmt::format("batch {}, sequence {} (context {}, vocabulary {})", B, T, c.context, V);
  t.batch = B, t.seq = T;
}

}  // namespace

bool is_framework_model(const std::string& model) {
  return model == "mlp" || model == "cnn" || model == "gpt" ||
         ((model.find('/') != std::string::npos || model.find('.') != std::string::npos) && std::filesystem::exists(model));
}

Target make_target(const std::string& model, int64_t batch, int64_t seq, const std::string& weights) {
  Target t;
  t.name = model;
  tt::Generator g(0);
  if (model == "mlp" || model == "cnn") {
    image_target(t, model == "mlp" ? tt::milestones::mlp_model(&g) : tt::milestones::lenet_model(&g), batch, weights);
  } else if (model == "gpt") {
    if (!weights.empty()) throw tt::Error("--weights is for mlp and cnn; pass a GPT model file as MODEL");
    gpt_target(t, std::make_unique<tt::nn::GPT>(tt::milestones::kjv_gpt_config(65), &g), batch, seq);
  } else if (std::filesystem::exists(model)) {
    gpt_target(t, tt::io::load_gpt(model).model, batch, seq);
  } else {
    throw tt::Error(fmt::format("unknown model \"{}\" (expected mlp, cnn, gpt or a GPT model file)", model));
  }
  return t;
}

}  // namespace tito
