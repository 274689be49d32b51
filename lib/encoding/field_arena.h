// FieldArena: the memory of one FieldTable's field entries (field_entry.h),
// a size-classed slab. One arena per table, owned by it; single-threaded (a
// big hash is only touched under its shard's lock), so nothing is locked.
//
// Why: a field entry is small (19 bytes for "f:123456" -> "12345678") and
// glibc serves its smallest requests from 32-byte chunks, so one malloc per
// entry wasted 13 of every 32 bytes. Here the same entry takes a 20-byte
// slot, and the table frees its pages at once when it dies.
//
// Size classes
// ------------
// A request of n <= kArenaMaxSlot (256) bytes gets a slot of the class
// size: n rounded up to a multiple of kArenaStep (4), at least
// kArenaMinSlot (8, room for a free-list pointer). 63 classes:
//
//   class   0   1   2   3  ...  c            ...  62
//   slot    8  12  16  20  ...  4 * (c + 2)  ...  256
//
// Slots are 4-byte aligned (entries are read bytewise and with memcpy).
// Larger requests are plain mallocs with a 16-byte header linking them in
// a list {prev, next}, so that the arena can free them wholesale too; they
// are 16-byte aligned.
//
// Pages
// -----
// Slots of every class are carved from the current page by a bump pointer:
//
//   page: [next page: 8 bytes][slot][slot]...[slot][ unused tail ]
//                             ^ malloc'd block + 8, 4-byte steps
//
// A new page is 1/8 of the bytes the pages already hold, at least
// kArenaFirstPage (1 KiB) and at most the arena's max_page (by default
// kArenaMaxPage, 64 KiB, under glibc's mmap threshold so pages stay ordinary
// heap chunks): a table converted at 513 fields (~10 KB of entries) gets
// ~1 KiB pages, a table of a million fields 64 KiB ones, and the unused tail
// of the current page never exceeds 1/8 of what the arena holds (64 KiB
// once it is large). A keyspace, one arena per shard for its key entries,
// caps its pages at kArenaSmallMaxPage (4 KiB): with 64 shards or more, 64
// KiB tails would cost several bytes per key. The whole usable size malloc
// reports for a page is used.
//
// Free slots and reuse
// --------------------
// deallocate() pushes the slot on its class's intrusive free list (the
// first 8 bytes of a free slot point to the next one, unaligned); a
// 64-bit mask records which lists are non-empty. allocate() tries, in
// order: (1) the class's own free list; (2) the current page's tail;
// (3) a free slot of a class at least 8 bytes larger (the smallest such),
// split in two, the remainder going on its own class's list; (4) a new
// page, the old page's tail (if 8 bytes or more) going on a free list.
// So freed memory of any size is reused before a page is added.
//
// Limits: free slots are never merged, and a page is never given back
// while the arena lives (there is no per-page live count): a hash that
// shrinks keeps its peak pages until it is destroyed or cleared; they stay
// counted in bytes() and are reused by later inserts. Small free slots
// cannot serve larger requests.
//
// Accounting
// ----------
// bytes() is what the arena holds from malloc: the heap footprint
// (util/heap.h) of every page, free and unused space included, plus that of
// every large block. It changes only when a page or large block is
// allocated or freed. usage() breaks it down for tests.
//
// Releasing
// ---------
// release_all() frees every page and large block (O(pages + large
// blocks), no per-slot work). release_some(bytes) frees a bounded part, for
// a table thrown away a step at a time: whole blocks, large ones first,
// until at least `bytes` are freed, so at most `bytes` plus one block (a
// page of up to 64 KiB, or one large entry). The first call forgets the
// free lists and the current page: every slot is dead from then on
// (allocate() still works, on fresh pages).
//
// AddressSanitizer
// ----------------
// Under ASan, everything in a page that is not a live slot is poisoned:
// unused tails and free slots. ASan tracks 8-byte granules and two slots can
// share one, so allocate() unpoisons the granules its bytes touch and
// deallocate() poisons the granules wholly inside the slot: a granule
// shared with a live neighbour stays addressable (a missed report, never a
// false one). Free-list links are read and written without checks.
//
// Costs: allocate() and deallocate() are O(1): a few compares and a list
// push or pop; a new page is one malloc. bytes() is O(1); usage() walks the
// pages and the free lists.
#ifndef HASHSTORE_ENCODING_FIELD_ARENA_H_
#define HASHSTORE_ENCODING_FIELD_ARENA_H_

#include <cstddef>
#include <cstdint>

#include "util/sanitizers.h"

