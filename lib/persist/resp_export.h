// The keyspace as RESP commands that `redis-cli --pipe` (or any Redis
// client) replays into a Redis server or cluster: for each live key, HSET
// with its live fields (in the hash's order; at most kFieldsPerHset fields a
// command, so huge hashes make several), then PEXPIREAT when the key has a
// TTL, and HPEXPIREAT key ms FIELDS 1 field for each field TTL (Redis 7.4+;
// older servers answer those with an error and keep the rest).
//
// Consistency is the snapshot's: each shard is captured whole under its lock
// held shared, into memory, and handed to the sink after the lock is
// released (the sink never runs under a lock). Times are absolute, so a key
// whose TTL passes before the commands are replayed is deleted by Redis.
#ifndef HASHSTORE_PERSIST_RESP_EXPORT_H_
#define HASHSTORE_PERSIST_RESP_EXPORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "store/store_impl.h"

namespace hashstore::internal {

inline constexpr size_t kFieldsPerHset = 1000;

// Appends one command in RESP (an array of bulk strings) to out.
void append_resp_command(std::string* out, std::initializer_list<std::string_view> args);

// Writes every live key of the store as commands to sink, shard by shard;
// stops at the first error sink returns. *keys (if given) counts the keys.
absl::Status export_resp(StoreImpl& impl, absl::FunctionRef<absl::Status(std::string_view)> sink,
                         uint64_t* keys = nullptr);

}  // namespace hashstore::internal

#endif  // HASHSTORE_PERSIST_RESP_EXPORT_H_
