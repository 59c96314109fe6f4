// safetensors reader/writer. The reader trusts nothing: every length and offset is checked before
// use, so hostile or truncated files give a tt::Error (never a crash or an allocation beyond the
// input size). The writer produces what the reference implementation would accept and reads back.
#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <span>
#include <tuple>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"

namespace tt::io {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;  // writer: keeps "__metadata__" first, fields in spec order

constexpr const char* kSupportedDtypes = "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL";
constexpr size_t kNpos = std::numeric_limits<size_t>::max();
constexpr int kMaxJsonDepth = 16;

// 0 for unknown dtypes, so callers can word the error with their own context.
size_t lookup_dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL") return 1;
  return 0;
}

// Offset of the first byte that is not part of a well-formed UTF-8 sequence (overlongs,
// surrogates and code points above U+10FFFF included), or kNpos if all is valid.
size_t find_invalid_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t c = s[i];
    size_t len = 1;
    uint32_t cp = c, min = 0;
    if (c >= 0x80) {
      if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
      else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
      else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
      else return i;
      if (n - i < len) return i;
      for (size_t k = 1; k < len; ++k) {
        if ((s[i + k] & 0xC0) != 0x80) return i;
        cp = (cp << 6) | (s[i + k] & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    }
    i += len;
  }
  return kNpos;
}

bool is_utf8(const std::string& s) {
  return find_invalid_utf8(reinterpret_cast<const uint8_t*>(s.data()), s.size()) == kNpos;
}

// Messages quote file-controlled text; cap it so a 100 MB header cannot become a 100 MB message.
std::string brief(const std::string& s, size_t max = 64) {
  if (s.size() <= max) return s;
  while (max > 0 && (static_cast<uint8_t>(s[max]) & 0xC0) == 0x80) --max;  // cut between characters
  return s.substr(0, max) + "...";
}
std::string brief(const json& v) { return brief(v.dump(-1, ' ', false, json::error_handler_t::replace)); }

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Bytes covered by shape; false on overflow. The element count must fit in int64 (what tensor
// code computes it in), checked left to right, so [2^40, 2^40, 0] is rejected though it is empty.
bool checked_nbytes(const std::vector<int64_t>& shape, size_t elem_size, uint64_t* nbytes) {
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(numel, d, &numel)) return false;
  }
  return !__builtin_mul_overflow(static_cast<uint64_t>(numel), uint64_t{elem_size}, nbytes);
}

// nlohmann keeps the last of duplicate keys silently; the callback sees every key, so we catch them.
json parse_header_json(const char* begin, const char* end, const std::string& what) {
  std::vector<std::unordered_set<std::string>> open_objects;  // keys seen, per enclosing object
  std::string current_tensor, duplicate, duplicate_owner;
  bool duplicate_is_tensor = false;
  auto on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    // A valid header nests 3 deep. Stopping mid-parse bounds the tree a hostile "[[[[..." builds
    // (~60 bytes per level) and keeps the recursive dump() used in messages shallow.
    TT_CHECK(depth <= kMaxJsonDepth, "safetensors: ", what, ": header JSON nests more than ",
             kMaxJsonDepth, " levels deep; hint: the file is corrupt or not safetensors");
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end) open_objects.pop_back();
    if (event != json::parse_event_t::key) return true;
    const auto& key = parsed.get_ref<const std::string&>();
    if (open_objects.size() == 1) current_tensor = key;
    if (!open_objects.back().insert(key).second && duplicate.empty()) {
      duplicate = key;
      duplicate_is_tensor = open_objects.size() == 1;
      duplicate_owner = current_tensor;
    }
    return true;
  };
  json header;
  try {
    header = json::parse(begin, end, on_event);
  } catch (const json::parse_error& e) {
    TT_CHECK(false, "safetensors: ", what, ": header is not valid JSON: ", brief(e.what(), 240),
             "; hint: the file is corrupt or not a safetensors file");
  }
  TT_CHECK(!duplicate_is_tensor, "safetensors: ", what,
           ": duplicate tensor name '", brief(duplicate), "' in header");
  TT_CHECK(duplicate.empty(), "safetensors: ", what, ": entry '", brief(duplicate_owner),
           "' has duplicate key '", brief(duplicate), "'");
  return header;
}

