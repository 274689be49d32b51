// ShardLocks: how a call locks the shards it works on, and the used-memory
// count that write locks keep. The layer above StoreEvents in StoreImpl's
// chain (shard_map.h).
//
// Rules (docs/DESIGN.md, "Threads, locks and callbacks", lists every lock
// of the library): a call on one key locks one shard, shared to read and
// exclusive to write; calls on several keys lock their shards in ascending
// shard order (MultiLock), so they never deadlock. Batches and
// transactions hold every shard they touch for their whole run
// (HoldShards), and the calls they make meanwhile on that thread take no
// lock. A write's events are handed to the shard's outbox as it is
// released and delivered once the thread holds no lock of the Store
// (release() then deliver(); unlock() does both). With thread_safe = false
// no shard mutex is taken, but the rest (byte counting, events) is done.
#ifndef HASHSTORE_STORE_SHARD_LOCKS_H_
#define HASHSTORE_STORE_SHARD_LOCKS_H_

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "store/events.h"
#include "store/shard.h"
#include <hashstore/options.h>

namespace hashstore::internal {

// How a call locks a shard: readers share it, writers hold it alone.
// (What a call does to the key's hash is hash_access.h's Use.)
enum class LockMode : uint8_t { kShared, kExclusive };

// A set of shard indexes, one bit per shard: the shards a multi-shard lock
// takes, ascending.
class ShardSet {
 public:
  // Empty, for a Store of `shards` shards.
  explicit ShardSet(size_t shards) : words_((shards + 63) / 64) {}
  // Every one of `shards` shards.
  static ShardSet all(size_t shards) {
    ShardSet set(shards);
    for (size_t i = 0; i < shards; i += 64) {
      set.words_[i / 64] = shards - i >= 64 ? ~uint64_t{0} : (uint64_t{1} << (shards - i)) - 1;
    }
    return set;
  }
  void insert(size_t i) { words_[i / 64] |= uint64_t{1} << (i % 64); }
  bool contains(size_t i) const { return (words_[i / 64] >> (i % 64)) & 1; }
  // fn(index) for each member, ascending.
  template <class F>
  void for_each(F&& fn) const {
    for (size_t w = 0; w < words_.size(); ++w) {
      for (uint64_t bits = words_[w]; bits != 0; bits &= bits - 1) {
        fn(w * 64 + static_cast<size_t>(std::countr_zero(bits)));
      }
    }
  }

 private:
  std::vector<uint64_t> words_;
};

class ShardLocks : public StoreEvents {
 public:
  explicit ShardLocks(const Options& options) : StoreEvents(options) {}

  // The shards this thread holds through a HoldShards (a batch or
  // transaction), and whose they are; {nullptr, nullptr} when none.
  struct HeldShards {
    const ShardLocks* owner;
    const ShardSet* held;
  };
  static HeldShards& held_by_this_thread() { return held_; }
  bool holds(const Shard& s) const {
    const HeldShards& h = held_by_this_thread();
    return h.owner == this && h.held->contains(s.index);
  }

  // The fast paths' locks (hash_access.h): they record no event and mostly
  // change no size, so the write side skips the byte accounting and the
  // events (the one that resizes, replace_resized, counts its bytes itself:
  // count_plain_write).
  // No-ops when thread_safe = false or s is held by this thread.
  void lock_plain(Shard& s, LockMode a) {
    if (!thread_safe() || holds(s)) return;
    if (a == LockMode::kShared) {
      s.mu.lock_shared();
    } else {
      s.mu.lock();
    }
  }
  void unlock_plain(Shard& s, LockMode a) {
    if (!thread_safe() || holds(s)) return;
    if (a == LockMode::kShared) {
      s.mu.unlock_shared();
    } else {
      s.mu.unlock();
    }
  }

  // Locks one shard for reading (shared) or writing (exclusive). A write
  // lock also brackets the shard's change in bytes, which release() adds to
  // used_memory().
  void lock(Shard& s, LockMode a) {
    if (holds(s)) return;
    if (a == LockMode::kShared) {
      if (thread_safe()) s.mu.lock_shared();
    } else {
      if (thread_safe()) s.mu.lock();
      s.bytes_at_lock = s.keyspace.bytes();
    }
  }
  // Releases s; returns true when the write recorded events, which are now
  // in s's outbox: the caller delivers them (deliver(s)) once it holds no
  // lock of this Store, so that listeners never run under one.
  bool release(Shard& s, LockMode a) {
    if (holds(s)) return false;
    if (a == LockMode::kShared) {
      if (thread_safe()) s.mu.unlock_shared();
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
    if (thread_safe()) s.mu.unlock();
    return false;
  }
  // release(), then delivery. REQUIRES: s is the only lock of this Store
  // the thread holds.
  void unlock(Shard& s, LockMode a) {
    if (release(s, a)) deliver(s);
  }

  // Adds a write's change in s's bytes to used_memory() when s was taken
  // by lock_plain (which does not bracket the shard's bytes); under a hold
  // (lock()), release() counts it. REQUIRES: s held for writing.
  void count_plain_write(Shard& s, int64_t delta) {
    if (!holds(s)) used_.fetch_add(delta, std::memory_order_relaxed);
  }

  // Bytes of data held by all shards (Keyspace::bytes() summed), as of the
  // last write lock released.
  size_t used_memory() const {
    return static_cast<size_t>(std::max<int64_t>(0, used_.load(std::memory_order_relaxed)));
  }

  // Holds one shard (lock() .. unlock()) for its lifetime.
  class ShardLock {
   public:
    ShardLock(ShardLocks& impl, Shard& s, LockMode a) : impl_(impl), s_(s), a_(a) { impl_.lock(s_, a_); }
    ~ShardLock() { impl_.unlock(s_, a_); }
    ShardLock(const ShardLock&) = delete;
    ShardLock& operator=(const ShardLock&) = delete;

   private:
    ShardLocks& impl_;
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
  // The destructor releases every shard before it delivers any event
  // (shard_locks.cc).
  class MultiLock {
   public:
    MultiLock(ShardLocks& impl, const std::vector<uint64_t>& hashes, LockMode access);
    MultiLock(ShardLocks& impl, LockMode access);  // every shard
    // The shards of a set (sized for this Store). LockMode comes second so
    // that a braced list of hashes never matches this one.
    MultiLock(ShardLocks& impl, LockMode access, ShardSet shards);
    ~MultiLock();
    MultiLock(const MultiLock&) = delete;
    MultiLock& operator=(const MultiLock&) = delete;

    const ShardSet& shards() const { return shards_; }

   private:
    ShardLocks& impl_;
    LockMode access_;
    ShardSet shards_;
  };

  // Holds (write mode) the shards of `hashes`, or every shard, and marks
  // them as held by this thread so that the calls made meanwhile on this
  // thread take no locks of their own. REQUIRES: not nested.
  class HoldShards {
   public:
    HoldShards(ShardLocks& impl, const std::vector<uint64_t>& hashes, bool all_shards);
    ~HoldShards();
    HoldShards(const HoldShards&) = delete;
    HoldShards& operator=(const HoldShards&) = delete;

   private:
    MultiLock lock_;
  };

 protected:
  ~ShardLocks() = default;  // a base of StoreImpl only

 private:
  // Sum of the shards' changes in bytes, counted by release().
  std::atomic<int64_t> used_{0};
  // This thread's held shards (batches, transactions), inline so that the
  // check in every lock() and unlock() needs no call. (An initial-exec
  // tls_model attribute here made UBSan builds see a null address.)
  static inline thread_local HeldShards held_ = {nullptr, nullptr};
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_SHARD_LOCKS_H_
