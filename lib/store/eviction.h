// Eviction: cache mode — maxmemory, the eviction policy and its sampling,
// and the LRU / LFU access words that touch() keeps on key entries. The
// layer above ShardLocks in StoreImpl's chain (shard_map.h); the policies
// and the eviction pool are described in store_evict.cc, which implements
// the out-of-line half.
//
// Cost on plain stores: make_room() is one load and a branch while no
// maxmemory is set, touch() one load and a branch while no LRU or LFU
// policy is set; both stay inline for that reason.
#ifndef HASHSTORE_STORE_EVICTION_H_
#define HASHSTORE_STORE_EVICTION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "keyspace/keyspace.h"
#include "store/shard.h"
#include "store/shard_locks.h"
#include <hashstore/options.h>

namespace hashstore::internal {

// The policies that rank keys by their access word (LRU time, LFU counter).
inline bool is_lru(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLru || p == EvictionPolicy::kVolatileLru;
}
inline bool is_lfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}

// OBJECT FREQ: an LFU access word's counter decayed to now_ms, as Redis's
// LFUDecrAndReturn (store_evict.cc).
uint32_t lfu_frequency(uint32_t word, int64_t now_ms);

class Eviction : public ShardLocks {
 public:
  // Options::maxmemory, maxmemory_policy and maxmemory_samples.
  explicit Eviction(const Options& options);

  size_t maxmemory() const { return maxmemory_.load(std::memory_order_relaxed); }
  void set_maxmemory(size_t v) {
    maxmemory_.store(v, std::memory_order_relaxed);
    if (v != 0) {
      room_gate_.fetch_or(kGateMaxmemory, std::memory_order_relaxed);
    } else {
      room_gate_.fetch_and(static_cast<uint8_t>(~kGateMaxmemory), std::memory_order_relaxed);
    }
  }
  EvictionPolicy policy() const { return policy_.load(std::memory_order_relaxed); }
  // A change to or from an LRU / LFU policy first gives every key entry its
  // access word, or stops giving new ones one (Keyspace::set_access_words,
  // under every shard's exclusive lock: O(keys) when turned on).
  void set_policy(EvictionPolicy p);
  int samples() const { return samples_.load(std::memory_order_relaxed); }
  void set_samples(int v) { samples_.store(v, std::memory_order_relaxed); }
  // Called before a write that needs memory, with no shard lock held: evicts
  // until used memory is back under maxmemory. Error (Redis's OOM text) when
  // over the limit and nothing can be evicted (noeviction, or no candidate
  // for a volatile-* policy). Inside a batch or transaction (shards held) it
  // only checks: the batch evicted before it took its shards.
  // While the log refuses writes (set_write_refusal), returns its error.
  absl::Status make_room() {
    if (room_gate_.load(std::memory_order_relaxed) == 0) return absl::OkStatus();
    return make_room_slow();
  }
  // Writes refused with `status` (Redis's MISCONF, the log could not be
  // written) until cleared with an OK status; reads go on. make_room()
  // returns it, so every write that checks for room is refused.
  void set_write_refusal(const absl::Status& status);
  // Records an access to the key at `entry` for LRU / LFU (a no-op unless a
  // limit with such a policy is set). `created`: a new key (LFU starts it at
  // Redis's initial count).
  [[gnu::always_inline]] void touch(const void* entry, Now& now, bool created = false) {
    const EvictionPolicy p = policy();
    if (tracks_access(p)) touch_slow(entry, now, created, p);
  }
  // Whether touch() records anything (an LRU or LFU policy is set).
  static bool tracks_access(EvictionPolicy p) {
    constexpr unsigned kTracked =
        1u << static_cast<unsigned>(EvictionPolicy::kAllKeysLru) |
        1u << static_cast<unsigned>(EvictionPolicy::kVolatileLru) |
        1u << static_cast<unsigned>(EvictionPolicy::kAllKeysLfu) |
        1u << static_cast<unsigned>(EvictionPolicy::kVolatileLfu);
    return (1u << static_cast<unsigned>(p)) & kTracked;
  }
  bool tracks_access() const { return tracks_access(policy()); }
  uint64_t evicted_keys() const { return evicted_.load(std::memory_order_relaxed); }

 protected:
  ~Eviction() = default;  // a base of StoreImpl only

 private:
  // The bodies of make_room() and touch() once a limit or an LRU/LFU policy
  // is set (store_evict.cc); the inline checks keep plain stores fast.
  absl::Status make_room_slow();
  void touch_slow(const void* entry, Now& now, bool created, EvictionPolicy p);
  // Evicts one key (false: no candidate). evict_one_locked does the work
  // under evict_mu_ and names the shard whose eviction event awaits
  // delivery (or nullptr).
  bool evict_one();
  bool evict_one_locked(Shard** deliver_to);

  std::atomic<size_t> maxmemory_{0};
  // make_room()'s one test: nonzero when a limit is set (kGateMaxmemory)
  // or writes are refused (kGateRefused, refusal_ holds why).
  static constexpr uint8_t kGateMaxmemory = 1;
  static constexpr uint8_t kGateRefused = 2;
  std::atomic<uint8_t> room_gate_{0};
  std::mutex refusal_mu_;
  absl::Status refusal_;  // guarded by refusal_mu_
  std::atomic<EvictionPolicy> policy_{EvictionPolicy::kNoEviction};
  std::atomic<int> samples_{5};
  std::atomic<uint64_t> evicted_{0};
  // One evictor at a time; it keeps the pool of best candidates between
  // evictions, as Redis's eviction pool, and a seeded generator.
  std::mutex evict_mu_;
  struct Candidate {
    double score;  // higher: better to evict
    size_t shard;
    std::string key;
  };
  std::vector<Candidate> pool_;
  std::mt19937_64 evict_rng_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_EVICTION_H_
