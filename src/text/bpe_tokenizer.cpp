// BpeTokenizer: construction (validation), encoding (special tokens, then chunks with a per-call
// cache, merges in rank order), decoding, and the file section:
//   tinytorch-tokenizer 1 bpe / pretokenizer NAME / vocab_size V / merges M / special_tokens S /
//   M x `merge LEFT RIGHT ESCAPED-RESULT` / S x `special ESCAPED-BYTES` / end
// Training lives in bpe_train.cpp.
#include "text/bpe_tokenizer.h"

#include <algorithm>
#include <functional>

#include "core/error.h"
#include "text/pretokenize.h"
#include "text/tokenizer_file.h"

namespace tt::text {
namespace {

uint64_t pair_key(int64_t left, int64_t right) {
  return (static_cast<uint64_t>(left) << 32) | static_cast<uint64_t>(right);
}

// Note [Merging a chunk in rank order]
// GPT-2's encoder repeatedly finds the adjacent pair with the lowest merge rank and merges all its
// occurrences left to right. A token made by merge r can only take part in merges ranked above r
// (it did not exist before), so a min-heap of (rank, position) pops pairs in exactly that order;
// the symbols form a linked list, and a popped entry whose pair has since changed is skipped.
// That is O(n log n) per chunk instead of O(n^2), which matters for long chunks (a run of 100k
// spaces, random bytes). Chunks repeat a lot in real text, so results are cached per encode call.
class ChunkEncoder {
 public:
  ChunkEncoder(const std::vector<BpeMerge>& merges, const std::unordered_map<uint64_t, int32_t>& ranks)
      : merges_(merges), ranks_(ranks) {}

  void encode(std::string_view text, std::vector<int64_t>& out) {
    for_each_chunk(text, [&](std::string_view chunk) { encode_cached(chunk, out); });
  }

 private:
  static constexpr size_t kMaxCachedChunk = 256;     // bytes; longer chunks are rare
  static constexpr size_t kMaxCacheEntries = 1 << 18;  // bounds memory on endless novel chunks

