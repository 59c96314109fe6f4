// The tokenizer file format: the exact bytes of a small saved file (the documented example), and
// one test per malformed case, each checking that the error names the file, the line and the
// problem. Char and BPE files share the reader, so header cases are tested once.
#include <gtest/gtest.h>

#include <fstream>

#include "core/generator.h"
#include "temp_dir.h"
#include "tensor_expect.h"
#include "text/bpe_tokenizer.h"
#include "text/char_tokenizer.h"
#include "text/tokenizer_file.h"

namespace tt::text {
namespace {

using ::tt::testing::error_message;

class TokenizerFileTest : public ::tt::testing::TempDirTest {
 protected:
  std::string write(const std::string& content) {
    const std::string p = path("t.tok");
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  // Loads `content` with load_tokenizer and checks the message has the path, `line` and `problem`.
  void expect_error(const std::string& content, int line, const std::string& problem) {
    const std::string p = write(content);
    const std::string msg = error_message([&] { load_tokenizer(p); });
    const std::string where = "tokenizer file " + p + ", line " + std::to_string(line) + ": ";
    EXPECT_NE(msg.find(where), std::string::npos) << "message: " << msg;
    EXPECT_NE(msg.find(problem), std::string::npos) << "message: " << msg;
  }
  std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
};

const std::string kCharHead = "tinytorch-tokenizer 1 char\n";
const std::string kBpeHead = "tinytorch-tokenizer 1 bpe\npretokenizer gpt2-like-v1\n";

TEST_F(TokenizerFileTest, CharFileIsTheDocumentedText) {
  CharTokenizer::train("ba\n b\\").save(path("c.tok"));
  EXPECT_EQ(read(path("c.tok")), kCharHead + "vocab_size 5\nsymbol \\x0a\nsymbol \\x20\nsymbol \\x5c\n"
                                              "symbol a\nsymbol b\nend\n");
}

TEST_F(TokenizerFileTest, BpeFileIsTheDocumentedText) {
  BpeTokenizer::train("aaabdaaabac", 260, {"<|endoftext|>"}).save(path("b.tok"));
  EXPECT_EQ(read(path("b.tok")), kBpeHead + "vocab_size 260\nmerges 3\nspecial_tokens 1\n"
                                            "merge 97 97 aa\nmerge 97 98 ab\nmerge 256 257 aaab\n"
                                            "special <|endoftext|>\nend\n");
}

TEST_F(TokenizerFileTest, SerializeIsTheFileAndParseNamesItsSource) {
  const BpeTokenizer tok = BpeTokenizer::train("aaabdaaabac", 260, {"<|endoftext|>"});
  tok.save(path("b.tok"));
  EXPECT_EQ(tok.serialize(), read(path("b.tok")));
  const auto back = parse_tokenizer(tok.serialize(), "model file m.safetensors (tokenizer)");
  EXPECT_EQ(back->encode("aaab<|endoftext|>"), tok.encode("aaab<|endoftext|>"));
  const std::string msg = error_message([&] { parse_tokenizer(kCharHead + "vocab_size 2\n", "model file m (tokenizer)"); });
  EXPECT_NE(msg.find("model file m (tokenizer), line 3: truncated"), std::string::npos) << msg;
}

// Random byte flips, insertions and truncations of valid files: each either loads or throws
// tt::Error naming the source; never anything else (run under the sanitizer build too).
TEST(TokenizerFileFuzz, MutatedFilesLoadOrFailCleanly) {
  const std::string files[] = {BpeTokenizer::train("the lord said unto the lord, 12 34", 280, {"<s>"}).serialize(),
                               CharTokenizer::train("ab\n\xc3\xa9\xff").serialize()};
  Generator gen(123);
  int failed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = files[i % 2];
    const uint64_t where = gen.next_u64() % s.size();
    switch (gen.next_u64() % 3) {
      case 0: s[where] = static_cast<char>(gen.next_u64() & 0xFF); break;
      case 1: s.insert(where, 1, "0 \n\\x9-"[gen.next_u64() % 8]); break;
      default: s.resize(where);
    }
    try {
      const auto tok = parse_tokenizer(s, "fuzz");
      EXPECT_EQ(tok->decode(tok->encode("")), "");
    } catch (const Error& e) {
      ++failed;
      EXPECT_EQ(std::string(e.what()).rfind("fuzz, line ", 0), 0u) << e.what();
    }
  }
  EXPECT_GT(failed, 1000);
}

TEST(EscapeBytes, OnlyPrintableAsciiStaysLiteral) {
  EXPECT_EQ(escape_bytes("a b\\\n\xff~"), "a\\x20b\\x5c\\x0a\\xff~");
}

TEST_F(TokenizerFileTest, MissingFileAndDirectory) {
  EXPECT_NE(error_message([&] { load_tokenizer(path("none.tok")); }).find("none.tok: cannot open"), std::string::npos);
  EXPECT_NE(error_message([&] { load_tokenizer(dir_); }).find("is a directory"), std::string::npos);
}

TEST_F(TokenizerFileTest, EmptyFileIsTruncated) { expect_error("", 1, "truncated"); }

TEST_F(TokenizerFileTest, UnknownMagic) { expect_error("PK\x03\x04 zip\n", 1, "not a tinytorch tokenizer file"); }

TEST_F(TokenizerFileTest, UnknownVersion) {
  expect_error("tinytorch-tokenizer 2 char\n", 1, "unsupported format version '2'; this build reads version 1");
}

TEST_F(TokenizerFileTest, UnknownType) {
  expect_error("tinytorch-tokenizer 1 wordpiece\n", 1, "unknown tokenizer type 'wordpiece'");
}

TEST_F(TokenizerFileTest, CharTruncated) {
  expect_error(kCharHead + "vocab_size 2\nsymbol a\n", 4, "truncated: the file ends here, expected symbol 1 of 2");
  expect_error(kCharHead + "vocab_size 1\nsymbol a\n", 4, "truncated: the file ends here, expected 'end'");
}

TEST_F(TokenizerFileTest, CharBadHex) {
  expect_error(kCharHead + "vocab_size 1\nsymbol \\xZZ\nend\n", 3, "bad escape '\\xZZ' at column 1");
  expect_error(kCharHead + "vocab_size 1\nsymbol \\x4\nend\n", 3, "bad escape");
}

TEST_F(TokenizerFileTest, CharRawByteMustBeEscaped) {
  expect_error(kCharHead + "vocab_size 1\nsymbol \t\nend\n", 3, "raw byte 0x09 at column 1 must be written as \\x09");
}

TEST_F(TokenizerFileTest, CharDuplicateSymbol) {
  expect_error(kCharHead + "vocab_size 2\nsymbol a\nsymbol \\x61\nend\n", 4, "duplicate symbol 'a' (U+0061) (first on line 3)");
}

TEST_F(TokenizerFileTest, CharSymbolsOutOfOrder) {
  expect_error(kCharHead + "vocab_size 2\nsymbol b\nsymbol a\nend\n", 4, "ascending code point order");
}

TEST_F(TokenizerFileTest, CharNotOneSymbol) {
  expect_error(kCharHead + "vocab_size 1\nsymbol ab\nend\n", 3, "not one symbol");
}

TEST_F(TokenizerFileTest, CharVocabSizeMismatch) {
  expect_error(kCharHead + "vocab_size 3\nsymbol a\nend\n", 4, "vocab size mismatch: the header declares 3 symbols, found only 1");
  expect_error(kCharHead + "vocab_size 1\nsymbol a\nsymbol b\nend\n", 4, "vocab size mismatch: more 'symbol' lines");
}

TEST_F(TokenizerFileTest, CharBadNumberAndTrailingContent) {
  expect_error(kCharHead + "vocab_size -1\n", 2, "vocab_size -1 is outside [0, ");
  expect_error(kCharHead + "vocab_size 1x\n", 2, "vocab_size '1x' is not a decimal integer");
  expect_error(kCharHead + "vocab_size 0\nend\nextra\n", 4, "unexpected content after 'end'");
}

TEST_F(TokenizerFileTest, BpeMergeReferencesUnknownId) {
  expect_error(kBpeHead + "vocab_size 258\nmerges 2\nspecial_tokens 0\nmerge 97 98 ab\nmerge 257 97 ??\nend\n", 7,
               "merge 1 references unknown id 257 (only ids < 257 exist before it)");
}

TEST_F(TokenizerFileTest, BpeDuplicateMerge) {
  expect_error(kBpeHead + "vocab_size 258\nmerges 2\nspecial_tokens 0\nmerge 97 98 ab\nmerge 97 98 ab\nend\n", 7,
               "duplicate merge (97, 98), first on line 6");
}

TEST_F(TokenizerFileTest, BpeMergeResultMismatch) {
  expect_error(kBpeHead + "vocab_size 257\nmerges 1\nspecial_tokens 0\nmerge 97 98 ba\nend\n", 6,
               "merge result 'ba' does not match ids 97 + 98 = 'ab'");
}

TEST_F(TokenizerFileTest, BpeVocabSizeMismatch) {
  expect_error(kBpeHead + "vocab_size 300\nmerges 1\nspecial_tokens 0\n", 5,
               "vocab size mismatch: vocab_size 300 != 256 bytes + 1 merges + 0 special tokens = 257");
  expect_error(kBpeHead + "vocab_size 258\nmerges 2\nspecial_tokens 0\nmerge 97 98 ab\nend\n", 7,
               "the header declares 2 merges, found only 1");
  expect_error(kBpeHead + "vocab_size 257\nmerges 1\nspecial_tokens 0\nmerge 97 98 ab\nmerge 98 97 ba\nend\n", 7,
               "more 'merge' lines than the header declares");
}

TEST_F(TokenizerFileTest, BpeBadFields) {
  expect_error(kBpeHead + "vocab_size 257\nmerges 1\nspecial_tokens 0\nmerge x 98 ab\nend\n", 6,
               "merge left id 'x' is not a decimal integer");
  expect_error(kBpeHead + "vocab_size 257\nmerges 1\nspecial_tokens 0\nmerge 97  98 ab\nend\n", 6,
               "expected 'merge LEFT RIGHT ESCAPED-RESULT'");
  expect_error(kBpeHead + "vocab_size 257\nmerges 1\nspecial_tokens 0\nmerge 97 98 a\\xgg\nend\n", 6, "bad escape");
  expect_error("tinytorch-tokenizer 1 bpe\npretokenizer regex-v9\n", 2, "unknown pretokenizer 'regex-v9'");
}

TEST_F(TokenizerFileTest, BpeTruncated) {
  expect_error(kBpeHead + "vocab_size 258\nmerges 2\nspecial_tokens 0\nmerge 97 98 ab\n", 7,
               "truncated: the file ends here, expected merge 1 of 2");
}

TEST_F(TokenizerFileTest, BpeDuplicateSpecial) {
  expect_error(kBpeHead + "vocab_size 258\nmerges 0\nspecial_tokens 2\nspecial <s>\nspecial <s>\nend\n", 7,
               "duplicate special token '<s>'");
}

TEST_F(TokenizerFileTest, WrongTypeForTheLoader) {
  CharTokenizer::train("ab").save(path("c.tok"));
  EXPECT_NE(error_message([&] { BpeTokenizer::load(path("c.tok")); }).find("expected bpe"), std::string::npos);
}

TEST_F(TokenizerFileTest, SaveIntoMissingDirectoryNamesThePath) {
  const std::string msg = error_message([&] { CharTokenizer::train("ab").save(path("no/such/dir/c.tok")); });
  EXPECT_NE(msg.find("no/such/dir/c.tok"), std::string::npos) << msg;
}

TEST_F(TokenizerFileTest, SaveReplacesAtomicallyAndLeavesNoTempFile) {
  CharTokenizer::train("ab").save(path("c.tok"));
  CharTokenizer::train("xyz").save(path("c.tok"));
  EXPECT_EQ(load_tokenizer(path("c.tok"))->vocab_size(), 3);
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace tt::text
