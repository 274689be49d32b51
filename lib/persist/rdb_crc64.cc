// CRC-64/Jones, reflected (see rdb_crc64.h): slicing by 8, and carry-less
// multiplication (PCLMULQDQ) folding where the CPU has it.
//
// Folding. In the reflected convention a 64-bit value q stands for the
// polynomial sum q_i x^(63-i), and 16 message bytes for
// S(x) = Q0(x) x^64 + Q1(x) (Q0: the first 8 bytes). The CRC of a message M
// is M(x) x^64 mod P(x). If S is followed by T, d bits further on, then
// S x^d + T and S stand for the same CRC contribution once reduced, and
// S x^d = Q0 x^(d+64) + Q1 x^d ≡ Q0 (x^(d+64) mod P) + Q1 (x^d mod P):
// two 64x64 carry-less products and an XOR give a 128-bit value to carry
// on with. PCLMULQDQ on reflected operands yields x·A·B, so the constants
// are taken one power lower: x^(d+63) mod P and x^(d-1) mod P, reflected.
// The loop keeps four 128-bit accumulators (d = 512) to hide the
// multiplier's latency, folds them into one (d = 128), and the last 16
// bytes of state and the tail go through the tables. A starting CRC is
// XORed into the first 8 bytes: (D + c x^(|D|-64)) x^64 = D x^64 + c x^|D|.
#include "persist/rdb_crc64.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

// x^e mod P, reflected (bit i: the coefficient of x^(63-i)).
constexpr uint64_t xpow_mod(unsigned e) {
  uint64_t r = 1;  // x^0, normal order (bit j: x^j)
  for (unsigned i = 0; i < e; ++i) r = (r << 1) ^ ((r >> 63) ? kCrc64Poly : 0);
  uint64_t refl = 0;
  for (int i = 0; i < 64; ++i) refl |= ((r >> i) & 1) << (63 - i);
  return refl;
}
// Folding distances of 512 and 128 bits: {for Q0, for Q1}.
constexpr uint64_t kFold512[2] = {xpow_mod(512 + 63), xpow_mod(512 - 1)};
constexpr uint64_t kFold128[2] = {xpow_mod(128 + 63), xpow_mod(128 - 1)};
static_assert(xpow_mod(0) == uint64_t{1} << 63 && xpow_mod(64) == kCrc64PolyReflected,
              "x^0 and x^64 mod P");

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

#if defined(__x86_64__)
__attribute__((target("pclmul,sse4.1"))) inline __m128i fold(__m128i acc, __m128i k,
                                                            __m128i next) {
  const __m128i a = _mm_clmulepi64_si128(acc, k, 0x00);  // Q0 * k[0]
  const __m128i b = _mm_clmulepi64_si128(acc, k, 0x11);  // Q1 * k[1]
  return _mm_xor_si128(_mm_xor_si128(a, b), next);
}

// REQUIRES: n >= 64. Returns the CRC of the first n - n % 16 bytes; *rest
// gets where the tail starts.
__attribute__((target("pclmul,sse4.1"))) uint64_t crc64_clmul(uint64_t crc, const uint8_t* p,
                                                              size_t n, const uint8_t** rest) {
  auto load = [](const uint8_t* q) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  };
  __m128i acc[4] = {load(p), load(p + 16), load(p + 32), load(p + 48)};
  acc[0] = _mm_xor_si128(acc[0], _mm_set_epi64x(0, static_cast<long long>(crc)));
  p += 64;
  n -= 64;
  const __m128i k512 = _mm_set_epi64x(static_cast<long long>(kFold512[1]),
                                      static_cast<long long>(kFold512[0]));
  for (; n >= 64; n -= 64, p += 64) {
    for (int i = 0; i < 4; ++i) acc[i] = fold(acc[i], k512, load(p + 16 * i));
  }
  const __m128i k128 = _mm_set_epi64x(static_cast<long long>(kFold128[1]),
                                      static_cast<long long>(kFold128[0]));
  __m128i s = fold(acc[0], k128, acc[1]);
  s = fold(s, k128, acc[2]);
  s = fold(s, k128, acc[3]);
  for (; n >= 16; n -= 16, p += 16) s = fold(s, k128, load(p));
  *rest = p;
  uint8_t bytes[16];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes), s);
  uint64_t c = 0;
  for (int i = 0; i < 16; i += 8) {
    c ^= load_le64(bytes + i);
    c = kTables[7][c & 0xFF] ^ kTables[6][(c >> 8) & 0xFF] ^ kTables[5][(c >> 16) & 0xFF] ^
        kTables[4][(c >> 24) & 0xFF] ^ kTables[3][(c >> 32) & 0xFF] ^
        kTables[2][(c >> 40) & 0xFF] ^ kTables[1][(c >> 48) & 0xFF] ^ kTables[0][c >> 56];
  }
  return c;
}

const bool kHaveClmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#endif

}  // namespace

uint64_t crc64_update_tables(uint64_t crc, const void* data, size_t n) {
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

uint64_t crc64_update(uint64_t crc, const void* data, size_t n) {
#if defined(__x86_64__)
  if (n >= 64 && kHaveClmul) {
    const uint8_t* rest;
    const uint8_t* p = static_cast<const uint8_t*>(data);
    crc = crc64_clmul(crc, p, n, &rest);
    return crc64_update_tables(crc, rest, n - static_cast<size_t>(rest - p));
  }
#endif
  return crc64_update_tables(crc, data, n);
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
