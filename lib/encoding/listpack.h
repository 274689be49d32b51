// Listpack: a list of strings and integers in one contiguous byte buffer,
// laid out exactly as the public listpack specification (and Redis 7) lays
// it out, so a small hash's bytes are the same as Redis's.
//
// Layout (all multi-byte numbers little-endian):
//
//   <total-bytes u32> <num-elements u16> <entry> ... <entry> <0xFF>
//
// num-elements is 65535 (kLpCountUnknown) when the count does not fit; the
// count is then found by walking. Each entry is <encoding><data><backlen>:
//
//   0xxxxxxx                     7-bit unsigned int 0..127, no data
//   10xxxxxx <bytes>             string of 0..63 bytes
//   110xxxxx yyyyyyyy            13-bit signed int -4096..4095 (x: high bits)
//   1110xxxx yyyyyyyy <bytes>    string of 64..4095 bytes (x: high bits)
//   11110000 <u32 len> <bytes>   string of 4096.. bytes
//   11110001 <i16>               16-bit int
//   11110010 <i24>               24-bit int
//   11110011 <i32>               32-bit int
//   11110100 <i64>               64-bit int
//   11110101 .. 11111110         unused (invalid)
//
// backlen is the length of <encoding><data>, in 1..5 bytes of 7 bits, so
// the list can be walked backwards: the byte right before an entry's start
// is the low 7 bits with bit 7 set when more (higher) bytes precede it; the
// first backlen byte (lowest address) has bit 7 clear. A string that is a
// canonical int64 (parse_int64 in util/number.h) is always stored as the
// smallest integer encoding that holds it, and reads back byte for byte the
// same; any other string (" 1", "01", "-0", "+1") stays a string.
//
// Ownership: the bytes live in a buffer the caller owns (so a listpack can
// sit inside a larger allocation, e.g. a key entry holding key and hash in
// one malloc). Mutations call an LpResize callback with the new total size;
// it must behave as realloc on the listpack's own bytes and return the
// (possibly moved) listpack start. Positions are byte offsets from the start
// (uint32_t), which survive a move.
//
// Costs: a lookup walks the list (O(n) entries, values skipped without
// decoding; next() steps over the three commonest encodings, 7-bit int,
// 13-bit int and 6-bit string, inline from their first byte); append is O(1)
// plus the resize; insert, replace with a size change and erase memmove the
// tail. replace with the same encoded size writes in place.
//
// Invalidation: a mutation at offset o invalidates offsets >= o (entries
// after it move) and every std::string_view obtained from the listpack; the
// returned pointer replaces the old one.
#ifndef HASHSTORE_ENCODING_LISTPACK_H_
#define HASHSTORE_ENCODING_LISTPACK_H_

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "util/bytes.h"
#include "util/number.h"

