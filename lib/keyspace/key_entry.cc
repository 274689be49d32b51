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

// The flags bits that say how the entry is held, not what it holds.
constexpr uint8_t kHoldBits = static_cast<uint8_t>(~(kHasTtl | kTable | kFieldTtl));
static_assert((kHoldBits & (kSlot | kAccess)) == (kSlot | kAccess));

size_t round_to_slot(size_t n) {
  const size_t r = (n + kSlotStep - 1) / kSlotStep * kSlotStep;
  return r < kArenaMinSlot ? kArenaMinSlot : r;
}

// The slot size for a block of n bytes, or 0 when it is malloc'd (too big,
// or no arena).
size_t slot_for(size_t n, Alloc alloc) {
  const size_t slot = round_to_slot(n);
  return alloc.arena != nullptr && slot <= kMaxSlotBytes ? slot : 0;
}

// A new entry of `used` bytes from its address (the access word's 4
// included): its block from alloc's arena or malloc, the access word (if
// alloc.access) 0, and the flags' kSlot and kAccess set (the rest of the
// flags is the caller's to write). Returns the entry's address.
uint8_t* allocate(size_t used, Alloc alloc) {
  const size_t pre = alloc.access ? 0 : kAccessBytes;
  const size_t n = used - pre;
  const size_t slot = slot_for(n, alloc);
  uint8_t* b;
  if (slot != 0) {
    b = static_cast<uint8_t*>(alloc.arena->allocate(slot));
  } else {
    b = static_cast<uint8_t*>(std::malloc(n));
    if (b == nullptr) std::abort();  // no exceptions: out of memory is fatal
  }
  uint8_t* e = b - pre;
  if (alloc.access) {
    const uint32_t zero = 0;
    std::memcpy(e, &zero, sizeof zero);
  }
  e[kFlagsOffset] = static_cast<uint8_t>((slot != 0 ? kSlot : 0) | (alloc.access ? kAccess : 0));
  return e;
}

