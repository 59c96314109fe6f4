// The tokenizer interface: text (any bytes) <-> token ids, with decode(encode(s)) == s.
// Two implementations: CharTokenizer (one id per Unicode symbol, char_tokenizer.h) and
// BpeTokenizer (byte-level BPE as GPT-2, bpe_tokenizer.h). Both save to one versioned text file
// (docs/language.md, "The tokenizer file format"); load_tokenizer reads either kind.
// Ids are int64_t, the dtype of the tensors they go into (tt::kInt64). encode/decode are const and
// keep no shared state, so threads may share one tokenizer.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tt::text {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::string_view type() const = 0;  // "char" or "bpe", as in the file header
  virtual int64_t vocab_size() const = 0;     // ids are 0 .. vocab_size() - 1
  // Throws tt::Error if the text cannot be encoded (char: a symbol outside the vocabulary).
  virtual std::vector<int64_t> encode(std::string_view text) const = 0;
  // Throws tt::Error for an id outside [0, vocab_size()), naming the id and its position.
  virtual std::string decode(std::span<const int64_t> ids) const = 0;
  // The tokenizer file's text (what save writes), e.g. to embed in a model file.
  virtual std::string serialize() const = 0;
  // Writes serialize() to `path` atomically (temp file + fsync + rename).
  void save(const std::string& path) const;
};

// Loads a tokenizer file of either type (the first line says which); every malformed case is a
// tt::Error naming the file, the line and the problem.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

// The same from the file's text held in memory; errors read "<source>, line N: problem".
std::unique_ptr<Tokenizer> parse_tokenizer(std::string_view content, const std::string& source);

}  // namespace tt::text
