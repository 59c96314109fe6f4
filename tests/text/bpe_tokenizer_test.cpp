// BpeTokenizer: hand-checked merges (Wikipedia's "aaabdaaabac", tie-breaking), the pre-tokenizer
// rule, the incremental trainer and heap encoder against naive reference implementations written
// here from the textbook definition, special tokens, round trips on any bytes, and errors.
#include "text/bpe_tokenizer.h"

#include <gtest/gtest.h>

#include <map>

#include "core/generator.h"
#include "temp_dir.h"
#include "tensor_expect.h"
#include "text/pretokenize.h"

namespace tt::text {
namespace {

using ::tt::testing::error_message;
using Merges = std::vector<BpeMerge>;

std::string random_bytes(Generator& gen, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen.next_u64() & 0xFF);
  return s;
}

// Text from a small word list, so pairs repeat the way they do in real text.
std::string random_words(Generator& gen, int n_words) {
  static const char* kWords[] = {"the", "and", "lord", "unto", "said", "shall", "thee", "thou",
                                 "he",  "of",  "a",    "11",   "2024", "!!",   "\n",   "  "};
  std::string s;
  for (int i = 0; i < n_words; ++i) {
    s += gen.next_u64() % 4 ? " " : "";
    s += kWords[gen.next_u64() % 16];
  }
  return s;
}

// Textbook BPE training: recount every pair of every chunk at each step; merge the most frequent
// (ties: smallest (left, right)) left to right in every chunk.
Merges naive_train(std::string_view text, int64_t n_merges) {
  std::vector<std::vector<int32_t>> chunks;
  for (std::string_view c : pretokenize(text)) chunks.emplace_back(c.begin(), c.end());
  for (auto& c : chunks)
    for (auto& id : c) id = static_cast<unsigned char>(id);
  Merges merges;
  for (int64_t m = 0; m < n_merges; ++m) {
    std::map<std::pair<int32_t, int32_t>, int64_t> counts;
    for (const auto& c : chunks)
      for (size_t i = 0; i + 1 < c.size(); ++i) ++counts[{c[i], c[i + 1]}];
    if (counts.empty()) break;
    auto best = counts.begin();
    for (auto it = counts.begin(); it != counts.end(); ++it)
      if (it->second > best->second) best = it;  // map order: the first max is the smallest pair
    const auto [l, r] = best->first;
    merges.push_back({l, r});
    for (auto& c : chunks) {
      std::vector<int32_t> out;
      for (size_t i = 0; i < c.size();) {
        if (i + 1 < c.size() && c[i] == l && c[i + 1] == r) out.push_back(256 + static_cast<int32_t>(m)), i += 2;
        else out.push_back(c[i++]);
      }
      c = out;
    }
  }
  return merges;
}

// GPT-2's encoder, quadratic: repeatedly merge all occurrences of the lowest-ranked pair.
std::vector<int64_t> naive_encode(std::string_view text, const Merges& merges) {
  std::vector<int64_t> ids;
  for (std::string_view chunk : pretokenize(text)) {
    std::vector<int64_t> c(chunk.begin(), chunk.end());
    for (auto& id : c) id = static_cast<unsigned char>(id);
    for (;;) {
      size_t best = merges.size();
      for (size_t i = 0; i + 1 < c.size(); ++i)
        for (size_t r = 0; r < best; ++r)
          if (merges[r].left == c[i] && merges[r].right == c[i + 1]) best = r;
      if (best == merges.size()) break;
      std::vector<int64_t> out;
      for (size_t i = 0; i < c.size();) {
        if (i + 1 < c.size() && c[i] == merges[best].left && c[i + 1] == merges[best].right)
          out.push_back(256 + static_cast<int64_t>(best)), i += 2;
        else out.push_back(c[i++]);
      }
      c = out;
    }
    ids.insert(ids.end(), c.begin(), c.end());
  }
  return ids;
}

TEST(Pretokenize, SplitsLikeGpt2ForCommonCases) {
  const std::vector<std::string_view> expected = {"Hello", " world", "!!", " 123", " ", " foo", "\n\n",
                                                  "bar", " \xc3\xa9t\xc3\xa9", " x", "\t "};
  EXPECT_EQ(pretokenize("Hello world!! 123  foo\n\nbar \xc3\xa9t\xc3\xa9 x\t "), expected);
  EXPECT_TRUE(pretokenize("").empty());
}

TEST(Pretokenize, ChunksConcatenateToTheText) {
  Generator gen(3);
  for (int i = 0; i < 200; ++i) {
    const std::string s = i % 2 ? random_bytes(gen, gen.next_u64() % 200) : random_words(gen, 30);
    std::string joined;
    for (std::string_view c : pretokenize(s)) {
      EXPECT_FALSE(c.empty());
      joined += c;
    }
    EXPECT_EQ(joined, s);
  }
}

TEST(BpeTrain, WikipediaExampleMerges) {
  // aaabdaaabac: aa (4) -> Z=256; ZabdZabac: ab and Za tie at 2, (97,98) < (256,97) -> Y=257;
  // ZYdZYac: ZY (2) -> X=258; XdXac.
  const BpeTokenizer tok = BpeTokenizer::train("aaabdaaabac", 259);
  EXPECT_EQ(tok.merges(), (Merges{{97, 97}, {97, 98}, {256, 257}}));
  EXPECT_EQ(tok.encode("aaabdaaabac"), (std::vector<int64_t>{258, 'd', 258, 'a', 'c'}));
  EXPECT_EQ(tok.token_bytes(258), "aaab");
}

TEST(BpeTrain, TiesGoToTheSmallestPair) {
  // abcd: ab, bc, cd all once -> (97,98); then (256,99) vs (99,100) -> (99,100); then (256,257).
  BpeTrainStats st;
  const BpeTokenizer tok = BpeTokenizer::train("abcd", 1000, {}, &st);
  EXPECT_EQ(tok.merges(), (Merges{{97, 98}, {99, 100}, {256, 257}}));
  EXPECT_TRUE(st.ran_out_of_pairs);
  EXPECT_EQ(st.merges, 3);
  EXPECT_EQ(tok.vocab_size(), 259);
}

TEST(BpeTrain, MergesNeverCrossChunks) {
  const BpeTokenizer tok = BpeTokenizer::train("a b a b a b", 258);
  EXPECT_EQ(tok.merges(), (Merges{{' ', 'b'}, {' ', 'a'}}));  // never ('b', ' ') or ('a', ' ')
}

TEST(BpeTrain, MatchesNaiveTrainingOnWordText) {
  Generator gen(11);
  for (int trial = 0; trial < 5; ++trial) {
    const std::string text = random_words(gen, 400) + random_bytes(gen, 50);
    const Merges expected = naive_train(text, 60);
    EXPECT_EQ(BpeTokenizer::train(text, 256 + 60).merges(), expected) << "trial " << trial;
  }
}

TEST(BpeEncode, MatchesNaiveEncoderAndRoundTrips) {
  Generator gen(5);
  const BpeTokenizer tok = BpeTokenizer::train(random_words(gen, 3000), 400);
  for (int i = 0; i < 100; ++i) {
    const std::string s = i % 3 == 0 ? random_bytes(gen, gen.next_u64() % 300) : random_words(gen, 50);
    const std::vector<int64_t> ids = tok.encode(s);
    EXPECT_EQ(ids, naive_encode(s, tok.merges()));
    EXPECT_EQ(tok.decode(ids), s);
  }
  EXPECT_EQ(tok.encode(std::string(10000, 'a')), naive_encode(std::string(10000, 'a'), tok.merges()));
}

TEST(BpeEncode, RoundTripsAsciiUtf8InvalidEmptyAndAllBytes) {
  const std::string corpus = "the lord said unto moses, \xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac the end\n";
  const BpeTokenizer tok = BpeTokenizer::train(corpus + corpus, 300);
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  for (const std::string& s : {std::string("the lord said"), std::string("\xf0\x9f\x98\x80 \xc3\xa9t\xc3\xa9"),
                               std::string("\xff\xfe\xc0\xaf\xed\xa0\x80"), std::string(), all})
    EXPECT_EQ(tok.decode(tok.encode(s)), s);
  EXPECT_TRUE(tok.encode("").empty());
  EXPECT_LT(tok.encode("the lord said").size(), std::string("the lord said").size());
}

TEST(BpeSpecial, HandCheckedIdsAfterTheMerges) {
  // Specials are cut out before training, so only "hello" x2 is learned: el (ties: smallest),
  // then (h, el), then lo. Vocab 260 = 256 + 3 merges + 1 special.
  const std::string eot = "<|endoftext|>";
  const BpeTokenizer tok = BpeTokenizer::train("hello" + eot + "hello" + eot, 260, {eot});
  EXPECT_EQ(tok.merges(), (Merges{{'e', 'l'}, {'h', 256}, {'l', 'o'}}));
  EXPECT_EQ(tok.special_token_id(eot), 259);
  EXPECT_EQ(tok.encode("hello" + eot + eot + "lo"), (std::vector<int64_t>{257, 258, 259, 259, 258}));
  const std::vector<int64_t> plain = tok.encode("hello" + eot, false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 259), 0);
  EXPECT_EQ(tok.decode(plain), "hello" + eot);
  EXPECT_EQ(tok.decode(std::vector<int64_t>{259}), eot);
  EXPECT_TT_ERROR(tok.special_token_id("<|x|>"), "'<|x|>' is not a special token");
}

