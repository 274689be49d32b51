// hashstore::Store's typed methods, on top of StoreImpl's shards: the
// store's setup, watches and key commands. (Field
// commands are in store_fields.cc; Store::execute lives with the command
// table in lib/command.)
#include <hashstore/store.h>

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "store/hash_access.h"
#include "store/store_impl.h"
#include "store/store_internal.h"
#include "util/bytes.h"
#include "util/errors.h"
#include "util/glob_match.h"
#include "util/number.h"
#include "util/absl_view.h"

namespace hashstore {
namespace internal {

StoreImpl::StoreImpl(const Options& options)
    : ActiveExpiry(options),
      created_ms_(clock().now_ms()) {
  start_expiry_thread(options);  // last: the thread may touch everything above
}

StoreImpl::~StoreImpl() {
  extension_.reset();  // ends a background save while the shards still exist
  stop_expiry_thread();
}

absl::BitGen& thread_rng() {
  thread_local absl::BitGen gen;
  return gen;
}

absl::Status wrong_arity(std::string_view command) {
  return absl::InvalidArgumentError(wrong_arity_text(command));
}

namespace {

std::vector<uint64_t> hashes_of(StoreImpl& impl, std::span<const std::string_view> keys) {
  std::vector<uint64_t> hashes;
  hashes.reserve(keys.size());
  for (std::string_view k : keys) hashes.push_back(impl.hash(k));
  return hashes;
}

// Runs fn(shard, key, hash, now) for each of keys (in order) with their
// shards locked as `mode` says: the multi-key commands' loop.
template <class F>
void for_each_key(StoreImpl& impl, std::span<const std::string_view> keys, LockMode mode, F&& fn) {
  const std::vector<uint64_t> hashes = hashes_of(impl, keys);
  StoreImpl::MultiLock lock(impl, hashes, mode);
  Now now(impl.clock());
  for (size_t i = 0; i < keys.size(); ++i) fn(impl.shard_for(hashes[i]), keys[i], hashes[i], now);
}

// DEL's body, shared with UNLINK (a typed method never calls another: each
// counts itself, command_stats.h).
int64_t delete_keys(StoreImpl& impl, std::span<const std::string_view> keys) {
  int64_t removed = 0;
  for_each_key(impl, keys, LockMode::kExclusive,
               [&](Shard& s, std::string_view key, uint64_t h, Now& now) {
                 if (s.keyspace.find_for_write(key, h, now) != nullptr && s.keyspace.erase(key, h)) {
                   s.note_write(key);
                   impl.record(s, kEventDeleted, key);
                   ++removed;
                 }
               });
  return removed;
}

// EXISTS's body, shared with TYPE.
int64_t count_existing(StoreImpl& impl, std::span<const std::string_view> keys) {
  int64_t found = 0;
  for_each_key(impl, keys, LockMode::kShared,
               [&](Shard& s, std::string_view key, uint64_t h, Now& now) {
                 found += s.keyspace.find_live(key, h, now) != nullptr ? 1 : 0;
               });
  return found;
}

}  // namespace
}  // namespace internal

using internal::LockMode;
using internal::Use;
using internal::HashObject;
using internal::on_hash;
using internal::Shard;
using internal::StoreImpl;

Store::Store() : Store(Options{}) {}
Store::Store(const Options& options) : impl_(std::make_unique<StoreImpl>(options)) {}
Store::~Store() = default;

// ---- Watch ------------------------------------------------------------------------

Store::Watch::Watch(Store* store) : store_(store) {}

Store::Watch::Watch(Watch&& other) noexcept
    : store_(other.store_), entries_(std::move(other.entries_)) {
  other.store_ = nullptr;
}

Store::Watch::~Watch() {
  if (store_ == nullptr) return;
  for (const Entry& e : entries_) {
    Shard& shard = store_->impl_->shard_for(e.hash);
    StoreImpl::ShardLock lock(*store_->impl_, shard, LockMode::kExclusive);
    auto it = shard.watched.find(absl::string_view(e.key));
    if (it != shard.watched.end() && --it->second.watchers == 0) shard.watched.erase(it);
  }
}

Store::Watch Store::watch(std::span<const std::string_view> keys) {
  Watch w(this);
  for (std::string_view key : keys) {
    const uint64_t h = impl_->hash(key);
    Shard& shard = impl_->shard_for(h);
    StoreImpl::ShardLock lock(*impl_, shard, LockMode::kExclusive);
    internal::WatchedKey& wk = shard.watched[absl::string_view(key.data(), key.size())];
    ++wk.watchers;
    w.entries_.push_back(Watch::Entry{std::string(key), h, wk.version});
  }
  return w;
}

Store::Watch Store::watch(std::initializer_list<std::string_view> keys) {
  return watch(std::span<const std::string_view>(keys.begin(), keys.size()));
}

bool internal::watch_unchanged(StoreImpl& impl, const Store::Watch& w) {
  for (const StoreInternal::WatchEntry& e : StoreInternal::entries(w)) {
    Shard& shard = impl.shard_for(e.hash);
    auto it = shard.watched.find(absl::string_view(e.key));
    if (it == shard.watched.end() || it->second.version != e.version) return false;
  }
  return true;
}

// ---- Key commands -------------------------------------------------------------

int64_t Store::del(std::span<const std::string_view> keys) {
  HS_COUNT_CALL(kDel);
  return internal::delete_keys(*impl_, keys);
}

int64_t Store::del(std::initializer_list<std::string_view> keys) {
  return del(std::span<const std::string_view>(keys.begin(), keys.size()));
}

int64_t Store::unlink(std::span<const std::string_view> keys) {
  HS_COUNT_CALL(kUnlink);
  return internal::delete_keys(*impl_, keys);
}

int64_t Store::exists(std::span<const std::string_view> keys) {
  HS_COUNT_CALL(kExists);
  return internal::count_existing(*impl_, keys);
}

int64_t Store::exists(std::initializer_list<std::string_view> keys) {
  return exists(std::span<const std::string_view>(keys.begin(), keys.size()));
}

std::string Store::type(std::string_view key) {
  HS_COUNT_CALL(kType);
  const std::string_view keys[] = {key};
  return internal::count_existing(*impl_, keys) ? "hash" : "none";
}

std::optional<std::string> Store::object_encoding(std::string_view key) {
  HS_COUNT_CALL(kObjectEncoding);
  return on_hash(*impl_, key, Use::kRead, std::optional<std::string>(),
                 [](HashObject& hash) -> std::optional<std::string> {
                   // Redis 7.4+ names a listpack with field TTLs "listpackex".
                   if (hash.encoding() == internal::HashEncoding::kListpack &&
                       hash.has_field_ttls()) {
                     return "listpackex";
                   }
                   return internal::encoding_name(hash.encoding());
                 });
}

ScanPage Store::scan(uint64_t cursor, const ScanOptions& options) {
  HS_COUNT_CALL(kScan);
  // Cursor layout: the low shard_bits bits name the shard, the bits above
  // hold that shard's key-table cursor. Shards are scanned one after another.
  ScanPage page;
  const unsigned bits = impl_->shard_bits();
  size_t shard = static_cast<size_t>(cursor & ((uint64_t{1} << bits) - 1));
  uint64_t table_cursor = bits == 0 ? cursor : cursor >> bits;
  // Redis skips matching for "*" (glob_match("*", "") is false).
  const bool all = !options.match || *options.match == "*";
  const bool type_ok = options.type.empty() || absl::EqualsIgnoreCase(
                                                   absl::string_view(options.type.data(), options.type.size()), "hash");
  const size_t want = static_cast<size_t>(std::max<int64_t>(1, options.count));
  size_t visited = 0;
  internal::Now now(impl_->clock());
  while (visited < want) {
    Shard& s = impl_->shard(shard);
    {
      StoreImpl::ShardLock lock(*impl_, s, LockMode::kShared);
      table_cursor = s.keyspace.scan(table_cursor, [&](const void* e) {
        ++visited;
        if (internal::Keyspace::expired(e, now)) return;
        std::string_view k = internal::key_entry::key(e);
        if (type_ok && (all || internal::glob_match(*options.match, k))) page.items.emplace_back(k);
      });
    }
    if (table_cursor == 0) {
      if (++shard == impl_->shard_count()) {
        page.cursor = 0;
        return page;
      }
    }
  }
  page.cursor = bits == 0 ? table_cursor : (table_cursor << bits) | shard;
  return page;
}

std::vector<std::string> Store::keys(std::string_view pattern) {
  HS_COUNT_CALL(kKeys);
  std::vector<std::string> out;
  const bool all = pattern == "*";
  internal::Now now(impl_->clock());
  for (size_t i = 0; i < impl_->shard_count(); ++i) {
    Shard& s = impl_->shard(i);
    StoreImpl::ShardLock lock(*impl_, s, LockMode::kShared);
    s.keyspace.for_each([&](const void* e) {
      if (internal::Keyspace::expired(e, now)) return;
      std::string_view k = internal::key_entry::key(e);
      if (all || internal::glob_match(pattern, k)) out.emplace_back(k);
    });
  }
  return out;
}

namespace {

// RENAME's and RENAMENX's common end: moves src's entry to dst, bumps both
// keys' WATCH versions and records src deleted, dst changed. REQUIRES: both
// shards held for writing; src exists, dst is absent.
void move_entry(StoreImpl& impl, std::string_view src, uint64_t hs, std::string_view dst,
                uint64_t hd) {
  Shard& from = impl.shard_for(hs);
  Shard& to = impl.shard_for(hd);
  void* old = from.keyspace.detach(src, hs);
  void* fresh = internal::key_entry::rekey(old, dst, internal::key_entry::expire_ms(old),
                                           to.keyspace.alloc());
  internal::key_entry::free_shell(old, from.keyspace.arena());
  to.keyspace.insert(fresh, hd);
  from.note_write(src);
  to.note_write(dst);
  impl.record(from, internal::kEventDeleted, src);
  impl.record(to, internal::kEventChanged, dst);
}

// RENAME's and RENAMENX's body: false (nothing moved) only when nx and
// dst exists; NotFound when src does not.
absl::StatusOr<bool> rename_key(StoreImpl& impl, std::string_view src, std::string_view dst,
                                bool nx) {
  const uint64_t hs = impl.hash(src), hd = impl.hash(dst);
  StoreImpl::MultiLock lock(impl, {hs, hd}, LockMode::kExclusive);
  auto& from = impl.shard_for(hs).keyspace;
  auto& to = impl.shard_for(hd).keyspace;
  internal::Now now(impl.clock());
  if (from.find_for_write(src, hs, now) == nullptr) return absl::NotFoundError(internal::kErrNoSuchKey);
  if (src == dst) return !nx;
  if (nx && to.find_for_write(dst, hd, now) != nullptr) return false;
  to.erase(dst, hd);
  move_entry(impl, src, hs, dst, hd);
  return true;
}

}  // namespace

absl::Status Store::rename(std::string_view src, std::string_view dst) {
  HS_COUNT_CALL(kRename);
  return rename_key(*impl_, src, dst, /*nx=*/false).status();
}

absl::StatusOr<bool> Store::renamenx(std::string_view src, std::string_view dst) {
  HS_COUNT_CALL(kRenamenx);
  return rename_key(*impl_, src, dst, /*nx=*/true);
}

absl::StatusOr<bool> Store::copy(std::string_view src, std::string_view dst, bool replace) {
  HS_COUNT_CALL(kCopy);
  if (absl::Status room = impl_->make_room(); !room.ok()) return room;
  // Redis refuses it before looking the key up (and COPY k k REPLACE would
  // otherwise erase the source before copying it).
  if (src == dst) {
    return absl::InvalidArgumentError("ERR source and destination objects are the same");
  }
  const uint64_t hs = impl_->hash(src), hd = impl_->hash(dst);
  StoreImpl::MultiLock lock(*impl_, {hs, hd}, LockMode::kExclusive);
  auto& from = impl_->shard_for(hs).keyspace;
  auto& to = impl_->shard_for(hd).keyspace;
  internal::Now now(impl_->clock());
  to.find_for_write(dst, hd, now);  // reclaims an expired destination
  const void* e = from.find_for_write(src, hs, now);
  if (e == nullptr) return false;
  if (to.find(dst, hd) != nullptr) {
    if (!replace) return false;
    to.erase(dst, hd);
  }
  to.insert(internal::key_entry::clone(e, dst, to.alloc()), hd);
  impl_->shard_for(hd).note_write(dst);
  impl_->record(impl_->shard_for(hd), internal::kEventChanged, dst);
  return true;
}

int64_t Store::dbsize() {
  HS_COUNT_CALL(kDbsize);
  StoreImpl::MultiLock lock(*impl_, LockMode::kShared);
  internal::Now now(impl_->clock());
  int64_t n = 0;
  for (size_t i = 0; i < impl_->shard_count(); ++i) {
    n += static_cast<int64_t>(impl_->shard(i).keyspace.live_size(now.ms()));
  }
  return n;
}

void Store::flushall() {
  HS_COUNT_CALL(kFlushall);
  internal::ChangeLog* log;
  {
    StoreImpl::MultiLock lock(*impl_, LockMode::kExclusive);
    for (size_t i = 0; i < impl_->shard_count(); ++i) {
      impl_->shard(i).keyspace.clear();
      impl_->shard(i).note_write_all();
    }
    log = impl_->change_log();
    if (log != nullptr) log->log_flushall();
  }
  if (log != nullptr) log->wait_durable();  // records no event: no deliver() waits
}

std::optional<std::string> Store::randomkey() {
  HS_COUNT_CALL(kRandomkey);
  // Every shard is held so that the draw is uniform over one consistent
  // keyspace: pick a shard weighted by its size, then an entry in it.
  StoreImpl::MultiLock lock(*impl_, LockMode::kShared);
  internal::Now now(impl_->clock());
  size_t total = 0, live = 0;
  for (size_t i = 0; i < impl_->shard_count(); ++i) {
    total += impl_->shard(i).keyspace.size();
    live += impl_->shard(i).keyspace.live_size(now.ms());
  }
  if (live == 0) return std::nullopt;
  absl::BitGen& gen = internal::thread_rng();
  // Draw among all entries and skip expired ones (they are rare once the
  // expiry cycle runs); every live key keeps the same chance.
  for (;;) {
    size_t pick = absl::Uniform<size_t>(gen, 0, total);
    for (size_t i = 0; i < impl_->shard_count(); ++i) {
      const internal::Keyspace& ks = impl_->shard(i).keyspace;
      if (pick < ks.size()) {
        const void* e = ks.random_entry(absl::Uniform<uint64_t>(gen));
        if (!internal::Keyspace::expired(e, now)) return std::string(internal::key_entry::key(e));
        break;
      }
      pick -= ks.size();
    }
  }
}

std::optional<int64_t> Store::memory_usage(std::string_view key) {
  HS_COUNT_CALL(kMemoryUsage);
  return impl_->with_key(key, LockMode::kShared,
                         [&](internal::Keyspace& ks, uint64_t h) -> std::optional<int64_t> {
    internal::Now now(impl_->clock());
    const void* e = ks.find_live(key, h, now);
    if (e == nullptr) return std::nullopt;
    return static_cast<int64_t>(internal::entry_memory_usage(e));
  });
}

}  // namespace hashstore
