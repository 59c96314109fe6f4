// GPT model files (io/model_file.h): a saved model and tokenizer load back and generate the same
// text; every malformed file — wrong format tag, bad or missing config fields, tensors that do
// not match the config, a tokenizer of another vocabulary or a corrupt tokenizer — is an error
// naming the file and the problem.
#include <gtest/gtest.h>

#include "io/model_file.h"
#include "io/tensor_io.h"
#include "nn/generate.h"
#include "tensor_expect.h"
#include "temp_dir.h"
#include "text/bpe_tokenizer.h"
#include "text/char_tokenizer.h"

namespace tt {
namespace {

class ModelFile : public testing::TempDirTest {
 protected:
  nn::GPTConfig config(int64_t vocab) {
    nn::GPTConfig c;
    c.vocab_size = vocab;
    c.context = 16;
    c.d_model = 16;
    c.n_layers = 2;
    c.n_heads = 2;
    return c;
  }
  // The tensors and metadata of a valid file, for the malformed variants.
  io::LoadedTensors valid_file() {
    auto tok = text::CharTokenizer::train("abcdef \n");
    Generator g(3);
    nn::GPT model(config(tok.vocab_size()), &g);
    io::save_gpt(path("m.safetensors"), model, tok);
    return io::load_safetensors(path("m.safetensors"));
  }
  std::string error_for(const io::LoadedTensors& f) {
    io::save_safetensors(path("bad.safetensors"), f.tensors, f.metadata);
    return testing::error_message([&] { io::load_gpt(path("bad.safetensors")); });
  }
};

TEST_F(ModelFile, RoundTripGeneratesTheSameText) {
  for (bool bpe : {false, true}) {
    std::unique_ptr<text::Tokenizer> tok;
    if (bpe) tok = std::make_unique<text::BpeTokenizer>(text::BpeTokenizer::train("the cat sat on the mat ", 262));
    else tok = std::make_unique<text::CharTokenizer>(text::CharTokenizer::train("the cat sat on the mat"));
    nn::GPTConfig c = config(tok->vocab_size());
    c.position = bpe ? nn::PositionKind::Rope : nn::PositionKind::Learned;
    c.tie_weights = bpe;
    Generator g(5);
    nn::GPT model(c, &g);
    io::save_gpt(path("m.safetensors"), model, *tok);
    io::LoadedGpt back = io::load_gpt(path("m.safetensors"));
    EXPECT_EQ(io::gpt_config_to_json(back.model->config), io::gpt_config_to_json(c));
    EXPECT_EQ(back.tokenizer->type(), tok->type());
    nn::SamplingOptions o;
    o.max_new_tokens = 20;
    o.seed = 9;
    auto prompt = tok->encode("the ");
    EXPECT_EQ(nn::generate(*back.model, prompt, o), nn::generate(model, prompt, o)) << (bpe ? "bpe" : "char");
  }
}

TEST_F(ModelFile, MalformedFilesNameTheProblem) {
  io::LoadedTensors f = valid_file();
  auto with = [&](const std::string& key, const std::string& value) {
    io::LoadedTensors g = f;
    g.metadata[key] = value;
    return g;
  };
  testing::expect_mentions(error_for(with("format", "tinytorch-gpt-v0")), {"bad.safetensors", "tinytorch-gpt-v0"});
  io::LoadedTensors no_tok = f;
  no_tok.metadata.erase("tokenizer");
  testing::expect_mentions(error_for(no_tok), {"bad.safetensors", "no 'tokenizer'"});
  testing::expect_mentions(error_for(with("config", "{nonsense")), {"not a JSON object"});
  std::string cfg = f.metadata.at("config");
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string c = cfg;
    c.replace(c.find(from), from.size(), to);
    return with("config", c);
  };
  testing::expect_mentions(error_for(edit("\"n_heads\":2", "\"n_heads\":3")), {"multiple of n_heads"});
  testing::expect_mentions(error_for(edit("\"n_heads\":2", "\"n_heads\":\"2\"")), {"'n_heads'", "wrong type"});
  testing::expect_mentions(error_for(edit("\"n_heads\":2", "\"n_headz\":2")), {"unknown GPT config field 'n_headz'"});
  testing::expect_mentions(error_for(edit("\"mlp\":\"gelu\"", "\"mlp\":\"relu\"")), {"unknown mlp 'relu'"});
  testing::expect_mentions(error_for(edit("\"n_layers\":2", "\"n_layers\":3")), {"bad.safetensors", "blocks.2"});
  testing::expect_mentions(error_for(edit("\"vocab_size\":8", "\"vocab_size\":9")), {"bad.safetensors"});
  testing::expect_mentions(error_for(with("tokenizer", "tinytorch-tokenizer 1 char\nvocab 2\n")),
                           {"bad.safetensors (tokenizer)"});
}

TEST_F(ModelFile, MissingFileAndTokenizerMismatch) {
  testing::expect_mentions(testing::error_message([&] { io::load_gpt(path("none.safetensors")); }),
                           {"none.safetensors"});
  auto tok = text::CharTokenizer::train("abc");
  nn::GPT model(config(5));
  testing::expect_mentions(testing::error_message([&] { io::save_gpt(path("m.safetensors"), model, tok); }),
                           {"vocabulary (3)", "model's (5)"});
}

}  // namespace
}  // namespace tt
