// Writing the store as a Redis RDB file (format: rdb_format.h).
//
// What is written, in order: "REDIS0010" (or "REDIS0012", below), AUX
// fields (redis-bits, ctime, used-mem, aof-base, hashstore-ver), SELECTDB 0,
// RESIZEDB (key and TTL counts when the save started: a hint), then every
// live key:
//   [EXPIRETIME_MS ms] type key value
//   a listpack hash without field TTLs   type 16 (HASH_LISTPACK), the
//                                        listpack's bytes as they are
//   a table hash without field TTLs      type 4 (HASH): count, then field
//                                        and value strings
//   a listpack hash with field TTLs      type 25 (HASH_LISTPACK_EX): the
//                                        earliest TTL, then a listpack of
//                                        (field, value, ms or 0) with the
//                                        TTL fields first in ascending order,
//                                        as Redis 7.4 keeps it
//   a table hash with field TTLs         type 24 (HASH_METADATA): the
//                                        earliest TTL, count, then per field
//                                        (TTL - earliest + 1 or 0, field,
//                                        value)
// then EOF and the CRC-64 of everything before it. Fields and keys whose
// TTL passed are left out. So a listpack hash with field TTLs comes back
// (here or in Redis) in Redis's field order, not its own. Strings are written plainly (no integer or LZF
// encoding), which every Redis version reads.
//
// Version: 10 (loads in Redis 7.0 and later) when no field TTL was written;
// 12 (Redis 7.4 and later) when one was. The header is fixed up once the
// last key is written, its CRC folded in with crc64_combine.
//
// Consistency and threading are the snapshot writer's (snapshot_writer.h):
// each shard is captured whole under its read lock, one after the other;
// any thread, concurrently with other calls.
#ifndef HASHSTORE_PERSIST_RDB_WRITER_H_
#define HASHSTORE_PERSIST_RDB_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/store_impl.h"

namespace hashstore::internal::rdb {

struct SaveResult {
  int version = 0;                     // 10 or 12
  uint64_t bytes = 0;                  // file size
  uint64_t keys = 0;                   // keys written
  std::vector<double> shard_pause_ms;  // per shard: how long its lock was held
};

// The whole file into *out (replaced).
SaveResult write_rdb(StoreImpl& impl, std::string* out);

// Writes the file to path crash-safely (temporary file, fsync, rename,
// fsync of the directory: snapshot_writer.h's write_file_atomically). On
// error path is untouched; the message names the path and the system error.
absl::StatusOr<SaveResult> save_rdb(StoreImpl& impl, const std::string& path);

}  // namespace hashstore::internal::rdb

#endif  // HASHSTORE_PERSIST_RDB_WRITER_H_
