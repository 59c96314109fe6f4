// Tests for the CIFAR-10 binary reader on record files the tests write: pixel layout (R, G, B
// planes of row-major 32×32 land at x[i][c][h][w]), scaling to [0, 1], labels, the train split
// concatenating data_batch_1..5 in order, the unpacked-tarball folder, class names, the standard
// transform, and every malformed-input error naming the file.
// Not here: the transforms themselves (transforms_test.cpp); the real data set is not installed.
#include "data/cifar.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "ops/ops.h"
#include "temp_dir.h"
#include "tensor_expect.h"

namespace tt::data {
namespace {

namespace fs = std::filesystem;
using ::tt::testing::error_message;

// One record as the format stores it: pixels[c * 1024 + h * 32 + w] is channel c, row h, column w.
struct Record {
  uint8_t label = 0;
  std::vector<uint8_t> pixels = std::vector<uint8_t>(kCifarImageBytes, 0);
};

// A pixel pattern that differs between records, channels, rows and columns.
uint8_t pattern(int64_t i, int64_t c, int64_t h, int64_t w) { return (i * 31 + c * 83 + h * 7 + w * 13) % 256; }

Record patterned(int64_t i, uint8_t label) {
  Record r;
  r.label = label;
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t h = 0; h < 32; ++h)
      for (int64_t w = 0; w < 32; ++w) r.pixels[c * 1024 + h * 32 + w] = pattern(i, c, h, w);
  return r;
}

class CifarTest : public ::tt::testing::TempDirTest {
 protected:
  // Writes records back to back, each 1 label byte + 3072 pixel bytes; `cut` drops trailing bytes.
  void write_records(const std::string& file, const std::vector<Record>& records, size_t cut = 0) const {
    std::vector<uint8_t> bytes;
    for (const Record& r : records) {
      bytes.push_back(r.label);
      bytes.insert(bytes.end(), r.pixels.begin(), r.pixels.end());
    }
    bytes.resize(bytes.size() - cut);
    std::ofstream f(file, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(f.good()) << file;
  }
  // data_batch_1..5.bin with 1, 2, 3, 4, 5 records; record r of file k has label (k + r) % 10 and
  // first pixel 10·k + r, so the loaded order can be read back.
  void write_train_split(const std::string& d) const {
    for (int k = 1; k <= 5; ++k) {
      std::vector<Record> recs(k);
      for (int r = 0; r < k; ++r) {
        recs[r].label = (k + r) % 10;
        recs[r].pixels[0] = static_cast<uint8_t>(10 * k + r);
      }
      write_records(d + "/data_batch_" + std::to_string(k) + ".bin", recs);
    }
  }
};

TEST_F(CifarTest, PixelsLandAtChannelRowColumnScaledToUnitRange) {
  write_records(path("test_batch.bin"), {patterned(0, 3), patterned(1, 0), patterned(2, 9)});
  auto ds = load_cifar10(dir_, /*train=*/false);
  ASSERT_EQ(ds->x().shape(), (Shape{3, 3, 32, 32}));
  EXPECT_EQ(ds->x().dtype(), kFloat32);
  EXPECT_EQ(ds->y().dtype(), kInt64);
  EXPECT_EQ(ds->y().to_vector<int64_t>(), (std::vector<int64_t>{3, 0, 9}));
  const float* x = ds->x().data_ptr<float>();
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t h = 0; h < 32; ++h)
        for (int64_t w = 0; w < 32; ++w)
          ASSERT_EQ(x[((i * 3 + c) * 32 + h) * 32 + w], static_cast<float>(pattern(i, c, h, w)) / 255.0f)
              << "i " << i << " c " << c << " h " << h << " w " << w;
}

TEST_F(CifarTest, OneKnownPixelAppearsAtItsIndexOnly) {
  Record blank, marked;
  marked.label = 7;
  marked.pixels[2 * 1024 + 5 * 32 + 17] = 255;  // blue plane, row 5, column 17
  write_records(path("test_batch.bin"), {blank, marked});
  auto ds = load_cifar10(dir_, false);
  EXPECT_EQ(element_at(ds->x(), Shape{1, 2, 5, 17}), 1.0);
  EXPECT_EQ(ds->x().select(0, 1).sum().item<double>(), 1.0);
  EXPECT_EQ(ds->x().select(0, 0).sum().item<double>(), 0.0);
  EXPECT_EQ(ds->example(1).y.item<int64_t>(), 7);
}

TEST_F(CifarTest, TrainSplitConcatenatesBatchesOneToFiveInOrder) {
  write_train_split(dir_);
  write_records(path("test_batch.bin"), {patterned(0, 1)});
  auto train = load_cifar10(dir_, true);
  ASSERT_EQ(train->size(), 15);
  std::vector<int64_t> labels, firsts;
  for (int k = 1; k <= 5; ++k)
    for (int r = 0; r < k; ++r) labels.push_back((k + r) % 10), firsts.push_back(10 * k + r);
  EXPECT_EQ(train->y().to_vector<int64_t>(), labels);
  for (int64_t i = 0; i < 15; ++i)
    EXPECT_FLOAT_EQ(element_at(train->x(), Shape{i, 0, 0, 0}), firsts[i] / 255.0f) << "row " << i;
  EXPECT_EQ(load_cifar10(dir_, false)->size(), 1);  // the test split reads test_batch.bin only
  EXPECT_EQ(cifar10_file_names(true).size(), 5u);
  EXPECT_EQ(cifar10_file_names(false), std::vector<std::string>{"test_batch.bin"});
}

TEST_F(CifarTest, AcceptsTheFolderTheTarballUnpacksInto) {
  fs::create_directory(path("cifar-10-batches-bin"));
  write_records(path("cifar-10-batches-bin/test_batch.bin"), {patterned(0, 4)});
  auto ds = load_cifar10(dir_, false);
  EXPECT_EQ(ds->y().to_vector<int64_t>(), (std::vector<int64_t>{4}));
}

TEST_F(CifarTest, MissingDirectoryOrFileNamesThePathAndTheExpectedFiles) {
  const std::string nowhere = path("nowhere");
  EXPECT_TT_ERROR(load_cifar10(nowhere, true), "cifar10", nowhere, "data_batch_1.bin", "test_batch.bin");
  EXPECT_TT_ERROR(load_cifar10("", false), "cifar10", "test_batch.bin");
  EXPECT_TT_ERROR(load_cifar10(dir_, false), "cifar10", "missing", path("test_batch.bin"));
  write_train_split(dir_);
  fs::remove(path("data_batch_3.bin"));
  EXPECT_TT_ERROR(load_cifar10(dir_, true), "cifar10", "missing", path("data_batch_3.bin"), "data_batch_5.bin");
  fs::create_directory(path("test_batch.bin"));
  EXPECT_TT_ERROR(load_cifar10(dir_, false), "cifar10", path("test_batch.bin"), "not a regular file");
}

TEST_F(CifarTest, TruncatedFileNamesItsSizeAndTheRecordSize) {
  write_records(path("test_batch.bin"), {patterned(0, 1), patterned(1, 2)}, /*cut=*/100);
  const std::string msg = error_message([&] { load_cifar10(dir_, false); });
  ::tt::testing::expect_mentions(msg, {path("test_batch.bin"), "6046 bytes", "3073", "1 whole records", "truncated"});
  EXPECT_EQ(msg.rfind("cifar10: ", 0), 0u) << msg;
  // A truncated fifth train file fails before anything is decoded, naming that file.
  write_train_split(dir_);
  write_records(path("data_batch_5.bin"), {Record{}}, /*cut=*/1);
  EXPECT_TT_ERROR(load_cifar10(dir_, true), path("data_batch_5.bin"), "3072 bytes", "3073");
  // A file holding whole CIFAR-100 records (2 label bytes) gets a hint.
  std::ofstream(path("test_batch.bin"), std::ios::binary | std::ios::trunc) << std::string(2 * 3074, '\0');
  EXPECT_TT_ERROR(load_cifar10(dir_, false), path("test_batch.bin"), "CIFAR-100");
}

TEST_F(CifarTest, EmptyFileIsAnError) {
  std::ofstream(path("test_batch.bin"), std::ios::binary).flush();
  EXPECT_TT_ERROR(load_cifar10(dir_, false), "cifar10", path("test_batch.bin"), "empty", "3073");
}

TEST_F(CifarTest, LabelAboveNineNamesFileRecordAndValue) {
  write_records(path("test_batch.bin"), {patterned(0, 9), patterned(1, 0), patterned(2, 10)});
  EXPECT_TT_ERROR(load_cifar10(dir_, false), "cifar10", path("test_batch.bin"), "record 2", "label 10", "0..9");
  write_train_split(dir_);
  Record bad;
  bad.label = 255;
  write_records(path("data_batch_4.bin"), {Record{}, bad});
  EXPECT_TT_ERROR(load_cifar10(dir_, true), path("data_batch_4.bin"), "record 1", "label 255");
}

TEST_F(CifarTest, ClassNamesComeFromBatchesMetaWhenPresent) {
  const std::vector<std::string> standard = {"airplane", "automobile", "bird",  "cat",  "deer",
                                             "dog",      "frog",       "horse", "ship", "truck"};
  EXPECT_EQ(cifar10_class_names(), standard);
  EXPECT_EQ(cifar10_class_names(dir_), standard);  // no batches.meta.txt: the standard names
  std::ofstream(path("batches.meta.txt")) << "a0\r\nb1\nc2\nd3\ne4\nf5\ng6\nh7\ni8\nj9\n\n\n";
  auto names = cifar10_class_names(dir_);
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names[0], "a0");
  EXPECT_EQ(names[9], "j9");
  std::ofstream(path("batches.meta.txt"), std::ios::trunc) << "only\ntwo\n";
  EXPECT_TT_ERROR(cifar10_class_names(dir_), path("batches.meta.txt"), "2 classes", "expected 10");
}

TEST_F(CifarTest, StandardTransformCropsFlipsAndNormalises) {
  write_records(path("test_batch.bin"), {patterned(0, 1), patterned(1, 2), patterned(2, 3), patterned(3, 4)});
  auto ds = load_cifar10(dir_, false);
  Batch test = ds->get_batch({0, 1, 2, 3});
  const Tensor raw = test.x.clone();
  cifar10_transform(false)->apply(test.x, 5);
  for (int64_t c = 0; c < 3; ++c) {  // test: Normalize only, per channel
    Tensor want = (raw.select(1, c) - kCifar10Mean[c]) / kCifar10Std[c];
    EXPECT_TRUE(::tt::testing::tensors_near(test.x.select(1, c), want, 1e-6)) << "channel " << c;
  }
  Batch train = ds->get_batch({0, 1, 2, 3});
  cifar10_transform(true)->apply(train.x, 5);
  EXPECT_EQ(train.x.shape(), (Shape{4, 3, 32, 32}));
  EXPECT_FALSE(::tt::testing::bitwise_equal(train.x, test.x));  // some example was shifted or flipped
  EXPECT_NE(cifar10_transform(true)->name().find("RandomCrop(32, padding=4"), std::string::npos);
}

}  // namespace
}  // namespace tt::data
