// HashView: one hash's bytes seen directly — a listpack (pairs, or triplets
// with field TTLs) or a FieldTable — for the calls that must cost no more
// than the work itself: lookups, walks, and the rewrites that change no
// size (a value overwritten by one of the same encoded size, an integer
// incremented in place). It holds two words and has no virtual calls; the
// owner (a key entry, or a HashObject's storage) says where the bytes are.
//
// What it does not do: anything that resizes, converts, or touches field
// TTLs. Those are HashObject's (hash_object.h), which reads through a
// HashView too, so the switch on encoding for reads lives here and the one
// for writes in hash_object.cc.
//
// The rewrites are for hashes without field TTLs only (REQUIRES stride 2,
// and for a table no field with a TTL: an overwrite keeps none) and report
// what they did; a result other than kDone means nothing changed, and the
// caller takes the general path (HashObject).
//
// Views (std::string_view) handed out stay valid until the hash is written.
#ifndef HASHSTORE_HASH_HASH_VIEW_H_
#define HASHSTORE_HASH_HASH_VIEW_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "hash/listpack_fields.h"
#include "util/number.h"

namespace hashstore::internal {

// Scratch space for a listpack integer entry rendered as a string.
struct ValueBuffer {
  char bytes[kMaxInt64Chars];
};

// What an in-place rewrite did.
enum class InPlace : uint8_t {
  kDone,      // written
  kAbsent,    // no such field: nothing written
  kResize,    // the new bytes need another size: nothing written
  kNotInt,    // (increments) the value is not an integer: nothing written
  kOverflow,  // (increments) the result would overflow int64: nothing written
  kBelow,     // (increments) the result would be under the floor: nothing written
};

class HashView {
 public:
  // A listpack of pairs (stride 2) or (field, value, ttl) triplets (3).
  HashView(uint8_t* lp, size_t stride) : lp_(lp), table_(nullptr), stride_(stride) {}
  explicit HashView(FieldTable* table) : lp_(nullptr), table_(table), stride_(0) {}

  bool is_table() const { return table_ != nullptr; }
  // The listpack's bytes. REQUIRES: !is_table().
  const uint8_t* listpack() const { return lp_; }

  size_t length() const { return table_ ? table_->size() : lp::count(lp_) / stride_; }
  // length() <= n, without length()'s division in the usual case (a
  // listpack of fewer entries than n).
  [[gnu::always_inline]] bool length_at_most(size_t n) const {
    if (table_ != nullptr) return table_->size() <= n;
    const size_t entries = lp::count(lp_);
    return entries <= n || entries / stride_ <= n;
  }

  // Looks field up: true and *value (backed by buf or by the hash) when present.
  [[gnu::always_inline]] bool find(std::string_view field, ValueBuffer* buf,
                                   std::string_view* value) const {
    if (table_ == nullptr) {
      const uint32_t off = lp::find_field(lp_, field, stride_);
      if (off == kLpNone) return false;
      *value = lp::get_string(lp_, lp::next(lp_, off), buf->bytes);
      return true;
    }
    const void* e = table_->find(field, table_->hash(field));
    if (e == nullptr) return false;
    *value = field_entry::value(e);
    return true;
  }

  // fn(field, value) for every field, in order (listpack: insertion order).
  template <class F>
  void for_each(F&& fn) const {
    if (table_ != nullptr) {
      table_->for_each([&](const void* e) { fn(field_entry::field(e), field_entry::value(e)); });
      return;
    }
    for_each_lp_field(lp_, stride_, [&](std::string_view f, std::string_view v,
                                        std::optional<int64_t>) { fn(f, v); });
  }

  // Overwrites an existing field's value when its new bytes take the same
  // space. REQUIRES: no field TTLs (see the top of the file).
  // kResize from a listpack sets *value_at (when given) to the value's
  // entry, for a caller that can resize the listpack (replace_resized).
  [[gnu::always_inline]] InPlace overwrite(std::string_view field, std::string_view value,
                                           uint32_t* value_at = nullptr) {
    if (table_ == nullptr) {
      const uint32_t off = lp::find_field(lp_, field, stride_);
      if (off == kLpNone) return InPlace::kAbsent;
      const uint32_t value_off = lp::next(lp_, off);
      if (lp::replace_in_place(lp_, value_off, value)) return InPlace::kDone;
      if (value_at != nullptr) *value_at = value_off;
      return InPlace::kResize;
    }
    void* e = table_->find(field, table_->hash(field));
    if (e == nullptr) return InPlace::kAbsent;
    return field_entry::overwrite_value(e, value) ? InPlace::kDone : InPlace::kResize;
  }

  // Adds delta to an existing field's integer value in place; *result is
  // the new value. With a floor, a result under it writes nothing (kBelow,
  // *result the current value): HRESERVE. REQUIRES: no field TTLs.
  [[gnu::always_inline]] InPlace increment(std::string_view field, int64_t delta,
                                           int64_t* result, int64_t floor = INT64_MIN) {
    if (table_ == nullptr) {
      const uint32_t off = lp::find_field(lp_, field, stride_);
      if (off == kLpNone) return InPlace::kAbsent;
      const uint32_t value_off = lp::next(lp_, off);
      int64_t v;
      if (!lp::get_int(lp_, value_off, &v)) return InPlace::kNotInt;
      if (__builtin_add_overflow(v, delta, result)) return InPlace::kOverflow;
      if (*result < floor) {
        *result = v;
        return InPlace::kBelow;
      }
      return lp::set_int_in_place(lp_, value_off, *result) ? InPlace::kDone : InPlace::kResize;
    }
    void* e = table_->find(field, table_->hash(field));
    if (e == nullptr) return InPlace::kAbsent;
    int64_t v;
    if (!parse_int64(field_entry::value(e), &v)) return InPlace::kNotInt;
    if (__builtin_add_overflow(v, delta, result)) return InPlace::kOverflow;
    if (*result < floor) {
      *result = v;
      return InPlace::kBelow;
    }
    char out[kMaxInt64Chars];
    return field_entry::overwrite_value(e, std::string_view(out, format_int64(*result, out)))
               ? InPlace::kDone
               : InPlace::kResize;
  }

 private:
  uint8_t* lp_;
  FieldTable* table_;
  size_t stride_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_HASH_HASH_VIEW_H_
