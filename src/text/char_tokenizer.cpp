// CharTokenizer: training (distinct symbols, sorted), encode/decode, and its file section:
//   tinytorch-tokenizer 1 char / vocab_size N / N x `symbol ESCAPED-BYTES` / end
// Also Tokenizer::save and load_tokenizer / parse_tokenizer, which dispatch on the header's type.
#include "text/char_tokenizer.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "text/bpe_tokenizer.h"
#include "text/tokenizer_file.h"
#include "text/utf8.h"

namespace tt::text {
namespace {
// No real text has more distinct symbols than Unicode has scalars plus 128 escaped bytes.
constexpr int64_t kMaxCharVocab = 0x110000;
}  // namespace

CharTokenizer::CharTokenizer(std::vector<uint32_t> symbols) : symbols_(std::move(symbols)) {
  ascii_id_.fill(-1);
  bytes_.reserve(symbols_.size());
  for (size_t i = 0; i < symbols_.size(); ++i) {
    const uint32_t key = symbols_[i];
    TT_CHECK(is_symbol_key(key), "CharTokenizer: symbol ", i, " is ", describe_symbol(key));
    TT_CHECK(i == 0 || symbols_[i - 1] < key, "CharTokenizer: symbols must be strictly ascending: ",
             describe_symbol(key), " at id ", i, " follows ", describe_symbol(symbols_[i - 1]));
    if (key < 128) ascii_id_[key] = static_cast<int32_t>(i);
    else other_id_.emplace(key, static_cast<int32_t>(i));
    bytes_.push_back(symbol_bytes(key));
  }
}

CharTokenizer CharTokenizer::train(std::string_view text) {
  std::array<bool, 128> ascii{};
  std::set<uint32_t> other;
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Symbol s = next_symbol(text, pos);
    if (s.key < 128) ascii[s.key] = true;
    else other.insert(s.key);
    pos += s.length;
  }
  std::vector<uint32_t> symbols;
  for (uint32_t k = 0; k < 128; ++k)
    if (ascii[k]) symbols.push_back(k);
  symbols.insert(symbols.end(), other.begin(), other.end());  // std::set iterates ascending
  return CharTokenizer(std::move(symbols));
}

std::vector<int64_t> CharTokenizer::encode(std::string_view text) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const auto c = static_cast<unsigned char>(text[pos]);
    int32_t id = c < 128 ? ascii_id_[c] : -1;
    size_t len = 1;
    uint32_t key = c;
    if (c >= 128) {
      const Utf8Symbol s = next_symbol(text, pos);
      key = s.key;
      len = s.length;
      const auto it = other_id_.find(key);
      if (it != other_id_.end()) id = it->second;
    }
    TT_CHECK(id >= 0, "CharTokenizer::encode: ", describe_symbol(key), " at byte offset ", pos,
             " is not in the vocabulary (", symbols_.size(),
             " symbols); hint: train the tokenizer on text that contains it");
    ids.push_back(id);
    pos += len;
  }
  return ids;
}

std::string CharTokenizer::decode(std::span<const int64_t> ids) const {
  std::string out;
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const int64_t id = ids[i];
    TT_CHECK(id >= 0 && id < vocab_size(), "CharTokenizer::decode: id ", id, " at position ", i,
             " is out of range for vocab size ", vocab_size());
    out += bytes_[static_cast<size_t>(id)];
  }
  return out;
}

std::string CharTokenizer::symbol(int64_t id) const {
  TT_CHECK(id >= 0 && id < vocab_size(), "CharTokenizer::symbol: id ", id,
           " is out of range for vocab size ", vocab_size());
  return bytes_[static_cast<size_t>(id)];
}

std::string CharTokenizer::serialize() const {
  std::string s = std::string(kTokenizerMagic) + " " + std::to_string(kTokenizerVersion) + " char\n";
  s += "vocab_size " + std::to_string(symbols_.size()) + "\n";
  for (const std::string& b : bytes_) s += "symbol " + escape_bytes(b) + "\n";
  return s + "end\n";
}

CharTokenizer CharTokenizer::load(const std::string& path) {
  return parse(read_tokenizer_file(path), "tokenizer file " + path);
}

CharTokenizer CharTokenizer::parse(std::string_view content, const std::string& source) {
  TokenizerFileReader r(content, source);
  if (r.read_magic() != "char") r.fail("this is a bpe tokenizer file, expected char; use load_tokenizer");
  const int64_t n = r.expect_int("vocab_size", 0, kMaxCharVocab);
  std::vector<uint32_t> symbols;
  std::unordered_map<uint32_t, int> first_line;
  for (int64_t i = 0; i < n; ++i) {
    const auto f = r.next("symbol " + std::to_string(i) + " of " + std::to_string(n));
    if (f[0] == "end")
      r.fail("vocab size mismatch: the header declares ", n, " symbols, found only ", i, " before 'end'");
    if (f[0] != "symbol" || f.size() != 2 || f[1].empty())
      r.fail("expected 'symbol ESCAPED-BYTES' (symbol ", i, " of ", n, ")");
    const std::string bytes = r.unescape(f[1], "symbol");
    const Utf8Symbol s = next_symbol(bytes, 0);
    if (s.length != bytes.size())
      r.fail("symbol '", f[1], "' is ", bytes.size(), " bytes but not one symbol (one UTF-8 "
             "character or one invalid byte)");
    const auto [it, fresh] = first_line.emplace(s.key, r.line());
    if (!fresh) r.fail("duplicate symbol ", describe_symbol(s.key), " (first on line ", it->second, ")");
    if (!symbols.empty() && symbols.back() > s.key)
      r.fail("symbols must be in ascending code point order: ", describe_symbol(s.key), " follows ",
             describe_symbol(symbols.back()));
    symbols.push_back(s.key);
  }
  r.expect_end();
  return CharTokenizer(std::move(symbols));
}

void Tokenizer::save(const std::string& path) const { write_text_file_atomic(path, serialize()); }

std::unique_ptr<Tokenizer> parse_tokenizer(std::string_view content, const std::string& source) {
  TokenizerFileReader r(content, source);
  if (r.read_magic() == "char") return std::make_unique<CharTokenizer>(CharTokenizer::parse(content, source));
  return std::make_unique<BpeTokenizer>(BpeTokenizer::parse(content, source));
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  return parse_tokenizer(read_tokenizer_file(path), "tokenizer file " + path);
}

}  // namespace tt::text
