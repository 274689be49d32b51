// Key entries: one allocation per key holding its name, its TTL when it has
// one, and its hash: a small hash's listpack lives inline in the same
// allocation; a large hash is a pointer to its FieldTable.
//
// Byte layout (no padding, fields unaligned and read with memcpy):
//
//   access     u32       LRU time or LFU counter for eviction (aligned:
//                        entries are malloc'd), updated by readers with
//                        relaxed atomics
//   flags      u8        bit 0 kHasTtl, bit 1 kTable (else listpack),
//                        bit 2 kFieldTtl; bits 3..7 the entry's slot in
//                        its keyspace's arena, in 8-byte units (0: the
//                        entry is its own malloc'd block)
//   key_len    varint    LEB128, 1..5 bytes
//   key        key_len bytes
//   expire_ms  i64       absolute Unix ms, only when kHasTtl
//   next_ms    i64       FieldBounds, only when kFieldTtl: the earliest
//   gone_ms    i64       field TTL, and when the last field expires
//   payload    listpack  a whole listpack (its own header says its size)
//           or FieldTable*   8 bytes, owned by the entry
//
// kFieldTtl is set once a field of the hash got a TTL and stays set; its
// listpack then holds triplets (field, value, expire-ms or 0 for none)
// instead of pairs, as Redis's listpackEx does.
//
// Where entries live: an entry of at most kMaxSlotBytes (248) bytes that a
// keyspace makes is a slot of that keyspace's arena (a FieldArena: size
// classes, no per-block header), in 8-byte steps; its slot size is in the
// flags (slot_bytes), so it is freed and resized without reading its
// contents. A five-field profile's 120-byte entry takes a 120-byte slot
// where glibc's malloc took a 128-byte chunk (8-byte header, 16-byte
// rounding). Bigger entries, and entries made without an arena (loaders
// build them before they know the shard: Keyspace::insert moves them into
// its arena), are malloc'd; their usable size may exceed what they need (the
// listpack can then grow in place). Every function that makes, frees or
// resizes an entry takes the arena (nullptr: malloc only); an arena slot
// must be given back to the arena it came from. An entry is immutable in
// size except through resize_payload(), which may move it: the owner must
// then replace the pointer it keeps (KeyTable::replace) before freeing the
// old one.
#ifndef HASHSTORE_KEYSPACE_KEY_ENTRY_H_
#define HASHSTORE_KEYSPACE_KEY_ENTRY_H_

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "encoding/field_arena.h"
#include "encoding/field_entry.h"
#include "hash/hash_object.h"
#include "util/heap.h"
#include "util/varint.h"

