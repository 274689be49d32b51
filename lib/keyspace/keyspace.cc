// Keyspace and EntryHash (see keyspace.h).
#include "keyspace/keyspace.h"

#include <cassert>

#include "util/heap.h"

namespace hashstore::internal {

void* Keyspace::create(std::string_view key, uint64_t h) {
  uint8_t empty[kLpEmptySize];
  lp::init(empty);
  void* e = key_entry::make_listpack(key, std::nullopt, empty, sizeof empty);
  table_.insert(e, h);
  return e;
}

void* Keyspace::find_for_write(std::string_view key, uint64_t h, int64_t now) {
  void* e = table_.find(key, h);
  if (e != nullptr && expired(e, now)) {
    erase(key, h);
    return nullptr;
  }
  return e;
}

void Keyspace::index_add(const void* entry) {
  if (auto t = key_entry::expire_ms(entry)) expires_.emplace(*t, std::string(key_entry::key(entry)));
}

void Keyspace::index_remove(const void* entry) {
  if (auto t = key_entry::expire_ms(entry)) {
    expires_.erase(std::make_pair(*t, std::string(key_entry::key(entry))));
  }
}

void Keyspace::insert(void* entry, uint64_t h) {
  table_.insert(entry, h);
  index_add(entry);
}

void* Keyspace::detach(std::string_view key, uint64_t h) {
  void* e = table_.detach(key, h);
  if (e != nullptr) index_remove(e);
  return e;
}

bool Keyspace::erase(std::string_view key, uint64_t h) {
  void* e = detach(key, h);
  if (e == nullptr) return false;
  key_entry::destroy(e);
  return true;
}

void* Keyspace::set_expire(void* entry, uint64_t h, std::optional<int64_t> expire_ms) {
  index_remove(entry);
  const std::string_view key = key_entry::key(entry);
  void* fresh = key_entry::rekey(entry, key, expire_ms);
  void* old = table_.replace(key_entry::key(fresh), h, fresh);
  (void)old;
  assert(old == entry);
  key_entry::free_shell(entry);
  index_add(fresh);
  return fresh;
}

size_t Keyspace::live_size(int64_t now) const {
  size_t expired_keys = 0;
  for (auto it = expires_.begin(); it != expires_.end() && it->first <= now; ++it) ++expired_keys;
  return table_.size() - expired_keys;
}

size_t Keyspace::expire_some(int64_t now, size_t max) {
  size_t n = 0;
  while (n < max && !expires_.empty() && expires_.begin()->first <= now) {
    const std::string key = expires_.begin()->second;
    erase(key, table_.hash(key));
    ++n;
  }
  return n;
}

void EntryHash::swap_entry(void* fresh) {
  void* old = ks_.table_.replace(key_entry::key(fresh), hash_, fresh);
  (void)old;
  assert(old == entry_);
  key_entry::free_shell(entry_);
  entry_ = fresh;
}

uint8_t* EntryHash::resize_listpack(size_t new_size) {
  const size_t old_bytes = key_entry::footprint(entry_);
  void* old = entry_;
  entry_ = key_entry::resize_payload(entry_, new_size);  // `old` may be freed now
  const int64_t delta =
      static_cast<int64_t>(key_entry::footprint(entry_)) - static_cast<int64_t>(old_bytes);
  if (entry_ != old) {
    ks_.table_.replace_pointer(old, hash_, entry_, delta);
  } else {
    ks_.table_.adjust_element_bytes(delta);
  }
  return static_cast<uint8_t*>(entry_) + payload_;
}

void EntryHash::adopt_table(std::unique_ptr<FieldTable> table) {
  swap_entry(key_entry::with_table(entry_, table.release()));
}

size_t entry_memory_usage(const void* entry) {
  size_t bytes = key_entry::footprint(entry) + sizeof(void*);
  if (key_entry::encoding(entry) == HashEncoding::kTable) {
    const FieldTable* t = key_entry::table(entry);
    bytes += heap_footprint(t) + t->table_bytes() + t->element_bytes();
  }
  return bytes;
}

}  // namespace hashstore::internal
