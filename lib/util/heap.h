// heap_footprint(): what the allocator really spends on a malloc'd block,
// for exact memory accounting. Assumes glibc's ptmalloc: a block costs its
// usable size plus one size_t chunk header (mmapped chunks, >= 128 KiB by
// default, cost one more header, which is below 0.01% of them). Under
// AddressSanitizer malloc_usable_size() reports the requested size, so the
// figure is then the request plus the header.
#ifndef HASHSTORE_UTIL_HEAP_H_
#define HASHSTORE_UTIL_HEAP_H_

#include <malloc.h>

#include <cstddef>

namespace hashstore::internal {

inline size_t heap_footprint(const void* p) {
  if (p == nullptr) return 0;
  return malloc_usable_size(const_cast<void*>(p)) + sizeof(size_t);
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_HEAP_H_
