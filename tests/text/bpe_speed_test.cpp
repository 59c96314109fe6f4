// BPE training and encoding speed on 1 MB of text: printed, never asserted (timings vary by
// machine; the figures in docs/language.md come from here). Uses the first 1 MB of the KJV corpus
// if `tito data fetch kjv` has run, else 1 MB of seeded pseudo-English, so it always runs.
// The disabled test prints docs/language.md's chars/token table on the whole KJV corpus:
//   test_text --gtest_also_run_disabled_tests --gtest_filter='*KjvTokenizationTable*'
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/generator.h"
#include "data/fetch.h"
#include "data/text_corpus.h"
#include "text/bpe_tokenizer.h"
#include "text/char_tokenizer.h"

namespace tt::text {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string kjv_or_empty() {
  const std::string p = data::kjv_path(data::default_data_dir());
  return std::filesystem::exists(p) ? data::load_text_file(p) : std::string();
}

// Zipf-ish word choice from a fixed list, sentences with punctuation and newlines.
std::string pseudo_english(size_t bytes, uint64_t seed) {
  static const char* kWords[] = {"the",  "and",   "of",    "to",    "that",  "in",     "he",     "shall",
                                 "unto", "for",   "i",     "his",   "a",     "lord",   "they",   "be",
                                 "is",   "him",   "not",   "them",  "it",    "with",   "all",    "thou",
                                 "thy",  "was",   "god",   "which", "my",    "me",     "said",   "but",
                                 "ye",   "their", "have",  "will",  "thee",  "from",   "as",     "are",
                                 "when", "this",  "out",   "were",  "upon",  "man",    "by",     "israel",
                                 "king", "son",   "up",    "there", "hath",  "then",   "people", "came",
                                 "had",  "house", "into",  "on",    "her",   "come",   "one",    "we"};
  Generator gen(seed);
  std::string s;
  bool capital = true;
  while (s.size() < bytes) {
    const double u = gen.uniform();
    std::string w = kWords[static_cast<size_t>(u * u * 64)];
    if (capital) w[0] = static_cast<char>(w[0] - 'a' + 'A');
    s += w;
    const uint64_t r = gen.next_u64() % 20;
    capital = r < 2;
    s += r == 0 ? ".\n" : r == 1 ? ": " : r == 2 ? ", " : " ";
  }
  s.resize(bytes);
  return s;
}

TEST(BpeSpeed, TrainOneMegabyteToVocab1024) {
  std::string text = kjv_or_empty();
  const char* source = "KJV corpus";
  if (text.size() < (1u << 20)) text = pseudo_english(1u << 20, 1), source = "pseudo-English";
  text.resize(1u << 20);
  auto t0 = std::chrono::steady_clock::now();
  BpeTrainStats st;
  const BpeTokenizer tok = BpeTokenizer::train(text, 1024, {}, &st);
  const double train_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  const std::vector<int64_t> ids = tok.encode(text);
  const double enc_s = seconds_since(t0);
  std::printf("[ bpe speed ] 1 MiB of %s, vocab 1024: train %.2f s (%lld chunks, %lld distinct); "
              "encode %.3f s (%.1f MB/s), %.2f bytes/token\n",
              source, train_s, static_cast<long long>(st.chunks), static_cast<long long>(st.unique_chunks),
              enc_s, 1.048576 / enc_s, static_cast<double>(text.size()) / static_cast<double>(ids.size()));
  EXPECT_EQ(tok.vocab_size(), 1024);
  EXPECT_EQ(tok.decode(ids), text);
}

// docs/language.md "Tokenization": chars/token, encode speed and training time on the KJV corpus
// (train on the 90% train split, measure on the 10% validation split, as a model would see it).
TEST(BpeSpeed, DISABLED_KjvTokenizationTable) {
  const std::string text = kjv_or_empty();
  if (text.empty()) GTEST_SKIP() << "run `tito data fetch kjv` first";
  const size_t n_train = static_cast<size_t>(0.9 * static_cast<double>(text.size()));
  const std::string_view train(text.data(), n_train), val(text.data() + n_train, text.size() - n_train);
  auto t0 = std::chrono::steady_clock::now();
  const CharTokenizer chars = CharTokenizer::train(text);
  const double char_train = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  const size_t char_ids = chars.encode(text).size();
  const double char_enc = seconds_since(t0);
  std::printf("| tokenizer | vocab | train (s) | chars/token (val) | tokens (whole corpus) | encode MB/s |\n");
  std::printf("| char | %lld | %.3f | %.2f | %zu | %.0f |\n", static_cast<long long>(chars.vocab_size()), char_train,
              1.0, char_ids, static_cast<double>(text.size()) / 1e6 / char_enc);
  for (int64_t vocab : {256, 512, 1024, 2048, 4096}) {
    t0 = std::chrono::steady_clock::now();
    const BpeTokenizer tok = BpeTokenizer::train(train, vocab);
    const double train_s = seconds_since(t0);
    const size_t val_ids = tok.encode(val).size();
    t0 = std::chrono::steady_clock::now();
    const size_t all_ids = tok.encode(text).size();
    const double enc_s = seconds_since(t0);
    std::printf("| bpe | %lld | %.2f | %.2f | %zu | %.1f |\n", static_cast<long long>(vocab), train_s,
                static_cast<double>(val.size()) / static_cast<double>(val_ids), all_ids,
                static_cast<double>(text.size()) / 1e6 / enc_s);
  }
}

}  // namespace
}  // namespace tt::text
