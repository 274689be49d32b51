// HashObject: one Redis hash in one of two encodings, and every field
// operation on it.
//
// Encodings. A hash starts as a listpack (field, value, field, value, ...;
// see encoding/listpack.h) and converts, once and for good, to a FieldTable
// (encoding/field_entry.h) at the moments Redis 7 converts:
//   - before a write whose field or value is longer than
//     limits.max_listpack_value bytes (HSET, HSETNX, HINCRBYFLOAT's result);
//   - after a write that leaves more than limits.max_listpack_entries fields
//     (so a lowered limit converts on the next write, even an update);
//   - before a write that would take the listpack past its safety size.
// It never converts back. Deletions never convert.
//
// Storage. The bytes of a hash belong to its owner (the keyspace keeps a
// small hash's listpack inside the key's own allocation), so a HashObject is
// a short-lived view over a HashStorage that the owner implements: growing a
// listpack may move it (and the key entry around it); converting hands the
// owner a new table to keep.
//
// The field operations switch on encoding in hash_object.cc only: the
// primitives below (find, set, erase, length, for_each, scan, nth/random)
// are the only field code that knows both encodings, and the commands
// (hash_commands.h) are written on top of them. Code that handles a hash's
// bytes whole branches on the encoding too: the key entry that stores it
// (lib/keyspace/key_entry.*, keyspace.*), the fast read path's HashView
// (hash_view.h), OBJECT ENCODING, MEMORY USAGE and INFO (lib/store/store.cc,
// store_info.cc), and the writers that copy a listpack as bytes
// (lib/persist/snapshot_writer.cc, rdb_writer.cc, resp_export.cc). Adding an
// encoding, or a new TTL storage, touches all of those.
//
// Field TTLs. Once a field of the hash gets a TTL, the owner turns field
// TTLs on for good (HashStorage::enable_field_ttls) and the listpack holds
// triplets (field, value, expire-ms, 0 meaning none); a table keeps the TTL
// in the field's entry and in its time-ordered index. After every mutation
// the owner is told the new FieldBounds, which it indexes so that due fields
// are found without looking at every hash. The primitives below never hide
// an expired field: the owner reclaims due fields (expire_fields) before it
// lets anyone read the hash, so every read sees only live fields.
//
// Views. A std::string_view handed out (to a callback or through find())
// stays valid until the next mutation of the same hash.
#ifndef HASHSTORE_HASH_HASH_OBJECT_H_
#define HASHSTORE_HASH_HASH_OBJECT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "hash/hash_view.h"
#include "util/number.h"

namespace hashstore::internal {

enum class HashEncoding : uint8_t { kListpack = 0, kTable = 1 };

// "listpack" or "hashtable", as OBJECT ENCODING prints them.
const char* encoding_name(HashEncoding encoding);

// Conversion thresholds (Redis's hash-max-listpack-entries / -value).
struct HashLimits {
  size_t max_listpack_entries = 512;
  size_t max_listpack_value = 64;
};

// Where the field TTLs of a hash stand: the earliest TTL, and the moment the
// last field expires (INT64_MAX when some field has no TTL, or when no field
// has one).
struct FieldBounds {
  int64_t next_ms = INT64_MAX;
  int64_t gone_ms = INT64_MAX;
  bool operator==(const FieldBounds&) const = default;
};

// Where a hash's bytes live; implemented by the owner (a key entry).
class HashStorage {
 public:
  virtual HashEncoding encoding() const = 0;
  // REQUIRES: encoding() == kListpack.
  virtual uint8_t* listpack() = 0;
  // Realloc semantics on the listpack bytes: keeps the first min(old, new)
  // bytes, returns the (possibly moved) listpack. REQUIRES: kListpack.
  virtual uint8_t* resize_listpack(size_t new_size) = 0;
  // REQUIRES: encoding() == kTable.
  virtual FieldTable* table() = 0;
  // Frees the listpack and keeps `table` from now on; encoding() becomes
  // kTable. REQUIRES: kListpack.
  virtual void adopt_table(std::unique_ptr<FieldTable> table) = 0;
  // Whether the hash keeps field TTLs (its listpack holds triplets).
  virtual bool has_field_ttls() const = 0;
  // Turns field TTLs on, leaving the payload bytes as they are (the
  // HashObject rewrites a listpack into triplets right after).
  virtual void enable_field_ttls() = 0;
  // REQUIRES: has_field_ttls().
  virtual FieldBounds field_bounds() const = 0;
  virtual void set_field_bounds(FieldBounds bounds) = 0;

