// The single-key writes that Store's methods and Store::run (typed
// pipelines) both do — HSET of one field, HINCRBY, HDEL, HRESERVE — written
// once. Each command is an operation with two bodies: `in_place`, the fast
// path's write on the key's bytes (false: nothing changed), and `general`,
// the write on its HashObject. Two drivers run an operation:
//   run_write       for a Store method: takes and releases the shard itself;
//   run_write_held  for Store::run, whose shards are held for the pipeline.
// Either tries in_place first (its result a plain Value, so that the fast
// path builds no StatusOr until it returns) and falls back to general
// (hash_access.h says when the fast path declines). The caller checks for room (make_room)
// before, as every write does.
#ifndef HASHSTORE_STORE_KEY_WRITES_H_
#define HASHSTORE_STORE_KEY_WRITES_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "hash/hash_commands.h"
#include "store/hash_access.h"
#include "store/store_impl.h"
#include "util/number.h"

namespace hashstore::internal {

// HSET key field value: 1 when the field is new, else 0.
struct HsetOne {
  using Value = int64_t;
  using Result = absl::StatusOr<int64_t>;
  static constexpr Use kUse = Use::kCreate;
  static constexpr bool kInPlace = true;
  std::string_view field, value;

  Result missing() const { return 0; }
  template <class R>
  [[gnu::always_inline]] bool in_place(StoreImpl& impl, HashView& hash, Value* r,
                                       R&& resize) const {
    *r = 0;
    return put_in_place(impl, hash, field, value, resize);
  }
  // The field's value after in_place wrote (for the log); buf has room for
  // kMaxInt64Chars bytes.
  std::optional<std::string_view> written(const Value&, char*) const { return value; }
  Result general(StoreImpl& impl, HashObject& hash) const {
    const std::pair<std::string_view, std::string_view> pair{field, value};
    return hash_set_pairs(hash, {&pair, 1}, impl.limits().max_listpack_value);
  }
};

// HINCRBY key field by: the new value, or Redis's error.
struct Hincrby {
  using Value = int64_t;
  using Result = absl::StatusOr<int64_t>;
  static constexpr Use kUse = Use::kCreate;
  static constexpr bool kInPlace = true;
  std::string_view field;
  int64_t by;

  Result missing() const { return 0; }
  template <class R>
  [[gnu::always_inline]] bool in_place(StoreImpl& impl, HashView& hash, Value* r, R&&) const {
    return increment_in_place(impl, hash, field, by, r);
  }
  std::optional<std::string_view> written(const Value& r, char* buf) const {
    return std::string_view(buf, format_int64(r, buf));
  }
  Result general(StoreImpl&, HashObject& hash) const { return hash_incrby(hash, field, by); }
};

// HRESERVE key field amount: what remains, or nullopt when short (nothing
// taken). REQUIRES: amount >= 1 (Store::reserve refuses less first).
struct Reserve {
  using Value = std::optional<int64_t>;
  using Result = absl::StatusOr<std::optional<int64_t>>;
  static constexpr Use kUse = Use::kWrite;
  static constexpr bool kInPlace = true;
  std::string_view field;
  int64_t amount;

  Result missing() const { return std::optional<int64_t>(); }
  template <class R>
  [[gnu::always_inline]] bool in_place(StoreImpl& impl, HashView& hash, Value* r, R&&) const {
    return reserve_in_place(impl, hash, field, amount, r);
  }
  std::optional<std::string_view> written(const Value& r, char* buf) const {
    if (!r) return std::nullopt;  // short: nothing taken
    return std::string_view(buf, format_int64(*r, buf));
  }
  Result general(StoreImpl&, HashObject& hash) const {
    return hash_reserve(hash, field, amount);
  }
};

// HDEL key field...: how many were removed. No in-place form.
struct Hdel {
  using Result = int64_t;
  static constexpr Use kUse = Use::kWrite;
  static constexpr bool kInPlace = false;  // no in_place: the drivers go straight to general
  std::span<const std::string_view> fields;

  Result missing() const { return 0; }
  Result general(StoreImpl&, HashObject& hash) const {
    int64_t removed = 0;
    for (std::string_view f : fields) {
      removed += hash.erase(f) ? 1 : 0;
      if (hash.length() == 0) break;  // the key is gone; Redis stops here too
    }
    return removed;
  }
};

// With the log on (the fast paths step aside for any listener), Op's
// in-place write that logs its field instead of recording an event:
// logged(fn, value) is write_fast_logged or, under a held shard,
// write_in_place_logged_held (hash_access.h). Returns whether it wrote, *r
// its result; false: take the general path.
template <class Op, class Logged>
[[gnu::always_inline]] inline bool logged_in_place(StoreImpl& impl, const Op& op,
                                                   typename Op::Value* r, Logged&& logged) {
  if (!impl.has_listeners()) return false;
  char buf[kMaxInt64Chars];
  return logged([&](HashView& hash, auto& resize)
                    HS_FAST_LAMBDA { return op.in_place(impl, hash, r, resize); },
                [&] { return op.written(*r, buf); });
}

// The general paths, out of line: inlined, they would make the fast path's
// function large (more registers saved and restored on every call). Each
// tries the logged in-place write first.
template <class Op>
[[gnu::noinline]] typename Op::Result run_general(StoreImpl& impl, std::string_view key,
                                                  const Op& op) {
  if constexpr (Op::kInPlace) {
    typename Op::Value r;
    if (logged_in_place(impl, op, &r, [&](auto&& fn, auto&& value) {
          return write_fast_logged(impl, key, op.field, fn, value);
        })) {
      return r;
    }
  }
  return on_hash(impl, key, Op::kUse, op.missing(),
                 [&](HashObject& hash) { return op.general(impl, hash); });
}

// The same for Store::run, whose shards are held for the whole pipeline (a
// full log buffer is then written by the background thread: a writer waits
// only outside a hold).
template <class Op>
[[gnu::noinline]] typename Op::Result run_general_held(StoreImpl& impl, Shard& shard,
                                                       std::string_view key, uint64_t h,
                                                       const Op& op) {
  if constexpr (Op::kInPlace) {
    typename Op::Value r;
    if (logged_in_place(impl, op, &r, [&](auto&& fn, auto&& value) {
          return write_in_place_logged_held(impl, shard, key, h, op.field, fn, value);
        })) {
      return r;
    }
  }
  return on_hash_held(impl, shard, key, h, Op::kUse, op.missing(),
                      [&](HashObject& hash) { return op.general(impl, hash); });
}

// Inlined into the Store method that calls it: one frame for the fast path.
template <class Op>
[[gnu::always_inline]] inline typename Op::Result run_write(StoreImpl& impl,
                                                            std::string_view key, const Op& op) {
  if constexpr (Op::kInPlace) {
    typename Op::Value r;
    if (write_fast(impl, key, [&](HashView& hash, auto& resize) HS_FAST_LAMBDA {
          return op.in_place(impl, hash, &r, resize);
        })) {
      return r;
    }
  }
  return run_general(impl, key, op);
}

template <class Op>
typename Op::Result run_write_held(StoreImpl& impl, Shard& shard, std::string_view key,
                                   uint64_t h, const Op& op) {
  if constexpr (Op::kInPlace) {
    typename Op::Value r;
    if (write_fast_held(impl, shard, key, h, [&](HashView& hash, auto& resize) HS_FAST_LAMBDA {
          return op.in_place(impl, hash, &r, resize);
        })) {
      return r;
    }
  }
  return run_general_held(impl, shard, key, h, op);
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_KEY_WRITES_H_
