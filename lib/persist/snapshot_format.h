// The snapshot file format: what Store::save writes and Store::load reads.
//
// A snapshot is a header, blocks of key records, and a trailer. Every
// multi-byte number is little-endian; "varint" is LEB128 (7 bits a byte, low
// bits first, at most 10 bytes, no overflow past 64 bits).
//
//   file     := header block* trailer
//   header   := magic[8] = "HSSNAP\r\n"   (the \r\n catches text-mode mangling)
//               version u32 = 1
//               flags u32 = 0             (any other bit is refused)
//               created_ms i64            (Unix ms when the save started)
//               shard_count u32           (informational: the saving Store's)
//               reserved u32 = 0
//               checksum u64              XXH3-64 of the 32 bytes above
//   block    := type u8 = 'K'
//               length u32                payload bytes
//               records u32               records in the payload
//               payload[length]           `records` records, back to back
//               checksum u64              XXH3-64 of type..payload
//   trailer  := type u8 = 'E'
//               keys u64                  records in the whole file
//               checksum u64              XXH3-64 of every byte before it
//
//   record   := flags u8                  bit 0 key TTL, bit 1 table encoding
//                                         (else listpack), bit 2 field TTLs;
//                                         other bits refused
//               key_len varint, key[key_len]
//               expire_ms i64             only with bit 0: absolute Unix ms
//               listpack: lp_len u32, lp[lp_len]
//                         the hash's listpack bytes as they are in memory:
//                         pairs (field, value), or with bit 2 triplets
//                         (field, value, TTL int, 0 meaning none)
//               table:    count varint, then count times
//                           fflags u8 (bit 0: has TTL; others refused)
//                           field_len varint, field, value_len varint, value
//                           expire_ms i64 (only with fflags bit 0)
//
// The writer closes a block once its payload passes kBlockTarget bytes (a
// record is never split, so one huge hash makes one big block). Records
// appear shard by shard; within a shard in table order. Keys and fields
// already expired at save time may be present: the loader drops whatever is
// expired at load time.
//
// Everything is covered twice: a flipped bit fails its block's (or the
// header's) checksum, and any change, truncation or extension fails the
// trailer's whole-file checksum or its framing. Lengths are checked against
// the bytes that remain before anything is allocated or read.
#ifndef HASHSTORE_PERSIST_SNAPSHOT_FORMAT_H_
#define HASHSTORE_PERSIST_SNAPSHOT_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hashstore::internal::snapshot {

inline constexpr char kMagic[8] = {'H', 'S', 'S', 'N', 'A', 'P', '\r', '\n'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderBodySize = 32;  // magic .. reserved
inline constexpr size_t kHeaderSize = kHeaderBodySize + 8;
inline constexpr uint8_t kBlockKeys = 'K';
inline constexpr uint8_t kTrailerType = 'E';
inline constexpr size_t kBlockHeaderSize = 1 + 4 + 4;
inline constexpr size_t kChecksumSize = 8;
inline constexpr size_t kTrailerSize = 1 + 8 + 8;
inline constexpr size_t kBlockTarget = size_t{1} << 20;

inline constexpr uint8_t kRecKeyTtl = 1 << 0;
inline constexpr uint8_t kRecTable = 1 << 1;
inline constexpr uint8_t kRecFieldTtls = 1 << 2;
inline constexpr uint8_t kRecKnownFlags = kRecKeyTtl | kRecTable | kRecFieldTtls;
inline constexpr uint8_t kFieldHasTtl = 1 << 0;

static_assert(sizeof(kMagic) == 8);
static_assert(kHeaderBodySize == 8 + 4 + 4 + 8 + 4 + 4, "header layout");
static_assert(kBlockHeaderSize == 9 && kTrailerSize == 17, "framing layout");

// ---- Little-endian helpers (the format's only byte order) ----

inline void put_u32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
inline void put_u64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
inline void put_varint(std::string* out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out->push_back(static_cast<char>(v | 0x80));
  out->push_back(static_cast<char>(v));
}
inline void set_u32_at(std::string* out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*out)[at + i] = static_cast<char>(v >> (8 * i));
}
inline void set_u64_at(std::string* out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) (*out)[at + i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Reads the varint at p[*pos] from untrusted bytes p[0, n): kOk and *v,
// *pos past it; kTruncated when the bytes end inside it; kOverflow when it
// holds more than 64 bits.
enum class VarintRead : uint8_t { kOk, kTruncated, kOverflow };
inline VarintRead read_varint(const uint8_t* p, size_t n, size_t* pos, uint64_t* v) {
  uint64_t out = 0;
  for (int shift = 0;; shift += 7) {
    if (*pos == n) return VarintRead::kTruncated;
    const uint8_t b = p[(*pos)++];
    if (shift == 63 && b > 1) return VarintRead::kOverflow;  // also a 64th bit that continues
    out |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) break;
  }
  *v = out;
  return VarintRead::kOk;
}

}  // namespace hashstore::internal::snapshot

#endif  // HASHSTORE_PERSIST_SNAPSHOT_FORMAT_H_