const json& field(const json& entry, const char* key, const std::string& who) {
  const auto it = entry.find(key);
  TT_CHECK(it != entry.end(), who, ": missing field \"", key,
           "\"; hint: every entry needs \"dtype\", \"shape\" and \"data_offsets\"");
  return *it;
}

std::vector<int64_t> parse_shape(const json& s, const std::string& who) {
  TT_CHECK(s.is_array(), who, ": \"shape\" must be an array of integers, got ", s.type_name(), " ", brief(s));
  std::vector<int64_t> shape;
  for (const json& d : s) {
    TT_CHECK(d.is_number_integer(), who, ": shape ", brief(s), " has a non-integer dimension ", brief(d));
    TT_CHECK(d.is_number_unsigned(), who, ": shape ", brief(s), " has a negative dimension ", brief(d));
    TT_CHECK(d.get<uint64_t>() <= uint64_t{std::numeric_limits<int64_t>::max()}, who, ": shape ",
             brief(s), " has dimension ", brief(d), ", which overflows int64");
    shape.push_back(d.get<int64_t>());
  }
  return shape;
}

void parse_offsets(const json& o, const std::string& who, TensorEntry& e) {
  TT_CHECK(o.is_array() && o.size() == 2, who, ": \"data_offsets\" must be [begin, end], got ", brief(o));
  for (const json& x : o) {
    TT_CHECK(x.is_number_integer(), who, ": data_offsets ", brief(o), " must be two integers");
    TT_CHECK(x.is_number_unsigned(), who, ": data_offsets ", brief(o), " must be non-negative");
  }
  e.begin = o[0].get<uint64_t>();
  e.end = o[1].get<uint64_t>();
  TT_CHECK(e.begin <= e.end, who, ": data_offsets ", brief(o), " are decreasing (begin > end)");
}

TensorEntry parse_entry(const std::string& what, const std::string& name, const json& v) {
  const std::string who = "safetensors: " + what + ": tensor '" + brief(name) + "'";
  TT_CHECK(v.is_object(), who, ": entry must be an object with dtype, shape and data_offsets, got ",
           v.type_name(), " ", brief(v));
  TensorEntry e;
  e.name = name;
  const json& dtype = field(v, "dtype", who);
  TT_CHECK(dtype.is_string(), who, ": \"dtype\" must be a string, got ", dtype.type_name(), " ", brief(dtype));
  e.dtype = dtype.get<std::string>();
  const size_t elem_size = lookup_dtype_size(e.dtype);
  TT_CHECK(elem_size != 0, who, ": unknown dtype '", brief(e.dtype), "'; supported: ", kSupportedDtypes);
  e.shape = parse_shape(field(v, "shape", who), who);
  uint64_t nbytes = 0;
  TT_CHECK(checked_nbytes(e.shape, elem_size, &nbytes), who, ": shape ", brief(shape_text(e.shape)),
           " overflows: its element count x ", elem_size, " bytes does not fit in 64 bits");
  parse_offsets(field(v, "data_offsets", who), who, e);
  TT_CHECK(e.end - e.begin == nbytes, who, ": shape ", brief(shape_text(e.shape)), " of ", e.dtype,
           " needs ", nbytes, " bytes but data_offsets [", e.begin, ", ", e.end, "] span ",
           e.end - e.begin);
  return e;
}

void parse_metadata(const json& m, const std::string& what, std::map<std::string, std::string>& out) {
  TT_CHECK(m.is_object(), "safetensors: ", what, ": \"__metadata__\" must be an object of strings, got ",
           m.type_name(), " ", brief(m));
  for (const auto& [key, value] : m.items()) {
    TT_CHECK(value.is_string(), "safetensors: ", what, ": \"__metadata__\" value of '", brief(key),
             "' must be a string, got ", value.type_name(), " ", brief(value),
             "; hint: the format only allows string values, so encode numbers as text");
    out[key] = value.get<std::string>();
  }
}

