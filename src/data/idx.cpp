// IDX reader/writer: header validation, in-memory gzip inflate/deflate (zlib), byte swapping,
// atomic file writes. Not a streaming reader: a whole file is held in memory, which is fine for
// IDX data sets (tens of MB) and lets every size check happen before any element is touched.
#include "data/idx.h"

#include "io/atomic_file.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace tt::data {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = std::size_t{1} << 18;      // zlib output chunk (256 KiB)
constexpr std::size_t kMaxZlibIn = std::size_t{1} << 30;  // zlib's avail_in is 32-bit
constexpr std::size_t kMaxHeader = 4 + 4 * kIdxMaxDims;
constexpr uint64_t kUnknown = UINT64_MAX;  // expected size before the header is decoded

std::string hex_byte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::size_t type_size(uint8_t code, const std::string& what) {
  switch (code) {
    case kIdxU8:
    case kIdxI8:
      return 1;
    case kIdxI16:
      return 2;
    case kIdxI32:
    case kIdxF32:
      return 4;
    case kIdxF64:
      return 8;
    default:
      break;
  }
  TT_CHECK(false, what, ": unknown IDX type code ", hex_byte(code),
           "; expected 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32 or 0x0e f64");
  return 0;
}

// IDX data is big-endian; swapping is its own inverse, so one routine serves read and write.
void swap_to_from_big_endian(std::vector<uint8_t>& bytes, std::size_t elem) {
  if constexpr (std::endian::native == std::endian::big) return;
  if (elem == 1) return;
  for (std::size_t i = 0; i + elem <= bytes.size(); i += elem) {
    std::reverse(bytes.begin() + static_cast<std::ptrdiff_t>(i),
                 bytes.begin() + static_cast<std::ptrdiff_t>(i + elem));
  }
}

