// Tests for io/safetensors: writer/reader round trips, one test per malformed-file rule, truncation at
// every length, byte-flip fuzzing, and a file written by an independent Python writer.
// Not tested here: tensor glue (lives with Tensor) and atomic writes (atomic_file_test.cpp).
#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

#ifndef TT_TEST_DATA_DIR
#error "TT_TEST_DATA_DIR must name the tests/ folder (the CMake build defines it)"
#endif

namespace {

using tt::io::parse_safetensors;
using tt::io::SafetensorsFile;
using tt::io::TensorToWrite;
using Bytes = std::vector<uint8_t>;

// A file from raw header text (no padding) and data_size bytes of data, for crafting bad headers.
Bytes make_file(const std::string& header, size_t data_size = 0) {
  // Sized up front: vector::insert here trips a GCC 12 -O3 -Warray-bounds false positive.
  Bytes out(8 + header.size() + data_size);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(uint64_t{header.size()} >> (8 * i));
  if (!header.empty()) std::memcpy(out.data() + 8, header.data(), header.size());
  for (size_t i = 0; i < data_size; ++i) out[8 + header.size() + i] = static_cast<uint8_t>(i);
  return out;
}

// Parses from an exactly-sized heap copy so AddressSanitizer flags any read past the end.
SafetensorsFile parse_exact(const uint8_t* p, size_t n) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[n == 0 ? 1 : n]);
  if (n > 0) std::memcpy(copy.get(), p, n);
  return parse_safetensors(n == 0 ? nullptr : copy.get(), n, "bad.safetensors");
}

// The parse must throw tt::Error naming the file and containing every fragment.
void expect_error(const Bytes& file, std::initializer_list<std::string> fragments) {
  try {
    parse_exact(file.data(), file.size());
    ADD_FAILURE() << "parsed without error";
  } catch (const tt::Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("safetensors: bad.safetensors: ", 0), 0u) << msg;
    for (const std::string& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  }
}

// One valid F32 [2] entry named `name` at [begin, begin + 8).
std::string entry(const std::string& name, int begin) {
  return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + std::to_string(begin) + "," +
         std::to_string(begin + 8) + "]}";
}

template <typename T>
std::vector<T> values(const SafetensorsFile& f, const std::string& name) {
  const tt::io::TensorEntry* e = f.find(name);
  if (e == nullptr) throw std::runtime_error("no tensor " + name);
  std::vector<T> out((e->end - e->begin) / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), f.bytes(*e), out.size() * sizeof(T));  // bytes() is unaligned
  return out;
}

Bytes small_valid_file() {
  static const float w[3] = {1.5f, -2.0f, 0.25f};
  static const int64_t step = 42;
  static const uint8_t mask[2] = {1, 0};
  return tt::io::serialize_safetensors({{"w", "F32", {3}, w, sizeof(w)},
                                        {"step", "I64", {}, &step, sizeof(step)},
                                        {"mask", "BOOL", {2}, mask, sizeof(mask)}},
                                       {{"epoch", "3"}});
}

// ---------------------------------------------------------------- round trips

