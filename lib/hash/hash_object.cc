// The one place that knows both hash encodings (see hash_object.h).
#include "hash/hash_object.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <climits>
#include <memory>

#include "hash/listpack_fields.h"
#include "util/random.h"

namespace hashstore::internal {

const char* encoding_name(HashEncoding encoding) {
  return encoding == HashEncoding::kListpack ? "listpack" : "hashtable";
}

namespace {

// Resize callback for the listpack of `storage`.
struct StorageResizer {
  HashStorage* storage;
  uint8_t* operator()(size_t new_size) const { return storage->resize_listpack(new_size); }
};

}  // namespace

size_t HashObject::length() const {
  switch (storage_.encoding()) {
    case HashEncoding::kListpack:
      return lp::count(storage_.listpack()) / stride();
    case HashEncoding::kTable:
      return storage_.table()->size();
  }
  return 0;
}

bool HashObject::empty() const {
  if (storage_.encoding() == HashEncoding::kTable) return storage_.table()->size() == 0;
  return lp::count(storage_.listpack()) == 0;
}

bool HashObject::lookup(std::string_view field, ValueBuffer* buf, std::string_view* value,
                        std::optional<int64_t>* expire_ms) const {
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      const uint8_t* p = storage_.listpack();
      const size_t step = stride();
      const uint32_t off = lp::find_field(p, field, step);
      if (off == kLpNone) return false;
      const uint32_t value_off = lp::next(p, off);
      if (value != nullptr) *value = lp::get_string(p, value_off, buf->bytes);
      if (expire_ms != nullptr) {
        *expire_ms = step == 3 ? lp_ttl_at(p, lp::next(p, value_off)) : std::nullopt;
      }
      return true;
    }
    case HashEncoding::kTable: {
      FieldTable* t = storage_.table();
      const void* e = t->find(field, t->hash(field));
      if (e == nullptr) return false;
      if (value != nullptr) *value = field_entry::value(e);
      if (expire_ms != nullptr) *expire_ms = field_entry::expiry(e);
      return true;
    }
  }
  return false;
}

namespace {

// HashObject::set on a listpack at p with `step` entries per field: replaces
// the value (an update keeps its place) or appends the field. Sets *added
// and returns the listpack's (possibly moved) start. Takes p and step from
// the caller, so that an HSET asks the storage for them once (each is a
// call through HashStorage).
uint8_t* listpack_put(HashStorage& storage, uint8_t* p, size_t step, std::string_view field,
                      std::string_view value, bool keep_ttl, bool* added) {
  StorageResizer resize{&storage};
  const uint32_t off = lp::find_field(p, field, step);
  if (off != kLpNone) {
    *added = false;
    const uint32_t value_off = lp::next(p, off);
    p = lp::replace(p, value_off, value, resize);
    if (step == 3 && !keep_ttl) {
      const uint32_t ttl_off = lp::next(p, value_off);
      if (lp_ttl_at(p, ttl_off)) p = lp::replace_int(p, ttl_off, kLpNoTtl, resize);
    }
    return p;
  }
  *added = true;
  p = lp::append(p, field, resize);
  p = lp::append(p, value, resize);
  if (step == 3) p = lp::append_int(p, kLpNoTtl, resize);
  return p;
}

}  // namespace

bool HashObject::set(std::string_view field, std::string_view value, bool keep_ttl) {
  note_changed(field);
  bool added;
  if (storage_.encoding() == HashEncoding::kListpack) {
    uint8_t* p = storage_.listpack();
    // As Redis's lpSafeToAdd: the raw lengths against the safety limit.
    if (field.size() > limits_.max_listpack_value || value.size() > limits_.max_listpack_value ||
        !lp::fits(p, field.size() + value.size())) {
      convert_to_table();
    } else {
      const size_t step = stride();
      p = listpack_put(storage_, p, step, field, value, keep_ttl, &added);
      // Checked on updates too: a lowered limit converts on the next write.
      if (lp::count(p) / step > limits_.max_listpack_entries) convert_to_table();
      if (step == 3) update_bounds();  // no field TTLs: no bounds to keep
      return added;
    }
  }
  FieldTable* t = storage_.table();
  uint64_t h = t->hash(field);
  void* old = t->find(field, h);
  std::optional<int64_t> ttl;
  if (old != nullptr && keep_ttl) ttl = field_entry::expiry(old);
  void* fresh = t->make(field, value, ttl);
  if (old == nullptr) {
    t->insert(fresh, h);
    added = true;
  } else {
    t->destroy(t->replace(field, h, fresh));
    added = false;
  }
  update_bounds();
  return added;
}

