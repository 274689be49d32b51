// hashstore::Options: how a Store is configured. A plain struct, read once by
// the Store constructor; changing it afterwards has no effect (runtime knobs
// are changed with CONFIG SET through Store::execute).
#ifndef HASHSTORE_OPTIONS_H_
#define HASHSTORE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <hashstore/clock.h>

namespace hashstore {

// What a Store evicts when it needs memory over Options::maxmemory (Redis's
// maxmemory-policy). The LRU and LFU policies are approximated by sampling,
// as Redis does; volatile-* consider only keys with a TTL.
enum class EvictionPolicy : uint8_t {
  kNoEviction,      // writes that need memory fail with OOM
  kAllKeysLru,      // least recently used
  kAllKeysLfu,      // least frequently used (Redis's log counter with decay)
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,     // the soonest to expire
};

// When the append-only log reaches the disk (Redis's appendfsync).
enum class AppendFsync : uint8_t {
  kAlways,    // each write returns after fdatasync (concurrent writers share one)
  kEverysec,  // fdatasync once a second in the background: at most ~1-2 s lost
  kNo,        // the OS decides when
};

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
  // power of two. 0: sized to the machine (32 per core, at most 1024: a
  // thread preempted while holding a shard then blocks few keys; at most 32
  // under ThreadSanitizer, whose deadlock detector follows at most 64 locks
  // held by one thread: with it on, keep explicit values at 32 or less).
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
  // Cache mode: the bytes of data the Store may hold (0: no limit; Redis's
  // maxmemory). Before each write that needs memory the Store evicts keys
  // under maxmemory_policy until it is back under the limit, so the limit is
  // passed by at most the writes in progress. CONFIG SET changes all three.
  size_t maxmemory = 0;
  EvictionPolicy maxmemory_policy = EvictionPolicy::kNoEviction;
  // Keys sampled per eviction (Redis's maxmemory-samples).
  int maxmemory_samples = 5;

  // Durability between snapshots: the append-only log (Redis's names).
  // Honored by Store::open, which loads dir/appendfilename and then logs
  // every write to it; the plain constructor touches no file. CONFIG SET
  // changes all of them at run time (appendonly yes starts a log of the
  // current keyspace). The file format: README.md, "The append-only log".
  bool appendonly = false;
  AppendFsync appendfsync = AppendFsync::kEverysec;
  // Directory of the log and of SAVE's snapshot (empty: the working one).
  std::string dir;
  std::string appendfilename = "appendonly.aof";
  // A torn last record (a crash mid-append) is cut off at load when true,
  // refused when false; a bad record before the end is always refused.
  bool aof_load_truncated = true;
  // Automatic rewrite when the log grew by this percentage since the last
  // rewrite (0: never) and is at least auto_aof_rewrite_min_size bytes.
  int auto_aof_rewrite_percentage = 100;
  uint64_t auto_aof_rewrite_min_size = uint64_t{64} << 20;
};

}  // namespace hashstore

#endif  // HASHSTORE_OPTIONS_H_
