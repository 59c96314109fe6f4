// The tokenizer file format's building blocks, shared by the char and BPE tokenizers: byte
// escaping, a line reader that names file and line in every error, and the atomic write.
// The format itself (versioned, one entry per line) is documented in docs/language.md,
// "The tokenizer file format". Not a general config parser: fields are single-space separated.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace tt::text {

inline constexpr const char* kTokenizerMagic = "tinytorch-tokenizer";
inline constexpr int kTokenizerVersion = 1;

// Printable ASCII 0x21..0x7E other than '\' stays as is; every other byte becomes \xHH
// (lowercase hex). So an escaped field never holds a space, and any byte string survives.
std::string escape_bytes(std::string_view bytes);

// The whole file as text; throws naming the path if it cannot be read.
std::string read_tokenizer_file(const std::string& path);

// Hands out a tokenizer file's lines, split into fields at single spaces. Every error reads
// "SOURCE, line N: problem", SOURCE being e.g. "tokenizer file PATH".
class TokenizerFileReader {
 public:
  TokenizerFileReader(std::string_view content, std::string source)
      : source_(std::move(source)), content_(content) {}

  // The next line's fields; at end of file throws "truncated ... expected <what>".
  std::vector<std::string_view> next(std::string_view what);
  // The next line must be exactly `n` fields starting with `keyword`.
  std::vector<std::string_view> expect(std::string_view keyword, size_t n);
  // `keyword VALUE` with VALUE a decimal integer in [lo, hi].
  int64_t expect_int(std::string_view keyword, int64_t lo, int64_t hi);
  // Parses a decimal integer field in [lo, hi] on the current line.
  int64_t parse_int(std::string_view field, std::string_view what, int64_t lo, int64_t hi) const;
  // Undoes escape_bytes; a bad escape or a raw byte that should have been escaped is an error.
  std::string unescape(std::string_view field, std::string_view what) const;
  // The next line must be `end` and nothing may follow it.
  void expect_end();
  // The first line: magic, version, type. Returns the type ("char", "bpe").
  std::string read_magic();

  int line() const { return line_no_; }
  const std::string& source() const { return source_; }

  template <typename... Args>
  [[noreturn]] void fail(const Args&... args) const {
    ::tt::detail::throw_error(::tt::detail::str_cat(source_, ", line ", line_no_, ": ", args...));
  }

 private:
  std::string source_;
  std::string_view content_;
  size_t pos_ = 0;
  int line_no_ = 0;
};

// Writes `content` to a temp file next to `path`, fsyncs and renames it over `path`, so a crash
// leaves the old file or the new one, never a torn one. Errors name the path and errno.
void write_text_file_atomic(const std::string& path, std::string_view content);

}  // namespace tt::text
