// HashTable<Policy>: an open-addressing hash table of element pointers, used
// for large hashes (elements are field/value entries, field_entry.h) and for
// the keyspace (elements are key entries, keyspace/key_entry.h). The table
// owns its elements: erase() and clear() and the destructor free them with
// the policy's destroy. Single-threaded: the owner locks; const methods only
// read.
//
// Policy:
//   static std::string_view key(const void* elem);   the element's key bytes
//   void destroy(void* elem);            frees the element
//   size_t footprint(const void* elem);  heap bytes the element owns
//   static constexpr bool kWideElements;  elements often span two cache
//       lines (key entries with their listpack): a lookup prefetches the
//       second line of a tag-matched element while it compares the key
// destroy and footprint may be static or members: the table keeps a copy of
// the policy given to its constructor (policy_, [[no_unique_address]], so a
// stateless policy such as the keyspace's costs nothing). A stateful one
// (the field tables' points to their FieldArena, field_entry.h) may return 0
// from footprint and count its elements' bytes itself; an owner whose
// elements it frees wholesale drops the slots with abandon_elements() or
// abandon_some().
//
// Slot layout
// -----------
// A slot is one 64-bit word: a 48-bit element pointer (x86-64 and AArch64
// user-space addresses fit; make_slot() asserts it) and a 16-bit tag taken
// from bits 32..47 of the element's hash, so a probe that misses compares
// tags and almost never touches element memory (1 in 65,536 per occupied
// slot):
//
//   63            48 47                                            0
//   +---------------+----------------------------------------------+
//   |      tag      |               element pointer                |
//   +---------------+----------------------------------------------+
//   0 = empty slot (no element lives at address 0).
//
// Eight slots make a bucket, one 64-byte cache line. A slot array is one
// block: buckets * 64 bytes of slots (64-byte aligned) followed by an "ever
// full" bitmap of one bit per bucket:
//
//   block: [pad to 64][bucket 0: 8 slots]...[bucket B-1][ever-full bits: B/64 words]
//
// Blocks under kMmapArrayBytes (1 MiB) come from calloc; larger ones are an
// anonymous mmap of their own (no pad). Why not calloc for all: once a
// process has freed a large block, glibc raises its mmap threshold (up to
// 32 MiB) and serves the next large calloc from the heap, which it must
// memset: measured 5 ms for an 8 MiB array, a stall in one insert. Fresh
// mapped pages are zero for free and are faulted in as buckets are first
// touched, spread over the inserts. table_bytes() counts the mapping
// length; mapped_table_bytes() lets a benchmark add these blocks to the
// allocator's figures. While an old mapped array drains, its drained pages
// are returned with madvise(MADV_DONTNEED) 64 KiB at a time, so unmapping
// it at the end costs little (it took ~0.8 ms for 8 MiB in one call).
//
// B, the bucket count, is a power of two. A key's home bucket is
// hash & (B - 1) (low bits; the Store picks shards with the high bits).
//
// Invariants
// ----------
// - Every element has exactly one slot, in cur_ or (while rehashing) old_.
// - Probing: an element sits in its home bucket or in a later bucket (mod B)
//   such that every bucket from home up to the one before it has its
//   ever-full bit set. The bit is set when a bucket's last free slot is taken
//   and is never cleared while that array lives, so:
//     * a lookup stops at the first bucket that was never full;
//     * deletion just zeroes the slot: elements never move within an array
//       (no backward shift, no tombstones), which the scan guarantee needs.
// - used counts the non-zero slots of an array; element_bytes_ is the sum
//   of footprint over all stored elements.
//
// Maximum fill: 7/8 of the slots
// -------------------------------
// Chosen for lookup speed, not for any one element count. With buckets of 8
// and bucket-at-a-time linear probing, a hit reads its home cache line (plus
// the element) almost always up to 7/8 fill; past it, buckets fill up, more
// of them get the ever-full bit, and lookups and misses start to walk two or
// more cache lines, while inserts need ever longer probes (at 15/16 the
// average chain roughly doubles; at 100% an insert could not find a slot).
// Swiss tables (absl) use the same 7/8 bound for the same reason. A table
// grows (x2) when an insert would pass 7/8, and shrinks when a removal
// leaves it under 1/8 full (to half full). Slot cost per element is
// 8 bytes / fill: from 8 / (7/8) = 9.1 bytes just before a growth to
// 8 / (7/16) = 18.3 just after it (up to 64 / element count while shrinking
// is waiting). Since the bucket count is a power of two, the cost at a given
// size depends on where that size falls: 1,000,000 elements sit just past
// the growth at 917,504 (2^17 buckets x 8 x 7/8), so they pay 16.8 bytes of
// slots each; 900,000 would pay 9.3.
//
// Incremental rehash
// ------------------
// Growing, shrinking, and a same-size rehash (which clears ever-full bits
// once more than half the buckets carry one and the table is under 5/8
// full) allocate a new array (cur_) and keep the old one (old_). Every later
// insert, replace, detach and erase moves kRehashBucketsPerWrite old
// buckets into cur_ (each moved element's hash is recomputed); lookups
// search both arrays meanwhile. find() is const and does not move buckets,
// so readers never write. No call moves more than that: a growth rehash ends
// after old_buckets / 2 writes, long before the next growth is due
// (7 * old_buckets inserts later), and a shrink or same-size rehash ends
// before enough inserts to grow again can arrive; start_rehash() finishes a
// leftover rehash only as a safety net for tiny tables. The new array is
// zeroed memory (calloc'd under kMmapArrayBytes, an anonymous mmap of its
// own from there up: see the slot array above), so a large one arrives as
// untouched zero pages at no cost.
//
// Costs: hash() is one XXH3 pass over the key. find/insert/replace/detach/
// erase are O(1) expected: one or two cache lines of slots plus one key
// compare per tag match, plus <= kRehashBucketsPerWrite buckets moved.
// scan() visits one home bucket (both arrays while rehashing) and hashes the
// elements it looks at. random_element() is O(1) expected (fill >= 1/8, so
// under 8 probes on average, ~10 while a shrink drains). clear(), for_each()
// and the destructor are O(slots).
//
// Invalidation
// ------------
// - Element pointers returned by find/random_element/scan/for_each stay
//   valid until that element is replaced, detached or erased, or the table
//   is cleared or destroyed. The table never moves or frees an element
//   otherwise: a rehash moves slots (pointers), not elements.
// - insert, replace, replace_pointer, detach and erase may start or advance
//   a rehash: slot positions change, so any slot index or bucket a caller
//   might have inferred is stale. Scan cursors stay valid (see scan()).
// - No method may be called on the table from inside a scan/for_each
//   callback.
#ifndef HASHSTORE_ENCODING_HASHTABLE_H_
#define HASHSTORE_ENCODING_HASHTABLE_H_

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/functional/function_ref.h"
#include "util/bytes.h"

