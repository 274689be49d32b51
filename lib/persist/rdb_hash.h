// Turning the hashes of an RDB file into hashstore key entries.
//
// Every hash encoding Redis has written ends here: field by field through
// HashBuilder (plain hashes, the 7.4 metadata hashes with field TTLs,
// ziplists, zipmaps), or as a whole listpack through listpack_hash_entry
// (types 16, 23, 25), which keeps the file's bytes as the entry's listpack
// when they are already what hashstore would hold.
//
// The result follows hashstore's own rules, as if the hash had been written
// with HSET: a listpack while within the store's thresholds (entries and
// string length, CONFIG hash-max-listpack-*), otherwise a table; integers
// in canonical form stored as listpack integers; fields with a TTL as
// (field, value, expire-ms) triplets. Fields whose TTL is not in the future
// at load time are left out; a hash left with no field is not staged.
// Duplicate fields are an error (Redis's sanitize-dump-payload check).
//
// Not thread-safe; one builder per reader, reused hash after hash.
#ifndef HASHSTORE_PERSIST_RDB_HASH_H_
#define HASHSTORE_PERSIST_RDB_HASH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "hash/hash_object.h"

namespace hashstore::internal::rdb {

class HashBuilder {
 public:
  HashBuilder(HashLimits limits, int64_t now_ms) : limits_(limits), now_(now_ms) {}

  // Starts a new hash of about `expected` fields (a hint for the encoding:
  // more than the entries threshold starts a table, as Redis does).
  void start(size_t expected);
  // Adds a field; ttl_ms 0 means none. False: the field is already there.
  bool add(std::string_view field, std::string_view value, int64_t ttl_ms);
  // Fields added so far.
  size_t size() const { return fields_; }
  // The entry for key (with expire_ms as its TTL), or nullptr when no field
  // is live. The builder is empty afterwards.
  void* finish(std::string_view key, std::optional<int64_t> expire_ms);
  // Drops what was added (after an error).
  void discard();

  HashLimits limits() const { return limits_; }
  int64_t now() const { return now_; }

 private:
  void to_table();

  const HashLimits limits_;
  const int64_t now_;
  size_t fields_ = 0;
  size_t expired_ = 0;      // added with a TTL already passed
  size_t with_ttl_ = 0;     // live fields with a TTL
  int64_t earliest_ = INT64_MAX, latest_ = INT64_MIN;
  bool triplets_ = false;   // the listpack holds (field, value, ttl)
  std::unique_ptr<OwnedListpack> lp_;
  std::unique_ptr<FieldTable> table_;
};

// What loading one hash gave.
enum class HashOutcome { kStaged, kExpired, kEmpty };

// The entry for a hash stored as a listpack of pairs (ttls false: type 16)
// or (field, value, expire-ms or 0) triplets (ttls true: types 23, 25):
// validated as deeply as Redis's sanitize-dump-payload does (lp::validate,
// a whole number of pairs / triplets, no duplicate field, TTLs integers in
// [0, 2^48 - 1], those with a TTL first in ascending order). *entry gets
// nullptr with *outcome kExpired / kEmpty when nothing is to be staged.
// Errors: DataLoss "bad listpack (...)" / "duplicate field ..." without an
// offset (the caller adds the value's).
absl::Status listpack_hash_entry(const uint8_t* lp, size_t size, bool ttls, std::string_view key,
                                 std::optional<int64_t> expire_ms, HashBuilder& builder,
                                 void** entry, HashOutcome* outcome);

}  // namespace hashstore::internal::rdb

#endif  // HASHSTORE_PERSIST_RDB_HASH_H_
