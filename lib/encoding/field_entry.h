// Field entries: the elements of a large hash's table. One block holds
// everything about a field:
//
//   flags      u8       bit 0: has an expiry
//   field_len  varint   LEB128
//   value_len  varint   LEB128
//   field      field_len bytes
//   value      value_len bytes
//   expire_ms  i64      unaligned, only when flags bit 0 is set
//
// So "f:123456" -> "12345678" takes 1 + 1 + 1 + 8 + 8 = 19 bytes, which the
// table's arena (field_arena.h) serves from a 20-byte slot (a malloc of its
// own would be glibc's smallest chunk, 32 bytes).
//
// Entries live in the arena of one FieldTable: FieldTable::make() builds
// one there and FieldTable::destroy() gives it back (or the table frees
// them all at once when it is cleared or destroyed). An entry must never
// be passed to another table, nor to free(). Its size (encoded_size) picks
// its arena slot, so an entry is never resized in place: a change of size
// (adding or removing the expiry) moves it (FieldTable::set_expiry).
// The lengths are written by make() and trusted afterwards: entries never
// come from untrusted bytes (a snapshot loader must call make() with
// validated field and value).
// Costs: field()/value() decode two varints; make() is an arena allocation
// (O(1), usually a free-list pop or a bump) plus copies.
// Views returned by field()/value() live as long as the entry.
#ifndef HASHSTORE_ENCODING_FIELD_ENTRY_H_
#define HASHSTORE_ENCODING_FIELD_ENTRY_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "encoding/field_arena.h"
#include "encoding/hashtable.h"
#include "util/varint.h"

namespace hashstore::internal {

namespace field_entry {

inline constexpr uint8_t kHasExpiry = 1;

// Bytes of the entry for a field and value of these lengths.
size_t size_for(size_t field_len, size_t value_len, bool has_expiry);
// Writes the entry at `at`. REQUIRES: `at` has size_for(field.size(),
// value.size(), expire_ms.has_value()) writable bytes.
void write(void* at, std::string_view field, std::string_view value,
           std::optional<int64_t> expire_ms);
// Where an entry's field and value are (inline: every table lookup that
// matches a tag compares a field).
struct Layout {
  const uint8_t* field;
  size_t field_len;
  const uint8_t* value;
  size_t value_len;
};
[[gnu::always_inline]] inline Layout layout(const void* e) {
  const uint8_t* p = static_cast<const uint8_t*>(e) + 1;
  Layout l;
  p = read_varint(p, &l.field_len);
  p = read_varint(p, &l.value_len);
  l.field = p;
  l.value = p + l.field_len;
  return l;
}
[[gnu::always_inline]] inline std::string_view field(const void* e) {
  const Layout l = layout(e);
  return {reinterpret_cast<const char*>(l.field), l.field_len};
}
[[gnu::always_inline]] inline std::string_view value(const void* e) {
  const Layout l = layout(e);
  return {reinterpret_cast<const char*>(l.value), l.value_len};
}
std::optional<int64_t> expiry(const void* e);
// Overwrites the expiry in place. REQUIRES: the entry has one.
void overwrite_expiry(void* e, int64_t expire_ms);
// Overwrites the value with one of the same length, in place (the expiry,
// if any, stays); false, writing nothing, when the lengths differ.
bool overwrite_value(void* e, std::string_view value);
// Bytes the entry's layout uses (its size_for).
size_t encoded_size(const void* e);

}  // namespace field_entry

// The FieldTable policy: entries are given back to the table's arena.
// footprint is 0: the arena counts the bytes of all entries at once, pages
// and free space included (FieldTable::element_bytes).
struct FieldEntryPolicy {
  FieldArena* arena = nullptr;
  [[gnu::always_inline]] static std::string_view key(const void* e) {
    return field_entry::field(e);
  }
  void destroy(void* e) const { arena->deallocate(e, field_entry::encoded_size(e)); }
  static constexpr size_t footprint(const void*) { return 0; }
  static constexpr bool kWideElements = false;  // a field entry is small
};

// A table of field entries that also keeps the fields with a TTL in time
// order: (expire_ms, entry) in a btree, so the earliest and latest TTLs are
// O(1) and reclaiming due fields is O(log n) each, oldest first. Every
// mutation of a FieldTable goes through the methods below (they hide the
// base class's), which keep the index equal to the entries' own expiries.
// The entries live in the table's own FieldArena (field_arena.h): clear()
// and the destructor free its pages wholesale, without visiting entries.
// Costs: fields without a TTL pay nothing; a field with one pays ~20 bytes
// of btree and O(log n) on insert, erase and TTL change.
class FieldTable : public HashTable<FieldEntryPolicy> {
  using Base = HashTable<FieldEntryPolicy>;