bool HashObject::erase(std::string_view field) {
  bool removed = false;
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      uint8_t* p = storage_.listpack();
      uint32_t off = lp::find_field(p, field, stride());
      if (off == kLpNone) return false;
      lp::erase(p, off, stride(), StorageResizer{&storage_});
      removed = true;
      break;
    }
    case HashEncoding::kTable: {
      FieldTable* t = storage_.table();
      removed = t->erase(field, t->hash(field));
      break;
    }
  }
  if (removed) {
    note_changed(field);
    update_bounds();
  }
  return removed;
}

void HashObject::for_each(
    absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const {
  switch (storage_.encoding()) {
    case HashEncoding::kListpack:
      for_each_lp_field(storage_.listpack(), stride(),
                        [&](std::string_view f, std::string_view v, std::optional<int64_t>) {
                          fn(f, v);
                        });
      return;
    case HashEncoding::kTable:
      storage_.table()->for_each(
          [&](const void* e) { fn(field_entry::field(e), field_entry::value(e)); });
      return;
  }
}

uint64_t HashObject::scan(
    uint64_t cursor, size_t count,
    absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const {
  switch (storage_.encoding()) {
    case HashEncoding::kListpack:
      for_each(fn);
      return 0;
    case HashEncoding::kTable: {
      // Like Redis: keep stepping until `count` elements were visited or the
      // scan is complete (bounded by 10 * count steps on a sparse table).
      FieldTable* t = storage_.table();
      size_t seen = 0;
      size_t steps = 0;
      do {
        cursor = t->scan(cursor, [&](void* e) {
          ++seen;
          fn(field_entry::field(e), field_entry::value(e));
        });
      } while (cursor != 0 && seen < count && ++steps < count * 10);
      return cursor;
    }
  }
  return 0;
}

void HashObject::random_field(
    uint64_t random_bits,
    absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const {
  assert(length() > 0);
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      const uint8_t* p = storage_.listpack();
      size_t index = random_bits % length();
      uint32_t off = lp::first(p);
      for (size_t i = 0; i < stride() * index; ++i) off = lp::next(p, off);
      ValueBuffer fbuf, vbuf;
      std::string_view f = lp::get_string(p, off, fbuf.bytes);
      std::string_view v = lp::get_string(p, lp::next(p, off), vbuf.bytes);
      fn(f, v);
      return;
    }
    case HashEncoding::kTable: {
      const void* e = storage_.table()->random_element(random_bits);
      fn(field_entry::field(e), field_entry::value(e));
      return;
    }
  }
}

bool HashObject::fill_empty(
    std::span<const std::pair<std::string_view, std::string_view>> pairs, int64_t* added) {
  if (encoding() != HashEncoding::kListpack || has_field_ttls() ||
      pairs.size() > limits_.max_listpack_entries ||
      lp::bytes(storage_.listpack()) != kLpEmptySize) {
    return false;
  }
  // An upper bound of the listpack (exact when the fields are distinct): a
  // repeated field's later value replaces its earlier one, never adding.
  size_t bound = kLpEmptySize;
  for (const auto& [field, value] : pairs) {
    if (field.size() > limits_.max_listpack_value || value.size() > limits_.max_listpack_value) {
      return false;
    }
    bound += lp::entry_bytes(field) + lp::entry_bytes(value);
  }
  constexpr size_t kOnStack = 1024;
  uint8_t stack[kOnStack];
  std::unique_ptr<uint8_t[]> heap;
  uint8_t* lp = stack;
  if (bound > kOnStack) {
    heap.reset(new uint8_t[bound]);
    lp = heap.get();
  }
  auto same_buffer = [lp, bound](size_t n) {
    assert(n <= bound);
    (void)bound;
    (void)n;
    return lp;
  };
  lp::init(lp);
  int64_t n = 0;
  for (const auto& [field, value] : pairs) {
    note_changed(field);
    const uint32_t off = lp::find_field(lp, field, 2);
    if (off != kLpNone) {
      lp::replace(lp, lp::next(lp, off), value, same_buffer);
    } else {
      lp::append(lp, field, same_buffer);
      lp::append(lp, value, same_buffer);
      ++n;
    }
  }
  const size_t size = lp::bytes(lp);
  std::memcpy(storage_.resize_listpack(size), lp, size);
  *added = n;
  return true;
}

void HashObject::convert_to_table() {
  if (storage_.encoding() != HashEncoding::kListpack) return;
  auto table = std::make_unique<FieldTable>(random_seed());
  for_each_lp_field(storage_.listpack(), stride(),
                    [&](std::string_view f, std::string_view v, std::optional<int64_t> ttl) {
                      table->insert(table->make(f, v, ttl), table->hash(f));
                    });
  storage_.adopt_table(std::move(table));
}

// ---- Field TTLs ---------------------------------------------------------------

void HashObject::enable_field_ttls() {
  if (storage_.has_field_ttls()) return;
  storage_.enable_field_ttls();
  if (storage_.encoding() != HashEncoding::kListpack) return;
  // Rewrite the pairs as triplets with no TTL.
  const uint8_t* p = storage_.listpack();
  OwnedListpack triplets;
  for (uint32_t off = lp::first(p); off != lp::end_offset(p);) {
    const LpEntry f = lp::get(p, off);
    off = lp::next(p, off);
    const LpEntry v = lp::get(p, off);
    off = lp::next(p, off);
    for (const LpEntry& e : {f, v}) {
      if (e.is_int) {
        lp::append_int(triplets.data(), e.int_value, triplets.resizer());
      } else {
        triplets.append(e.str);
      }
    }
    lp::append_int(triplets.data(), kLpNoTtl, triplets.resizer());
  }
  uint8_t* dst = storage_.resize_listpack(triplets.size());
  std::copy_n(triplets.data(), triplets.size(), dst);
}


bool HashObject::set_expiry(std::string_view field, std::optional<int64_t> expire_ms) {
  std::optional<int64_t> current;
  if (!find_expiry(field, &current)) return false;
  if (current == expire_ms) return true;
  note_changed(field);
  enable_field_ttls();
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      uint8_t* p = storage_.listpack();
      const LpField f = lp_field_at(p, lp::find_field(p, field, 3), 3);
      lp::replace_int(p, f.ttl, expire_ms.value_or(kLpNoTtl), StorageResizer{&storage_});
      break;
    }
    case HashEncoding::kTable: {
      FieldTable* t = storage_.table();
      const uint64_t h = t->hash(field);
      t->set_expiry(t->find(field, h), h, expire_ms);
      break;
    }
  }
  update_bounds();
  return true;
}

