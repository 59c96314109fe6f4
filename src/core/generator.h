// Seeded random number generator: xoshiro256** (Blackman & Vigna 2018) seeded by splitmix64.
// Its whole state is 4 words plus a cached normal, so checkpoints can save and restore it exactly.
// Not PyTorch's generator: the same seed gives different numbers than torch.manual_seed.
#pragma once
#include <array>
#include <cstdint>

namespace tt {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { manual_seed(seed); }
  void manual_seed(uint64_t seed);
  uint64_t seed() const { return seed_; }

  uint64_t next_u64();
  double uniform();             // [0, 1), 53 random bits
  float uniform_float();        // [0, 1), 24 random bits
  double normal();              // standard normal, Box–Muller (pairs; the second is cached)
  int64_t randint(int64_t low, int64_t high);  // uniform in [low, high), unbiased (rejection)

  // The full state, for checkpoints: s[0..3], has_cached_normal, cached_normal bits, seed.
  std::array<uint64_t, 7> state() const;
  void set_state(const std::array<uint64_t, 7>& st);

 private:
  uint64_t s_[4] = {};
  uint64_t seed_ = 0;
  bool has_cached_ = false;
  double cached_ = 0;
};

// The process-wide default generator used when no generator is passed (tt::manual_seed seeds it).
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace tt
