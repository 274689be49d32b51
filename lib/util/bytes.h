// Small byte helpers for the hot lookup paths: comparing short names (keys,
// field names) and hashing them, inline rather than through library calls.
//
// equal_bytes: whether n bytes at a and b are equal. Names are usually
// short; up to 16 bytes they are compared as two overlapping 4- or 8-byte
// words (no memcmp call); longer ones go to memcmp.
//
// hash_bytes: XXH3-64 with a seed, from xxHash built inline
// (XXH_INLINE_ALL), so a 10-byte key costs its couple of dozen instructions
// and no call. Same values as the library's XXH3_64bits_withSeed
// (tests/encoding/hashtable_test.cc checks every length up to 300).
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

[[gnu::always_inline]] inline bool equal_bytes(const void* a_ptr, const void* b_ptr, size_t n) {
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
  if (n >= 2) {
    auto load16 = [](const uint8_t* p) {
      uint16_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    };
    return load16(a) == load16(b) && a[n - 1] == b[n - 1];
  }
  return n == 0 || a[0] == b[0];
}

// Copies n bytes from src to dst (non-overlapping): up to 16 as two
// overlapping words (no memcpy call for a short value), longer by memcpy.
[[gnu::always_inline]] inline void copy_bytes(void* dst_ptr, const void* src_ptr, size_t n) {
  auto* dst = static_cast<uint8_t*>(dst_ptr);
  const auto* src = static_cast<const uint8_t*>(src_ptr);
  if (n > 16) {
    std::memcpy(dst, src, n);
  } else if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else if (n >= 2) {
    uint16_t a;
    std::memcpy(&a, src, 2);
    const uint8_t last = src[n - 1];
    std::memcpy(dst, &a, 2);
    dst[n - 1] = last;
  } else if (n == 1) {
    dst[0] = src[0];
  }
}

[[gnu::always_inline]] inline bool equal_names(std::string_view a, std::string_view b) {
  return a.size() == b.size() && equal_bytes(a.data(), b.data(), a.size());
}

[[gnu::always_inline]] inline uint64_t hash_bytes(std::string_view s, uint64_t seed) {
  // Keys and field names are usually 16 bytes or less: XXH3's own path for
  // them, inline (the library function's dispatch on length is too large
  // for the compiler to inline). Same value as XXH3_64bits_withSeed.
  if (s.size() <= 16) {
    return XXH3_len_0to16_64b(reinterpret_cast<const xxh_u8*>(s.data()), s.size(), XXH3_kSecret,
                              seed);
  }
  return XXH3_64bits_withSeed(s.data(), s.size(), seed);
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_BYTES_H_
