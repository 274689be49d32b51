// hashstore::Store's field commands (HSET, HGET, HINCRBY, ...) and its
// counters and reservations: each runs on one key's hash through on_hash
// (hash_access.h). A file of its own: these are the hot paths, and GCC
// stops inlining once a translation unit has grown by a set share
// (--param inline-unit-growth), which the rest of store.cc used up.
#include <hashstore/store.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "hash/hash_commands.h"
#include "store/hash_access.h"
#include "store/key_writes.h"
#include "store/store_impl.h"
#include "util/errors.h"

namespace hashstore {

namespace {

// Largest |count| HRANDFIELD accepts for repeated picks (Redis 7.0 accepts
// up to LONG_MAX and then runs out of memory building the reply).
constexpr uint64_t kMaxRandfieldRepeats = uint64_t{1} << 24;

// HSET's body, shared with HMSET (a typed method never calls another: each
// counts itself, command_stats.h). REQUIRES: pairs not empty.
absl::StatusOr<int64_t> hset_pairs(internal::StoreImpl& impl, std::string_view key,
                                   std::span<const FieldValue> pairs) {
  if (absl::Status room = impl.make_room(); !room.ok()) return room;
  if (pairs.size() == 1) {
    return internal::run_write(impl, key, internal::HsetOne{pairs[0].first, pairs[0].second});
  }
  return internal::on_hash(impl, key, internal::Use::kCreate, int64_t{0},
                           [&](internal::HashObject& hash) {
                             return internal::hash_set_pairs(hash, pairs,
                                                             impl.limits().max_listpack_value);
                           });
}

}  // namespace

using internal::LockMode;
using internal::HashObject;
using internal::HashView;
using internal::on_hash;
using internal::Shard;
using internal::StoreImpl;
using internal::Use;
using internal::ValueBuffer;

// ---- Field commands ---------------------------------------------------------

absl::StatusOr<int64_t> Store::hset(std::string_view key, std::string_view field,
                                    std::string_view value) {
  HS_COUNT_CALL(kHset);
  if (absl::Status room = impl_->make_room(); !room.ok()) return room;
  return internal::run_write(*impl_, key, internal::HsetOne{field, value});
}

absl::StatusOr<int64_t> Store::hset(std::string_view key, std::initializer_list<FieldValue> pairs) {
  return hset(key, std::span<const FieldValue>(pairs.begin(), pairs.size()));
}

absl::StatusOr<int64_t> Store::hset(std::string_view key, std::span<const FieldValue> pairs) {
  HS_COUNT_CALL(kHset);
  if (pairs.empty()) return internal::wrong_arity("hset");
  return hset_pairs(*impl_, key, pairs);
}

absl::StatusOr<bool> Store::hsetnx(std::string_view key, std::string_view field,
                                   std::string_view value) {
  HS_COUNT_CALL(kHsetnx);
  if (absl::Status room = impl_->make_room(); !room.ok()) return room;
  // A field that exists: nothing to set.
  if (internal::write_fast(*impl_, key, [&](HashView& hash, auto&) HS_FAST_LAMBDA {
        ValueBuffer buf;
        std::string_view old;
        return hash.find(field, &buf, &old);
      })) {
    return false;
  }
  return on_hash(*impl_, key, Use::kCreate, false, [&](HashObject& hash) {
    ValueBuffer buf;
    std::string_view old;
    if (hash.find(field, &buf, &old)) return false;
    hash.set(field, value);
    return true;
  });
}

absl::Status Store::hmset(std::string_view key, std::span<const FieldValue> pairs) {
  HS_COUNT_CALL(kHmset);
  if (pairs.empty()) return internal::wrong_arity("hmset");
  return hset_pairs(*impl_, key, pairs).status();
}

absl::Status Store::hmset(std::string_view key, std::initializer_list<FieldValue> pairs) {
  return hmset(key, std::span<const FieldValue>(pairs.begin(), pairs.size()));
}

std::optional<std::string> Store::hget(std::string_view key, std::string_view field) {
  HS_COUNT_CALL(kHget);
  std::optional<std::string> out;
  if (internal::read_fast(*impl_, key, [&](const HashView& hash) HS_FAST_LAMBDA {
        ValueBuffer buf;
        std::string_view v;
        if (hash.find(field, &buf, &v)) out.emplace(v);
      })) {
    return out;
  }
  return on_hash(*impl_, key, Use::kRead, std::optional<std::string>(),
                 [&](HashObject& hash) -> std::optional<std::string> {
                   ValueBuffer buf;
                   std::string_view v;
                   if (!hash.find(field, &buf, &v)) return std::nullopt;
                   return std::string(v);
                 });
}

bool Store::view_value(std::string_view key, std::string_view field, ValueScratch* scratch,
                       std::string_view* value) {
  HS_COUNT_CALL(kHget);
  ValueBuffer buf;  // an integer entry is rendered here
  std::string_view v;
  bool found = false;
  if (!internal::read_fast(*impl_, key, [&](const HashView& hash) HS_FAST_LAMBDA {
        found = hash.find(field, &buf, &v);
        // Copied out while the shard is held: into the caller's stack, or
        // memory of scratch's own when long. Without locks the view may
        // point into the hash itself, unless the value was rendered into buf.
        if (!found) return;
        if (!impl_->thread_safe() && v.data() != buf.bytes) {
          *value = v;
        } else if (v.size() <= ValueScratch::kInline) {
          internal::copy_bytes(scratch->inline_bytes, v.data(), v.size());
          *value = std::string_view(scratch->inline_bytes, v.size());
        } else {
          *value = scratch->large.assign(v.data(), v.size());
        }
      })) {
    found = on_hash(*impl_, key, Use::kRead, false, [&](HashObject& hash) {
      if (!hash.find(field, &buf, &v)) return false;
      if (v.size() <= ValueScratch::kInline) {
        internal::copy_bytes(scratch->inline_bytes, v.data(), v.size());
        *value = std::string_view(scratch->inline_bytes, v.size());
      } else {
        *value = scratch->large.assign(v.data(), v.size());
      }
      return true;
    });
  }
  return found;
}

std::vector<std::optional<std::string>> Store::hmget(std::string_view key,
                                                     std::span<const std::string_view> fields) {
  HS_COUNT_CALL(kHmget);
  std::vector<std::optional<std::string>> out(fields.size());
  if (internal::read_fast(*impl_, key, [&](const HashView& hash) HS_FAST_LAMBDA {
        ValueBuffer buf;
        std::string_view v;
        for (size_t i = 0; i < fields.size(); ++i) {
          if (hash.find(fields[i], &buf, &v)) out[i].emplace(v);
        }
      })) {
    return out;
  }
  on_hash(*impl_, key, Use::kRead, 0, [&](HashObject& hash) {
    ValueBuffer buf;
    std::string_view v;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (hash.find(fields[i], &buf, &v)) out[i] = std::string(v);
    }
    return 0;
  });
  return out;
}

