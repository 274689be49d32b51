// hashstore's value types: what Store's methods take and return besides
// strings and numbers (FieldValue, ExpireFlag, ScanPage, ScanOptions,
// ReserveItem, BoundedResult, FieldTtl, FieldCondition, Info, Event,
// SaveStats, SaveFormat, LoadOptions, LoadStats, ValueScratch).
// Plain structs and enums with no behaviour; store.h includes this header,
// so a program including store.h needs nothing more. Including types.h
// alone is enough to declare functions that pass these types around.
//
// Threading: plain values, not synchronized; share them between threads
// only as const objects. Views (std::string_view members) point into the
// caller's bytes and live only as long as those.
#ifndef HASHSTORE_TYPES_H_
#define HASHSTORE_TYPES_H_

#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 202002L
#error "hashstore needs C++20: compile with -std=c++20 (MSVC: /std:c++20)"
#else

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/options.h>

namespace hashstore {

// A field and its value, as HSET takes them (views: the caller keeps the
// bytes alive for the call).
using FieldValue = std::pair<std::string_view, std::string_view>;

// Conditions of EXPIRE and friends (combine with |): NX only when the key
// has no TTL; XX only when it has one; GT only when the new time is later
// (a key without TTL counts as never expiring); LT only when earlier.
enum ExpireFlag : unsigned {
  kExpireNX = 1,
  kExpireXX = 2,
  kExpireGT = 4,
  kExpireLT = 8,
};

// One page of a SCAN or HSCAN. cursor == 0 means the iteration is complete.
struct ScanPage {
  uint64_t cursor = 0;
  // SCAN: key names. HSCAN: field, value, field, value, ... (or only fields
  // with novalues).
  std::vector<std::string> items;
};

// One line of a multi-key reservation (reserve_all): take `amount` units of
// `field` in the hash at `key`.
struct ReserveItem {
  std::string_view key;
  std::string_view field;
  int64_t amount;
};

// The outcome of a bounded increment (hincrex).
struct BoundedResult {
  int64_t value;    // the field's value afterwards
  int64_t applied;  // what was added: 0 when the increment was refused
};

// What HGETEX and HSETEX do to the TTL of the fields they touch.
struct FieldTtl {
  enum Kind : uint8_t {
    kNone,     // HGETEX: leave TTLs alone. HSETEX: the fields lose their TTL
    kEX,       // value seconds from now
    kPX,       // value milliseconds from now
    kEXAT,     // at Unix time value (seconds)
    kPXAT,     // at Unix time value (milliseconds)
    kPersist,  // HGETEX PERSIST: remove the TTL
    kKeepTtl,  // HSETEX KEEPTTL: keep the TTL the field has
  };
  Kind kind = kNone;
  int64_t value = 0;
};

// HSETEX's condition: any, only if no field exists (FNX), only if every
// field exists (FXX).
enum class FieldCondition : uint8_t { kAny, kFNX, kFXX };

// What a Store holds and has done: the figures of INFO's memory, stats,
// keyspace and encodings sections (Store::info()).
struct Info {
  // memory
  size_t used_memory = 0;  // bytes of data: keys, both encodings, arrays, TTL indexes
  size_t maxmemory = 0;
  EvictionPolicy maxmemory_policy = EvictionPolicy::kNoEviction;
  // stats
  uint64_t keyspace_hits = 0;    // reads that found their key
  uint64_t keyspace_misses = 0;  // reads that did not
  uint64_t expired_keys = 0;     // keys reclaimed because their time came
  uint64_t expired_fields = 0;   // fields reclaimed because their TTL passed
  uint64_t evicted_keys = 0;
  // keyspace
  uint64_t keys = 0;             // live keys
  uint64_t keys_with_ttl = 0;    // keys that will die (a TTL, or TTLs on every field)
  uint64_t hashes_with_field_ttls = 0;
  // encodings
  uint64_t listpack_hashes = 0;  // listpack, without field TTLs
  uint64_t listpackex_hashes = 0;  // listpack with field TTLs
  uint64_t hashtable_hashes = 0;
};

// Something that happened to a key, for listeners (Store::subscribe).
struct Event {
  enum class Reason : uint8_t {
    kChanged,  // a write changed these fields (set, deleted, TTL set or removed)
    kDeleted,  // the whole key was deleted (DEL, UNLINK, RENAME's source)
    kExpired,  // the key (fields empty) or these fields expired
    kEvicted,  // the key was evicted to stay under maxmemory
  };
  Reason reason;
  std::string key;
  std::vector<std::string> fields;  // empty: the whole key
};

// What Store::save reports (Store::SaveStats names it too).
struct SaveStats {
  uint64_t bytes = 0;                  // file size
  uint64_t keys = 0;                   // keys written
  std::vector<double> shard_pause_ms;  // how long each shard's lock was held
};

// The file format Store::save writes: hashstore's own snapshot, or a Redis
// RDB file (Store::SaveFormat names it too).
enum class SaveFormat { kSnapshot, kRdb };

// How Store::load treats an RDB file's keys it cannot hold: refused
// (Unimplemented) unless skip_unsupported.
struct LoadOptions {
  bool skip_unsupported = false;
};

// What Store::load reports.
struct LoadStats {
  int rdb_version = 0;    // 0 for a hashstore snapshot
  uint64_t bytes = 0;     // file size
  uint64_t keys = 0;      // keys loaded
  uint64_t expired = 0;   // keys left out because their TTL (or every field's) passed
  uint64_t skipped = 0;   // RDB keys of other types or databases (skip_unsupported)
  uint64_t empty = 0;     // RDB: empty hashes left out, as Redis does
  uint64_t aof_records = 0;    // Store::open: records replayed from the log
  uint64_t aof_truncated = 0;  // Store::open: bytes of a torn tail cut off
};

// Where Store::hget_view copies a value out of a thread-safe Store: on the
// caller's stack up to kInline bytes, in `large` beyond. Used by
// hget_view's inline body; not meant for users.
struct ValueScratch {
  static constexpr size_t kInline = 112;
  char inline_bytes[kInline];
  std::string large;  // values longer than kInline
};

// How SCAN and HSCAN walk (Store::scan, Store::hscan).
struct ScanOptions {
  // Glob pattern; unset: everything. As in Redis, an empty pattern matches
  // only nothing (no key or field is matched by MATCH "").
  std::optional<std::string_view> match;
  int64_t count = 10;      // work hint, as Redis's COUNT; REQUIRES: >= 1
  std::string_view type;   // SCAN only: "hash" or another Redis type name
  bool novalues = false;   // HSCAN only: fields without values
};

}  // namespace hashstore

#endif  // C++20
#endif  // HASHSTORE_TYPES_H_
