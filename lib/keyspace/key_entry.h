// Key entries: one block per key holding its name, its TTL when it has
// one, and its hash: a small hash's listpack lives inline in the same
// allocation; a large hash is a pointer to its FieldTable.
//
// Byte layout (no padding, fields unaligned and read with memcpy), by
// offset from the entry's address:
//
//   access     u32       only with kAccess: LRU time or LFU counter for
//                        eviction (4-byte aligned), updated by readers with
//                        relaxed atomics. Without it these 4 bytes are not
//                        the entry's: its block starts at the flags.
//   flags      u8        bit 0 kHasTtl, bit 1 kTable (else listpack),
//                        bit 2 kFieldTtl, bit 3 kSlot, bit 4 kAccess,
//                        bits 5..7 the slot's slack (below)
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
// The access word only where it pays: a keyspace makes entries with it
// (kAccess) while its Store has an LRU or LFU policy (Alloc::access), and
// gives every entry one when such a policy is set later
// (Keyspace::set_access_words). Without it the entry's block is 4 bytes
// shorter and starts at entry + 4, so that every field keeps its offset
// from the entry's address whichever the layout: only allocation, freeing
// and the access word itself look at kAccess (block()).
//
// Where entries live: an entry whose block is at most kMaxSlotBytes (256)
// bytes, made by a keyspace, is a slot of that keyspace's arena (kSlot; a
// FieldArena: size classes in 4-byte steps, no per-block header). Its slot
// size is the block's size rounded up to 4 plus slack * 4: derived from
// the contents, so the contents must say the size the slot was sized for
// whenever it is freed or resized (a listpack's header is rewritten only
// after its resize: listpack.h). A five-field profile's block takes 116
// bytes of slot where glibc's malloc took a 128-byte chunk (a 4-byte access
// word, an 8-byte header, 16-byte rounding). Bigger entries, and entries
// made without an arena (loaders build them before they know the shard:
// Keyspace::insert moves them into its arena), are malloc'd; their usable
// size may exceed what they need (the listpack can then grow in place).
// Every function that makes, frees or resizes an entry takes the keyspace's
// Alloc (none: malloc'd, no access word); an arena slot must be given back
// to the arena it came from. An entry is immutable in size except through
// resize_payload(), which may move it: the owner must then replace the
// pointer it keeps (KeyTable::replace) before freeing the old one.
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
inline constexpr uint8_t kSlot = 1 << 3;
inline constexpr uint8_t kAccess = 1 << 4;
inline constexpr unsigned kSlackShift = 5;  // bits 5..7: slack / kSlotStep
inline constexpr size_t kSlotStep = 4;
inline constexpr size_t kMaxSlack = 7 * kSlotStep;  // 28 bytes
inline constexpr size_t kMaxVarintBytes = 5;
inline constexpr size_t kFlagsOffset = sizeof(uint32_t);
inline constexpr size_t kAccessBytes = sizeof(uint32_t);
inline constexpr size_t kBoundsBytes = 2 * sizeof(int64_t);  // FieldBounds: next_ms, gone_ms
inline constexpr size_t kMaxSlotBytes = kArenaMaxSlot;       // 256
static_assert(kSlotStep == kArenaStep, "a slot is exactly an arena class");
static_assert(sizeof(FieldTable*) == 8, "payload pointer is stored in 8 bytes");

// Where a keyspace's entries come from: its arena (nullptr: malloc only)
// and whether they carry the access word. Alloc{}: malloc'd, no access
// word (loaders; Keyspace::insert moves such entries into its arena).
struct Alloc {
  FieldArena* arena = nullptr;
  bool access = false;
};

// New entry for key whose payload is a copy of `lp_bytes` bytes of listpack
// (triplets when bounds are given: they turn kFieldTtl on).
void* make_listpack(std::string_view key, std::optional<int64_t> expire_ms, const uint8_t* lp,
                    size_t lp_bytes, std::optional<FieldBounds> bounds = std::nullopt,
                    Alloc alloc = {});