namespace hashstore::internal {

// Grows or shrinks the listpack's buffer to new_size bytes, keeping the
// first min(old, new) bytes; returns the (possibly moved) listpack start.
using LpResize = absl::FunctionRef<uint8_t*(size_t new_size)>;

inline constexpr size_t kLpHeaderSize = 6;
inline constexpr size_t kLpEmptySize = 7;
inline constexpr uint32_t kLpCountUnknown = 65535;
// Redis's LISTPACK_MAX_SAFETY_SIZE: a hash whose listpack would grow past
// this converts to the table encoding instead.
inline constexpr size_t kLpMaxSafeBytes = size_t{1} << 30;
inline constexpr uint32_t kLpNone = UINT32_MAX;
inline constexpr uint8_t kLpEnd = 0xFF;

// One decoded entry. str is valid until the next mutation.
struct LpEntry {
  bool is_int;
  int64_t int_value;
  std::string_view str;
};

namespace lp {

// Writes an empty listpack. REQUIRES: buf has kLpEmptySize bytes.
void init(uint8_t* buf);
inline uint32_t bytes(const uint8_t* lp) {
  return uint32_t{lp[0]} | uint32_t{lp[1]} << 8 | uint32_t{lp[2]} << 16 | uint32_t{lp[3]} << 24;
}
// The element count (walks when the header holds kLpCountUnknown).
size_t count_slow(const uint8_t* lp);
inline size_t count(const uint8_t* lp) {
  const uint32_t c = uint32_t{lp[4]} | uint32_t{lp[5]} << 8;
  return c != kLpCountUnknown ? c : count_slow(lp);
}
// Offset of the first entry, or end_offset(lp) when empty.
inline uint32_t first(const uint8_t*) { return kLpHeaderSize; }
// Offset of the 0xFF byte.
inline uint32_t end_offset(const uint8_t* lp) { return bytes(lp) - 1; }
// REQUIRES: off is an entry. The next entry, or end_offset(lp).
uint32_t next_slow(const uint8_t* lp, uint32_t off);
// The whole size of an entry (encoding, data, backlen) by its first byte,
// for the three commonest encodings, whose size that byte alone decides: a
// 7-bit int is 2 bytes, a 6-bit string 2 + its length, a 13-bit int 3
// (entries of at most 127 bytes have a 1-byte backlen). 0 for the others.
inline constexpr std::array<uint8_t, 256> kEntrySizeByFirstByte = [] {
  std::array<uint8_t, 256> t{};
  for (int b = 0; b < 256; ++b) {
    if (b < 0x80) {
      t[b] = 2;  // 0xxxxxxx: 7-bit int
    } else if ((b & 0xC0) == 0x80) {
      t[b] = static_cast<uint8_t>(2 + (b & 0x3F));  // 10xxxxxx: 6-bit string
    } else if ((b & 0xE0) == 0xC0) {
      t[b] = 3;  // 110xxxxx: 13-bit int
    }
  }
  return t;
}();
static_assert(1 + 63 <= 127, "a 6-bit string entry has a 1-byte backlen");
[[gnu::always_inline]] inline uint32_t next(const uint8_t* lp, uint32_t off) {
  const uint32_t size = kEntrySizeByFirstByte[lp[off]];
  return size != 0 ? off + size : next_slow(lp, off);
}
// REQUIRES: off is an entry or end_offset(lp). The previous entry, or
// kLpNone when off is the first.
uint32_t prev(const uint8_t* lp, uint32_t off);
// The last entry, or kLpNone when empty.
uint32_t last(const uint8_t* lp);
LpEntry get(const uint8_t* lp, uint32_t off);
// The entry in its string form; integers are printed into buf.
// REQUIRES: buf has 21 bytes (kMaxInt64Chars).
std::string_view get_string_general(const uint8_t* lp, uint32_t off, char* buf);
[[gnu::always_inline]] inline std::string_view get_string(const uint8_t* lp, uint32_t off,
                                                         char* buf) {
  const uint8_t b = lp[off];
  if ((b & 0xC0) == 0x80) {  // a 6-bit string, the commonest value: inline
    return {reinterpret_cast<const char*>(lp + off + 1), static_cast<size_t>(b & 0x3F)};
  }
  return get_string_general(lp, off, buf);
}
// Bytes an entry for s takes (encoding, data and backlen).
size_t entry_size_for(std::string_view s);
// Whether adding add_bytes keeps the listpack within kLpMaxSafeBytes.
inline bool fits(const uint8_t* lp, size_t add_bytes) {
  return bytes(lp) + add_bytes <= kLpMaxSafeBytes;
}

// Mutations. Each returns the new listpack start.
// The bytes s takes as a listpack entry (encoding, data, back-length): as
// an integer when it is one, else as a string.
size_t entry_bytes(std::string_view s);
uint8_t* append(uint8_t* lp, std::string_view s, LpResize resize);
uint8_t* append_int(uint8_t* lp, int64_t v, LpResize resize);
// Inserts before the entry at off; off == end_offset(lp) appends.
uint8_t* insert_before(uint8_t* lp, uint32_t off, std::string_view s, LpResize resize);
uint8_t* replace_general(uint8_t* lp, uint32_t off, std::string_view s, LpResize resize);
// Whether s may be a canonical int64's text ("0", "-5", "123"; never "",
// "+1", " 1"), which the listpack stores as an integer: a cheap test before
// parsing, which most strings fail.
// One range test for the first byte: '-' to '9' lets '.' and '/' through
// too, which only costs those strings a parse that fails.
[[gnu::always_inline]] inline bool may_be_int(std::string_view s) {
  return s.size() - 1 < kMaxInt64Chars - 1 &&  // 1 to 20 bytes
         static_cast<unsigned char>(s[0] - '-') <= '9' - '-';
}
// Whether the entry at off is a 6-bit string of exactly s's bytes' length
// that s (not an integer's text) may overwrite in place: the usual update.
[[gnu::always_inline]] inline bool same_short_string(const uint8_t* lp, uint32_t off,
                                                     std::string_view s) {
  return s.size() < 64 && lp[off] == (0x80 | s.size()) && !may_be_int(s);
}
inline uint8_t* replace(uint8_t* lp, uint32_t off, std::string_view s, LpResize resize) {
  // The usual update, inline: a short string over one of the same length;
  // only the bytes between the unchanged encoding byte and backlen differ.
  if (same_short_string(lp, off, s)) {
    copy_bytes(lp + off + 1, s.data(), s.size());
    return lp;
  }
  return replace_general(lp, off, s, resize);
}
// Overwrites the entry at off with s when s's entry has exactly the same
// size (nothing moves, no resize); returns false, changing nothing, when
// it does not.
bool replace_in_place_general(uint8_t* lp, uint32_t off, std::string_view s);
[[gnu::always_inline]] inline bool replace_in_place(uint8_t* lp, uint32_t off, std::string_view s) {
  if (same_short_string(lp, off, s)) {
    copy_bytes(lp + off + 1, s.data(), s.size());
    return true;
  }
  return replace_in_place_general(lp, off, s);
}
// The integer at off: true and *v when the entry is an integer (a string
// entry never holds a canonical integer's text: those are stored as ints).
bool get_int_general(const uint8_t* lp, uint32_t off, int64_t* v);
[[gnu::always_inline]] inline bool get_int(const uint8_t* lp, uint32_t off, int64_t* v) {
  const uint8_t b = lp[off];
  if (b < 0x80) {  // 7-bit uint
    *v = b;
    return true;
  }
  if ((b & 0xC0) == 0x80) return false;  // 6-bit string
  return get_int_general(lp, off, v);
}
// Overwrites the integer entry at off with v when v's encoding has the
// same size; false (nothing changed) otherwise.
bool set_int_in_place_general(uint8_t* lp, uint32_t off, int64_t v);
[[gnu::always_inline]] inline bool set_int_in_place(uint8_t* lp, uint32_t off, int64_t v) {
  if (lp[off] < 0x80 && v >= 0 && v <= 127) {  // 7-bit over 7-bit: one byte
    lp[off] = static_cast<uint8_t>(v);
    return true;
  }
  return set_int_in_place_general(lp, off, v);
}
uint8_t* replace_int(uint8_t* lp, uint32_t off, int64_t v, LpResize resize);
// Erases n consecutive entries starting at off. REQUIRES: they exist.
uint8_t* erase(uint8_t* lp, uint32_t off, size_t n, LpResize resize);

// Among field/value pairs (entries 0, 2, 4, ... are fields), the offset of
// the field equal to `field`, or kLpNone. Values are skipped, not decoded.
// stride 3: among (field, value, ttl) triplets. REQUIRES: the listpack
// holds whole groups (a multiple of stride entries), as a hash's does.
uint32_t find_field_general(const uint8_t* lp, std::string_view field, size_t stride);
// Whether the 12- or 32-bit string entry at off holds exactly `field`.
bool long_string_equals(const uint8_t* lp, uint32_t off, std::string_view field);
// find_field for the common case, inline: pairs, and a name under 64 bytes
// that is not an integer's text, so no integer entry can be equal and among
// 6-bit strings only one starting with the same byte. A 12- or 32-bit
// string entry may still hold a short string (validate() accepts such
// non-canonical encodings, as Redis does): those are compared in full.
// Everything else is stepped over from its first byte.
[[gnu::always_inline]] inline uint32_t find_short_field2(const uint8_t* lp,
                                                         std::string_view field) {
  const uint8_t tag = static_cast<uint8_t>(0x80 | field.size());
  const uint8_t* p = lp + kLpHeaderSize;
  const uint8_t* const end = lp + end_offset(lp);
  while (p != end) {
    const uint8_t b = *p;
    if (b == tag && equal_bytes(p + 1, field.data(), field.size())) {
      return static_cast<uint32_t>(p - lp);
    }
    uint32_t size = kEntrySizeByFirstByte[b];
    if (size == 0) {
      const uint32_t off = static_cast<uint32_t>(p - lp);
      if (static_cast<uint8_t>(b - 0xE0) <= 0x10 &&  // 1110xxxx or 0xF0: long strings
          long_string_equals(lp, off, field)) {
        return off;
      }
      size = next_slow(lp, off) - off;
    }
    p += size;
    // The value. A hash's listpack holds whole pairs: every listpack built
    // here does, and loaders refuse one that does not.
    assert(p != end && "a field without its value");
    size = kEntrySizeByFirstByte[*p];
    if (size == 0) size = next_slow(lp, static_cast<uint32_t>(p - lp)) - static_cast<uint32_t>(p - lp);
    p += size;
  }
  return kLpNone;
}
[[gnu::always_inline]] inline uint32_t find_field(const uint8_t* lp, std::string_view field,
                                                  size_t stride = 2) {
  if (stride == 2 && field.size() < 64 && !may_be_int(field)) return find_short_field2(lp, field);
  return find_field_general(lp, field, stride);
}

// Validates untrusted bytes before any other call may read them: the
// header's total equals size, the last byte is 0xFF and no other entry
// starts with it, every encoding is known and its data lies within the
// buffer, every backlen is the canonical encoding of its entry's length,
// and (deep) the header's count, when known, matches. Never reads outside
// [p, p + size). The error says what is wrong and at which byte offset.
absl::Status validate(const uint8_t* p, size_t size, bool deep = true);

}  // namespace lp

// A malloc'd listpack that owns its bytes (tests, fuzzers, snapshots).
class OwnedListpack {
 public:
  OwnedListpack();
  ~OwnedListpack() { std::free(data_); }
  OwnedListpack(OwnedListpack&& other) noexcept : data_(other.data_), resizer_{this} {
    other.data_ = nullptr;
  }
  OwnedListpack& operator=(OwnedListpack&& other) noexcept;
  OwnedListpack(const OwnedListpack&) = delete;
  OwnedListpack& operator=(const OwnedListpack&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return lp::bytes(data_); }

  // Realloc-based resize callback for the lp:: mutations; keeps data() current.
  uint8_t* resize(size_t new_size);
  // The same as an LpResize, e.g. lp::append(o.data(), s, o.resizer()).
  // Valid while this object lives (and is not moved from).
  LpResize resizer() { return LpResize(resizer_); }

  void append(std::string_view s);
  void insert_before(uint32_t off, std::string_view s);
  void replace(uint32_t off, std::string_view s);
  void erase(uint32_t off, size_t n);

 private:
  struct Resizer {
    OwnedListpack* self;
    uint8_t* operator()(size_t new_size) const { return self->resize(new_size); }
  };
  uint8_t* data_;
  Resizer resizer_{this};
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_ENCODING_LISTPACK_H_
