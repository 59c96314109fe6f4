// KJV corpus builder (runs `bible`, applies the peer's line transformation, validates by sha256)
// and the token-tensor helpers (split, random windows). The shell is used only to run `bible`
// with its output captured; its exit code and stderr are reported on failure.
#include "data/text_corpus.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "data/sha256.h"
#include "io/atomic_file.h"

namespace tt::data {
namespace {

namespace fs = std::filesystem;

// Length of the Python str.splitlines() line boundary at raw[i], 0 if none there. The UTF-8
// forms of U+0085, U+2028 and U+2029 count too, since Python splits the decoded text.
size_t line_break_at(std::string_view raw, size_t i) {
  const auto c = static_cast<unsigned char>(raw[i]);
  if (c == '\r') return i + 1 < raw.size() && raw[i + 1] == '\n' ? 2 : 1;
  if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e)) return 1;
  if (c == 0xC2 && i + 1 < raw.size() && static_cast<unsigned char>(raw[i + 1]) == 0x85) return 2;
  if (c == 0xE2 && i + 2 < raw.size() && static_cast<unsigned char>(raw[i + 1]) == 0x80) {
    const auto c2 = static_cast<unsigned char>(raw[i + 2]);
    if (c2 == 0xA8 || c2 == 0xA9) return 3;
  }
  return 0;
}

// Runs `bible` in /tmp with stdin from /dev/null and returns its stdout.
std::string run_bible() {
  char err_path[] = "/tmp/tt-kjv-stderr-XXXXXX";
  const int fd = ::mkstemp(err_path);
  TT_CHECK(fd >= 0, "kjv: cannot create a temp file in /tmp (", std::strerror(errno), ")");
  ::close(fd);
  const std::string cmd = std::string("cd /tmp && ") + kKjvBibleCommand + " </dev/null 2>" + err_path;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  std::string out;
  if (pipe != nullptr) {
    std::array<char, 1 << 16> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  }
  const int status = pipe != nullptr ? ::pclose(pipe) : -1;
  std::string err;
  try {
    const auto bytes = io::read_file(err_path);
    err.assign(bytes.begin(), bytes.end());
  } catch (const Error&) {
  }
  ::unlink(err_path);
  const int code = status == -1 ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  if (err.size() > 1000) err = "..." + err.substr(err.size() - 1000);
  TT_CHECK(code == 0, "kjv: `", cmd, "` failed with exit code ", code, err.empty() ? "" : "; stderr:\n",
           err, "\nhint: reinstall with `apt-get install --reinstall -y bible-kjv bible-kjv-text`");
  return out;
}

bool command_exists(const char* name) {
  return std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

std::string kjv_text_from_bible_output(std::string_view raw) {
  std::string text;
  text.reserve(raw.size());
  size_t start = 0;
  bool any = false;
  auto emit = [&](std::string_view line) {
    if (any) text += '\n';
    any = true;
    const size_t sp = line.find(' ');
    text += sp == std::string_view::npos ? line : line.substr(sp + 1);
  };
  for (size_t i = 0; i < raw.size();) {
    const size_t br = line_break_at(raw, i);
    if (br == 0) {
      ++i;
      continue;
    }
    emit(raw.substr(start, i - start));
    i += br;
    start = i;
  }
  if (start < raw.size()) emit(raw.substr(start));  // a last line without a line break
  return text + "\n";
}

std::string kjv_problem(std::string_view text) {
  std::array<bool, 256> seen{};
  int64_t distinct = 0;
  for (unsigned char c : text) {
    if (c >= 0x80) {
      char msg[64];
      std::snprintf(msg, sizeof msg, "byte 0x%02x is not ASCII; the KJV corpus is ASCII", c);
      return msg;
    }
    if (!seen[c]) seen[c] = true, ++distinct;
  }
  const auto n = static_cast<int64_t>(text.size());
  if (n != kKjvChars) return std::to_string(n) + " characters, expected " + std::to_string(kKjvChars);
  if (distinct != kKjvDistinct)
    return std::to_string(distinct) + " distinct characters, expected " + std::to_string(kKjvDistinct);
  const std::string sha = sha256_hex(text);
  if (sha != kKjvSha256) return "sha256 " + sha + ", expected " + kKjvSha256;
  return "";
}

std::string kjv_path(const std::string& data_dir) { return data_dir + "/kjv/kjv.txt"; }

FetchResult fetch_kjv(const std::string& data_dir, bool verbose) {
  FetchResult r{"kjv", data_dir + "/kjv", false, {kjv_path(data_dir)}};
  const std::string path = kjv_path(data_dir);
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == static_cast<uintmax_t>(kKjvChars) &&
      kjv_problem(load_text_file(path)).empty()) {
    r.already_present = true;
    if (verbose) std::printf("kjv: already present, valid: %s\n", path.c_str());
    return r;
  }
  TT_CHECK(command_exists("bible"), "kjv: the `bible` program is not installed; install it with:\n  ",
           ::geteuid() == 0 ? "" : "sudo ", "apt-get install -y bible-kjv");
  if (verbose) std::printf("kjv: running `%s` in /tmp\n", kKjvBibleCommand);
  const std::string text = kjv_text_from_bible_output(run_bible());
  const std::string problem = kjv_problem(text);
  TT_CHECK(problem.empty(), "kjv: the text built from `", kKjvBibleCommand, "` is not the expected corpus: ",
           problem, "\nhint: a different bible-kjv version? the expected figures are in src/data/text_corpus.h");
  fs::create_directories(r.dir, ec);
  TT_CHECK(!ec, "kjv: cannot create ", r.dir, " (", ec.message(), ")");
  io::write_file_atomic(path, text.data(), text.size());
  if (verbose) std::printf("kjv: wrote %s (%lld characters, sha256 %.12s...)\n", path.c_str(),
                           static_cast<long long>(kKjvChars), kKjvSha256);
  return r;
}

