// XXH64 as specified in xxHash's doc/xxhash_spec.md (seed 0), one-shot and streaming.
// Plain portable C++: the 4 independent lanes already keep a core's multipliers busy,
// so no SIMD is needed to beat the >= 1 GB/s requirement by a wide margin.
#include "io/checksum.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace tt::io {
namespace {

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

// Loads are little-endian by definition of the hash; memcpy avoids unaligned-access UB.
inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
inline uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

inline uint64_t round64(uint64_t acc, uint64_t input) {
  acc += input * kP2;
  return std::rotl(acc, 31) * kP1;
}
inline uint64_t merge64(uint64_t h, uint64_t acc) {
  h ^= round64(0, acc);
  return h * kP1 + kP4;
}

// Absorbs whole 32-byte stripes; returns the number of bytes consumed.
size_t consume_stripes(uint64_t acc[4], const uint8_t* p, size_t n) {
  const size_t whole = n - n % 32;
  for (size_t i = 0; i < whole; i += 32) {
    acc[0] = round64(acc[0], load64(p + i));
    acc[1] = round64(acc[1], load64(p + i + 8));
    acc[2] = round64(acc[2], load64(p + i + 16));
    acc[3] = round64(acc[3], load64(p + i + 24));
  }
  return whole;
}

uint64_t converge(const uint64_t acc[4]) {
  uint64_t h = std::rotl(acc[0], 1) + std::rotl(acc[1], 7) + std::rotl(acc[2], 12) + std::rotl(acc[3], 18);
  for (int i = 0; i < 4; ++i) h = merge64(h, acc[i]);
  return h;
}

// The tail (< 32 bytes) and the final avalanche; total is the whole input length.
uint64_t finish(uint64_t h, const uint8_t* p, size_t n, uint64_t total) {
  h += total;
  for (; n >= 8; p += 8, n -= 8) h = std::rotl(h ^ round64(0, load64(p)), 27) * kP1 + kP4;
  if (n >= 4) {
    h = std::rotl(h ^ (uint64_t{load32(p)} * kP1), 23) * kP2 + kP3;
    p += 4;
    n -= 4;
  }
  for (; n > 0; ++p, --n) h = std::rotl(h ^ (uint64_t{*p} * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

}  // namespace

uint64_t checksum64(const void* data, size_t n) {
  Checksum64 c;
  c.update(data, n);
  return c.digest();
}

std::string checksum_to_hex(uint64_t checksum) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, checksum >>= 4) s[i] = kDigits[checksum & 0xF];
  return s;
}

std::string checksum_hex(const void* data, size_t n) { return checksum_to_hex(checksum64(data, n)); }

void Checksum64::update(const void* data, size_t n) {
  if (n == 0) return;  // data may be null here
  const auto* p = static_cast<const uint8_t*>(data);
  total_ += n;
  if (buf_len_ > 0) {  // top up the pending stripe first so lanes see bytes in order
    const size_t take = std::min(n, sizeof(buf_) - buf_len_);
    std::memcpy(buf_ + buf_len_, p, take);
    buf_len_ += take;
    p += take;
    n -= take;
    if (buf_len_ < sizeof(buf_)) return;
    consume_stripes(acc_, buf_, sizeof(buf_));
    buf_len_ = 0;
  }
  const size_t used = consume_stripes(acc_, p, n);
  std::memcpy(buf_, p + used, n - used);
  buf_len_ = n - used;
}

uint64_t Checksum64::digest() const {
  // Inputs shorter than one stripe never touch the lanes; the spec starts them from seed + P5.
  const uint64_t h = total_ >= 32 ? converge(acc_) : kP5;
  return finish(h, buf_, buf_len_, total_);
}

}  // namespace tt::io
