// Keyspace: key -> hash, for one shard. Single-threaded: the Store's shard
// lock serializes every call.
//
// Keys live in a KeyTable (the same open-addressing table the large hash
// encoding uses) whose elements are key entries (key_entry.h): one block
// per key, with a small hash's listpack inline — a slot of this keyspace's
// slab (arena_) when it fits one, else malloc'd. Every call takes the key's
// hash, computed once by the caller with hash().
//
// Expiry: a key's TTL lives in its entry (absolute Unix ms), and so do the
// FieldBounds of a hash with field TTLs. A key dies at its TTL or when its
// last field expires, whichever is first (key_entry::death_ms). Two indexes
// per shard, in time order, hold (death, entry) and (earliest field TTL,
// entry) — the entry's address, not a copy of its key: whatever moves an
// entry (a resize, a rebuild) moves its index elements with it —
// so the expiry cycle reclaims exactly the keys and fields whose time has
// come, oldest first, in bounded steps, and live_size() discounts dead keys
// not yet reclaimed. Lookups take a Now: find_live() never returns a dead
// key (reads hold the shard shared, so they only skip it); find_for_write()
// reclaims a dead key, and the due fields of a live one, so that what it
// returns holds only live fields. A reader that meets a key with due fields
// (fields_due) must retry as a writer: readers never see expired fields.
//
// Invalidation: any call that writes (create, erase, and any write through
// an EntryHash) may move or free entries; entry pointers obtained before are
// invalid afterwards, except the one held inside the EntryHash used to write.
#ifndef HASHSTORE_KEYSPACE_KEYSPACE_H_
#define HASHSTORE_KEYSPACE_KEYSPACE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/functional/function_ref.h"
#include "hash/hash_object.h"
#include "keyspace/key_entry.h"
#include <hashstore/clock.h>
#include <hashstore/types.h>

namespace hashstore::internal {

// The time for one call, read from the clock at most once, and only when a
// key with a TTL (or field TTLs) asks for it.
class Now {
 public:
  explicit Now(const Clock& clock) : clock_(&clock) {}
  explicit Now(int64_t ms) : ms_(ms), read_(true) {}
  int64_t ms() {
    if (!read_) {
      ms_ = clock_->now_ms();
      read_ = true;
    }
    return ms_;
  }

 private:
  const Clock* clock_ = nullptr;
  int64_t ms_ = 0;
  bool read_ = false;
};

// A change for the Store's event listeners (hashstore::Event; reason holds
// its Reason's value). The keyspace itself records only expiries.
struct KeyspaceEvent {
  uint8_t reason;
  std::string key;
  std::vector<std::string> fields;
};
// The reasons' values, defined by the public enum (include/hashstore/types.h)
// so that the two cannot drift apart.
inline constexpr uint8_t event_reason(Event::Reason r) { return static_cast<uint8_t>(r); }
inline constexpr uint8_t kEventChanged = event_reason(Event::Reason::kChanged);
inline constexpr uint8_t kEventDeleted = event_reason(Event::Reason::kDeleted);
inline constexpr uint8_t kEventExpired = event_reason(Event::Reason::kExpired);
inline constexpr uint8_t kEventEvicted = event_reason(Event::Reason::kEvicted);

class Keyspace {
 public:
  explicit Keyspace(uint64_t seed) : arena_(kArenaSmallMaxPage), table_(seed) {}
  ~Keyspace() { clear(); }
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  uint64_t hash(std::string_view key) const { return table_.hash(key); }
  size_t size() const { return table_.size(); }

