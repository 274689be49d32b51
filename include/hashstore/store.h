// hashstore::Store: an in-memory keyspace of Redis-style hashes.
//
// Every method is named after the Redis command it performs and behaves as
// Redis 7 does: same results, same edge cases, same error texts (returned as
// the message of an absl::Status). A key holds a hash; a hash with no fields
// does not exist. Results are owned values, safe to keep after the call; the
// only exception is hget_view(), whose view lives for the callback's call.
//
// Threading: a Store may be called from many threads at once; each call is
// atomic (no other call observes it half done). Keys are spread over shards,
// each behind its own reader/writer lock: reads of a shard share it, writes
// hold it alone, calls on several keys lock their shards in ascending order.
// With Options::thread_safe = false there is no locking at all.
//
// Errors: no exceptions cross this API. Calls that can fail return
// absl::Status / absl::StatusOr<T> whose message is Redis's text, e.g.
// "ERR hash value is not an integer". A missing key or field is not an
// error: it is std::nullopt, 0 or an empty result as in Redis.
#ifndef HASHSTORE_STORE_H_
#define HASHSTORE_STORE_H_

#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 202002L
#error "hashstore needs C++20: compile with -std=c++20 (MSVC: /std:c++20)"
#else

// What the declarations below need, and no more: absl::Status / StatusOr
// (the return types; most of a TU's compile time, see README), the standard
// types in the signatures, and the public types passed by value.
#include <cstdint>  // int64_t, INT64_MIN / INT64_MAX (hincrex's defaults)
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include <hashstore/options.h>
#include <hashstore/pipeline.h>
#include <hashstore/reply.h>
#include <hashstore/stats.h>
#include <hashstore/types.h>

