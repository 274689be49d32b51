// Non-template parts of HashTable: slot arrays and cursor arithmetic.
#include "encoding/hashtable.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "util/heap.h"

namespace hashstore::internal {

namespace {

// Bytes of slot arrays currently mapped with mmap, by all tables.
std::atomic<size_t> g_mapped_bytes{0};

size_t page_size() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

}  // namespace

size_t mapped_table_bytes() { return g_mapped_bytes.load(std::memory_order_relaxed); }

SlotArray SlotArray::allocate(size_t buckets) {
  SlotArray a;
  a.buckets = buckets;
  const size_t slot_bytes = buckets * kBucketBytes;
  const size_t bitmap_bytes = (buckets + 63) / 64 * sizeof(uint64_t);
  if (slot_bytes + bitmap_bytes >= kMmapArrayBytes) {
    // Fresh anonymous pages are zero and cost nothing until touched, so even
    // a huge array is ready at once; calloc cannot promise that (see the
    // top of hashtable.h). Page-aligned, hence 64-byte aligned.
    const size_t len = (slot_bytes + bitmap_bytes + page_size() - 1) & ~(page_size() - 1);
    void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();  // no exceptions: out of memory is fatal
    a.block = p;
    a.mapped = len;
    g_mapped_bytes.fetch_add(len, std::memory_order_relaxed);
    a.slots = static_cast<uint64_t*>(p);
  } else {
    // kBucketBytes of slack for alignment.
    a.block = std::calloc(1, slot_bytes + bitmap_bytes + kBucketBytes);
    if (a.block == nullptr) std::abort();  // no exceptions: out of memory is fatal
    uintptr_t p = reinterpret_cast<uintptr_t>(a.block);
    p = (p + kBucketBytes - 1) & ~uintptr_t{kBucketBytes - 1};
    a.slots = reinterpret_cast<uint64_t*>(p);
  }
  a.everfull = a.slots + buckets * kSlotsPerBucket;
  a.footprint = a.mapped != 0 ? a.mapped : heap_footprint(a.block);
  return a;
}

void SlotArray::release() {
  if (mapped != 0) {
    munmap(block, mapped);
    g_mapped_bytes.fetch_sub(mapped, std::memory_order_relaxed);
  } else {
    std::free(block);
  }
  *this = SlotArray();
}

void SlotArray::discard_drained(size_t drained) {
  if (mapped == 0) return;  // small heap blocks are cheap to free at once
  const uintptr_t start = reinterpret_cast<uintptr_t>(slots);
  // Page-aligned start of what is still resident, and end of what is drained.
  const uintptr_t from = start + discarded;
  const uintptr_t to = (start + drained * kBucketBytes) & ~(page_size() - 1);
  if (to < from + kDiscardStepBytes) return;
  // A private anonymous mapping reads back as zeros (empty slots) after
  // MADV_DONTNEED. Failure only costs memory.
  (void)madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
  discarded = to - start;
}

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