  // The key's entry, dead or not, or nullptr.
  [[gnu::always_inline]] void* find(std::string_view key, uint64_t h) const {
    return table_.find(key, h);
  }
  // The key's entry unless missing or dead at now. It may still hold due
  // fields (see fields_due).
  void* find_live(std::string_view key, uint64_t h, Now& now) const {
    void* e = table_.find(key, h);
    return e != nullptr && !expired(e, now) ? e : nullptr;
  }
  // As find_live, but a dead key is reclaimed on the way, and so are the
  // due fields of a live one (the entry returned holds only live fields).
  // It starts by compacting the entries' arena when that is due (see
  // compact_arena): every entry pointer obtained before is invalid after.
  void* find_for_write(std::string_view key, uint64_t h, Now& now);
  // Whether the key is dead at now: its TTL passed or all its fields expired.
  static bool expired(const void* entry, Now& now) {
    if (!(key_entry::flags(entry) & (key_entry::kHasTtl | key_entry::kFieldTtl))) return false;
    return expired(entry, now.ms());
  }
  static bool expired(const void* entry, int64_t now) {
    auto t = key_entry::death_ms(entry);
    return t.has_value() && *t <= now;
  }
  // Whether some field of the key's hash has expired at now.
  static bool fields_due(const void* entry, Now& now) {
    if (!(key_entry::flags(entry) & key_entry::kFieldTtl)) return false;
    return key_entry::field_bounds(entry)->next_ms <= now.ms();
  }
  // Cache hints for batched calls, a few keys ahead of their lookup: the
  // key's slot bucket first, then (once that has arrived) its entry.
  void prefetch_slots(uint64_t h) const { table_.prefetch_bucket(h); }
  void prefetch_entry(uint64_t h) const { table_.prefetch_element(h); }
  // Adds key with an empty listpack hash; returns its entry. REQUIRES: absent.
  // The caller must fill it (or erase it) before the call returns: an empty
  // hash does not exist.
  void* create(std::string_view key, uint64_t h);
  // Inserts a ready entry (from key_entry::make_* / clone / rekey) and
  // returns it as it now is: a malloc'd entry that fits a slot moves into
  // this keyspace's arena (`entry` is then freed). REQUIRES: its key is
  // absent; an arena slot comes from arena().
  void* insert(void* entry, uint64_t h);
  // The arena of this keyspace's entries (key_entry.h): what entries freed
  // from it take; and how entries made for it are allocated (its arena,
  // with the access word or not).
  FieldArena* arena() { return &arena_; }
  key_entry::Alloc alloc() { return {&arena_, access_words_}; }
  // Whether entries carry the access word (an LRU or LFU policy is set: the
  // Store calls this under its exclusive lock when that changes). Turned
  // on, every entry without one is rebuilt with one (O(keys)); turned off,
  // entries keep theirs and new ones are made without.
  void set_access_words(bool on);
  // Sizes an empty keyspace's table for n keys (HashTable::reserve).
  void reserve(size_t n) { table_.reserve(n); }
  // Removes key and frees its entry; true when it was there.
  bool erase(std::string_view key, uint64_t h);
  // Removes key and returns its entry without freeing it (nullptr if absent):
  // the caller frees it with this keyspace's arena().
  void* detach(std::string_view key, uint64_t h);
  void clear();

  // Sets (or with nullopt removes) the TTL of the key whose entry is
  // `entry`; returns the entry now in the table (it is rebuilt).
  void* set_expire(void* entry, uint64_t h, std::optional<int64_t> expire_ms);
  // Keys not expired at now.
  size_t live_size(int64_t now) const;
  // Keys that will die (a TTL, or field TTLs on every field).
  size_t volatile_size() const { return expires_.size(); }
  // Hashes with at least one field TTL.
  size_t hashes_with_field_ttls() const { return field_expires_.size(); }
  // Reclaims up to max dead keys and expired fields at now, oldest first;
  // returns how many (keys and fields). A dead key with a big table counts
  // as one: its table is freed over the following calls, up to max fields
  // per call, so that no call does unbounded work.
  size_t expire_some(int64_t now, size_t max);
  // Fields of dead keys' tables still waiting to be freed.
  size_t buried_fields() const;
  // While set, every key and field reclaimed by expiry is appended to *log
  // (kEventExpired).
  void set_event_log(std::vector<KeyspaceEvent>* log) { event_log_ = log; }
  // Keys and fields reclaimed because their time came (lazily or actively).
  uint64_t expired_keys() const { return expired_keys_; }
  uint64_t expired_fields() const { return expired_fields_; }
  // Bytes the two expiry indexes use (approximately: btree nodes are not
  // reported; counted per element).
  size_t index_bytes() const { return index_bytes_; }

