// UTF-8 symbols for the char tokenizer: splits any byte string into symbols the way Python's
// bytes.decode("utf-8", "surrogateescape") does, so the vocabulary matches `sorted(set(text))`.
// A symbol is a strict UTF-8 scalar (no overlongs, no surrogates, at most U+10FFFF) or, for a byte
// that does not start a valid sequence, that byte alone, keyed U+DC00 + byte (surrogateescape).
// Keys are therefore unique (valid UTF-8 never encodes a surrogate) and sort like Python's str.
// Not a Unicode library: no normalisation, no classes. Siblings: char_tokenizer, tokenizer_file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tt::text {

struct Utf8Symbol {
  uint32_t key;    // code point, or 0xDC00 + byte for a byte that is not valid UTF-8
  size_t length;   // bytes consumed, 1..4
};

// The symbol starting at text[pos] (pos < text.size()).
Utf8Symbol next_symbol(std::string_view text, size_t pos);

// True for the keys U+DC80..U+DCFF that stand for one raw byte 0x80..0xFF.
constexpr bool is_escaped_byte(uint32_t key) { return key >= 0xDC80 && key <= 0xDCFF; }

// True if `key` is a code point a symbol can have: a scalar value (not a surrogate, <= U+10FFFF)
// or an escaped byte.
constexpr bool is_symbol_key(uint32_t key) {
  return key <= 0x10FFFF && (key < 0xD800 || key > 0xDFFF || is_escaped_byte(key));
}

// The bytes of a symbol: its UTF-8 encoding, or the raw byte of an escaped byte.
std::string symbol_bytes(uint32_t key);

// For error messages: 'a' (U+0061), U+00E9 (bytes \xc3\xa9), raw byte \xff (not valid UTF-8).
std::string describe_symbol(uint32_t key);

}  // namespace tt::text
