// StoreImpl: the state behind hashstore::Store — shards of keyspaces, each
// behind its own lock, and the runtime configuration.
//
// Routing: one xxHash3 of the key (seeded per Store) picks the shard from
// its high bits, and the slot and tag inside that shard's key table from its
// low bits. Calls on one key lock one shard; calls on several keys lock their
// shards in ascending shard order, so they never deadlock.
//
// Store's public methods (store.cc) and the command table (lib/command) are
// both written on top of this class.
//
// Locks: every lock of the library, what it guards, the order in which
// they may be taken and which callbacks run under which are listed in
// docs/DESIGN.md ("Threads, locks and callbacks"). In short: shard locks in
// ascending order; events are delivered only once the thread holds no lock
// of the Store (release() then deliver()).
#ifndef HASHSTORE_STORE_STORE_IMPL_H_
#define HASHSTORE_STORE_STORE_IMPL_H_

#include <atomic>
#include <concepts>
#include <cstdint>
#include <memory>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <algorithm>
#include <thread>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/random/random.h"
#include "hash/hash_object.h"
#include "store/change_log.h"
#include "keyspace/keyspace.h"
#include "store/command_stats.h"
#include "util/single_flight.h"
#include "util/rw_lock.h"
#include <hashstore/clock.h>
#include <hashstore/options.h>
#include <hashstore/store.h>

namespace hashstore::internal {

class PersistState;  // lib/persist/persist_state.h: the extension slot's type

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
  // keyspace.bytes() when the shard was locked for writing (StoreImpl
  // counts the difference into used memory when it unlocks).
  size_t bytes_at_lock = 0;
  // Events recorded under mu while listeners exist (the keyspace appends
  // its expiries here too); unlock moves them to the outbox, in order, and
  // they are delivered with no shard lock held (store_events.cc).
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


// The policies that rank keys by their access word (LRU time, LFU counter).
inline bool is_lru(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLru || p == EvictionPolicy::kVolatileLru;
}
inline bool is_lfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}

// How a call locks a shard: readers share it, writers hold it alone.
// (What a call does to the key's hash is hash_access.h's Use.)
enum class LockMode : uint8_t { kShared, kExclusive };

// Random bits for HRANDFIELD, RANDOMKEY, ...: one generator per thread, so
// that readers sharing a shard never share a generator.
absl::BitGen& thread_rng();

// EXPIRE's NX / XX / GT / LT combinations Redis refuses, with its texts
// (store_expire.cc). The command layer checks them before the time argument,
// in Redis's order.
absl::Status check_expire_flags(unsigned flags);

// The absolute time (ms) that a field TTL `value` in `unit_ms` (1 or 1000)
// means from `base` (now, or 0 for the absolute forms), with Redis 8.0's
// checks and texts: not negative, seconds checked before they are
// multiplied, at most 2^46 - 1 ms (store_field_ttl.cc). The command layer
// calls it with base 0 to check a time argument before anything else.
absl::StatusOr<int64_t> field_expire_at(int64_t value, int64_t unit_ms, int64_t base,
                                        std::string_view command);

// "ERR wrong number of arguments for '<command>' command" (the command
// layer's arity text, for Store calls given an empty list).
absl::Status wrong_arity(std::string_view command);

class StoreImpl {
 public:
  explicit StoreImpl(const Options& options);
  ~StoreImpl();

  // One bounded step of active expiry over every shard (store_expire.cc).
  size_t expire_cycle(size_t max_keys_per_shard);

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

  // A snapshot of the conversion thresholds (CONFIG SET may change them).
  [[gnu::always_inline]] HashLimits limits() const {
    return HashLimits{max_listpack_entries_.load(std::memory_order_relaxed),
                      max_listpack_value_.load(std::memory_order_relaxed)};
  }
  void set_max_listpack_entries(size_t v) { max_listpack_entries_.store(v); }
  void set_max_listpack_value(size_t v) { max_listpack_value_.store(v); }

  const Clock& clock() const { return *clock_; }
  // get_or_compute's flights in progress (store_loader.cc).
  SingleFlight& flights() { return flights_; }
  bool thread_safe() const { return thread_safe_; }
  // Unix ms when the Store was built (LASTSAVE before any save).
  int64_t created_ms() const { return created_ms_; }
  // Per-command counters, slowlog and latency monitor (command_stats.h).
  CommandStats& command_stats() { return command_stats_; }

  // Per-Store state of the persistence layer (lib/persist's PersistState:
  // dir, dbfilename, LASTSAVE, the background save), created on first use
  // by extension<PersistState>() (thread-safe; built from this StoreImpl&).
  // It is destroyed first in ~StoreImpl, so that a background save ends
  // before the shards go. The slot holds that one type: extension<T>() does
  // not compile for any other T, so the cast below cannot be wrong.
  struct Extension {
    virtual ~Extension() = default;
  };
  template <class T>
    requires std::same_as<T, PersistState>
  T& extension() {
    std::lock_guard<std::mutex> l(extension_mu_);
    if (extension_ == nullptr) extension_ = std::make_unique<T>(*this);
    return static_cast<T&>(*extension_);
  }