size_t HashObject::expire_fields(int64_t now, size_t max) {
  if (!storage_.has_field_ttls()) return 0;
  size_t removed = 0;
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      uint8_t* p = storage_.listpack();
      for (uint32_t off = lp::first(p); off != lp::end_offset(p) && removed < max;) {
        const LpField f = lp_field_at(p, off, 3);
        const std::optional<int64_t> ttl = lp_ttl_of(p, f);
        if (ttl && *ttl <= now) {
          ValueBuffer buf;
          note_changed(lp::get_string(p, off, buf.bytes));
          p = lp::erase(p, off, 3, StorageResizer{&storage_});  // the next field moves to off
          ++removed;
        } else {
          off = f.next;
        }
      }
      break;
    }
    case HashEncoding::kTable:
      removed = storage_.table()->expire_some(now, max, changed_);
      break;
  }
  if (removed > 0) update_bounds();
  return removed;
}

void HashObject::update_bounds() {
  if (!storage_.has_field_ttls()) return;
  FieldBounds b;
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      const uint8_t* p = storage_.listpack();
      bool all_have_ttl = true;
      int64_t latest = INT64_MIN;
      for (uint32_t off = lp::first(p); off != lp::end_offset(p);) {
        const LpField f = lp_field_at(p, off, 3);
        if (const std::optional<int64_t> ttl = lp_ttl_of(p, f)) {
          b.next_ms = std::min(b.next_ms, *ttl);
          latest = std::max(latest, *ttl);
        } else {
          all_have_ttl = false;
        }
        off = f.next;
      }
      if (all_have_ttl && latest != INT64_MIN) b.gone_ms = latest;
      break;
    }
    case HashEncoding::kTable: {
      const FieldTable* t = storage_.table();
      if (auto earliest = t->earliest_expiry()) b.next_ms = *earliest;
      if (t->size() > 0 && t->ttl_count() == t->size()) b.gone_ms = *t->latest_expiry();
      break;
    }
  }
  if (!(b == storage_.field_bounds())) storage_.set_field_bounds(b);
}

}  // namespace hashstore::internal
