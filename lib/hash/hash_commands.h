// Hash commands whose semantics go beyond one primitive (HSET's pairs,
// HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN filtering), written once on top of
// HashObject's primitives so they are the same for every encoding.
//
// Each function validates before it writes: on error the hash is unchanged.
#ifndef HASHSTORE_HASH_HASH_COMMANDS_H_
#define HASHSTORE_HASH_HASH_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "hash/hash_object.h"
#include "util/errors.h"  // the kErr* texts these functions return

namespace hashstore::internal {

// HSET: sets the pairs; returns how many fields were new. As Redis, one
// field or value longer than max_value converts a listpack hash to a table
// before any write.
int64_t hash_set_pairs(HashObject& hash,
                       std::span<const std::pair<std::string_view, std::string_view>> pairs,
                       size_t max_value);

// HINCRBY: the new value. Errors: kErrHashNotInteger, kErrOverflow.
absl::StatusOr<int64_t> hash_incrby(HashObject& hash, std::string_view field, int64_t increment);

// HINCRBYFLOAT: the new value as Redis formats it. REQUIRES: increment is
// finite (the caller replies kErrValueNanInf otherwise). Errors:
// kErrHashNotFloat, kErrIncrNanInf.
absl::StatusOr<std::string> hash_incrbyfloat(HashObject& hash, std::string_view field,
                                             long double increment);

// HRANDFIELD key count [WITHVALUES] on an existing hash, Redis's rules:
// count >= 0 distinct fields (all of them, in order, when count >= length),
// count < 0 |count| fields that may repeat. Flat field[, value] list.
std::vector<std::string> hash_randfield(const HashObject& hash, int64_t count, bool withvalues,
                                        absl::BitGen& gen);

// One HSCAN step with MATCH filtering. Appends field[, value] to *items and
// returns the next cursor.
uint64_t hash_scan(const HashObject& hash, uint64_t cursor, size_t count,
                   std::optional<std::string_view> match,
                   bool novalues, std::vector<std::string>* items);

// The field's integer value for counters: 0 when missing;
// kErrHashNotInteger when the value is not a canonical int64.
absl::StatusOr<int64_t> hash_int_value(const HashObject& hash, std::string_view field);

// HRESERVE: when the field's integer value is at least amount (a missing
// field counts as 0), subtracts amount and returns what remains; otherwise
// changes nothing and returns nullopt. REQUIRES: amount > 0.
absl::StatusOr<std::optional<int64_t>> hash_reserve(HashObject& hash, std::string_view field,
                                                    int64_t amount);

// A bounded increment (HINCREX), after Redis 8.8's INCREX: adds increment
// when the result stays within [lower, upper] (and int64), else changes
// nothing — or, with saturate, stores the bound instead.
struct BoundedIncrement {
  int64_t value;    // the field's value afterwards
  int64_t applied;  // what was actually added (0 when skipped)
};
absl::StatusOr<BoundedIncrement> hash_incr_bounded(HashObject& hash, std::string_view field,
                                                   int64_t increment, int64_t lower,
                                                   int64_t upper, bool saturate);

}  // namespace hashstore::internal

#endif  // HASHSTORE_HASH_HASH_COMMANDS_H_
