// CharTokenizer and its UTF-8 symbol rule: vocabularies equal Python's sorted(set(text)) (with
// surrogateescape for invalid bytes, values taken from CPython), round trips on ASCII, multi-byte,
// invalid UTF-8, empty, all 256 bytes and random bytes, and the errors for unknown symbols/ids.
#include "text/char_tokenizer.h"

#include <gtest/gtest.h>

#include "core/generator.h"
#include "temp_dir.h"
#include "tensor_expect.h"
#include "text/utf8.h"

namespace tt::text {
namespace {

using ::tt::testing::error_message;

std::vector<uint32_t> keys_of(std::string_view s) {
  std::vector<uint32_t> keys;
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Symbol sym = next_symbol(s, pos);
    keys.push_back(sym.key);
    pos += sym.length;
  }
  return keys;
}

std::string random_bytes(Generator& gen, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen.next_u64() & 0xFF);
  return s;
}

void expect_round_trip(std::string_view text) {
  const CharTokenizer tok = CharTokenizer::train(text);
  const std::vector<int64_t> ids = tok.encode(text);
  EXPECT_EQ(tok.decode(ids), text);
  EXPECT_EQ(ids.size(), keys_of(text).size());
}

TEST(Utf8Symbols, MatchPythonSurrogateEscape) {
  // b'...'.decode('utf-8', 'surrogateescape') in CPython 3.11: valid scalars, then overlong
  // (c0 af, e0 80 80), surrogate (ed a0 80), truncated (e2 82), too large (f4 90 80 80) and a
  // trailing lead byte, each invalid byte escaped on its own.
  const std::string s = "a\xc3\xa9\xed\xa0\x80\xf0\x9f\x98\x80\xc0\xaf\xe2\x82z\xf4\x90\x80\x80\xe0\x80\x80\xdf";
  const std::vector<uint32_t> expected = {0x61,   0xe9,   0xdced, 0xdca0, 0xdc80, 0x1f600, 0xdcc0,
                                          0xdcaf, 0xdce2, 0xdc82, 0x7a,   0xdcf4, 0xdc90,  0xdc80,
                                          0xdc80, 0xdce0, 0xdc80, 0xdc80, 0xdcdf};
  EXPECT_EQ(keys_of(s), expected);
  std::string rebuilt;
  for (uint32_t k : expected) rebuilt += symbol_bytes(k);
  EXPECT_EQ(rebuilt, s);
}

TEST(CharTokenizer, AsciiVocabIsSortedSetOfText) {
  const CharTokenizer tok = CharTokenizer::train("hello world\n");
  const std::vector<uint32_t> expected = {'\n', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w'};
  EXPECT_EQ(tok.symbols(), expected);
  EXPECT_EQ(tok.vocab_size(), 9);
  EXPECT_EQ(tok.encode("hello"), (std::vector<int64_t>{4, 3, 5, 5, 6}));
  EXPECT_EQ(tok.symbol(0), "\n");
}

TEST(CharTokenizer, MultiByteUtf8IsOneIdPerCodePoint) {
  const std::string text = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80";
  const CharTokenizer tok = CharTokenizer::train(text);
  EXPECT_EQ(tok.encode("\xf0\x9f\x98\x80").size(), 1u);
  EXPECT_EQ(tok.symbols().back(), 0x1F600u);  // the largest code point sorts last
  EXPECT_EQ(tok.symbols()[tok.vocab_size() - 2], 0x672Cu);
  expect_round_trip(text);
}

TEST(CharTokenizer, InvalidUtf8RoundTrips) {
  expect_round_trip("\xff\xfe ok \xc3 \xed\xa0\x80 \xe2\x82 \xc0\xaf end\xf0");
  const CharTokenizer tok = CharTokenizer::train("\xff" "a\xc3\xa9");
  // 'a' < U+00E9 < U+DCFF (the escaped \xff sorts among the surrogates, as in Python)
  EXPECT_EQ(tok.symbols(), (std::vector<uint32_t>{'a', 0xE9, 0xDCFF}));
}

TEST(CharTokenizer, EmptyTextAndEmptyVocab) {
  const CharTokenizer tok = CharTokenizer::train("");
  EXPECT_EQ(tok.vocab_size(), 0);
  EXPECT_TRUE(tok.encode("").empty());
  EXPECT_EQ(tok.decode(std::vector<int64_t>{}), "");
  EXPECT_TT_ERROR(tok.encode("a"), "not in the vocabulary (0 symbols)");
}

TEST(CharTokenizer, AllByteValuesRoundTrip) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const CharTokenizer tok = CharTokenizer::train(all);
  EXPECT_EQ(tok.vocab_size(), 256);  // 128 ASCII + 128 escaped bytes (no valid pair in a row)
  EXPECT_EQ(tok.symbols()[128], 0xDC80u);
  expect_round_trip(all);
}

TEST(CharTokenizer, RandomByteStringsRoundTrip) {
  Generator gen(7);
  for (int i = 0; i < 200; ++i) expect_round_trip(random_bytes(gen, gen.next_u64() % 300));
}

TEST(CharTokenizer, UnknownSymbolNamesItAndItsOffset) {
  const CharTokenizer tok = CharTokenizer::train("abc");
  EXPECT_TT_ERROR(tok.encode("abd"), "'d' (U+0064) at byte offset 2 is not in the vocabulary");
  EXPECT_TT_ERROR(tok.encode("a\xc3\xa9"), "U+00E9 (bytes \\xc3\\xa9) at byte offset 1");
  EXPECT_TT_ERROR(tok.encode("ab\xff"), "raw byte \\xff (not valid UTF-8) at byte offset 2");
}

TEST(CharTokenizer, OutOfRangeIdNamesIdAndVocabSize) {
  const CharTokenizer tok = CharTokenizer::train("abc");
  EXPECT_TT_ERROR(tok.decode(std::vector<int64_t>{0, 3}), "id 3 at position 1 is out of range for vocab size 3");
  EXPECT_TT_ERROR(tok.decode(std::vector<int64_t>{-1}), "id -1 at position 0");
  EXPECT_TT_ERROR(tok.symbol(9), "id 9");
}

TEST(CharTokenizer, ConstructorRejectsUnsortedOrInvalidSymbols) {
  EXPECT_TT_ERROR(CharTokenizer({'b', 'a'}), "strictly ascending");
  EXPECT_TT_ERROR(CharTokenizer({'a', 'a'}), "strictly ascending");
  EXPECT_TT_ERROR(CharTokenizer({0xD800}), "not a symbol");
}

class CharTokenizerFile : public ::tt::testing::TempDirTest {};

TEST_F(CharTokenizerFile, SaveLoadGivesSameEncoding) {
  const std::string text = "In the beginning \xc3\xa9\xff\n\\ \t";
  const CharTokenizer tok = CharTokenizer::train(text);
  tok.save(path("c.tok"));
  const CharTokenizer back = CharTokenizer::load(path("c.tok"));
  EXPECT_EQ(back.symbols(), tok.symbols());
  EXPECT_EQ(back.encode(text), tok.encode(text));
  const auto any = load_tokenizer(path("c.tok"));
  EXPECT_EQ(any->type(), "char");
  EXPECT_EQ(any->decode(any->encode(text)), text);
}

}  // namespace
}  // namespace tt::text
