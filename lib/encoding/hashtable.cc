// Non-template parts of HashTable: slot arrays and cursor arithmetic.
#include "encoding/hashtable.h"

#include <cstdlib>

#include "util/heap.h"

namespace hashstore::internal {

SlotArray SlotArray::allocate(size_t buckets) {
  SlotArray a;
  a.buckets = buckets;
  const size_t slot_bytes = buckets * kBucketBytes;
  const size_t bitmap_bytes = (buckets + 63) / 64 * sizeof(uint64_t);
  // calloc: large blocks come from mmap as zero pages, so even a huge array
  // costs no time until it is touched. kBucketBytes of slack for alignment.
  a.block = std::calloc(1, slot_bytes + bitmap_bytes + kBucketBytes);
  if (a.block == nullptr) std::abort();  // no exceptions: out of memory is fatal
  uintptr_t p = reinterpret_cast<uintptr_t>(a.block);
  p = (p + kBucketBytes - 1) & ~uintptr_t{kBucketBytes - 1};
  a.slots = reinterpret_cast<uint64_t*>(p);
  a.everfull = a.slots + buckets * kSlotsPerBucket;
  return a;
}

void SlotArray::release() {
  std::free(block);
  *this = SlotArray();
}

size_t SlotArray::bytes() const { return heap_footprint(block); }

uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

namespace {

uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

uint64_t next_cursor(uint64_t cursor, uint64_t mask) {
  // Set the bits above the mask so the increment carries out of them, then
  // increment the bit-reversed value.
  cursor |= ~mask;
  cursor = reverse_bits(cursor);
  ++cursor;
  return reverse_bits(cursor);
}

}  // namespace hashstore::internal
