// ShardLocks' multi-shard locks: MultiLock (ascending shard order, each
// shard once) and HoldShards (a batch's or transaction's shards, marked as
// held by this thread).
#include "store/shard_locks.h"

#include <cassert>
#include <utility>

namespace hashstore::internal {

namespace {

// The shards the keys of `hashes` live in.
ShardSet shards_of(const ShardLocks& impl, const std::vector<uint64_t>& hashes) {
  ShardSet set(impl.shard_count());
  for (uint64_t h : hashes) set.insert(impl.shard_index(h));
  return set;
}

}  // namespace

ShardLocks::MultiLock::MultiLock(ShardLocks& impl, const std::vector<uint64_t>& hashes,
                                 LockMode access)
    : MultiLock(impl, access, shards_of(impl, hashes)) {}

ShardLocks::MultiLock::MultiLock(ShardLocks& impl, LockMode access)
    : MultiLock(impl, access, ShardSet::all(impl.shard_count())) {}

ShardLocks::MultiLock::MultiLock(ShardLocks& impl, LockMode access, ShardSet shards)
    : impl_(impl), access_(access), shards_(std::move(shards)) {
  // Ascending shard order, each once: the order every multi-shard lock uses.
  shards_.for_each([&](size_t i) { impl_.lock(impl_.shard(i), access_); });
}

ShardLocks::MultiLock::~MultiLock() {
  // Every shard is released before any event is delivered: a listener may
  // read keys in any shard (issue 25: delivering one shard's events while
  // the next was still held made such a read fail to lock it).
  std::vector<Shard*> with_events;  // rare: only writes with listeners record events
  shards_.for_each([&](size_t i) {
    Shard& s = impl_.shard(i);
    if (impl_.release(s, access_)) with_events.push_back(&s);
  });
  for (Shard* s : with_events) impl_.deliver(*s);
}

ShardLocks::HoldShards::HoldShards(ShardLocks& impl, const std::vector<uint64_t>& hashes,
                                   bool all_shards)
    : lock_(impl, LockMode::kExclusive,
            all_shards ? ShardSet::all(impl.shard_count()) : shards_of(impl, hashes)) {
  assert(held_by_this_thread().owner == nullptr && "batches do not nest");
  held_by_this_thread() = HeldShards{&impl, &lock_.shards()};
}

ShardLocks::HoldShards::~HoldShards() {
  // Unmarked first, so that the lock's destructor (which runs after this
  // body) really releases the shards.
  held_by_this_thread() = HeldShards{nullptr, nullptr};
}

}  // namespace hashstore::internal
