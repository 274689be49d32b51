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
#ifndef HASHSTORE_STORE_STORE_IMPL_H_
#define HASHSTORE_STORE_STORE_IMPL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "hash/hash_object.h"
#include "keyspace/keyspace.h"
#include <hashstore/clock.h>
#include <hashstore/options.h>

namespace hashstore::internal {

struct Shard {
  explicit Shard(uint64_t seed) : keyspace(seed) {}
  absl::Mutex mu;
  Keyspace keyspace ABSL_GUARDED_BY(mu);
};

// How a call uses a shard: reads share it, writes hold it alone.
enum class Access : uint8_t { kRead, kWrite };

// Random bits for HRANDFIELD, RANDOMKEY, ...: one generator per thread, so
// that readers sharing a shard never share a generator.
absl::BitGen& thread_rng();

class StoreImpl {
 public:
  explicit StoreImpl(const Options& options);

  uint64_t hash(std::string_view key) const;
  size_t shard_count() const { return shards_.size(); }
  size_t shard_index(uint64_t h) const {
    return shard_bits_ == 0 ? 0 : static_cast<size_t>(h >> (64 - shard_bits_));
  }
  Shard& shard(size_t index) { return *shards_[index]; }
  Shard& shard_for(uint64_t h) { return *shards_[shard_index(h)]; }
  unsigned shard_bits() const { return shard_bits_; }

  // A snapshot of the conversion thresholds (CONFIG SET may change them).
  HashLimits limits() const {
    return HashLimits{max_listpack_entries_.load(std::memory_order_relaxed),
                      max_listpack_value_.load(std::memory_order_relaxed)};
  }
  void set_max_listpack_entries(size_t v) { max_listpack_entries_.store(v); }
  void set_max_listpack_value(size_t v) { max_listpack_value_.store(v); }

  const Clock& clock() const { return *clock_; }
  bool thread_safe() const { return thread_safe_; }

  // Locks one shard for reading (shared) or writing (exclusive); no-ops
  // when the Store was built with thread_safe = false.
  void lock(Shard& s, Access a) {
    if (!thread_safe_) return;
    if (a == Access::kRead) {
      s.mu.ReaderLock();
    } else {
      s.mu.Lock();
    }
  }
  void unlock(Shard& s, Access a) {
    if (!thread_safe_) return;
    if (a == Access::kRead) {
      s.mu.ReaderUnlock();
    } else {
      s.mu.Unlock();
    }
  }

  class ShardLock {
   public:
    ShardLock(StoreImpl& impl, Shard& s, Access a) : impl_(impl), s_(s), a_(a) { impl_.lock(s_, a_); }
    ~ShardLock() { impl_.unlock(s_, a_); }
    ShardLock(const ShardLock&) = delete;
    ShardLock& operator=(const ShardLock&) = delete;

   private:
    StoreImpl& impl_;
    Shard& s_;
    Access a_;
  };

  // Runs fn(keyspace, hash) with the key's shard locked as `access` says.
  template <class F>
  auto with_key(std::string_view key, Access access, F&& fn) {
    uint64_t h = hash(key);
    Shard& s = shard_for(h);
    ShardLock lock(*this, s, access);
    return fn(s.keyspace, h);
  }

  // Locks the shards of all `hashes` in ascending order (each once) for the
  // lifetime of the object; with no hashes given (all_shards), every shard.
  class MultiLock {
   public:
    MultiLock(StoreImpl& impl, const std::vector<uint64_t>& hashes, Access access);
    MultiLock(StoreImpl& impl, Access access);  // every shard
    ~MultiLock();
    MultiLock(const MultiLock&) = delete;
    MultiLock& operator=(const MultiLock&) = delete;

   private:
    void lock_indexes(std::vector<size_t> indexes);
    StoreImpl& impl_;
    Access access_;
    std::vector<Shard*> locked_;
  };

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  unsigned shard_bits_ = 0;
  uint64_t seed_ = 0;
  std::atomic<size_t> max_listpack_entries_;
  std::atomic<size_t> max_listpack_value_;
  const Clock* clock_;
  bool thread_safe_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_STORE_IMPL_H_
