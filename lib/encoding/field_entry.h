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
#include <utility>

#include "absl/container/btree_set.h"
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

// A table of field entries that also keeps the fields with a TTL in time
// order: (expire_ms, entry) in a btree, so the earliest and latest TTLs are
// O(1) and reclaiming due fields is O(log n) each, oldest first. Every
// mutation of a FieldTable goes through the methods below (they hide the
// base class's), which keep the index equal to the entries' own expiries.
// Costs: fields without a TTL pay nothing; a field with one pays ~20 bytes
// of btree and O(log n) on insert, erase and TTL change.
class FieldTable : public HashTable<FieldEntryPolicy> {
  using Base = HashTable<FieldEntryPolicy>;

 public:
  explicit FieldTable(uint64_t seed) : Base(seed) {}

  void insert(void* e, uint64_t h) {
    Base::insert(e, h);
    index_add(e);
  }
  // As Base::replace: returns the old entry, which the caller destroys.
  void* replace(std::string_view field, uint64_t h, void* e) {
    void* old = Base::replace(field, h, e);
    index_remove(old);
    index_add(e);
    return old;
  }
  void* detach(std::string_view field, uint64_t h) {
    void* e = Base::detach(field, h);
    if (e != nullptr) index_remove(e);
    return e;
  }
  bool erase(std::string_view field, uint64_t h) {
    void* e = detach(field, h);
    if (e == nullptr) return false;
    field_entry::destroy(e);
    return true;
  }
  void clear() {
    Base::clear();
    ttl_.clear();
  }

  // Sets (or with nullopt removes) the TTL of the field whose entry is e
  // (stored under hash h); returns the entry now in the table (e may have
  // been reallocated and must not be used).
  void* set_expiry(void* e, uint64_t h, std::optional<int64_t> expire_ms);

  // Fields with a TTL, and the earliest and latest of those TTLs (nullopt
  // when there are none).
  size_t ttl_count() const { return ttl_.size(); }
  std::optional<int64_t> earliest_expiry() const {
    return ttl_.empty() ? std::nullopt : std::optional<int64_t>(ttl_.begin()->first);
  }
  std::optional<int64_t> latest_expiry() const {
    return ttl_.empty() ? std::nullopt : std::optional<int64_t>(ttl_.rbegin()->first);
  }
  // Removes and frees up to max fields whose TTL is <= now, oldest first;
  // returns how many. on_field (when given) sees each name first.
  size_t expire_some(int64_t now, size_t max, void (*on_field)(std::string_view) = nullptr);
  // As HashTable::destroy_some, for a table being thrown away; the TTL
  // index is emptied first, up to max entries per call (each counts as
  // one), so that no call frees an unbounded number of btree nodes.
  size_t destroy_some(size_t max, size_t* pos);
  // Heap bytes of the TTL index (its nodes, approximately: the btree does
  // not report them).
  size_t index_bytes() const { return ttl_.size() * kIndexBytesPerField; }

 private:
  static constexpr size_t kIndexBytesPerField = 20;
  void index_add(const void* e) {
    if (auto t = field_entry::expiry(e)) ttl_.emplace(*t, e);
  }
  void index_remove(const void* e) {
    if (auto t = field_entry::expiry(e)) ttl_.erase(std::make_pair(*t, e));
  }

  absl::btree_set<std::pair<int64_t, const void*>> ttl_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_ENCODING_FIELD_ENTRY_H_