#ifdef HASHSTORE_ASAN
#include <sanitizer/asan_interface.h>
// Free-list links live in poisoned slots: read and written unchecked.
#define HASHSTORE_ARENA_UNCHECKED __attribute__((no_sanitize_address, noinline))
#else
#define HASHSTORE_ARENA_UNCHECKED
#endif

namespace hashstore::internal {

inline constexpr size_t kArenaStep = 4;
inline constexpr size_t kArenaMinSlot = 8;
inline constexpr size_t kArenaMaxSlot = 256;
inline constexpr size_t kArenaClasses = (kArenaMaxSlot - kArenaMinSlot) / kArenaStep + 1;
inline constexpr size_t kArenaPageHeader = 8;    // the next-page pointer
inline constexpr size_t kArenaLargeHeader = 16;  // {prev, next}
inline constexpr size_t kArenaFirstPage = 1024;  // heap bytes of the first page
inline constexpr size_t kArenaMaxPage = 64 * 1024;
inline constexpr size_t kArenaSmallMaxPage = 4 * 1024;
inline constexpr size_t kArenaGrowthDen = 8;  // a new page: 1/8 of the pages held
static_assert(kArenaClasses == 63);
static_assert(kArenaClasses <= 64, "the non-empty lists fit one 64-bit mask");
static_assert(kArenaMinSlot >= sizeof(void*), "a free slot holds a pointer");
static_assert(kArenaMinSlot % kArenaStep == 0 && kArenaMaxSlot % kArenaStep == 0);
static_assert(kArenaFirstPage >= 4 * kArenaMaxSlot, "a page holds a few of the largest slots");
static_assert(kArenaMaxPage < 128 * 1024, "pages stay under glibc's default mmap threshold");
static_assert(kArenaLargeHeader % 16 == 0, "large blocks stay 16-byte aligned");

class FieldArena {
 public:
  FieldArena() = default;
  // Pages of at most max_page heap bytes. REQUIRES: kArenaFirstPage <=
  // max_page <= kArenaMaxPage.
  explicit FieldArena(size_t max_page) : max_page_(max_page) {}
  ~FieldArena() { release_all(); }
  FieldArena(const FieldArena&) = delete;
  FieldArena& operator=(const FieldArena&) = delete;

  // The class of a request of n bytes, and the slot size of class c.
  // REQUIRES: 1 <= n <= kArenaMaxSlot; c < kArenaClasses.
  static constexpr size_t class_of(size_t n) {
    return ((n < kArenaMinSlot ? kArenaMinSlot : n) + kArenaStep - 1) / kArenaStep -
           kArenaMinSlot / kArenaStep;
  }
  static constexpr size_t class_size(size_t c) { return (c + kArenaMinSlot / kArenaStep) * kArenaStep; }
  // Bytes of the arena a live request of n bytes takes: its slot, or for a
  // large request the request plus the header (malloc's rounding aside).
  static constexpr size_t slot_bytes(size_t n) {
    return n > kArenaMaxSlot ? n + kArenaLargeHeader : class_size(class_of(n));
  }

  // n bytes, valid until deallocate(p, n), release_all() or the first
  // release_some(). Never nullptr (out of memory aborts). 4-byte aligned,
  // 16 when n > kArenaMaxSlot. REQUIRES: n >= 1.
  void* allocate(size_t n) {
    if (n > kArenaMaxSlot) return allocate_large(n);
    const size_t c = class_of(n);
    const size_t s = class_size(c);
    uint8_t* p;
    if (free_[c] != nullptr) {
      p = pop(c);
    } else if (static_cast<size_t>(bump_end_ - bump_) >= s) {
      p = bump_;
      bump_ += s;
    } else {
      p = refill(c);
    }
    live_bytes_ += s;
    unpoison(p, n);
    return p;
  }

  // Gives back what allocate(n) returned. REQUIRES: p is live and was
  // allocated here with this same n.
  void deallocate(void* p, size_t n) {
    if (n > kArenaMaxSlot) return deallocate_large(p);
    const size_t c = class_of(n);
    live_bytes_ -= class_size(c);
    push(static_cast<uint8_t*>(p), c);
  }

  // Heap bytes held: pages (with their free and unused space) and large
  // blocks. O(1).
  size_t bytes() const { return page_bytes_ + large_bytes_; }
  // Bytes of the slots handed out and not given back (large blocks not
  // included). O(1).
  size_t live_bytes() const { return live_bytes_; }
  // True while any page or large block is held.
  bool holds_memory() const { return pages_ != nullptr || large_ != nullptr; }

