// The first pass both loaders (our snapshot format, Redis's RDB) make over
// a hash's listpack read from a file: its shape (whole groups of field,
// value and, with field TTLs, a TTL), its field TTLs, and what decides how
// the hash is staged (whether every entry fits the listpack limits, whether
// the encoding is canonical, how many groups are live at `now`). Each
// loader turns a problem into its own error text.
#ifndef HASHSTORE_PERSIST_LISTPACK_SCAN_H_
#define HASHSTORE_PERSIST_LISTPACK_SCAN_H_

#include <cstddef>
#include <cstdint>

#include "hash/hash_object.h"

namespace hashstore::internal {

enum class LpScanProblem : uint8_t {
  kNone,
  kPartialGroup,  // the entries are not a whole number of groups
  kBadTtl,        // a TTL entry is not an integer in [0, 2^48 - 1]
  kTtlOrder,      // (ttls_ordered) a TTL out of Redis's order
};

struct LpScan {
  size_t groups = 0;    // field groups
  size_t live = 0;      // groups whose TTL is not due at now
  size_t with_ttl = 0;  // live groups with a TTL
  int64_t earliest = INT64_MAX, latest = INT64_MIN;  // their TTLs' span
  // Every field and value within limits.max_listpack_value (the group
  // count is the caller's to check: it may drop expired groups first).
  bool fits = true;
  // No string entry holds a canonical integer's text (which a listpack
  // built here stores as an integer); offset of the first that does.
  bool canonical = true;
  uint32_t first_noncanonical = 0;
  LpScanProblem problem = LpScanProblem::kNone;
  uint32_t problem_at = 0;  // the offset the problem was found at
};

// Scans a hash's listpack of pairs (stride 2) or triplets (stride 3,
// field TTLs in absolute ms, 0 for none). With ttls_ordered, the fields
// with a TTL must come first, in ascending order (Redis's layout). Stops
// at the first problem. REQUIRES: lp passed lp::validate.
LpScan scan_hash_listpack(const uint8_t* lp, size_t stride, int64_t now, const HashLimits& limits,
                          bool ttls_ordered);

}  // namespace hashstore::internal

#endif  // HASHSTORE_PERSIST_LISTPACK_SCAN_H_
