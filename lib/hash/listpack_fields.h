// The layout of a hash's listpack, in one place: its fields as pairs
// (field, value), or — once the hash has field TTLs — as triplets (field,
// value, expire-ms), where an expire-ms of kLpNoTtl means "no TTL". Every
// walk over a hash's listpack (the hash's own operations, the snapshot and
// RDB writers and readers, the RESP export) steps through it with the
// functions below rather than counting entries itself.
#ifndef HASHSTORE_HASH_LISTPACK_FIELDS_H_
#define HASHSTORE_HASH_LISTPACK_FIELDS_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "encoding/listpack.h"
#include "util/number.h"

namespace hashstore::internal {

// The expire-ms entry of a field without a TTL. Times not in the future
// are never stored, so 0 is never a real TTL.
inline constexpr int64_t kLpNoTtl = 0;

// Where one field's entries are: field, value, its TTL entry (kLpNone in a
// listpack of pairs), and the next field's offset (end_offset at the end).
struct LpField {
  uint32_t field;
  uint32_t value;
  uint32_t ttl;
  uint32_t next;
};

// The field whose first entry is at off. stride: 2 (pairs) or 3 (triplets).
inline LpField lp_field_at(const uint8_t* lp, uint32_t off, size_t stride) {
  assert(stride == 2 || stride == 3);
  LpField f;
  f.field = off;
  f.value = lp::next(lp, off);
  f.next = lp::next(lp, f.value);
  f.ttl = kLpNone;
  if (stride == 3) {
    f.ttl = f.next;
    f.next = lp::next(lp, f.ttl);
  }
  return f;
}

// The TTL held by the TTL entry at off; nullopt for kLpNoTtl.
inline std::optional<int64_t> lp_ttl_at(const uint8_t* lp, uint32_t off) {
  const LpEntry e = lp::get(lp, off);
  assert(e.is_int);
  return e.int_value == kLpNoTtl ? std::nullopt : std::optional<int64_t>(e.int_value);
}

// f's TTL; nullopt when it has none (or the listpack holds pairs).
inline std::optional<int64_t> lp_ttl_of(const uint8_t* lp, const LpField& f) {
  return f.ttl == kLpNone ? std::nullopt : lp_ttl_at(lp, f.ttl);
}

// Calls fn(field, value, ttl) — ttl a std::optional<int64_t> — for each
// field of the listpack in order. fn may return bool: false stops the walk,
// and then so does this, returning false (true when every field was seen).
// The views are valid during the call only.
template <class F>
bool for_each_lp_field(const uint8_t* lp, size_t stride, F&& fn) {
  char fbuf[kMaxInt64Chars], vbuf[kMaxInt64Chars];
  const uint32_t end = lp::end_offset(lp);
  for (uint32_t off = lp::first(lp); off != end;) {
    const LpField f = lp_field_at(lp, off, stride);
    off = f.next;
    const std::string_view name = lp::get_string(lp, f.field, fbuf);
    const std::string_view value = lp::get_string(lp, f.value, vbuf);
    const std::optional<int64_t> ttl = lp_ttl_of(lp, f);
    if constexpr (std::is_void_v<std::invoke_result_t<F&, std::string_view, std::string_view,
                                                      std::optional<int64_t>>>) {
      fn(name, value, ttl);
    } else {
      if (!fn(name, value, ttl)) return false;
    }
  }
  return true;
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_HASH_LISTPACK_FIELDS_H_
