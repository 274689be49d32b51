// Ziplist and zipmap validation and iteration (see rdb_ziplist.h).
#include "persist/rdb_ziplist.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "util/absl_view.h"

namespace hashstore::internal::rdb {

namespace {

constexpr uint8_t kEnd = 0xFF;
constexpr uint8_t kBigPrevlen = 0xFE;
constexpr uint8_t kStrMask = 0xC0;
constexpr uint8_t kStr6 = 0x00;
constexpr uint8_t kStr14 = 0x40;
constexpr uint8_t kInt16 = 0xC0;
constexpr uint8_t kInt32 = 0xD0;
constexpr uint8_t kInt64 = 0xE0;
constexpr uint8_t kInt24 = 0xF0;
constexpr uint8_t kInt8 = 0xFE;
constexpr uint8_t kImmMin = 0xF1;
constexpr uint8_t kImmMax = 0xFD;
static_assert(kImmMax - kImmMin + 1 == 13, "immediates hold 0..12");

uint32_t le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint32_t be32(const uint8_t* p) {
  return uint32_t{p[3]} | uint32_t{p[2]} << 8 | uint32_t{p[1]} << 16 | uint32_t{p[0]} << 24;
}
int64_t le_signed(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{p[i]} << (8 * i);
  const int shift = 64 - 8 * bytes;
  return shift == 0 ? static_cast<int64_t>(v) : static_cast<int64_t>(v << shift) >> shift;
}

absl::Status bad(std::string_view kind, size_t at, std::string_view what) {
  return absl::DataLossError(
      absl::StrCat(to_absl(kind), ": ", to_absl(what), " at byte offset ", at));
}

// A ziplist entry's header. Sizes of the integer payloads by encoding byte;
// 0 with valid false for an unknown one.
struct ZlHeader {
  size_t prevlen_size;
  uint32_t prevlen;
  size_t len_size;  // encoding bytes
  size_t data;      // payload bytes
  uint8_t enc;
  bool is_str;
};

// Decodes the header at off, where `last` is the offset of the final 0xFF
// (nothing at or past it belongs to an entry). False when it is invalid or
// the entry would reach `last`.
bool zl_header(const uint8_t* p, size_t off, size_t last, ZlHeader* h) {
  if (p[off] < kBigPrevlen) {
    h->prevlen_size = 1;
    h->prevlen = p[off];
  } else {
    if (last - off < 5) return false;
    h->prevlen_size = 5;
    h->prevlen = le32(p + off + 1);
  }
  size_t e = off + h->prevlen_size;
  if (e >= last) return false;
  const uint8_t b = p[e];
  h->enc = b;
  h->is_str = (b & kStrMask) != kStrMask;
  if (h->is_str) {
    switch (b & kStrMask) {
      case kStr6:
        h->len_size = 1;
        h->data = b & 0x3F;
        break;
      case kStr14:
        if (last - e < 2) return false;
        h->len_size = 2;
        h->data = static_cast<size_t>(b & 0x3F) << 8 | p[e + 1];
        break;
      default:  // 10xxxxxx: 32-bit length
        if (last - e < 5) return false;
        h->len_size = 5;
        h->data = be32(p + e + 1);
        break;
    }
  } else {
    h->len_size = 1;
    switch (b) {
      case kInt16: h->data = 2; break;
      case kInt32: h->data = 4; break;
      case kInt64: h->data = 8; break;
      case kInt24: h->data = 3; break;
      case kInt8: h->data = 1; break;
      default:
        if (b < kImmMin || b > kImmMax) return false;
        h->data = 0;
    }
  }
  // The entry must end at or before the terminator.
  return h->len_size + h->data <= last - e;
}

ZiplistItem zl_item(const uint8_t* p, size_t off, const ZlHeader& h) {
  const uint8_t* d = p + off + h.prevlen_size + h.len_size;
  if (h.is_str) return {false, 0, {reinterpret_cast<const char*>(d), h.data}};
  int64_t v;
  switch (h.enc) {
    case kInt16: v = le_signed(d, 2); break;
    case kInt32: v = le_signed(d, 4); break;
    case kInt64: v = le_signed(d, 8); break;
    case kInt24: v = le_signed(d, 3); break;
    case kInt8: v = le_signed(d, 1); break;
    default: v = (h.enc & 0x0F) - 1;
  }
  return {true, v, {}};
}

// A zipmap length at off (before `last`): its value and encoded size.
bool zm_len(const uint8_t* p, size_t off, size_t last, uint32_t* len, size_t* size) {
  if (p[off] < kZipmapCountUnknown) {
    *len = p[off];
    *size = 1;
    return true;
  }
  if (p[off] != kZipmapCountUnknown || last - off < 5) return false;  // 0xFF is the end
  uint32_t v;
  std::memcpy(&v, p + off + 1, 4);  // host order, as zipmap.c wrote it
  *len = v;
  *size = 5;
  return true;
}

}  // namespace

absl::Status ziplist_validate(const uint8_t* p, size_t size, size_t* count) {
  constexpr std::string_view kind = "ziplist";
  if (size < kZiplistHeaderSize + 1) return bad(kind, 0, "shorter than an empty ziplist");
  if (le32(p) != size) {
    return bad(kind, 0, absl::StrCat("header says ", le32(p), " bytes but there are ", size));
  }
  const size_t last = size - 1;
  if (p[last] != kEnd) return bad(kind, last, "missing end byte");
  const uint32_t tail = le32(p + 4);
  if (tail > last) return bad(kind, 4, "tail offset past the end");
  size_t n = 0, prev_size = 0, prev = 0;
  size_t off = kZiplistHeaderSize;
  while (p[off] != kEnd) {
    ZlHeader h{};
    if (!zl_header(p, off, last, &h)) return bad(kind, off, "invalid or truncated entry");
    if (h.prevlen != prev_size) {
      return bad(kind, off, absl::StrCat("previous-entry length ", h.prevlen, " but it has ",
                                         prev_size, " bytes"));
    }
    prev = off;
    prev_size = h.prevlen_size + h.len_size + h.data;
    off += prev_size;
    ++n;
  }
  if (off != last) return bad(kind, off, "end byte before the end");
  if (n > 0 && prev != tail) {
    return bad(kind, 4, absl::StrCat("tail offset ", tail, " but the last entry is at ", prev));
  }
  const uint16_t header_count = static_cast<uint16_t>(p[8] | p[9] << 8);
  if (header_count != kZiplistCountUnknown && header_count != n) {
    return bad(kind, 8, absl::StrCat("header count ", header_count, " but ", n, " entries"));
  }
  *count = n;
  return absl::OkStatus();
}

void ziplist_for_each(const uint8_t* p, absl::FunctionRef<void(const ZiplistItem&)> fn) {
  const size_t last = le32(p) - 1;
  for (size_t off = kZiplistHeaderSize; p[off] != kEnd;) {
    ZlHeader h{};
    zl_header(p, off, last, &h);
    fn(zl_item(p, off, h));
    off += h.prevlen_size + h.len_size + h.data;
  }
}

absl::Status zipmap_validate(const uint8_t* p, size_t size, size_t* pairs) {
  constexpr std::string_view kind = "zipmap";
  if (size < 2) return bad(kind, 0, "shorter than an empty zipmap");
  const size_t last = size - 1;
  if (p[last] != kEnd) return bad(kind, last, "missing end byte");
  size_t n = 0;
  size_t off = 1;
  while (p[off] != kEnd) {
    uint32_t len = 0;
    size_t s = 0;
    if (!zm_len(p, off, last, &len, &s)) return bad(kind, off, "invalid field length");
    if (len > last - off - s) return bad(kind, off, "field runs past the end");
    off += s + len;
    if (!zm_len(p, off, last, &len, &s)) return bad(kind, off, "invalid value length");
    if (last - off - s < 1) return bad(kind, off, "value runs past the end");
    const size_t free = p[off + s];
    if (size_t{len} + free > last - off - s - 1) return bad(kind, off, "value runs past the end");
    off += s + 1 + len + free;
    ++n;
  }
  if (off != last) return bad(kind, off, "end byte before the end");
  if (n == 0) return bad(kind, 0, "no pairs");
  if (p[0] != kZipmapCountUnknown && p[0] != n) {
    return bad(kind, 0, absl::StrCat("header count ", p[0], " but ", n, " pairs"));
  }
  *pairs = n;
  return absl::OkStatus();
}

void zipmap_for_each(const uint8_t* p,
                     absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) {
  // Validated: no bound can be crossed, and `last` is never reached inside.
  const size_t unbounded = SIZE_MAX;
  for (size_t off = 1; p[off] != kEnd;) {
    uint32_t flen = 0, vlen = 0;
    size_t fs = 0, vs = 0;
    zm_len(p, off, unbounded, &flen, &fs);
    const std::string_view field(reinterpret_cast<const char*>(p + off + fs), flen);
    off += fs + flen;
    zm_len(p, off, unbounded, &vlen, &vs);
    const size_t free = p[off + vs];
    const std::string_view value(reinterpret_cast<const char*>(p + off + vs + 1), vlen);
    off += vs + 1 + vlen + free;
    fn(field, value);
  }
}

}  // namespace hashstore::internal::rdb
