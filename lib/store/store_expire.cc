// Key TTLs: EXPIRE and friends, TTL queries and PERSIST (Store methods).
// Active expiry, the cycle and its thread, is expiry.h's.
//
// Semantics follow Redis 7.0's expireGenericCommand and ttlGenericCommand:
// options are checked first, then the time; seconds are multiplied into
// milliseconds with overflow checks; a time that is not in the future
// deletes the key; TTL rounds to the nearest second.
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"
#include "store/store_impl.h"
#include "util/errors.h"

namespace hashstore {

namespace internal {

absl::Status check_expire_flags(unsigned flags) {
  if ((flags & kExpireNX) && (flags & (kExpireXX | kExpireGT | kExpireLT))) {
    return absl::InvalidArgumentError(
        "ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((flags & kExpireGT) && (flags & kExpireLT)) {
    return absl::InvalidArgumentError("ERR GT and LT options at the same time are not compatible");
  }
  return absl::OkStatus();
}

}  // namespace internal

using internal::LockMode;
using internal::Shard;
using internal::StoreImpl;

namespace {

absl::StatusOr<bool> expire_at_ms(StoreImpl& impl, std::string_view key, int64_t when,
                                  bool relative, int64_t unit_ms, unsigned flags,
                                  const char* command) {
  if (absl::Status st = internal::check_expire_flags(flags); !st.ok()) return st;
  const absl::Status bad_time =
      absl::InvalidArgumentError(internal::invalid_expire_time_text(command));
  if (unit_ms == 1000) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) return bad_time;
    when *= 1000;
  }
  const uint64_t h = impl.hash(key);
  Shard& shard = impl.shard_for(h);
  StoreImpl::ShardLock lock(impl, shard, LockMode::kExclusive);
  const int64_t now = impl.clock().now_ms();
  if (relative) {
    if (when > INT64_MAX - now) return bad_time;
    when += now;
  }
  internal::Keyspace& ks = shard.keyspace;
  internal::Now at(now);
  void* e = ks.find_for_write(key, h, at);
  if (e == nullptr) return false;
  const std::optional<int64_t> current = internal::key_entry::expire_ms(e);
  if ((flags & kExpireNX) && current) return false;
  if ((flags & kExpireXX) && !current) return false;
  if ((flags & kExpireGT) && (!current || when <= *current)) return false;
  if ((flags & kExpireLT) && current && when >= *current) return false;
  shard.note_write(key);
  if (when <= now) {
    ks.erase(key, h);
    impl.record(shard, internal::kEventDeleted, key);
  } else {
    ks.set_expire(e, h, when);
    impl.record(shard, internal::kEventChanged, key);
  }
  return true;
}

}  // namespace

absl::StatusOr<bool> Store::expire(std::string_view key, int64_t seconds, unsigned flags) {
  HS_COUNT_CALL(kExpire);
  return expire_at_ms(*impl_, key, seconds, true, 1000, flags, "expire");
}
absl::StatusOr<bool> Store::pexpire(std::string_view key, int64_t ms, unsigned flags) {
  HS_COUNT_CALL(kPexpire);
  return expire_at_ms(*impl_, key, ms, true, 1, flags, "pexpire");
}
absl::StatusOr<bool> Store::expireat(std::string_view key, int64_t unix_seconds, unsigned flags) {
  HS_COUNT_CALL(kExpireat);
  return expire_at_ms(*impl_, key, unix_seconds, false, 1000, flags, "expireat");
}
absl::StatusOr<bool> Store::pexpireat(std::string_view key, int64_t unix_ms, unsigned flags) {
  HS_COUNT_CALL(kPexpireat);
  return expire_at_ms(*impl_, key, unix_ms, false, 1, flags, "pexpireat");
}

namespace {

int64_t ttl_query(StoreImpl& impl, std::string_view key, bool absolute, bool ms) {
  return impl.with_key(key, LockMode::kShared, [&](internal::Keyspace& ks, uint64_t h) -> int64_t {
    const int64_t now = impl.clock().now_ms();
    internal::Now at(now);
    const void* e = ks.find_live(key, h, at);
    if (e == nullptr) return -2;
    const std::optional<int64_t> t = internal::key_entry::expire_ms(e);
    if (!t) return -1;
    int64_t v = absolute ? *t : *t - now;
    if (v < 0) v = 0;
    return ms ? v : (v + 500) / 1000;
  });
}

}  // namespace

int64_t Store::ttl(std::string_view key) {
  HS_COUNT_CALL(kTtl);
  return ttl_query(*impl_, key, false, false);
}
int64_t Store::pttl(std::string_view key) {
  HS_COUNT_CALL(kPttl);
  return ttl_query(*impl_, key, false, true);
}
int64_t Store::expiretime(std::string_view key) {
  HS_COUNT_CALL(kExpiretime);
  return ttl_query(*impl_, key, true, false);
}
int64_t Store::pexpiretime(std::string_view key) {
  HS_COUNT_CALL(kPexpiretime);
  return ttl_query(*impl_, key, true, true);
}

bool Store::persist(std::string_view key) {
  HS_COUNT_CALL(kPersist);
  return impl_->with_key(key, LockMode::kExclusive, [&](internal::Keyspace& ks, uint64_t h) {
    internal::Now now(impl_->clock());
    void* e = ks.find_for_write(key, h, now);
    if (e == nullptr || !internal::key_entry::expire_ms(e)) return false;
    ks.set_expire(e, h, std::nullopt);
    impl_->shard_for(h).note_write(key);
    impl_->record(impl_->shard_for(h), internal::kEventChanged, key);
    return true;
  });
}

size_t Store::expire_cycle(size_t max_keys_per_shard) {
  return impl_->expire_cycle(max_keys_per_shard);
}

}  // namespace hashstore
