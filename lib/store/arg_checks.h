// Checks of arguments that both the Store's typed methods and the command
// layer (lib/command) make, each returning Redis's exact error text, so
// that a bad call fails the same way whichever way it came in. The texts
// themselves are in util/errors.h.
#ifndef HASHSTORE_STORE_ARG_CHECKS_H_
#define HASHSTORE_STORE_ARG_CHECKS_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hashstore::internal {

// EXPIRE's NX / XX / GT / LT combinations Redis refuses, with its texts
// (store_expire.cc). The command layer checks them before the time argument,
// in Redis's order.
absl::Status check_expire_flags(unsigned flags);

// The absolute time (ms) that a field TTL `value` in `unit_ms` (1 or 1000)
// means from `base` (now, or 0 for the absolute forms), with Redis 8.0's
// checks and texts: not negative, seconds checked before they are
// multiplied, at most 2^46 - 1 ms (store_field_ttl.cc). The command layer
// calls it with base 0 to check a time argument before anything else.
absl::StatusOr<int64_t> field_expire_at(int64_t value, int64_t unit_ms, int64_t base,
                                        std::string_view command);

// "ERR wrong number of arguments for '<command>' command" (the command
// layer's arity text, for Store calls given an empty list; store.cc).
absl::Status wrong_arity(std::string_view command);

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_ARG_CHECKS_H_
