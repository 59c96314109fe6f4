// The caching allocator: every tensor's bytes come from here, 64-byte aligned (one cache line,
// one AVX-512 vector). Freed blocks are kept per size class and reused, so a steady-state
// training step makes no system allocations; the counters make memory a measured quantity.
// Not a general-purpose malloc: sizes round up to a class (64 B multiples, then powers of two).
#pragma once
#include <cstddef>
#include <cstdint>

namespace tt {

constexpr size_t kAlignment = 64;

struct MemoryStats {
  int64_t bytes_in_use = 0;       // bytes held by live tensors (rounded to the size class)
  int64_t peak_bytes_in_use = 0;  // max of bytes_in_use since start or reset_peak_memory()
  int64_t bytes_cached = 0;       // freed bytes kept for reuse
  int64_t system_allocs = 0;      // calls that went to the system (cache misses)
  int64_t requests = 0;           // all allocation requests
};

void* allocate(size_t nbytes);              // never returns null; throws tt::Error on failure
void deallocate(void* ptr, size_t nbytes);  // nbytes must be what was passed to allocate
MemoryStats memory_stats();
void reset_peak_memory();
void empty_cache();  // return cached blocks to the system

}  // namespace tt