 public:
  // The base keeps a pointer to arena_, which is constructed right after it.
  explicit FieldTable(uint64_t seed) : Base(seed, FieldEntryPolicy{&arena_}) {}
  // Frees the entries wholesale before the base's destructor runs (it would
  // otherwise give them back one by one to an arena already destroyed).
  ~FieldTable() { clear(); }

  // A new entry in this table's arena, not yet in the table: insert() it,
  // swap it in with replace(), or give it back with destroy().
  void* make(std::string_view field, std::string_view value, std::optional<int64_t> expire_ms) {
    void* e = arena_.allocate(field_entry::size_for(field.size(), value.size(), expire_ms.has_value()));
    field_entry::write(e, field, value, expire_ms);
    return e;
  }
  // Gives back an entry made by this table and no longer in it (returned by
  // replace or detach, or never inserted).
  void destroy(void* e) { arena_.deallocate(e, field_entry::encoded_size(e)); }

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
    destroy(e);
    return true;
  }
  // Frees every entry (the arena's pages at once), the slot arrays and the
  // TTL index. The seed is kept.
  void clear() {
    abandon_elements();
    arena_.release_all();
    ttl_.clear();
  }

  // Sets (or with nullopt removes) the TTL of the field whose entry is e
  // (stored under hash h); returns the entry now in the table (e moves to
  // a new slot when it gains or loses its expiry, and must not be used).
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
  // returns how many. Each name is appended to *names first (when given).
  size_t expire_some(int64_t now, size_t max, std::vector<std::string>* names = nullptr);
  // For a table being thrown away a bounded step at a time (start with
  // *pos = 0); returns how many fields or TTL index entries it removed, at
  // most max. First the TTL index is emptied, up to max entries per call, so
  // that no call frees an unbounded number of btree nodes. Then each call
  // forgets up to max entries, walking the slots as HashTable::destroy_some
  // does (without reading the entries), and frees the arena in step: the
  // share of its bytes those entries stand for, rounded up to whole pages
  // or large blocks; the last entry takes what is left (the slot arrays
  // too). So each call frees about max entries' worth of memory in a few
  // free() calls instead of max of them. Entries are dead from the first
  // call: the table is then only fit for more destroy_some calls and
  // destruction; empty() tells when it is done.
  size_t destroy_some(size_t max, size_t* pos);
  // Heap bytes of the entries: the arena's pages, with their free and
  // unused space, and its large blocks (hides the base's per-element sum,
  // which stays 0).
  size_t element_bytes() const { return arena_.bytes(); }
  // Heap bytes of the TTL index (its nodes, approximately: the btree does
  // not report them).
  size_t index_bytes() const { return ttl_.size() * kIndexBytesPerField; }
  // The arena (tests and benchmarks).
  const FieldArena& arena() const { return arena_; }

 private:
  static constexpr size_t kIndexBytesPerField = 20;
  // Meaningless here: element_bytes() is the arena's figure.
  using Base::adjust_element_bytes;

  void index_add(const void* e) {
    if (auto t = field_entry::expiry(e)) ttl_.emplace(*t, e);
  }
  void index_remove(const void* e) {
    if (auto t = field_entry::expiry(e)) ttl_.erase(std::make_pair(*t, e));
  }

  FieldArena arena_;
  absl::btree_set<std::pair<int64_t, const void*>> ttl_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_ENCODING_FIELD_ENTRY_H_