  // Locks one shard for reading (shared) or writing (exclusive); no-ops
  // when the Store was built with thread_safe = false.
  // Batches and transactions hold every shard they touch for their whole
  // run (in write mode); the commands they run then take no locks.
  struct HeldShards {
    const StoreImpl* owner;
    const std::vector<bool>* held;
  };
  static HeldShards& held_by_this_thread() { return held_; }
  bool holds(const Shard& s) const {
    const HeldShards& h = held_by_this_thread();
    return h.owner == this && (*h.held)[s.index];
  }

  // The fast paths' locks (hash_access.h): they change no size and record
  // no event, so the write side skips the byte accounting and the events.
  void lock_plain(Shard& s, LockMode a) {
    if (!thread_safe_ || holds(s)) return;
    if (a == LockMode::kShared) {
      s.mu.lock_shared();
    } else {
      s.mu.lock();
    }
  }
  void unlock_plain(Shard& s, LockMode a) {
    if (!thread_safe_ || holds(s)) return;
    if (a == LockMode::kShared) {
      s.mu.unlock_shared();
    } else {
      s.mu.unlock();
    }
  }

  // A write lock also brackets the shard's change in bytes, which unlock
  // adds to used_memory().
  void lock(Shard& s, LockMode a) {
    if (holds(s)) return;
    if (a == LockMode::kShared) {
      if (thread_safe_) s.mu.lock_shared();
    } else {
      if (thread_safe_) s.mu.lock();
      s.bytes_at_lock = s.keyspace.bytes();
    }
  }
  // Releases s; returns true when the write recorded events, which are now
  // in s's outbox: the caller delivers them (deliver(s)) once it holds no
  // lock of this Store, so that listeners never run under one.
  bool release(Shard& s, LockMode a) {
    if (holds(s)) return false;
    if (a == LockMode::kShared) {
      if (thread_safe_) s.mu.unlock_shared();
      return false;
    }
    const size_t now = s.keyspace.bytes();
    if (now != s.bytes_at_lock) {
      used_.fetch_add(static_cast<int64_t>(now) - static_cast<int64_t>(s.bytes_at_lock),
                      std::memory_order_relaxed);
    }
    if (!s.events.empty()) {
      release_with_events(s);
      return true;
    }
    if (thread_safe_) s.mu.unlock();
    return false;
  }
  // release(), then delivery. REQUIRES: s is the only lock of this Store
  // the thread holds.
  void unlock(Shard& s, LockMode a) {
    if (release(s, a)) deliver(s);
  }

  // ---- Events (store_events.cc) ----
  // release()'s end for a write that recorded events: moves them to the
  // outbox and unlocks the shard. Out of line: the common release stays
  // small enough to inline.
  void release_with_events(Shard& s);
  // Whether writes record events: a listener is subscribed or a ChangeLog
  // is attached (the fast write paths step aside then).
  bool has_listeners() const { return has_listeners_.load(std::memory_order_relaxed); }
  // The attached log (the append-only file), or nullptr.
  ChangeLog* change_log() const { return change_log_.load(std::memory_order_acquire); }
  // Runs make() with every shard held for writing (no write in progress)
  // and attaches the log it returns (nullptr: none), so that the log gets
  // every write after the keyspace make() saw. The caller keeps the log
  // alive until it is detached. REQUIRES: no shard held by this thread.
  void set_change_log(absl::FunctionRef<ChangeLog*()> make);
  // Writes refused with `status` (Redis's MISCONF, the log could not be
  // written) until cleared with an OK status; reads go on. make_room()
  // returns it, so every write that checks for room is refused.
  void set_write_refusal(const absl::Status& status);
  // Records an event on s. REQUIRES: s held for writing.
  void record(Shard& s, uint8_t reason, std::string_view key,
              std::vector<std::string> fields = {}) {
    if (has_listeners()) s.events.push_back(KeyspaceEvent{reason, std::string(key), std::move(fields)});
  }
  uint64_t subscribe(std::function<void(const Event&)> fn);
  void unsubscribe(uint64_t id);
  // Points every keyspace's expiry log at its shard's events (or nowhere).
  void set_event_logs(bool on);
  // Delivers s's outbox to the listeners unless another thread is doing it,
  // or this thread is already delivering this Store's events (a listener's
  // own write: the outer delivery loop takes it after the listener returns).
  // REQUIRES: this thread holds no lock of this Store.
  void deliver(Shard& s);