namespace hashstore::internal {

// ---- Slot arrays (non-template parts, hashtable.cc) --------------------------

inline constexpr size_t kSlotsPerBucket = 8;
inline constexpr size_t kBucketBytes = 64;
inline constexpr int kTagShift = 48;
inline constexpr uint64_t kPointerMask = (uint64_t{1} << kTagShift) - 1;
inline constexpr size_t kRehashBucketsPerWrite = 2;
// Drained parts of an old array are returned to the OS 64 KiB at a time.
inline constexpr size_t kDiscardStepBytes = 64 * 1024;
// Arrays of this many bytes and more are mmap'd rather than calloc'd.
inline constexpr size_t kMmapArrayBytes = size_t{1} << 20;
static_assert(kDiscardStepBytes % 4096 == 0 && kMmapArrayBytes % 4096 == 0);
// Fill bounds, as fractions of the slots: grow past 7/8, shrink under 1/8
// (to about 1/2), same-size rehash under 5/8 when most buckets are ever-full.
inline constexpr size_t kMaxFillNum = 7, kMaxFillDen = 8;
inline constexpr size_t kMinFillDen = 8;
inline constexpr size_t kCleanupFillNum = 5, kCleanupFillDen = 8;
static_assert(kSlotsPerBucket * sizeof(uint64_t) == kBucketBytes, "a bucket is one cache line");
static_assert(kPointerMask == 0x0000'FFFF'FFFF'FFFF);
static_assert(sizeof(void*) == 8 && sizeof(uintptr_t) == sizeof(uint64_t), "64-bit targets only");
static_assert(kMaxFillNum * 8 == kMaxFillDen * 7, "maximum fill is 7/8 (see the top of the file)");
static_assert(kCleanupFillNum * kMaxFillDen < kMaxFillNum * kCleanupFillDen,
              "a same-size rehash must leave room before the next growth");
static_assert(kRehashBucketsPerWrite >= 1, "rehash must make progress");

// One array of buckets with its ever-full bitmap, in one calloc'd block.
struct SlotArray {
  uint64_t* slots = nullptr;     // buckets * kSlotsPerBucket words, 64-byte aligned
  uint64_t* everfull = nullptr;  // one bit per bucket
  size_t buckets = 0;            // a power of two, or 0 when unallocated
  size_t used = 0;               // occupied slots
  size_t everfull_count = 0;     // buckets with the bit set
  void* block = nullptr;         // what calloc returned
  size_t discarded = 0;          // bytes of slots from `slots` given back to the OS
  size_t mapped = 0;             // mapping length when mmap'd, else 0 (calloc'd)
  size_t footprint = 0;          // bytes(), measured once at allocation

  static SlotArray allocate(size_t buckets);
  void release();
  size_t mask() const { return buckets - 1; }
  // Heap footprint of the block, or its mapping length (cached: byte
  // accounting asks on every write).
  size_t bytes() const { return footprint; }
  // For a mapped array: gives the pages wholly inside the first `drained`
  // buckets back to the OS (they read as zero afterwards, i.e. empty slots),
  // kDiscardStepBytes or more at a time, so that unmapping a large drained
  // array at the end of a rehash does not free all its pages in one call.
  // REQUIRES: the first `drained` buckets are all empty.
  void discard_drained(size_t drained);
  bool is_everfull(size_t b) const { return (everfull[b / 64] >> (b % 64)) & 1; }
  void mark_everfull(size_t b) {
    if (!is_everfull(b)) {
      everfull[b / 64] |= uint64_t{1} << (b % 64);
      ++everfull_count;
    }
  }
};

// Bytes of slot arrays all tables in the process hold in their own
// mappings (arrays of kMmapArrayBytes and more). The allocator's statistics
// (mallinfo2) do not see these; memory measurements must add them.
size_t mapped_table_bytes();

// The slots of a bucket whose tag is `tag`: bit kTagMatchBits * i + 3 is
// set for a match in slot i. REQUIRES: tag != 0 (an empty slot is 0, so it
// never matches), bucket 16-byte aligned. With SSE2: each 16-byte half-pair
// of slots is compared as 16-bit lanes (a slot's tag is its 4th lane),
// packed to bytes, and the lane-3 bits of every slot picked out.
inline constexpr int kTagMatchBits = 4;
inline uint32_t match_tag(const uint64_t* bucket, uint64_t tag) {
#if defined(__SSE2__)
  const __m128i t = _mm_set1_epi16(static_cast<short>(tag));
  const __m128i* p = reinterpret_cast<const __m128i*>(bucket);
  const __m128i lo = _mm_packs_epi16(_mm_cmpeq_epi16(_mm_load_si128(p), t),
                                     _mm_cmpeq_epi16(_mm_load_si128(p + 1), t));
  const __m128i hi = _mm_packs_epi16(_mm_cmpeq_epi16(_mm_load_si128(p + 2), t),
                                     _mm_cmpeq_epi16(_mm_load_si128(p + 3), t));
  const uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(lo)) |
                     static_cast<uint32_t>(_mm_movemask_epi8(hi)) << 16;
  return m & 0x88888888u;
#else
  uint32_t m = 0;
  for (size_t i = 0; i < kSlotsPerBucket; ++i) {
    if ((bucket[i] >> kTagShift) == tag) m |= uint32_t{8} << (kTagMatchBits * i);
  }
  return m;
#endif
}
static_assert(kSlotsPerBucket * kTagMatchBits == 32, "one match bit group per slot in 32 bits");

// Mixes x into a new pseudo-random value (splitmix64 step).
uint64_t mix64(uint64_t x);
// Reverse-binary cursor increment over `mask` (Redis's scan order).
uint64_t next_cursor(uint64_t cursor, uint64_t mask);

// ---- HashTable -----------------------------------------------------------------

// Policy: see the top of this file. In every call taking (key, h) or (elem,
// h), REQUIRES: h == hash(key) (resp. hash(Policy::key(elem))).
template <class Policy>
class HashTable {
 public:
  explicit HashTable(uint64_t seed, Policy policy = Policy()) : seed_(seed), policy_(policy) {}
  ~HashTable() {
    clear();
    cur_.release();
  }
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;