void release(void* entry, FieldArena* arena) {
  uint8_t* b = block(entry);
  if (flags(entry) & kSlot) {
    assert(arena != nullptr);
    arena->deallocate(b, slot_bytes(entry));  // sized before the free-list link lands
    // The last slot gone (every key left, or moved to its own block): no
    // pointer into the arena remains, so its pages go now.
    if (arena->live_bytes() == 0) arena->release_all();
  } else {
    std::free(b);
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
  p[kFlagsOffset] = static_cast<uint8_t>((p[kFlagsOffset] & kHoldBits) | flags |
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
  if (!(flags(entry) & kAccess)) return 0;
  // Readers sharing the shard update it concurrently: relaxed atomics.
  return std::atomic_ref<uint32_t>(*static_cast<uint32_t*>(const_cast<void*>(entry)))
      .load(std::memory_order_relaxed);
}

void set_access(const void* entry, uint32_t value) {
  if (!(flags(entry) & kAccess)) return;
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
                    size_t lp_bytes, std::optional<FieldBounds> bounds, Alloc alloc) {
  uint8_t* p =
      allocate(header_size(key, expire_ms.has_value(), bounds.has_value()) + lp_bytes, alloc);
  size_t off = write_header(p, 0, key, expire_ms, bounds);
  std::memcpy(p + off, lp, lp_bytes);
  return p;
}

void* make_table(std::string_view key, std::optional<int64_t> expire_ms, FieldTable* table,
                 std::optional<FieldBounds> bounds, Alloc alloc) {
  uint8_t* p = allocate(
      header_size(key, expire_ms.has_value(), bounds.has_value()) + sizeof(FieldTable*), alloc);
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
  if (!(flags(entry) & kSlot)) std::free(block(entry));
}

size_t used_bytes(const void* entry) {
  return payload_offset(entry) +
         (encoding(entry) == HashEncoding::kTable ? sizeof(FieldTable*) : lp::bytes(listpack(entry)));
}

void* into_arena(void* entry, Alloc alloc) {
  const uint8_t f = flags(entry);
  const bool has_access = (f & kAccess) != 0;
  if (has_access == alloc.access) {
    if (f & kSlot) return entry;
    if (slot_for(block_bytes(entry), alloc) == 0) return entry;  // stays malloc'd
  }
  const size_t used = used_bytes(entry);
  uint8_t* fresh = allocate(used, alloc);
  // Everything after the flags, then the flags' contents bits.
  std::memcpy(fresh + kFlagsOffset + 1, static_cast<const uint8_t*>(entry) + kFlagsOffset + 1,
              used - kFlagsOffset - 1);
  fresh[kFlagsOffset] = static_cast<uint8_t>(fresh[kFlagsOffset] | (f & ~kHoldBits));
  set_access(fresh, access(entry));
  release(entry, alloc.arena);
  return fresh;
}

void* copy_slot(const void* entry, FieldArena* to) {
  assert(flags(entry) & kSlot);
  const size_t slot = slot_bytes(entry);
  const uint8_t* b = block(const_cast<void*>(entry));
  auto* copy = static_cast<uint8_t*>(to->allocate(slot));
  std::memcpy(copy, b, slot);
  return copy - (b - static_cast<const uint8_t*>(entry));  // the same layout
}

void* resize_payload(void* entry, size_t new_lp_bytes, Alloc alloc, size_t* new_footprint) {
  const uint8_t f = flags(entry);
  const size_t pre = (f & kAccess) ? 0 : kAccessBytes;
  const size_t offset = payload_offset(entry);
  const size_t old_lp = lp::bytes(listpack(entry));  // the header: still the size before
  const bool grows = new_lp_bytes >= old_lp;
  const size_t need = offset + new_lp_bytes - pre;  // block bytes
  uint8_t* const b = block(entry);
  if (f & kSlot) {
    const size_t slot = slot_bytes(entry);
    const size_t fit = round_to_slot(need);
    // Grown into its slack, or shrunk by little: the slot stays, its slack
    // (at most the old slack when grown, 16 bytes when shrunk) recorded.
    if (fit <= slot && (grows || fit + 4 * kSlotStep >= slot)) {
      assert(slot - fit <= kMaxSlack);
      static_cast<uint8_t*>(entry)[kFlagsOffset] = static_cast<uint8_t>(
          (f & ((1u << kSlackShift) - 1)) | ((slot - fit) / kSlotStep) << kSlackShift);
      *new_footprint = slot;
      return entry;
    }
  } else {
    const size_t usable = malloc_usable_size(b);
    if (need <= usable && need * 2 > usable) {  // fits in place
      *new_footprint = heap_footprint(b);
      return entry;
    }
    if (slot_for(need, alloc) == 0) {
      auto* nb = static_cast<uint8_t*>(std::realloc(b, need));
      if (nb == nullptr) std::abort();  // no exceptions: out of memory is fatal
      *new_footprint = heap_footprint(nb);
      return nb - pre;
    }
  }
  // Moves: to a slot of the size it needs (slack 0), or a malloc'd block,
  // keeping its access word if it has one.
  const Alloc same{alloc.arena, pre == 0};
  uint8_t* fresh = allocate(offset + new_lp_bytes, same);
  const uint8_t hold = fresh[kFlagsOffset];
  std::memcpy(fresh + pre, b, offset + std::min<size_t>(old_lp, new_lp_bytes) - pre);
  fresh[kFlagsOffset] = static_cast<uint8_t>(hold | (f & ~kHoldBits));
  release(entry, alloc.arena);
  *new_footprint = (hold & kSlot) ? round_to_slot(need) : heap_footprint(block(fresh));
  return fresh;
}

void* rekey(const void* entry, std::string_view new_key, std::optional<int64_t> expire_ms,
            Alloc alloc) {
  const std::optional<FieldBounds> bounds = field_bounds(entry);
  void* fresh;
  if (encoding(entry) == HashEncoding::kTable) {
    fresh = make_table(new_key, expire_ms, table(entry), bounds, alloc);
  } else {
    const uint8_t* lp = listpack(entry);
    fresh = make_listpack(new_key, expire_ms, lp, lp::bytes(lp), bounds, alloc);
  }
  set_access(fresh, access(entry));  // the key's history moves with it
  return fresh;
}

void* with_table(const void* entry, FieldTable* t, Alloc alloc) {
  void* fresh = make_table(key(entry), expire_ms(entry), t, field_bounds(entry), alloc);
  set_access(fresh, access(entry));
  return fresh;
}

void* with_field_ttls(const void* entry, Alloc alloc) {
  assert(!(flags(entry) & kFieldTtl));
  void* fresh;
  if (encoding(entry) == HashEncoding::kTable) {
    fresh = make_table(key(entry), expire_ms(entry), table(entry), FieldBounds{}, alloc);
  } else {
    const uint8_t* lp = listpack(entry);
    fresh = make_listpack(key(entry), expire_ms(entry), lp, lp::bytes(lp), FieldBounds{}, alloc);
  }
  set_access(fresh, access(entry));
  return fresh;
}

void* clone(const void* entry, std::string_view new_key, Alloc alloc) {
  if (encoding(entry) == HashEncoding::kListpack) {
    return rekey(entry, new_key, expire_ms(entry), alloc);
  }
  const FieldTable* src = table(entry);
  auto* copy = new FieldTable(random_seed());
  src->for_each([&](const void* e) {
    std::string_view f = field_entry::field(e);
    copy->insert(copy->make(f, field_entry::value(e), field_entry::expiry(e)),
                 copy->hash(f));
  });
  return make_table(new_key, expire_ms(entry), copy, field_bounds(entry), alloc);
}

}  // namespace hashstore::internal::key_entry
