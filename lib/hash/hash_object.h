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
// The switch on encoding lives in hash_object.cc only: the primitives below
// (find, set, erase, length, for_each, scan, nth/random) are the only code
// that knows both encodings; everything else (hash_commands.h) is written on
// top of them. Adding an encoding, or TTL storage, touches that one file.
//
// Views. A std::string_view handed out (to a callback or through find())
// stays valid until the next mutation of the same hash.
#ifndef HASHSTORE_HASH_HASH_OBJECT_H_
#define HASHSTORE_HASH_HASH_OBJECT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "encoding/field_entry.h"
#include "encoding/listpack.h"
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

 protected:
  ~HashStorage() = default;
};

// Scratch space for a listpack integer entry rendered as a string.
struct ValueBuffer {
  char bytes[kMaxInt64Chars];
};

class HashObject {
 public:
  HashObject(HashStorage& storage, const HashLimits& limits)
      : storage_(storage), limits_(limits) {}

  HashEncoding encoding() const { return storage_.encoding(); }
  size_t length() const;

  // Looks field up. Returns true and sets *value (backed by buf or by the
  // hash) when present.
  bool find(std::string_view field, ValueBuffer* buf, std::string_view* value) const;

  // Sets field to value; returns true when the field is new. Converts to the
  // table encoding first/afterwards as described at the top of this file.
  bool set(std::string_view field, std::string_view value);

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

  // Converts a listpack hash to the table encoding now (no-op on a table).
  void convert_to_table();

 private:
  bool listpack_set(std::string_view field, std::string_view value);

  HashStorage& storage_;
  const HashLimits& limits_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_HASH_HASH_OBJECT_H_
