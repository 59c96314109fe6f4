// tito tokenizer train | encode | decode: train a char or byte-level BPE tokenizer on a text file,
// and run a saved one both ways. Thin: the tokenizers live in src/text/, the file format and the
// trade-offs in docs/language.md. Siblings: the other subcommands in commands.cpp, cmd_hw.cpp.
#include <fmt/core.h>

#include <charconv>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "apps/tito/commands.h"
#include "core/error.h"
#include "data/text_corpus.h"
#include "text/bpe_tokenizer.h"
#include "text/char_tokenizer.h"

namespace tito {
namespace {

struct TrainArgs {
  std::string corpus, type, out;
  int64_t vocab = 0;
  std::vector<std::string> specials;
};

// A usage mistake CLI11 cannot see (it depends on --type): message + exit 2, like a parse error.
void usage_error(const std::string& msg) {
  std::cerr << "tito: " << msg << "\n";
  set_exit_code(2);
}

void run_train(const TrainArgs& a) {
  if (a.type == "char" && (a.vocab != 0 || !a.specials.empty()))
    return usage_error("--vocab and --special apply to --type bpe only (a char vocabulary is the text's symbols)");
  if (a.type == "bpe" && a.vocab == 0) return usage_error("--type bpe needs --vocab N (e.g. 1024)");
  const std::string text = tt::data::load_text_file(a.corpus);
  const auto t0 = std::chrono::steady_clock::now();
  std::string summary;
  if (a.type == "char") {
    const auto tok = tt::text::CharTokenizer::train(text);
    tok.save(a.out);
    summary = fmt::format("char tokenizer: vocab {}", tok.vocab_size());
  } else {
    tt::text::BpeTrainStats st;
    const auto tok = tt::text::BpeTokenizer::train(text, a.vocab, a.specials, &st);
    tok.save(a.out);
    summary = fmt::format("bpe tokenizer: vocab {} ({} merges, {} special), {} chunks ({} distinct)",
                          tok.vocab_size(), st.merges, a.specials.size(), st.chunks, st.unique_chunks);
    if (st.ran_out_of_pairs)
      summary += fmt::format("\n  note: every chunk became a single token after {} merges, so the vocab "
                             "is smaller than the {} asked for", st.merges, a.vocab);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << summary << fmt::format("\n  trained on {} bytes of {} in {:.2f} s; wrote {}\n", text.size(),
                                      a.corpus, secs, a.out);
}

void run_encode(const std::string& path, const std::string& text, bool no_special) {
  const auto tok = tt::text::load_tokenizer(path);
  const auto* bpe = dynamic_cast<const tt::text::BpeTokenizer*>(tok.get());
  if (no_special && bpe == nullptr) return usage_error("--no-special applies to bpe tokenizers only");
  const std::vector<int64_t> ids = bpe ? bpe->encode(text, !no_special) : tok->encode(text);
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
  std::cout << line << "\n";
}

void run_decode(const std::string& path, const std::string& ids_text) {
  std::vector<int64_t> ids;
  size_t pos = 0;
  while (pos < ids_text.size()) {
    const size_t start = ids_text.find_first_not_of(" \t\n,", pos);
    if (start == std::string::npos) break;
    size_t end = ids_text.find_first_of(" \t\n,", start);
    if (end == std::string::npos) end = ids_text.size();
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(ids_text.data() + start, ids_text.data() + end, v);
    if (ec != std::errc() || ptr != ids_text.data() + end)
      return usage_error("--ids: '" + ids_text.substr(start, end - start) + "' is not an integer id");
    ids.push_back(v);
    pos = end;
  }
  const std::string text = tt::text::load_tokenizer(path)->decode(ids);
  std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));  // the bytes, exactly
  std::cout.flush();
}

}  // namespace

void add_tokenizer(CLI::App& app) {
  auto* cmd = app.add_subcommand("tokenizer", "train a char or byte-level BPE tokenizer; encode and decode text");
  cmd->require_subcommand(1);
  auto* train = cmd->add_subcommand("train", "train a tokenizer on a text file and save it");
  static TrainArgs ta;
  train->add_option("--corpus", ta.corpus, "training text file")->required();
  train->add_option("--type", ta.type, "char | bpe")->required()->check(CLI::IsMember({"char", "bpe"}));
  train->add_option("--vocab", ta.vocab, "bpe: vocab size = 256 bytes + merges + special tokens")
      ->check(CLI::Range(int64_t{256}, tt::text::BpeTokenizer::kMaxVocab));
  train->add_option("--special", ta.specials, "bpe: special token(s), e.g. '<|endoftext|>'");
  train->add_option("--out", ta.out, "tokenizer file to write")->required();
  train->callback([] { run_train(ta); });

  auto* encode = cmd->add_subcommand("encode", "print the ids of a text, space-separated");
  static std::string enc_path, enc_text;
  static bool no_special = false;
  encode->add_option("--tokenizer", enc_path, "tokenizer file")->required();
  encode->add_option("--text", enc_text, "text to encode")->required();
  encode->add_flag("--no-special", no_special, "bpe: encode special tokens as ordinary text");
  encode->callback([] { run_encode(enc_path, enc_text, no_special); });

  auto* decode = cmd->add_subcommand("decode", "print the text of ids (the bytes exactly, no newline added)");
  static std::string dec_path, dec_ids;
  decode->add_option("--tokenizer", dec_path, "tokenizer file")->required();
  decode->add_option("--ids", dec_ids, "ids separated by spaces or commas, e.g. \"1 2 3\"")->required();
  decode->callback([] { run_decode(dec_path, dec_ids); });
}

}  // namespace tito