  // XXH3 of key with this table's seed. Callers compute it once per call and
  // pass it to the calls below.
  [[gnu::always_inline]] uint64_t hash(std::string_view key) const {
    return hash_bytes(key, seed_);
  }
  uint64_t seed() const { return seed_; }
  size_t size() const { return cur_.used + old_.used; }
  bool rehashing() const { return old_.buckets != 0; }
  // Sizes an empty table for n elements, so that inserting them never
  // grows it (bulk loads). No effect on a table that holds elements, is
  // rehashing, or is already that large.
  void reserve(size_t n) {
    if (size() != 0 || rehashing()) return;
    const size_t per_bucket = kSlotsPerBucket * kMaxFillNum / kMaxFillDen;  // 7
    const size_t buckets = std::bit_ceil(std::max<size_t>(1, (n + per_bucket) / per_bucket));
    if (buckets <= cur_.buckets) return;
    cur_.release();
    cur_ = SlotArray::allocate(buckets);
  }

  // The element whose key is `key`, or nullptr. Moves no buckets (const).
  [[gnu::always_inline]] void* find(std::string_view key, uint64_t h) const {
    if (const uint64_t* slot = find_in(cur_, key, h)) return element_of(*slot);
    if (old_.used == 0) return nullptr;  // not rehashing (or nothing left to move)
    const uint64_t* slot = find_in(old_, key, h);
    return slot ? element_of(*slot) : nullptr;
  }

