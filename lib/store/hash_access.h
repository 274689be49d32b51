// How Store's methods reach one key's hash.
//
// The fast paths first (read_fast, write_fast): one hash of the key, one
// lookup, and the work done on the hash's bytes through a HashView, with no
// HashObject and no event. They handle what most calls meet — a read of a
// key without due fields, a write that changes no size (an overwrite of the
// same length, an integer incremented in place), or an HSET of an existing
// field of a listpack by a value of another length (the one fast write that
// resizes, and counts its bytes: replace_resized) — on a key without field
// TTLs while no listener is subscribed, and say when they did not, having
// changed nothing; the caller then takes on_hash.
//
// on_hash, the general path: lock the key's shard, find the key
// (reclaiming what expired), run a function on its HashObject, and delete
// the key if the function left its hash empty.
#ifndef HASHSTORE_STORE_HASH_ACCESS_H_
#define HASHSTORE_STORE_HASH_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "hash/hash_object.h"
#include "hash/hash_view.h"
#include "keyspace/key_entry.h"
#include "keyspace/keyspace.h"
#include "store/store_impl.h"

namespace hashstore::internal {

// What a call does to a key's hash.
enum class Use : uint8_t {
  kRead,    // reads only; shares the shard
  kWrite,   // writes an existing hash
  kCreate,  // writes, creating the key when it is missing
};

// ---- Fast paths ------------------------------------------------------------

// Marks the lambda a fast path runs as always inlined (GCC and clang would
// otherwise call it: the callers are large).
#define HS_FAST_LAMBDA __attribute__((always_inline))

// read_fast's body, for a shard the caller holds (at least shared) and
// the key's hash h (Store::run holds its shards for the whole pipeline).
template <class F>
[[gnu::always_inline]] inline bool read_fast_held(StoreImpl& impl, Shard& shard,
                                                  std::string_view key, uint64_t h, F&& fn) {
  void* e = shard.keyspace.find(key, h);
  if (e != nullptr) {
    const uint8_t flags = key_entry::flags(e);
    if (flags & (key_entry::kHasTtl | key_entry::kFieldTtl)) {
      Now now(impl.clock());
      if (Keyspace::expired(e, now)) {
        e = nullptr;
      } else if (Keyspace::fields_due(e, now)) {
        return false;
      } else {
        impl.touch(e, now);
      }
    } else if (impl.tracks_access()) {
      Now now(impl.clock());
      impl.touch(e, now);
    }
  }
  // keyspace_hits / keyspace_misses, as Redis counts them.
  shard.count_lookup(e != nullptr);
  if (e != nullptr) fn(static_cast<const HashView&>(key_entry::view(e, key.size())));
  return true;
}

// Runs fn(const HashView&) on key's hash with its shard held for reading
// and returns true; a missing or dead key counts a miss and does not call
// fn. Returns false, having done nothing, when the key has fields whose TTL
// is due (they must be reclaimed under the write lock: on_hash).
template <class F>
[[gnu::always_inline]] inline bool read_fast(StoreImpl& impl, std::string_view key, F&& fn) {
  const uint64_t h = impl.hash(key);
  Shard& shard = impl.shard_for(h);
  impl.lock_plain(shard, LockMode::kShared);
  const bool done = read_fast_held(impl, shard, key, h, std::forward<F>(fn));
  impl.unlock_plain(shard, LockMode::kShared);
  return done;
}

// Replaces the listpack entry at value_off of the key's hash at e (a
// listpack, no field TTLs) with s, whose entry takes another size: the key's
// entry is resized (it may move: the table, the TTL index and the byte
// counts follow, as for the general path) and the new entry returned. Out
// of line: the rarer case. REQUIRES: shard held for writing; the listpack
// may take s (HashObject::set's limits and lp::fits).
[[gnu::noinline]] inline void* replace_resized(StoreImpl& impl, Shard& shard, void* e,
                                               uint64_t h, uint32_t value_off,
                                               std::string_view s) {
  const size_t before = shard.keyspace.bytes();
  EntryHash hash(shard.keyspace, e, h);
  lp::replace_general(hash.listpack(), value_off, s,
                      [&](size_t n) { return hash.resize_listpack(n); });
  impl.count_plain_write(shard, static_cast<int64_t>(shard.keyspace.bytes()) -
                                    static_cast<int64_t>(before));
  return hash.entry();
}

// The in-place write itself, for a shard the caller holds for writing,
// whoever records it: fn(HashView&, resize) on a live key without field
// TTLs, and once it wrote, wrote(entry) under the same hold. Returns whether
// fn wrote. fn may call resize(value_off, s) (HSET of a value of another
// length in a listpack): replace_resized puts s at value_off, the entry may
// move (e follows), and the view is stale from then on.
template <class F, class W>
[[gnu::always_inline]] inline bool write_in_place_held(StoreImpl& impl, Shard& shard,
                                                       std::string_view key, uint64_t h, F&& fn,
                                                       W&& wrote) {
  void* e = shard.keyspace.find(key, h);
  if (e == nullptr || (key_entry::flags(e) & key_entry::kFieldTtl)) return false;
  Now now(impl.clock());
  if (Keyspace::expired(e, now)) return false;
  HashView view = key_entry::view(e, key.size());
  auto resize = [&](uint32_t value_off, std::string_view s) {
    e = replace_resized(impl, shard, e, h, value_off, s);
  };
  if (!fn(view, resize)) return false;
  impl.touch(e, now);
  shard.note_write(key);
  wrote(e);
  return true;
}

// write_fast's body, for a shard the caller holds for writing.
template <class F>
[[gnu::always_inline]] inline bool write_fast_held(StoreImpl& impl, Shard& shard,
                                                   std::string_view key, uint64_t h, F&& fn) {
  if (impl.has_listeners()) return false;
  return write_in_place_held(impl, shard, key, h, std::forward<F>(fn),
                             [](void*) HS_FAST_LAMBDA {});
}

// Runs the in-place write fn(HashView&) on key's hash with its shard held
// for writing. fn returns whether it wrote (false: it changed nothing).
// Returns true when fn wrote; false, with nothing changed, when the key is
// missing or dead, has field TTLs, listeners are subscribed (a write must
// record its event), or fn did not write — the caller then takes on_hash.
template <class F>
[[gnu::always_inline]] inline bool write_fast(StoreImpl& impl, std::string_view key, F&& fn) {
  if (impl.has_listeners()) return false;
  const uint64_t h = impl.hash(key);
  Shard& shard = impl.shard_for(h);
  impl.lock_plain(shard, LockMode::kExclusive);
  const bool done = write_fast_held(impl, shard, key, h, std::forward<F>(fn));
  impl.unlock_plain(shard, LockMode::kExclusive);
  return done;
}

// write_fast_logged's body, for a shard the caller holds for writing
// (Store::run holds its shards for the whole pipeline): the in-place write
// and its log_field, or false with nothing changed or logged.
template <class F, class V>
[[gnu::always_inline]] inline bool write_in_place_logged_held(StoreImpl& impl, Shard& shard,
                                                              std::string_view key, uint64_t h,
                                                              std::string_view field, F&& fn,
                                                              V&& value) {
  // Read under the lock: attaching or detaching the log holds every shard.
  ChangeLog* log = impl.change_log();
  if (log == nullptr || !log->logs_in_place() || impl.subscribed()) return false;
  return write_in_place_held(impl, shard, key, h, std::forward<F>(fn), [&](void* e) {
    if (const std::optional<std::string_view> v = value()) {
      log->log_field(shard, key, e, field, *v);
    }
  });
}

// write_fast with the append-only log attached and no listener subscribed
// (ChangeLog::logs_in_place): the same in-place write, then, under the same
// lock, ChangeLog::log_field for `field` and the value written (value(): an
// optional string_view, nullopt when fn wrote nothing) instead of an event.
// Returns as write_fast (false: nothing changed, nothing logged). Out of
// line: only writes with a log reach it.
template <class F, class V>
[[gnu::noinline]] bool write_fast_logged(StoreImpl& impl, std::string_view key,
                                         std::string_view field, F&& fn, V&& value) {
  const uint64_t h = impl.hash(key);
  Shard& shard = impl.shard_for(h);
  impl.lock_plain(shard, LockMode::kExclusive);
  ChangeLog* const log = impl.change_log();
  const bool done = write_in_place_logged_held(impl, shard, key, h, field, std::forward<F>(fn),
                                               std::forward<V>(value));
  impl.unlock_plain(shard, LockMode::kExclusive);
  // A full buffer is written by the writer (as deliver() does after the
  // general path); a detached log's wait returns at once.
  if (done && log->flush_due() && !impl.holds(shard)) log->wait_durable();
  return done;
}

// The in-place writes the fast paths do, shared by Store's methods and
// Store::run. Each returns whether it handled the call (false: nothing
// changed, take the general path).

// Whether an in-place write of `field` with a value of up to `value_size`
// bytes leaves the hash as the general path would: a listpack converts
// before a field or value longer than the value limit and after a write that
// leaves more fields than the entries limit (so a lowered limit converts on
// the next write, even an update or an increment). Those writes are the
// general path's; a table takes any.
[[gnu::always_inline]] inline bool in_place_keeps_encoding(StoreImpl& impl, HashView& hash,
                                                           size_t field_size, size_t value_size) {
  if (hash.is_table()) return true;
  const HashLimits limits = impl.limits();
  return field_size <= limits.max_listpack_value && value_size <= limits.max_listpack_value &&
         hash.length_at_most(limits.max_listpack_entries);
}

// HSET of one existing field: overwritten in place by a value of the same
// size, or in a listpack by one of another size through resize
// (write_in_place_held), within the limits HashObject::set applies: one
// lookup and one walk either way (the general path would look the key up
// and walk the listpack again: 896 instructions against about 670).
template <class R>
[[gnu::always_inline]] inline bool put_in_place(StoreImpl& impl, HashView& hash,
                                                std::string_view field, std::string_view value,
                                                R&& resize) {
  if (!in_place_keeps_encoding(impl, hash, field.size(), value.size())) return false;
  uint32_t value_off;
  const InPlace r = hash.overwrite(field, value, &value_off);
  if (r == InPlace::kDone) return true;
  // As Redis's lpSafeToAdd (HashObject::set): the raw lengths.
  if (r != InPlace::kResize || hash.is_table() ||
      !lp::fits(hash.listpack(), field.size() + value.size())) {
    return false;
  }
  resize(value_off, value);
  return true;
}

// HINCRBY of an existing integer field: *result is the new value. The
// limits are checked against the longest int64 text (kMaxInt64Chars - 1),
// which the result may be.
[[gnu::always_inline]] inline bool increment_in_place(StoreImpl& impl, HashView& hash,
                                                      std::string_view field, int64_t by,
                                                      int64_t* result) {
  return in_place_keeps_encoding(impl, hash, field.size(), kMaxInt64Chars - 1) &&
         hash.increment(field, by, result) == InPlace::kDone;
}

// HRESERVE of an existing integer field: *left is what remains when taken,
// nullopt when short (nothing written). REQUIRES: amount >= 1.
[[gnu::always_inline]] inline bool reserve_in_place(StoreImpl& impl, HashView& hash,
                                                    std::string_view field, int64_t amount,
                                                    std::optional<int64_t>* left) {
  if (!in_place_keeps_encoding(impl, hash, field.size(), kMaxInt64Chars - 1)) return false;
  int64_t r;
  switch (hash.increment(field, -amount, &r, /*floor=*/0)) {
    case InPlace::kDone:
      *left = r;
      return true;
    case InPlace::kBelow:
      *left = std::nullopt;
      return true;
    default:
      return false;
  }
}

// ---- The general path -----------------------------------------------------------

// Runs fn(HashObject&) on key's hash with its shard locked. A missing key
// returns `fallback`, or with Use::kCreate is created empty first. After a
// write, the key is deleted when fn left its hash empty (HDEL of the last
// field, or a failed write on a new key): an empty hash does not exist.
// Expired fields are reclaimed before fn runs, so fn sees only live ones; a
// read that meets due fields takes the shard for writing to reclaim them.

// The read body: e is the key's live entry (or nullptr) with no due
// fields, found with the shard held at least for reading.
template <class R, class F>
R read_entry(StoreImpl& impl, Shard& shard, void* e, Now& now, R fallback, F&& fn) {
  // keyspace_hits / keyspace_misses, as Redis counts them.
  shard.count_lookup(e != nullptr);
  if (e == nullptr) return fallback;
  impl.touch(e, now);
  EntryHash storage(shard.keyspace, e, 0);  // reads never move the entry
  const HashLimits limits = impl.limits();    // HashObject keeps a reference
  HashObject hash(storage, limits);
  return fn(hash);
}

// With listeners: runs the write fn(hash) and records the fields it changed
// as one event. Out of line, so that writes without listeners stay small.
template <class R, class F>
[[gnu::noinline]] R write_recorded(StoreImpl& impl, Shard& shard, std::string_view key,
                                   HashObject& hash, F& fn) {
  std::vector<std::string> changed;
  hash.set_change_sink(&changed);
  R result = fn(hash);
  hash.set_change_sink(nullptr);
  if (!changed.empty()) impl.record(shard, kEventChanged, key, std::move(changed));
  return result;
}

// on_hash's body, for a shard the caller holds: for writing, or (Use::kRead)
// for reading when the key cannot have due fields at `now`.
template <class R, class F>
R on_hash_held(StoreImpl& impl, Shard& shard, std::string_view key, uint64_t h, Use use,
               Now& now, R fallback, F&& fn) {
  Keyspace& ks = shard.keyspace;
  if (use == Use::kRead) {
    void* e = ks.find_live(key, h, now);
    if (e != nullptr && Keyspace::fields_due(e, now)) {
      e = ks.find_for_write(key, h, now);  // the shard is held for writing here
    }
    return read_entry(impl, shard, e, now, std::move(fallback), std::forward<F>(fn));
  }
  void* e = ks.find_for_write(key, h, now);
  bool created = false;
  if (e == nullptr) {
    if (use != Use::kCreate) return fallback;
    e = ks.create(key, h);
    created = true;
  }
  impl.touch(e, now, created);
  EntryHash storage(ks, e, h);
  const HashLimits limits = impl.limits();  // HashObject keeps a reference
  HashObject hash(storage, limits);
  R result = impl.has_listeners() ? write_recorded<R>(impl, shard, key, hash, fn) : fn(hash);
  storage.settle();
  shard.note_write(key);
  if (hash.empty()) ks.erase(key, h);
  return result;
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
    // One lookup under the shared lock; only a hash with due fields takes
    // the shard again, for writing, to reclaim them first.
    StoreImpl::ShardLock lock(impl, shard, LockMode::kShared);
    void* e = shard.keyspace.find_live(key, h, now);
    if (e == nullptr || !Keyspace::fields_due(e, now)) {
      return read_entry(impl, shard, e, now, std::move(fallback), std::forward<F>(fn));
    }
  }
  StoreImpl::ShardLock lock(impl, shard, LockMode::kExclusive);
  return on_hash_held(impl, shard, key, h, use, now, std::move(fallback), std::forward<F>(fn));
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_HASH_ACCESS_H_
