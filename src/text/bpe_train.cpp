// BpeTokenizer::train: byte-level BPE training with incremental pair counts.
// Not the encoder (bpe_tokenizer.cpp) and not the chunking rule (pretokenize.h).
//
// Note [Incremental BPE training]
// The text is cut into chunks (pretokenize.h) and identical chunks are counted once ("words" with
// a count): real text has ~100x fewer distinct chunks than chunks. For every adjacent pair we keep
// its total count and the list of words it occurs in. Each step pops the most frequent pair from a
// max-heap (ties: smallest left id, then smallest right id), and only the words in that pair's list
// are rewritten: their old pairs are subtracted, the merged word's pairs added, and the net changes
// pushed onto the heap. Counts only fall, except for pairs containing the new token, which are
// created in this step; so a heap entry whose count differs from the table's is stale and skipped.
// A step costs O(total length of the words containing the pair), not O(corpus).
#include <algorithm>
#include <queue>
#include <unordered_map>

#include "core/error.h"
#include "text/bpe_tokenizer.h"
#include "text/pretokenize.h"

namespace tt::text {
namespace {

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct Word {
  std::vector<int32_t> ids;
  int64_t count;
};

struct PairStat {
  int64_t count = 0;
  std::vector<int32_t> words;  // indices of words it occurred in; may hold stale or repeated ones
};

struct HeapEntry {
  int64_t count;
  uint64_t key;
};
// Max-heap order: the higher count first; on equal counts the smaller key, i.e. (left, right).
struct HeapLess {
  bool operator()(const HeapEntry& a, const HeapEntry& b) const {
    return a.count < b.count || (a.count == b.count && a.key > b.key);
  }
};

// The distinct chunks of `text` with their counts, special tokens cut out first. Sorted by bytes
// so that the word order, like the result, does not depend on hash-map iteration order.
std::vector<Word> count_words(std::string_view text, const std::vector<std::string>& specials,
                              BpeTrainStats& stats) {
  std::unordered_map<std::string_view, int64_t> counts;
  split_at_specials(
      text, specials,
      [&](std::string_view piece) {
        for_each_chunk(piece, [&](std::string_view c) { ++counts[c], ++stats.chunks; });
      },
      [](size_t) {});
  std::vector<std::pair<std::string_view, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<Word> words;
  words.reserve(sorted.size());
  for (const auto& [chunk, count] : sorted) {
    Word w{{}, count};
    for (unsigned char c : chunk) w.ids.push_back(c);
    words.push_back(std::move(w));
  }
  stats.unique_chunks = static_cast<int64_t>(words.size());
  return words;
}

class PairTable {
 public:
  explicit PairTable(std::vector<Word> words) : words_(std::move(words)), stamp_(words_.size(), -1) {
    for (size_t w = 0; w < words_.size(); ++w) {
      const auto& ids = words_[w].ids;
      for (size_t i = 0; i + 1 < ids.size(); ++i) {
        PairStat& p = pairs_[pair_key(ids[i], ids[i + 1])];
        p.count += words_[w].count;
        p.words.push_back(static_cast<int32_t>(w));
      }
    }
    for (const auto& [key, p] : pairs_) heap_.push({p.count, key});
  }

  // The most frequent pair, or false when no pair is left.
  bool best(uint64_t& key) {
    while (!heap_.empty()) {
      const HeapEntry top = heap_.top();
      const auto it = pairs_.find(top.key);
      if (it != pairs_.end() && it->second.count == top.count) {
        key = top.key;
        return true;
      }
      heap_.pop();  // stale: the pair's count changed (a fresher entry is in the heap) or it is gone
    }
    return false;
  }

  // Replaces every occurrence of pair `key` by `new_id` (step number `step`) in the words holding it.
  void merge(uint64_t key, int32_t new_id, int32_t step) {
    const std::vector<int32_t> holders = std::move(pairs_[key].words);
    delta_.clear();
    fresh_.clear();
    for (int32_t w : holders) {
      if (stamp_[w] == step) continue;  // listed twice
      stamp_[w] = step;
      merge_word(w, static_cast<int32_t>(key >> 32), static_cast<int32_t>(key & 0xFFFFFFFFu), new_id);
    }
    for (const auto& [k, d] : delta_) {
      if (d == 0) continue;
      PairStat& p = pairs_[k];
      p.count += d;
      TT_ASSERT(p.count >= 0, "bpe train: pair count went negative");
      if (p.count == 0) pairs_.erase(k);
      else heap_.push({p.count, k});
    }
    for (const auto& [k, w] : fresh_) pairs_[k].words.push_back(w);
    TT_ASSERT(!pairs_.contains(key), "bpe train: merged pair still counted");
  }

 private:
  void merge_word(int32_t w, int32_t left, int32_t right, int32_t new_id) {
    std::vector<int32_t>& ids = words_[w].ids;
    const int64_t count = words_[w].count;
    std::vector<int32_t> out;
    out.reserve(ids.size());
    for (size_t i = 0; i < ids.size();) {
      if (i + 1 < ids.size() && ids[i] == left && ids[i + 1] == right) {
        out.push_back(new_id);
        i += 2;
      } else {
        out.push_back(ids[i++]);
      }
    }
    if (out.size() == ids.size()) return;  // stale entry: the pair is no longer in this word
    for (size_t i = 0; i + 1 < ids.size(); ++i) delta_[pair_key(ids[i], ids[i + 1])] -= count;
    for (size_t i = 0; i + 1 < out.size(); ++i) {
      const uint64_t k = pair_key(out[i], out[i + 1]);
      delta_[k] += count;
      if (out[i] == new_id || out[i + 1] == new_id) fresh_.emplace_back(k, w);
    }
    ids = std::move(out);
  }

  std::vector<Word> words_;
  std::vector<int32_t> stamp_;  // last step that rewrote each word
  std::unordered_map<uint64_t, PairStat> pairs_;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, HeapLess> heap_;
  std::unordered_map<uint64_t, int64_t> delta_;      // net count change per pair in one step
  std::vector<std::pair<uint64_t, int32_t>> fresh_;  // (pair with the new token, word)
};

}  // namespace

BpeTokenizer BpeTokenizer::train(std::string_view text, int64_t vocab_size,
                                 const std::vector<std::string>& special_tokens, BpeTrainStats* stats) {
  const BpeTokenizer specials_only({}, special_tokens);  // validates them: non-empty, distinct
  const auto n_special = static_cast<int64_t>(special_tokens.size());
  TT_CHECK(vocab_size >= kByteVocab + n_special && vocab_size <= kMaxVocab, "BpeTokenizer::train: vocab_size ",
           vocab_size, " must be in [", kByteVocab + n_special, ", ", kMaxVocab, "] (256 bytes + ", n_special,
           " special tokens + merges)");
  BpeTrainStats st;
  PairTable table(count_words(text, special_tokens, st));
  std::vector<BpeMerge> merges;
  const int64_t wanted = vocab_size - kByteVocab - n_special;
  for (int64_t m = 0; m < wanted; ++m) {
    uint64_t key = 0;
    if (!table.best(key)) {
      st.ran_out_of_pairs = true;
      break;
    }
    merges.push_back({static_cast<int32_t>(key >> 32), static_cast<int32_t>(key & 0xFFFFFFFFu)});
    table.merge(key, static_cast<int32_t>(kByteVocab + m), static_cast<int32_t>(m));
  }
  st.merges = static_cast<int64_t>(merges.size());
  if (stats) *stats = st;
  return BpeTokenizer(std::move(merges), special_tokens);
}

}  // namespace tt::text
