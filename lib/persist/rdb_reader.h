// Loading a Redis RDB file (format: rdb_format.h; versions 9 to 12, written
// by Redis 5.0 to 8.x) into an empty store.
//
// Hashes in every encoding Redis has written become hashstore hashes
// (rdb_hash.h), with their key TTL (EXPIRETIME in seconds or ms) and field
// TTLs. AUX, RESIZEDB, SELECTDB, SLOT_INFO, IDLE, FREQ, FUNCTION2 and
// MODULE_AUX records are read and stepped over. Keys of other types, and
// keys of any type in a database other than 0, are refused with an error
// naming the first such key, its type and its database — or, with
// LoadOptions::skip_unsupported, stepped over and counted.
//
// Untrusted input, as the snapshot reader treats it: every length is
// checked against the bytes left before it is used, every listpack,
// ziplist and zipmap is fully validated (duplicates included) before it
// is used, the CRC-64 trailer must match unless it is 0 ("not computed",
// as Redis allows), and nothing goes into the store until the whole file
// passed; then all keys go in at once (key_stage.h), so a refused file
// leaves the store as it was. Keys and fields whose TTL is not in the
// future at load time are left out (counted as expired); empty hashes
// (which old Redis versions could write) are skipped and counted, as
// Redis does.
//
// Errors: DataLoss for a damaged, truncated or foreign file and
// Unimplemented for content hashstore does not hold (other types or
// databases without skip_unsupported, RDB versions outside 9..12, Redis
// release-candidate function and module records, which Redis refuses too);
// the message is "ERR RDB file <name>: [key "<key>" (db N): ]<what> at byte
// <offset>". NotFound for a missing file; FailedPrecondition when the store
// holds keys.
#ifndef HASHSTORE_PERSIST_RDB_READER_H_
#define HASHSTORE_PERSIST_RDB_READER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/store_impl.h"

namespace hashstore::internal::rdb {

struct LoadOptions {
  // Step over keys of other types and databases, counting them, instead of
  // refusing the file.
  bool skip_unsupported = false;
  // Fuzzing only: false skips the CRC-64 comparison (everything else is
  // still validated).
  bool verify_checksum = true;
};

struct LoadResult {
  int version = 0;        // the file's RDB version
  uint64_t bytes = 0;     // file size
  uint64_t keys = 0;      // keys loaded
  uint64_t expired = 0;   // keys dropped because their TTL (or every field's) passed
  uint64_t skipped = 0;   // keys of other types or databases (skip_unsupported)
  uint64_t empty = 0;     // empty hashes skipped
};

// Whether bytes (a file's start) begins like an RDB file: "REDIS".
bool has_rdb_magic(std::string_view head);

absl::StatusOr<LoadResult> load_rdb_file(StoreImpl& impl, const std::string& path,
                                         const LoadOptions& options = {});
// The same from bytes in memory; `name` names them in error messages.
absl::StatusOr<LoadResult> load_rdb_bytes(StoreImpl& impl, std::string_view bytes,
                                          std::string_view name, const LoadOptions& options = {});

}  // namespace hashstore::internal::rdb

#endif  // HASHSTORE_PERSIST_RDB_READER_H_