  // Cache hints for batched lookups (Store::run fetches a few keys ahead):
  // prefetch_bucket pulls h's home bucket in; prefetch_element, called once
  // that bucket has arrived, pulls in the first two cache lines of the first
  // element whose tag matches there (another match is 1 in 65,536 per
  // slot). Neither changes anything; while a rehash runs they look at the
  // new array only (a hint may miss).
  void prefetch_bucket(uint64_t h) const {
    if (cur_.buckets != 0) prefetch_line(cur_.slots + (h & cur_.mask()) * kSlotsPerBucket);
  }
  void prefetch_element(uint64_t h) const {
    if (cur_.buckets == 0) return;
    const uint64_t* bucket = cur_.slots + (h & cur_.mask()) * kSlotsPerBucket;
    // The first slot whose tag matches (match_tag compares them at once).
    if (const uint32_t m = match_tag(bucket, tag_of(h)); m != 0) {
      const char* e =
          static_cast<const char*>(element_of(bucket[std::countr_zero(m) / kTagMatchBits]));
      prefetch_line(e);
      prefetch_line(e + kBucketBytes);
    }
  }

  // Adds elem; the table owns it from now on. May start or advance a rehash.
  // REQUIRES: no element with the same key; elem != nullptr and its address
  // fits in 48 bits.
  void insert(void* elem, uint64_t h) {
    assert(find(Policy::key(elem), h) == nullptr);
    rehash_some();
    if (cur_.buckets == 0 || (size() + 1) * kMaxFillDen > capacity(cur_) * kMaxFillNum) grow();
    place(cur_, elem, h);
    element_bytes_ += policy_.footprint(elem);
  }

  // Puts elem where the element with the same key is (the element was
  // realloc'd or rebuilt); returns the old element, which the caller now owns
  // (not destroyed). element_bytes() follows the change in footprint.
  // REQUIRES: the key is present and Policy::key(elem) == key; the stored
  // element is still live (it is read to compare keys and to measure it).
  // After a realloc that may have freed it, use replace_pointer().
  void* replace(std::string_view key, uint64_t h, void* elem) {
    uint64_t* slot = find_slot(key, h);
    assert(slot != nullptr);
    void* old = element_of(*slot);
    *slot = make_slot(elem, h);
    element_bytes_ += policy_.footprint(elem);
    element_bytes_ -= policy_.footprint(old);
    rehash_some();
    return old;
  }

