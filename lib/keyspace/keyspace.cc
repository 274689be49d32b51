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

void EntryHash::swap_entry(void* fresh) {
  void* old = ks_.table_.replace(key_entry::key(fresh), hash_, fresh);
  (void)old;
  assert(old == entry_);
  key_entry::free_shell(entry_);
  entry_ = fresh;
}

uint8_t* EntryHash::resize_listpack(size_t new_size) {
  void* fresh = key_entry::resize_payload(entry_, new_size);
  if (fresh != entry_) swap_entry(fresh);
  return key_entry::listpack(entry_);
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
