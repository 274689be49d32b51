// HashTable<Policy>: an open-addressing hash table of element pointers, used
// for large hashes (elements are field/value entries, field_entry.h) and for
// the keyspace (elements are key entries). Single-threaded: the owner locks.
//
// Design
// ------
// Slots hold one 64-bit word: a 48-bit element pointer (x86-64 and AArch64
// user addresses fit) and a 16-bit tag taken from the element's hash, so a
// probe that misses almost never touches element memory:
//
//   63            48 47                                            0
//   +---------------+----------------------------------------------+
//   |      tag      |               element pointer                |
//   +---------------+----------------------------------------------+
//   0 = empty slot.
//
// Eight slots make a bucket, one 64-byte cache line. A key's home bucket is
// hash & (buckets - 1); its tag is bits 32..47 of the hash (the high bits are
// left to the Store, which picks shards with them). Lookups and inserts probe
// bucket after bucket from home. Each bucket has an "ever full" bit (kept in
// a bitmap beside the slots): set when the bucket's last free slot is taken,
// cleared only by a rehash. A lookup stops at the first bucket that was never
// full, because no element could have probed past it. Deletion just clears
// the slot — elements never move except during a rehash — which is what
// makes the scan guarantee below possible with open addressing.
//
// Elements are allocated by the owner (Policy). Per element the table costs
// one slot: 8 bytes / fill. The maximum fill is 7/8 of the slots: with
// bucket-at-a-time probing this keeps almost every lookup within one or two
// cache lines (Swiss tables use the same bound). A table grows (x2) when an
// insert would pass it and shrinks when fewer than 1/8 of the slots are
// used, so memory per element for the slots is between 8 / (7/8) = 9.1 and
// 8 / (7/16) = 18.3 bytes.
//
// Incremental rehash: growing, shrinking (and a same-size rehash that clears
// ever-full bits once more than half the buckets carry one) allocate a new
// slot array and move kRehashBucketsPerWrite old buckets into it on every
// later insert, replace, detach and erase; lookups search both arrays
// meanwhile. No call rehashes more than that; the new array comes from
// calloc, so large arrays arrive as untouched zero pages at no cost.
//
// Scan
// ----
// scan(cursor, fn) visits one home bucket per call and returns the next
// cursor; 0 starts and 0 ends a full scan. Guarantee (Redis's dictScan
// guarantee): an element present from the start to the end of a full scan
// is returned at least once, even if the table grows, shrinks or rehashes
// between calls. An element may be returned more than once. fn must not
// modify the table.
//
// How: cursors are bucket indexes incremented in bit-reversed order (the
// high bits of the masked cursor first), as in Redis. When the table doubles,
// bucket b splits into b and b + old_size; when it halves, b and b +
// new_size merge into b. Because the reversed increment enumerates all
// extensions of a low-bit prefix together, a cursor value that was not
// visited at one size covers exactly the buckets not yet visited at the
// other. Open addressing adds one thing: an element may sit past its home
// bucket, but only behind buckets marked ever-full; so visiting a bucket
// also visits the following buckets while they are marked ever-full (the
// element's "probe chain"), and since marks are never cleared while that
// array lives, the chain a scan follows still reaches the element. During a
// rehash both arrays are visited: the cursor's bucket in the smaller one and
// every bucket of the larger one that expands from it, each with its chain.
//
// Invalidation: insert, replace, detach and erase may move any number of
// elements between the two arrays (never the elements themselves); scan
// cursors stay valid; element pointers stay valid until the element is
// detached, replaced or erased.
#ifndef HASHSTORE_ENCODING_HASHTABLE_H_
#define HASHSTORE_ENCODING_HASHTABLE_H_

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/functional/function_ref.h"

