// CRC-64 as Redis computes it for the RDB trailer: the "Jones" polynomial
// 0xad93d23594c935a9, reflected (bits taken least significant first), no
// initial or final inversion: the register starts at 0 and is the result.
// Redis's own check value: crc64(0, "123456789") == 0xe9c6d914c4b8d9ca
// (pinned by tests/persist/rdb_crc64_test.cc).
//
// crc64_update folds 64 bytes a step with carry-less multiplication where
// the CPU has it (rdb_crc64.cc explains the constants), else runs eight
// table lookups per 8 input bytes ("slicing by 8": eight 256-entry tables,
// 16 KiB, built at compile time). crc64_combine
// gives the CRC of A||B from crc(A), crc(B) and len(B) in O(log len(B))
// 64x64 bit-matrix steps, so a writer can checksum a header it fixes up
// after the body was written.
//
// Thread-safety: pure functions over constant tables.
#ifndef HASHSTORE_PERSIST_RDB_CRC64_H_
#define HASHSTORE_PERSIST_RDB_CRC64_H_

#include <cstddef>
#include <cstdint>

namespace hashstore::internal::rdb {

// The polynomial in Redis's notation, and bit-reversed (what the reflected
// register shifts out).
inline constexpr uint64_t kCrc64Poly = 0xad93d23594c935a9ULL;
inline constexpr uint64_t kCrc64PolyReflected = 0x95ac9329ac4bc9b5ULL;

// The CRC of the bytes [p, p + n) continued from `crc` (0 to start):
// carry-less multiplication folding on x86-64 CPUs with PCLMULQDQ (about
// ten times the tables' speed), the tables elsewhere and for short inputs.
uint64_t crc64_update(uint64_t crc, const void* p, size_t n);
// The same through the tables only (tests compare the two).
uint64_t crc64_update_tables(uint64_t crc, const void* p, size_t n);

// crc64 of A followed by B, given crc_a = crc64(A), crc_b = crc64(B) and
// len_b = the length of B in bytes.
uint64_t crc64_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b);

}  // namespace hashstore::internal::rdb

#endif  // HASHSTORE_PERSIST_RDB_CRC64_H_