std::vector<std::optional<std::string>> Store::hmget(
    std::string_view key, std::initializer_list<std::string_view> fields) {
  return hmget(key, std::span<const std::string_view>(fields.begin(), fields.size()));
}

namespace internal {
namespace {

// Every field of key's hash, each turned into an element of the result by
// make(field, value): HGETALL, HKEYS and HVALS.
template <class T, class Make>
std::vector<T> collect(StoreImpl& impl, std::string_view key, Make make) {
  std::vector<T> out;
  if (read_fast(impl, key, [&](const HashView& hash) HS_FAST_LAMBDA {
        out.reserve(hash.length());
        hash.for_each([&](std::string_view f, std::string_view v) { out.push_back(make(f, v)); });
      })) {
    return out;
  }
  on_hash(impl, key, Use::kRead, 0, [&](HashObject& hash) {
    out.reserve(hash.length());
    hash.for_each([&](std::string_view f, std::string_view v) { out.push_back(make(f, v)); });
    return 0;
  });
  return out;
}

}  // namespace
}  // namespace internal

std::vector<std::pair<std::string, std::string>> Store::hgetall(std::string_view key) {
  HS_COUNT_CALL(kHgetall);
  return internal::collect<std::pair<std::string, std::string>>(
      *impl_, key, [](std::string_view f, std::string_view v) {
        return std::pair<std::string, std::string>(f, v);
      });
}

std::vector<std::string> Store::hkeys(std::string_view key) {
  HS_COUNT_CALL(kHkeys);
  return internal::collect<std::string>(
      *impl_, key, [](std::string_view f, std::string_view) { return std::string(f); });
}