  // Puts fresh in the slot that holds the pointer `old`, comparing pointers
  // only — `old` is never dereferenced, so it may already have been freed or
  // realloc'd (that is the point). bytes_delta is the change in the
  // element's footprint. REQUIRES: old is stored here under hash h.
  void replace_pointer(const void* old, uint64_t h, void* fresh, int64_t bytes_delta) {
    const uint64_t want = reinterpret_cast<uintptr_t>(old);
    for (SlotArray* a : {&cur_, &old_}) {
      if (a->buckets == 0 || a->used == 0) continue;
      size_t b = h & a->mask();
      for (size_t probes = 0; probes < a->buckets; ++probes) {
        uint64_t* bucket = a->slots + b * kSlotsPerBucket;
        for (size_t i = 0; i < kSlotsPerBucket; ++i) {
          if ((bucket[i] & kPointerMask) == want && bucket[i] != 0) {
            bucket[i] = make_slot(fresh, h);
            adjust_element_bytes(bytes_delta);
            return;
          }
        }
        if (!a->is_everfull(b)) break;
        b = (b + 1) & a->mask();
      }
    }
    assert(false && "replace_pointer: pointer not found");
  }

  // Removes the element with key and returns it (the caller owns and must
  // destroy it), or nullptr when absent. May start or advance a rehash
  // (shrink when under 1/8 full).
  void* detach(std::string_view key, uint64_t h) {
    SlotArray* array = nullptr;
    uint64_t* slot = find_slot(key, h, &array);
    if (slot == nullptr) return nullptr;
    void* elem = element_of(*slot);
    *slot = 0;
    --array->used;
    element_bytes_ -= policy_.footprint(elem);
    rehash_some();
    maybe_shrink();
    return elem;
  }

  // detach() + the policy's destroy(); true when the key was there.
  bool erase(std::string_view key, uint64_t h) {
    void* elem = detach(key, h);
    if (elem == nullptr) return false;
    policy_.destroy(elem);
    return true;
  }

  // Destroys every element and releases the slot arrays (table_bytes() is 0
  // after it). The seed is kept.
  void clear() {
    for_each_slot([this](uint64_t& s) {
      policy_.destroy(element_of(s));
      s = 0;
    });
    old_.release();
    cur_.release();
    element_bytes_ = 0;
  }

  // Calls fn(void* elem) once for every element, in slot order. fn must not
  // modify the table.
  template <class F>
  void for_each(F&& fn) const {
    const_cast<HashTable*>(this)->for_each_slot([&](uint64_t& s) { fn(element_of(s)); });
  }

  // Replaces every element by fn(elem), which must return the same element
  // moved (a copy at another address with the same key and footprint; it
  // frees nothing the table still uses). No hash is computed, nothing is
  // rehashed: only the pointers change. O(capacity).
  template <class F>
  void move_elements(F&& fn) {
    for_each_slot([&](uint64_t& s) {
      s = (s & ~kPointerMask) | static_cast<uint64_t>(reinterpret_cast<uintptr_t>(fn(element_of(s))));
    });
  }

