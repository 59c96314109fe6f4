// CIFAR-10 binary reader (see cifar.h). Two passes: first every file of the split is checked by
// size alone (present, non-empty, a whole number of records), so a bad fifth file fails before
// 600 MB are decoded; then each file is read whole, its labels checked, and its pixels scaled into
// the one preallocated [N, 3, 32, 32] tensor (threaded over records).
#include "data/cifar.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/parallel.h"
#include "io/atomic_file.h"

namespace tt::data {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExpected =
    "expected the CIFAR-10 binary version (cifar-10-binary.tar.gz, unpacked: cifar-10-batches-bin/) with "
    "data_batch_1.bin .. data_batch_5.bin (train) and test_batch.bin (test)";
constexpr uintmax_t kMaxMetaBytes = 1 << 20;  // batches.meta.txt is ~70 bytes; refuse to slurp a huge file
// A real batch file is 30.7 MB; past this a file is read as corrupt instead of being slurped whole.
constexpr uintmax_t kMaxFileBytes = uintmax_t{4} << 30;  // 4 GiB, 1.4 million records

// `dir` itself, or dir/cifar-10-batches-bin when the tarball was unpacked in `dir`.
std::string resolve_dir(const std::string& dir) {
  TT_CHECK(!dir.empty(), "cifar10: no directory given; ", kExpected);
  std::error_code ec;
  TT_CHECK(fs::is_directory(dir, ec), "cifar10: directory ", dir, " does not exist (or is not a directory); ",
           kExpected);
  const std::string nested = dir + "/cifar-10-batches-bin";
  const bool has_own = fs::exists(dir + "/data_batch_1.bin", ec) || fs::exists(dir + "/test_batch.bin", ec);
  return !has_own && fs::is_directory(nested, ec) ? nested : dir;
}

// Records in the file at `path`; throws for a missing, empty or truncated file.
int64_t count_records(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  TT_CHECK(fs::exists(st), "cifar10: missing file ", path, "; ", kExpected);
  TT_CHECK(fs::is_regular_file(st), "cifar10: ", path, " is not a regular file");
  const uintmax_t size = fs::file_size(path, ec);
  TT_CHECK(!ec, "cifar10: cannot read the size of ", path, ": ", ec.message());
  TT_CHECK(size > 0, "cifar10: ", path, " is empty (0 bytes); each record is ", kCifarRecordBytes,
           " bytes (1 label + 3072 pixels)");
  TT_CHECK(size <= kMaxFileBytes, "cifar10: ", path, " has ", size, " bytes, more than the ", kMaxFileBytes,
           " accepted for one file (a real batch file is 30,730,000 bytes)");
  const uintmax_t rec = kCifarRecordBytes;
  TT_CHECK(size % rec == 0, "cifar10: ", path, " has ", size, " bytes, not a multiple of the ", rec,
           "-byte record (1 label + 3072 pixels): ", size / rec, " whole records and ", size % rec,
           " bytes left over, so the file is truncated or corrupt",
           size % (rec + 1) == 0 ? " (a multiple of 3074: CIFAR-100, with 2 label bytes, is not supported)" : "");
  return static_cast<int64_t>(size / rec);
}

// Decodes `n` records of the file `path` into x [n, 3, 32, 32] and y [n].
void decode_file(const std::string& path, int64_t n, float* x, int64_t* y) {
  const std::vector<uint8_t> bytes = io::read_file(path);
  TT_CHECK(static_cast<int64_t>(bytes.size()) == n * kCifarRecordBytes, "cifar10: ", path, " changed while loading: ",
           bytes.size(), " bytes, ", n * kCifarRecordBytes, " expected");
  for (int64_t r = 0; r < n; ++r) {
    const uint8_t label = bytes[r * kCifarRecordBytes];
    TT_CHECK(label < kCifarClasses, "cifar10: ", path, ": record ", r, " (byte offset ", r * kCifarRecordBytes,
             ") has label ", int{label}, "; labels must be 0..9, so the file is corrupt or not CIFAR-10");
    y[r] = label;
  }
  // The 3072 pixel bytes are already in [C, H, W] order (R plane, G, B; rows of 32): a straight
  // scaled copy. Division (not a multiply by 1/255) gives exactly ToTensor's rounding.
  parallel_for(0, n, 16, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const uint8_t* src = bytes.data() + r * kCifarRecordBytes + 1;
      float* dst = x + r * kCifarImageBytes;
      for (int64_t k = 0; k < kCifarImageBytes; ++k) dst[k] = static_cast<float>(src[k]) / 255.0f;
    }
  });
}

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n";
  const size_t b = s.find_first_not_of(ws);
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace

std::vector<std::string> cifar10_file_names(bool train) {
  if (!train) return {"test_batch.bin"};
  std::vector<std::string> names;
  for (int i = 1; i <= 5; ++i) names.push_back("data_batch_" + std::to_string(i) + ".bin");
  return names;
}

std::shared_ptr<TensorDataset> load_cifar10(const std::string& dir, bool train) {
  const std::string d = resolve_dir(dir);
  std::vector<std::string> paths;
  std::vector<int64_t> counts;
  int64_t total = 0;
  for (const std::string& name : cifar10_file_names(train)) {
    paths.push_back(d + "/" + name);
    counts.push_back(count_records(paths.back()));
    total += counts.back();
  }
  Tensor x = empty(Shape{total, kCifarChannels, kCifarSide, kCifarSide}, kFloat32);  // [N, 3, 32, 32]
  Tensor y = empty(Shape{total}, kInt64);                                              // [N]
  int64_t row = 0;
  for (size_t f = 0; f < paths.size(); ++f) {
    decode_file(paths[f], counts[f], x.data_ptr<float>() + row * kCifarImageBytes, y.data_ptr<int64_t>() + row);
    row += counts[f];
  }
  return std::make_shared<TensorDataset>(x, y);
}

std::vector<std::string> cifar10_class_names(const std::string& dir) {
  std::vector<std::string> names = {"airplane", "automobile", "bird",  "cat",  "deer",
                                    "dog",      "frog",       "horse", "ship", "truck"};
  if (dir.empty()) return names;
  const std::string path = resolve_dir(dir) + "/batches.meta.txt";
  std::error_code ec;
  if (!fs::exists(path, ec)) return names;
  const uintmax_t size = fs::file_size(path, ec);
  TT_CHECK(!ec && size <= kMaxMetaBytes, "cifar10: ", path, " is ", size, " bytes; a class-name list is under ",
           kMaxMetaBytes, " bytes");
  const std::vector<uint8_t> bytes = io::read_file(path);
  std::vector<std::string> read;
  std::string line;
  for (size_t i = 0; i <= bytes.size(); ++i) {
    if (i < bytes.size() && bytes[i] != '\n') {
      line += static_cast<char>(bytes[i]);
      continue;
    }
    if (std::string t = trim(line); !t.empty()) read.push_back(t);
    line.clear();
  }
  TT_CHECK(read.size() == static_cast<size_t>(kCifarClasses), "cifar10: ", path, " names ", read.size(),
           " classes; expected 10, one per line");
  return read;
}

std::shared_ptr<const Transform> cifar10_transform(bool train) {
  auto normalize = std::make_shared<Normalize>(std::vector<double>(kCifar10Mean.begin(), kCifar10Mean.end()),
                                               std::vector<double>(kCifar10Std.begin(), kCifar10Std.end()));
  if (!train) return normalize;
  return std::make_shared<Compose>(std::vector<std::shared_ptr<const Transform>>{
      std::make_shared<RandomCrop>(kCifarSide, 4), std::make_shared<RandomHorizontalFlip>(0.5), normalize});
}

}  // namespace tt::data
