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

// The system calls save_snapshot makes. Tests pass their own to make one
// fail with a chosen errno (a full disk, a read-only file system) where the
// real file system cannot be made to; each behaves as the POSIX call.
struct FileOps {
  int (*open)(const char* path, int flags, unsigned mode);
  long (*write)(int fd, const void* data, size_t n);
  int (*fsync)(int fd);
  int (*close)(int fd);
  int (*rename)(const char* from, const char* to);
};
// The real calls.
const FileOps& system_file_ops();

// Writes a snapshot to path crash-safely: a temporary file in the same
// directory, fsync, rename over path, fsync of the directory. On error the
// temporary file is removed and path is untouched. Errors name path (never
// the temporary file) and the system's text, "ERR save <path>: <what
// failed>: <strerror>", with a code from errno (persist/io_error.h:
// NOT_FOUND for a missing directory, PERMISSION_DENIED, RESOURCE_EXHAUSTED
// for a full disk, FAILED_PRECONDITION for a read-only file system...); an
// empty path is INVALID_ARGUMENT "ERR save: the path is empty".
absl::StatusOr<SaveResult> save_snapshot(StoreImpl& impl, const std::string& path,
                                         const FileOps& ops = system_file_ops());

// ---- File helpers (also used by the RDB writer) ----

// Writes path crash-safely: write(fd) fills a temporary file in the same
// directory (it may seek and pwrite), then the file is fsynced, renamed
// over path, and the directory fsynced. On error the temporary file is
// removed and path is untouched. Errors as save_snapshot's (they name path,
// never the temporary file; codes from errno).
absl::Status write_file_atomically(const std::string& path,
                                   absl::FunctionRef<absl::Status(int fd)> write,
                                   const FileOps& ops = system_file_ops());
// Writes all of data to fd; errors name path ("ERR save <path>: cannot
// write: <strerror>").
absl::Status write_all(int fd, std::string_view data, const std::string& path,
                       const FileOps& ops = system_file_ops());

}  // namespace hashstore::internal::snapshot

#endif  // HASHSTORE_PERSIST_SNAPSHOT_WRITER_H_
