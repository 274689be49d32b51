// Records of the append-only log (format: aof_format.h): building them from
// a shard's state (the writer's side) and checking and applying them (the
// reader's side).
//
// Writer: append_events() runs under the shard's write lock and reads each
// event's key as it is now, so a record states the key's resulting fields,
// values and TTLs (absolute ms), never the command that made them.
// Reader: parse_record() checks a payload completely (every length against
// the bytes left, every flag known) before anything is applied;
// apply_record() then replays it through the Store's public methods.
//
// Thread-safety: free functions; append_events REQUIRES the shard held for
// writing, apply_record the Store not yet shared with other threads.
#ifndef HASHSTORE_PERSIST_AOF_RECORDS_H_
#define HASHSTORE_PERSIST_AOF_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "persist/aof_format.h"
#include "store/store_impl.h"

namespace hashstore::internal::aof {

// The 24-byte file header.
std::string file_header();
// Whether bytes (at least kHeaderSize of them) start with a valid header;
// error text names what is wrong.
absl::Status check_header(std::string_view bytes);

// Appends one framed record of `type` whose payload build(out) appends.
template <class F>
void append_record(std::string* out, RecordType type, F&& build);

// Appends the records for shard.events (this lock hold's events, in order),
// some unsealed (seal_records before they are read). REQUIRES: shard held
// for writing.
void append_events(StoreImpl& impl, Shard& shard, std::string* out);
// Appends a kHash record setting key's TTL (or none) and its `field` to
// `value` with no TTL (the fast in-place writes' record), unsealed.
void append_field_record(std::string_view key, std::optional<int64_t> key_expire_ms,
                         std::string_view field, std::string_view value, std::string* out);
// Seals the whole records in (*bytes)[from..]: fills in each frame's head
// check and payload checksum from its length, type and payload (the
// writers leave them to this, so that the hashing is done by whoever
// writes the log's buffer to its file, not by the writing call). Sealing a sealed
// record changes nothing.
void seal_records(std::string* bytes, size_t from = 0);
// Appends a kFlushAll record.
void append_flushall(std::string* out);
// Appends a kHash record with kReplace holding the whole key at `entry`.
void append_whole_key(std::string_view key, const void* entry, std::string* out);

// A parsed kHash / kDel / kFlushAll record; views point into the payload.
struct FieldState {
  std::string_view field;
  bool present = false;
  std::string_view value;
  std::optional<int64_t> expire_ms;
};
struct Record {
  RecordType type = kFlushAll;
  uint8_t key_flags = 0;
  std::string_view key;
  std::optional<int64_t> key_expire_ms;
  std::vector<FieldState> fields;
};

// Checks and parses a payload of `type`. Error (DataLoss) naming what is
// wrong; nothing is applied.
absl::Status parse_record(uint8_t type, std::string_view payload, Record* out);

// Applies a parsed record to store. Errors only when the Store refuses a
// call (out of memory).
absl::Status apply_record(Store& store, const Record& r);

// ---- Template definition ----

void put_frame(std::string* out, size_t start, RecordType type);

template <class F>
void append_record(std::string* out, RecordType type, F&& build) {
  const size_t start = out->size();
  out->append(kFrameSize, '\0');
  build(out);
  put_frame(out, start, type);
}

}  // namespace hashstore::internal::aof

#endif  // HASHSTORE_PERSIST_AOF_RECORDS_H_
