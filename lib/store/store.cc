// hashstore::Store's typed methods, on top of StoreImpl's shards: the
// store's setup, multi-shard locking, watches and key commands. (Field
// commands are in store_fields.cc; Store::execute lives with the command
// table in lib/command.)
#include <hashstore/store.h>

#include <algorithm>
#include <map>
#include <cassert>
#include <bit>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "store/hash_access.h"
#include "store/store_impl.h"
#include "store/store_internal.h"
#include "util/bytes.h"
#include "util/errors.h"
#include "util/glob_match.h"
#include "util/number.h"
#include "util/random.h"
#include "util/absl_view.h"

namespace hashstore {
namespace internal {

namespace {

// 32 shards per core (at most 1024): with more threads than cores, a thread
// preempted while it holds a shard stalls that shard's other callers until
// it runs again, so the share of keys one preempted holder blocks must be
// small. hashstore-bench threads, 90/10 HGET/HSET on 2 cores: 8 threads did
// 0.9x the operations of 2 with 8 shards, 1.0x with 32, 1.2x with 64.
// Under ThreadSanitizer at most 32: its deadlock detector tracks at most 64
// locks held by one thread, and a call that holds every shard (FLUSHALL, a
// transaction, a snapshot) takes one more lock while it releases them.
size_t default_shards() {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
#ifdef HASHSTORE_TSAN
  constexpr size_t kMaxDefault = 32;
#else
  constexpr size_t kMaxDefault = 1024;
#endif
  return std::bit_ceil(std::min<size_t>(cores * 32, kMaxDefault));
}

}  // namespace

StoreImpl::StoreImpl(const Options& options)
    : seed_(options.hash_seed ? *options.hash_seed : random_seed()),
      max_listpack_entries_(options.hash_max_listpack_entries),
      max_listpack_value_(options.hash_max_listpack_value),
      clock_(options.clock ? options.clock : &SystemClock::instance()),
      thread_safe_(options.thread_safe),
      created_ms_(clock_->now_ms()) {
  size_t n = std::bit_ceil(options.shards == 0 ? default_shards() : options.shards);
  shard_bits_ = static_cast<unsigned>(std::countr_zero(n));
  shards_.reserve(n);
  for (size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(i, seed_));
  set_maxmemory(options.maxmemory);
  policy_ = options.maxmemory_policy;
  samples_ = std::max(1, options.maxmemory_samples);
  evict_rng_.seed(seed_);
  // A background thread needs locks: with thread_safe = false the program
  // calls expire_cycle() itself.
  if (options.expiry_thread && thread_safe_) {
    const int64_t interval = std::max<int64_t>(1, options.expiry_interval_ms);
    expiry_thread_ = std::thread([this, interval] { expiry_loop(interval); });
  }
}

StoreImpl::~StoreImpl() {
  extension_.reset();  // ends a background save while the shards still exist
  if (expiry_thread_.joinable()) {
    {
      std::lock_guard<std::mutex> l(stop_mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    expiry_thread_.join();
  }
}

absl::BitGen& thread_rng() {
  thread_local absl::BitGen gen;
  return gen;
}

absl::Status wrong_arity(std::string_view command) {
  return absl::InvalidArgumentError(wrong_arity_text(command));
}

namespace {

// Which shards the keys of `hashes` live in, one flag per shard.
std::vector<bool> shards_of(const StoreImpl& impl, const std::vector<uint64_t>& hashes) {
  std::vector<bool> marked(impl.shard_count());
  for (uint64_t h : hashes) marked[impl.shard_index(h)] = true;
  return marked;
}

}  // namespace

StoreImpl::MultiLock::MultiLock(StoreImpl& impl, const std::vector<uint64_t>& hashes,
                                LockMode access)
    : MultiLock(impl, access, shards_of(impl, hashes)) {}

StoreImpl::MultiLock::MultiLock(StoreImpl& impl, LockMode access)
    : MultiLock(impl, access, std::vector<bool>(impl.shard_count(), true)) {}

StoreImpl::MultiLock::MultiLock(StoreImpl& impl, LockMode access, const std::vector<bool>& shards)
    : impl_(impl), access_(access) {
  // Ascending shard order, each once: the order every multi-shard lock uses.
  for (size_t i = 0; i < shards.size(); ++i) {
    if (!shards[i]) continue;
    Shard* s = &impl_.shard(i);
    impl_.lock(*s, access_);
    locked_.push_back(s);
  }
}

StoreImpl::HoldShards::HoldShards(StoreImpl& impl, const std::vector<uint64_t>& hashes,
                                  bool all_shards)
    : held_(all_shards ? std::vector<bool>(impl.shard_count(), true) : shards_of(impl, hashes)) {
  assert(held_by_this_thread().owner == nullptr && "batches do not nest");
  lock_ = std::make_unique<MultiLock>(impl, LockMode::kExclusive, held_);
  held_by_this_thread() = HeldShards{&impl, &held_};
}

StoreImpl::HoldShards::~HoldShards() {
  held_by_this_thread() = HeldShards{nullptr, nullptr};
  lock_.reset();
}

StoreImpl::MultiLock::~MultiLock() {
  // Every shard is released before any event is delivered: a listener may
  // read keys in any shard (issue 25: delivering one shard's events while
  // the next was still held made such a read fail to lock it).
  size_t with_events = 0;  // the first with_events entries of locked_ are kept for delivery
  for (Shard* s : locked_) {
    if (impl_.release(*s, access_)) locked_[with_events++] = s;
  }
  for (size_t i = 0; i < with_events; ++i) impl_.deliver(*locked_[i]);
}

namespace {

std::vector<uint64_t> hashes_of(StoreImpl& impl, std::span<const std::string_view> keys) {
  std::vector<uint64_t> hashes;
  hashes.reserve(keys.size());
  for (std::string_view k : keys) hashes.push_back(impl.hash(k));
  return hashes;
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
  std::vector<uint64_t> hashes = internal::hashes_of(*impl_, keys);
  StoreImpl::MultiLock lock(*impl_, hashes, LockMode::kExclusive);
  internal::Now now(impl_->clock());
  int64_t removed = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    Shard& s = impl_->shard_for(hashes[i]);
    if (s.keyspace.find_for_write(keys[i], hashes[i], now) != nullptr &&
        s.keyspace.erase(keys[i], hashes[i])) {
      s.note_write(keys[i]);
      impl_->record(s, internal::kEventDeleted, keys[i]);
      ++removed;
    }
  }
  return removed;
}

int64_t Store::del(std::initializer_list<std::string_view> keys) {
  return del(std::span<const std::string_view>(keys.begin(), keys.size()));
}

int64_t Store::unlink(std::span<const std::string_view> keys) {
  HS_COUNT_CALL(kUnlink);
  return del(keys);
}

int64_t Store::exists(std::span<const std::string_view> keys) {
  HS_COUNT_CALL(kExists);
  std::vector<uint64_t> hashes = internal::hashes_of(*impl_, keys);
  StoreImpl::MultiLock lock(*impl_, hashes, LockMode::kShared);
  internal::Now now(impl_->clock());
  int64_t found = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    Shard& s = impl_->shard_for(hashes[i]);
    found += s.keyspace.find_live(keys[i], hashes[i], now) != nullptr ? 1 : 0;
  }
  return found;
}

int64_t Store::exists(std::initializer_list<std::string_view> keys) {
  return exists(std::span<const std::string_view>(keys.begin(), keys.size()));
}

std::string Store::type(std::string_view key) {
  HS_COUNT_CALL(kType);
  return exists({key}) ? "hash" : "none";
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
  void* fresh = internal::key_entry::rekey(old, dst, internal::key_entry::expire_ms(old));
  internal::key_entry::free_shell(old);
  to.keyspace.insert(fresh, hd);
  from.note_write(src);
  to.note_write(dst);
  impl.record(from, internal::kEventDeleted, src);
  impl.record(to, internal::kEventChanged, dst);
}

}  // namespace

absl::Status Store::rename(std::string_view src, std::string_view dst) {
  HS_COUNT_CALL(kRename);
  const uint64_t hs = impl_->hash(src), hd = impl_->hash(dst);
  StoreImpl::MultiLock lock(*impl_, {hs, hd}, LockMode::kExclusive);
  auto& from = impl_->shard_for(hs).keyspace;
  auto& to = impl_->shard_for(hd).keyspace;
  internal::Now now(impl_->clock());
  if (from.find_for_write(src, hs, now) == nullptr) return absl::NotFoundError(internal::kErrNoSuchKey);
  if (src == dst) return absl::OkStatus();
  to.erase(dst, hd);
  move_entry(*impl_, src, hs, dst, hd);
  return absl::OkStatus();
}

absl::StatusOr<bool> Store::renamenx(std::string_view src, std::string_view dst) {
  HS_COUNT_CALL(kRenamenx);
  const uint64_t hs = impl_->hash(src), hd = impl_->hash(dst);
  StoreImpl::MultiLock lock(*impl_, {hs, hd}, LockMode::kExclusive);
  auto& from = impl_->shard_for(hs).keyspace;
  auto& to = impl_->shard_for(hd).keyspace;
  internal::Now now(impl_->clock());
  if (from.find_for_write(src, hs, now) == nullptr) return absl::NotFoundError(internal::kErrNoSuchKey);
  if (src == dst || to.find_for_write(dst, hd, now) != nullptr) return false;
  move_entry(*impl_, src, hs, dst, hd);
  return true;
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
  to.insert(internal::key_entry::clone(e, dst), hd);
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