  // ---- Cache mode (store_evict.cc) ----
  // Bytes of data held by all shards (Keyspace::bytes() summed), as of the
  // last write lock released.
  size_t used_memory() const {
    return static_cast<size_t>(std::max<int64_t>(0, used_.load(std::memory_order_relaxed)));
  }
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
  void set_policy(EvictionPolicy p) { policy_.store(p, std::memory_order_relaxed); }
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

  class ShardLock {
   public:
    ShardLock(StoreImpl& impl, Shard& s, LockMode a) : impl_(impl), s_(s), a_(a) { impl_.lock(s_, a_); }
    ~ShardLock() { impl_.unlock(s_, a_); }
    ShardLock(const ShardLock&) = delete;
    ShardLock& operator=(const ShardLock&) = delete;

   private:
    StoreImpl& impl_;
    Shard& s_;
    LockMode a_;
  };

  // Runs fn(keyspace, hash) with the key's shard locked as `access` says.
  template <class F>
  auto with_key(std::string_view key, LockMode access, F&& fn) {
    uint64_t h = hash(key);
    Shard& s = shard_for(h);
    ShardLock lock(*this, s, access);
    return fn(s.keyspace, h);
  }

  // Locks the shards of all `hashes` in ascending order (each once) for the
  // lifetime of the object; with no hashes given (all_shards), every shard.
  class MultiLock {
   public:
    MultiLock(StoreImpl& impl, const std::vector<uint64_t>& hashes, LockMode access);
    MultiLock(StoreImpl& impl, LockMode access);  // every shard
    // The shards whose flag is set (shards.size() == shard_count()). LockMode
    // comes second so that a braced list of hashes never matches this one.
    MultiLock(StoreImpl& impl, LockMode access, const std::vector<bool>& shards);
    ~MultiLock();
    MultiLock(const MultiLock&) = delete;
    MultiLock& operator=(const MultiLock&) = delete;

   private:
    StoreImpl& impl_;
    LockMode access_;
    std::vector<Shard*> locked_;
  };

  // Holds (write mode) the shards of `hashes`, or every shard, and marks
  // them as held by this thread so that the calls made meanwhile on this
  // thread take no locks of their own. REQUIRES: not nested.
  class HoldShards {
   public:
    HoldShards(StoreImpl& impl, const std::vector<uint64_t>& hashes, bool all_shards);
    ~HoldShards();
    HoldShards(const HoldShards&) = delete;
    HoldShards& operator=(const HoldShards&) = delete;

   private:
    std::vector<bool> held_;
    std::unique_ptr<MultiLock> lock_;
  };

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  unsigned shard_bits_ = 0;
  uint64_t seed_ = 0;
  std::atomic<size_t> max_listpack_entries_;
  std::atomic<size_t> max_listpack_value_;
  const Clock* clock_;
  bool thread_safe_;

  // Cache mode.
  std::atomic<int64_t> used_{0};
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
  // Evicts one key (false: no candidate). evict_one_locked does the work
  // under evict_mu_ and names the shard whose eviction event awaits
  // delivery (or nullptr).
  bool evict_one();
  bool evict_one_locked(Shard** deliver_to);
  // The bodies of make_room() and touch() once a limit or an LRU/LFU policy
  // is set (store_evict.cc); the inline checks keep plain stores fast.
  absl::Status make_room_slow();
  void touch_slow(const void* entry, Now& now, bool created, EvictionPolicy p);
  // This thread's held shards (batches, transactions), inline so that the
  // check in every lock() and unlock() needs no call. (An initial-exec
  // tls_model attribute here made UBSan builds see a null address.)
  static inline thread_local HeldShards held_ = {nullptr, nullptr};
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
  SingleFlight flights_;

  // Event listeners: replaced whole on (un)subscribe, read by deliver().
  // listeners_mu_ guards only the pointer (a leaf: nothing is locked while
  // it is held); subscribe_mu_ serializes subscribe and unsubscribe, which
  // lock every shard to switch the keyspaces' expiry logs.
  using Listeners = std::vector<std::pair<uint64_t, std::function<void(const Event&)>>>;
  std::mutex subscribe_mu_;
  std::mutex listeners_mu_;
  std::shared_ptr<const Listeners> listeners_;
  uint64_t next_listener_ = 1;
  std::atomic<bool> has_listeners_{false};
  bool has_subscribers_ = false;  // guarded by subscribe_mu_
  std::atomic<bool> subscribed_{false};  // its copy for release_with_events
  std::atomic<ChangeLog*> change_log_{nullptr};
  int64_t created_ms_;
  CommandStats command_stats_;
  std::mutex extension_mu_;
  std::unique_ptr<Extension> extension_;

  // Options::expiry_thread: runs expire_cycle() every interval until stopped.
  void expiry_loop(int64_t interval_ms);
  std::thread expiry_thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_STORE_IMPL_H_
