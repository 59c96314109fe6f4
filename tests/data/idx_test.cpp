// Tests for the IDX reader/writer on files the tests write themselves (raw, gzip via our writer
// and via zlib's independent gzwrite, hand-made headers), and every malformed-file error.
// Not a test of real data sets: fetch_test covers Fashion-MNIST and MNIST files.
#include "data/idx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "temp_dir.h"
#include "tensor_expect.h"

namespace tt::data {
namespace {

namespace fs = std::filesystem;
using ::tt::testing::error_message;

#define EXPECT_IDX_ERROR(stmt, substr)                                      \
  do {                                                                      \
    const std::string msg_ = error_message([&] { stmt; });                  \
    EXPECT_NE(msg_.find(substr), std::string::npos) << "message: " << msg_; \
    EXPECT_EQ(msg_.rfind("idx: ", 0), 0u) << "message: " << msg_;           \
  } while (0)

class IdxTest : public ::tt::testing::TempDirTest {
 protected:
  void put(const std::string& name, const std::vector<uint8_t>& bytes) const {
    std::ofstream f(path(name), std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  }
  std::vector<uint8_t> get(const std::string& name) const {
    std::ifstream f(path(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
  // gzip through zlib's gzFile API: an encoder independent of write_idx's deflate code.
  void put_gz(const std::string& name, const std::vector<uint8_t>& bytes, bool append = false) {
    gzFile g = gzopen(path(name).c_str(), append ? "ab" : "wb");
    ASSERT_NE(g, nullptr);
    ASSERT_EQ(gzwrite(g, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    gzclose(g);
  }
};

// A 2x3 u8 file by hand: magic, dims big-endian, data.
std::vector<uint8_t> small_u8_file() {
  return {0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255};
}

template <typename T>
IdxArray make_array(uint8_t code, std::vector<int64_t> dims, const std::vector<T>& values) {
  IdxArray a{code, std::move(dims), std::vector<uint8_t>(values.size() * sizeof(T))};
  if (!values.empty()) std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
  return a;
}

void expect_same(const IdxArray& a, const IdxArray& b) {
  EXPECT_EQ(a.type_code, b.type_code);
  EXPECT_EQ(a.dims, b.dims);
  EXPECT_EQ(a.bytes, b.bytes);
}

TEST_F(IdxTest, ReadsHandMadeRawFile) {
  put("a.idx", small_u8_file());
  const IdxArray a = read_idx(path("a.idx"));
  EXPECT_EQ(a.type_code, kIdxU8);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.bytes, (std::vector<uint8_t>{1, 2, 3, 4, 5, 255}));
}

TEST_F(IdxTest, ReadsGzipFromIndependentEncoderAndConcatenatedMembers) {
  put_gz("a.idx.gz", small_u8_file());
  EXPECT_EQ(read_idx(path("a.idx.gz")).bytes, (std::vector<uint8_t>{1, 2, 3, 4, 5, 255}));
  // `gzip -c a b` style: the file split across two gzip members.
  std::vector<uint8_t> f = small_u8_file();
  put_gz("b.idx.gz", std::vector<uint8_t>(f.begin(), f.begin() + 7));
  put_gz("b.idx.gz", std::vector<uint8_t>(f.begin() + 7, f.end()), true);
  EXPECT_EQ(read_idx(path("b.idx.gz")).dims, (std::vector<int64_t>{2, 3}));
}

TEST_F(IdxTest, RoundTripsEveryTypeRawAndGzip) {
  const std::vector<IdxArray> arrays = {
      make_array<uint8_t>(kIdxU8, {4}, {0, 1, 128, 255}),
      make_array<int8_t>(kIdxI8, {2, 2}, {-128, -1, 0, 127}),
      make_array<int16_t>(kIdxI16, {3}, {-32768, 258, 32767}),
      make_array<int32_t>(kIdxI32, {1, 3}, {INT32_MIN, 16909060, INT32_MAX}),
      make_array<float>(kIdxF32, {2, 1, 2}, {-1.5f, 0.0f, 3.25e-7f, 1e30f}),
      make_array<double>(kIdxF64, {2}, {-2.5, 6.02214076e23}),
      make_array<uint8_t>(kIdxU8, {0, 28, 28}, {}),
  };
  for (bool gz : {false, true}) {
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      std::string name = "t";  // appended piecewise: GCC 12 warns falsely on "t" + to_string
      name += std::to_string(i);
      name += gz ? ".idx.gz" : ".idx";
      const std::string p = path(name);
      write_idx(p, arrays[i], gz);
      expect_same(read_idx(p), arrays[i]);
    }
  }
  EXPECT_FALSE(fs::exists(path("t0.idx.tmp." + std::to_string(::getpid()))));
}

TEST_F(IdxTest, DataIsBigEndianOnDisk) {
  write_idx(path("s.idx"), make_array<int16_t>(kIdxI16, {1}, {0x0102}), false);
  EXPECT_EQ(get("s.idx"), (std::vector<uint8_t>{0, 0, 0x0B, 1, 0, 0, 0, 1, 0x01, 0x02}));
  write_idx(path("f.idx"), make_array<float>(kIdxF32, {1}, {1.0f}), false);  // 0x3f800000
  EXPECT_EQ(get("f.idx"), (std::vector<uint8_t>{0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3f, 0x80, 0, 0}));
  write_idx(path("g.idx.gz"), make_array<float>(kIdxF32, {1}, {1.0f}), true);
  EXPECT_EQ(get("g.idx.gz")[0], 0x1f);
  EXPECT_EQ(get("g.idx.gz")[1], 0x8b);
}

TEST_F(IdxTest, GzipOutputIsDeterministic) {
  const IdxArray a = make_array<int32_t>(kIdxI32, {3}, {1, 2, 3});
  write_idx(path("1.gz"), a, true);
  write_idx(path("2.gz"), a, true);
  EXPECT_EQ(get("1.gz"), get("2.gz"));
}

TEST_F(IdxTest, MissingFileOrDirectory) {
  EXPECT_IDX_ERROR(read_idx(path("nope.idx")), "no such file");
  EXPECT_IDX_ERROR(read_idx(dir_), "is a directory");
}

TEST_F(IdxTest, EmptyAndHeaderTruncated) {
  put("e.idx", {});
  EXPECT_IDX_ERROR(read_idx(path("e.idx")), "too short");
  put("h.idx", {0, 0, 8, 3, 0, 0, 0, 2});
  EXPECT_IDX_ERROR(read_idx(path("h.idx")), "header truncated");
}

TEST_F(IdxTest, BadMagicRawAndGzip) {
  put("m.idx", {1, 0, 8, 1, 0, 0, 0, 1, 7});
  EXPECT_IDX_ERROR(read_idx(path("m.idx")), "bad magic 0x01 0x00");
  put_gz("m.gz", {'h', 'e', 'l', 'l', 'o', '!'});
  EXPECT_IDX_ERROR(read_idx(path("m.gz")), "bad magic 0x68 0x65");
}

TEST_F(IdxTest, UnknownTypeCodeAndBadNdim) {
  put("t.idx", {0, 0, 0x0A, 1, 0, 0, 0, 1, 7});
  EXPECT_IDX_ERROR(read_idx(path("t.idx")), "unknown IDX type code 0x0a");
  put("z.idx", {0, 0, 8, 0});
  EXPECT_IDX_ERROR(read_idx(path("z.idx")), "ndim 0 is out of range");
  put("n.idx", std::vector<uint8_t>{0, 0, 8, 9});
  EXPECT_IDX_ERROR(read_idx(path("n.idx")), "ndim 9 is out of range");
}

TEST_F(IdxTest, DataShorterThanDims) {
  std::vector<uint8_t> f = small_u8_file();
  f.pop_back();
  put("s.idx", f);
  EXPECT_IDX_ERROR(read_idx(path("s.idx")), "data shorter than the dims say");
  put_gz("s.gz", f);
  EXPECT_IDX_ERROR(read_idx(path("s.gz")), "need 6 data bytes, the file has 5");
}

TEST_F(IdxTest, TrailingDataRawGzipAndGarbageAfterStream) {
  std::vector<uint8_t> f = small_u8_file();
  f.push_back(9);
  put("t.idx", f);
  EXPECT_IDX_ERROR(read_idx(path("t.idx")), "trailing data");
  put_gz("t.gz", f);
  EXPECT_IDX_ERROR(read_idx(path("t.gz")), "trailing data");
  put_gz("g.gz", small_u8_file());
  std::vector<uint8_t> g = get("g.gz");
  g.insert(g.end(), {'j', 'u', 'n', 'k'});
  put("g.gz", g);
  EXPECT_IDX_ERROR(read_idx(path("g.gz")), "4 bytes of trailing garbage");
}

TEST_F(IdxTest, GzipBombStopsAtTheHeaderLimit) {
  // Header promises 1 byte; 16 MiB of zeros follow inside the gzip stream.
  std::vector<uint8_t> f = {0, 0, 8, 1, 0, 0, 0, 1};
  f.resize(f.size() + (std::size_t{16} << 20), 0);
  put_gz("bomb.gz", f);
  EXPECT_IDX_ERROR(read_idx(path("bomb.gz")), "trailing data");
}

TEST_F(IdxTest, TruncatedAndCorruptGzip) {
  IdxArray a = make_array<uint8_t>(kIdxU8, {1000}, std::vector<uint8_t>(1000, 7));
  for (std::size_t i = 0; i < a.bytes.size(); ++i)
    a.bytes[i] = static_cast<uint8_t>(i * 31 + i / 7);
  write_idx(path("a.gz"), a, true);
  std::vector<uint8_t> g = get("a.gz");
  put("cut.gz", std::vector<uint8_t>(g.begin(), g.begin() + static_cast<long>(g.size() / 2)));
  EXPECT_IDX_ERROR(read_idx(path("cut.gz")), "truncated gzip stream");
  put("cut2.gz", std::vector<uint8_t>(g.begin(), g.end() - 4));  // only the trailer cut
  EXPECT_IDX_ERROR(read_idx(path("cut2.gz")), "truncated gzip stream");
  put("head.gz", {0x1f, 0x8b});
  EXPECT_IDX_ERROR(read_idx(path("head.gz")), "truncated gzip stream");
  std::vector<uint8_t> bad = g;
  bad[3] = 0xff;  // reserved FLG bits set: zlib rejects the header
  put("bad.gz", bad);
  EXPECT_IDX_ERROR(read_idx(path("bad.gz")), "corrupt gzip data");
  bad = g;
  bad[bad.size() - 6] ^= 0x55;  // CRC-32 in the trailer no longer matches
  put("crc.gz", bad);
  EXPECT_IDX_ERROR(read_idx(path("crc.gz")), "corrupt gzip data");
}

TEST_F(IdxTest, AbsurdDims) {
  // 100000^3 = 1e15 elements.
  put("big.idx", {0, 0, 8, 3, 0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0});
  EXPECT_IDX_ERROR(read_idx(path("big.idx")), "more than 10000000000 elements");
  // 0xffffffff^8 would overflow int64 without the incremental check.
  std::vector<uint8_t> h = {0, 0, 8, 8};
  for (int i = 0; i < 32; ++i) h.push_back(0xff);
  put("ovf.idx", h);
  EXPECT_IDX_ERROR(read_idx(path("ovf.idx")), "elements");
  // 50000 x 50000 f64: under 1e10 elements but 20 GB of data, over the 4 GiB cap.
  put("cap.idx", {0, 0, 0x0E, 2, 0, 0, 0xc3, 0x50, 0, 0, 0xc3, 0x50});
  EXPECT_IDX_ERROR(read_idx(path("cap.idx")), "over the 4294967296-byte limit");
}

TEST_F(IdxTest, WriteRejectsInconsistentArrays) {
  EXPECT_IDX_ERROR(write_idx(path("w"), IdxArray{kIdxU8, {2, 3}, {1, 2}}, false),
                   "need 6 bytes, the array has 2");
  EXPECT_IDX_ERROR(write_idx(path("w"), IdxArray{0x42, {1}, {1}}, false), "unknown IDX type");
  EXPECT_IDX_ERROR(write_idx(path("w"), IdxArray{kIdxU8, {}, {}}, false), "ndim 0");
  EXPECT_IDX_ERROR(write_idx(path("w"), IdxArray{kIdxU8, {-1}, {}}, false), "does not fit");
  EXPECT_IDX_ERROR(write_idx(path("w"), IdxArray{kIdxU8, {int64_t{1} << 32}, {}}, false),
                   "does not fit");
  EXPECT_IDX_ERROR(write_idx(path("w"), IdxArray{kIdxI16, {1}, {1}}, false), "need 2 bytes");
  const std::string msg = error_message([&] {
    write_idx(path("no/such/dir/w"), {kIdxU8, {1}, {1}}, false);
  });
  EXPECT_NE(msg.find("cannot create temp file"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(path("w")));
}

TEST_F(IdxTest, TypeSizes) {
  EXPECT_EQ(idx_type_size(kIdxU8), 1u);
  EXPECT_EQ(idx_type_size(kIdxI8), 1u);
  EXPECT_EQ(idx_type_size(kIdxI16), 2u);
  EXPECT_EQ(idx_type_size(kIdxI32), 4u);
  EXPECT_EQ(idx_type_size(kIdxF32), 4u);
  EXPECT_EQ(idx_type_size(kIdxF64), 8u);
  EXPECT_THROW(idx_type_size(0x0A), Error);
  EXPECT_EQ(idx_num_elements({2, 0, 5}, "x"), 0);
  EXPECT_EQ(idx_num_elements({60000, 28, 28}, "x"), 47040000);
}

}  // namespace
}  // namespace tt::data
