// The one place that knows both hash encodings (see hash_object.h).
#include "hash/hash_object.h"

#include <cassert>
#include <memory>

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
      return lp::count(storage_.listpack()) / 2;
    case HashEncoding::kTable:
      return storage_.table()->size();
  }
  return 0;
}

bool HashObject::find(std::string_view field, ValueBuffer* buf, std::string_view* value) const {
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      const uint8_t* p = storage_.listpack();
      uint32_t off = lp::find_field(p, field);
      if (off == kLpNone) return false;
      *value = lp::get_string(p, lp::next(p, off), buf->bytes);
      return true;
    }
    case HashEncoding::kTable: {
      FieldTable* t = storage_.table();
      const void* e = t->find(field, t->hash(field));
      if (e == nullptr) return false;
      *value = field_entry::value(e);
      return true;
    }
  }
  return false;
}

bool HashObject::listpack_set(std::string_view field, std::string_view value) {
  uint8_t* p = storage_.listpack();
  StorageResizer resize{&storage_};
  uint32_t off = lp::find_field(p, field);
  if (off != kLpNone) {
    lp::replace(p, lp::next(p, off), value, resize);
    return false;
  }
  p = lp::append(p, field, resize);
  lp::append(p, value, resize);
  return true;
}

bool HashObject::set(std::string_view field, std::string_view value) {
  if (storage_.encoding() == HashEncoding::kListpack) {
    const uint8_t* p = storage_.listpack();
    // As Redis's lpSafeToAdd: the raw lengths against the safety limit.
    if (field.size() > limits_.max_listpack_value || value.size() > limits_.max_listpack_value ||
        !lp::fits(p, field.size() + value.size())) {
      convert_to_table();
    } else {
      bool added = listpack_set(field, value);
      if (length() > limits_.max_listpack_entries) convert_to_table();
      return added;
    }
  }
  FieldTable* t = storage_.table();
  uint64_t h = t->hash(field);
  void* old = t->find(field, h);
  void* fresh = field_entry::make(field, value, std::nullopt);
  if (old == nullptr) {
    t->insert(fresh, h);
    return true;
  }
  field_entry::destroy(t->replace(field, h, fresh));
  return false;
}

bool HashObject::erase(std::string_view field) {
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      uint8_t* p = storage_.listpack();
      uint32_t off = lp::find_field(p, field);
      if (off == kLpNone) return false;
      lp::erase(p, off, 2, StorageResizer{&storage_});
      return true;
    }
    case HashEncoding::kTable: {
      FieldTable* t = storage_.table();
      return t->erase(field, t->hash(field));
    }
  }
  return false;
}

void HashObject::for_each(
    absl::FunctionRef<void(std::string_view field, std::string_view value)> fn) const {
  switch (storage_.encoding()) {
    case HashEncoding::kListpack: {
      const uint8_t* p = storage_.listpack();
      ValueBuffer fbuf, vbuf;
      for (uint32_t off = lp::first(p); off != lp::end_offset(p);) {
        std::string_view f = lp::get_string(p, off, fbuf.bytes);
        off = lp::next(p, off);
        std::string_view v = lp::get_string(p, off, vbuf.bytes);
        off = lp::next(p, off);
        fn(f, v);
      }
      return;
    }
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
      for (size_t i = 0; i < 2 * index; ++i) off = lp::next(p, off);
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

void HashObject::convert_to_table() {
  if (storage_.encoding() != HashEncoding::kListpack) return;
  auto table = std::make_unique<FieldTable>(random_seed());
  for_each([&](std::string_view f, std::string_view v) {
    table->insert(field_entry::make(f, v, std::nullopt), table->hash(f));
  });
  storage_.adopt_table(std::move(table));
}

}  // namespace hashstore::internal