uint32_t read_u32_be(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

struct Header {
  uint8_t type_code = 0;
  std::vector<int64_t> dims;
  std::size_t header_bytes = 0;
  uint64_t data_bytes = 0;
};

// Validates the 4 magic bytes and returns the header length they imply.
std::size_t header_length(const uint8_t* p, const std::string& what) {
  TT_CHECK(p[0] == 0 && p[1] == 0, what, ": bad magic ", hex_byte(p[0]), " ", hex_byte(p[1]),
           " (an IDX file starts with 0x00 0x00); not an IDX file, or a compressed format other "
           "than gzip");
  type_size(p[2], what);
  TT_CHECK(p[3] >= 1 && p[3] <= kIdxMaxDims, what, ": ndim ", int{p[3]}, " is out of range [1, ",
           kIdxMaxDims, "]");
  return 4 + 4 * std::size_t{p[3]};
}

// Decodes a header whose bytes [0, header_length) are all available.
Header parse_header(const uint8_t* p, const std::string& what) {
  Header h;
  h.header_bytes = header_length(p, what);
  h.type_code = p[2];
  for (int i = 0; i < p[3]; ++i) h.dims.push_back(read_u32_be(p + 4 + 4 * i));
  const auto n = static_cast<uint64_t>(idx_num_elements(h.dims, what));
  const std::size_t elem = type_size(h.type_code, what);
  TT_CHECK(n <= kIdxMaxDataBytes / elem, what, ": dims ", dims_str(h.dims), " of ", elem,
           "-byte elements need ", n * elem, " bytes, over the ", kIdxMaxDataBytes,
           "-byte limit; the header is probably corrupt");
  h.data_bytes = n * elem;
  return h;
}

// Total decoded size (header + data) once `out` holds a whole header, else kUnknown.
uint64_t expected_size(const std::vector<uint8_t>& out, const std::string& what) {
  if (out.size() < 4) return kUnknown;
  if (out.size() < header_length(out.data(), what)) return kUnknown;
  const Header h = parse_header(out.data(), what);
  return h.header_bytes + h.data_bytes;
}

struct InflateGuard {
  z_stream* zs;
  ~InflateGuard() { inflateEnd(zs); }
};

// Inflates a whole gzip file (concatenated members allowed, as `gzip -c a b` makes). It stops as
// soon as the output outgrows the size the IDX header promises, so trailing data or a gzip bomb
// costs at most one chunk of memory.
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& in, const std::string& what) {
  z_stream zs{};
  TT_CHECK(inflateInit2(&zs, 15 + 16) == Z_OK, what, ": zlib inflateInit2 failed");
  InflateGuard guard{&zs};
  std::vector<uint8_t> out;
  std::size_t fed = 0;
  uint64_t limit = kUnknown;
  for (;;) {
    if (zs.avail_in == 0 && fed < in.size()) {
      const std::size_t n = std::min(in.size() - fed, kMaxZlibIn);
      zs.next_in = const_cast<Bytef*>(in.data() + fed);
      zs.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    const std::size_t old = out.size();
    out.resize(old + kChunk);
    zs.next_out = out.data() + old;
    zs.avail_out = static_cast<uInt>(kChunk);
    const int ret = inflate(&zs, Z_NO_FLUSH);
    out.resize(old + kChunk - zs.avail_out);
    if (limit == kUnknown) limit = expected_size(out, what);
    TT_CHECK(limit == kUnknown || out.size() <= limit, what,
             ": trailing data: the header promises ", limit,
             " bytes but the decompressed file is longer");
    const std::size_t pos = fed - zs.avail_in;  // first unconsumed input byte
    if (ret == Z_STREAM_END) {
      if (pos == in.size()) break;
      TT_CHECK(in.size() - pos >= 2 && in[pos] == 0x1f && in[pos + 1] == 0x8b, what, ": ",
               in.size() - pos, " bytes of trailing garbage after the gzip stream");
      inflateReset(&zs);
      continue;
    }
    TT_CHECK(ret != Z_BUF_ERROR || pos < in.size(), what, ": truncated gzip stream (", in.size(),
             " compressed bytes, ", out.size(),
             " decompressed before it ended); re-download or re-fetch the file");
    TT_CHECK(ret == Z_OK, what, ": corrupt gzip data (zlib error ", ret, ": ",
             zs.msg ? zs.msg : "no message", ")");
  }
  return out;
}

struct DeflateGuard {
  z_stream* zs;
  ~DeflateGuard() { deflateEnd(zs); }
};

std::vector<uint8_t> gzip_bytes(const std::vector<uint8_t>& in, const std::string& what) {
  z_stream zs{};
  // windowBits 15+16 asks for a gzip wrapper; zlib writes mtime 0, so output is reproducible.
  TT_CHECK(
      deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK,
      what, ": zlib deflateInit2 failed");
  DeflateGuard guard{&zs};
  std::vector<uint8_t> out;
  std::size_t fed = 0;
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    if (zs.avail_in == 0 && fed < in.size()) {
      const std::size_t n = std::min(in.size() - fed, kMaxZlibIn);
      zs.next_in = const_cast<Bytef*>(in.data() + fed);
      zs.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    const int flush = (fed == in.size()) ? Z_FINISH : Z_NO_FLUSH;
    const std::size_t old = out.size();
    out.resize(old + kChunk);
    zs.next_out = out.data() + old;
    zs.avail_out = static_cast<uInt>(kChunk);
    ret = deflate(&zs, flush);
    out.resize(old + kChunk - zs.avail_out);
    TT_CHECK(ret == Z_OK || ret == Z_STREAM_END || ret == Z_BUF_ERROR, what,
             ": zlib deflate failed (error ", ret, ")");
  }
  return out;
}

std::vector<uint8_t> read_whole_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  TT_CHECK(fs::exists(st), what,
           ": no such file; check the path, or fetch the data set first "
           "(tito data fetch)");
  TT_CHECK(!fs::is_directory(st), what, ": is a directory, expected an IDX file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  TT_CHECK(f != nullptr, what, ": cannot open (", std::strerror(errno), ")");
  std::vector<uint8_t> buf;
  uint8_t chunk[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (buf.size() + n > kIdxMaxDataBytes + kMaxHeader) break;
    buf.insert(buf.end(), chunk, chunk + n);
  }
  const bool failed = std::ferror(f) != 0;
  const bool too_big = n > 0;
  std::fclose(f);
  TT_CHECK(!failed, what, ": read error");
  TT_CHECK(!too_big, what, ": file is larger than the ", kIdxMaxDataBytes, "-byte IDX limit");
  return buf;
}

// Decodes a complete (decompressed) IDX image into an array in host byte order.
IdxArray decode(const std::vector<uint8_t>& buf, const std::string& what) {
  TT_CHECK(buf.size() >= 4, what, ": only ", buf.size(),
           " bytes, too short for the 4-byte IDX magic; the file is empty or truncated");
  const std::size_t hlen = header_length(buf.data(), what);
  TT_CHECK(buf.size() >= hlen, what, ": header truncated: ndim ", int{buf[3]}, " needs ", hlen,
           " header bytes, the file has ", buf.size());
  const Header h = parse_header(buf.data(), what);
  const uint64_t data = buf.size() - hlen;
  TT_CHECK(data >= h.data_bytes, what, ": data shorter than the dims say: dims ", dims_str(h.dims),
           " need ", h.data_bytes, " data bytes, the file has ", data, "; the file is truncated");
  TT_CHECK(data == h.data_bytes, what, ": trailing data: dims ", dims_str(h.dims), " need ",
           h.data_bytes, " data bytes, the file has ", data, " (", data - h.data_bytes, " extra)");
  IdxArray a;
  a.type_code = h.type_code;
  a.dims = h.dims;
  a.bytes.assign(buf.begin() + static_cast<std::ptrdiff_t>(hlen), buf.end());
  swap_to_from_big_endian(a.bytes, type_size(a.type_code, what));
  return a;
}

}  // namespace

