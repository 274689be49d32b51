// The two packed encodings older Redis versions wrote hashes in, read from
// untrusted RDB bytes: validation first (as deep as Redis's
// ziplistValidateIntegrity / zipmapValidateIntegrity with deep = 1), then
// iteration over what passed.
//
// Ziplist (hash type 13, Redis 2.6 to 6.2). All numbers little-endian
// unless said otherwise:
//
//   <zlbytes u32> <zltail u32> <zllen u16> <entry>* <0xFF>
//   entry   := <prevlen> <encoding> <data>
//   prevlen := u8 (0..253) | 0xFE u32        raw size of the previous entry
//                                            (0 for the first)
//   encoding:  00xxxxxx                   string of 0..63 bytes
//              01xxxxxx yyyyyyyy          string, 14-bit length big-endian
//              10xxxxxx u32 big-endian    string (the low 6 bits unused)
//              11000000 i16 | 11010000 i32 | 11100000 i64 | 11110000 i24
//              11111110 i8 | 1111xxxx (0001..1101) the integer xxxx - 1
//
// zlbytes must equal the buffer's size, zltail must be the offset of the
// last entry, zllen the entry count unless it is 65535 ("count unknown"),
// every prevlen the previous entry's raw size, and every entry must lie
// inside the buffer before the final 0xFF.
//
// Zipmap (hash type 9, Redis before 2.6):
//
//   <zmlen u8> (<len> field <len> <free u8> value <free bytes>)* <0xFF>
//   len := u8 (0..253) | 0xFE u32 (host order: little-endian on every
//          machine Redis ran on that wrote one)
//
// zmlen is the pair count unless it is 254 ("count unknown"); a zipmap
// holds at least one pair. Duplicate fields are the caller's concern (the
// hash builder refuses them).
//
// Errors are absl::DataLoss "ziplist: <what> at byte offset N" (offsets
// inside the buffer). Nothing is read outside [p, p + size).
#ifndef HASHSTORE_PERSIST_RDB_ZIPLIST_H_
#define HASHSTORE_PERSIST_RDB_ZIPLIST_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace hashstore::internal::rdb {

inline constexpr size_t kZiplistHeaderSize = 10;
inline constexpr uint16_t kZiplistCountUnknown = 65535;
inline constexpr uint8_t kZipmapCountUnknown = 254;

// One ziplist entry: an integer or a string (a view into the ziplist).
struct ZiplistItem {
  bool is_int;
  int64_t int_value;
  std::string_view str;
};

// Validates p[0, size) as a ziplist; *count gets its entry count.
absl::Status ziplist_validate(const uint8_t* p, size_t size, size_t* count);
// Calls fn for every entry in order. REQUIRES: ziplist_validate passed.
void ziplist_for_each(const uint8_t* p, absl::FunctionRef<void(const ZiplistItem&)> fn);

// Validates p[0, size) as a zipmap; *pairs gets its pair count (>= 1).
absl::Status zipmap_validate(const uint8_t* p, size_t size, size_t* pairs);
// Calls fn for every (field, value) in order. REQUIRES: zipmap_validate passed.
void zipmap_for_each(const uint8_t* p,
                     absl::FunctionRef<void(std::string_view field, std::string_view value)> fn);

}  // namespace hashstore::internal::rdb

#endif  // HASHSTORE_PERSIST_RDB_ZIPLIST_H_
