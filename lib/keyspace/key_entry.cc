// Key entry layout and its allocation (see key_entry.h).
#include "keyspace/key_entry.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdlib>
#include <new>

#include "util/heap.h"
#include "util/random.h"
#include "util/varint.h"

namespace hashstore::internal::key_entry {

namespace {

size_t header_size(std::string_view key, bool has_ttl, bool field_ttls) {
  return kFlagsOffset + 1 + varint_size(key.size()) + key.size() +
         (has_ttl ? sizeof(int64_t) : 0) +
         (field_ttls ? kBoundsBytes : 0);
}

// The slot size for an entry of n bytes (a multiple of kSlotUnit), or 0 when
// it is malloc'd (too big, or no arena).
size_t slot_for(size_t n, const FieldArena* arena) {
  const size_t slot = (n + kSlotUnit - 1) / kSlotUnit * kSlotUnit;
  return arena != nullptr && slot <= kMaxSlotBytes ? slot : 0;
}

// A block of `bytes` bytes: a slot of `slot` bytes from the arena, or
// malloc'd when slot is 0. Sets the slot field of the flags byte (the rest
// of the flags is the caller's to write).
uint8_t* allocate(size_t bytes, size_t slot, FieldArena* arena) {
  uint8_t* p;
  if (slot != 0) {
    p = static_cast<uint8_t*>(arena->allocate(slot));
  } else {
    p = static_cast<uint8_t*>(std::malloc(bytes));
    if (p == nullptr) std::abort();  // no exceptions: out of memory is fatal
  }
  p[kFlagsOffset] = static_cast<uint8_t>((slot / kSlotUnit) << kSlotShift);
  return p;
}
uint8_t* allocate(size_t bytes, FieldArena* arena) {
  return allocate(bytes, slot_for(bytes, arena), arena);
}

void release(void* entry, FieldArena* arena) {
  if (const size_t slot = slot_bytes(entry); slot != 0) {
    assert(arena != nullptr);
    arena->deallocate(entry, slot);
    // The last slot gone (every key left, or moved to its own block): no
    // pointer into the arena remains, so its pages go now.
    if (arena->live_bytes() == 0) arena->release_all();
  } else {
    std::free(entry);
  }
}

void write_i64(uint8_t* p, int64_t v) { std::memcpy(p, &v, sizeof v); }
int64_t read_i64(const uint8_t* p) {
  int64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Writes flags, key, TTL and field bounds; returns the payload offset.
size_t write_header(uint8_t* p, uint8_t flags, std::string_view key,
                    std::optional<int64_t> expire_ms, std::optional<FieldBounds> bounds) {
  const uint32_t access = 0;
  std::memcpy(p, &access, sizeof access);
  p[kFlagsOffset] = static_cast<uint8_t>((p[kFlagsOffset] & ~((1u << kSlotShift) - 1)) | flags |
                                         (expire_ms ? kHasTtl : 0) | (bounds ? kFieldTtl : 0));
  size_t off = static_cast<size_t>(write_varint(p + kFlagsOffset + 1, key.size()) - p);
  if (!key.empty()) std::memcpy(p + off, key.data(), key.size());
  off += key.size();
  if (expire_ms) {
    write_i64(p + off, *expire_ms);
    off += sizeof(int64_t);
  }
  if (bounds) {
    write_i64(p + off, bounds->next_ms);
    write_i64(p + off + sizeof(int64_t), bounds->gone_ms);
    off += kBoundsBytes;
  }
  return off;
}

}  // namespace


uint32_t access(const void* entry) {
  // Readers sharing the shard update it concurrently: relaxed atomics.
  return std::atomic_ref<uint32_t>(*static_cast<uint32_t*>(const_cast<void*>(entry)))
      .load(std::memory_order_relaxed);
}

void set_access(const void* entry, uint32_t value) {
  std::atomic_ref<uint32_t>(*static_cast<uint32_t*>(const_cast<void*>(entry)))
      .store(value, std::memory_order_relaxed);
}

std::optional<int64_t> expire_ms(const void* entry) {
  if (!(flags(entry) & kHasTtl)) return std::nullopt;
  return read_i64(static_cast<const uint8_t*>(entry) + after_key(entry));
}

namespace {
size_t bounds_offset(const void* entry) {
  return after_key(entry) + ((flags(entry) & kHasTtl) ? sizeof(int64_t) : 0);
}
}  // namespace

std::optional<FieldBounds> field_bounds(const void* entry) {
  if (!(flags(entry) & kFieldTtl)) return std::nullopt;
  const uint8_t* p = static_cast<const uint8_t*>(entry) + bounds_offset(entry);
  return FieldBounds{read_i64(p), read_i64(p + sizeof(int64_t))};
}

void set_field_bounds(void* entry, FieldBounds bounds) {
  assert(flags(entry) & kFieldTtl);
  uint8_t* p = static_cast<uint8_t*>(entry) + bounds_offset(entry);
  write_i64(p, bounds.next_ms);
  write_i64(p + sizeof(int64_t), bounds.gone_ms);
}

std::optional<int64_t> death_ms(const void* entry) {
  std::optional<int64_t> t = expire_ms(entry);
  if (auto b = field_bounds(entry); b && b->gone_ms != INT64_MAX) {
    if (!t || b->gone_ms < *t) t = b->gone_ms;
  }
  return t;
}

void* make_listpack(std::string_view key, std::optional<int64_t> expire_ms, const uint8_t* lp,
                    size_t lp_bytes, std::optional<FieldBounds> bounds, FieldArena* arena) {
  uint8_t* p =
      allocate(header_size(key, expire_ms.has_value(), bounds.has_value()) + lp_bytes, arena);
  size_t off = write_header(p, 0, key, expire_ms, bounds);
  std::memcpy(p + off, lp, lp_bytes);
  return p;
}

void* make_table(std::string_view key, std::optional<int64_t> expire_ms, FieldTable* table,
                 std::optional<FieldBounds> bounds, FieldArena* arena) {
  uint8_t* p = allocate(
      header_size(key, expire_ms.has_value(), bounds.has_value()) + sizeof(FieldTable*), arena);
  size_t off = write_header(p, kTable, key, expire_ms, bounds);
  std::memcpy(p + off, &table, sizeof table);
  return p;
}

void destroy(void* entry, FieldArena* arena) {
  if (entry == nullptr) return;
  if (encoding(entry) == HashEncoding::kTable) delete table(entry);
  release(entry, arena);
}

void free_shell(void* entry, FieldArena* arena) { release(entry, arena); }

void destroy_unless_slot(void* entry) {
  if (encoding(entry) == HashEncoding::kTable) delete table(entry);
  if (slot_bytes(entry) == 0) std::free(entry);
}

size_t used_bytes(const void* entry) {
  return payload_offset(entry) +
         (encoding(entry) == HashEncoding::kTable ? sizeof(FieldTable*) : lp::bytes(listpack(entry)));
}

void* into_arena(void* entry, FieldArena* arena) {
  if (slot_bytes(entry) != 0) return entry;
  const size_t n = used_bytes(entry);
  const size_t slot = slot_for(n, arena);
  if (slot == 0) return entry;
  uint8_t* p = allocate(n, slot, arena);
  const uint8_t slot_field = p[kFlagsOffset];
  std::memcpy(p, entry, n);
  p[kFlagsOffset] = static_cast<uint8_t>(slot_field | p[kFlagsOffset]);  // malloc'd: slot field 0
  std::free(entry);
  return p;
}

void* resize_payload(void* entry, size_t new_lp_bytes, FieldArena* arena) {
  const size_t offset = payload_offset(entry);
  const size_t need = offset + new_lp_bytes;
  // The listpack's header still says its size before this resize.
  const bool grows = new_lp_bytes >= lp::bytes(listpack(entry));
  const size_t slot = slot_bytes(entry);
  if (slot == 0) {
    const size_t usable = malloc_usable_size(entry);
    // Growing into room reserved (HashObject::reserve_for) stays too.
    if (need <= usable && (grows || need * 2 > usable)) return entry;  // fits in place
    if (slot_for(need, arena) == 0) {
      void* p = std::realloc(entry, need);
      if (p == nullptr) std::abort();  // no exceptions: out of memory is fatal
      return p;
    }
  } else if (need <= slot && (grows || need + 2 * kSlotUnit >= slot)) {
    return entry;  // fits its slot (shrunk: at most 16 bytes too big)
  }
  // Moves: to a slot of the size it needs, or a malloc'd block.
  const size_t keep = offset + std::min<size_t>(lp::bytes(listpack(entry)), new_lp_bytes);
  uint8_t* p = allocate(need, arena);
  const uint8_t slot_field = p[kFlagsOffset] & ~((1u << kSlotShift) - 1);
  std::memcpy(p, entry, keep);
  p[kFlagsOffset] = static_cast<uint8_t>(slot_field | (p[kFlagsOffset] & ((1u << kSlotShift) - 1)));
  release(entry, arena);
  return p;
}

void* rekey(const void* entry, std::string_view new_key, std::optional<int64_t> expire_ms,
            FieldArena* arena) {
  const std::optional<FieldBounds> bounds = field_bounds(entry);
  void* fresh;
  if (encoding(entry) == HashEncoding::kTable) {
    fresh = make_table(new_key, expire_ms, table(entry), bounds, arena);
  } else {
    const uint8_t* lp = listpack(entry);
    fresh = make_listpack(new_key, expire_ms, lp, lp::bytes(lp), bounds, arena);
  }
  set_access(fresh, access(entry));  // the key's history moves with it
  return fresh;
}

void* with_table(const void* entry, FieldTable* t, FieldArena* arena) {
  void* fresh = make_table(key(entry), expire_ms(entry), t, field_bounds(entry), arena);
  set_access(fresh, access(entry));
  return fresh;
}

void* with_field_ttls(const void* entry, FieldArena* arena) {
  assert(!(flags(entry) & kFieldTtl));
  void* fresh;
  if (encoding(entry) == HashEncoding::kTable) {
    fresh = make_table(key(entry), expire_ms(entry), table(entry), FieldBounds{}, arena);
  } else {
    const uint8_t* lp = listpack(entry);
    fresh = make_listpack(key(entry), expire_ms(entry), lp, lp::bytes(lp), FieldBounds{}, arena);
  }
  set_access(fresh, access(entry));
  return fresh;
}

void* clone(const void* entry, std::string_view new_key, FieldArena* arena) {
  if (encoding(entry) == HashEncoding::kListpack) {
    return rekey(entry, new_key, expire_ms(entry), arena);
  }
  const FieldTable* src = table(entry);
  auto* copy = new FieldTable(random_seed());
  src->for_each([&](const void* e) {
    std::string_view f = field_entry::field(e);
    copy->insert(copy->make(f, field_entry::value(e), field_entry::expiry(e)),
                 copy->hash(f));
  });
  return make_table(new_key, expire_ms(entry), copy, field_bounds(entry), arena);
}

}  // namespace hashstore::internal::key_entry
