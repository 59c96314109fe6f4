// safetensors: parse, validate and write the safetensors container at the byte level
// (u64 LE header length, JSON header, data buffer). It does not know about Tensor: entries are
// (name, dtype string, shape, byte range); the tensor glue lives elsewhere. The validation rules
// are listed in docs/io_format_notes.md; every violation is a tt::Error naming the file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tt::io {

// Largest accepted JSON header: 100 MB (100'000'000 bytes), the limit of the reference implementation.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct TensorEntry {
  std::string name;
  std::string dtype;  // one of F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range in SafetensorsFile::data
};

struct SafetensorsFile {
  std::vector<TensorEntry> tensors;             // sorted by data offset (ties: by name)
  std::map<std::string, std::string> metadata;  // "__metadata__"; empty if absent
  std::vector<uint8_t> data;                    // the data buffer (everything after the header)
  const TensorEntry* find(const std::string& name) const;  // nullptr if absent
  // Not aligned for the dtype in general (offsets are byte offsets): memcpy out, do not cast.
  const uint8_t* bytes(const TensorEntry& e) const { return data.data() + e.begin; }
};

// Bytes per element of a dtype; throws tt::Error on an unknown dtype.
size_t dtype_size(const std::string& dtype);

// Validates everything (see the header comment); what names the source in error messages.
SafetensorsFile parse_safetensors(const uint8_t* bytes, size_t n, const std::string& what);
SafetensorsFile read_safetensors(const std::string& path);

struct TensorToWrite {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  const void* data;  // nbytes little-endian bytes; may be null when nbytes == 0
  size_t nbytes;
};

// Tensors are laid out in name order (deterministic output whatever the caller's order); the
// header is compact JSON ("__metadata__" first, omitted when empty) padded with spaces to a multiple
// of 8 bytes so the data buffer starts 8-byte aligned. Throws tt::Error on invalid input
// (duplicate or reserved names, unknown dtype, negative dims, nbytes not matching the shape).
std::vector<uint8_t> serialize_safetensors(const std::vector<TensorToWrite>& tensors,
                                           const std::map<std::string, std::string>& metadata);
// serialize + write_file_atomic, without building the whole file in memory first.
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata);

}  // namespace tt::io
