// checksum: XXH64 (xxHash64, seed 0) over raw bytes, used by checkpoints to verify integrity on load.
// Bit-exact with the reference xxHash64, so `xxh64sum` can check files too; ~10+ GB/s on one core.
// Not cryptographic: it detects corruption (truncation, bit rot, torn writes), not tampering.
// Checksum64 streams: update() in any chunking gives the same digest as the one-shot checksum64().
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace tt::io {

// XXH64 of n bytes at data (data may be null when n == 0).
uint64_t checksum64(const void* data, size_t n);

// The checksum as 16 lowercase hex digits, most significant first (same text as `xxh64sum`).
std::string checksum_hex(const void* data, size_t n);
std::string checksum_to_hex(uint64_t checksum);

// Incremental XXH64 for data that arrives in pieces (e.g. tensor by tensor).
class Checksum64 {
 public:
  void update(const void* data, size_t n);
  uint64_t digest() const;  // does not consume the state; more update() calls may follow

 private:
  uint64_t acc_[4] = {0x9E3779B185EBCA87ULL + 0xC2B2AE3D27D4EB4FULL, 0xC2B2AE3D27D4EB4FULL, 0,
                      0 - 0x9E3779B185EBCA87ULL};  // XXH64 lane seeds for seed 0
  uint8_t buf_[32] = {};                           // partial 32-byte stripe not yet absorbed
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace tt::io