TEST(Safetensors, RoundTripsEveryDtypeWithScalarEmptyAndMetadata) {
  const std::vector<std::pair<std::string, size_t>> dtypes = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2},
                                                              {"I64", 8}, {"I32", 4}, {"I16", 2}, {"I8", 1},
                                                              {"U8", 1},  {"BOOL", 1}};
  std::vector<Bytes> payloads;
  payloads.reserve(dtypes.size());  // tensors point into these buffers
  std::vector<TensorToWrite> tensors;
  for (const auto& [dtype, size] : dtypes) {
    Bytes p(2 * 3 * size);
    for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(dtype == "BOOL" ? i % 2 : i * 7 + size);
    payloads.push_back(std::move(p));
    tensors.push_back({"t_" + dtype, dtype, {2, 3}, payloads.back().data(), payloads.back().size()});
  }
  const double scalar = 3.25;
  tensors.push_back({"scalar", "F64", {}, &scalar, sizeof(scalar)});
  tensors.push_back({"empty", "F32", {0, 4}, nullptr, 0});
  const std::map<std::string, std::string> meta = {{"format", "pt"}, {"note", "ünïcode ✓"}};

  const Bytes file = tt::io::serialize_safetensors(tensors, meta);
  const SafetensorsFile f = parse_exact(file.data(), file.size());
  EXPECT_EQ(f.metadata, meta);
  ASSERT_EQ(f.tensors.size(), tensors.size());
  for (size_t i = 0; i < dtypes.size(); ++i) {
    const tt::io::TensorEntry* e = f.find("t_" + dtypes[i].first);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->dtype, dtypes[i].first);
    EXPECT_EQ(e->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(Bytes(f.bytes(*e), f.bytes(*e) + (e->end - e->begin)), payloads[i]);
  }
  EXPECT_EQ(f.find("scalar")->shape, std::vector<int64_t>{});
  EXPECT_EQ(values<double>(f, "scalar"), std::vector<double>{3.25});
  EXPECT_EQ(f.find("empty")->shape, (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(f.find("empty")->begin, f.find("empty")->end);
  EXPECT_EQ(f.find("missing"), nullptr);
}

TEST(Safetensors, WriterEmitsCompactNameOrderedHeaderPaddedTo8Bytes) {
  const float a[1] = {1.0f};
  const uint8_t b[3] = {1, 2, 3};
  // Given out of order: the writer sorts by name so output does not depend on insertion order.
  const Bytes file = tt::io::serialize_safetensors({{"b", "U8", {3}, b, 3}, {"a", "F32", {1}, a, 4}}, {{"k", "v"}});
  const std::string expected = R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                               R"("b":{"dtype":"U8","shape":[3],"data_offsets":[4,7]}})";
  uint64_t header_len = 0;
  std::memcpy(&header_len, file.data(), 8);  // tests run on little-endian hosts
  EXPECT_EQ(header_len % 8, 0u);
  const std::string header(file.begin() + 8, file.begin() + 8 + static_cast<long>(header_len));
  EXPECT_EQ(header, expected + std::string(header_len - expected.size(), ' '));
  EXPECT_EQ(file.size(), 8 + header_len + 7);
}

TEST(Safetensors, EmptyFileWithNoTensorsRoundTrips) {
  const Bytes file = tt::io::serialize_safetensors({}, {});
  EXPECT_EQ(std::string(file.begin() + 8, file.end()), "{}      ");
  const SafetensorsFile f = parse_exact(file.data(), file.size());
  EXPECT_TRUE(f.tensors.empty() && f.metadata.empty() && f.data.empty());
}

TEST(Safetensors, WriteThenReadFromDiskMatchesSerialize) {
  const std::string path = testing::TempDir() + "tt_roundtrip_" + std::to_string(::getpid()) + ".safetensors";
  const int32_t v[4] = {-1, 0, 1, 1 << 30};
  tt::io::write_safetensors(path, {{"v", "I32", {2, 2}, v, sizeof(v)}}, {{"who", "test"}});
  const SafetensorsFile f = tt::io::read_safetensors(path);
  EXPECT_EQ(values<int32_t>(f, "v"), (std::vector<int32_t>{-1, 0, 1, 1 << 30}));
  EXPECT_EQ(f.metadata.at("who"), "test");
  std::filesystem::remove(path);
}

TEST(Safetensors, WriterRejectsInvalidInput) {
  const float x[2] = {0, 0};
  auto write = [&](std::vector<TensorToWrite> ts) { tt::io::serialize_safetensors(ts, {}); };
  EXPECT_THROW(write({{"a", "F32", {2}, x, 8}, {"a", "F32", {2}, x, 8}}), tt::Error);  // duplicate name
  EXPECT_THROW(write({{"__metadata__", "F32", {2}, x, 8}}), tt::Error);                // reserved name
  EXPECT_THROW(write({{"a", "F32", {3}, x, 8}}), tt::Error);                           // nbytes mismatch
  EXPECT_THROW(write({{"a", "F12", {2}, x, 8}}), tt::Error);                           // unknown dtype
  EXPECT_THROW(write({{"a", "F32", {-2}, x, 8}}), tt::Error);                          // negative dim
  EXPECT_THROW(write({{"a", "F32", {2}, nullptr, 8}}), tt::Error);                     // null data
}

TEST(Safetensors, DtypeSizeKnowsAllDtypesAndRejectsUnknown) {
  EXPECT_EQ(tt::io::dtype_size("F64"), 8u);
  EXPECT_EQ(tt::io::dtype_size("BF16"), 2u);
  EXPECT_EQ(tt::io::dtype_size("BOOL"), 1u);
  EXPECT_THROW(tt::io::dtype_size("f32"), tt::Error);
}

TEST(Safetensors, ReadMissingFileNamesThePath) {
  try {
    tt::io::read_safetensors("/nonexistent/dir/model.safetensors");
    ADD_FAILURE() << "no error";
  } catch (const tt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.safetensors"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------- one test per malformed case

TEST(SafetensorsMalformed, FileShorterThan8Bytes) {
  expect_error({1, 2, 3}, {"3 bytes", "shorter than the 8-byte"});
  expect_error({}, {"0 bytes"});
}

TEST(SafetensorsMalformed, HeaderLengthOverThe100MBCap) {
  Bytes file = make_file("{}");
  const uint64_t huge = 100'000'001;
  std::memcpy(file.data(), &huge, 8);
  expect_error(file, {"header length 100000001", "cap of 100000000"});
}

TEST(SafetensorsMalformed, HeaderLengthBeyondFileSize) {
  Bytes file = make_file("{}      ");
  file[0] = 200;
  expect_error(file, {"header length 200", "exceeds the 8 bytes"});
}

TEST(SafetensorsMalformed, HeaderNotValidJson) {
  expect_error(make_file("{\"a\": nope}"), {"not valid JSON"});
  expect_error(make_file("{} trailing"), {"not valid JSON"});
  expect_error(make_file(""), {"not valid JSON"});
}

TEST(SafetensorsMalformed, HeaderNotAnObject) { expect_error(make_file("[1,2]"), {"must be a JSON object", "array"}); }

TEST(SafetensorsMalformed, HeaderNotUtf8) {
  expect_error(make_file("{\"a\xff\":1}"), {"not valid UTF-8", "0xff", "offset 3"});
  expect_error(make_file("{\"\xc0\xaf\":1}"), {"not valid UTF-8"});      // overlong '/'
  expect_error(make_file("{\"\xed\xa0\x80\":1}"), {"not valid UTF-8"});  // UTF-16 surrogate
}

TEST(SafetensorsMalformed, HeaderNestedTooDeep) {
  expect_error(make_file(std::string(100000, '[') + std::string(100000, ']')), {"nests more than"});
}

TEST(SafetensorsMalformed, EntryNotAnObject) {
  expect_error(make_file("{\"a\":[1,2]}"), {"tensor 'a'", "must be an object"});
}

TEST(SafetensorsMalformed, EntryMissingField) {
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2]}})", 8), {"tensor 'a'", "missing field \"data_offsets\""});
  expect_error(make_file(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", 8), {"missing field \"dtype\""});
}

