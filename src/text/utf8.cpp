// Strict UTF-8 decoding (RFC 3629 table 3-7, as CPython's decoder) with surrogateescape fallback.
#include "text/utf8.h"

#include <cstdio>

#include "core/error.h"

namespace tt::text {
namespace {

bool in(uint8_t b, uint8_t lo, uint8_t hi) { return b >= lo && b <= hi; }

// Length of the valid sequence starting at text[pos] and its code point, or length 0 if invalid.
// The second byte's range depends on the lead byte: that is what excludes overlong forms
// (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..).
Utf8Symbol decode_valid(std::string_view s, size_t pos) {
  const auto at = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t b0 = at(pos);
  if (b0 < 0x80) return {b0, 1};
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  if (in(b0, 0xC2, 0xDF)) len = 2;
  else if (b0 == 0xE0) len = 3, lo = 0xA0;
  else if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) len = 3;
  else if (b0 == 0xED) len = 3, hi = 0x9F;
  else if (b0 == 0xF0) len = 4, lo = 0x90;
  else if (in(b0, 0xF1, 0xF3)) len = 4;
  else if (b0 == 0xF4) len = 4, hi = 0x8F;
  if (len == 0 || pos + len > s.size() || !in(at(pos + 1), lo, hi)) return {0, 0};
  for (size_t i = 2; i < len; ++i)
    if (!in(at(pos + i), 0x80, 0xBF)) return {0, 0};
  uint32_t cp = b0 & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) cp = (cp << 6) | (at(pos + i) & 0x3F);
  return {cp, len};
}

std::string hex_bytes(const std::string& bytes) {
  std::string out;
  char buf[8];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
  }
  return out;
}

}  // namespace

Utf8Symbol next_symbol(std::string_view text, size_t pos) {
  TT_ASSERT(pos < text.size(), "next_symbol: position ", pos, " past the end (", text.size(), ")");
  const Utf8Symbol sym = decode_valid(text, pos);
  if (sym.length != 0) return sym;
  // Python's surrogateescape maps each byte of an invalid sequence to U+DC00 + byte. Every such
  // byte is >= 0x80 (ASCII is always valid), and continuation bytes never start a valid sequence,
  // so escaping one byte and resuming at the next gives exactly Python's result.
  return {0xDC00u + static_cast<uint8_t>(text[pos]), 1};
}

std::string symbol_bytes(uint32_t key) {
  TT_CHECK(is_symbol_key(key), "symbol_bytes: U+", std::hex, key, " is not a symbol (surrogate or > U+10FFFF)");
  if (is_escaped_byte(key)) return std::string(1, static_cast<char>(key - 0xDC00));
  std::string out;
  if (key < 0x80) {
    out += static_cast<char>(key);
  } else if (key < 0x800) {
    out += static_cast<char>(0xC0 | (key >> 6));
    out += static_cast<char>(0x80 | (key & 0x3F));
  } else if (key < 0x10000) {
    out += static_cast<char>(0xE0 | (key >> 12));
    out += static_cast<char>(0x80 | ((key >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (key & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (key >> 18));
    out += static_cast<char>(0x80 | ((key >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((key >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (key & 0x3F));
  }
  return out;
}

std::string describe_symbol(uint32_t key) {
  char buf[32];
  if (is_escaped_byte(key)) {
    std::snprintf(buf, sizeof buf, "raw byte \\x%02x", key - 0xDC00);
    return std::string(buf) + " (not valid UTF-8)";
  }
  std::snprintf(buf, sizeof buf, "U+%04X", key);
  std::string out;  // appended piecewise: GCC 12 -O3 warns (-Wrestrict, a false positive) on a + chain
  if (key >= 0x21 && key <= 0x7E) {
    out = "'";
    out += static_cast<char>(key);
    out += "' (";
    out += buf;
    out += ")";
  } else {
    out = buf;
    out += is_symbol_key(key) ? " (bytes " + hex_bytes(symbol_bytes(key)) + ")" : " (not a symbol)";
  }
  return out;
}

}  // namespace tt::text