std::vector<std::string> Store::hvals(std::string_view key) {
  HS_COUNT_CALL(kHvals);
  return internal::collect<std::string>(
      *impl_, key, [](std::string_view, std::string_view v) { return std::string(v); });
}

int64_t Store::hdel(std::string_view key, std::span<const std::string_view> fields) {
  HS_COUNT_CALL(kHdel);
  return internal::run_write(*impl_, key, internal::Hdel{fields});
}

int64_t Store::hdel(std::string_view key, std::initializer_list<std::string_view> fields) {
  return hdel(key, std::span<const std::string_view>(fields.begin(), fields.size()));
}

int64_t Store::hlen(std::string_view key) {
  HS_COUNT_CALL(kHlen);
  int64_t n = 0;
  if (internal::read_fast(*impl_, key,
                          [&](const HashView& hash) HS_FAST_LAMBDA { n = static_cast<int64_t>(hash.length()); })) {
    return n;
  }
  return on_hash(*impl_, key, Use::kRead, int64_t{0},
                 [](HashObject& hash) { return static_cast<int64_t>(hash.length()); });
}

bool Store::hexists(std::string_view key, std::string_view field) {
  HS_COUNT_CALL(kHexists);
  bool found = false;
  if (internal::read_fast(*impl_, key, [&](const HashView& hash) HS_FAST_LAMBDA {
        ValueBuffer buf;
        std::string_view v;
        found = hash.find(field, &buf, &v);
      })) {
    return found;
  }
  return on_hash(*impl_, key, Use::kRead, false, [&](HashObject& hash) {
    ValueBuffer buf;
    std::string_view v;
    return hash.find(field, &buf, &v);
  });
}

int64_t Store::hstrlen(std::string_view key, std::string_view field) {
  HS_COUNT_CALL(kHstrlen);
  int64_t n = 0;
  if (internal::read_fast(*impl_, key, [&](const HashView& hash) HS_FAST_LAMBDA {
        ValueBuffer buf;
        std::string_view v;
        if (hash.find(field, &buf, &v)) n = static_cast<int64_t>(v.size());
      })) {
    return n;
  }
  return on_hash(*impl_, key, Use::kRead, int64_t{0}, [&](HashObject& hash) {
    ValueBuffer buf;
    std::string_view v;
    return hash.find(field, &buf, &v) ? static_cast<int64_t>(v.size()) : int64_t{0};
  });
}

absl::StatusOr<int64_t> Store::hincrby(std::string_view key, std::string_view field,
                                       int64_t increment) {
  HS_COUNT_CALL(kHincrby);
  if (absl::Status room = impl_->make_room(); !room.ok()) return room;
  return internal::run_write(*impl_, key, internal::Hincrby{field, increment});
}

absl::StatusOr<std::string> Store::hincrbyfloat(std::string_view key, std::string_view field,
                                                long double increment) {
  HS_COUNT_CALL(kHincrbyfloat);
  if (std::isnan(increment) || std::isinf(increment)) {
    return absl::InvalidArgumentError(internal::kErrValueNanInf);
  }
  if (absl::Status room = impl_->make_room(); !room.ok()) return room;
  return on_hash(*impl_, key, Use::kCreate, absl::StatusOr<std::string>(""),
                 [&](HashObject& hash) {
                   return internal::hash_incrbyfloat(hash, field, increment);
                 });
}

ScanPage Store::hscan(std::string_view key, uint64_t cursor, const ScanOptions& options) {
  HS_COUNT_CALL(kHscan);
  ScanPage page;
  on_hash(*impl_, key, Use::kRead, 0, [&](HashObject& hash) {
    page.cursor = internal::hash_scan(hash, cursor, static_cast<size_t>(std::max<int64_t>(1, options.count)),
                                      options.match, options.novalues, &page.items);
    return 0;
  });
  return page;
}

std::optional<std::string> Store::hrandfield(std::string_view key) {
  HS_COUNT_CALL(kHrandfield);
  return on_hash(*impl_, key, Use::kRead, std::optional<std::string>(),
                 [&](HashObject& hash) -> std::optional<std::string> {
                   std::optional<std::string> out;
                   hash.random_field(absl::Uniform<uint64_t>(internal::thread_rng()),
                                     [&](std::string_view f, std::string_view) { out.emplace(f); });
                   return out;
                 });
}

