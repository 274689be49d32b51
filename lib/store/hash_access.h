// on_hash: how Store's methods reach one key's hash — lock the key's shard,
// find the key (reclaiming what expired), run a function on its HashObject,
// and delete the key if the function left its hash empty.
#ifndef HASHSTORE_STORE_HASH_ACCESS_H_
#define HASHSTORE_STORE_HASH_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "hash/hash_object.h"
#include "keyspace/keyspace.h"
#include "store/store_impl.h"

namespace hashstore::internal {

// What a call does to a key's hash.
enum class Use : uint8_t {
  kRead,    // reads only; shares the shard
  kWrite,   // writes an existing hash
  kCreate,  // writes, creating the key when it is missing
};

// Runs fn(HashObject&) on key's hash with its shard locked. A missing key
// returns `fallback`, or with Use::kCreate is created empty first. After a
// write, the key is deleted when fn left its hash empty (HDEL of the last
// field, or a failed write on a new key): an empty hash does not exist.
// Expired fields are reclaimed before fn runs, so fn sees only live ones; a
// read that meets due fields takes the shard for writing to reclaim them.
//
// on_hash_held is the body, for a shard the caller holds: for writing, or
// for reading when the caller checked that the key has no due fields at
// `now` (read_needs_write).
template <class R, class F>
R on_hash_held(StoreImpl& impl, Shard& shard, std::string_view key, uint64_t h, Use use,
               Now& now, R fallback, F&& fn) {
  Keyspace& ks = shard.keyspace;
  void* e = use == Use::kRead ? ks.find_live(key, h, now) : ks.find_for_write(key, h, now);
  if (e != nullptr && use == Use::kRead && Keyspace::fields_due(e, now)) {
    e = ks.find_for_write(key, h, now);  // the shard is held for writing here
  }
  bool created = false;
  if (use == Use::kRead) {  // keyspace_hits / keyspace_misses, as Redis counts them
    (e != nullptr ? shard.hits : shard.misses).fetch_add(1, std::memory_order_relaxed);
  }
  if (e == nullptr) {
    if (use != Use::kCreate) return fallback;
    e = ks.create(key, h);
    created = true;
  }
  impl.touch(e, now, created);
  EntryHash storage(ks, e, h);
  const HashLimits limits = impl.limits();
  HashObject hash(storage, limits);
  if (use == Use::kRead) return fn(hash);
  // With listeners, the fields this write changes are recorded.
  std::vector<std::string> changed;
  std::optional<FieldLog> log;
  if (impl.has_listeners()) log.emplace(&changed);
  R result = fn(hash);
  log.reset();
  storage.settle();
  shard.note_write(key);
  if (!changed.empty()) impl.record(shard, kEventChanged, key, std::move(changed));
  if (hash.length() == 0) ks.erase(key, h);
  return result;
}

// Whether reading key at now must take its shard for writing (to reclaim
// expired fields first). REQUIRES: the shard held, at least for reading.
inline bool read_needs_write(Shard& shard, std::string_view key, uint64_t h, Now& now) {
  const void* e = shard.keyspace.find_live(key, h, now);
  return e != nullptr && Keyspace::fields_due(e, now);
}

template <class R, class F>
R on_hash_held(StoreImpl& impl, Shard& shard, std::string_view key, uint64_t h, Use use,
               R fallback, F&& fn) {
  Now now(impl.clock());
  return on_hash_held(impl, shard, key, h, use, now, std::move(fallback), std::forward<F>(fn));
}

template <class R, class F>
R on_hash(StoreImpl& impl, std::string_view key, Use use, R fallback, F&& fn) {
  const uint64_t h = impl.hash(key);
  Shard& shard = impl.shard_for(h);
  Now now(impl.clock());
  if (use == Use::kRead) {
    StoreImpl::ShardLock lock(impl, shard, Access::kRead);
    if (!read_needs_write(shard, key, h, now)) {
      return on_hash_held(impl, shard, key, h, use, now, std::move(fallback),
                          std::forward<F>(fn));
    }
  }
  StoreImpl::ShardLock lock(impl, shard, Access::kWrite);
  return on_hash_held(impl, shard, key, h, use, now, std::move(fallback), std::forward<F>(fn));
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_HASH_ACCESS_H_
