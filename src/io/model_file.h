// GPT model files: everything `tito generate` needs in one safetensors file — the weights
// (tensors named as GPT::state_dict), and in the metadata the format tag
// "tinytorch-gpt-v1", the model's GPTConfig as JSON, and the tokenizer file's text. Written
// atomically. Loading validates the tag, every config field (name and value in the error), the
// tensors against the config (strict state_dict load) and the tokenizer's vocabulary size.
// Not a training checkpoint (no optimizer state): see io/checkpoint.h for that.
#pragma once
#include <memory>
#include <string>

#include "nn/transformer.h"
#include "text/tokenizer.h"

namespace tt::io {

inline constexpr const char* kGptFormat = "tinytorch-gpt-v1";

std::string gpt_config_to_json(const nn::GPTConfig& c);
// what names the source in errors ("model file X"); unknown or missing fields are errors.
nn::GPTConfig gpt_config_from_json(const std::string& json, const std::string& what);

void save_gpt(const std::string& path, const nn::GPT& model, const text::Tokenizer& tokenizer);

struct LoadedGpt {
  std::unique_ptr<nn::GPT> model;
  std::unique_ptr<text::Tokenizer> tokenizer;
};
LoadedGpt load_gpt(const std::string& path);

}  // namespace tt::io