// The spec requires the tensors to tile the data buffer exactly: no out-of-range, overlap, hole or tail.
void check_layout(const std::string& what, std::vector<TensorEntry>& tensors, uint64_t data_size) {
  const std::string file = "safetensors: " + what + ": ";
  for (const TensorEntry& e : tensors) {
    TT_CHECK(e.end <= data_size, file, "tensor '", brief(e.name), "' data_offsets [", e.begin, ", ", e.end,
             "] are out of range of the ", data_size, "-byte data buffer; hint: the file may be truncated");
  }
  std::sort(tensors.begin(), tensors.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  uint64_t pos = 0;
  const TensorEntry* prev = nullptr;
  for (const TensorEntry& e : tensors) {
    TT_CHECK(e.begin >= pos, file, "tensor '", brief(e.name), "' [", e.begin, ", ", e.end,
             "] overlaps tensor '", brief(prev->name), "' [", prev->begin, ", ", prev->end, "]");
    TT_CHECK(e.begin == pos, file, "gap of ", e.begin - pos, " bytes in the data buffer at [", pos, ", ",
             e.begin, ") before tensor '", brief(e.name),
             "'; hint: the spec requires tensors to cover the data buffer with no holes");
    pos = e.end;
    prev = &e;
  }
  TT_CHECK(pos == data_size, file, data_size - pos, " trailing bytes after the last tensor (data buffer is ",
           data_size, " bytes, tensors end at ", pos, "); hint: the spec forbids unused bytes");
}

// Validates the whole file and returns its tensors and metadata; *data_start = offset of the data buffer.
SafetensorsFile parse_header(const uint8_t* bytes, size_t n, const std::string& what, size_t* data_start) {
  const std::string file = "safetensors: " + what + ": ";
  TT_CHECK(bytes != nullptr || n == 0, file, "null buffer of ", n, " bytes");
  TT_CHECK(n >= 8, file, "file is ", n, " bytes, shorter than the 8-byte header length; hint: truncated?");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];  // little-endian by spec
  TT_CHECK(header_len <= kMaxSafetensorsHeaderBytes, file, "header length ", header_len,
           " exceeds the cap of ", kMaxSafetensorsHeaderBytes, " bytes; hint: corrupt or not safetensors");
  TT_CHECK(header_len <= n - 8, file, "header length ", header_len, " exceeds the ", n - 8,
           " bytes after the length prefix; hint: the file is truncated or not safetensors");
  const size_t bad = find_invalid_utf8(bytes + 8, header_len);
  TT_CHECK(bad == kNpos, file, "header is not valid UTF-8 (byte 0x", std::hex, int{bytes[8 + bad]},
           std::dec, " at header offset ", bad, ")");
  const auto* text = reinterpret_cast<const char*>(bytes + 8);
  const json header = parse_header_json(text, text + header_len, what);
  TT_CHECK(header.is_object(), file, "header must be a JSON object, got ", header.type_name(), " ", brief(header));
  SafetensorsFile f;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") parse_metadata(value, what, f.metadata);
    else f.tensors.push_back(parse_entry(what, key, value));
  }
  *data_start = 8 + header_len;
  check_layout(what, f.tensors, n - *data_start);
  return f;
}

// Validates one tensor handed to the writer, so we never emit a file our own reader rejects.
void check_tensor_to_write(const TensorToWrite& t, const std::string& who) {
  TT_CHECK(t.name != "__metadata__", who, ": the name \"__metadata__\" is reserved by the format");
  TT_CHECK(is_utf8(t.name), who, ": name is not valid UTF-8");
  const size_t elem_size = lookup_dtype_size(t.dtype);
  TT_CHECK(elem_size != 0, who, ": unknown dtype '", brief(t.dtype), "'; supported: ", kSupportedDtypes);
  uint64_t nbytes = 0;
  TT_CHECK(checked_nbytes(t.shape, elem_size, &nbytes), who, ": invalid shape ", brief(shape_text(t.shape)),
           " (negative dimension or overflow)");
  TT_CHECK(nbytes == t.nbytes, who, ": shape ", brief(shape_text(t.shape)), " of ", t.dtype, " needs ",
           nbytes, " bytes, got nbytes = ", t.nbytes);
  TT_CHECK(t.data != nullptr || t.nbytes == 0, who, ": data is null for ", t.nbytes, " bytes");
}

