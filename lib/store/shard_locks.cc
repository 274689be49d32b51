// ShardLocks' multi-shard locks: MultiLock (ascending shard order, each
// shard once) and HoldShards (a batch's or transaction's shards, marked as
// held by this thread).
#include "store/shard_locks.h"

#include <cassert>

namespace hashstore::internal {

namespace {

// Which shards the keys of `hashes` live in, one flag per shard.
std::vector<bool> shards_of(const ShardLocks& impl, const std::vector<uint64_t>& hashes) {
  std::vector<bool> marked(impl.shard_count());
  for (uint64_t h : hashes) marked[impl.shard_index(h)] = true;
  return marked;
}

}  // namespace

ShardLocks::MultiLock::MultiLock(ShardLocks& impl, const std::vector<uint64_t>& hashes,
                                 LockMode access)
    : MultiLock(impl, access, shards_of(impl, hashes)) {}

ShardLocks::MultiLock::MultiLock(ShardLocks& impl, LockMode access)
    : MultiLock(impl, access, std::vector<bool>(impl.shard_count(), true)) {}

ShardLocks::MultiLock::MultiLock(ShardLocks& impl, LockMode access,
                                 const std::vector<bool>& shards)
    : impl_(impl), access_(access) {
  // Ascending shard order, each once: the order every multi-shard lock uses.
  for (size_t i = 0; i < shards.size(); ++i) {
    if (!shards[i]) continue;
    Shard* s = &impl_.shard(i);
    impl_.lock(*s, access_);
    locked_.push_back(s);
  }
}

ShardLocks::MultiLock::~MultiLock() {
  // Every shard is released before any event is delivered: a listener may
  // read keys in any shard (issue 25: delivering one shard's events while
  // the next was still held made such a read fail to lock it).
  size_t with_events = 0;  // the first with_events entries of locked_ are kept for delivery
  for (Shard* s : locked_) {
    if (impl_.release(*s, access_)) locked_[with_events++] = s;
  }
  for (size_t i = 0; i < with_events; ++i) impl_.deliver(*locked_[i]);
}

ShardLocks::HoldShards::HoldShards(ShardLocks& impl, const std::vector<uint64_t>& hashes,
                                   bool all_shards)
    : held_(all_shards ? std::vector<bool>(impl.shard_count(), true) : shards_of(impl, hashes)) {
  assert(held_by_this_thread().owner == nullptr && "batches do not nest");
  lock_ = std::make_unique<MultiLock>(impl, LockMode::kExclusive, held_);
  held_by_this_thread() = HeldShards{&impl, &held_};
}

ShardLocks::HoldShards::~HoldShards() {
  held_by_this_thread() = HeldShards{nullptr, nullptr};
  lock_.reset();
}

}  // namespace hashstore::internal
