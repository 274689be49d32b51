// heap_footprint(): the bytes the allocator really spends on one malloc'd
// block, so memory accounting (INFO-style used_memory, maxmemory eviction,
// the benchmark's bytes-per-field) counts what the process pays, not what
// was asked for.
//
// Assumption: glibc's ptmalloc on a 64-bit target. A chunk in use is laid out
//
//   [ size_t size|flags ][ user bytes ... malloc_usable_size(p) ... ]
//                        ^ p
//
// (the previous chunk's prev_size field overlaps this chunk's tail, which is
// why usable size already includes it), so a block costs its usable size plus
// one size_t header. Chunks served by mmap (requests of 128 KiB and more by
// default) carry a second header word, 2 * sizeof(size_t) in all, plus the
// rounding to a page; they are not detected here (doing so would mean reading
// allocator internals), so their cost is under-counted by 8 bytes, below
// 0.01% of such a block. Under AddressSanitizer, malloc_usable_size() reports
// the requested size, so the figure is then the request plus one header.
// Other allocators (jemalloc, tcmalloc, musl) round differently; the figure
// stays a close lower bound there.
//
// Costs: one malloc_usable_size() call, O(1). Thread-safe.
// REQUIRES: p is null or a live pointer returned by malloc/new (not an
// interior pointer, not a stack or static object).
#ifndef HASHSTORE_UTIL_HEAP_H_
#define HASHSTORE_UTIL_HEAP_H_

#include <malloc.h>

#include <cstddef>

namespace hashstore::internal {

// Bytes one in-use chunk header costs under ptmalloc.
inline constexpr size_t kMallocChunkHeader = sizeof(size_t);
static_assert(kMallocChunkHeader == 8, "heap_footprint assumes a 64-bit glibc");

// Usable size plus the chunk header; 0 for nullptr.
inline size_t heap_footprint(const void* p) {
  if (p == nullptr) return 0;
  return malloc_usable_size(const_cast<void*>(p)) + kMallocChunkHeader;
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_HEAP_H_