std::string load_text_file(const std::string& path) {
  const std::vector<uint8_t> bytes = io::read_file(path);
  return std::string(bytes.begin(), bytes.end());
}

Tensor tokens_tensor(std::span<const int64_t> ids) {
  Tensor t = empty(Shape{static_cast<int64_t>(ids.size())}, kInt64);
  if (!ids.empty()) std::memcpy(t.data_ptr<int64_t>(), ids.data(), ids.size() * sizeof(int64_t));
  return t;
}

TokenSplit split_tokens(const Tensor& tokens, double train_fraction) {
  TT_CHECK(tokens.dim() == 1 && tokens.dtype() == kInt64, "split_tokens: expected a 1-D int64 token tensor, got ",
           tokens.dtype(), " of shape ", tokens.shape());
  TT_CHECK(train_fraction > 0.0 && train_fraction < 1.0, "split_tokens: train_fraction ", train_fraction,
           " must be in (0, 1)");
  const int64_t n = tokens.numel();
  const auto n_train = static_cast<int64_t>(train_fraction * static_cast<double>(n));
  TT_CHECK(n_train > 0 && n_train < n, "split_tokens: ", n, " tokens split at ", train_fraction,
           " leave an empty train or validation part; hint: use a longer text");
  return {tokens.narrow(0, 0, n_train), tokens.narrow(0, n_train, n - n_train)};
}

WindowBatch sample_windows(const Tensor& tokens, int64_t batch, int64_t context, Generator& gen) {
  TT_CHECK(tokens.dim() == 1 && tokens.dtype() == kInt64, "sample_windows: expected a 1-D int64 token tensor, got ",
           tokens.dtype(), " of shape ", tokens.shape());
  TT_CHECK(batch > 0, "sample_windows: batch ", batch, " must be positive");
  TT_CHECK(context > 0, "sample_windows: context ", context, " must be positive");
  const int64_t n = tokens.numel();
  TT_CHECK(n >= context + 2, "sample_windows: context ", context, " needs at least ", context + 2,
           " tokens (offsets are drawn from [0, n - context - 1)), got ", n);
  const Tensor src = tokens.contiguous();
  const int64_t* p = src.data_ptr<int64_t>();
  WindowBatch out{empty(Shape{batch, context}, kInt64), empty(Shape{batch, context}, kInt64)};
  int64_t* x = out.x.data_ptr<int64_t>();
  int64_t* y = out.y.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t o = gen.randint(0, n - context - 1);
    std::memcpy(x + b * context, p + o, static_cast<size_t>(context) * sizeof(int64_t));
    std::memcpy(y + b * context, p + o + 1, static_cast<size_t>(context) * sizeof(int64_t));
  }
  return out;
}

}  // namespace tt::data
