// The append-only log's byte format (version 1): constants, record types
// and the framing shared by its writer (aof_log.cc, aof_records.cc) and its
// reader (aof_reader.cc). README.md ("The append-only log") repeats it for
// users.
//
//     file    := header record*
//     header  := magic "HSAOF\r\n\x1a" (8 bytes), version u32 = 1,
//                flags u32 = 0, XXH3-64 of those 16 bytes (u64)
//     record  := length u32, type u8, head u16, checksum u64, payload[length]
//                head = the low 16 bits of XXH3-64 of (length, type), so a
//                damaged length is caught before it is believed;
//                checksum = XXH3-64 of the payload
//
// Payloads by type (strings are varint length + bytes; numbers
// little-endian; varints LEB128; times absolute Unix ms):
//
//     kHash     kflags u8, key, [key_expire_ms i64 when kflags & kKeyTtl],
//               count varint, then count times:
//                 fflags u8, field, [value when fflags & kPresent],
//                 [expire_ms i64 when fflags & kFieldTtl (REQUIRES kPresent)]
//               Sets the key's TTL (or none) and each listed field: present
//               ones to their value and TTL (or none), absent ones deleted.
//               kflags & kReplace: the key is deleted first, and the record
//               lists every field it has. A key left with no field is gone.
//     kDel      key. The key is deleted (DEL, RENAME's source, expiry,
//               eviction).
//     kFlushAll (empty). Every key is deleted.
//
// Every record states a resulting state, never a delta (HINCRBY is logged
// as the value it produced), so replaying a record twice, or over a state
// that already includes it, gives the same keyspace.
//
// A record is applied only after its whole frame was read and its checksum
// and payload checked, so none is ever half applied. On load, a torn tail
// (a crash while appending) is: fewer than kFrameSize bytes left; a good
// head whose payload runs past the end of the file; a bad payload checksum
// on the record that ends the file; or a bad record followed only by zero
// bytes (a file grown but not written). A torn tail is cut off when
// aof-load-truncated is yes, refused otherwise; a bad record anywhere else
// refuses the file with its byte offset and the number of good records
// before it.
#ifndef HASHSTORE_PERSIST_AOF_FORMAT_H_
#define HASHSTORE_PERSIST_AOF_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace hashstore::internal::aof {

inline constexpr char kMagic[8] = {'H', 'S', 'A', 'O', 'F', '\r', '\n', '\x1a'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderSize = 8 + 4 + 4 + 8;
// length u32, type u8, head u16, checksum u64.
inline constexpr size_t kFrameSize = 4 + 1 + 2 + 8;
// The longest payload a reader accepts (a key with a hash of this many
// bytes is logged as one record; 512 MiB is Redis's longest string).
inline constexpr uint32_t kMaxPayload = uint32_t{1} << 30;

// The head check of a frame's length and type.
uint16_t head_check(uint32_t length, uint8_t type);

enum RecordType : uint8_t {
  kHash = 1,
  kDel = 2,
  kFlushAll = 3,
};

// The times a record may hold (absolute Unix ms): what the Store itself
// accepts (field TTLs: Redis 8.0's 2^46 - 1; key TTLs: far beyond any
// real time, and no overflow when the Store compares them).
inline constexpr int64_t kMaxFieldExpireMs = (int64_t{1} << 46) - 1;
inline constexpr int64_t kMaxKeyExpireMs = int64_t{1} << 62;

// kHash's kflags.
inline constexpr uint8_t kReplace = 1 << 0;
inline constexpr uint8_t kKeyTtl = 1 << 1;
inline constexpr uint8_t kKnownKeyFlags = kReplace | kKeyTtl;
// kHash's fflags.
inline constexpr uint8_t kPresent = 1 << 0;
inline constexpr uint8_t kFieldTtl = 1 << 1;
inline constexpr uint8_t kKnownFieldFlags = kPresent | kFieldTtl;

static_assert(sizeof(kMagic) == 8);
static_assert(kHeaderSize == 24 && kFrameSize == 15, "framing layout");

}  // namespace hashstore::internal::aof

#endif  // HASHSTORE_PERSIST_AOF_FORMAT_H_
