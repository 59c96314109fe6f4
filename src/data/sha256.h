// SHA-256 (FIPS 180-4), used to pin down downloaded/generated corpora byte for byte (the KJV text
// is identified by its sha256, as the char-GPT peer prints it). Not for checkpoints: they use the
// much faster, non-cryptographic XXH64 of io/checksum.h. Streams: update() in any chunking gives
// the same digest as the one-shot sha256_hex().
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tt::data {

class Sha256 {
 public:
  void update(const void* data, size_t n);
  std::array<uint8_t, 32> digest() const;  // does not consume the state
  std::string hex_digest() const;          // 64 lowercase hex digits, as `sha256sum` prints

 private:
  std::array<uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  uint8_t block_[64] = {};  // partial block not yet compressed
  size_t block_len_ = 0;
  uint64_t total_ = 0;      // bytes seen
};

std::string sha256_hex(std::string_view data);

}  // namespace tt::data
