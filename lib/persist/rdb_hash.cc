// HashBuilder and the listpack path (see rdb_hash.h).
#include "persist/rdb_hash.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <type_traits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "hash/listpack_fields.h"
#include "keyspace/key_entry.h"
#include "persist/listpack_scan.h"
#include "persist/rdb_format.h"
#include "util/absl_view.h"
#include "util/number.h"
#include "util/random.h"

namespace hashstore::internal::rdb {

namespace {

// The field-TTL bounds of a hash whose live fields' TTLs span
// [earliest, latest] (every field having one or not).
FieldBounds bounds_of(int64_t earliest, int64_t latest, bool every_field_has_ttl) {
  FieldBounds b;
  b.next_ms = earliest;
  b.gone_ms = every_field_has_ttl ? latest : INT64_MAX;
  return b;
}

absl::Status corrupt(std::string_view what) { return absl::DataLossError(to_absl(what)); }

// Calls fn(field, value, ttl) for each group of a hash's listpack, in order
// (ttl: the third entry of a triplet, 0 for pairs); stops when fn returns
// false. Returns whether every group was seen. REQUIRES: a valid listpack
// of whole groups.
template <class F>
bool for_each_group(const uint8_t* lp, bool triplets, F&& fn) {
  return for_each_lp_field(lp, triplets ? 3 : 2,
                           [&](std::string_view f, std::string_view v, std::optional<int64_t> t) {
                             return fn(f, v, t.value_or(kLpNoTtl));
                           });
}

// A field name as the listpack holds it. In a canonical listpack (every
// string that reads as an int64 stored as an integer) two fields are equal
// exactly when these are.
// Trivial (no constructor), so an array of them costs nothing to declare.
struct FieldKey {
  bool is_int;
  int64_t v;     // the integer, or the string's length
  const char* s;  // the string's bytes (strings only)
  std::string_view str() const { return {s, static_cast<size_t>(v)}; }
  bool operator==(const FieldKey& o) const {
    return is_int == o.is_int && v == o.v && (is_int || std::memcmp(s, o.s, v) == 0);
  }
  template <typename H>
  friend H AbslHashValue(H h, const FieldKey& k) {
    return k.is_int ? H::combine(std::move(h), true, k.v)
                    : H::combine(std::move(h), false, absl::string_view(k.s, k.v));
  }
};
static_assert(std::is_trivially_default_constructible_v<FieldKey>);

// The first field that appears twice among the listpack's `groups`
// groups of `stride` entries, in its text form, or nullopt. Pairwise for
// a few fields, a hash set for more. REQUIRES: a canonical listpack.
std::optional<std::string> duplicate_field(const uint8_t* lp, size_t stride, size_t groups) {
  constexpr size_t kPairwiseMax = 16;
  FieldKey small[kPairwiseMax];
  absl::flat_hash_set<FieldKey> seen;
  if (groups > kPairwiseMax) seen.reserve(groups);
  const uint32_t end = lp::end_offset(lp);
  size_t n = 0;
  for (uint32_t off = lp::first(lp); off != end; ++n) {
    const LpEntry e = lp::get(lp, off);
    const FieldKey k = e.is_int ? FieldKey{true, e.int_value, nullptr}
                                : FieldKey{false, static_cast<int64_t>(e.str.size()), e.str.data()};
    bool dup = false;
    if (groups <= kPairwiseMax) {
      for (size_t i = 0; i < n && !dup; ++i) dup = small[i] == k;
      small[n] = k;
    } else {
      dup = !seen.insert(k).second;
    }
    if (dup) return k.is_int ? std::to_string(k.v) : std::string(k.str());
    for (size_t i = 0; i < stride; ++i) off = lp::next(lp, off);
  }
  return std::nullopt;
}

}  // namespace

// ---- HashBuilder -----------------------------------------------------------------

void HashBuilder::start(size_t expected) {
  fields_ = expired_ = with_ttl_ = 0;
  earliest_ = INT64_MAX;
  latest_ = INT64_MIN;
  triplets_ = false;
  table_.reset();
  lp_.reset();
  if (expected > limits_.max_listpack_entries) {
    table_ = std::make_unique<FieldTable>(random_seed());
  } else {
    lp_ = std::make_unique<OwnedListpack>();
  }
}

void HashBuilder::to_table() {
  auto table = std::make_unique<FieldTable>(random_seed());
  for_each_group(lp_->data(), triplets_, [&](std::string_view f, std::string_view v, int64_t t) {
    table->insert(table->make(f, v, t != kLpNoTtl ? std::optional<int64_t>(t) : std::nullopt),
                  table->hash(f));
    return true;
  });
  lp_.reset();
  table_ = std::move(table);
}

bool HashBuilder::add(std::string_view field, std::string_view value, int64_t ttl_ms) {
  if (lp_ != nullptr) {
    if (fields_ + 1 > limits_.max_listpack_entries || field.size() > limits_.max_listpack_value ||
        value.size() > limits_.max_listpack_value ||
        !lp::fits(lp_->data(), field.size() + value.size() + 3 * 11)) {
      if (lp::find_field(lp_->data(), field, triplets_ ? 3 : 2) != kLpNone) return false;
      to_table();
    }
  }
  if (lp_ != nullptr) {
    const size_t stride = triplets_ ? 3 : 2;
    if (lp::find_field(lp_->data(), field, stride) != kLpNone) return false;
    if (ttl_ms != 0 && !triplets_) {
      // The first field with a TTL: every pair gets a TTL entry (0: none).
      auto t = std::make_unique<OwnedListpack>();
      for_each_group(lp_->data(), false, [&](std::string_view f, std::string_view v, int64_t) {
        t->append(f);
        t->append(v);
        lp::append_int(t->data(), kLpNoTtl, t->resizer());
        return true;
      });
      lp_ = std::move(t);
      triplets_ = true;
    }
    lp_->append(field);
    lp_->append(value);
    if (triplets_) lp::append_int(lp_->data(), ttl_ms, lp_->resizer());
  } else {
    const uint64_t h = table_->hash(field);
    if (table_->find(field, h) != nullptr) return false;
    table_->insert(table_->make(field, value, ttl_ms != 0 ? std::optional<int64_t>(ttl_ms)
                                                          : std::nullopt),
                   h);
  }
  ++fields_;
  if (ttl_ms != 0 && ttl_ms <= now_) {
    ++expired_;
  } else if (ttl_ms != 0) {
    ++with_ttl_;
    earliest_ = std::min(earliest_, ttl_ms);
    latest_ = std::max(latest_, ttl_ms);
  }
  return true;
}

void* HashBuilder::finish(std::string_view key, std::optional<int64_t> expire_ms) {
  void* entry = nullptr;
  if (table_ != nullptr) {
    table_->expire_some(now_, SIZE_MAX);
    if (table_->size() > 0) {
      std::optional<FieldBounds> bounds;
      if (table_->ttl_count() > 0) {
        bounds = bounds_of(*table_->earliest_expiry(), *table_->latest_expiry(),
                           table_->ttl_count() == table_->size());
      }
      entry = key_entry::make_table(key, expire_ms, table_.release(), bounds);
    }
  } else if (lp_ != nullptr && fields_ > expired_) {
    if (expired_ > 0) {
      // Rebuild without the fields whose time passed.
      auto live = std::make_unique<OwnedListpack>();
      // expired_ > 0: the listpack holds triplets.
      for_each_group(lp_->data(), true, [&](std::string_view f, std::string_view v, int64_t t) {
        if (t == kLpNoTtl || t > now_) {
          live->append(f);
          live->append(v);
          lp::append_int(live->data(), t, live->resizer());
        }
        return true;
      });
      lp_ = std::move(live);
    }
    std::optional<FieldBounds> bounds;
    if (triplets_) bounds = bounds_of(earliest_, latest_, with_ttl_ == fields_ - expired_);
    entry = key_entry::make_listpack(key, expire_ms, lp_->data(), lp_->size(), bounds);
  }
  table_.reset();
  lp_.reset();
  fields_ = 0;
  return entry;
}

void HashBuilder::discard() {
  table_.reset();
  lp_.reset();
  fields_ = 0;
}

// ---- A whole listpack ----------------------------------------------------------

absl::Status listpack_hash_entry(const uint8_t* lp, size_t size, bool ttls, std::string_view key,
                                 std::optional<int64_t> expire_ms, HashBuilder& builder,
                                 void** entry, HashOutcome* outcome) {
  *entry = nullptr;
  if (absl::Status st = lp::validate(lp, size, /*deep=*/true); !st.ok()) {
    return corrupt(absl::StrCat("bad listpack (", st.message(), ")"));
  }
  const HashLimits limits = builder.limits();
  const int64_t now = builder.now();
  const size_t stride = ttls ? 3 : 2;
  const LpScan scan = scan_hash_listpack(lp, stride, now, limits, /*ttls_ordered=*/true);
  switch (scan.problem) {
    case LpScanProblem::kNone:
      break;
    case LpScanProblem::kPartialGroup:
      return corrupt(absl::StrCat("bad listpack (its entries are not a whole number of ",
                                  ttls ? "triplets" : "pairs", ")"));
    case LpScanProblem::kBadTtl:
      return corrupt("bad listpack (a field TTL is not an integer in [0, 2^48 - 1])");
    case LpScanProblem::kTtlOrder:
      // Redis keeps the fields with a TTL first, in ascending order.
      return corrupt("bad listpack (field TTLs out of order)");
  }
  const size_t groups = scan.groups, live = scan.live;
  const bool canonical = scan.canonical;
  bool fits = scan.fits;
  if (groups == 0) {
    *outcome = HashOutcome::kEmpty;
    return absl::OkStatus();
  }
  if (groups > limits.max_listpack_entries) fits = false;
  if (fits && canonical) {
    if (const std::optional<std::string> dup = duplicate_field(lp, stride, groups)) {
      return corrupt(absl::StrCat("duplicate field \"", absl::CHexEscape(*dup), "\""));
    }
  }
  // Otherwise the builder below finds duplicates as it rebuilds the hash.
  if ((expire_ms && *expire_ms <= now) || live == 0) {
    *outcome = HashOutcome::kExpired;
    return absl::OkStatus();
  }
  *outcome = HashOutcome::kStaged;
  if (fits && canonical && live == groups) {
    std::optional<FieldBounds> bounds;
    if (ttls) bounds = bounds_of(scan.earliest, scan.latest, scan.with_ttl == live);
    *entry = key_entry::make_listpack(key, expire_ms, lp, size, bounds);
    return absl::OkStatus();
  }
  builder.start(groups);
  std::string dup;
  if (!for_each_group(lp, ttls, [&](std::string_view f, std::string_view v, int64_t ttl) {
        if (builder.add(f, v, ttl)) return true;
        dup = absl::CHexEscape(to_absl(f));
        return false;
      })) {
    builder.discard();
    return corrupt(absl::StrCat("duplicate field \"", dup, "\""));
  }
  *entry = builder.finish(key, expire_ms);
  if (*entry == nullptr) *outcome = HashOutcome::kExpired;
  return absl::OkStatus();
}

}  // namespace hashstore::internal::rdb
