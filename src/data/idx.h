// IDX (LeCun's MNIST format) reader and writer, raw or gzip-compressed, as plain bytes.
// A file is: 0x00 0x00 <type code> <ndim>, ndim big-endian u32 dims, then big-endian data.
// This is the byte layer only: it knows nothing about Tensor (the tensor glue lives elsewhere)
// and never guesses: a malformed file is a tt::Error naming the file and the offending values.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tt::data {

// IDX type codes (the third magic byte).
inline constexpr uint8_t kIdxU8 = 0x08;
inline constexpr uint8_t kIdxI8 = 0x09;
inline constexpr uint8_t kIdxI16 = 0x0B;
inline constexpr uint8_t kIdxI32 = 0x0C;
inline constexpr uint8_t kIdxF32 = 0x0D;
inline constexpr uint8_t kIdxF64 = 0x0E;

// Limits that turn absurd headers into errors instead of giant allocations.
inline constexpr int kIdxMaxDims = 8;
inline constexpr int64_t kIdxMaxElements = 10'000'000'000;  // 1e10
// Cap on the data bytes of one array (after decompression), so a forged header or a gzip bomb
// fails with a message instead of exhausting memory. The largest real set (Fashion-MNIST train
// images) is 47 MB.
inline constexpr uint64_t kIdxMaxDataBytes = uint64_t{4} << 30;  // 4 GiB

struct IdxArray {
  uint8_t type_code = kIdxU8;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;  // element data in host byte order after reading
};

// Bytes per element of a type code; throws tt::Error for an unknown code.
std::size_t idx_type_size(uint8_t type_code);

// Product of dims (1-D .. 8-D, each in [0, 2^32-1], product <= 1e10); throws otherwise.
// `what` prefixes the error message (e.g. "idx: train.idx").
int64_t idx_num_elements(const std::vector<int64_t>& dims, const std::string& what);

// Reads a raw or gzip (detected by the 1f 8b magic) IDX file. Throws tt::Error for a missing
// file, a bad or truncated gzip stream, bad magic, unknown type code, ndim 0 or > 8, absurd
// dims, data shorter than the dims say, or trailing data.
IdxArray read_idx(const std::string& path);

// Writes `array` (host byte order) as IDX, gzip-compressed if `gzip`. The write is atomic:
// a temp file next to `path` is renamed over it, so readers never see a half-written file.
void write_idx(const std::string& path, const IdxArray& array, bool gzip);


}  // namespace tt::data