  // ---- Scan ----
  //
  // scan(cursor, fn) is one step of a stateless full scan: it calls fn on
  // the elements whose home is the bucket(s) the cursor names and returns the
  // cursor of the next step. A full scan starts with cursor 0 and ends when
  // 0 is returned; the caller keeps nothing but the cursor between steps and
  // may modify the table freely between them (never from inside fn).
  //
  // Guarantee (the one Redis's dictScan gives): an element present in the
  // table from the start of a full scan to its end is returned at least once,
  // even if the table grows, shrinks or rehashes any number of times between
  // steps. If the table is not modified during the scan, every element is
  // returned exactly once. An element added or removed during the scan may or
  // may not be returned.
  //
  // How it works. Steps do not count buckets 0, 1, 2, ...; they increment
  // the cursor's bit-reversed value (next_cursor): with 8 buckets (mask 7)
  // the order is 0, 4, 2, 6, 1, 5, 3, 7, i.e. the high bits of the masked
  // cursor change fastest. A step with cursor c returns exactly the
  // elements whose home bucket is c & mask. Why this order survives
  // resizes: all tables are powers of two and the home bucket is the low
  // bits of the hash, so
  //   - when the table doubles, the elements of bucket b split into b and
  //     b + B (one more low bit decides); the larger table's cursors
  //     "extend" the smaller's by one high bit, and since the reversed
  //     increment runs through all extensions of a low-bit prefix before
  //     moving to the next prefix, every prefix the smaller table had
  //     already visited corresponds to extensions the larger one will not
  //     visit again, and every prefix not yet visited still will be;
  //   - when the table halves, b and b + B/2 merge into b: the cursor
  //     simply drops its top bit, so the merged bucket may be visited again
  //     (elements of b returned twice) but none is skipped.
  // So a cursor means the same set of hash low bits whatever the table size,
  // which is why the scan can carry on across any sequence of resizes.
  //
  // Open addressing adds two things. (1) An element need not sit in its
  // home bucket, but only ever-full buckets lie between its home and its
  // slot; so a step visits the home bucket and the buckets after it while
  // they are marked ever-full (the home's "probe chain") and returns those
  // elements of the chain whose home is the cursor's bucket (it hashes them
  // to know). Ever-full bits are never cleared while an array lives and
  // elements never move within an array, so the chain still reaches every
  // element of that home. (2) During an incremental rehash two arrays exist
  // and elements move from old_ to cur_ between steps. A step visits the
  // cursor's bucket in the smaller array and every bucket of the larger one
  // whose low bits equal it (the cursor then advances past all of them), so
  // every element with that home prefix is returned whichever array holds
  // it at that moment.
  //
  // Limits: an element may be returned more than once when the table
  // shrinks during the scan (as with Redis). A step's work is not bounded by
  // a fixed count: it is the size of one home's probe chain (times the
  // size ratio while rehashing), normally a handful of elements. An element
  // present for the whole scan but whose value was replaced is returned
  // with whichever pointer is stored when its bucket is visited.
  uint64_t scan(uint64_t cursor, absl::FunctionRef<void(void* elem)> fn) const {
    if (size() == 0) return 0;
    if (!rehashing()) {
      visit_home(cur_, cursor & cur_.mask(), fn);
      return next_cursor(cursor, cur_.mask());
    }
    const SlotArray& small = cur_.buckets <= old_.buckets ? cur_ : old_;
    const SlotArray& large = cur_.buckets <= old_.buckets ? old_ : cur_;
    const uint64_t m0 = small.mask(), m1 = large.mask();
    visit_home(small, cursor & m0, fn);
    // Every bucket of the large array whose low bits are cursor & m0.
    do {
      visit_home(large, cursor & m1, fn);
      cursor = next_cursor(cursor, m1);
    } while (cursor & (m0 ^ m1));
    return cursor;
  }

  // A uniformly random element, or nullptr when empty. Every element holds
  // exactly one slot (in either array), so drawing slot indexes uniformly
  // over both arrays until one is occupied picks each element with the same
  // probability. random_bits seeds the draws (pass fresh bits from a real
  // generator each call; the same bits give the same element).
  void* random_element(uint64_t random_bits) const {
    if (size() == 0) return nullptr;
    const size_t n_cur = capacity(cur_), n_old = capacity(old_);
    uint64_t x = random_bits;
    for (int tries = 0; tries < 1 << 20; ++tries) {
      x = mix64(x);
      const size_t i = static_cast<size_t>(x % (n_cur + n_old));
      const uint64_t s = i < n_cur ? cur_.slots[i] : old_.slots[i - n_cur];
      if (s != 0) return element_of(s);
    }
    // Only reachable on an absurdly unlucky draw: take the next occupied slot.
    void* found = nullptr;
    const_cast<HashTable*>(this)->for_each_slot([&](uint64_t& s) {
      if (found == nullptr) found = element_of(s);
    });
    return found;
  }

  // Destroys up to max elements, walking the slots from *pos (start at 0)
  // and visiting at most 16 * max slots; returns how many it destroyed. For
  // a table being thrown away a bounded step at a time (a big hash whose key
  // died): nothing moves, nothing is allocated, and empty() tells when it
  // is done. Afterwards the table is only fit for more destroy_some calls
  // and destruction.
  size_t destroy_some(size_t max, size_t* pos) { return remove_some(max, pos, true); }
  bool empty() const { return size() == 0; }