TEST(SafetensorsMalformed, DtypeNotAString) {
  expect_error(make_file(R"({"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", 4), {"\"dtype\" must be a string"});
}

TEST(SafetensorsMalformed, ShapeNotAnArrayOfIntegers) {
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})", 8),
               {"\"shape\" must be an array"});
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8), {"non-integer dimension"});
}

TEST(SafetensorsMalformed, UnknownDtype) {
  expect_error(make_file(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", 1),
               {"unknown dtype 'F8_E4M3'", "supported: F64"});
}

TEST(SafetensorsMalformed, NegativeDimension) {
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8), {"negative dimension -2"});
}

TEST(SafetensorsMalformed, DimensionAboveInt64) {
  expect_error(make_file(R"({"a":{"dtype":"U8","shape":[9223372036854775808],"data_offsets":[0,1]}})", 1),
               {"overflows int64"});
}

TEST(SafetensorsMalformed, ShapeProductOverflow) {
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})"),
               {"overflows"});
  expect_error(make_file(R"({"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}})"),
               {"overflows"});  // element count fits, bytes do not
}

TEST(SafetensorsMalformed, DataOffsetsNotTwoIntegers) {
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8), {"must be [begin, end]"});
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}})", 8), {"must be [begin, end]"});
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,"8"]}})", 8), {"two integers"});
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":{"b":0}}})", 8), {"must be [begin, end]"});
}

TEST(SafetensorsMalformed, DataOffsetsNegative) {
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", 8), {"non-negative"});
}

TEST(SafetensorsMalformed, DataOffsetsDecreasing) {
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8), {"[8,0]", "decreasing"});
}

TEST(SafetensorsMalformed, ShapeTimesDtypeSizeDiffersFromOffsetSpan) {
  expect_error(make_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
               {"tensor 'a'", "needs 12 bytes", "span 8"});
}

TEST(SafetensorsMalformed, OffsetsOutOfRangeOfDataBuffer) {
  expect_error(make_file("{" + entry("a", 0) + "}", 4), {"tensor 'a'", "[0, 8]", "out of range", "4-byte data buffer"});
  // Offsets near 2^64 must not wrap around in the range check.
  expect_error(
      make_file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551614,18446744073709551615]}})", 1),
      {"out of range"});
}

TEST(SafetensorsMalformed, OverlappingTensors) {
  expect_error(make_file("{" + entry("a", 0) + "," + entry("b", 4) + "}", 12), {"'b' [4, 12] overlaps tensor 'a'"});
}

TEST(SafetensorsMalformed, GapBetweenTensors) {
  expect_error(make_file("{" + entry("a", 0) + "," + entry("b", 12) + "}", 20), {"gap of 4 bytes", "[8, 12)", "'b'"});
}