  // One SCAN step over the keys; returns the next cursor (0: done).
  uint64_t scan(uint64_t cursor, absl::FunctionRef<void(const void* entry)> fn) const {
    return table_.scan(cursor, [&](void* e) { fn(e); });
  }
  // The entry of the key that dies soonest (by TTL or field TTLs), or
  // nullptr when no key will die.
  const void* soonest_dying() const {
    if (expires_.empty()) return nullptr;
    return entry_of(*expires_.begin());
  }
  // A uniformly random entry, or nullptr when empty.
  const void* random_entry(uint64_t random_bits) const { return table_.random_element(random_bits); }
  template <class F>
  void for_each(F&& fn) const {
    table_.for_each(fn);
  }

  // Heap bytes of the key table's slot arrays (not the entries or field tables).
  size_t table_bytes() const { return table_.table_bytes(); }
  // Every byte this keyspace holds, in O(1): the key table and entries, the
  // tables of large hashes (arrays, field entries, TTL indexes), the expiry
  // indexes and the tables still being freed. Kept up to date by every
  // write, including writes through an EntryHash (see EntryHash::settle).
  // Live entries count by their slot (or malloc'd block), as Redis's
  // used_memory counts live allocations: what the arena holds beyond them
  // is fragmentation (arena_bytes() / arena_live_bytes()), as freed malloc
  // chunks were.
  size_t bytes() const {
    return table_.table_bytes() + table_.element_bytes() + hash_bytes_ + index_bytes_ +
           grave_bytes_;
  }
  // Bytes the entries' arena holds (pages: live and free slots, tails), and
  // of those the live slots.
  size_t arena_bytes() const { return arena_.bytes(); }
  size_t arena_live_bytes() const { return arena_.live_bytes(); }
  // Whether the arena holds more than kCompactFloor bytes, and more than
  // 1/kCompactDen of its live slots, beyond them.
  bool compaction_due() const {
    const size_t spare = arena_.bytes() - arena_.live_bytes();
    return spare > kCompactFloor && spare * kCompactDen > arena_.live_bytes();
  }
  // Moves every entry that is a slot into a fresh arena, packed, and frees
  // the old one (its free slots and pages). The entries' pointers change (the table's and the
  // expiry indexes' follow); their bytes and footprints do not. O(keys +
  // their bytes). Runs at the start of find_for_write and at the end of
  // expire_some when compaction_due(): points where no caller holds an
  // entry pointer. Free slots are reused before this is due, so it runs
  // only after a net shrink (deletes, entries moving to their own blocks):
  // at most one byte in kCompactDen freed is copied back per compaction.
  void compact_arena();
  static constexpr size_t kCompactFloor = 16 * 1024;
  static constexpr size_t kCompactDen = 8;
  // Bytes of the hash behind entry outside the entry itself (its table).
  // Inline: every write asks it twice, and a listpack answers 0.
  static size_t table_usage(const void* entry) {
    return key_entry::encoding(entry) == HashEncoding::kTable ? table_usage_slow(entry) : 0;
  }

