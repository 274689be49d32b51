// Keyspace: key -> hash, for one shard. Single-threaded: the Store's shard
// lock serializes every call.
//
// Keys live in a KeyTable (the same open-addressing table the large hash
// encoding uses) whose elements are key entries (key_entry.h): one
// allocation per key, with a small hash's listpack inline. Every call takes
// the key's hash, computed once by the caller with hash().
//
// Expiry: a key's TTL lives in its entry (absolute Unix ms). An index of
// (expire time, key) in time order, per shard, lets the expiry cycle
// reclaim exactly the keys whose time has come, oldest first, in bounded
// steps, and lets live_size() discount expired keys not yet reclaimed.
// Lookups take `now`: find_live() never returns an expired key (reads
// hold the shard shared, so they only skip it); find_for_write() reclaims it.
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

#include "absl/container/btree_set.h"
#include "absl/functional/function_ref.h"
#include "hash/hash_object.h"
#include "keyspace/key_entry.h"
#include <hashstore/clock.h>

namespace hashstore::internal {

class Keyspace {
 public:
  explicit Keyspace(uint64_t seed) : table_(seed) {}
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  uint64_t hash(std::string_view key) const { return table_.hash(key); }
  size_t size() const { return table_.size(); }

  // The key's entry, expired or not, or nullptr.
  void* find(std::string_view key, uint64_t h) const { return table_.find(key, h); }
  // The key's entry unless missing or expired at now.
  void* find_live(std::string_view key, uint64_t h, int64_t now) const {
    void* e = table_.find(key, h);
    return e != nullptr && !expired(e, now) ? e : nullptr;
  }
  // The same, reading the clock only when the key has a TTL (most calls
  // then never read it).
  void* find_live(std::string_view key, uint64_t h, const Clock& clock) const {
    void* e = table_.find(key, h);
    return e != nullptr && !expired(e, clock) ? e : nullptr;
  }
  // As find_live, but an expired key is reclaimed on the way.
  void* find_for_write(std::string_view key, uint64_t h, int64_t now);
  void* find_for_write(std::string_view key, uint64_t h, const Clock& clock) {
    void* e = table_.find(key, h);
    if (e != nullptr && expired(e, clock)) {
      erase(key, h);
      return nullptr;
    }
    return e;
  }
  static bool expired(const void* entry, const Clock& clock) {
    if (!(key_entry::flags(entry) & key_entry::kHasTtl)) return false;
    return expired(entry, clock.now_ms());
  }
  static bool expired(const void* entry, int64_t now) {
    auto t = key_entry::expire_ms(entry);
    return t.has_value() && *t <= now;
  }
  // Adds key with an empty listpack hash; returns its entry. REQUIRES: absent.
  // The caller must fill it (or erase it) before the call returns: an empty
  // hash does not exist.
  void* create(std::string_view key, uint64_t h);
  // Inserts a ready entry (from key_entry::make_* / clone / rekey).
  // REQUIRES: its key is absent.
  void insert(void* entry, uint64_t h);
  // Removes key and frees its entry; true when it was there.
  bool erase(std::string_view key, uint64_t h);
  // Removes key and returns its entry without freeing it (nullptr if absent).
  void* detach(std::string_view key, uint64_t h);
  void clear() {
    table_.clear();
    expires_.clear();
  }

  // Sets (or with nullopt removes) the TTL of the key whose entry is
  // `entry`; returns the entry now in the table (it is rebuilt).
  void* set_expire(void* entry, uint64_t h, std::optional<int64_t> expire_ms);
  // Keys not expired at now.
  size_t live_size(int64_t now) const;
  // Keys with a TTL.
  size_t volatile_size() const { return expires_.size(); }
  // Reclaims up to max keys whose TTL passed by now, oldest first; returns
  // how many.
  size_t expire_some(int64_t now, size_t max);

  // One SCAN step over the keys; returns the next cursor (0: done).
  uint64_t scan(uint64_t cursor, absl::FunctionRef<void(const void* entry)> fn) const {
    return table_.scan(cursor, [&](void* e) { fn(e); });
  }
  // A uniformly random entry, or nullptr when empty.
  const void* random_entry(uint64_t random_bits) const { return table_.random_element(random_bits); }
  template <class F>
  void for_each(F&& fn) const {
    table_.for_each(fn);
  }

  // Heap bytes of the key table and its entries (not the field tables).
  size_t table_bytes() const { return table_.table_bytes(); }
  size_t entry_bytes() const { return table_.element_bytes(); }

 private:
  friend class EntryHash;
  void index_add(const void* entry);
  void index_remove(const void* entry);

  KeyTable table_;
  // (expire time, key) for every key with a TTL, in time order.
  absl::btree_set<std::pair<int64_t, std::string>> expires_;
};

// The hash stored in one key entry, as a HashStorage for HashObject. Keeps
// the table's pointer up to date when a write moves the entry.
class EntryHash final : public HashStorage {
 public:
  EntryHash(Keyspace& ks, void* entry, uint64_t h)
      : ks_(ks), entry_(entry), hash_(h), payload_(key_entry::payload_offset(entry)) {}

  void* entry() const { return entry_; }

  HashEncoding encoding() const override { return key_entry::encoding(entry_); }
  uint8_t* listpack() override { return static_cast<uint8_t*>(entry_) + payload_; }
  uint8_t* resize_listpack(size_t new_size) override;
  FieldTable* table() override { return key_entry::table(entry_); }
  void adopt_table(std::unique_ptr<FieldTable> table) override;

 private:
  // Puts `fresh` in the table in place of entry_ and frees the old shell.
  void swap_entry(void* fresh);

  Keyspace& ks_;
  void* entry_;
  uint64_t hash_;
  size_t payload_;  // offset of the payload; resizing the listpack keeps it
};

// Bytes that key costs: its entry, its field table if any, one slot.
size_t entry_memory_usage(const void* entry);

}  // namespace hashstore::internal

#endif  // HASHSTORE_KEYSPACE_KEYSPACE_H_
