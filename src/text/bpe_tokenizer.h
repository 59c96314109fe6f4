// Byte-level BPE tokenizer (Sennrich et al. 2016; byte-level as GPT-2, Radford et al. 2019):
// ids 0..255 are the bytes, 256 + r is the token made by merge r, and special tokens (e.g.
// "<|endoftext|>") come after the merges. Any byte string encodes, and decode(encode(s)) == s.
// Training: bpe_train.cpp (pre-split with pretokenize.h, then greedy pair merging with incremental
// pair counts). Encoding: bpe_tokenizer.cpp. Interface and loader: tokenizer.h.
#pragma once
#include <string>
#include <unordered_map>

#include "text/tokenizer.h"

namespace tt::text {

struct BpeMerge {
  int32_t left = 0, right = 0;  // the pair merged; the result is id 256 + (index of this merge)
  bool operator==(const BpeMerge&) const = default;
};

// What one training run did, for logs and docs.
struct BpeTrainStats {
  int64_t chunks = 0;         // pre-tokenized chunks in the training text
  int64_t unique_chunks = 0;  // distinct chunks (the "words" BPE works on)
  int64_t merges = 0;         // merges learned
  bool ran_out_of_pairs = false;  // every chunk became one token before vocab_size was reached
};

class BpeTokenizer : public Tokenizer {
 public:
  static constexpr int64_t kByteVocab = 256;
  static constexpr int64_t kMaxVocab = int64_t{1} << 20;

  BpeTokenizer() : BpeTokenizer({}, {}) {}  // no merges, no special tokens: plain bytes
  // Validates: each merge may only use ids that exist before it; no pair twice; special tokens
  // non-empty and distinct.
  BpeTokenizer(std::vector<BpeMerge> merges, std::vector<std::string> special_tokens);

  // Learns vocab_size - 256 - special_tokens.size() merges (fewer if the pairs run out; see
  // stats). Special tokens are cut out of the training text first, so no merge spans one.
  // Ties between equally frequent pairs go to the smallest (left id, right id).
  static BpeTokenizer train(std::string_view text, int64_t vocab_size,
                            const std::vector<std::string>& special_tokens = {},
                            BpeTrainStats* stats = nullptr);
  static BpeTokenizer load(const std::string& path);
  // From a BPE tokenizer file's text; `source` names it in errors.
  static BpeTokenizer parse(std::string_view content, const std::string& source);

  std::string_view type() const override { return "bpe"; }
  int64_t vocab_size() const override;
  std::vector<int64_t> encode(std::string_view text) const override { return encode(text, true); }
  // allow_special: occurrences of special tokens become their ids (leftmost first, the longest
  // where two start at the same byte); when false they are encoded as ordinary text.
  std::vector<int64_t> encode(std::string_view text, bool allow_special) const;
  std::string decode(std::span<const int64_t> ids) const override;
  std::string serialize() const override;

  const std::vector<BpeMerge>& merges() const { return merges_; }
  const std::vector<std::string>& special_tokens() const { return specials_; }
  int64_t special_token_id(std::string_view token) const;  // throws if it is not one
  const std::string& token_bytes(int64_t id) const;        // throws if out of range

 private:
  std::vector<BpeMerge> merges_;
  std::vector<std::string> specials_;
  std::vector<std::string> bytes_;                 // id -> bytes (bytes, merges, specials)
  std::unordered_map<uint64_t, int32_t> ranks_;    // (left << 32 | right) -> merge index
};

}  // namespace tt::text