namespace hashstore::internal {

// ---- Slot arrays (non-template parts, hashtable.cc) --------------------------

inline constexpr size_t kSlotsPerBucket = 8;
inline constexpr size_t kBucketBytes = 64;
inline constexpr int kTagShift = 48;
inline constexpr uint64_t kPointerMask = (uint64_t{1} << kTagShift) - 1;
inline constexpr size_t kRehashBucketsPerWrite = 2;
static_assert(kSlotsPerBucket * sizeof(uint64_t) == kBucketBytes, "a bucket is one cache line");
static_assert(kPointerMask == 0x0000'FFFF'FFFF'FFFF);

// One array of buckets with its ever-full bitmap, in one calloc'd block.
struct SlotArray {
  uint64_t* slots = nullptr;     // buckets * kSlotsPerBucket words, 64-byte aligned
  uint64_t* everfull = nullptr;  // one bit per bucket
  size_t buckets = 0;            // a power of two, or 0 when unallocated
  size_t used = 0;               // occupied slots
  size_t everfull_count = 0;     // buckets with the bit set
  void* block = nullptr;         // what calloc returned

  static SlotArray allocate(size_t buckets);
  void release();
  size_t mask() const { return buckets - 1; }
  size_t bytes() const;  // heap footprint of the block
  bool is_everfull(size_t b) const { return (everfull[b / 64] >> (b % 64)) & 1; }
  void mark_everfull(size_t b) {
    if (!is_everfull(b)) {
      everfull[b / 64] |= uint64_t{1} << (b % 64);
      ++everfull_count;
    }
  }
};

// Mixes x into a new pseudo-random value (splitmix64 step).
uint64_t mix64(uint64_t x);
// Reverse-binary cursor increment over `mask` (Redis's scan order).
uint64_t next_cursor(uint64_t cursor, uint64_t mask);

// ---- HashTable -----------------------------------------------------------------

// Policy: static std::string_view key(const void*); static void destroy(void*);
// static size_t footprint(const void*) (heap bytes the element owns).
template <class Policy>
class HashTable {
 public:
  explicit HashTable(uint64_t seed) : seed_(seed) {}
  ~HashTable() {
    clear();
    cur_.release();
  }
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;

  // XXH3 of key with this table's seed. Callers compute it once per call and
  // pass it to the calls below.
  uint64_t hash(std::string_view key) const {
    return XXH3_64bits_withSeed(key.data(), key.size(), seed_);
  }
  uint64_t seed() const { return seed_; }
  size_t size() const { return cur_.used + old_.used; }
  bool rehashing() const { return old_.buckets != 0; }

  // The element whose key is `key`, or nullptr.
  void* find(std::string_view key, uint64_t h) const {
    uint64_t* slot = find_slot(key, h);
    return slot ? element_of(*slot) : nullptr;
  }

  // Adds elem. REQUIRES: no element with the same key; elem != nullptr.
  void insert(void* elem, uint64_t h) {
    assert(find(Policy::key(elem), h) == nullptr);
    rehash_some();
    if (cur_.buckets == 0 || (size() + 1) * 8 > capacity(cur_) * 7) grow();
    place(cur_, elem, h);
    element_bytes_ += Policy::footprint(elem);
  }

  // Puts elem where the element with the same key is; returns the old
  // element, which is not destroyed. REQUIRES: the key is present.
  void* replace(std::string_view key, uint64_t h, void* elem) {
    uint64_t* slot = find_slot(key, h);
    assert(slot != nullptr);
    void* old = element_of(*slot);
    *slot = make_slot(elem, h);
    element_bytes_ += Policy::footprint(elem);
    element_bytes_ -= Policy::footprint(old);
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

  // Removes the element with key and returns it (not destroyed), or nullptr.
  void* detach(std::string_view key, uint64_t h) {
    SlotArray* array = nullptr;
    uint64_t* slot = find_slot(key, h, &array);
    if (slot == nullptr) return nullptr;
    void* elem = element_of(*slot);
    *slot = 0;
    --array->used;
    element_bytes_ -= Policy::footprint(elem);
    rehash_some();
    maybe_shrink();
    return elem;
  }

  // Removes and destroys the element with key; true when it was there.
  bool erase(std::string_view key, uint64_t h) {
    void* elem = detach(key, h);
    if (elem == nullptr) return false;
    Policy::destroy(elem);
    return true;
  }

  // Destroys every element and releases the slot arrays.
  void clear() {
    for_each_slot([](uint64_t& s) {
      Policy::destroy(element_of(s));
      s = 0;
    });
    old_.release();
    cur_.release();
    element_bytes_ = 0;
  }

  template <class F>
  void for_each(F&& fn) const {
    const_cast<HashTable*>(this)->for_each_slot([&](uint64_t& s) { fn(element_of(s)); });
  }

  // One scan step (see the top of this file).
  uint64_t scan(uint64_t cursor, absl::FunctionRef<void(void* elem)> fn) const {
    if (size() == 0) return 0;
    if (!rehashing()) {
      visit_chain(cur_, cursor & cur_.mask(), fn);
      return next_cursor(cursor, cur_.mask());
    }
    const SlotArray& small = cur_.buckets <= old_.buckets ? cur_ : old_;
    const SlotArray& large = cur_.buckets <= old_.buckets ? old_ : cur_;
    const uint64_t m0 = small.mask(), m1 = large.mask();
    visit_chain(small, cursor & m0, fn);
    // Every bucket of the large array whose low bits are cursor & m0.
    do {
      visit_chain(large, cursor & m1, fn);
      cursor = next_cursor(cursor, m1);
    } while (cursor & (m0 ^ m1));
    return cursor;
  }

  // A uniformly random element, or nullptr when empty: every element holds
  // exactly one slot, so a uniformly random occupied slot is one.
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

  // Heap bytes of the slot arrays (both during a rehash).
  size_t table_bytes() const { return cur_.bytes() + old_.bytes(); }
  // Sum of Policy::footprint over the stored elements.
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

 private:
  static void* element_of(uint64_t slot) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>(slot & kPointerMask));
  }
  static uint64_t tag_of(uint64_t h) { return (h >> 32) & 0xFFFF; }
  static uint64_t make_slot(void* elem, uint64_t h) {
    const uint64_t p = reinterpret_cast<uintptr_t>(elem);
    assert(p != 0 && (p & ~kPointerMask) == 0 && "pointers must fit in 48 bits");
    return tag_of(h) << kTagShift | p;
  }
  static size_t capacity(const SlotArray& a) { return a.buckets * kSlotsPerBucket; }

  // The slot holding key in `a`, or nullptr.
  uint64_t* find_in(const SlotArray& a, std::string_view key, uint64_t h) const {
    if (a.buckets == 0 || a.used == 0) return nullptr;
    const uint64_t tag = tag_of(h);
    size_t b = h & a.mask();
    for (size_t probes = 0; probes < a.buckets; ++probes) {
      uint64_t* bucket = a.slots + b * kSlotsPerBucket;
      for (size_t i = 0; i < kSlotsPerBucket; ++i) {
        const uint64_t s = bucket[i];
        if (s != 0 && (s >> kTagShift) == tag && Policy::key(element_of(s)) == key) {
          return &bucket[i];
        }
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
    if (n * 8 < capacity(cur_)) {
      // Half full after shrinking (4/8 of 8 slots per bucket per element).
      size_t want = std::bit_ceil(std::max<size_t>(1, (n * 2 + kSlotsPerBucket - 1) / kSlotsPerBucket));
      if (want < cur_.buckets) start_rehash(want);
    } else if (cur_.everfull_count * 2 > cur_.buckets && n * 8 < capacity(cur_) * 5) {
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
    if (rehash_idx_ == old_.buckets || old_.used == 0) {
      assert(old_.used == 0);
      old_.release();
      old_ = SlotArray();
    }
  }

  // Visits bucket b and the buckets after it while they are ever-full.
  static void visit_chain(const SlotArray& a, size_t b, absl::FunctionRef<void(void*)> fn) {
    for (size_t steps = 0; steps < a.buckets; ++steps) {
      const uint64_t* bucket = a.slots + b * kSlotsPerBucket;
      for (size_t i = 0; i < kSlotsPerBucket; ++i) {
        if (bucket[i] != 0) fn(element_of(bucket[i]));
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
  SlotArray cur_;
  SlotArray old_;  // being drained into cur_ while rehashing()
  size_t rehash_idx_ = 0;
  size_t element_bytes_ = 0;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_ENCODING_HASHTABLE_H_
