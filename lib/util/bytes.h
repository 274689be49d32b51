// Small byte helpers for the hot lookup paths: comparing short names (keys,
// field names) and hashing them, inline rather than through library calls.
//
// equal_bytes: whether n bytes at a and b are equal. Names are usually
// short; up to 16 bytes they are compared as two overlapping 4- or 8-byte
// words (no memcmp call); longer ones go to memcmp.
//
// hash_bytes: XXH3-64 with a seed, from xxHash built inline
// (XXH_INLINE_ALL), so a 10-byte key costs its few dozen instructions and no
// call through the shared library's dispatch. Same values as the library's
// XXH3_64bits_withSeed (tests/encoding/hashtable_test.cc checks).
//
// prefetch_line: asks the CPU to bring the cache line at p in (a hint: it
// never faults and changes nothing). On x86-64 it is an asm statement:
// GCC 12 deleted __builtin_prefetch calls whose address it had loaded in an
// inlined loop (HashTable::prefetch_element compiled to nothing).
#ifndef HASHSTORE_UTIL_BYTES_H_
#define HASHSTORE_UTIL_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace hashstore::internal {

inline void prefetch_line(const void* p) {
#if defined(__x86_64__)
  asm volatile("prefetcht0 (%0)" : : "r"(p));
#else
  __builtin_prefetch(p);
#endif
}

inline bool equal_bytes(const void* a_ptr, const void* b_ptr, size_t n) {
  const auto* a = static_cast<const uint8_t*>(a_ptr);
  const auto* b = static_cast<const uint8_t*>(b_ptr);
  auto load32 = [](const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  auto load64 = [](const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

inline bool equal_names(std::string_view a, std::string_view b) {
  return a.size() == b.size() && equal_bytes(a.data(), b.data(), a.size());
}

inline uint64_t hash_bytes(std::string_view s, uint64_t seed) {
  return XXH3_64bits_withSeed(s.data(), s.size(), seed);
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_BYTES_H_