namespace hashstore {

namespace internal {
class StoreImpl;
class StoreInternal;
}  // namespace internal

class Store {
 public:
  Store();
  explicit Store(const Options& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // ---- Field commands ----------------------------------------------------
  // For every method: expired keys and fields are never seen (a read treats
  // them as missing, a write reclaims them first); unless its comment says
  // otherwise, a missing key reads as an empty hash and a write creates it.
  //
  // HSET: sets the fields (a field listed twice takes its last value);
  // returns how many were new (0 when every field existed). A field's TTL
  // is removed when it is overwritten. Errors (nothing changes): an empty
  // pairs ("ERR wrong number of arguments for 'hset' command"), and Redis's
  // OOM text when memory is over maxmemory and eviction cannot make room.
  absl::StatusOr<int64_t> hset(std::string_view key, std::string_view field,
                               std::string_view value);
  absl::StatusOr<int64_t> hset(std::string_view key, std::initializer_list<FieldValue> pairs);
  absl::StatusOr<int64_t> hset(std::string_view key, std::span<const FieldValue> pairs);
  // HSETNX: sets the field only if absent; true when it was set, false
  // (nothing changed) when it existed. Error: OOM, as hset.
  absl::StatusOr<bool> hsetnx(std::string_view key, std::string_view field, std::string_view value);
  // HMSET: as hset; OK instead of a count. Errors as hset's ('hmset').
  absl::Status hmset(std::string_view key, std::span<const FieldValue> pairs);
  absl::Status hmset(std::string_view key, std::initializer_list<FieldValue> pairs);
  // HGET: the field's value; nullopt when the key or the field is missing.
  std::optional<std::string> hget(std::string_view key, std::string_view field);
  // HGET for hot loops: calls fn(std::string_view value) when the field
  // exists and returns true (false, fn not called, when the key or field
  // is missing). The view is valid only during fn's call. fn never runs
  // under a lock: it may call the Store, hget_view included. With
  // Options::thread_safe = false the view points into the hash itself
  // (zero-copy); otherwise the value was copied out first, into a buffer on
  // this call's stack (values up to ValueScratch::kInline bytes; longer
  // ones into memory of its own), so no allocation happens for them. A
  // template: fn is called directly (no std::function).
  template <class Fn>
  bool hget_view(std::string_view key, std::string_view field, Fn&& fn) {
    ValueScratch scratch;
    std::string_view value;
    if (!view_value(key, field, &scratch, &value)) return false;
    fn(value);
    return true;
  }
  // HMGET: one result per field asked, in the order asked (a field asked
  // twice is answered twice): its value, or nullopt when missing. A
  // missing key gives all nullopt; no fields gives an empty vector.
  std::vector<std::optional<std::string>> hmget(std::string_view key,
                                                std::span<const std::string_view> fields);
  std::vector<std::optional<std::string>> hmget(std::string_view key,
                                                std::initializer_list<std::string_view> fields);
  // HGETALL: every (field, value) pair in the hash's order (insertion
  // order while it is a listpack, an unspecified order once it is a
  // table); empty for a missing key. HKEYS and HVALS: the fields alone,
  // the values alone, in that same order.
  std::vector<std::pair<std::string, std::string>> hgetall(std::string_view key);
  std::vector<std::string> hkeys(std::string_view key);
  std::vector<std::string> hvals(std::string_view key);
  // HDEL: removes the fields; returns how many existed (a field listed twice
  // counts once; 0 for a missing key). Removing the last field removes the
  // key. Never an error: an empty list removes nothing and returns 0.
  int64_t hdel(std::string_view key, std::span<const std::string_view> fields);
  int64_t hdel(std::string_view key, std::initializer_list<std::string_view> fields);
  // HLEN: the number of live fields; 0 for a missing key.
  int64_t hlen(std::string_view key);
  // HEXISTS: whether the key has the field.
  bool hexists(std::string_view key, std::string_view field);
  // HSTRLEN: the length in bytes of the field's value; 0 when missing.
  int64_t hstrlen(std::string_view key, std::string_view field);
  // HINCRBY: adds increment to the field's integer value (a missing field
  // or key counts as 0 and is created); returns the new value. A field's
  // TTL is kept. Errors (nothing changes): "ERR hash value is not an
  // integer" (the value is not a canonical int64), "ERR increment or
  // decrement would overflow", OOM as hset.
  absl::StatusOr<int64_t> hincrby(std::string_view key, std::string_view field, int64_t increment);
  // HINCRBYFLOAT: adds increment to the field's number (a missing field
  // counts as 0); returns and stores the new value as Redis formats it
  // (19.99 + 0.5 gives "20.49"). Errors (nothing changes): "ERR hash value is
  // not a float", "ERR value is NaN or Infinity" for a non-finite increment,
  // "ERR increment would produce NaN or Infinity", OOM as hset.
  absl::StatusOr<std::string> hincrbyfloat(std::string_view key, std::string_view field,
                                           long double increment);
  // HSCAN: one page of the hash's fields (and values, unless
  // options.novalues) from cursor (0 to start); the page's cursor is the
  // next call's, 0 when the scan is complete. A listpack hash is returned
  // whole with cursor 0, as Redis does. Redis's guarantee holds: a field
  // present for the whole scan is returned at least once, even if the hash
  // grows or shrinks meanwhile; a field may be returned twice. A missing
  // key gives an empty page with cursor 0.
  ScanPage hscan(std::string_view key, uint64_t cursor, const ScanOptions& options = {});
  // HRANDFIELD without count: a uniformly random field, or nullopt for a
  // missing key.
  std::optional<std::string> hrandfield(std::string_view key);
  // HRANDFIELD key count [WITHVALUES]: count > 0 distinct fields (at most
  // all of them); count < 0 |count| fields that may repeat. Flat
  // field, value, ... with withvalues. Empty for a missing key. Errors
  // (Redis 7.0's range checks): INT64_MIN, a count whose reply size
  // overflows with withvalues, and a negative count below -16,777,216
  // ("ERR value is out of range...").
  absl::StatusOr<std::vector<std::string>> hrandfield(std::string_view key, int64_t count,
                                                      bool withvalues);

  // ---- Key commands -------------------------------------------------------
  // DEL / UNLINK: removes the keys (with every field); returns how many
  // existed (a key listed twice counts once). All the keys go at once: no
  // other call sees some gone and others not. UNLINK frees synchronously too.
  int64_t del(std::span<const std::string_view> keys);
  int64_t del(std::initializer_list<std::string_view> keys);
  int64_t unlink(std::span<const std::string_view> keys);
  // EXISTS: how many of the keys exist, a key listed twice counted twice.
  int64_t exists(std::span<const std::string_view> keys);
  int64_t exists(std::initializer_list<std::string_view> keys);
  // TYPE: "hash" or "none".
  std::string type(std::string_view key);
  // OBJECT ENCODING: "listpack", "listpackex" (a listpack with field TTLs)
  // or "hashtable"; nullopt for a missing key.
  std::optional<std::string> object_encoding(std::string_view key);
  // SCAN: one page of key names from cursor (0 to start), filtered by
  // options.match and options.type; the page's cursor is the next call's,
  // 0 when done. A key present for the whole scan is returned at least once
  // (possibly twice), across resizes; a page may be empty before the end.
  // The cursor encodes the shard in its low bits: any cursor this Store
  // returned is valid; others name an arbitrary place.
  ScanPage scan(uint64_t cursor, const ScanOptions& options = {});
  // KEYS: every live key matching the glob pattern ("*": all), in no
  // particular order. Visits every key, one shard at a time (each shard is
  // consistent, the whole is not a single moment).
  std::vector<std::string> keys(std::string_view pattern);
  // RENAME: moves src's hash and TTL to dst, replacing dst if it exists;
  // renaming a key to itself changes nothing. Error: NotFound "ERR no such
  // key" when src is missing (nothing changes).
  absl::Status rename(std::string_view src, std::string_view dst);
  // RENAMENX: as rename, only when dst does not exist: true when renamed,
  // false (nothing changed) when dst exists or dst == src. Error: "ERR no
  // such key" when src is missing.
  absl::StatusOr<bool> renamenx(std::string_view src, std::string_view dst);
  // COPY: true when copied (false: src missing, or dst exists without
  // replace). Like the other writes that add data, Redis's OOM error when
  // memory is over maxmemory and eviction cannot make room.
  absl::StatusOr<bool> copy(std::string_view src, std::string_view dst, bool replace = false);
  // DBSIZE: the number of live keys.
  int64_t dbsize();
  // FLUSHALL: removes every key at once (sends no events).
  void flushall();
  // RANDOMKEY: a random live key, or nullopt when there is none.
  std::optional<std::string> randomkey();
  // MEMORY USAGE: bytes the key costs (its entry, its hash, its share of the
  // table); nullopt for a missing key.
  std::optional<int64_t> memory_usage(std::string_view key);
  // INFO's figures (see Info). Counting the encodings visits every key.
  Info info();
  // Info::used_memory alone, in O(1).
  size_t used_memory();
  // Everything INFO shows, as a struct (hashstore/stats.h; render it with
  // prometheus_text()). Counting the encodings visits every key.
  Stats stats();

  // ---- Key TTLs (Redis 7 semantics) ----------------------------------------
  // EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT: true when the TTL was set (or
  // the key deleted because the time is not in the future); false when the
  // key is missing or a condition is not met. Errors as Redis: incompatible
  // flags, and "ERR invalid expire time in '<command>' command" on overflow.
  absl::StatusOr<bool> expire(std::string_view key, int64_t seconds, unsigned flags = 0);
  absl::StatusOr<bool> pexpire(std::string_view key, int64_t milliseconds, unsigned flags = 0);
  absl::StatusOr<bool> expireat(std::string_view key, int64_t unix_seconds, unsigned flags = 0);
  absl::StatusOr<bool> pexpireat(std::string_view key, int64_t unix_ms, unsigned flags = 0);
  // TTL / PTTL: -2 missing key, -1 no TTL, else the time left (TTL rounds to
  // the nearest second, as Redis does).
  int64_t ttl(std::string_view key);
  int64_t pttl(std::string_view key);
  // EXPIRETIME / PEXPIRETIME: -2, -1, or the absolute Unix time.
  int64_t expiretime(std::string_view key);
  int64_t pexpiretime(std::string_view key);
  // PERSIST: true when a TTL was removed.
  bool persist(std::string_view key);
  // One bounded step of active expiry: reclaims up to max_keys_per_shard
  // expired keys and fields in each shard (oldest first; a key whose fields
  // all expired counts as one) and returns how many. Call it from your own
  // loop (a game tick), or set Options::expiry_thread.
  size_t expire_cycle(size_t max_keys_per_shard = 256);

  // ---- Field TTLs (Redis 7.4 / 8.0 semantics) -------------------------------
  // HEXPIRE / HPEXPIRE / HEXPIREAT / HPEXPIREAT key time [NX|XX|GT|LT]
  // FIELDS n field...: one result per field, in order: -2 no such field (or
  // no such key), 0 condition not met, 1 TTL set, 2 field deleted because
  // the time is not in the future (the key goes with its last field).
  // Errors (nothing changes): incompatible flags, a negative time ("ERR
  // invalid expire time, must be >= 0"), and an absolute time past 2^46 - 1
  // ms ("ERR invalid expire time in '<command>' command"), as Redis 8.0.
  absl::StatusOr<std::vector<int64_t>> hexpire(std::string_view key, int64_t seconds,
                                               std::span<const std::string_view> fields,
                                               unsigned flags = 0);
  absl::StatusOr<std::vector<int64_t>> hpexpire(std::string_view key, int64_t milliseconds,
                                                std::span<const std::string_view> fields,
                                                unsigned flags = 0);
  absl::StatusOr<std::vector<int64_t>> hexpireat(std::string_view key, int64_t unix_seconds,
                                                 std::span<const std::string_view> fields,
                                                 unsigned flags = 0);
  absl::StatusOr<std::vector<int64_t>> hpexpireat(std::string_view key, int64_t unix_ms,
                                                  std::span<const std::string_view> fields,
                                                  unsigned flags = 0);
  // HTTL / HPTTL (time left) and HEXPIRETIME / HPEXPIRETIME (Unix time): per
  // field -2 no such field or key, -1 no TTL, else the time. Seconds round
  // up, as Redis's field TTLs do.
  std::vector<int64_t> httl(std::string_view key, std::span<const std::string_view> fields);
  std::vector<int64_t> hpttl(std::string_view key, std::span<const std::string_view> fields);
  std::vector<int64_t> hexpiretime(std::string_view key, std::span<const std::string_view> fields);
  std::vector<int64_t> hpexpiretime(std::string_view key, std::span<const std::string_view> fields);
  // HPERSIST: per field -2 no such field or key, -1 no TTL, 1 TTL removed.
  std::vector<int64_t> hpersist(std::string_view key, std::span<const std::string_view> fields);
  // HGETDEL: the values (nullopt for missing fields), then the fields are
  // deleted; the key goes with its last field.
  std::vector<std::optional<std::string>> hgetdel(std::string_view key,
                                                  std::span<const std::string_view> fields);

  // HGETEX: the values (nullopt for missing fields) and, for the fields that
  // exist, the TTL change (a time not in the future deletes them). Errors:
  // kKeepTtl, and times as hexpire's.
  absl::StatusOr<std::vector<std::optional<std::string>>> hgetex(
      std::string_view key, std::span<const std::string_view> fields, FieldTtl ttl = {});
  // HSETEX: sets all the pairs or none: with fnx only if no field exists,
  // with fxx only if every field exists (a missing key has none). true when
  // set. Errors: kPersist, an empty pairs list, times as hexpire's.
  absl::StatusOr<bool> hsetex(std::string_view key, std::span<const FieldValue> pairs,
                              FieldTtl ttl = {}, FieldCondition condition = FieldCondition::kAny);

  // ---- Counters, stock and reservations --------------------------------------
  // HRESERVE: if the field's integer value (0 when missing) is at least
  // amount, subtracts amount and returns what remains; otherwise changes
  // nothing and returns nullopt. Errors: amount < 1 ("ERR amount must be a
  // positive integer"), a field that is not an integer ("ERR hash value is
  // not an integer").
  absl::StatusOr<std::optional<int64_t>> reserve(std::string_view key, std::string_view field,
                                                 int64_t amount);
  // HRESERVEALL: all of the reservations, across any keys, or none of them.
  // Returns what remains of each item in order, or nullopt (nothing changed)
  // when any is short. A (key, field) listed twice must cover both amounts.
  absl::StatusOr<std::optional<std::vector<int64_t>>> reserve_all(
      std::span<const ReserveItem> items);
  // HINCREX, after Redis 8.8's INCREX (BYINT, LBOUND, UBOUND, SATURATE):
  // adds increment if the result stays within [lower, upper] (and int64);
  // otherwise changes nothing and returns {current, 0} — or, with saturate,
  // stores the bound. A refused increment never creates the key.
  absl::StatusOr<BoundedResult> hincrex(std::string_view key, std::string_view field,
                                        int64_t increment,
                                        int64_t lower = INT64_MIN, int64_t upper = INT64_MAX,
                                        bool saturate = false);

  // ---- Batches, transactions, optimistic checks ------------------------------
  // Optimistic check-and-set, like WATCH: remembers the keys' versions; a
  // later transaction given this Watch runs only if none of them was written
  // since (any write counts, even one that left the value the same).
  // REQUIRES: the Watch does not outlive this Store.
  class Watch {
   public:
    Watch(Watch&&) noexcept;
    Watch& operator=(Watch&&) = delete;
    Watch(const Watch&) = delete;
    ~Watch();

   private:
    friend class Store;
    friend class internal::StoreInternal;
    struct Entry;  // one watched key (lib/store/store_internal.h)
    explicit Watch(Store* store);
    Store* store_;
    std::vector<Entry> entries_;
  };
  // WATCH: the keys' current versions, for transaction(). A missing key is
  // watched too (creating it counts as a write).
  Watch watch(std::span<const std::string_view> keys);
  Watch watch(std::initializer_list<std::string_view> keys);

  // A batch (what Redis clients call a pipeline): runs the commands in order,
  // each shard of their keys locked once for the whole batch, and returns one
  // reply per command; an error in one command does not stop the others. No
  // other call sees the batch half done.
  std::vector<Reply> execute_batch(const std::vector<std::vector<std::string>>& commands);
  // Runs a Pipeline's commands in order, its keys' slots and entries fetched
  // a few commands ahead; one reply per command, each what execute() replies
  // to it. Shards are held as by execute_batch(). See hashstore/pipeline.h.
  PipelineReplies run(const Pipeline& pipeline);
  // The same into `replies` (cleared first), reusing its memory.
  void run(const Pipeline& pipeline, PipelineReplies& replies);
  // A transaction, as MULTI ... EXEC runs it: if any command is unknown or
  // has the wrong number of arguments, nothing runs and the reply is
  // "EXECABORT Transaction discarded because of previous errors."; otherwise
  // all run together and isolated (locks of all their keys' shards taken in
  // shard order, so transactions never deadlock) and the reply is the array
  // of their replies. With a Watch whose keys changed: nil, nothing runs.
  Reply transaction(const std::vector<std::vector<std::string>>& commands,
                    const Watch* watch = nullptr);

  // ---- Persistence -----------------------------------------------------------
  // SAVE to a file: the whole store with key and field TTLs, checksummed,
  // written to a temporary file in the same directory, fsynced, renamed over
  // path, and the directory fsynced, so a crash leaves the old file or the
  // new one, never a mix. Other threads keep reading and writing meanwhile:
  // each shard is captured whole under its read lock (its writers wait while
  // it is copied to memory), one shard after the other, so the file is
  // consistent per shard but not across shards. Errors (path untouched)
  // name path and the system's text, "ERR save <path>: <what failed>:
  // <system error>", with the code of the errno: NotFound (no such
  // directory), PermissionDenied, ResourceExhausted (disk full, quota),
  // FailedPrecondition (read-only file system, path is a directory),
  // Internal for the rest; an empty path is InvalidArgument.
  using SaveStats = hashstore::SaveStats;  // types.h
  absl::Status save(const std::string& path);
  absl::Status save(const std::string& path, SaveStats* stats);
  // Loads a file written by save() into this Store, which must hold no key
  // (else FailedPrecondition "ERR load: the store is not empty"). The whole
  // file is checked before any key goes in, and then all go in at once; keys
  // and fields whose TTL passed meanwhile are left out. A damaged, truncated
  // or foreign file is refused (DataLoss) with a message saying what is
  // wrong and at which byte offset; a file that cannot be opened has the
  // code of the errno (NotFound for a missing file, PermissionDenied...);
  // an empty path is InvalidArgument. On error the Store is unchanged
  // (empty and usable).
  absl::Status load(const std::string& path);
  // BGSAVE: save(path) in a background thread. Error when one is running
  // ("ERR Background save already in progress") or with thread_safe = false.
  absl::Status bgsave(const std::string& path);
  bool bgsave_in_progress();
  // Waits for the running background save; returns the last one's result
  // (OK when none ran).
  absl::Status wait_bgsave();
  // LASTSAVE: Unix seconds of the last successful save (of the Store's
  // creation before any).
  int64_t lastsave();
  // The keyspace as RESP commands for `redis-cli --pipe` (HSET, PEXPIREAT,
  // HPEXPIREAT for field TTLs), handed to sink in chunks (one per shard,
  // captured as save() captures it; sink never runs under a lock). Stops at
  // the first error sink returns.
  absl::Status export_resp(const std::function<absl::Status(std::string_view)>& sink);

  // ---- Redis RDB files ----------------------------------------------------------
  // save(path, SaveFormat::kRdb) writes a file Redis loads (crash-safe as
  // above): version 10 (Redis 7.0 and later) when no field has a TTL,
  // version 12 with Redis 7.4's field-TTL types when one does. Listpack
  // hashes go out as Redis's listpack type, byte for byte; key TTLs in ms.
  // SAVE and BGSAVE choose the format with CONFIG SET snapshot-format.
  using SaveFormat = hashstore::SaveFormat;  // types.h
  absl::Status save(const std::string& path, SaveFormat format, SaveStats* stats = nullptr);
  // load(path) reads either format: a file starting with "REDIS" is read
  // as a Redis RDB file (versions 9 to 12: Redis 5.0 to 8.x). Its hashes
  // (every encoding, key and field TTLs) are loaded under the rules above;
  // keys of other types, and keys of databases other than 0, are refused
  // (Unimplemented, naming the first such key, its type and its database)
  // unless options.skip_unsupported asks to skip them. The CRC-64 is
  // checked unless the file has none (0).
  using LoadOptions = hashstore::LoadOptions;  // types.h
  using LoadStats = hashstore::LoadStats;      // types.h
  absl::Status load(const std::string& path, const LoadOptions& options, LoadStats* stats = nullptr);

  // ---- Append-only log -----------------------------------------------------------
  // A Store built from options; with options.appendonly it first loads
  // options.dir/options.appendfilename (a missing file: an empty store; if
  // only dir's snapshot dbfilename exists, that instead), then logs every
  // write to it under options.appendfsync. stats reports what was loaded
  // (aof_truncated: bytes of a torn tail cut off). Errors: a damaged log
  // ("ERR Bad file format reading the append only file: ... at offset N
  // after K records"), file system errors naming the path.
  static absl::StatusOr<std::unique_ptr<Store>> open(const Options& options,
                                                     LoadStats* stats = nullptr);
  // BGREWRITEAOF: rewrites the log as the current keyspace plus the writes
  // made meanwhile, and switches to it atomically; writes continue.
  // Error when the log is off ("ERR Background append only file rewriting
  // is not enabled"... as Redis's text) or a rewrite is running.
  absl::Status bgrewriteaof();

  // ---- Events -------------------------------------------------------------------
  // Calls fn for every Event from now on; returns an id for unsubscribe().
  // Listeners run on the thread that caused the event (the expiry thread
  // for active expiry), after it released every shard lock, so they may call
  // the Store; events of one key arrive in the order they happened (those
  // of different keys may interleave). Events caused by a listener's own
  // calls are delivered after it returns. FLUSHALL sends none. With no
  // listener, nothing is recorded.
  uint64_t subscribe(std::function<void(const Event&)> fn);
  // Stops calling the listener subscribe() returned id for; an unknown id
  // is ignored. Events delivered after unsubscribe returns do not reach
  // it, except by a delivery already under way on another thread (which
  // copied the list of listeners before): do not destroy what the listener
  // uses while another thread may still be delivering.
  void unsubscribe(uint64_t id);

  // ---- Cache-aside ------------------------------------------------------------
  using Loader = std::function<absl::StatusOr<std::vector<std::pair<std::string, std::string>>>()>;
  // Cache-aside without stampedes: the hash at key if it exists; otherwise
  // runs loader (once per key even when many threads miss together; the
  // others wait for its result), stores what it returns with HSET (and the
  // TTL, when given, with PEXPIRE) and returns it. A loader error is
  // returned to every waiter and nothing is stored; an empty result stores
  // nothing and returns empty. Errors: a ttl_ms <= 0 or one that overflows
  // ("ERR invalid expire time in 'get_or_compute' command"), and a loader
  // asking for its own key (FailedPrecondition) instead of a deadlock.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> get_or_compute(
      std::string_view key, const Loader& loader, std::optional<int64_t> ttl_ms = std::nullopt);

  // ---- Commands as strings ------------------------------------------------
  // Runs one command given as its arguments, name first, case-insensitive:
  // execute({"HSET", "user:1", "name", "Alice"}). Unknown commands, wrong
  // arity and bad arguments reply with Redis's error.
  Reply execute(std::initializer_list<std::string_view> args);
  Reply execute(std::span<const std::string_view> args);
  Reply execute(const std::vector<std::string>& args);

 private:
  friend class internal::StoreInternal;
  // hget_view's lookup: true and *value when the field exists; *value
  // points into the hash (thread_safe = false) or into *scratch.
  bool view_value(std::string_view key, std::string_view field, ValueScratch* scratch,
                  std::string_view* value);

  std::unique_ptr<internal::StoreImpl> impl_;
};

}  // namespace hashstore

#endif  // C++20
#endif  // HASHSTORE_STORE_H_
