// Key entry layout and its allocation (see key_entry.h).
#include "keyspace/key_entry.h"

#include <malloc.h>

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

uint8_t* allocate(size_t bytes) {
  void* p = std::malloc(bytes);
  if (p == nullptr) std::abort();  // no exceptions: out of memory is fatal
  return static_cast<uint8_t*>(p);
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
  p[kFlagsOffset] =
      static_cast<uint8_t>(flags | (expire_ms ? kHasTtl : 0) | (bounds ? kFieldTtl : 0));
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
                    size_t lp_bytes, std::optional<FieldBounds> bounds) {
  uint8_t* p = allocate(header_size(key, expire_ms.has_value(), bounds.has_value()) + lp_bytes);
  size_t off = write_header(p, 0, key, expire_ms, bounds);
  std::memcpy(p + off, lp, lp_bytes);
  return p;
}

void* make_table(std::string_view key, std::optional<int64_t> expire_ms, FieldTable* table,
                 std::optional<FieldBounds> bounds) {
  uint8_t* p =
      allocate(header_size(key, expire_ms.has_value(), bounds.has_value()) + sizeof(FieldTable*));
  size_t off = write_header(p, kTable, key, expire_ms, bounds);
  std::memcpy(p + off, &table, sizeof table);
  return p;
}

void destroy(void* entry) {
  if (entry == nullptr) return;
  if (encoding(entry) == HashEncoding::kTable) delete table(entry);
  std::free(entry);
}

void free_shell(void* entry) { std::free(entry); }

size_t footprint(const void* entry) { return heap_footprint(entry); }

void* resize_payload(void* entry, size_t new_lp_bytes) {
  const size_t need = payload_offset(entry) + new_lp_bytes;
  const size_t usable = malloc_usable_size(entry);
  if (need <= usable && need * 2 > usable) return entry;  // fits in place
  void* p = std::realloc(entry, need);
  if (p == nullptr) std::abort();  // no exceptions: out of memory is fatal
  return p;
}

void* rekey(const void* entry, std::string_view new_key, std::optional<int64_t> expire_ms) {
  const std::optional<FieldBounds> bounds = field_bounds(entry);
  void* fresh;
  if (encoding(entry) == HashEncoding::kTable) {
    fresh = make_table(new_key, expire_ms, table(entry), bounds);
  } else {
    const uint8_t* lp = listpack(entry);
    fresh = make_listpack(new_key, expire_ms, lp, lp::bytes(lp), bounds);
  }
  set_access(fresh, access(entry));  // the key's history moves with it
  return fresh;
}

void* with_table(const void* entry, FieldTable* t) {
  void* fresh = make_table(key(entry), expire_ms(entry), t, field_bounds(entry));
  set_access(fresh, access(entry));
  return fresh;
}

void* with_field_ttls(const void* entry) {
  assert(!(flags(entry) & kFieldTtl));
  void* fresh;
  if (encoding(entry) == HashEncoding::kTable) {
    fresh = make_table(key(entry), expire_ms(entry), table(entry), FieldBounds{});
  } else {
    const uint8_t* lp = listpack(entry);
    fresh = make_listpack(key(entry), expire_ms(entry), lp, lp::bytes(lp), FieldBounds{});
  }
  set_access(fresh, access(entry));
  return fresh;
}

void* clone(const void* entry, std::string_view new_key) {
  if (encoding(entry) == HashEncoding::kListpack) return rekey(entry, new_key, expire_ms(entry));
  const FieldTable* src = table(entry);
  auto* copy = new FieldTable(random_seed());
  src->for_each([&](const void* e) {
    std::string_view f = field_entry::field(e);
    copy->insert(copy->make(f, field_entry::value(e), field_entry::expiry(e)),
                 copy->hash(f));
  });
  return make_table(new_key, expire_ms(entry), copy, field_bounds(entry));
}

}  // namespace hashstore::internal::key_entry
