// xoshiro256** and helpers. Reference: https://prng.di.unimi.it/ (public-domain algorithm).
#include "core/generator.h"

#include <cmath>
#include <cstring>

namespace tt {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

void Generator::manual_seed(uint64_t seed) {
  seed_ = seed;
  uint64_t x = seed;
  for (auto& w : s_) w = splitmix64(x);
  has_cached_ = false;
}

uint64_t Generator::next_u64() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Generator::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

float Generator::uniform_float() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }

double Generator::normal() {
  if (has_cached_) {
    has_cached_ = false;
    return cached_;
  }
  // Box–Muller: u1 in (0, 1] so log(u1) is finite.
  double u1 = 1.0 - uniform(), u2 = uniform();
  double r = std::sqrt(-2.0 * std::log(u1)), th = 2.0 * M_PI * u2;
  cached_ = r * std::sin(th);
  has_cached_ = true;
  return r * std::cos(th);
}

int64_t Generator::randint(int64_t low, int64_t high) {
  uint64_t range = static_cast<uint64_t>(high - low);
  if (range == 0) return low;
  uint64_t limit = UINT64_MAX - UINT64_MAX % range;  // reject the biased tail
  uint64_t v;
  do v = next_u64();
  while (v >= limit);
  return low + static_cast<int64_t>(v % range);
}

std::array<uint64_t, 7> Generator::state() const {
  uint64_t cached_bits;
  std::memcpy(&cached_bits, &cached_, 8);
  return {s_[0], s_[1], s_[2], s_[3], has_cached_ ? 1u : 0u, cached_bits, seed_};
}

void Generator::set_state(const std::array<uint64_t, 7>& st) {
  for (int i = 0; i < 4; ++i) s_[i] = st[i];
  has_cached_ = st[4] != 0;
  std::memcpy(&cached_, &st[5], 8);
  seed_ = st[6];
}

Generator& default_generator() {
  static Generator g(0);
  return g;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace tt
