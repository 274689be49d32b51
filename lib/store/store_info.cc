// Store::info(): the figures behind INFO (memory, stats, keyspace,
// encodings), gathered shard by shard under each shard's read lock, so
// each shard's figures are consistent and the totals are a sum of them.
#include <hashstore/store.h>

#include "store/store_impl.h"

namespace hashstore {

using internal::LockMode;
using internal::Shard;
using internal::StoreImpl;

size_t Store::used_memory() { return impl_->used_memory(); }

Info Store::info() {
  Info info;
  info.used_memory = impl_->used_memory();
  info.maxmemory = impl_->maxmemory();
  info.maxmemory_policy = impl_->policy();
  info.evicted_keys = impl_->evicted_keys();
  const int64_t now = impl_->clock().now_ms();
  for (size_t i = 0; i < impl_->shard_count(); ++i) {
    Shard& s = impl_->shard(i);
    StoreImpl::ShardLock lock(*impl_, s, LockMode::kShared);
    const internal::Keyspace& ks = s.keyspace;
    info.keyspace_hits += s.hits();
    info.keyspace_misses += s.misses();
    info.expired_keys += ks.expired_keys();
    info.expired_fields += ks.expired_fields();
    ks.for_each([&](const void* e) {
      if (internal::Keyspace::expired(e, now)) return;
      ++info.keys;
      if (internal::key_entry::death_ms(e)) ++info.keys_with_ttl;
      const bool field_ttls = internal::key_entry::flags(e) & internal::key_entry::kFieldTtl;
      if (field_ttls) ++info.hashes_with_field_ttls;
      if (internal::key_entry::encoding(e) == internal::HashEncoding::kTable) {
        ++info.hashtable_hashes;
      } else {
        ++(field_ttls ? info.listpackex_hashes : info.listpack_hashes);
      }
    });
  }
  return info;
}

}  // namespace hashstore