std::size_t idx_type_size(uint8_t type_code) { return type_size(type_code, "idx"); }

int64_t idx_num_elements(const std::vector<int64_t>& dims, const std::string& what) {
  TT_CHECK(!dims.empty() && dims.size() <= static_cast<std::size_t>(kIdxMaxDims), what, ": ndim ",
           dims.size(), " is out of range [1, ", kIdxMaxDims, "]");
  for (int64_t d : dims) {
    TT_CHECK(d >= 0 && d <= int64_t{UINT32_MAX}, what, ": dim ", d, " in dims ", dims_str(dims),
             " does not fit IDX's u32");
    if (d == 0) return 0;  // an empty array, whatever the other dims are
  }
  int64_t n = 1;
  for (int64_t d : dims) {
    TT_CHECK(n <= kIdxMaxElements / d, what, ": dims ", dims_str(dims), " have more than ",
             kIdxMaxElements, " elements; the header is probably corrupt");
    n *= d;
  }
  return n;
}

IdxArray read_idx(const std::string& path) {
  const std::string what = "idx: " + path;
  std::vector<uint8_t> buf = read_whole_file(path, what);
  if (buf.size() >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) buf = gunzip(buf, what);
  return decode(buf, what);
}

void write_idx(const std::string& path, const IdxArray& array, bool gzip) {
  const std::string what = "idx: " + path;
  const std::size_t elem = type_size(array.type_code, what);
  const auto n = static_cast<uint64_t>(idx_num_elements(array.dims, what));
  TT_CHECK(n <= kIdxMaxDataBytes / elem, what, ": ", n, " elements are over the ", kIdxMaxDataBytes,
           "-byte IDX limit");
  TT_CHECK(array.bytes.size() == n * elem, what, ": dims ", dims_str(array.dims), " of ", elem,
           "-byte elements need ", n * elem, " bytes, the array has ", array.bytes.size());
  std::vector<uint8_t> buf = {0, 0, array.type_code, static_cast<uint8_t>(array.dims.size())};
  for (int64_t d : array.dims) {
    const auto u = static_cast<uint32_t>(d);
    buf.insert(buf.end(), {static_cast<uint8_t>(u >> 24), static_cast<uint8_t>(u >> 16),
                           static_cast<uint8_t>(u >> 8), static_cast<uint8_t>(u)});
  }
  std::vector<uint8_t> data = array.bytes;
  swap_to_from_big_endian(data, elem);
  buf.insert(buf.end(), data.begin(), data.end());
  if (gzip) buf = gzip_bytes(buf, what);
  io::write_file_atomic(path, buf.data(), buf.size());  // temp file, fsync, rename, dir fsync
}

}  // namespace tt::data
