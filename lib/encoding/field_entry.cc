// Field entry layout (see field_entry.h).
#include "encoding/field_entry.h"

#include <cstdlib>
#include <cstring>

#include "util/heap.h"
#include "util/varint.h"

namespace hashstore::internal::field_entry {

namespace {

struct Layout {
  const uint8_t* field;
  size_t field_len;
  const uint8_t* value;
  size_t value_len;
};

Layout layout(const void* e) {
  const uint8_t* p = static_cast<const uint8_t*>(e) + 1;
  Layout l;
  p = read_varint(p, &l.field_len);
  p = read_varint(p, &l.value_len);
  l.field = p;
  l.value = p + l.field_len;
  return l;
}

}  // namespace

void* make(std::string_view field, std::string_view value, std::optional<int64_t> expire_ms) {
  const size_t bytes = 1 + varint_size(field.size()) + varint_size(value.size()) + field.size() +
                       value.size() + (expire_ms ? sizeof(int64_t) : 0);
  uint8_t* e = static_cast<uint8_t*>(std::malloc(bytes));
  if (e == nullptr) std::abort();  // no exceptions: out of memory is fatal
  e[0] = expire_ms ? kHasExpiry : 0;
  uint8_t* p = write_varint(e + 1, field.size());
  p = write_varint(p, value.size());
  if (!field.empty()) std::memcpy(p, field.data(), field.size());
  p += field.size();
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  p += value.size();
  if (expire_ms) {
    const int64_t t = *expire_ms;
    std::memcpy(p, &t, sizeof t);
  }
  return e;
}

std::string_view field(const void* e) {
  const Layout l = layout(e);
  return {reinterpret_cast<const char*>(l.field), l.field_len};
}

std::string_view value(const void* e) {
  const Layout l = layout(e);
  return {reinterpret_cast<const char*>(l.value), l.value_len};
}

std::optional<int64_t> expiry(const void* e) {
  if (!(static_cast<const uint8_t*>(e)[0] & kHasExpiry)) return std::nullopt;
  const Layout l = layout(e);
  int64_t t;
  std::memcpy(&t, l.value + l.value_len, sizeof t);
  return t;
}

size_t encoded_size(const void* e) {
  const Layout l = layout(e);
  const size_t end = static_cast<size_t>(l.value + l.value_len - static_cast<const uint8_t*>(e));
  return end + (static_cast<const uint8_t*>(e)[0] & kHasExpiry ? sizeof(int64_t) : 0);
}

void* set_expiry(void* e, std::optional<int64_t> expire_ms) {
  uint8_t* p = static_cast<uint8_t*>(e);
  const bool had = p[0] & kHasExpiry;
  if (!had && !expire_ms) return e;
  const size_t base = encoded_size(e) - (had ? sizeof(int64_t) : 0);
  if (!expire_ms) {
    p[0] = static_cast<uint8_t>(p[0] & ~kHasExpiry);
    void* shrunk = std::realloc(e, base);
    return shrunk != nullptr ? shrunk : e;  // a failed shrink keeps the block
  }
  if (!had) {
    p = static_cast<uint8_t*>(std::realloc(e, base + sizeof(int64_t)));
    if (p == nullptr) std::abort();  // no exceptions: out of memory is fatal
    p[0] = static_cast<uint8_t>(p[0] | kHasExpiry);
  }
  const int64_t t = *expire_ms;
  std::memcpy(p + base, &t, sizeof t);
  return p;
}

void destroy(void* e) { std::free(e); }

size_t footprint(const void* e) { return heap_footprint(e); }

}  // namespace hashstore::internal::field_entry

namespace hashstore::internal {

void* FieldTable::set_expiry(void* e, uint64_t h, std::optional<int64_t> expire_ms) {
  index_remove(e);
  const int64_t before = static_cast<int64_t>(field_entry::footprint(e));
  void* fresh = field_entry::set_expiry(e, expire_ms);  // e may be freed now
  if (fresh != e) {
    replace_pointer(e, h, fresh, static_cast<int64_t>(field_entry::footprint(fresh)) - before);
  } else {
    adjust_element_bytes(static_cast<int64_t>(field_entry::footprint(fresh)) - before);
  }
  index_add(fresh);
  return fresh;
}

size_t FieldTable::destroy_some(size_t max, size_t* pos) {
  if (ttl_.empty()) return Base::destroy_some(max, pos);
  auto end = ttl_.begin();
  size_t n = 0;
  for (; n < max && end != ttl_.end(); ++n) ++end;
  ttl_.erase(ttl_.begin(), end);
  return n;
}

size_t FieldTable::expire_some(int64_t now, size_t max, void (*on_field)(std::string_view)) {
  size_t n = 0;
  while (n < max && !ttl_.empty() && ttl_.begin()->first <= now) {
    const std::string_view field = field_entry::field(ttl_.begin()->second);
    if (on_field != nullptr) on_field(field);
    erase(field, hash(field));
    ++n;
  }
  return n;
}

}  // namespace hashstore::internal
