// Errors of file system calls in save and load, as absl::Status: the code
// says what kind of failure it was (from errno), the message names the
// caller's path and the system's text; and the two file steps the snapshot
// writer and the append-only log share (write_fully, dir_of).
//
//   errno                          code
//   ENOENT, ENOTDIR                NOT_FOUND           (no such file or directory)
//   EACCES, EPERM                  PERMISSION_DENIED
//   ENOSPC, EDQUOT, EFBIG,         RESOURCE_EXHAUSTED  (disk full, quota, too
//   EMFILE, ENFILE, ENOMEM                              many open files, memory)
//   EROFS, EISDIR, EBUSY, ETXTBSY  FAILED_PRECONDITION (read-only file system,
//                                                       path is a directory...)
//   ENAMETOOLONG, ELOOP            INVALID_ARGUMENT    (the path itself)
//   anything else                  the caller's fallback (INTERNAL for save,
//                                                       DATA_LOSS for reading)
#ifndef HASHSTORE_PERSIST_IO_ERROR_H_
#define HASHSTORE_PERSIST_IO_ERROR_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace hashstore::internal {

absl::StatusCode code_for_errno(int err, absl::StatusCode fallback);

// Status(code_for_errno(err, fallback), "<message>: <strerror(err)>").
absl::Status errno_status(int err, std::string_view message, absl::StatusCode fallback);

// Writes all of data to fd with write (a POSIX write(), or a test's
// substitute), retrying what EINTR interrupted; 0, or the errno of the call
// that failed (the bytes before it may have been written).
int write_fully(long (*write)(int fd, const void* data, size_t n), int fd, std::string_view data);

// The directory holding path ("." for a bare name, "/" for one at the root).
std::string dir_of(const std::string& path);

}  // namespace hashstore::internal

#endif  // HASHSTORE_PERSIST_IO_ERROR_H_
