// Tests of lib/util/heap.h (heap_footprint).
#include <doctest/doctest.h>

#include <malloc.h>

#include <cstdlib>

#include "util/heap.h"

// ASan's allocator replaces ptmalloc and reports the requested size.
#if defined(__SANITIZE_ADDRESS__)
#define HS_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HS_TEST_UNDER_ASAN 1
#endif
#endif
#ifndef HS_TEST_UNDER_ASAN
#define HS_TEST_UNDER_ASAN 0
#endif

using hashstore::internal::heap_footprint;
using hashstore::internal::kMallocChunkHeader;

TEST_CASE("memory::heap_footprint") {
  SUBCASE("nullptr costs nothing") { CHECK(heap_footprint(nullptr) == 0); }

  SUBCASE("usable size plus one chunk header") {
    const size_t sizes[] = {1, 8, 24, 25, 100, 1000, 4096, 200000};
    for (size_t n : sizes) {
      CAPTURE(n);
      void* p = std::malloc(n);
      REQUIRE(p != nullptr);
      const size_t fp = heap_footprint(p);
      CHECK(fp == malloc_usable_size(p) + kMallocChunkHeader);
      CHECK(fp >= n + kMallocChunkHeader);
      std::free(p);
    }
  }

#if !HS_TEST_UNDER_ASAN
  SUBCASE("glibc chunks are 16-byte multiples of at least 32") {
    // ptmalloc on x86-64: chunk = max(32, round_up(n + 8, 16)). ASan's
    // allocator reports the request instead, hence the guard.
    const size_t sizes[] = {1, 24, 25, 40, 41, 100};
    for (size_t n : sizes) {
      CAPTURE(n);
      void* p = std::malloc(n);
      REQUIRE(p != nullptr);
      const size_t expected = n + 8 <= 32 ? 32 : (n + 8 + 15) / 16 * 16;
      CHECK(heap_footprint(p) == expected);
      std::free(p);
    }
  }
#endif
}
