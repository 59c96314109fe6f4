// Text corpus glue: the peer's KJV line transformation on small inputs, fetch_kjv's error paths
// with fake `bible` programs, token tensors, the 90/10 split and random windows (shapes, shift,
// offset range, reproducibility, errors). The real corpus is checked only where `bible` is
// installed or data/kjv/kjv.txt exists (GTEST_SKIP otherwise).
#include "data/text_corpus.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "data/sha256.h"
#include "temp_dir.h"
#include "tensor_expect.h"
#include "text/char_tokenizer.h"

namespace tt::data {
namespace {

namespace fs = std::filesystem;
using ::tt::testing::error_message;

class ScopedPath {  // prepends a directory to PATH for one scope
 public:
  explicit ScopedPath(const std::string& path_value) : old_(std::getenv("PATH") ? std::getenv("PATH") : "") {
    ::setenv("PATH", path_value.c_str(), 1);
  }
  ~ScopedPath() { ::setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

bool bible_installed() { return std::system("command -v bible >/dev/null 2>&1") == 0; }

std::vector<int64_t> values(const Tensor& t) {
  const Tensor c = t.contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

Tensor iota_tokens(int64_t n) {
  std::vector<int64_t> ids(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ids[static_cast<size_t>(i)] = i;
  return tokens_tensor(ids);
}

TEST(KjvText, StripsVerseReferencesLikeThePeer) {
  EXPECT_EQ(kjv_text_from_bible_output("Ge1:1 In the beginning\nGe1:2 And the earth\n"),
            "In the beginning\nAnd the earth\n");
  EXPECT_EQ(kjv_text_from_bible_output("Ge1:1 a b\n\nnospace\nRev22:21 end"), "a b\n\nnospace\nend\n");
  EXPECT_EQ(kjv_text_from_bible_output(""), "\n");  // "\n".join([]) + "\n"
}

TEST(KjvText, SplitsLinesLikePythonSplitlines) {
  // \r\n, \r, \v, \f, \x1c-\x1e and U+2028 are line boundaries for str.splitlines().
  EXPECT_EQ(kjv_text_from_bible_output("A a\r\nB b\rC c\vD d\fE e\x1c" "F f\xe2\x80\xa8G g"),
            "a\nb\nc\nd\ne\nf\ng\n");
}

TEST(KjvText, ProblemNamesWhatDiffers) {
  EXPECT_NE(kjv_problem("In the beginning\n").find("17 characters, expected 4137850"), std::string::npos);
  EXPECT_NE(kjv_problem("\xc3\xa9").find("byte 0xc3 is not ASCII"), std::string::npos);
}

class TextCorpusTest : public ::tt::testing::TempDirTest {
 protected:
  // A fake `bible` in dir_/bin running `script`; PATH is that dir plus the system's.
  std::string fake_bible(const std::string& script) {
    fs::create_directories(path("bin"));
    std::ofstream(path("bin/bible")) << "#!/bin/sh\n" << script << "\n";
    fs::permissions(path("bin/bible"), fs::perms::owner_all);
    return path("bin") + ":/usr/bin:/bin";
  }
};

TEST_F(TextCorpusTest, MissingBibleNamesTheAptCommand) {
  ScopedPath p(path("empty"));
  EXPECT_TT_ERROR(fetch_kjv(dir_, false), "apt-get install -y bible-kjv");
}

TEST_F(TextCorpusTest, FailingBibleReportsExitCodeAndStderr) {
  ScopedPath p(fake_bible("echo 'no bible data' >&2; exit 3"));
  EXPECT_TT_ERROR(fetch_kjv(dir_, false), "failed with exit code 3; stderr:\nno bible data");
  EXPECT_FALSE(fs::exists(kjv_path(dir_)));
}

TEST_F(TextCorpusTest, WrongTextIsRejectedAndNotWritten) {
  ScopedPath p(fake_bible("echo 'Ge1:1 In the beginning'"));
  EXPECT_TT_ERROR(fetch_kjv(dir_, false), "is not the expected corpus: 17 characters, expected 4137850");
  EXPECT_FALSE(fs::exists(kjv_path(dir_)));
}

TEST_F(TextCorpusTest, LoadTextFileReadsBytesAndNamesMissingFiles) {
  std::ofstream(path("t.txt"), std::ios::binary) << std::string("a\0b\xff", 4);
  EXPECT_EQ(load_text_file(path("t.txt")), std::string("a\0b\xff", 4));
  EXPECT_TT_ERROR(load_text_file(path("none.txt")), "none.txt");
}

TEST(TokenTensors, EncodeCorpusAndSplitNinetyTen) {
  const std::string text = "abcabcabca";
  const Tensor t = encode_corpus(text::CharTokenizer::train(text), text);
  EXPECT_EQ(t.dtype(), kInt64);
  EXPECT_EQ(values(t), (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0}));
  const TokenSplit s = split_tokens(t);
  EXPECT_EQ(values(s.train), (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1, 2}));  // int(0.9 * 10) = 9
  EXPECT_EQ(values(s.val), (std::vector<int64_t>{0}));
  EXPECT_EQ(split_tokens(iota_tokens(4137850)).train.numel(), 3724065);  // the peer's KJV split
  EXPECT_EQ(split_tokens(iota_tokens(100), 0.5).val.numel(), 50);
}

TEST(TokenTensors, SplitErrors) {
  EXPECT_TT_ERROR(split_tokens(iota_tokens(1)), "1 tokens split at 0.9 leave an empty train or validation part");
  EXPECT_TT_ERROR(split_tokens(iota_tokens(10), 1.0), "train_fraction 1 must be in (0, 1)");
  EXPECT_TT_ERROR(split_tokens(zeros({10})), "expected a 1-D int64 token tensor, got float32");
}

TEST(SampleWindows, ShapesShiftAndOffsetRange) {
  const int64_t n = 10, context = 3;
  Generator gen(0);
  std::set<int64_t> offsets;
  for (int i = 0; i < 50; ++i) {
    const auto [x, y] = sample_windows(iota_tokens(n), 8, context, gen);
    EXPECT_EQ(x.shape(), (Shape{8, context}));
    EXPECT_EQ(y.shape(), (Shape{8, context}));
    const auto xv = values(x), yv = values(y);
    for (size_t b = 0; b < 8; ++b) {
      const int64_t o = xv[b * context];
      offsets.insert(o);
      for (int64_t t = 0; t < context; ++t) {
        EXPECT_EQ(xv[b * context + t], o + t);
        EXPECT_EQ(yv[b * context + t], o + t + 1);  // y is x shifted by one
      }
    }
  }
  EXPECT_EQ(offsets, (std::set<int64_t>{0, 1, 2, 3, 4, 5}));  // [0, n - context - 1), all reached
}

TEST(SampleWindows, ReproducibleForASeedAndDrawnFromTheGenerator) {
  const Tensor tokens = iota_tokens(1000);
  Generator a(42), b(42), c(43), ref(42);
  const auto w1 = sample_windows(tokens, 4, 16, a);
  const auto w2 = sample_windows(tokens, 4, 16, b);
  EXPECT_EQ(values(w1.x), values(w2.x));
  EXPECT_NE(values(w1.x), values(sample_windows(tokens, 4, 16, c).x));
  for (int64_t r = 0; r < 4; ++r) EXPECT_EQ(values(w1.x)[static_cast<size_t>(r * 16)], ref.randint(0, 1000 - 16 - 1));
}

TEST(SampleWindows, WorksOnSplitViews) {
  const TokenSplit s = split_tokens(iota_tokens(100));
  Generator gen(1);
  const auto [x, y] = sample_windows(s.val, 2, 4, gen);
  for (int64_t v : values(x)) EXPECT_GE(v, 90);
  for (int64_t v : values(y)) EXPECT_LT(v, 100);
}

TEST(SampleWindows, Errors) {
  Generator gen(0);
  EXPECT_TT_ERROR(sample_windows(iota_tokens(10), 0, 3, gen), "batch 0 must be positive");
  EXPECT_TT_ERROR(sample_windows(iota_tokens(10), 2, 0, gen), "context 0 must be positive");
  EXPECT_TT_ERROR(sample_windows(iota_tokens(10), 2, 10, gen), "context 10 needs at least 12 tokens");
  EXPECT_TT_ERROR(sample_windows(iota_tokens(10), 2, 9, gen), "got 10");
  EXPECT_TT_ERROR(sample_windows(zeros({2, 10}), 2, 3, gen), "expected a 1-D int64 token tensor");
}

// The real corpus: fetched into a temp dir when `bible` is installed, else the repo's data dir.
TEST_F(TextCorpusTest, RealKjvCorpusHasThePeersFigures) {
  std::string data_dir = dir_;
  if (!bible_installed()) {
    data_dir = default_data_dir();
    if (!fs::exists(kjv_path(data_dir))) GTEST_SKIP() << "neither `bible` (bible-kjv) nor " << kjv_path(data_dir);
  }
  const FetchResult r = fetch_kjv(data_dir, false);
  const std::string text = load_text_file(kjv_path(data_dir));
  EXPECT_EQ(static_cast<int64_t>(text.size()), kKjvChars);
  EXPECT_EQ(text::CharTokenizer::train(text).vocab_size(), kKjvDistinct);
  EXPECT_EQ(sha256_hex(text).substr(0, 12), "b5c4940bcfee");
  const std::string first = "In the beginning God created the heaven and the earth.\nAnd the earth";
  EXPECT_EQ(text.substr(0, first.size()), first);
  EXPECT_TRUE(fetch_kjv(data_dir, false).already_present);  // idempotent
  if (data_dir != dir_) return;
  EXPECT_FALSE(r.already_present);
  std::ofstream(kjv_path(data_dir), std::ios::app) << "x";  // damaged: fetched again
  EXPECT_FALSE(fetch_kjv(data_dir, false).already_present);
  EXPECT_EQ(static_cast<int64_t>(load_text_file(kjv_path(data_dir)).size()), kKjvChars);
}

}  // namespace
}  // namespace tt::data
