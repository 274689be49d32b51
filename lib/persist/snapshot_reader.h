// Reading snapshots (format: snapshot_format.h) into an empty store.
//
// Nothing from the file is used before it is checked: the header and each
// block pass their checksums before their bytes are parsed, every length is
// checked against the bytes that remain before it is used, every listpack
// passes lp::validate and the hash rules (pairs or triplets, canonical
// integers, TTL entries non-negative integers, no duplicate fields), and the
// trailer's key count and whole-file checksum must match. Keys are built
// aside and go into the store only after the whole file passed, all at once
// with every shard locked; so a refused file leaves the store as it was.
//
// A key (or field) whose TTL is not in the future at load time is dropped.
// A listpack over the store's current thresholds becomes a table, as a write
// would convert it. Errors are absl::DataLossError for a damaged, truncated
// or foreign file, with a message saying what is wrong and at which byte
// offset, or for a read error of the system (EIO); for a file that cannot
// be opened, the code from errno (persist/io_error.h: NotFound for a
// missing file, PermissionDenied...); InvalidArgument for an empty path;
// FailedPrecondition when the store holds keys.
#ifndef HASHSTORE_PERSIST_SNAPSHOT_READER_H_
#define HASHSTORE_PERSIST_SNAPSHOT_READER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/store_impl.h"

namespace hashstore::internal::snapshot {

struct LoadOptions {
  // Fuzzing only: false skips the checksum comparisons so that the record
  // parser sees arbitrary bytes. Everything else is still validated.
  bool verify_checksums = true;
};

struct LoadResult {
  uint64_t bytes = 0;    // file size
  uint64_t keys = 0;     // keys loaded
  uint64_t expired = 0;  // keys in the file dropped because their time passed
};

absl::StatusOr<LoadResult> load_snapshot_file(StoreImpl& impl, const std::string& path,
                                              const LoadOptions& options = {});
// Opens path for a loader (this one and the RDB reader): *fd, which the
// caller closes, and *size. Errors, their messages prefixed with label:
// NotFound for a missing file, PermissionDenied when it cannot be opened,
// DataLoss for anything but a regular file.
absl::Status open_for_load(const std::string& path, const std::string& label, int* fd,
                           uint64_t* size);
// The same from bytes in memory; `name` prefixes error messages.
absl::StatusOr<LoadResult> load_snapshot_bytes(StoreImpl& impl, std::string_view bytes,
                                               std::string_view name,
                                               const LoadOptions& options = {});

}  // namespace hashstore::internal::snapshot

#endif  // HASHSTORE_PERSIST_SNAPSHOT_READER_H_
