// GPT model files (see model_file.h).
#include "io/model_file.h"

#include <nlohmann/json.hpp>

#include "io/tensor_io.h"

namespace tt::io {

using json = nlohmann::json;

std::string gpt_config_to_json(const nn::GPTConfig& c) {
  json j = {{"vocab_size", c.vocab_size},    {"context", c.context},         {"d_model", c.d_model},
            {"n_layers", c.n_layers},        {"n_heads", c.n_heads},         {"n_kv_heads", c.n_kv_heads},
            {"mlp_hidden", c.mlp_hidden},    {"mlp", nn::mlp_kind_name(c.mlp)}, {"norm", nn::norm_kind_name(c.norm)},
            {"position", nn::position_kind_name(c.position)}, {"tie_weights", c.tie_weights},
            {"bias", c.bias},                {"dropout", c.dropout}};
  return j.dump();
}

namespace {
template <typename T>
T field(const json& j, const char* name, const std::string& what) {
  TT_CHECK(j.contains(name), what, ": GPT config has no field '", name, "'");
  try {
    return j.at(name).get<T>();
  } catch (const json::exception&) {
    TT_CHECK(false, what, ": GPT config field '", name, "' has the wrong type: ", j.at(name).dump());
  }
  return T{};
}
}  // namespace

nn::GPTConfig gpt_config_from_json(const std::string& text, const std::string& what) {
  json j = json::parse(text, nullptr, false);
  TT_CHECK(!j.is_discarded() && j.is_object(), what, ": the GPT config is not a JSON object");
  static const char* kFields[] = {"vocab_size", "context", "d_model", "n_layers", "n_heads", "n_kv_heads", "mlp_hidden",
                                  "mlp",        "norm",    "position", "tie_weights", "bias", "dropout"};
  for (auto& [k, v] : j.items()) {
    bool known = false;
    for (const char* f : kFields) known = known || k == f;
    TT_CHECK(known, what, ": unknown GPT config field '", k, "'");
  }
  nn::GPTConfig c;
  c.vocab_size = field<int64_t>(j, "vocab_size", what);
  c.context = field<int64_t>(j, "context", what);
  c.d_model = field<int64_t>(j, "d_model", what);
  c.n_layers = field<int64_t>(j, "n_layers", what);
  c.n_heads = field<int64_t>(j, "n_heads", what);
  c.n_kv_heads = field<int64_t>(j, "n_kv_heads", what);
  c.mlp_hidden = field<int64_t>(j, "mlp_hidden", what);
  c.mlp = nn::parse_mlp_kind(field<std::string>(j, "mlp", what));
  c.norm = nn::parse_norm_kind(field<std::string>(j, "norm", what));
  c.position = nn::parse_position_kind(field<std::string>(j, "position", what));
  c.tie_weights = field<bool>(j, "tie_weights", what);
  c.bias = field<bool>(j, "bias", what);
  c.dropout = field<double>(j, "dropout", what);
  try {
    c.validate();
  } catch (const Error& e) {
    TT_CHECK(false, what, ": ", e.what());
  }
  return c;
}

void save_gpt(const std::string& path, const nn::GPT& model, const text::Tokenizer& tokenizer) {
  TT_CHECK(tokenizer.vocab_size() == model.config.vocab_size, "save_gpt: the tokenizer's vocabulary (",
           tokenizer.vocab_size(), ") differs from the model's (", model.config.vocab_size, ")");
  save_safetensors(path, model.state_dict(),
                   {{"format", kGptFormat},
                    {"config", gpt_config_to_json(model.config)},
                    {"tokenizer", tokenizer.serialize()}});
}

LoadedGpt load_gpt(const std::string& path) {
  const std::string what = "model file " + path;
  LoadedTensors f = load_safetensors(path);
  auto meta = [&](const char* key) -> const std::string& {
    auto it = f.metadata.find(key);
    TT_CHECK(it != f.metadata.end(), what, ": metadata has no '", key, "' (not a GPT saved by tinytorch?)");
    return it->second;
  };
  TT_CHECK(meta("format") == kGptFormat, what, ": format '", meta("format"), "', expected '", kGptFormat, "'");
  LoadedGpt out;
  nn::GPTConfig c = gpt_config_from_json(meta("config"), what);
  out.model = std::make_unique<nn::GPT>(c);
  try {
    out.model->load_state_dict(f.tensors);
  } catch (const Error& e) {
    TT_CHECK(false, what, ": ", e.what());
  }
  out.tokenizer = text::parse_tokenizer(meta("tokenizer"), what + " (tokenizer)");
  TT_CHECK(out.tokenizer->vocab_size() == c.vocab_size, what, ": the tokenizer's vocabulary (",
           out.tokenizer->vocab_size(), ") differs from the model's (", c.vocab_size, ")");
  out.model->eval();
  return out;
}

}  // namespace tt::io
