// Hash commands whose semantics go beyond one primitive (HINCRBY,
// HINCRBYFLOAT, HRANDFIELD, HSCAN filtering), written once on top of
// HashObject's primitives so they are the same for every encoding.
//
// Each function validates before it writes: on error the hash is unchanged.
#ifndef HASHSTORE_HASH_HASH_COMMANDS_H_
#define HASHSTORE_HASH_HASH_COMMANDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "hash/hash_object.h"

namespace hashstore::internal {

// Redis error texts shared by the hash commands.
inline constexpr char kErrHashNotInteger[] = "ERR hash value is not an integer";
inline constexpr char kErrOverflow[] = "ERR increment or decrement would overflow";
inline constexpr char kErrHashNotFloat[] = "ERR hash value is not a float";
inline constexpr char kErrIncrNanInf[] = "ERR increment would produce NaN or Infinity";
inline constexpr char kErrValueNanInf[] = "ERR value is NaN or Infinity";

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
uint64_t hash_scan(const HashObject& hash, uint64_t cursor, size_t count, std::string_view match,
                   bool novalues, std::vector<std::string>* items);

}  // namespace hashstore::internal

#endif  // HASHSTORE_HASH_HASH_COMMANDS_H_