 private:
  friend class EntryHash;
  static size_t table_usage_slow(const void* entry);
  // An expiry index's element: (time, the entry's address).
  using IndexElement = std::pair<int64_t, uintptr_t>;
  static const void* entry_of(const IndexElement& x) {
    return reinterpret_cast<const void*>(x.second);
  }
  void index_add(const void* entry);
  void index_remove(const void* entry);
  // The entry that was at `old` now lives at `fresh` (a realloc moved it;
  // `old` may be freed): its index elements follow. Its times are unchanged.
  void index_repoint(const void* old, const void* fresh);
  // Reclaims up to max due fields of the live key at `entry`; returns the
  // entry now in the table and adds the count to *removed.
  void* expire_fields(void* entry, uint64_t h, int64_t now, size_t max, size_t* removed);

  // Before table_: the table's elements live in it (and ~Keyspace clears
  // the table before the arena goes).
  FieldArena arena_;
  bool access_words_ = false;
  KeyTable table_;
  // (death time, entry) for every key that will die, in time order.
  absl::btree_set<IndexElement> expires_;
  // (earliest field TTL, entry) for every hash with a field TTL.
  absl::btree_set<IndexElement> field_expires_;
  // Tables of dead keys, freed a bounded step at a time by expire_some.
  struct Grave {
    FieldTable* table;
    size_t pos;  // HashTable::destroy_some's position
  };
  std::vector<Grave> graveyard_;
  std::vector<KeyspaceEvent>* event_log_ = nullptr;
  void log_expired(std::string_view key, std::vector<std::string> fields = {}) {
    if (event_log_ != nullptr) {
      event_log_->push_back(KeyspaceEvent{kEventExpired, std::string(key), std::move(fields)});
    }
  }
  uint64_t expired_keys_ = 0;
  uint64_t expired_fields_ = 0;
  // Byte counts behind bytes().
  size_t hash_bytes_ = 0;
  size_t index_bytes_ = 0;
  size_t grave_bytes_ = 0;
  // Removes the dead key; a big table goes to the graveyard.
  void bury(std::string_view key, uint64_t h);
};

// The hash stored in one key entry, as a HashStorage for HashObject. Keeps
// the table's pointer up to date when a write moves the entry.
class EntryHash final : public HashStorage {
 public:
  EntryHash(Keyspace& ks, void* entry, uint64_t h)
      : ks_(ks),
        entry_(entry),
        hash_(h),
        payload_(key_entry::payload_offset(entry)),
        table_bytes_(Keyspace::table_usage(entry)) {}

  void* entry() const { return entry_; }
  // Brings the keyspace's byte count up to date with this hash's table
  // after writes (a listpack is counted in its entry, always up to date).
  // REQUIRES: called after the writes and before the key is erased.
  void settle() {
    const size_t now = Keyspace::table_usage(entry_);
    ks_.hash_bytes_ += now - table_bytes_;  // modular: a shrink wraps back
    table_bytes_ = now;
  }

  HashEncoding encoding() const override { return key_entry::encoding(entry_); }
  uint8_t* listpack() override { return static_cast<uint8_t*>(entry_) + payload_; }
  uint8_t* resize_listpack(size_t new_size) override;
  FieldTable* table() override { return key_entry::table(entry_); }
  void adopt_table(std::unique_ptr<FieldTable> table) override;
  bool has_field_ttls() const override {
    return key_entry::flags(entry_) & key_entry::kFieldTtl;
  }
  void enable_field_ttls() override;
  FieldBounds field_bounds() const override { return *key_entry::field_bounds(entry_); }
  void set_field_bounds(FieldBounds bounds) override;

 private:
  // Puts `fresh` in the table in place of entry_ and frees the old shell.
  void swap_entry(void* fresh);

  Keyspace& ks_;
  void* entry_;
  uint64_t hash_;
  size_t payload_;  // offset of the payload; resizing the listpack keeps it
  size_t table_bytes_;  // table_usage() when last settled
};

// Bytes that key costs: its entry, its field table if any, one slot.
size_t entry_memory_usage(const void* entry);

}  // namespace hashstore::internal

#endif  // HASHSTORE_KEYSPACE_KEYSPACE_H_
