// Writing snapshots (format: snapshot_format.h).
//
// Consistency: each shard is captured whole under its lock held shared (its
// readers go on; its writers wait while it is serialized into memory, never
// while the disk is written), one shard after the other. So each shard is a
// moment-in-time image, but two shards are captured at different moments: a
// write that lands in shard 3 while shard 1 is being captured is in the file
// if shard 3 had not been captured yet. Multi-key operations spanning shards
// may therefore appear half applied in the file.
//
// Thread-safety: any thread, concurrently with every other Store call,
// including another save (each writes its own temporary file).
#ifndef HASHSTORE_PERSIST_SNAPSHOT_WRITER_H_
#define HASHSTORE_PERSIST_SNAPSHOT_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/store_impl.h"

namespace hashstore::internal::snapshot {

struct SaveResult {
  uint64_t bytes = 0;                  // file size
  uint64_t keys = 0;                   // records written
  std::vector<double> shard_pause_ms;  // per shard: how long its lock was held
};

// Serializes the store, handing the bytes to sink in order (one call per
// shard plus header and trailer). Stops at the first error sink returns.
absl::Status write_snapshot(StoreImpl& impl,
                            absl::FunctionRef<absl::Status(std::string_view)> sink,
                            SaveResult* result);

// Writes a snapshot to path crash-safely: a temporary file in the same
// directory, fsync, rename over path, fsync of the directory. On error the
// temporary file is removed and path is untouched; the message names the
// path and the system error.
absl::StatusOr<SaveResult> save_snapshot(StoreImpl& impl, const std::string& path);

// ---- File helpers (also used by the RDB writer) ----

// Writes path crash-safely: write(fd, tmp) fills a temporary file in the
// same directory (named tmp in messages; it may seek and pwrite), then the
// file is fsynced, renamed over path, and the directory fsynced. On error
// the temporary file is removed and path is untouched; the message names
// the file and the system error ("ERR <what> <path>: <error>").
absl::Status write_file_atomically(
    const std::string& path, absl::FunctionRef<absl::Status(int fd, const std::string& tmp)> write);
// Writes all of data to fd; errors name path.
absl::Status write_all(int fd, std::string_view data, const std::string& path);

}  // namespace hashstore::internal::snapshot

#endif  // HASHSTORE_PERSIST_SNAPSHOT_WRITER_H_