  // Heap bytes of the slot arrays (both during a rehash).
  size_t table_bytes() const { return cur_.bytes() + old_.bytes(); }
  // Sum of footprint over the stored elements.
  size_t element_bytes() const { return element_bytes_; }
  // For owners that resize an element in place.
  void adjust_element_bytes(int64_t delta) {
    element_bytes_ = static_cast<size_t>(static_cast<int64_t>(element_bytes_) + delta);
  }
  // Buckets of the current array (tests and benchmarks).
  size_t bucket_count() const { return cur_.buckets; }

  // Runs the incremental rehash to its end (tests and benchmarks).
  void finish_rehash() {
    while (rehashing()) rehash_some();
  }

 protected:
  // Releases the slot arrays and forgets every element without destroying
  // it: size() and table_bytes() are 0 after it. For an owner that frees
  // its elements wholesale by other means (FieldTable's arena), before or
  // after this call; a table left mid-destroy_some() is fine too.
  void abandon_elements() {
    old_.release();
    cur_.release();
    rehash_idx_ = 0;
    element_bytes_ = 0;
  }
  // As destroy_some, but forgets the elements instead of destroying them
  // (their owner frees them by other means, before or after).
  size_t abandon_some(size_t max, size_t* pos) { return remove_some(max, pos, false); }

