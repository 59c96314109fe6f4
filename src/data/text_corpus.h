// Text corpora for language models: the King James Bible built exactly as the char-GPT peer
// builds it (/work/shared/peers/torch_chargpt.py), plain text files, and the glue from token ids
// to training batches: an int64 token tensor, the first-90%/last-10% split, and random
// (x, y) windows from the seeded generator. Tokenizers live in text/ (tt::text); this layer
// takes their ids and never depends on them (encode_corpus is a header template).
// Docs: docs/language.md ("The KJV corpus"), docs/data_sets.md.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/generator.h"
#include "core/tensor.h"
#include "data/fetch.h"

namespace tt::data {

// The corpus: `bible -f Gen1:1-Rev22:21` (stdin /dev/null, cwd /tmp), every output line with
// everything up to and including its first space removed (the "Ge1:1 " reference), lines joined
// with "\n" plus a final "\n". ASCII only, so characters == bytes.
inline constexpr const char* kKjvBibleCommand = "bible -f Gen1:1-Rev22:21";
inline constexpr int64_t kKjvChars = 4137850;
inline constexpr int64_t kKjvDistinct = 63;
inline constexpr const char* kKjvSha256 = "b5c4940bcfeee072c0935b5200d0f9d88a00a0199cb0961d16133458fcdfae5d";

// The peer's transformation of `bible` output, exactly: Python's str.splitlines() (\n, \r\n, \r,
// \v, \f, \x1c-\x1e, U+0085, U+2028, U+2029), `l.split(" ", 1)[1] if " " in l else l`, "\n".join,
// + "\n".
std::string kjv_text_from_bible_output(std::string_view raw);

// Empty if `text` is the KJV corpus (ASCII, length, distinct count, sha256), else what differs.
std::string kjv_problem(std::string_view text);

// <data_dir>/kjv/kjv.txt
std::string kjv_path(const std::string& data_dir);

// Writes the corpus to kjv_path(data_dir) unless a valid one is there (size + sha256 checked).
// Needs the `bible` program (Debian bible-kjv); without it the error names the apt-get command.
// The result is validated before it is written; a mismatch is an error, nothing is written.
FetchResult fetch_kjv(const std::string& data_dir, bool verbose);

// The whole file as bytes; errors name the path.
std::string load_text_file(const std::string& path);

// 1-D int64 tensor of the ids.
Tensor tokens_tensor(std::span<const int64_t> ids);

// Encodes `text` with any tokenizer (tt::text::CharTokenizer, BpeTokenizer) into tokens_tensor.
template <typename Tokenizer>
Tensor encode_corpus(const Tokenizer& tokenizer, std::string_view text) {
  const auto ids = tokenizer.encode(text);
  return tokens_tensor(ids);
}

// First floor(train_fraction * n) tokens for training, the rest for validation (the peer's
// `int(0.9 * len(data))`). Both parts are views of `tokens`; both must be non-empty.
struct TokenSplit {
  Tensor train, val;
};
TokenSplit split_tokens(const Tensor& tokens, double train_fraction = 0.9);

// A batch of random windows: x[b] = tokens[o_b : o_b + context], y[b] = tokens[o_b + 1 : o_b +
// context + 1], both (batch, context) int64, with offsets o_b = gen.randint(0, n - context - 1)
// drawn in order b = 0..batch-1 (the peer's torch.randint(len - CTX - 1) range). Needs
// n >= context + 2 tokens.
struct WindowBatch {
  Tensor x, y;  // (B, T) int64
};
WindowBatch sample_windows(const Tensor& tokens, int64_t batch, int64_t context, Generator& gen);

}  // namespace tt::data
