// BPE pre-tokenization: splits text into chunks that merges never cross (so "dog." and "dog"
// share the token " dog" instead of learning "g." pairs). GPT-2-like, written by hand on bytes:
//   - byte classes: letter = A-Z a-z and every byte >= 0x80 (so UTF-8 words stay whole);
//     digit = 0-9; space = ' ' \t \n \v \f \r; other = everything else;
//   - a chunk is an optional single leading ' ' plus a maximal run of letters, or of digits, or of
//     other bytes; or a maximal run of spaces, except that when such a run is 2+ bytes long, ends
//     in ' ' and is followed by a non-space, that last ' ' is left to prefix the next chunk.
// Differences from GPT-2's regex: no contraction rules ('s 't ...), non-ASCII bytes count as
// letters, and a whitespace run is not split before a final '\n'. The chunks concatenate back to
// the text exactly. Siblings: bpe_tokenizer.h (the user), docs/language.md (the rule, measured).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace tt::text {

// The name of this rule as written in BPE tokenizer files ("pretokenizer" header line).
inline constexpr const char* kPretokenizerName = "gpt2-like-v1";

// Calls fn(chunk) for each chunk of `text`, in order.
template <typename Fn>
void for_each_chunk(std::string_view text, Fn&& fn);

std::vector<std::string_view> pretokenize(std::string_view text);

// Step 0, before chunking: cuts `text` at occurrences of the (non-empty) special tokens, leftmost
// first, the longest token where two start at the same byte. Calls on_text(piece) for the text
// before each match and after the last (pieces may be empty) and on_special(k) for token k.
template <typename OnText, typename OnSpecial>
void split_at_specials(std::string_view text, const std::vector<std::string>& specials,
                       OnText&& on_text, OnSpecial&& on_special);

// ---- implementation (inline: the chunker is on the encode hot path) ----
namespace detail {
enum class ByteClass : unsigned char { kLetter, kDigit, kSpace, kOther };
constexpr ByteClass byte_class(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) return ByteClass::kLetter;
  if (c >= '0' && c <= '9') return ByteClass::kDigit;
  if (c == ' ' || (c >= '\t' && c <= '\r')) return ByteClass::kSpace;
  return ByteClass::kOther;
}
}  // namespace detail

template <typename Fn>
void for_each_chunk(std::string_view text, Fn&& fn) {
  using detail::byte_class;
  using detail::ByteClass;
  const auto cls = [&](size_t i) { return byte_class(static_cast<unsigned char>(text[i])); };
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const size_t start = i;
    if (text[i] == ' ' && i + 1 < n && cls(i + 1) != ByteClass::kSpace) ++i;  // leading space
    const ByteClass c = cls(i);
    size_t j = i + 1;
    while (j < n && cls(j) == c) ++j;
    if (c == ByteClass::kSpace && j < n && j - i >= 2 && text[j - 1] == ' ') --j;
    fn(text.substr(start, j - start));
    i = j;
  }
}

template <typename OnText, typename OnSpecial>
void split_at_specials(std::string_view text, const std::vector<std::string>& specials,
                       OnText&& on_text, OnSpecial&& on_special) {
  constexpr size_t npos = std::string_view::npos;
  std::vector<size_t> next_at(specials.size());  // next occurrence of each token, npos if none
  for (size_t k = 0; k < specials.size(); ++k) next_at[k] = text.find(specials[k]);
  size_t pos = 0;
  for (;;) {
    size_t best = npos, best_k = 0;
    for (size_t k = 0; k < specials.size(); ++k) {
      if (next_at[k] < pos) next_at[k] = text.find(specials[k], pos);  // npos is never < pos
      const bool longer = next_at[k] == best && specials[k].size() > specials[best_k].size();
      if (next_at[k] < best || (best != npos && longer)) best = next_at[k], best_k = k;
    }
    if (best == npos) return on_text(text.substr(pos));
    on_text(text.substr(pos, best - pos));
    on_special(best_k);
    pos = best + specials[best_k].size();
  }
}

}  // namespace tt::text