TEST(BpeSpecial, LeftmostThenLongestMatch) {
  const BpeTokenizer tok({}, {"<a>", "<a>b", "b<"});
  // At 'x<a>b<a>': "<a>b" (longest at offset 1) wins over "<a>", then "<a>"; "b<" would start later.
  EXPECT_EQ(tok.encode("x<a>b<a>"), (std::vector<int64_t>{'x', 257, 256}));
  EXPECT_EQ(tok.encode("b<a>"), (std::vector<int64_t>{258, 'a', '>'}));
  EXPECT_EQ(tok.decode(tok.encode("b<a>b<a>b")), "b<a>b<a>b");
}

TEST(BpeErrors, OutOfRangeIdsAndBadArguments) {
  const BpeTokenizer tok = BpeTokenizer::train("aaabdaaabac", 259);
  EXPECT_TT_ERROR(tok.decode(std::vector<int64_t>{97, 259}), "id 259 at position 1 is out of range for vocab size 259");
  EXPECT_TT_ERROR(tok.decode(std::vector<int64_t>{-5}), "id -5 at position 0");
  EXPECT_TT_ERROR(tok.token_bytes(1000), "id 1000");
  EXPECT_TT_ERROR(BpeTokenizer::train("abc", 255), "vocab_size 255 must be in [256, ");
  EXPECT_TT_ERROR(BpeTokenizer::train("abc", 256, {"<s>"}), "vocab_size 256 must be in [257, ");
  EXPECT_TT_ERROR(BpeTokenizer::train("abc", 300, {""}), "special token 0 is empty");
  EXPECT_TT_ERROR(BpeTokenizer::train("abc", 300, {"<s>", "<s>"}), "'<s>' is given twice");
  EXPECT_TT_ERROR(BpeTokenizer({{97, 256}}, {}), "merge 0 (97, 256) uses an id that does not exist yet");
  EXPECT_TT_ERROR(BpeTokenizer({{97, 98}, {97, 98}}, {}), "merge 1 (97, 98) repeats merge 0");
}

class BpeFile : public ::tt::testing::TempDirTest {};

TEST_F(BpeFile, SaveLoadGivesSameEncoding) {
  Generator gen(9);
  std::string special;  // every byte value, so the escaping must cover them all
  for (int b = 0; b < 256; ++b) special += static_cast<char>(b);
  const std::string text = random_words(gen, 2000);
  const BpeTokenizer tok = BpeTokenizer::train(text, 400, {"<|endoftext|>", special});
  tok.save(path("b.tok"));
  const BpeTokenizer back = BpeTokenizer::load(path("b.tok"));
  EXPECT_EQ(back.merges(), tok.merges());
  EXPECT_EQ(back.special_tokens(), tok.special_tokens());
  const std::string probe = text.substr(0, 500) + "<|endoftext|>" + special;
  EXPECT_EQ(back.encode(probe), tok.encode(probe));
  const auto any = load_tokenizer(path("b.tok"));
  EXPECT_EQ(any->type(), "bpe");
  EXPECT_EQ(any->vocab_size(), 400);
  EXPECT_EQ(any->decode(any->encode(probe)), probe);
}

}  // namespace
}  // namespace tt::text