 private:
  static void* element_of(uint64_t slot) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>(slot & kPointerMask));
  }
  // Bits 32..47 of the hash, with the lowest set so that no tag is 0 and
  // an empty slot never matches one (match_tag relies on it).
  static uint64_t tag_of(uint64_t h) { return ((h >> 32) & 0xFFFF) | 1; }
  static uint64_t make_slot(void* elem, uint64_t h) {
    const uint64_t p = reinterpret_cast<uintptr_t>(elem);
    assert(p != 0 && (p & ~kPointerMask) == 0 && "pointers must fit in 48 bits");
    return tag_of(h) << kTagShift | p;
  }
  static size_t capacity(const SlotArray& a) { return a.buckets * kSlotsPerBucket; }

  // The slot holding key in `a`, or nullptr. In each bucket of the probe
  // the tags are compared all at once (match_tag); only a match reads its
  // element.
  [[gnu::always_inline]] uint64_t* find_in(const SlotArray& a, std::string_view key,
                                           uint64_t h) const {
    if (a.used == 0) return nullptr;  // also an unallocated array
    const uint64_t tag = tag_of(h);
    size_t b = h & a.mask();
    for (size_t probes = 0; probes < a.buckets; ++probes) {
      uint64_t* bucket = a.slots + b * kSlotsPerBucket;
      for (uint32_t m = match_tag(bucket, tag); m != 0; m &= m - 1) {
        uint64_t* slot = bucket + std::countr_zero(m) / kTagMatchBits;
        const char* e = static_cast<const char*>(element_of(*slot));
        if constexpr (Policy::kWideElements) prefetch_line(e + kBucketBytes);
        if (equal_names(Policy::key(e), key)) return slot;
      }
      if (!a.is_everfull(b)) return nullptr;
      b = (b + 1) & a.mask();
    }
    return nullptr;
  }

  uint64_t* find_slot(std::string_view key, uint64_t h, SlotArray** array = nullptr) const {
    auto* self = const_cast<HashTable*>(this);
    if (uint64_t* s = find_in(cur_, key, h)) {
      if (array) *array = &self->cur_;
      return s;
    }
    if (uint64_t* s = find_in(old_, key, h)) {
      if (array) *array = &self->old_;
      return s;
    }
    return nullptr;
  }

  // Stores elem in the first free slot from its home bucket.
  static void place(SlotArray& a, void* elem, uint64_t h) {
    size_t b = h & a.mask();
    for (;;) {
      uint64_t* bucket = a.slots + b * kSlotsPerBucket;
      for (size_t i = 0; i < kSlotsPerBucket; ++i) {
        if (bucket[i] == 0) {
          bucket[i] = make_slot(elem, h);
          ++a.used;
          if (i == kSlotsPerBucket - 1 || bucket_full(bucket)) a.mark_everfull(b);
          return;
        }
      }
      a.mark_everfull(b);
      b = (b + 1) & a.mask();
    }
  }

  static bool bucket_full(const uint64_t* bucket) {
    for (size_t i = 0; i < kSlotsPerBucket; ++i) {
      if (bucket[i] == 0) return false;
    }
    return true;
  }

  // Starts a rehash into a new array of `buckets` buckets. A rehash already
  // running is finished first (the old array must be empty to be dropped).
  void start_rehash(size_t buckets) {
    finish_rehash();
    old_ = cur_;
    cur_ = SlotArray::allocate(buckets);
    rehash_idx_ = 0;
    if (old_.used == 0) {
      old_.release();
      old_ = SlotArray();
    }
  }

  void grow() {
    const size_t want = std::max<size_t>(1, cur_.buckets * 2);
    start_rehash(want);
  }

  void maybe_shrink() {
    if (rehashing() || cur_.buckets <= 1) return;
    const size_t n = size();
    if (n * kMinFillDen < capacity(cur_)) {
      // Half full after shrinking (4/8 of 8 slots per bucket per element).
      size_t want = std::bit_ceil(std::max<size_t>(1, (n * 2 + kSlotsPerBucket - 1) / kSlotsPerBucket));
      if (want < cur_.buckets) start_rehash(want);
    } else if (cur_.everfull_count * 2 > cur_.buckets &&
               n * kCleanupFillDen < capacity(cur_) * kCleanupFillNum) {
      // Deletions left long probe chains behind: rehash at the same size.
      start_rehash(cur_.buckets);
    }
  }

  // Moves up to kRehashBucketsPerWrite buckets of old_ into cur_.
  void rehash_some() {
    if (!rehashing()) return;
    for (size_t n = 0; n < kRehashBucketsPerWrite && rehash_idx_ < old_.buckets; ++n) {
      uint64_t* bucket = old_.slots + rehash_idx_ * kSlotsPerBucket;
      for (size_t i = 0; i < kSlotsPerBucket; ++i) {
        if (bucket[i] != 0) {
          void* elem = element_of(bucket[i]);
          place(cur_, elem, hash(Policy::key(elem)));
          bucket[i] = 0;
          --old_.used;
        }
      }
      ++rehash_idx_;
    }
    old_.discard_drained(rehash_idx_);
    if (rehash_idx_ == old_.buckets || old_.used == 0) {
      assert(old_.used == 0);
      old_.release();
      old_ = SlotArray();
    }
  }

  // destroy_some (destroy = true) and abandon_some (false).
  size_t remove_some(size_t max, size_t* pos, bool destroy) {
    size_t removed = 0;
    const size_t old_slots = capacity(old_);
    const size_t total = old_slots + capacity(cur_);
    for (size_t visited = 0; removed < max && visited < 16 * max && *pos < total; ++visited) {
      SlotArray& a = *pos < old_slots ? old_ : cur_;
      uint64_t& s = a.slots[*pos < old_slots ? *pos : *pos - old_slots];
      ++*pos;
      if (s == 0) continue;
      if (destroy) {
        void* elem = element_of(s);
        element_bytes_ -= policy_.footprint(elem);
        policy_.destroy(elem);
      }
      s = 0;
      --a.used;
      ++removed;
    }
    return removed;
  }

  // Calls fn on the elements of `a` whose home bucket is `home`: they lie in
  // home and the buckets after it while those are marked ever-full.
  void visit_home(const SlotArray& a, size_t home, absl::FunctionRef<void(void*)> fn) const {
    size_t b = home;
    for (size_t steps = 0; steps < a.buckets; ++steps) {
      const uint64_t* bucket = a.slots + b * kSlotsPerBucket;
      for (size_t i = 0; i < kSlotsPerBucket; ++i) {
        if (bucket[i] == 0) continue;
        void* elem = element_of(bucket[i]);
        if ((hash(Policy::key(elem)) & a.mask()) == home) fn(elem);
      }
      if (!a.is_everfull(b)) return;
      b = (b + 1) & a.mask();
    }
  }

  template <class F>
  void for_each_slot(F&& fn) {
    for (SlotArray* a : {&cur_, &old_}) {
      const size_t n = capacity(*a);
      for (size_t i = 0; i < n; ++i) {
        if (a->slots[i] != 0) fn(a->slots[i]);
      }
    }
  }

  uint64_t seed_;
  [[no_unique_address]] Policy policy_;
  SlotArray cur_;
  SlotArray old_;  // being drained into cur_ while rehashing()
  size_t rehash_idx_ = 0;
  size_t element_bytes_ = 0;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_ENCODING_HASHTABLE_H_
