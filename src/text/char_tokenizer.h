// Character-level tokenizer: the vocabulary is the distinct symbols of a training text sorted by
// code point, id = index, so for ASCII text it equals Python's `sorted(set(text))` (the char-GPT
// peer's vocabulary). Symbols are Unicode scalars; a byte that is not valid UTF-8 is a symbol of
// its own (utf8.h), so decode(encode(s)) == s for any bytes s made of vocabulary symbols.
// Not subword: for that see bpe_tokenizer.h. Interface and loader: tokenizer.h.
#pragma once
#include <array>
#include <unordered_map>

#include "text/tokenizer.h"

namespace tt::text {

class CharTokenizer : public Tokenizer {
 public:
  CharTokenizer() : CharTokenizer(std::vector<uint32_t>{}) {}  // empty vocabulary: encodes only ""
  // `symbols`: keys as in utf8.h, strictly ascending (so distinct); throws otherwise.
  explicit CharTokenizer(std::vector<uint32_t> symbols);

  // Vocabulary = distinct symbols of `text`, sorted by code point.
  static CharTokenizer train(std::string_view text);
  static CharTokenizer load(const std::string& path);
  // From a char tokenizer file's text; `source` names it in errors.
  static CharTokenizer parse(std::string_view content, const std::string& source);

  std::string_view type() const override { return "char"; }
  int64_t vocab_size() const override { return static_cast<int64_t>(symbols_.size()); }
  // A symbol not in the vocabulary throws, naming it (escaped) and its byte offset.
  std::vector<int64_t> encode(std::string_view text) const override;
  std::string decode(std::span<const int64_t> ids) const override;
  std::string serialize() const override;

  const std::vector<uint32_t>& symbols() const { return symbols_; }  // id -> symbol key
  std::string symbol(int64_t id) const;                              // id -> its bytes

 private:
  std::vector<uint32_t> symbols_;
  std::vector<std::string> bytes_;                  // id -> bytes, for decode
  std::array<int32_t, 128> ascii_id_;               // fast path; -1 where absent
  std::unordered_map<uint32_t, int32_t> other_id_;  // every other key
};

}  // namespace tt::text