TEST(SafetensorsMalformed, GapBeforeFirstTensor) {
  expect_error(make_file("{" + entry("a", 4) + "}", 12), {"gap of 4 bytes", "[0, 4)"});
}

TEST(SafetensorsMalformed, TrailingBytesAfterLastTensor) {
  expect_error(make_file("{" + entry("a", 0) + "}", 11), {"3 trailing bytes"});
  expect_error(make_file("{}", 1), {"1 trailing bytes"});
}

TEST(SafetensorsMalformed, DuplicateTensorNames) {
  expect_error(make_file("{" + entry("a", 0) + "," + entry("a", 8) + "}", 16), {"duplicate tensor name 'a'"});
}

TEST(SafetensorsMalformed, DuplicateKeyInsideEntry) {
  expect_error(make_file(R"({"a":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}})", 8),
               {"entry 'a'", "duplicate key 'dtype'"});
}

TEST(SafetensorsMalformed, MetadataWithNonStringValue) {
  expect_error(make_file(R"({"__metadata__":{"epoch":3}})"), {"\"__metadata__\" value of 'epoch'", "must be a string"});
}

TEST(SafetensorsMalformed, MetadataNotAnObject) {
  expect_error(make_file(R"({"__metadata__":["a"]})"), {"\"__metadata__\" must be an object"});
}

// ---------------------------------------------------------------- robustness

TEST(SafetensorsRobustness, EveryTruncationOfAValidFileThrowsCleanly) {
  const Bytes file = small_valid_file();
  ASSERT_NO_THROW(parse_exact(file.data(), file.size()));
  for (size_t n = 0; n < file.size(); ++n) {
    EXPECT_THROW(parse_exact(file.data(), n), tt::Error) << "length " << n;
  }
}

TEST(SafetensorsRobustness, RandomByteFlipsEitherParseOrThrowTtError) {
  const Bytes file = small_valid_file();
  std::mt19937_64 rng(1234);
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    Bytes bad = file;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    try {
      const SafetensorsFile f = parse_exact(bad.data(), bad.size());
      uint64_t covered = 0;  // an accepted file must still satisfy the layout rules
      for (const auto& e : f.tensors) {
        EXPECT_EQ(e.begin, covered);
        covered = e.end;
      }
      EXPECT_EQ(covered, f.data.size());
      ++parsed;
    } catch (const tt::Error&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "iteration " << iter << ": non-tt::Error exception: " << e.what();
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(parsed, 0);  // flips inside the data buffer keep the file valid
}

// ---------------------------------------------------------------- file from an independent writer

// Values follow the formulas documented in tests/io/make_safetensors_fixture.py.
TEST(Safetensors, ReadsFileWrittenByPythonFixtureScript) {
  const SafetensorsFile f = tt::io::read_safetensors(TT_TEST_DATA_DIR "/io/fixtures/python_written.safetensors");
  EXPECT_EQ(f.metadata,
            (std::map<std::string, std::string>{{"format", "pt"}, {"producer", "make_safetensors_fixture.py"}}));
  std::vector<std::string> names;
  for (const auto& e : f.tensors) names.push_back(e.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"weight", "scale", "ids", "step", "pixels", "mask", "empty"}));  // offset order

  auto check = [&](const std::string& name, const std::string& dtype, std::vector<int64_t> shape) {
    ASSERT_NE(f.find(name), nullptr) << name;
    EXPECT_EQ(f.find(name)->dtype, dtype) << name;
    EXPECT_EQ(f.find(name)->shape, shape) << name;
  };
  check("weight", "F32", {2, 3});
  check("scale", "F64", {4});
  check("ids", "I64", {3});
  check("step", "I64", {});
  check("pixels", "U8", {2, 2, 2});
  check("mask", "BOOL", {5});
  check("empty", "F32", {0, 3});

  EXPECT_EQ(values<float>(f, "weight"), (std::vector<float>{-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f}));
  std::vector<double> scale;
  for (int i = 0; i < 4; ++i) scale.push_back(static_cast<double>(i) / 3.0);  // bit-exact with numpy's division
  EXPECT_EQ(values<double>(f, "scale"), scale);
  EXPECT_EQ(values<int64_t>(f, "ids"), (std::vector<int64_t>{-2, 0, (int64_t{1} << 40) + 7}));
  EXPECT_EQ(values<int64_t>(f, "step"), std::vector<int64_t>{-1234567890123});
  EXPECT_EQ(values<uint8_t>(f, "pixels"), (std::vector<uint8_t>{0, 30, 60, 90, 120, 150, 180, 210}));
  EXPECT_EQ(values<uint8_t>(f, "mask"), (std::vector<uint8_t>{1, 0, 1, 0, 1}));
  EXPECT_TRUE(values<float>(f, "empty").empty());
}

}  // namespace