absl::StatusOr<std::vector<std::string>> Store::hrandfield(std::string_view key, int64_t count,
                                                           bool withvalues) {
  HS_COUNT_CALL(kHrandfield);
  // Redis 7.0's range checks, in its order.
  if (count == std::numeric_limits<int64_t>::min()) {
    return absl::InvalidArgumentError(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  const uint64_t magnitude = static_cast<uint64_t>(count < 0 ? -count : count);
  if (withvalues && magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 2)) {
    return absl::InvalidArgumentError(internal::kErrOutOfRange);
  }
  if (count < 0 && magnitude > kMaxRandfieldRepeats) {
    return absl::InvalidArgumentError(internal::kErrOutOfRange);
  }
  return on_hash(*impl_, key, Use::kRead, std::vector<std::string>(),
                 [&](HashObject& hash) {
                   return internal::hash_randfield(hash, count, withvalues, internal::thread_rng());
                 });
}

// ---- Counters, stock and reservations -------------------------------------------

namespace {

absl::Status amount_error() {
  return absl::InvalidArgumentError("ERR amount must be a positive integer");
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> Store::reserve(std::string_view key, std::string_view field,
                                                      int64_t amount) {
  HS_COUNT_CALL(kHreserve);
  if (amount < 1) return amount_error();
  // The field's integer, taken when enough remains; a shortfall changes
  // nothing.
  return internal::run_write(*impl_, key, internal::Reserve{field, amount});
}

absl::StatusOr<std::optional<std::vector<int64_t>>> Store::reserve_all(
    std::span<const ReserveItem> items) {
  HS_COUNT_CALL(kHreserveall);
  using Result = absl::StatusOr<std::optional<std::vector<int64_t>>>;
  std::vector<uint64_t> hashes;
  hashes.reserve(items.size());
  for (const ReserveItem& item : items) {
    if (item.amount < 1) return amount_error();
    hashes.push_back(impl_->hash(item.key));
  }
  StoreImpl::MultiLock lock(*impl_, hashes, LockMode::kExclusive);
  // Check everything first, in order, counting a (key, field) listed twice
  // against both amounts; then apply. Nothing is written unless all fit.
  std::map<std::pair<std::string_view, std::string_view>, internal::Int128> demand;
  for (size_t i = 0; i < items.size(); ++i) {
    const ReserveItem& item = items[i];
    Shard& shard = impl_->shard_for(hashes[i]);
    auto value = internal::on_hash_held(
        *impl_, shard, item.key, hashes[i], Use::kRead, absl::StatusOr<int64_t>(0),
        [&](HashObject& hash) { return internal::hash_int_value(hash, item.field); });
    if (!value.ok()) return value.status();
    internal::Int128& wanted = demand[{item.key, item.field}];
    wanted += item.amount;
    if (*value < wanted) return Result(std::nullopt);
  }
  std::vector<int64_t> remaining;
  remaining.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const ReserveItem& item = items[i];
    Shard& shard = impl_->shard_for(hashes[i]);
    auto left = internal::on_hash_held(
        *impl_, shard, item.key, hashes[i], Use::kWrite,
        absl::StatusOr<std::optional<int64_t>>(std::optional<int64_t>()),
        [&](HashObject& hash) { return internal::hash_reserve(hash, item.field, item.amount); });
    assert(left.ok() && left->has_value());
    remaining.push_back(**left);
  }
  return Result(std::move(remaining));
}

absl::StatusOr<BoundedResult> Store::hincrex(std::string_view key, std::string_view field,
                                             int64_t increment, int64_t lower, int64_t upper,
                                             bool saturate) {
  HS_COUNT_CALL(kHincrex);
  if (lower > upper) {
    return absl::InvalidArgumentError("ERR LBOUND must not be greater than UBOUND");
  }
  if (absl::Status room = impl_->make_room(); !room.ok()) return room;
  using Result = absl::StatusOr<BoundedResult>;
  return on_hash(*impl_, key, Use::kCreate, Result(BoundedResult{0, 0}),
                 [&](HashObject& hash) -> Result {
                   auto r = internal::hash_incr_bounded(hash, field, increment, lower, upper,
                                                        saturate);
                   if (!r.ok()) return r.status();
                   return BoundedResult{r->value, r->applied};
                 });
}

}  // namespace hashstore
