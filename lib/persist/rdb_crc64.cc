// CRC-64/Jones, reflected, slicing by 8 (see rdb_crc64.h).
#include "persist/rdb_crc64.h"

#include <array>
#include <bit>
#include <cstring>

namespace hashstore::internal::rdb {

namespace {

static_assert(
    [] {
      uint64_t r = 0;
      for (int i = 0; i < 64; ++i) r |= ((kCrc64Poly >> i) & 1) << (63 - i);
      return r;
    }() == kCrc64PolyReflected,
    "the reflected polynomial is the bit reversal of Redis's");

using Tables = std::array<std::array<uint64_t, 256>, 8>;

// t[0][b]: the register after feeding byte b into a zero register; t[k][b]:
// the same followed by k zero bytes, so that eight bytes XORed into the
// register are finished by one lookup each.
constexpr Tables make_tables() {
  Tables t{};
  for (uint64_t b = 0; b < 256; ++b) {
    uint64_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kCrc64PolyReflected : c >> 1;
    t[0][b] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = make_tables();

uint64_t load_le64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// ---- GF(2) 64x64 matrices for crc64_combine (column n = image of bit n) ----

uint64_t gf2_times(const uint64_t* mat, uint64_t vec) {
  uint64_t sum = 0;
  for (size_t i = 0; vec != 0; ++i, vec >>= 1) {
    if (vec & 1) sum ^= mat[i];
  }
  return sum;
}

void gf2_square(uint64_t* square, const uint64_t* mat) {
  for (size_t n = 0; n < 64; ++n) square[n] = gf2_times(mat, mat[n]);
}

}  // namespace

uint64_t crc64_update(uint64_t crc, const void* data, size_t n) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  for (; n >= 8; n -= 8, p += 8) {
    crc ^= load_le64(p);
    crc = kTables[7][crc & 0xFF] ^ kTables[6][(crc >> 8) & 0xFF] ^
          kTables[5][(crc >> 16) & 0xFF] ^ kTables[4][(crc >> 24) & 0xFF] ^
          kTables[3][(crc >> 32) & 0xFF] ^ kTables[2][(crc >> 40) & 0xFF] ^
          kTables[1][(crc >> 48) & 0xFF] ^ kTables[0][crc >> 56];
  }
  for (; n > 0; --n, ++p) crc = kTables[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return crc;
}

uint64_t crc64_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b) {
  if (len_b == 0) return crc_a;
  // The register is linear in its input with no inversions, so
  // crc(A||B) = zeros(crc(A), len(B)) ^ crc(B), where zeros() feeds zero
  // bytes: an operator built by squaring the one-zero-bit operator.
  uint64_t even[64], odd[64];
  odd[0] = kCrc64PolyReflected;  // bit 0 shifts out: the polynomial comes in
  for (size_t n = 1; n < 64; ++n) odd[n] = uint64_t{1} << (n - 1);
  gf2_square(even, odd);  // two zero bits
  gf2_square(odd, even);  // four
  do {
    gf2_square(even, odd);  // 8, 32, 128, ... bits: one byte, 4, 16, ...
    if (len_b & 1) crc_a = gf2_times(even, crc_a);
    len_b >>= 1;
    if (len_b == 0) break;
    gf2_square(odd, even);
    if (len_b & 1) crc_a = gf2_times(odd, crc_a);
    len_b >>= 1;
  } while (len_b != 0);
  return crc_a ^ crc_b;
}

}  // namespace hashstore::internal::rdb
