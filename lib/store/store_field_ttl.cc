// Field TTLs: HEXPIRE and friends, HTTL and friends, HPERSIST, HGETDEL,
// HGETEX and HSETEX (Store methods), after Redis 8.0's t_hash.c:
//   - a time is a non-negative integer; seconds are checked before they
//     are multiplied; the absolute time may not pass 2^46 - 1 ms (Redis's
//     HFE_MAX_ABS_TIME_MSEC);
//   - a time that is not in the future deletes the field (code 2), after the
//     NX / XX / GT / LT condition was checked; a field without a TTL counts
//     as never expiring for GT and LT;
//   - HTTL and HEXPIRETIME round up to whole seconds.
// Expired fields are reclaimed before any of these look (hash_access.h), so
// an expired field is simply absent here (-2, nil).
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"
#include "store/hash_access.h"
#include "store/store_impl.h"
#include "util/errors.h"
#include "util/absl_view.h"

namespace hashstore {

namespace internal {

constexpr int64_t kMaxFieldExpireMs = (int64_t{1} << 46) - 1;

absl::StatusOr<int64_t> field_expire_at(int64_t value, int64_t unit_ms, int64_t base,
                                        std::string_view command) {
  if (value < 0) return absl::InvalidArgumentError("ERR invalid expire time, must be >= 0");
  const absl::Status bad = absl::InvalidArgumentError(invalid_expire_time_text(command));
  if (unit_ms == 1000 && value > kMaxFieldExpireMs / 1000) return bad;
  value *= unit_ms;
  if (value > kMaxFieldExpireMs - base) return bad;
  return value + base;
}

namespace {

// Whether an NX / XX / GT / LT condition lets a field with TTL `current`
// get the TTL `when`.
bool condition_met(unsigned flags, std::optional<int64_t> current, int64_t when) {
  if ((flags & kExpireNX) && current) return false;
  if ((flags & kExpireXX) && !current) return false;
  if ((flags & kExpireGT) && (!current || when <= *current)) return false;
  if ((flags & kExpireLT) && current && when >= *current) return false;
  return true;
}

// Sets field's TTL to `when`, or deletes the field when `when` is not in
// the future; returns 1 or 2 as HEXPIRE replies.
int64_t apply_field_expiry(HashObject& hash, std::string_view field, int64_t when, int64_t now) {
  if (when <= now) {
    hash.erase(field);
    return 2;
  }
  hash.set_expiry(field, when);
  return 1;
}

}  // namespace
}  // namespace internal

using internal::HashObject;
using internal::on_hash;
using internal::StoreImpl;
using internal::Use;
using internal::ValueBuffer;

namespace {

absl::StatusOr<std::vector<int64_t>> field_expire(StoreImpl& impl, std::string_view key,
                                                  int64_t value, int64_t unit_ms, bool relative,
                                                  std::span<const std::string_view> fields,
                                                  unsigned flags, const char* command) {
  if (absl::Status st = internal::check_expire_flags(flags); !st.ok()) return st;
  if (fields.empty()) return internal::wrong_arity(command);
  if (absl::Status room = impl.make_room(); !room.ok()) return room;
  const int64_t now = impl.clock().now_ms();
  auto when = internal::field_expire_at(value, unit_ms, relative ? now : 0, command);
  if (!when.ok()) return when.status();
  using Result = absl::StatusOr<std::vector<int64_t>>;
  return on_hash(impl, key, Use::kWrite, Result(std::vector<int64_t>(fields.size(), -2)),
                 [&](HashObject& hash) -> Result {
                   std::vector<int64_t> out;
                   out.reserve(fields.size());
                   for (std::string_view f : fields) {
                     std::optional<int64_t> current;
                     if (!hash.find_expiry(f, &current)) {
                       out.push_back(-2);
                     } else if (!internal::condition_met(flags, current, *when)) {
                       out.push_back(0);
                     } else {
                       out.push_back(internal::apply_field_expiry(hash, f, *when, now));
                     }
                   }
                   return out;
                 });
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> Store::hexpire(std::string_view key, int64_t seconds,
                                                    std::span<const std::string_view> fields,
                                                    unsigned flags) {
  HS_COUNT_CALL(kHexpire);
  return field_expire(*impl_, key, seconds, 1000, true, fields, flags, "hexpire");
}
absl::StatusOr<std::vector<int64_t>> Store::hpexpire(std::string_view key, int64_t ms,
                                                     std::span<const std::string_view> fields,
                                                     unsigned flags) {
  HS_COUNT_CALL(kHpexpire);
  return field_expire(*impl_, key, ms, 1, true, fields, flags, "hpexpire");
}
absl::StatusOr<std::vector<int64_t>> Store::hexpireat(std::string_view key, int64_t unix_seconds,
                                                      std::span<const std::string_view> fields,
                                                      unsigned flags) {
  HS_COUNT_CALL(kHexpireat);
  return field_expire(*impl_, key, unix_seconds, 1000, false, fields, flags, "hexpireat");
}
absl::StatusOr<std::vector<int64_t>> Store::hpexpireat(std::string_view key, int64_t unix_ms,
                                                       std::span<const std::string_view> fields,
                                                       unsigned flags) {
  HS_COUNT_CALL(kHpexpireat);
  return field_expire(*impl_, key, unix_ms, 1, false, fields, flags, "hpexpireat");
}

namespace internal {
namespace {

// The per-field replies HTTL and HPERSIST share: -2 for a missing field, -1
// for one without a TTL, else what on_ttl(field, ttl) returns.
template <class F>
std::vector<int64_t> per_field_ttl(HashObject& hash, std::span<const std::string_view> fields,
                                   F&& on_ttl) {
  std::vector<int64_t> out;
  out.reserve(fields.size());
  for (std::string_view f : fields) {
    std::optional<int64_t> t;
    if (!hash.find_expiry(f, &t)) {
      out.push_back(-2);
    } else if (!t) {
      out.push_back(-1);
    } else {
      out.push_back(on_ttl(f, *t));
    }
  }
  return out;
}

}  // namespace
}  // namespace internal

namespace {

std::vector<int64_t> field_ttl_query(StoreImpl& impl, std::string_view key,
                                     std::span<const std::string_view> fields, bool absolute,
                                     bool ms) {
  const int64_t now = impl.clock().now_ms();
  return on_hash(impl, key, Use::kRead, std::vector<int64_t>(fields.size(), -2),
                 [&](HashObject& hash) {
                   return internal::per_field_ttl(hash, fields, [&](std::string_view, int64_t t) {
                     const int64_t v = absolute ? t : std::max<int64_t>(0, t - now);
                     return ms ? v : (v + 999) / 1000;  // seconds round up
                   });
                 });
}

}  // namespace

std::vector<int64_t> Store::httl(std::string_view key, std::span<const std::string_view> fields) {
  HS_COUNT_CALL(kHttl);
  return field_ttl_query(*impl_, key, fields, false, false);
}
std::vector<int64_t> Store::hpttl(std::string_view key, std::span<const std::string_view> fields) {
  HS_COUNT_CALL(kHpttl);
  return field_ttl_query(*impl_, key, fields, false, true);
}
std::vector<int64_t> Store::hexpiretime(std::string_view key,
                                        std::span<const std::string_view> fields) {
  HS_COUNT_CALL(kHexpiretime);
  return field_ttl_query(*impl_, key, fields, true, false);
}
std::vector<int64_t> Store::hpexpiretime(std::string_view key,
                                         std::span<const std::string_view> fields) {
  HS_COUNT_CALL(kHpexpiretime);
  return field_ttl_query(*impl_, key, fields, true, true);
}

std::vector<int64_t> Store::hpersist(std::string_view key,
                                     std::span<const std::string_view> fields) {
  HS_COUNT_CALL(kHpersist);
  return on_hash(*impl_, key, Use::kWrite, std::vector<int64_t>(fields.size(), -2),
                 [&](HashObject& hash) {
                   return internal::per_field_ttl(hash, fields, [&](std::string_view f, int64_t) {
                     hash.set_expiry(f, std::nullopt);
                     return int64_t{1};
                   });
                 });
}

std::vector<std::optional<std::string>> Store::hgetdel(std::string_view key,
                                                       std::span<const std::string_view> fields) {
  HS_COUNT_CALL(kHgetdel);
  using Values = std::vector<std::optional<std::string>>;
  return on_hash(*impl_, key, Use::kWrite, Values(fields.size()), [&](HashObject& hash) {
    Values out;
    out.reserve(fields.size());
    for (std::string_view f : fields) {
      ValueBuffer buf;
      std::string_view v;
      if (hash.find(f, &buf, &v)) {
        out.emplace_back(std::string(v));
        hash.erase(f);
      } else {
        out.emplace_back();
      }
    }
    return out;
  });
}

namespace internal {
namespace {

// The absolute time of a FieldTtl's EX / PX / EXAT / PXAT, or nullopt for
// the other kinds.
absl::StatusOr<std::optional<int64_t>> field_ttl_time(const FieldTtl& ttl, int64_t now,
                                                      std::string_view command) {
  int64_t unit = 1, base = 0;
  switch (ttl.kind) {
    case FieldTtl::kEX:
      unit = 1000;
      base = now;
      break;
    case FieldTtl::kPX:
      base = now;
      break;
    case FieldTtl::kEXAT:
      unit = 1000;
      break;
    case FieldTtl::kPXAT:
      break;
    default:
      return std::optional<int64_t>();
  }
  auto when = field_expire_at(ttl.value, unit, base, command);
  if (!when.ok()) return when.status();
  return std::optional<int64_t>(*when);
}

}  // namespace
}  // namespace internal

absl::StatusOr<std::vector<std::optional<std::string>>> Store::hgetex(
    std::string_view key, std::span<const std::string_view> fields, FieldTtl ttl) {
  HS_COUNT_CALL(kHgetex);
  using Values = std::vector<std::optional<std::string>>;
  if (ttl.kind == FieldTtl::kKeepTtl) return absl::InvalidArgumentError(internal::kErrSyntax);
  if (fields.empty()) return internal::wrong_arity("hgetex");
  const int64_t now = impl_->clock().now_ms();
  auto when = internal::field_ttl_time(ttl, now, "hgetex");
  if (!when.ok()) return when.status();
  const Use use = ttl.kind == FieldTtl::kNone ? Use::kRead : Use::kWrite;
  return on_hash(*impl_, key, use, absl::StatusOr<Values>(Values(fields.size())),
                 [&](HashObject& hash) -> absl::StatusOr<Values> {
                   Values out;
                   out.reserve(fields.size());
                   for (std::string_view f : fields) {
                     ValueBuffer buf;
                     std::string_view v;
                     if (!hash.find(f, &buf, &v)) {
                       out.emplace_back();
                       continue;
                     }
                     out.emplace_back(std::string(v));
                     if (ttl.kind == FieldTtl::kPersist) {
                       hash.set_expiry(f, std::nullopt);
                     } else if (*when) {
                       internal::apply_field_expiry(hash, f, **when, now);
                     }
                   }
                   return out;
                 });
}

absl::StatusOr<bool> Store::hsetex(std::string_view key, std::span<const FieldValue> pairs,
                                   FieldTtl ttl, FieldCondition condition) {
  HS_COUNT_CALL(kHsetex);
  if (ttl.kind == FieldTtl::kPersist) return absl::InvalidArgumentError(internal::kErrSyntax);
  if (pairs.empty()) return internal::wrong_arity("hsetex");
  if (absl::Status room = impl_->make_room(); !room.ok()) return room;
  const int64_t now = impl_->clock().now_ms();
  auto when = internal::field_ttl_time(ttl, now, "hsetex");
  if (!when.ok()) return when.status();
  // FXX on a missing key fails without creating it.
  const Use use = condition == FieldCondition::kFXX ? Use::kWrite : Use::kCreate;
  return on_hash(*impl_, key, use, absl::StatusOr<bool>(false),
                 [&](HashObject& hash) -> absl::StatusOr<bool> {
                   if (condition != FieldCondition::kAny) {
                     const bool want_present = condition == FieldCondition::kFXX;
                     for (const FieldValue& p : pairs) {
                       std::optional<int64_t> unused;
                       if (hash.find_expiry(p.first, &unused) != want_present) return false;
                     }
                   }
                   // As HSET: one field or value over the limit converts first.
                   const size_t max_value = impl_->limits().max_listpack_value;
                   for (const FieldValue& p : pairs) {
                     if (p.first.size() > max_value || p.second.size() > max_value) {
                       hash.convert_to_table();
                       break;
                     }
                   }
                   const bool keep = ttl.kind == FieldTtl::kKeepTtl;
                   for (const FieldValue& p : pairs) {
                     hash.set(p.first, p.second, keep);
                     if (*when) internal::apply_field_expiry(hash, p.first, **when, now);
                   }
                   return true;
                 });
}

}  // namespace hashstore
