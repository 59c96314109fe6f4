// CIFAR-10 in its official binary format (https://www.cs.toronto.edu/~kriz/cifar.html, the
// "binary version" cifar-10-binary.tar.gz, which unpacks to cifar-10-batches-bin/). Each file is a
// run of 3073-byte records: 1 label byte (0..9), then 3072 pixel bytes — the 1024 red values, then
// 1024 green, then 1024 blue, each plane a row-major 32×32 image. Not the Python pickles, and not
// CIFAR-100 (2 label bytes). Augmentation for it lives in data/transforms.h.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/transforms.h"

namespace tt::data {

inline constexpr int64_t kCifarSide = 32;                                  // H = W
inline constexpr int64_t kCifarChannels = 3;                               // R, G, B planes
inline constexpr int64_t kCifarImageBytes = kCifarChannels * kCifarSide * kCifarSide;  // 3072
inline constexpr int64_t kCifarRecordBytes = 1 + kCifarImageBytes;        // 3073
inline constexpr int kCifarClasses = 10;

// The train split is data_batch_1.bin .. data_batch_5.bin, concatenated in that order; the test
// split is test_batch.bin. The real files hold 10,000 records each; any whole number of records
// (at least one) is accepted, so subsets and test files load too.
std::vector<std::string> cifar10_file_names(bool train);

// Loads a split from `dir` (or from `dir`/cifar-10-batches-bin when `dir` is the folder the
// tarball was unpacked in). Returns x float32 [N, 3, 32, 32] with x[i][c][h][w] = pixel / 255, so
// values lie in [0, 1] (ToTensor's convention; standardise with Normalize and kCifar10Mean/Std),
// and y int64 [N] in 0..9. Memory: 4 bytes a pixel, 614 MB for the train split, 123 MB for test.
// Throws tt::Error naming the file for: a missing directory or file (listing the expected names),
// an empty file, a size that is not a whole number of 3073-byte records (truncated or another
// format), and a label above 9 (with the record index and value).
std::shared_ptr<TensorDataset> load_cifar10(const std::string& dir, bool train);

// The class names, index = label: from `dir`/batches.meta.txt (one name a line, blank lines
// ignored; it must name exactly 10 classes) when that file exists, else the standard names
// airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.
std::vector<std::string> cifar10_class_names(const std::string& dir = "");

// Per-channel mean and standard deviation (R, G, B) of the 50,000 training images scaled to
// [0, 1]: the constants Normalize needs to give each channel zero mean and unit variance.
inline constexpr std::array<double, 3> kCifar10Mean = {0.4914, 0.4822, 0.4465};
inline constexpr std::array<double, 3> kCifar10Std = {0.2470, 0.2435, 0.2616};

// The standard CIFAR-10 pipeline on [B, 3, 32, 32] batches. train: RandomCrop(32, padding 4),
// RandomHorizontalFlip(0.5), Normalize(kCifar10Mean, kCifar10Std); test: the Normalize only.
// Hook it into a loader with DataLoaderOptions::transform = batch_transform(cifar10_transform(true)).
std::shared_ptr<const Transform> cifar10_transform(bool train);

}  // namespace tt::data
