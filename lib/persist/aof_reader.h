// Reading the append-only log (format: aof_format.h): checking a whole file
// and replaying its records into a Store.
//
// scan_log() checks every byte before anything is applied: the header, each
// frame's head and checksum, each payload's structure. It stops at the end
// or at a torn tail (cut off when load_truncated, as Redis's
// aof-load-truncated yes; refused otherwise); a bad record before the tail
// refuses the whole file with its byte offset and how many good records
// precede it. Untrusted bytes: every length is checked against the bytes
// left before it is used (fuzz/aof_reader_fuzzer.cc).
//
// Thread-safety: free functions; load_log_file REQUIRES that no other thread
// uses the Store yet.
#ifndef HASHSTORE_PERSIST_AOF_READER_H_
#define HASHSTORE_PERSIST_AOF_READER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "persist/aof_records.h"

namespace hashstore::internal::aof {

struct ScanResult {
  uint64_t records = 0;     // good records
  uint64_t valid_size = 0;  // bytes of the file that are good (the header, the records)
  uint64_t truncated = 0;   // bytes of a torn tail cut off (0: none)
};

// Checks bytes as a log; calls fn for each good record, in order, only if
// `apply` (a first pass with apply false checks everything, a second applies).
// Errors (DataLoss): "ERR Bad file format reading the append only file:
// <what> at offset <n> after <k> records", and for a torn tail with
// load_truncated false "... truncated at offset <n> after <k> records
// (aof-load-truncated is no)".
absl::StatusOr<ScanResult> scan_log(std::string_view bytes, bool load_truncated,
                                    absl::FunctionRef<absl::Status(const Record&)> fn);

// Reads the file at path (a missing file is an empty log: valid_size 0),
// checks it whole, then replays it into store. Nothing is applied when the
// check fails.
absl::StatusOr<ScanResult> load_log_file(Store& store, const std::string& path,
                                         bool load_truncated);

}  // namespace hashstore::internal::aof

#endif  // HASHSTORE_PERSIST_AOF_READER_H_
