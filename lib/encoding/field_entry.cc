// Field entry layout and FieldTable (see field_entry.h).
#include "encoding/field_entry.h"

#include <cassert>
#include <cstring>

#include "util/varint.h"

namespace hashstore::internal::field_entry {

size_t size_for(size_t field_len, size_t value_len, bool has_expiry) {
  return 1 + varint_size(field_len) + varint_size(value_len) + field_len + value_len +
         (has_expiry ? sizeof(int64_t) : 0);
}

void write(void* at, std::string_view field, std::string_view value,
           std::optional<int64_t> expire_ms) {
  uint8_t* e = static_cast<uint8_t*>(at);
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

bool overwrite_value(void* e, std::string_view value) {
  const Layout l = layout(e);
  if (l.value_len != value.size()) return false;
  if (!value.empty()) std::memcpy(const_cast<uint8_t*>(l.value), value.data(), value.size());
  return true;
}

void overwrite_expiry(void* e, int64_t expire_ms) {
  assert(static_cast<const uint8_t*>(e)[0] & kHasExpiry);
  const Layout l = layout(e);
  std::memcpy(const_cast<uint8_t*>(l.value) + l.value_len, &expire_ms, sizeof expire_ms);
}

}  // namespace hashstore::internal::field_entry

namespace hashstore::internal {

void* FieldTable::set_expiry(void* e, uint64_t h, std::optional<int64_t> expire_ms) {
  index_remove(e);
  void* fresh = e;
  if (field_entry::expiry(e).has_value() == expire_ms.has_value()) {
    if (expire_ms) field_entry::overwrite_expiry(e, *expire_ms);
  } else {
    // The size changes by 8 bytes, and with it the arena slot: move.
    fresh = make(field_entry::field(e), field_entry::value(e), expire_ms);
    replace_pointer(e, h, fresh, 0);
    destroy(e);
  }
  index_add(fresh);
  return fresh;
}

size_t FieldTable::destroy_some(size_t max, size_t* pos) {
  if (!ttl_.empty()) {
    auto end = ttl_.begin();
    size_t n = 0;
    for (; n < max && end != ttl_.end(); ++n) ++end;
    ttl_.erase(ttl_.begin(), end);
    return n;
  }
  const size_t before = size();
  const size_t n = abandon_some(max, pos);
  if (size() == 0) {
    arena_.release_all();
    abandon_elements();  // the slot arrays
  } else if (n > 0) {
    // n of the `before` entries left: their share of the bytes still held.
    const double share = static_cast<double>(arena_.bytes()) * static_cast<double>(n) /
                         static_cast<double>(before);
    arena_.release_some(static_cast<size_t>(share));
  }
  return n;
}

size_t FieldTable::expire_some(int64_t now, size_t max, std::vector<std::string>* names) {
  size_t n = 0;
  while (n < max && !ttl_.empty() && ttl_.begin()->first <= now) {
    const std::string_view field = field_entry::field(ttl_.begin()->second);
    if (names != nullptr) names->emplace_back(field);
    erase(field, hash(field));
    ++n;
  }
  return n;
}

}  // namespace hashstore::internal
