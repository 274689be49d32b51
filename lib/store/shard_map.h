// ShardMap: a Store's shards and how a key is routed to one; the bottom of
// StoreImpl (store_impl.h), which builds on it, layer by layer:
//   ShardMap      (this file: the shards, routing, Store-wide settings)
//   StoreEvents   (events.h: listeners, recording, delivery)
//   ShardLocks    (shard_locks.h: locking shards, used memory)
//   Eviction      (eviction.h: maxmemory, LRU/LFU, evicting)
//   ActiveExpiry  (expiry.h: expire_cycle and the expiry thread)
//   StoreImpl     (store_impl.h: configuration, extension slot, stats)
// Each layer uses only those below it. The layers are plain non-virtual
// bases, one chain, each at offset 0 of StoreImpl, so that a call through
// StoreImpl costs what it cost when all of this was one class.
//
// Routing: one xxHash3 of the key (seeded per Store) picks the shard from
// its high bits, and the slot and tag inside that shard's key table from its
// low bits.
#ifndef HASHSTORE_STORE_SHARD_MAP_H_
#define HASHSTORE_STORE_SHARD_MAP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "hash/hash_object.h"
#include "store/shard.h"
#include "util/bytes.h"
#include <hashstore/clock.h>
#include <hashstore/options.h>

namespace hashstore::internal {

class ShardMap {
 public:
  // Options::shards (rounded up to a power of two; 0: 32 per core),
  // hash_seed, clock, thread_safe and the hash_max_listpack_* thresholds
  // (shard_map.cc).
  explicit ShardMap(const Options& options);
  ShardMap(const ShardMap&) = delete;
  ShardMap& operator=(const ShardMap&) = delete;

  // XXH3 of the key with the Store's seed (inline: every call starts here).
  [[gnu::always_inline]] uint64_t hash(std::string_view key) const {
    return hash_bytes(key, seed_);
  }
  size_t shard_count() const { return shards_.size(); }
  // The top shard_bits_ bits of h (two shifts, so that 0 bits needs no
  // branch: h >> 1 has its top bit clear).
  size_t shard_index(uint64_t h) const {
    return static_cast<size_t>((h >> 1) >> (63 - shard_bits_));
  }
  Shard& shard(size_t index) { return *shards_[index]; }
  Shard& shard_for(uint64_t h) { return *shards_[shard_index(h)]; }
  unsigned shard_bits() const { return shard_bits_; }

  // The Store-wide settings that calls read on their way in: the clock,
  // whether the Store locks at all (thread_safe = false: the program makes
  // one call at a time and no shard lock is taken), and the listpack ->
  // table conversion thresholds.
  const Clock& clock() const { return *clock_; }
  bool thread_safe() const { return thread_safe_; }
  // A snapshot of the conversion thresholds (CONFIG SET may change them).
  [[gnu::always_inline]] HashLimits limits() const {
    return HashLimits{max_listpack_entries_.load(std::memory_order_relaxed),
                      max_listpack_value_.load(std::memory_order_relaxed)};
  }
  void set_max_listpack_entries(size_t v) { max_listpack_entries_.store(v); }
  void set_max_listpack_value(size_t v) { max_listpack_value_.store(v); }

 protected:
  ~ShardMap() = default;  // a base of StoreImpl only
  uint64_t seed() const { return seed_; }

 private:
  // What every call reads, in one cache line with StoreEvents'
  // has_listeners_ (placed in this class's tail padding).
  std::vector<std::unique_ptr<Shard>> shards_;
  uint64_t seed_ = 0;
  const Clock* clock_;
  std::atomic<size_t> max_listpack_entries_;
  std::atomic<size_t> max_listpack_value_;
  unsigned shard_bits_ = 0;
  bool thread_safe_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_SHARD_MAP_H_
