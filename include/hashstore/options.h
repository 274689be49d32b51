// hashstore::Options: how a Store is configured. A plain struct, read once by
// the Store constructor; changing it afterwards has no effect (runtime knobs
// are changed with CONFIG SET through Store::execute).
#ifndef HASHSTORE_OPTIONS_H_
#define HASHSTORE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include <hashstore/clock.h>

namespace hashstore {

struct Options {
  // A hash stays a compact listpack while it has at most this many fields
  // (Redis: hash-max-listpack-entries, alias hash-max-ziplist-entries).
  size_t hash_max_listpack_entries = 512;
  // ... and while every field and value is at most this many bytes
  // (Redis: hash-max-listpack-value, alias hash-max-ziplist-value).
  size_t hash_max_listpack_value = 64;
  // Seed of the keyspace hash (xxHash3). Unset: a random seed per Store,
  // which makes hash flooding impractical. Set it for reproducible SCAN order.
  std::optional<uint64_t> hash_seed;
  // Source of time for TTLs. nullptr: the system clock. REQUIRES: outlives
  // the Store.
  const Clock* clock = nullptr;
  // Number of shards, each a keyspace behind its own lock; rounded up to a
  // power of two. 0: sized to the machine.
  size_t shards = 0;
  // false: no locking at all, for programs that call the Store from one
  // thread only (a game loop). REQUIRES then: never two calls at once.
  bool thread_safe = true;
  // Active expiry in a background thread: every expiry_interval_ms it runs
  // Store::expire_cycle(). Off by default; the program may instead call
  // expire_cycle() from its own loop. Lazy expiry always works: no call ever
  // sees an expired key. Ignored when thread_safe is false.
  bool expiry_thread = false;
  int64_t expiry_interval_ms = 100;
};

}  // namespace hashstore

#endif  // HASHSTORE_OPTIONS_H_