namespace hashstore::internal::key_entry {

inline constexpr uint8_t kHasTtl = 1 << 0;
inline constexpr uint8_t kTable = 1 << 1;
inline constexpr uint8_t kFieldTtl = 1 << 2;
inline constexpr size_t kMaxVarintBytes = 5;
inline constexpr size_t kFlagsOffset = sizeof(uint32_t);
inline constexpr size_t kBoundsBytes = 2 * sizeof(int64_t);  // FieldBounds: next_ms, gone_ms
// The slot field of the flags (bits 3..7): slot bytes / kSlotUnit.
inline constexpr unsigned kSlotShift = 3;
inline constexpr size_t kSlotUnit = 8;
inline constexpr size_t kMaxSlotBytes = (0xFF >> kSlotShift) * kSlotUnit;  // 248
static_assert(kMaxSlotBytes <= kArenaMaxSlot, "every slot size is an arena class");
static_assert(sizeof(FieldTable*) == 8, "payload pointer is stored in 8 bytes");

// New entry for key whose payload is a copy of `lp_bytes` bytes of listpack
// (triplets when bounds are given: they turn kFieldTtl on).
// From `arena` when it fits a slot and arena is not nullptr.
void* make_listpack(std::string_view key, std::optional<int64_t> expire_ms, const uint8_t* lp,
                    size_t lp_bytes, std::optional<FieldBounds> bounds = std::nullopt,
                    FieldArena* arena = nullptr);
// New entry for key that takes ownership of table.
void* make_table(std::string_view key, std::optional<int64_t> expire_ms, FieldTable* table,
                 std::optional<FieldBounds> bounds = std::nullopt, FieldArena* arena = nullptr);
// Frees the entry and what it owns. `arena`: the one the entry's slot came
// from (may be nullptr for a malloc'd entry).
void destroy(void* entry, FieldArena* arena);
// Frees the entry but not its table (its ownership moved elsewhere).
void free_shell(void* entry, FieldArena* arena);
// Frees what the entry owns and, when malloc'd, the entry; an arena slot is
// left to its arena, which its owner releases wholesale (KeyTable's clear).
void destroy_unless_slot(void* entry);

inline uint8_t flags(const void* entry) {
  return static_cast<const uint8_t*>(entry)[kFlagsOffset];
}
// The bytes of the entry's arena slot, or 0 when it is malloc'd.
inline size_t slot_bytes(const void* entry) {
  return static_cast<size_t>(flags(entry) >> kSlotShift) * kSlotUnit;
}
// The eviction word (see the layout); new entries start at 0. Rebuilt
// entries (rekey, with_table, ...) start again at 0 unless the owner copies
// it over.
uint32_t access(const void* entry);
void set_access(const void* entry, uint32_t value);
// The key's bytes, and the offset of the byte after them. Inline: every
// lookup that matches a tag compares a key (one-byte lengths take no loop).
[[gnu::always_inline]] inline std::string_view key(const void* entry) {
  const uint8_t* p = static_cast<const uint8_t*>(entry) + kFlagsOffset + 1;
  size_t len = *p;
  const uint8_t* bytes = len < 0x80 ? p + 1 : read_varint(p, &len);
  return {reinterpret_cast<const char*>(bytes), len};
}
[[gnu::always_inline]] inline size_t after_key(const void* entry) {
  const std::string_view k = key(entry);
  return static_cast<size_t>(k.data() + k.size() - static_cast<const char*>(entry));
}
std::optional<int64_t> expire_ms(const void* entry);
// The field-TTL bounds, or nullopt without kFieldTtl.
std::optional<FieldBounds> field_bounds(const void* entry);
// Overwrites the bounds in place. REQUIRES: kFieldTtl.
void set_field_bounds(void* entry, FieldBounds bounds);
// When the key stops existing: its own TTL or the moment its last field
// expires, whichever comes first; nullopt when neither will happen.
std::optional<int64_t> death_ms(const void* entry);
inline HashEncoding encoding(const void* entry) {
  return (flags(entry) & kTable) ? HashEncoding::kTable : HashEncoding::kListpack;
}
// The bytes between the key and the payload, by flags & (kHasTtl | kFieldTtl):
// the key's expiry time, then the field TTLs' bounds.
inline constexpr std::array<uint8_t, kHasTtl + kFieldTtl + 1> kTtlBytes = [] {
  std::array<uint8_t, kHasTtl + kFieldTtl + 1> t{};
  for (unsigned f = 0; f < t.size(); ++f) {
    t[f] = static_cast<uint8_t>(((f & kHasTtl) ? sizeof(int64_t) : 0) +
                                ((f & kFieldTtl) ? kBoundsBytes : 0));
  }
  return t;
}();

// Offset of the payload from the start of the entry.
[[gnu::always_inline]] inline size_t payload_offset(const void* entry) {
  const uint8_t f = flags(entry);
  return after_key(entry) + kTtlBytes[f & (kHasTtl | kFieldTtl)];
}
inline uint8_t* listpack(void* entry) {
  assert(encoding(entry) == HashEncoding::kListpack);
  return static_cast<uint8_t*>(entry) + payload_offset(entry);
}
inline const uint8_t* listpack(const void* entry) {
  return listpack(const_cast<void*>(entry));
}
inline FieldTable* table(const void* entry) {
  assert(encoding(entry) == HashEncoding::kTable);
  FieldTable* t;
  std::memcpy(&t, static_cast<const uint8_t*>(entry) + payload_offset(entry), sizeof t);
  return t;
}
// The entry's hash, seen directly (hash_view.h): its table, or its listpack
// of pairs (triplets with kFieldTtl). key_len: the key's length, when the
// caller knows it (it just matched the key), saves reading it again.
[[gnu::always_inline]] inline HashView view(void* entry, size_t key_len) {
  const uint8_t f = flags(entry);
  const size_t payload = kFlagsOffset + 1 + (key_len < 0x80 ? 1 : varint_size(key_len)) + key_len +
                         kTtlBytes[f & (kHasTtl | kFieldTtl)];
  assert(payload == payload_offset(entry));
  if (f & kTable) {
    FieldTable* t;
    std::memcpy(&t, static_cast<const uint8_t*>(entry) + payload, sizeof t);
    return HashView(t);
  }
  return HashView(static_cast<uint8_t*>(entry) + payload, (f & kFieldTtl) ? 3 : 2);
}

// Bytes the allocator spends on the entry itself (not its table): its
// slot, or its malloc'd block's footprint.
inline size_t footprint(const void* entry) {
  const size_t slot = slot_bytes(entry);
  return slot != 0 ? slot : heap_footprint(entry);
}
// Bytes of the entry's contents (what a copy of it needs).
size_t used_bytes(const void* entry);
// A malloc'd entry that fits a slot is copied into one of `arena` (and
// freed); returns the entry as it now is (unchanged if already a slot or
// too big).
void* into_arena(void* entry, FieldArena* arena);

// Returns the entry resized so that its listpack payload has room for
// new_lp_bytes bytes, keeping the first min(old, new) listpack bytes. Stays
// in place when its slot or block already fits (a slot: at most 16 bytes
// too big; a block: at most twice); else it moves to a slot of `arena` (or
// a malloc'd block when too big or arena is nullptr; realloc). When the
// result differs from `entry`, `entry` is no longer valid: the owner swaps
// the pointer it keeps by identity (KeyTable::replace_pointer). REQUIRES:
// listpack encoding; arena is the entry's own when it is a slot.
void* resize_payload(void* entry, size_t new_lp_bytes, FieldArena* arena);

// Returns a new entry with the same payload (the table pointer moves to it)
// and field bounds, and `new_key`, from `arena` (see make_listpack); the old
// entry must then be freed with free_shell().
void* rekey(const void* entry, std::string_view new_key, std::optional<int64_t> expire_ms,
            FieldArena* arena);

// Returns a new entry with kFieldTtl set (bounds: nothing due) and the same
// payload bytes; the old entry must then be freed with free_shell().
// REQUIRES: kFieldTtl not set.
void* with_field_ttls(const void* entry, FieldArena* arena);

// Returns a new entry for table-encoded key pointing at `table` (used on
// listpack -> table conversion); the old entry must be freed with free_shell.
void* with_table(const void* entry, FieldTable* table, FieldArena* arena);

// Deep copy under new_key (the table, if any, is copied too).
void* clone(const void* entry, std::string_view new_key, FieldArena* arena);

// The KeyTable policy: destroying an element leaves an arena slot to the
// arena (the keyspace releases its arena after clearing the table).
struct Policy {
  [[gnu::always_inline]] static std::string_view key(const void* e) { return key_entry::key(e); }
  static void destroy(void* e) { key_entry::destroy_unless_slot(e); }
  static size_t footprint(const void* e) { return key_entry::footprint(e); }
  // A five-field profile's entry is about 100 bytes: a write to its last
  // fields reads the second line.
  static constexpr bool kWideElements = true;
};

}  // namespace hashstore::internal::key_entry

namespace hashstore::internal {
using KeyTable = HashTable<key_entry::Policy>;
}  // namespace hashstore::internal

#endif  // HASHSTORE_KEYSPACE_KEY_ENTRY_H_
