// LEB128 varints for the lengths inside key and field entries: 7 bits per
// byte, low bits first, bit 7 set on every byte but the last. Trusted
// in-memory bytes only (no bounds checks).
#ifndef HASHSTORE_UTIL_VARINT_H_
#define HASHSTORE_UTIL_VARINT_H_

#include <cstddef>
#include <cstdint>

namespace hashstore::internal {

// Bytes the varint of v takes (1..10).
inline size_t varint_size(size_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// Writes v at p; returns the byte after it.
inline uint8_t* write_varint(uint8_t* p, size_t v) {
  for (; v >= 0x80; v >>= 7) *p++ = static_cast<uint8_t>(v | 0x80);
  *p++ = static_cast<uint8_t>(v);
  return p;
}

// Reads the varint at p into *v; returns the byte after it.
inline const uint8_t* read_varint(const uint8_t* p, size_t* v) {
  size_t out = 0;
  int shift = 0;
  for (; *p & 0x80; ++p, shift += 7) out |= static_cast<size_t>(*p & 0x7F) << shift;
  *v = out | static_cast<size_t>(*p) << shift;
  return p + 1;
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_VARINT_H_
