// Stepping over RDB values hashstore does not hold (strings, lists, sets,
// sorted sets, streams, module values), and over module-serialized data
// (MODULE_AUX records), by walking their layout (rdb_format.h; streams in
// rdb_skip.cc). Nothing is decoded or kept: strings are skipped by length,
// LZF data unread; every count and length is checked against the bytes
// left, so a damaged value fails with the offset where it goes wrong.
#ifndef HASHSTORE_PERSIST_RDB_SKIP_H_
#define HASHSTORE_PERSIST_RDB_SKIP_H_

#include <cstdint>

#include "absl/status/status.h"
#include "persist/rdb_input.h"

namespace hashstore::internal::rdb {

// Steps over a value of `type` (any object type, hashes included).
// Unimplemented for Redis 4.0 release-candidate modules (type 6), which
// Redis refuses too; DataLoss for an unknown type or a damaged value.
absl::Status skip_value(RdbInput& in, uint8_t type);

// Steps over module-serialized data up to and including its EOF opcode.
absl::Status skip_module_value(RdbInput& in);

}  // namespace hashstore::internal::rdb

#endif  // HASHSTORE_PERSIST_RDB_SKIP_H_