  // Frees large blocks, then pages (newest first), until at least `bytes`
  // of bytes() are gone or nothing is held; returns the bytes freed. Every
  // slot is dead after the first call.
  size_t release_some(size_t bytes);
  // Frees everything; the arena is empty and ready for use again.
  void release_all();
  // Exchanges everything two arenas hold (their slots stay valid).
  void swap(FieldArena& other);

  // A breakdown of bytes(), for tests: O(pages + free slots).
  // slot_capacity == live_bytes + free_bytes + tail_bytes + lost_bytes, and
  // page_bytes + large_bytes == bytes().
  struct Usage {
    size_t pages = 0;
    size_t page_bytes = 0;      // heap footprint of the pages
    size_t slot_capacity = 0;   // bytes of the pages available for slots
    size_t live_bytes = 0;      // slots handed out and not given back
    size_t free_bytes = 0;      // slots on the free lists
    size_t tail_bytes = 0;      // the current page's unused tail
    size_t lost_bytes = 0;      // page tails too small for a slot (< 8)
    size_t large_blocks = 0;
    size_t large_bytes = 0;     // heap footprint of the large blocks
  };
  Usage usage() const;

 private:
  struct Large {
    Large* prev;
    Large* next;
  };

  uint8_t* pop(size_t c) {
    uint8_t* p = free_[c];
    free_[c] = load_next(p);
    if (free_[c] == nullptr) nonempty_ &= ~(uint64_t{1} << c);
    return p;
  }
  void push(uint8_t* p, size_t c) {
    store_next(p, free_[c]);
    free_[c] = p;
    nonempty_ |= uint64_t{1} << c;
    poison(p, class_size(c));
  }

  // Slow path of allocate(): steps (3) and (4) at the top of the file.
  uint8_t* refill(size_t c);
  // A new page, sized for slots of s bytes (the request that needed it).
  void add_page(size_t s);
  void* allocate_large(size_t n);
  void deallocate_large(void* p);
  // Forgets the free lists and the current page (their memory stays held).
  void forget_slots();

  // The link in a free slot: 8 bytes, unaligned, assembled bytewise so
  // that neither alignment nor ASan's poison gets in the way (compilers
  // turn the loops into one load or store).
  HASHSTORE_ARENA_UNCHECKED static uint8_t* load_next(const uint8_t* slot) {
    uintptr_t v = 0;
    for (size_t i = 0; i < sizeof v; ++i) v |= uintptr_t{slot[i]} << (8 * i);
    return reinterpret_cast<uint8_t*>(v);
  }
  HASHSTORE_ARENA_UNCHECKED static void store_next(uint8_t* slot, uint8_t* next) {
    const uintptr_t v = reinterpret_cast<uintptr_t>(next);
    for (size_t i = 0; i < sizeof v; ++i) slot[i] = static_cast<uint8_t>(v >> (8 * i));
  }

  // Without AddressSanitizer, no-ops. With it: poison() covers the 8-byte
  // granules wholly inside [p, p + n), unpoison() every granule [p, p + n)
  // touches (see the top of the file).
  static void poison(const void* p, size_t n) {
#ifdef HASHSTORE_ASAN
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    const uintptr_t from = (a + 7) & ~uintptr_t{7}, to = (a + n) & ~uintptr_t{7};
    if (from < to) ASAN_POISON_MEMORY_REGION(reinterpret_cast<void*>(from), to - from);
#else
    (void)p;
    (void)n;
#endif
  }
  static void unpoison(const void* p, size_t n) {
#ifdef HASHSTORE_ASAN
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    const uintptr_t from = a & ~uintptr_t{7}, to = (a + n + 7) & ~uintptr_t{7};
    ASAN_UNPOISON_MEMORY_REGION(reinterpret_cast<void*>(from), to - from);
#else
    (void)p;
    (void)n;
#endif
  }

  uint8_t* free_[kArenaClasses] = {};
  uint64_t nonempty_ = 0;  // bit c: free_[c] != nullptr
  uint8_t* bump_ = nullptr;
  uint8_t* bump_end_ = nullptr;
  void* pages_ = nullptr;  // newest first, linked through their first 8 bytes
  Large* large_ = nullptr;
  size_t page_bytes_ = 0;
  size_t large_bytes_ = 0;
  size_t slot_capacity_ = 0;
  size_t live_bytes_ = 0;
  size_t lost_bytes_ = 0;
  size_t max_page_ = kArenaMaxPage;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_ENCODING_FIELD_ARENA_H_