 protected:
  ~HashStorage() = default;
};

class HashObject {
 public:
  HashObject(HashStorage& storage, const HashLimits& limits)
      : storage_(storage), limits_(limits) {}

  // Where the names of the fields each later mutation changes (set, erased,
  // TTL set or removed, expired) are appended, for the Store's change
  // events; nullptr (the default) records nothing.
  void set_change_sink(std::vector<std::string>* changed) { changed_ = changed; }

  HashEncoding encoding() const { return storage_.encoding(); }
  size_t length() const;
  bool empty() const;

  // Looks field up. Returns true and sets *value (backed by buf or by the
  // hash) when present.
  bool find(std::string_view field, ValueBuffer* buf, std::string_view* value) const {
    return lookup(field, buf, value, nullptr);
  }

  // Sets field to value; returns true when the field is new. Converts to the
  // table encoding first/afterwards as described at the top of this file.
  // An existing field loses its TTL unless keep_ttl (HINCRBY keeps it).
  bool set(std::string_view field, std::string_view value, bool keep_ttl = false);

  // Removes field; returns true when it was there. The caller deletes the
  // key when length() drops to 0.
  bool erase(std::string_view field);

  // Every field in order (listpack: insertion order; table: table order).
  // fn must not mutate this hash.
  void for_each(absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const;

  // One HSCAN step: calls fn for the fields of this step and returns the next
  // cursor (0: done). A listpack is returned whole, as Redis does.
  uint64_t scan(uint64_t cursor, size_t count,
                absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const;

  // A uniformly random field. REQUIRES: length() > 0. random_bits: fresh
  // random bits from the caller's generator.
  void random_field(uint64_t random_bits,
                    absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const;

  // HSET of these pairs on a hash just created (an empty listpack of
  // pairs): builds the whole listpack aside and takes it in one resize,
  // rather than one resize per pair; a field given twice takes its last
  // value, as set() would. Returns false, having changed nothing, unless the
  // hash is such and the pairs fit the listpack limits (the caller then sets
  // them one by one); else *added is the number of distinct fields.
  bool fill_empty(std::span<const std::pair<std::string_view, std::string_view>> pairs,
                  int64_t* added);

  // Converts a listpack hash to the table encoding now (no-op on a table).
  void convert_to_table();

  // ---- Field TTLs ----
  bool has_field_ttls() const { return storage_.has_field_ttls(); }
  // Whether field exists; its TTL (absolute Unix ms) in *expire_ms.
  bool find_expiry(std::string_view field, std::optional<int64_t>* expire_ms) const {
    return lookup(field, nullptr, nullptr, expire_ms);
  }
  // Sets (nullopt: removes) field's TTL; false when the field is absent.
  bool set_expiry(std::string_view field, std::optional<int64_t> expire_ms);
  // Removes up to max fields whose TTL is <= now; returns how many. May
  // leave the hash empty (the owner then deletes the key).
  size_t expire_fields(int64_t now, size_t max);

 private:
  // find() and find_expiry() in one: whether field exists, and (for the
  // outputs that are not null) its value and its TTL.
  bool lookup(std::string_view field, ValueBuffer* buf, std::string_view* value,
              std::optional<int64_t>* expire_ms) const;
  // Entries per field in the listpack: 2, or 3 with field TTLs.
  size_t stride() const { return storage_.has_field_ttls() ? 3 : 2; }
  void enable_field_ttls();
  // Tells the owner the new FieldBounds after a mutation (field TTLs only).
  void update_bounds();
  void note_changed(std::string_view field) {
    if (changed_ != nullptr) changed_->emplace_back(field);
  }

  HashStorage& storage_;
  const HashLimits& limits_;
  std::vector<std::string>* changed_ = nullptr;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_HASH_HASH_OBJECT_H_