// New entry for key that takes ownership of table.
void* make_table(std::string_view key, std::optional<int64_t> expire_ms, FieldTable* table,
                 std::optional<FieldBounds> bounds = std::nullopt, Alloc alloc = {});
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
// Where the entry's block (its allocation) starts: 4 bytes on without the
// access word.
inline uint8_t* block(void* entry) {
  return static_cast<uint8_t*>(entry) + ((flags(entry) & kAccess) ? 0 : kAccessBytes);
}
// The eviction word (see the layout); new entries start at 0, and an entry
// without one reads 0 (set_access then does nothing). Rebuilt entries
// (rekey, with_table, ...) start again at 0 unless the owner copies it over.
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

// Bytes of the entry from its address to the end of its payload, and of
// its block (4 fewer without the access word).
size_t used_bytes(const void* entry);
inline size_t block_bytes(const void* entry) {
  return used_bytes(entry) - ((flags(entry) & kAccess) ? 0 : kAccessBytes);
}
// The bytes of the entry's arena slot (REQUIRES: kSlot): its block rounded
// up to 4, plus the slack.
inline size_t slot_bytes(const void* entry) {
  return (block_bytes(entry) + kSlotStep - 1) / kSlotStep * kSlotStep +
         static_cast<size_t>(flags(entry) >> kSlackShift) * kSlotStep;
}
// Bytes the allocator spends on the entry itself (not its table): its
// slot, or its malloc'd block's footprint.
inline size_t footprint(const void* entry) {
  return (flags(entry) & kSlot) ? slot_bytes(entry) : heap_footprint(block(const_cast<void*>(entry)));
}
// A malloc'd entry that fits a slot is copied into one of alloc's arena
// (and freed), and an entry gets or keeps its access word as alloc says;
// returns the entry as it now is (`entry` itself when nothing changed).
void* into_arena(void* entry, Alloc alloc);

// A copy of the entry (REQUIRES: kSlot) in a slot of the same size from
// `to`, slack included; the original is left as it is (its arena is
// released wholesale: Keyspace::compact_arena). Returns the copy's address.
void* copy_slot(const void* entry, FieldArena* to);

// Returns the entry resized so that its listpack payload has room for
// new_lp_bytes bytes, keeping the first min(old, new) listpack bytes, and
// sets *new_footprint to what footprint() will say once the listpack's
// header says new_lp_bytes. Stays in place when its slot or block fits
// (a slot grown into its slack, or at most 16 bytes too big; a block at
// most twice too big); else it moves to a slot of alloc's arena (or a malloc'd
// block: too big, or no arena; realloc). When the result differs from
// `entry`, `entry` is no longer valid: the owner swaps the pointer it keeps
// by identity (KeyTable::replace_pointer). REQUIRES: listpack encoding, its
// header still the size before; alloc is the entry's keyspace's.
void* resize_payload(void* entry, size_t new_lp_bytes, Alloc alloc, size_t* new_footprint);

// Returns a new entry with the same payload (the table pointer moves to it)
// and field bounds, and `new_key`, from `arena` (see make_listpack); the old
// entry must then be freed with free_shell().
void* rekey(const void* entry, std::string_view new_key, std::optional<int64_t> expire_ms,
            Alloc alloc);

// Returns a new entry with kFieldTtl set (bounds: nothing due) and the same
// payload bytes; the old entry must then be freed with free_shell().
// REQUIRES: kFieldTtl not set.
void* with_field_ttls(const void* entry, Alloc alloc);

// Returns a new entry for table-encoded key pointing at `table` (used on
// listpack -> table conversion); the old entry must be freed with free_shell.
void* with_table(const void* entry, FieldTable* table, Alloc alloc);

// Deep copy under new_key (the table, if any, is copied too).
void* clone(const void* entry, std::string_view new_key, Alloc alloc);

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
