// Listpack encoding, decoding, mutation and validation (see listpack.h).
#include "encoding/listpack.h"

#include <cassert>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "util/bytes.h"
#include "util/number.h"
#include "util/absl_view.h"

namespace hashstore::internal {

namespace {

// ---- Encoding bytes ----------------------------------------------------------

constexpr uint8_t k7BitUintMask = 0x80;    // 0xxxxxxx
constexpr uint8_t k6BitStr = 0x80;         // 10xxxxxx
constexpr uint8_t k6BitStrMask = 0xC0;
constexpr uint8_t k13BitInt = 0xC0;        // 110xxxxx
constexpr uint8_t k13BitIntMask = 0xE0;
constexpr uint8_t k12BitStr = 0xE0;        // 1110xxxx
constexpr uint8_t k12BitStrMask = 0xF0;
constexpr uint8_t k32BitStr = 0xF0;
constexpr uint8_t k16BitInt = 0xF1;
constexpr uint8_t k24BitInt = 0xF2;
constexpr uint8_t k32BitInt = 0xF3;
constexpr uint8_t k64BitInt = 0xF4;
static_assert((k6BitStr & k6BitStrMask) == k6BitStr);
static_assert((k13BitInt & k13BitIntMask) == k13BitInt);
static_assert((k12BitStr & k12BitStrMask) == k12BitStr);
static_assert(k64BitInt == 0xF4 && kLpEnd == 0xFF, "0xF5..0xFE are unused");

constexpr size_t kMaxEncodingHeader = 5;  // 0xF0 + u32
constexpr size_t kMaxBacklen = 5;

uint32_t read_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
void write_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
void write_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Sign-extends the low `bits` bits of v.
int64_t sign_extend(uint64_t v, int bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  v &= (sign << 1) - 1;
  return static_cast<int64_t>((v ^ sign) - sign);
}

uint64_t read_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

// Size of the backlen that encodes entry length l (Redis's thresholds).
size_t backlen_size(uint64_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Writes the backlen of l at out (lowest address first); returns its size.
size_t write_backlen(uint64_t l, uint8_t* out) {
  const size_t n = backlen_size(l);
  // out[n-1] holds the low 7 bits; out[0] the highest, with bit 7 clear.
  for (size_t i = 0; i < n; ++i) {
    const size_t shift = 7 * (n - 1 - i);
    uint8_t b = static_cast<uint8_t>((l >> shift) & 127);
    if (i > 0) b |= 128;
    out[i] = b;
  }
  return n;
}

// Reads the backlen whose last byte is at p[0], walking backwards, at most
// `avail` bytes. Returns false if it is longer than kMaxBacklen or avail.
bool read_backlen(const uint8_t* p, size_t avail, uint64_t* value, size_t* size) {
  uint64_t v = 0;
  for (size_t i = 0; i < kMaxBacklen && i < avail; ++i) {
    const uint8_t b = *(p - i);
    v |= uint64_t{b & 127u} << (7 * i);
    if (!(b & 128)) {
      *value = v;
      *size = i + 1;
      return true;
    }
  }
  return false;
}

// Encoding header + data for one value, written in pieces so that a large
// string is copied once, straight into the listpack.
struct Encoded {
  uint8_t head[kMaxEncodingHeader + 8];  // encoding byte(s), or a whole int entry
  size_t head_len = 0;
  std::string_view body;  // string bytes (empty for ints)
  uint8_t backlen[kMaxBacklen];
  size_t backlen_len = 0;

  size_t entry_len() const { return head_len + body.size(); }
  size_t total() const { return entry_len() + backlen_len; }
  void finish() { backlen_len = write_backlen(entry_len(), backlen); }
  void write(uint8_t* out) const {
    // Most entries have a 1-byte header and a 1-byte backlen: store those
    // bytes rather than call memcpy for them.
    if (head_len == 1) {
      out[0] = head[0];
    } else {
      std::memcpy(out, head, head_len);
    }
    if (!body.empty()) std::memcpy(out + head_len, body.data(), body.size());
    if (backlen_len == 1) {
      out[entry_len()] = backlen[0];
    } else {
      std::memcpy(out + entry_len(), backlen, backlen_len);
    }
  }
};

Encoded encode_int(int64_t v) {
  Encoded e;
  uint8_t* h = e.head;
  const uint64_t u = static_cast<uint64_t>(v);
  if (v >= 0 && v <= 127) {
    h[0] = static_cast<uint8_t>(v);
    e.head_len = 1;
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t t = u & 0x1FFF;
    h[0] = static_cast<uint8_t>((t >> 8) | k13BitInt);
    h[1] = static_cast<uint8_t>(t & 0xFF);
    e.head_len = 2;
  } else {
    int n;
    if (v >= -32768 && v <= 32767) {
      h[0] = k16BitInt;
      n = 2;
    } else if (v >= -8388608 && v <= 8388607) {
      h[0] = k24BitInt;
      n = 3;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      h[0] = k32BitInt;
      n = 4;
    } else {
      h[0] = k64BitInt;
      n = 8;
    }
    for (int i = 0; i < n; ++i) h[1 + i] = static_cast<uint8_t>(u >> (8 * i));
    e.head_len = 1 + static_cast<size_t>(n);
  }
  e.finish();
  return e;
}

Encoded encode(std::string_view s) {
  int64_t v;
  if (lp::may_be_int(s) && parse_int64(s, &v)) return encode_int(v);
  Encoded e;
  const size_t n = s.size();
  if (n < 64) {
    e.head[0] = static_cast<uint8_t>(k6BitStr | n);
    e.head_len = 1;
  } else if (n < 4096) {
    e.head[0] = static_cast<uint8_t>(k12BitStr | (n >> 8));
    e.head[1] = static_cast<uint8_t>(n & 0xFF);
    e.head_len = 2;
  } else {
    e.head[0] = k32BitStr;
    write_u32(e.head + 1, static_cast<uint32_t>(n));
    e.head_len = 5;
  }
  e.body = s;
  e.finish();
  return e;
}

// Decoded shape of the entry at p: header bytes and data bytes. Returns false
// for an invalid encoding byte or, when avail is given, a header or data
// running past avail bytes.
struct Shape {
  size_t head = 0;
  size_t data = 0;
  size_t entry() const { return head + data; }
};

bool shape_of(const uint8_t* p, size_t avail, Shape* out) {
  if (avail < 1) return false;
  const uint8_t b = p[0];
  size_t head, data;
  if ((b & k7BitUintMask) == 0) {
    head = 1, data = 0;
  } else if ((b & k6BitStrMask) == k6BitStr) {
    head = 1, data = b & 0x3F;
  } else if ((b & k13BitIntMask) == k13BitInt) {
    head = 2, data = 0;
  } else if ((b & k12BitStrMask) == k12BitStr) {
    if (avail < 2) return false;
    head = 2, data = static_cast<size_t>((b & 0x0F) << 8 | p[1]);
  } else {
    switch (b) {
      case k32BitStr:
        if (avail < 5) return false;
        head = 5, data = read_u32(p + 1);
        break;
      case k16BitInt: head = 3, data = 0; break;
      case k24BitInt: head = 4, data = 0; break;
      case k32BitInt: head = 5, data = 0; break;
      case k64BitInt: head = 9, data = 0; break;
      default: return false;  // 0xF5..0xFF
    }
  }
  if (head > avail || data > avail - head) return false;
  out->head = head;
  out->data = data;
  return true;
}

Shape shape_trusted(const uint8_t* p) {
  Shape s;
  const bool ok = shape_of(p, std::numeric_limits<size_t>::max(), &s);
  assert(ok);
  (void)ok;
  return s;
}

void set_count(uint8_t* lp, size_t count) {
  write_u16(lp + 4, count < kLpCountUnknown ? static_cast<uint16_t>(count)
                                            : static_cast<uint16_t>(kLpCountUnknown));
}

// Adjusts the header count by delta, unless it is unknown (then it stays
// unknown until count() walks).
void adjust_count(uint8_t* lp, int64_t delta) {
  const uint16_t c = read_u16(lp + 4);
  if (c == kLpCountUnknown) return;
  set_count(lp, static_cast<size_t>(static_cast<int64_t>(c) + delta));
}

// Replaces bytes [off, off + del) with the entries `add` (n_add of them),
// resizing as needed. Returns the new start.
uint8_t* splice(uint8_t* lp, uint32_t off, size_t del, const Encoded* add, size_t n_add,
                LpResize resize) {
  const size_t old_total = lp::bytes(lp);
  size_t add_bytes = 0;
  for (size_t i = 0; i < n_add; ++i) add_bytes += add[i].total();
  const size_t new_total = old_total - del + add_bytes;
  const size_t tail = old_total - off - del;  // bytes after the removed range, 0xFF included
  if (new_total > old_total) {
    lp = resize(new_total);
    std::memmove(lp + off + add_bytes, lp + off + del, tail);
  } else if (new_total < old_total) {
    std::memmove(lp + off + add_bytes, lp + off + del, tail);
  }
  size_t at = off;
  for (size_t i = 0; i < n_add; ++i) {
    add[i].write(lp + at);
    at += add[i].total();
  }
  if (new_total < old_total) lp = resize(new_total);
  write_u32(lp, static_cast<uint32_t>(new_total));
  return lp;
}

size_t entry_total(const uint8_t* lp, uint32_t off) {
  const Shape s = shape_trusted(lp + off);
  return s.entry() + backlen_size(s.entry());
}

}  // namespace

// ---- Reading -----------------------------------------------------------------

namespace lp {

static_assert(kEntrySizeByFirstByte[k7BitUintMask - 1] == 2 &&
              kEntrySizeByFirstByte[k6BitStr | 63] == 65 && kEntrySizeByFirstByte[k13BitInt] == 3 &&
              kEntrySizeByFirstByte[k12BitStr] == 0 && kEntrySizeByFirstByte[kLpEnd] == 0,
              "the size table agrees with the encoding bytes above");

void init(uint8_t* buf) {
  write_u32(buf, kLpEmptySize);
  write_u16(buf + 4, 0);
  buf[6] = kLpEnd;
}

size_t count_slow(const uint8_t* lp) {
  size_t n = 0;
  for (uint32_t off = first(lp); off != end_offset(lp); off = next(lp, off)) ++n;
  return n;
}

uint32_t next_slow(const uint8_t* lp, uint32_t off) {
  return off + static_cast<uint32_t>(entry_total(lp, off));
}

uint32_t prev(const uint8_t* lp, uint32_t off) {
  if (off <= kLpHeaderSize) return kLpNone;
  uint64_t len = 0;
  size_t n = 0;
  const bool ok = read_backlen(lp + off - 1, off - kLpHeaderSize, &len, &n);
  assert(ok);
  (void)ok;
  return off - static_cast<uint32_t>(n + len);
}

uint32_t last(const uint8_t* lp) { return prev(lp, end_offset(lp)); }

LpEntry get(const uint8_t* lp, uint32_t off) {
  const uint8_t* p = lp + off;
  const uint8_t b = p[0];
  if ((b & k7BitUintMask) == 0) return {true, b, {}};
  if ((b & k6BitStrMask) == k6BitStr) {
    return {false, 0, {reinterpret_cast<const char*>(p + 1), static_cast<size_t>(b & 0x3F)}};
  }
  if ((b & k13BitIntMask) == k13BitInt) {
    return {true, sign_extend(static_cast<uint64_t>((b & 0x1F) << 8 | p[1]), 13), {}};
  }
  if ((b & k12BitStrMask) == k12BitStr) {
    return {false, 0,
            {reinterpret_cast<const char*>(p + 2), static_cast<size_t>((b & 0x0F) << 8 | p[1])}};
  }
  switch (b) {
    case k32BitStr:
      return {false, 0, {reinterpret_cast<const char*>(p + 5), read_u32(p + 1)}};
    case k16BitInt: return {true, sign_extend(read_le(p + 1, 2), 16), {}};
    case k24BitInt: return {true, sign_extend(read_le(p + 1, 3), 24), {}};
    case k32BitInt: return {true, sign_extend(read_le(p + 1, 4), 32), {}};
    default:
      assert(b == k64BitInt);
      return {true, static_cast<int64_t>(read_le(p + 1, 8)), {}};
  }
}

std::string_view get_string_general(const uint8_t* lp, uint32_t off, char* buf) {
  const LpEntry e = get(lp, off);
  if (!e.is_int) return e.str;
  return {buf, format_int64(e.int_value, buf)};
}

size_t entry_size_for(std::string_view s) { return encode(s).total(); }

// ---- Mutations -----------------------------------------------------------------

namespace {

// Inserts the encoded entry e before the entry at off (end_offset: appends).
uint8_t* insert_encoded(uint8_t* lp, uint32_t off, const Encoded& e, LpResize resize) {
  lp = splice(lp, off, 0, &e, 1, resize);
  adjust_count(lp, +1);
  return lp;
}

// Replaces the entry at off with the encoded entry e: in place when the
// sizes match (the usual update), else by a splice.
uint8_t* replace_encoded(uint8_t* lp, uint32_t off, const Encoded& e, LpResize resize) {
  const size_t old = next(lp, off) - off;
  if (e.total() == old) {
    e.write(lp + off);
    return lp;
  }
  return splice(lp, off, old, &e, 1, resize);
}

}  // namespace

uint8_t* insert_before(uint8_t* lp, uint32_t off, std::string_view s, LpResize resize) {
  return insert_encoded(lp, off, encode(s), resize);
}

size_t entry_bytes(std::string_view s) { return encode(s).total(); }

uint8_t* append(uint8_t* lp, std::string_view s, LpResize resize) {
  return insert_encoded(lp, end_offset(lp), encode(s), resize);
}

uint8_t* append_int(uint8_t* lp, int64_t v, LpResize resize) {
  return insert_encoded(lp, end_offset(lp), encode_int(v), resize);
}

uint8_t* replace_general(uint8_t* lp, uint32_t off, std::string_view s, LpResize resize) {
  return replace_encoded(lp, off, encode(s), resize);
}

uint8_t* replace_int(uint8_t* lp, uint32_t off, int64_t v, LpResize resize) {
  return replace_encoded(lp, off, encode_int(v), resize);
}

bool replace_in_place_general(uint8_t* lp, uint32_t off, std::string_view s) {
  const Encoded e = encode(s);
  if (e.total() != next(lp, off) - off) return false;
  e.write(lp + off);
  return true;
}

bool get_int_general(const uint8_t* lp, uint32_t off, int64_t* v) {
  const LpEntry e = get(lp, off);
  if (!e.is_int) return false;
  *v = e.int_value;
  return true;
}

bool set_int_in_place_general(uint8_t* lp, uint32_t off, int64_t v) {
  const Encoded e = encode_int(v);
  if (e.total() != next(lp, off) - off) return false;
  e.write(lp + off);
  return true;
}

uint8_t* erase(uint8_t* lp, uint32_t off, size_t n, LpResize resize) {
  uint32_t end = off;
  for (size_t i = 0; i < n; ++i) end = next(lp, end);
  lp = splice(lp, off, end - off, nullptr, 0, resize);
  adjust_count(lp, -static_cast<int64_t>(n));
  return lp;
}

namespace {

// find_field's stride-3 case for a name under 64 bytes that is not an
// integer's text (see find_short_field2 in the header, the stride-2 case).
uint32_t find_short_field3(const uint8_t* lp, std::string_view field) {
  const uint8_t tag = static_cast<uint8_t>(k6BitStr | field.size());
  const uint32_t end = end_offset(lp);
  for (uint32_t off = first(lp); off != end;) {
    const uint8_t b = lp[off];
    if (b == tag) {
      if (equal_bytes(lp + off + 1, field.data(), field.size())) return off;
    } else if ((b & k12BitStrMask) == k12BitStr || b == k32BitStr) {
      if (get(lp, off).str == field) return off;
    }
    off = next(lp, off);
    // The value and TTL; a short last group never walks past the end byte.
    for (size_t i = 1; i < 3 && off != end; ++i) off = next(lp, off);
  }
  return kLpNone;
}

}  // namespace

bool long_string_equals(const uint8_t* lp, uint32_t off, std::string_view field) {
  return get(lp, off).str == field;
}

uint32_t find_field_general(const uint8_t* lp, std::string_view field, size_t stride) {
  if (field.size() < 64 && !lp::may_be_int(field)) {
    if (stride == 2) return find_short_field2(lp, field);
    if (stride == 3) return find_short_field3(lp, field);
  }
  // A field name is usually a string of under 64 bytes: its entry starts
  // with this byte (and can only be equal if it does). Other entries are
  // decoded; the field is parsed as an integer only once one is an integer.
  const int short_tag = field.size() < 64 ? static_cast<int>(k6BitStr | field.size()) : -1;
  enum { kUnparsed, kInt, kNotInt } field_kind = kUnparsed;
  int64_t field_int = 0;
  const uint32_t end = end_offset(lp);
  for (uint32_t off = first(lp); off != end;) {
    const uint8_t b = lp[off];
    if (b == short_tag) {
      if (equal_bytes(lp + off + 1, field.data(), field.size())) return off;
    } else if ((b & k6BitStrMask) != k6BitStr) {
      const LpEntry e = get(lp, off);
      if (e.is_int) {
        if (field_kind == kUnparsed) {
          field_kind = lp::may_be_int(field) && parse_int64(field, &field_int) ? kInt : kNotInt;
        }
        if (field_kind == kInt && e.int_value == field_int) return off;
      } else if (e.str == field) {
        return off;
      }
    }
    // Skip the value (and TTL): only their shapes are read. A short last
    // group never walks past the end byte.
    for (size_t i = 0; i < stride && off != end; ++i) off = next(lp, off);
  }
  return kLpNone;
}

// ---- Validation ------------------------------------------------------------------

absl::Status validate(const uint8_t* p, size_t size, bool deep) {
  auto bad = [](size_t at, std::string_view what) {
    return absl::DataLossError(absl::StrCat("listpack: ", to_absl(what), " at byte offset ", at));
  };
  if (size < kLpEmptySize) return bad(0, "shorter than an empty listpack");
  if (size > UINT32_MAX) return bad(0, "larger than 4 GiB");
  if (read_u32(p) != size) {
    return bad(0, absl::StrCat("header says ", read_u32(p), " bytes but there are ", size));
  }
  if (p[size - 1] != kLpEnd) return bad(size - 1, "missing end byte");
  const size_t end = size - 1;
  size_t n = 0;
  for (size_t off = kLpHeaderSize; off < end;) {
    Shape s;
    if (p[off] == kLpEnd) return bad(off, "end byte before the end");
    if (!shape_of(p + off, end - off, &s)) return bad(off, "invalid or truncated entry");
    const size_t entry = s.entry();
    const size_t bl = backlen_size(entry);
    if (bl > end - off - entry) return bad(off + entry, "truncated back-length");
    uint64_t len;
    size_t got;
    if (!read_backlen(p + off + entry + bl - 1, bl, &len, &got) || got != bl || len != entry) {
      return bad(off + entry, "wrong back-length");
    }
    uint8_t canonical[kMaxBacklen];
    write_backlen(entry, canonical);
    if (std::memcmp(canonical, p + off + entry, bl) != 0) {
      return bad(off + entry, "non-canonical back-length");
    }
    off += entry + bl;
    ++n;
  }
  const uint16_t header_count = read_u16(p + 4);
  if (deep && header_count != kLpCountUnknown && header_count != n) {
    return bad(4, absl::StrCat("header count ", header_count, " but ", n, " entries"));
  }
  return absl::OkStatus();
}

}  // namespace lp

// ---- OwnedListpack -------------------------------------------------------------

OwnedListpack::OwnedListpack() : data_(static_cast<uint8_t*>(std::malloc(kLpEmptySize))) {
  if (data_ == nullptr) std::abort();
  lp::init(data_);
}

OwnedListpack& OwnedListpack::operator=(OwnedListpack&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    other.data_ = nullptr;
  }
  return *this;
}

uint8_t* OwnedListpack::resize(size_t new_size) {
  void* p = std::realloc(data_, new_size);
  if (p == nullptr) std::abort();
  data_ = static_cast<uint8_t*>(p);
  return data_;
}

void OwnedListpack::append(std::string_view s) {
  data_ = lp::append(data_, s, resizer());
}

void OwnedListpack::insert_before(uint32_t off, std::string_view s) {
  data_ = lp::insert_before(data_, off, s, resizer());
}

void OwnedListpack::replace(uint32_t off, std::string_view s) {
  data_ = lp::replace(data_, off, s, resizer());
}

void OwnedListpack::erase(uint32_t off, size_t n) {
  data_ = lp::erase(data_, off, n, resizer());
}

}  // namespace hashstore::internal