// Length prefix + padded header, and the tensors in the order their bytes must follow.
struct WritePlan {
  std::vector<uint8_t> prefix;
  std::vector<const TensorToWrite*> order;
};

WritePlan plan_write(const std::vector<TensorToWrite>& tensors, const std::map<std::string, std::string>& metadata,
                     const std::string& what) {
  WritePlan plan;
  for (const TensorToWrite& t : tensors) plan.order.push_back(&t);
  std::sort(plan.order.begin(), plan.order.end(), [](auto* a, auto* b) { return a->name < b->name; });
  ordered_json header = ordered_json::object();
  if (!metadata.empty()) {
    ordered_json meta = ordered_json::object();
    for (const auto& [key, value] : metadata) {
      TT_CHECK(is_utf8(key) && is_utf8(value), "safetensors: ", what, ": metadata '", brief(key),
               "' is not valid UTF-8");
      meta[key] = value;
    }
    header["__metadata__"] = std::move(meta);
  }
  uint64_t offset = 0;
  for (size_t i = 0; i < plan.order.size(); ++i) {
    const TensorToWrite& t = *plan.order[i];
    const std::string who = "safetensors: " + what + ": tensor '" + brief(t.name) + "'";
    TT_CHECK(i == 0 || plan.order[i - 1]->name != t.name, who, ": duplicate tensor name");
    check_tensor_to_write(t, who);
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.nbytes}}};
    offset += t.nbytes;
  }
  std::string text = header.dump();  // compact: no indent
  text.append((8 - text.size() % 8) % 8, ' ');  // 8-aligns the data buffer, as the reference does
  TT_CHECK(text.size() <= kMaxSafetensorsHeaderBytes, "safetensors: ", what, ": header would be ",
           text.size(), " bytes, over the ", kMaxSafetensorsHeaderBytes, "-byte cap readers enforce");
  plan.prefix.resize(8 + text.size());
  for (int i = 0; i < 8; ++i) plan.prefix[i] = static_cast<uint8_t>(uint64_t{text.size()} >> (8 * i));
  std::memcpy(plan.prefix.data() + 8, text.data(), text.size());
  return plan;
}

}  // namespace

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
  for (const TensorEntry& e : tensors) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

size_t dtype_size(const std::string& dtype) {
  const size_t size = lookup_dtype_size(dtype);
  TT_CHECK(size != 0, "safetensors: unknown dtype '", brief(dtype), "'; supported: ", kSupportedDtypes);
  return size;
}

SafetensorsFile parse_safetensors(const uint8_t* bytes, size_t n, const std::string& what) {
  size_t data_start = 0;
  SafetensorsFile f = parse_header(bytes, n, what, &data_start);
  f.data.assign(bytes + data_start, bytes + n);
  return f;
}

SafetensorsFile read_safetensors(const std::string& path) {
  std::vector<uint8_t> buf = read_file(path);
  size_t data_start = 0;
  SafetensorsFile f = parse_header(buf.data(), buf.size(), path, &data_start);
  buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(data_start));  // in place: no 2nd copy
  f.data = std::move(buf);
  return f;
}

std::vector<uint8_t> serialize_safetensors(const std::vector<TensorToWrite>& tensors,
                                           const std::map<std::string, std::string>& metadata) {
  WritePlan plan = plan_write(tensors, metadata, "(in memory)");
  std::vector<uint8_t> out = std::move(plan.prefix);
  for (const TensorToWrite* t : plan.order) {
    const auto* p = static_cast<const uint8_t*>(t->data);
    if (t->nbytes > 0) out.insert(out.end(), p, p + t->nbytes);
  }
  return out;
}

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  const WritePlan plan = plan_write(tensors, metadata, path);
  std::vector<std::span<const uint8_t>> parts{{plan.prefix.data(), plan.prefix.size()}};
  for (const TensorToWrite* t : plan.order) parts.emplace_back(static_cast<const uint8_t*>(t->data), t->nbytes);
  write_file_atomic(path, parts);
}

}  // namespace tt::io