  void encode_cached(std::string_view chunk, std::vector<int64_t>& out) {
    if (chunk.size() == 1 || merges_.empty()) {
      for (unsigned char c : chunk) out.push_back(c);
      return;
    }
    if (chunk.size() > kMaxCachedChunk) return merge_chunk(chunk, out);
    if (const auto it = cache_.find(chunk); it != cache_.end()) {
      out.insert(out.end(), ids_.begin() + it->second.first,
                 ids_.begin() + it->second.first + it->second.second);
      return;
    }
    if (cache_.size() >= kMaxCacheEntries) cache_.clear(), ids_.clear();
    const size_t before = out.size();
    merge_chunk(chunk, out);
    cache_.emplace(chunk, std::make_pair(ids_.size(), out.size() - before));
    ids_.insert(ids_.end(), out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
  }

  int32_t rank(int32_t left, int32_t right) const {
    const auto it = ranks_.find(pair_key(left, right));
    return it == ranks_.end() ? -1 : it->second;
  }

  void push(int32_t pos) {
    const int32_t r = rank(sym_[pos], sym_[next_[pos]]);
    if (r < 0) return;
    heap_.emplace_back(r, pos);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

  void merge_chunk(std::string_view chunk, std::vector<int64_t>& out) {
    const auto n = static_cast<int32_t>(chunk.size());
    sym_.resize(n);
    next_.resize(n);
    prev_.resize(n);
    heap_.clear();
    for (int32_t i = 0; i < n; ++i) {
      sym_[i] = static_cast<unsigned char>(chunk[i]);
      next_[i] = i + 1;
      prev_[i] = i - 1;
    }
    for (int32_t i = 0; i + 1 < n; ++i) push(i);
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      const auto [r, i] = heap_.back();
      heap_.pop_back();
      const int32_t j = next_[i];
      if (sym_[i] < 0 || j >= n || merges_[r].left != sym_[i] || merges_[r].right != sym_[j]) continue;
      sym_[i] = static_cast<int32_t>(BpeTokenizer::kByteVocab) + r;
      sym_[j] = -1;  // removed from the list
      next_[i] = next_[j];
      if (next_[i] < n) prev_[next_[i]] = i, push(i);
      if (prev_[i] >= 0) push(prev_[i]);
    }
    for (int32_t i = 0; i < n; i = next_[i]) out.push_back(sym_[i]);
  }

  const std::vector<BpeMerge>& merges_;
  const std::unordered_map<uint64_t, int32_t>& ranks_;
  std::unordered_map<std::string_view, std::pair<size_t, size_t>> cache_;  // -> (offset, count)
  std::vector<int64_t> ids_;                                              // cached ids, flat
  std::vector<int32_t> sym_, next_, prev_;
  std::vector<std::pair<int32_t, int32_t>> heap_;  // (rank, position), min-heap
};

}  // namespace

BpeTokenizer::BpeTokenizer(std::vector<BpeMerge> merges, std::vector<std::string> special_tokens)
    : merges_(std::move(merges)), specials_(std::move(special_tokens)) {
  TT_CHECK(kByteVocab + static_cast<int64_t>(merges_.size() + specials_.size()) <= kMaxVocab,
           "BpeTokenizer: ", merges_.size(), " merges + ", specials_.size(), " special tokens exceed ",
           "the vocab limit ", kMaxVocab);
  bytes_.reserve(kByteVocab + merges_.size() + specials_.size());
  for (int b = 0; b < kByteVocab; ++b) bytes_.emplace_back(1, static_cast<char>(b));
  for (size_t i = 0; i < merges_.size(); ++i) {
    const BpeMerge m = merges_[i];
    const int64_t known = kByteVocab + static_cast<int64_t>(i);
    TT_CHECK(m.left >= 0 && m.left < known && m.right >= 0 && m.right < known, "BpeTokenizer: merge ",
             i, " (", m.left, ", ", m.right, ") uses an id that does not exist yet (ids < ", known, ")");
    const auto [it, fresh] = ranks_.emplace(pair_key(m.left, m.right), static_cast<int32_t>(i));
    TT_CHECK(fresh, "BpeTokenizer: merge ", i, " (", m.left, ", ", m.right, ") repeats merge ", it->second);
    bytes_.push_back(bytes_[m.left] + bytes_[m.right]);
  }
  for (size_t i = 0; i < specials_.size(); ++i) {
    TT_CHECK(!specials_[i].empty(), "BpeTokenizer: special token ", i, " is empty");
    for (size_t k = 0; k < i; ++k)
      TT_CHECK(specials_[k] != specials_[i], "BpeTokenizer: special token '", escape_bytes(specials_[i]),
               "' is given twice (", k, " and ", i, ")");
    bytes_.push_back(specials_[i]);
  }
}

int64_t BpeTokenizer::vocab_size() const { return static_cast<int64_t>(bytes_.size()); }

std::vector<int64_t> BpeTokenizer::encode(std::string_view text, bool allow_special) const {
  std::vector<int64_t> out;
  out.reserve(text.size() / 2 + 1);
  ChunkEncoder enc(merges_, ranks_);
  if (!allow_special || specials_.empty()) {
    enc.encode(text, out);
    return out;
  }
  const auto first_special = kByteVocab + static_cast<int64_t>(merges_.size());
  split_at_specials(
      text, specials_, [&](std::string_view piece) { enc.encode(piece, out); },
      [&](size_t k) { out.push_back(first_special + static_cast<int64_t>(k)); });
  return out;
}

std::string BpeTokenizer::decode(std::span<const int64_t> ids) const {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    const int64_t id = ids[i];
    TT_CHECK(id >= 0 && id < vocab_size(), "BpeTokenizer::decode: id ", id, " at position ", i,
             " is out of range for vocab size ", vocab_size());
    out += bytes_[static_cast<size_t>(id)];
  }
  return out;
}

int64_t BpeTokenizer::special_token_id(std::string_view token) const {
  for (size_t k = 0; k < specials_.size(); ++k)
    if (specials_[k] == token) return kByteVocab + static_cast<int64_t>(merges_.size() + k);
  TT_CHECK(false, "BpeTokenizer: '", escape_bytes(token), "' is not a special token (this tokenizer has ",
           specials_.size(), ")");
}

const std::string& BpeTokenizer::token_bytes(int64_t id) const {
  TT_CHECK(id >= 0 && id < vocab_size(), "BpeTokenizer::token_bytes: id ", id,
           " is out of range for vocab size ", vocab_size());
  return bytes_[static_cast<size_t>(id)];
}

std::string BpeTokenizer::serialize() const {
  std::string s = std::string(kTokenizerMagic) + " " + std::to_string(kTokenizerVersion) + " bpe\n";
  s += std::string("pretokenizer ") + kPretokenizerName + "\n";
  s += "vocab_size " + std::to_string(vocab_size()) + "\n";
  s += "merges " + std::to_string(merges_.size()) + "\n";
  s += "special_tokens " + std::to_string(specials_.size()) + "\n";
  for (size_t i = 0; i < merges_.size(); ++i)
    s += "merge " + std::to_string(merges_[i].left) + " " + std::to_string(merges_[i].right) + " " +
         escape_bytes(bytes_[kByteVocab + i]) + "\n";
  for (const std::string& sp : specials_) s += "special " + escape_bytes(sp) + "\n";
  return s + "end\n";
}

BpeTokenizer BpeTokenizer::load(const std::string& path) {
  return parse(read_tokenizer_file(path), "tokenizer file " + path);
}

BpeTokenizer BpeTokenizer::parse(std::string_view content, const std::string& source) {
  TokenizerFileReader r(content, source);
  if (r.read_magic() != "bpe") r.fail("this is a char tokenizer file, expected bpe; use load_tokenizer");
  const auto pre = r.expect("pretokenizer", 2);
  if (pre[1] != kPretokenizerName)
    r.fail("unknown pretokenizer '", escape_bytes(pre[1]), "'; this build has '", kPretokenizerName, "'");
  const int64_t vocab = r.expect_int("vocab_size", kByteVocab, kMaxVocab);
  const int64_t n_merges = r.expect_int("merges", 0, kMaxVocab - kByteVocab);
  const int64_t n_special = r.expect_int("special_tokens", 0, kMaxVocab - kByteVocab);
  if (vocab != kByteVocab + n_merges + n_special)
    r.fail("vocab size mismatch: vocab_size ", vocab, " != 256 bytes + ", n_merges, " merges + ",
           n_special, " special tokens = ", kByteVocab + n_merges + n_special);
  std::vector<BpeMerge> merges;
  std::vector<std::string> bytes(kByteVocab);
  for (int b = 0; b < kByteVocab; ++b) bytes[b] = std::string(1, static_cast<char>(b));
  std::unordered_map<uint64_t, int> first_line;
  for (int64_t i = 0; i < n_merges; ++i) {
    const auto f = r.next("merge " + std::to_string(i) + " of " + std::to_string(n_merges));
    if (f[0] == "special" || f[0] == "end")
      r.fail("vocab size mismatch: the header declares ", n_merges, " merges, found only ", i);
    if (f[0] != "merge" || f.size() != 4 || f[3].empty()) r.fail("expected 'merge LEFT RIGHT ESCAPED-RESULT'");
    const int64_t known = kByteVocab + i;
    const auto left = r.parse_int(f[1], "merge left id", 0, kMaxVocab);
    const auto right = r.parse_int(f[2], "merge right id", 0, kMaxVocab);
    if (left >= known || right >= known)
      r.fail("merge ", i, " references unknown id ", left >= known ? left : right,
             " (only ids < ", known, " exist before it)");
    const auto [it, fresh] = first_line.emplace(pair_key(left, right), r.line());
    if (!fresh) r.fail("duplicate merge (", left, ", ", right, "), first on line ", it->second);
    const std::string result = r.unescape(f[3], "merge result");
    bytes.push_back(bytes[left] + bytes[right]);
    if (result != bytes.back())
      r.fail("merge result '", f[3], "' does not match ids ", left, " + ", right, " = '",
             escape_bytes(bytes.back()), "'");
    merges.push_back({static_cast<int32_t>(left), static_cast<int32_t>(right)});
  }
  std::vector<std::string> specials;
  for (int64_t i = 0; i < n_special; ++i) {
    const auto f = r.next("special token " + std::to_string(i) + " of " + std::to_string(n_special));
    if (f[0] == "end") r.fail("vocab size mismatch: the header declares ", n_special, " special tokens, found only ", i);
    if (f[0] == "merge") r.fail("vocab size mismatch: more merges than the ", n_merges, " the header declares");
    if (f[0] != "special" || f.size() != 2 || f[1].empty()) r.fail("expected 'special ESCAPED-BYTES'");
    specials.push_back(r.unescape(f[1], "special token"));
    for (int64_t k = 0; k < i; ++k)
      if (specials[k] == specials.back()) r.fail("duplicate special token '", f[1], "'");
  }
  r.expect_end();
  return BpeTokenizer(std::move(merges), std::move(specials));
}

}  // namespace tt::text
