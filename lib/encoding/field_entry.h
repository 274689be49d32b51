// Field entries: the elements of a large hash's table. One malloc holds
// everything about a field:
//
//   flags      u8       bit 0: has an expiry
//   field_len  varint   LEB128
//   value_len  varint   LEB128
//   field      field_len bytes
//   value      value_len bytes
//   expire_ms  i64      unaligned, only when flags bit 0 is set
//
// So "f:123456" -> "12345678" takes 1 + 1 + 1 + 8 + 8 = 19 bytes (glibc
// hands out a 32-byte chunk for it, its smallest: 24 usable bytes + header).
//
// Entries are built by make() and owned by whoever holds them (normally a
// FieldTable, which frees them with destroy()). The lengths are written by
// make() and trusted afterwards: entries never come from untrusted bytes
// (a snapshot loader must call make() with validated field and value).
// Costs: field()/value() decode two varints; make() is one malloc + copies.
// Views returned by field()/value() live as long as the entry; set_expiry()
// may move the entry (realloc), which invalidates the old pointer and views.
#ifndef HASHSTORE_ENCODING_FIELD_ENTRY_H_
#define HASHSTORE_ENCODING_FIELD_ENTRY_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "encoding/hashtable.h"

namespace hashstore::internal {

namespace field_entry {

inline constexpr uint8_t kHasExpiry = 1;

void* make(std::string_view field, std::string_view value, std::optional<int64_t> expire_ms);
std::string_view field(const void* e);
std::string_view value(const void* e);
std::optional<int64_t> expiry(const void* e);
// Returns the entry with its expiry set to expire_ms (removed when nullopt).
// Overwrites in place when the entry already has an expiry (or has none and
// none is wanted); otherwise reallocs, so the result may differ from e and e
// must no longer be used. A table owner then swaps it in with
// HashTable::replace_pointer(e, h, result, footprint(result) - old
// footprint) — not replace(), which would read the freed e.
void* set_expiry(void* e, std::optional<int64_t> expire_ms);
// Bytes the entry's layout uses (not the allocator's rounding).
size_t encoded_size(const void* e);
void destroy(void* e);
// Heap bytes of the entry's allocation.
size_t footprint(const void* e);

}  // namespace field_entry

struct FieldEntryPolicy {
  static std::string_view key(const void* e) { return field_entry::field(e); }
  static void destroy(void* e) { field_entry::destroy(e); }
  static size_t footprint(const void* e) { return field_entry::footprint(e); }
};

using FieldTable = HashTable<FieldEntryPolicy>;

}  // namespace hashstore::internal

#endif  // HASHSTORE_ENCODING_FIELD_ENTRY_H_
