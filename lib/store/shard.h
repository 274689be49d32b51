// Shard: one shard of a Store — a keyspace and what guards it — with the
// bookkeeping kept beside it under its lock: the versions of watched keys
// (WATCH), the bytes it held when it was write-locked, the events recorded
// for listeners, and the keyspace_hits / keyspace_misses counters.
//
// A Shard is data: how it is locked is shard_locks.h, how keys are routed
// to it is shard_map.h, how its events are delivered is events.h.
#ifndef HASHSTORE_STORE_SHARD_H_
#define HASHSTORE_STORE_SHARD_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "keyspace/keyspace.h"
#include "util/rw_lock.h"

namespace hashstore::internal {

// A key someone watches (Store::watch): its version moves on every write.
struct WatchedKey {
  uint64_t version = 0;
  uint32_t watchers = 0;
};

// keyspace_hits / keyspace_misses, counted in the lock stripe of the
// thread that looked and summed over the stripes when read. The stripe's
// line is the one the read lock already wrote, so counting adds no line of
// its own; it is not private to the thread: threads share stripes once there
// are more than kLockStripes of them (their lines then bounce between cores,
// counters included), writers read every stripe, and so does INFO. The
// relaxed load + store is not an atomic increment: two threads sharing a
// stripe may lose a count, which INFO's figures tolerate.
struct LookupCounters {
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> misses{0};
};

// One shard: a keyspace and what guards it. Aligned to a cache line so
// that two shards never share one.
struct alignas(kCacheLine) Shard {
  Shard(size_t i, uint64_t seed) : index(i), keyspace(seed) {}
  const size_t index;
  // A striped reader-writer lock (util/rw_lock.h): readers on different
  // cores write different lines. Its stripes carry the lookup counters.
  StripedRwLock<LookupCounters> mu;
  // Everything below is guarded by mu.
  Keyspace keyspace;
  // Only keys being watched are here; writes look a key up only when the
  // map is not empty, so unwatched stores pay one branch.
  absl::flat_hash_map<std::string, WatchedKey> watched;
  uint64_t watch_clock = 0;
  // keyspace.bytes() when the shard was locked for writing (ShardLocks
  // counts the difference into used memory when it unlocks).
  size_t bytes_at_lock = 0;
  // Events recorded under mu while listeners exist (the keyspace appends
  // its expiries here too); unlock moves them to the outbox, in order, and
  // they are delivered with no shard lock held (events.h, store_events.cc).
  std::vector<KeyspaceEvent> events;
  std::mutex outbox_mu;
  std::vector<KeyspaceEvent> outbox;  // guarded by outbox_mu
  std::mutex deliver_mu;              // held by the thread delivering the outbox

  // Records a write to key for watchers. REQUIRES: mu held for writing.
  [[gnu::always_inline]] void note_write(std::string_view key) {
    if (!watched.empty()) note_watched_write(key);
  }
  void note_watched_write(std::string_view key) {
    auto it = watched.find(absl::string_view(key.data(), key.size()));
    if (it != watched.end()) it->second.version = ++watch_clock;
  }
  // Records a write to every watched key (FLUSHALL).
  void note_write_all() {
    for (auto& [k, w] : watched) w.version = ++watch_clock;
  }
  // Counts a lookup that found its key or not (keyspace_hits / _misses).
  // REQUIRES: mu held (either way) by this thread, or thread_safe = false.
  void count_lookup(bool hit) {
    LookupCounters& c = mu.local();
    std::atomic<uint64_t>& n = hit ? c.hits : c.misses;
    n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  uint64_t hits() const { return sum(&LookupCounters::hits); }
  uint64_t misses() const { return sum(&LookupCounters::misses); }

 private:
  uint64_t sum(std::atomic<uint64_t> LookupCounters::*counter) const {
    uint64_t total = 0;
    for (size_t i = 0; i < kLockStripes; ++i) {
      total += (mu.stripes()[i].payload.*counter).load(std::memory_order_relaxed);
    }
    return total;
  }
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_SHARD_H_
