// Tests for io/atomic_file (write/read, atomic replacement, failure cleanup, error messages) and
// io/checksum (reference XXH64 vectors, streaming == one-shot, throughput).
// Not tested: crash durability (fsync effects need power-cut testing, not unit tests).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/checksum.h"
#include "temp_dir.h"
#include "tensor_expect.h"

namespace {

namespace fs = std::filesystem;
using ::tt::testing::error_message;
using Bytes = std::vector<uint8_t>;

// Each test gets a fresh directory, so "no temp files left" is checked by listing it.
class AtomicFile : public ::tt::testing::TempDirTest {
 protected:
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

Bytes random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

TEST_F(AtomicFile, WriteThenReadBackRoundTrips) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{4096}, size_t{3} << 20}) {
    const Bytes data = random_bytes(n, n);
    tt::io::write_file_atomic(path("f.bin"), data.data(), data.size());
    EXPECT_EQ(tt::io::read_file(path("f.bin")), data) << n;
  }
  EXPECT_EQ(listing(), std::vector<std::string>{"f.bin"});
}

TEST_F(AtomicFile, PiecewiseWriteEqualsConcatenation) {
  const Bytes a = {1, 2, 3}, b = {}, c = {4, 5};
  tt::io::write_file_atomic(path("p.bin"), {{a.data(), a.size()}, {b.data(), b.size()}, {c.data(), c.size()}});
  EXPECT_EQ(tt::io::read_file(path("p.bin")), (Bytes{1, 2, 3, 4, 5}));
}

TEST_F(AtomicFile, OverwriteReplacesContentAndLeavesNoTempFiles) {
  const std::string old_text = "old content, longer than the new one";
  const std::string new_text = "new";
  tt::io::write_file_atomic(path("f.txt"), old_text.data(), old_text.size());
  tt::io::write_file_atomic(path("f.txt"), new_text.data(), new_text.size());
  const Bytes got = tt::io::read_file(path("f.txt"));
  EXPECT_EQ(std::string(got.begin(), got.end()), new_text);
  EXPECT_EQ(listing(), std::vector<std::string>{"f.txt"});
}

// A reader racing many overwrites must always see one complete version, never a mix or a short file.
TEST_F(AtomicFile, ConcurrentReaderSeesOldOrNewContentNeverAMix) {
  const Bytes a(100000, 'a'), b(250000, 'b');
  tt::io::write_file_atomic(path("f.bin"), a.data(), a.size());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      const Bytes& v = i % 2 ? a : b;
      tt::io::write_file_atomic(path("f.bin"), v.data(), v.size());
    }
    done = true;
  });
  int reads = 0, bad = 0;
  while (!done || reads == 0) {
    const Bytes got = tt::io::read_file(path("f.bin"));
    bad += got != a && got != b;
    ++reads;
  }
  writer.join();
  EXPECT_EQ(bad, 0) << "of " << reads << " reads";
  EXPECT_EQ(listing(), std::vector<std::string>{"f.bin"});
}

// RLIMIT_FSIZE makes write() fail with EFBIG mid-file: the old content must survive, the temp must go.
TEST_F(AtomicFile, FailedWriteKeepsOldContentAndRemovesTempFile) {
  const Bytes old_data(100, 'o'), new_data(64 * 1024, 'n');
  tt::io::write_file_atomic(path("f.bin"), old_data.data(), old_data.size());
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of being killed
  rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string msg = error_message([&] { tt::io::write_file_atomic(path("f.bin"), new_data.data(), new_data.size()); });
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_NE(msg.find(path("f.bin")), std::string::npos) << msg;
  EXPECT_NE(msg.find("File too large"), std::string::npos) << msg;
  EXPECT_EQ(tt::io::read_file(path("f.bin")), old_data);
  EXPECT_EQ(listing(), std::vector<std::string>{"f.bin"});
}

TEST_F(AtomicFile, WriteIntoMissingDirectoryNamesThePath) {
  const std::string target = path("no/such/dir/f.bin");
  const std::string msg = error_message([&] { tt::io::write_file_atomic(target, "x", 1); });
  EXPECT_EQ(msg.rfind("write_file_atomic: " + target + ":", 0), 0u) << msg;
  EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
  EXPECT_TRUE(listing().empty());
}

TEST_F(AtomicFile, WriteOverADirectoryFailsAndLeavesNoTempFile) {
  fs::create_directory(path("d"));
  std::ofstream(path("d/keep")) << "x";
  const std::string msg = error_message([&] { tt::io::write_file_atomic(path("d"), "x", 1); });
  EXPECT_NE(msg.find(path("d")), std::string::npos) << msg;
  EXPECT_NE(msg.find("rename"), std::string::npos) << msg;
  EXPECT_EQ(listing(), std::vector<std::string>{"d"});
}

TEST_F(AtomicFile, WriteToPathWithoutDirectoryUsesCurrentDirectory) {
  const fs::path saved = fs::current_path();
  fs::current_path(dir_);
  tt::io::write_file_atomic("plain.bin", "abc", 3);
  fs::current_path(saved);
  EXPECT_EQ(tt::io::read_file(path("plain.bin")), (Bytes{'a', 'b', 'c'}));
}

