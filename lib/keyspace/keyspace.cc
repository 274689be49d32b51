// Keyspace and EntryHash (see keyspace.h).
#include "keyspace/keyspace.h"

#include <cassert>
#include <cstdint>

#include "util/heap.h"

namespace hashstore::internal {

void* Keyspace::create(std::string_view key, uint64_t h) {
  uint8_t empty[kLpEmptySize];
  lp::init(empty);
  void* e = key_entry::make_listpack(key, std::nullopt, empty, sizeof empty, std::nullopt, alloc());
  table_.insert(e, h);
  return e;
}

void* Keyspace::find_for_write(std::string_view key, uint64_t h, Now& now) {
  if (compaction_due()) [[unlikely]] compact_arena();
  void* e = table_.find(key, h);
  if (e == nullptr) return nullptr;
  if (expired(e, now)) {
    // Freed now, whatever its size (as DEL would): the graveyard is only
    // emptied by expiry cycles, which a program may never run.
    log_expired(key);
    erase(key, h);
    ++expired_keys_;
    return nullptr;
  }
  if (fields_due(e, now)) {
    size_t removed = 0;
    e = expire_fields(e, h, now.ms(), SIZE_MAX, &removed);
  }
  return e;
}

void* Keyspace::expire_fields(void* entry, uint64_t h, int64_t now, size_t max, size_t* removed) {
  // Reclaiming never converts, so the limits are not consulted.
  static const HashLimits kUnused;
  EntryHash storage(*this, entry, h);
  HashObject hash(storage, kUnused);
  std::vector<std::string> fields;
  if (event_log_ != nullptr) hash.set_change_sink(&fields);
  const size_t n = hash.expire_fields(now, max);
  if (!fields.empty()) log_expired(key_entry::key(storage.entry()), std::move(fields));
  storage.settle();
  *removed += n;
  expired_fields_ += n;
  // A key whose every field expired is dead, and reclaimed as such, before
  // its fields are: expire_fields never empties a live key.
  assert(hash.length() > 0);
  return storage.entry();
}

namespace {

// Bytes of a field table: the object, its slot arrays, entries, TTL index.
size_t field_table_usage(const FieldTable* t);

// What one (time, entry) element of an expiry index costs: 16 bytes in a
// btree node of about 15 slots, nodes about 2/3 full, plus the inner nodes.
constexpr size_t kIndexElementBytes = 26;

uintptr_t address(const void* entry) { return reinterpret_cast<uintptr_t>(entry); }

}  // namespace

void Keyspace::index_add(const void* entry) {
  if (auto t = key_entry::death_ms(entry)) {
    expires_.emplace(*t, address(entry));
    index_bytes_ += kIndexElementBytes;
  }
  if (auto b = key_entry::field_bounds(entry); b && b->next_ms != INT64_MAX) {
    field_expires_.emplace(b->next_ms, address(entry));
    index_bytes_ += kIndexElementBytes;
  }
}

void Keyspace::index_remove(const void* entry) {
  if (auto t = key_entry::death_ms(entry)) {
    expires_.erase(IndexElement(*t, address(entry)));
    index_bytes_ -= kIndexElementBytes;
  }
  if (auto b = key_entry::field_bounds(entry); b && b->next_ms != INT64_MAX) {
    field_expires_.erase(IndexElement(b->next_ms, address(entry)));
    index_bytes_ -= kIndexElementBytes;
  }
}

void Keyspace::index_repoint(const void* old, const void* fresh) {
  if (!(key_entry::flags(fresh) & (key_entry::kHasTtl | key_entry::kFieldTtl))) return;
  if (auto t = key_entry::death_ms(fresh)) {
    expires_.erase(IndexElement(*t, address(old)));
    expires_.emplace(*t, address(fresh));
  }
  if (auto b = key_entry::field_bounds(fresh); b && b->next_ms != INT64_MAX) {
    field_expires_.erase(IndexElement(b->next_ms, address(old)));
    field_expires_.emplace(b->next_ms, address(fresh));
  }
}

namespace {
size_t field_table_usage(const FieldTable* t) {
  return heap_footprint(t) + t->table_bytes() + t->element_bytes() + t->index_bytes();
}
}  // namespace

size_t Keyspace::table_usage_slow(const void* entry) {
  return field_table_usage(key_entry::table(entry));
}

void* Keyspace::insert(void* entry, uint64_t h) {
  entry = key_entry::into_arena(entry, alloc());
  table_.insert(entry, h);
  index_add(entry);
  hash_bytes_ += table_usage(entry);
  return entry;
}

void* Keyspace::detach(std::string_view key, uint64_t h) {
  void* e = table_.detach(key, h);
  if (e != nullptr) {
    index_remove(e);
    hash_bytes_ -= table_usage(e);
  }
  return e;
}

bool Keyspace::erase(std::string_view key, uint64_t h) {
  void* e = detach(key, h);
  if (e == nullptr) return false;
  key_entry::destroy(e, &arena_);
  return true;
}

void* Keyspace::set_expire(void* entry, uint64_t h, std::optional<int64_t> expire_ms) {
  index_remove(entry);
  const std::string_view key = key_entry::key(entry);
  void* fresh = key_entry::rekey(entry, key, expire_ms, alloc());
  void* old = table_.replace(key_entry::key(fresh), h, fresh);
  (void)old;
  assert(old == entry);
  key_entry::free_shell(entry, &arena_);
  index_add(fresh);
  return fresh;
}

size_t Keyspace::live_size(int64_t now) const {
  size_t expired_keys = 0;
  for (auto it = expires_.begin(); it != expires_.end() && it->first <= now; ++it) ++expired_keys;
  return table_.size() - expired_keys;
}

void Keyspace::clear() {
  table_.clear();  // frees what the entries own and the malloc'd ones
  arena_.release_all();
  expires_.clear();
  field_expires_.clear();
  for (Grave& g : graveyard_) delete g.table;
  graveyard_.clear();
  hash_bytes_ = index_bytes_ = grave_bytes_ = 0;
}

void Keyspace::bury(std::string_view key, uint64_t h) {
  // Tables up to this many fields are freed at once, like a listpack.
  constexpr size_t kFreeAtOnce = 64;
  void* e = detach(key, h);
  if (key_entry::encoding(e) == HashEncoding::kTable &&
      key_entry::table(e)->size() > kFreeAtOnce) {
    graveyard_.push_back(Grave{key_entry::table(e), 0});
    grave_bytes_ += table_usage(e);
    key_entry::free_shell(e, &arena_);
  } else {
    key_entry::destroy(e, &arena_);
  }
}

size_t Keyspace::buried_fields() const {
  size_t n = 0;
  for (const Grave& g : graveyard_) n += g.table->size();
  return n;
}

size_t Keyspace::expire_some(int64_t now, size_t max) {
  size_t n = 0;
  // Frees the tables of dead keys, oldest debts first.
  auto dig = [&] {
    while (n < max && !graveyard_.empty()) {
      Grave& g = graveyard_.front();
      const size_t before = field_table_usage(g.table);
      n += g.table->destroy_some(max - n, &g.pos);
      grave_bytes_ -= before - field_table_usage(g.table);
      if (!g.table->empty()) return;  // the budget ran out
      grave_bytes_ -= field_table_usage(g.table);
      delete g.table;
      graveyard_.erase(graveyard_.begin());
    }
  };
  dig();
  // Dead keys: a key whose last field expired goes whole.
  while (n < max && !expires_.empty() && expires_.begin()->first <= now) {
    const std::string key(key_entry::key(entry_of(*expires_.begin())));
    log_expired(key);
    bury(key, table_.hash(key));
    ++expired_keys_;
    ++n;
  }
  dig();
  while (n < max && !field_expires_.empty() && field_expires_.begin()->first <= now) {
    void* e = const_cast<void*>(entry_of(*field_expires_.begin()));
    const uint64_t h = table_.hash(key_entry::key(e));
    assert(table_.find(key_entry::key(e), h) == e && !expired(e, now));
    const size_t before = n;
    expire_fields(e, h, now, max - n, &n);
    assert(n > before && "bounds said a field was due");
    if (n == before) break;
  }
  if (compaction_due()) compact_arena();
  return n;
}

void Keyspace::set_access_words(bool on) {
  access_words_ = on;
  if (!on) return;
  int64_t delta = 0;
  table_.move_elements([&](void* e) -> void* {
    if (key_entry::flags(e) & key_entry::kAccess) return e;
    const size_t before = key_entry::footprint(e);
    void* rebuilt = key_entry::into_arena(e, alloc());  // frees e
    delta += static_cast<int64_t>(key_entry::footprint(rebuilt)) - static_cast<int64_t>(before);
    index_repoint(e, rebuilt);
    return rebuilt;
  });
  table_.adjust_element_bytes(delta);
}

void Keyspace::compact_arena() {
  FieldArena fresh(kArenaSmallMaxPage);
  table_.move_elements([&](void* e) -> void* {
    if (!(key_entry::flags(e) & key_entry::kSlot)) return e;  // malloc'd
    void* moved = key_entry::copy_slot(e, &fresh);
    index_repoint(e, moved);
    return moved;
  });
  arena_.swap(fresh);
  fresh.release_all();  // the old pages
}


void EntryHash::swap_entry(void* fresh) {
  void* old = ks_.table_.replace(key_entry::key(fresh), hash_, fresh);
  (void)old;
  assert(old == entry_);
  ks_.index_remove(entry_);
  ks_.index_add(fresh);
  key_entry::free_shell(entry_, &ks_.arena_);
  entry_ = fresh;
}

uint8_t* EntryHash::resize_listpack(size_t new_size) {
  const size_t old_bytes = key_entry::footprint(entry_);
  void* old = entry_;
  size_t new_bytes;
  // `old` may be freed now.
  entry_ = key_entry::resize_payload(entry_, new_size, ks_.alloc(), &new_bytes);
  const int64_t delta = static_cast<int64_t>(new_bytes) - static_cast<int64_t>(old_bytes);
  if (entry_ != old) {
    ks_.table_.replace_pointer(old, hash_, entry_, delta);
    ks_.index_repoint(old, entry_);
  } else {
    ks_.table_.adjust_element_bytes(delta);
  }
  return static_cast<uint8_t*>(entry_) + payload_;
}

void EntryHash::adopt_table(std::unique_ptr<FieldTable> table) {
  swap_entry(key_entry::with_table(entry_, table.release(), ks_.alloc()));
}

void EntryHash::enable_field_ttls() {
  // The bounds start with nothing due: no field index element yet.
  swap_entry(key_entry::with_field_ttls(entry_, ks_.alloc()));
  payload_ = key_entry::payload_offset(entry_);
}

void EntryHash::set_field_bounds(FieldBounds bounds) {
  ks_.index_remove(entry_);
  key_entry::set_field_bounds(entry_, bounds);
  ks_.index_add(entry_);
}

size_t entry_memory_usage(const void* entry) {
  return key_entry::footprint(entry) + sizeof(void*) + Keyspace::table_usage(entry);
}

}  // namespace hashstore::internal
