// Tokenizer file format helpers: strict parsing (every malformed case names file and line) and a
// small temp+rename atomic write, kept here so tt_text depends on tt_core only.
#include "text/tokenizer_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace tt::text {
namespace {

bool is_plain(unsigned char c) { return c >= 0x21 && c <= 0x7E && c != '\\'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string errno_text(int err) { return std::generic_category().message(err); }

}  // namespace

std::string escape_bytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  char buf[8];
  for (unsigned char c : bytes) {
    if (is_plain(c)) {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string read_tokenizer_file(const std::string& path) {
  std::error_code ec;
  TT_CHECK(!std::filesystem::is_directory(path, ec), "tokenizer file ", path, ": is a directory");
  std::ifstream in(path, std::ios::binary);
  TT_CHECK(in.good(), "tokenizer file ", path, ": cannot open (", errno_text(errno),
           "); hint: create one with `tito tokenizer train`");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TT_CHECK(!in.bad(), "tokenizer file ", path, ": read error");
  return content;
}

std::vector<std::string_view> TokenizerFileReader::next(std::string_view what) {
  ++line_no_;  // a missing line is reported at the number it should have had
  if (pos_ >= content_.size())
    fail("truncated: the file ends here, expected ", what, "; hint: the file was cut short, save it again");
  size_t end = content_.find('\n', pos_);
  if (end == std::string::npos) end = content_.size();
  const std::string_view line = content_.substr(pos_, end - pos_);
  pos_ = end + 1;
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    const size_t sp = line.find(' ', start);
    fields.push_back(line.substr(start, sp == std::string_view::npos ? sp : sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return fields;
}

std::vector<std::string_view> TokenizerFileReader::expect(std::string_view keyword, size_t n) {
  std::vector<std::string_view> f = next("a '" + std::string(keyword) + "' line");
  if (f[0] != keyword)
    fail("expected a '", keyword, "' line, got '", escape_bytes(f[0]), "'");
  if (f.size() != n)
    fail("'", keyword, "' line has ", f.size(), " fields, expected ", n,
         " (fields are separated by single spaces)");
  for (size_t i = 1; i < n; ++i)
    if (f[i].empty()) fail("'", keyword, "' line has an empty field ", i);
  return f;
}

int64_t TokenizerFileReader::parse_int(std::string_view field, std::string_view what, int64_t lo,
                                       int64_t hi) const {
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (ec != std::errc() || ptr != field.data() + field.size() || field.empty() || field[0] == '+')
    fail(what, " '", escape_bytes(field), "' is not a decimal integer");
  if (v < lo || v > hi) fail(what, " ", v, " is outside [", lo, ", ", hi, "]");
  return v;
}

int64_t TokenizerFileReader::expect_int(std::string_view keyword, int64_t lo, int64_t hi) {
  const auto f = expect(keyword, 2);
  return parse_int(f[1], keyword, lo, hi);
}

std::string TokenizerFileReader::unescape(std::string_view field, std::string_view what) const {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(field[i]);
    if (c != '\\') {
      if (!is_plain(c)) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        fail(what, ": raw byte 0x", buf + 2, " at column ", i + 1, " must be written as ", buf);
      }
      out += static_cast<char>(c);
      continue;
    }
    const int hi = i + 3 < field.size() && field[i + 1] == 'x' ? hex_value(field[i + 2]) : -1;
    const int lo = hi >= 0 ? hex_value(field[i + 3]) : -1;
    if (lo < 0)
      fail(what, ": bad escape '\\", escape_bytes(field.substr(i + 1, 3)), "' at column ", i + 1,
           "; only \\xHH (two hex digits) is allowed");
    out += static_cast<char>(hi * 16 + lo);
    i += 3;
  }
  return out;
}

void TokenizerFileReader::expect_end() {
  const auto f = next("'end'");
  if (f.size() != 1 || f[0] != "end") {
    if (f[0] == "symbol" || f[0] == "merge" || f[0] == "special")
      fail("vocab size mismatch: more '", f[0], "' lines than the header declares; expected 'end'");
    fail("expected 'end', got '", escape_bytes(f[0]), "'");
  }
  if (pos_ < content_.size()) {
    ++line_no_;
    fail("unexpected content after 'end'");
  }
}

std::string TokenizerFileReader::read_magic() {
  const auto f = next("the header 'tinytorch-tokenizer 1 TYPE'");
  if (f[0] != kTokenizerMagic)
    fail("not a tinytorch tokenizer file: the first line starts with '", escape_bytes(f[0]).substr(0, 40),
         "', expected '", kTokenizerMagic, " 1 char|bpe'");
  if (f.size() != 3) fail("the header line needs 3 fields ('", kTokenizerMagic, " 1 char|bpe'), got ", f.size());
  if (f[1] != std::to_string(kTokenizerVersion))
    fail("unsupported format version '", escape_bytes(f[1]), "'; this build reads version ", kTokenizerVersion);
  if (f[2] != "char" && f[2] != "bpe") fail("unknown tokenizer type '", escape_bytes(f[2]), "'; known: char, bpe");
  return std::string(f[2]);
}

void write_text_file_atomic(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  TT_CHECK(fd >= 0, "tokenizer save: cannot create '", tmp, "': ", errno_text(errno),
           "; hint: check that the directory exists and is writable");
  size_t done = 0;
  int err = 0;
  while (done < content.size() && err == 0) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += static_cast<size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    TT_CHECK(false, "tokenizer save: cannot write '", path, "': ", errno_text(err));
  }
}

}  // namespace tt::text