TEST_F(AtomicFile, EmptyOrDirectoryStylePathIsRejected) {
  EXPECT_NE(error_message([] { tt::io::write_file_atomic("", "x", 1); }).find("expected a file path"), std::string::npos);
  EXPECT_NE(error_message([&] { tt::io::write_file_atomic(path("sub/"), "x", 1); }).find("expected a file path"),
            std::string::npos);
}

TEST_F(AtomicFile, ReadMissingFileNamesThePath) {
  const std::string msg = error_message([&] { tt::io::read_file(path("missing.bin")); });
  EXPECT_EQ(msg.rfind("read_file: " + path("missing.bin") + ": cannot open", 0), 0u) << msg;
  EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
}

TEST_F(AtomicFile, ReadDirectoryIsAnError) {
  const std::string msg = error_message([&] { tt::io::read_file(dir_); });
  EXPECT_NE(msg.find("is a directory"), std::string::npos) << msg;
}

TEST_F(AtomicFile, ReadUnreadableFileGivesPermissionError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files regardless of permissions";
  tt::io::write_file_atomic(path("secret"), "x", 1);
  fs::permissions(path("secret"), fs::perms::none);
  const std::string msg = error_message([&] { tt::io::read_file(path("secret")); });
  EXPECT_NE(msg.find("Permission denied"), std::string::npos) << msg;
}

TEST(ReadFile, ReadsNonRegularFilesToEof) {
  // /proc files report size 0; the reader must not trust st_size.
  const Bytes status = tt::io::read_file("/proc/self/status");
  EXPECT_NE(std::string(status.begin(), status.end()).find("Name:"), std::string::npos);
}

// ---------------------------------------------------------------- checksum

TEST(Checksum, MatchesReferenceXxh64Vectors) {
  auto h = [](const std::string& s) { return tt::io::checksum64(s.data(), s.size()); };
  EXPECT_EQ(tt::io::checksum64(nullptr, 0), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(h("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(h("abc"), 0x44BC2CF5AD770999ULL);
  EXPECT_EQ(h("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ULL);
  // xxHash's own sanity-check buffer (xxhsum self-test), covering the tail paths and the 32-byte stripes.
  Bytes buf(101);
  uint32_t gen = 2654435761U;
  for (auto& b : buf) b = static_cast<uint8_t>(gen >> 24), gen *= gen;
  EXPECT_EQ(tt::io::checksum64(buf.data(), 1), 0x4FCE394CC88952D8ULL);
  EXPECT_EQ(tt::io::checksum64(buf.data(), 14), 0xCFFA8DB881BC3A3DULL);
  EXPECT_EQ(tt::io::checksum64(buf.data(), 101), 0x0EAB543384F878ADULL);
}

TEST(Checksum, HexIs16LowercaseDigitsMostSignificantFirst) {
  EXPECT_EQ(tt::io::checksum_to_hex(0xEF46DB3751D8E999ULL), "ef46db3751d8e999");
  EXPECT_EQ(tt::io::checksum_to_hex(0x1ULL), "0000000000000001");
  EXPECT_EQ(tt::io::checksum_hex("abc", 3), "44bc2cf5ad770999");
}

TEST(Checksum, StreamingEqualsOneShotForEverySplit) {
  const Bytes data = random_bytes(300, 7);
  const uint64_t expected = tt::io::checksum64(data.data(), data.size());
  for (size_t i = 0; i <= data.size(); ++i) {
    for (size_t j = i; j <= data.size(); j += 13) {
      tt::io::Checksum64 c;
      c.update(data.data(), i);
      c.update(data.data() + i, j - i);
      c.update(data.data() + j, data.size() - j);
      ASSERT_EQ(c.digest(), expected) << i << " " << j;
    }
  }
  tt::io::Checksum64 bytewise;
  for (uint8_t b : data) bytewise.update(&b, 1);
  EXPECT_EQ(bytewise.digest(), expected);
}

TEST(Checksum, EverySingleBitFlipChangesTheChecksum) {
  Bytes data = random_bytes(512, 3);
  const uint64_t base = tt::io::checksum64(data.data(), data.size());
  for (size_t bit = 0; bit < data.size() * 8; ++bit) {
    data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_NE(tt::io::checksum64(data.data(), data.size()), base) << bit;
    data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
}

TEST(Checksum, UnalignedInputGivesSameResult) {
  const Bytes data = random_bytes(1001, 5);
  Bytes shifted(data.size() + 3);
  std::memcpy(shifted.data() + 3, data.data(), data.size());
  EXPECT_EQ(tt::io::checksum64(shifted.data() + 3, data.size()), tt::io::checksum64(data.data(), data.size()));
}

// Prints the throughput; enforces >= 1 GB/s only in optimized, unsanitized builds (the requirement's target).
TEST(Checksum, ThroughputAtLeast1GBPerSecond) {
  const Bytes data = random_bytes(size_t{64} << 20, 11);
  uint64_t sink = 0;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    sink ^= tt::io::checksum64(data.data(), data.size());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, static_cast<double>(data.size()) / s / 1e9);
  }
  std::printf("[ checksum ] XXH64 throughput: %.2f GB/s (best of 5 over 64 MiB; sink %llx)\n", best,
              static_cast<unsigned long long>(sink & 0xF));
  RecordProperty("checksum_gb_per_s", std::to_string(best));
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
  EXPECT_GE(best, 1.0);
#endif
}

}  // namespace
