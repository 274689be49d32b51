// Encoding-free hash command semantics (see hash_commands.h).
#include "hash/hash_commands.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "util/glob_match.h"
#include "util/number.h"

namespace hashstore::internal {

absl::StatusOr<int64_t> hash_int_value(const HashObject& hash, std::string_view field) {
  int64_t value = 0;
  ValueBuffer buf;
  std::string_view old;
  if (hash.find(field, &buf, &old) && !parse_int64(old, &value)) {
    return absl::InvalidArgumentError(kErrHashNotInteger);
  }
  return value;
}

namespace {

void store_int(HashObject& hash, std::string_view field, int64_t v) {
  char out[kMaxInt64Chars];
  hash.set(field, std::string_view(out, format_int64(v, out)), /*keep_ttl=*/true);
}

}  // namespace

int64_t hash_set_pairs(HashObject& hash,
                       std::span<const std::pair<std::string_view, std::string_view>> pairs,
                       size_t max_value) {
  for (const auto& [field, value] : pairs) {
    if (field.size() > max_value || value.size() > max_value) {
      hash.convert_to_table();
      break;
    }
  }
  int64_t added = 0;
  if (hash.fill_empty(pairs, &added)) return added;  // a new key: one resize, not one per pair
  for (const auto& [field, value] : pairs) added += hash.set(field, value) ? 1 : 0;
  return added;
}

absl::StatusOr<int64_t> hash_incrby(HashObject& hash, std::string_view field, int64_t increment) {
  auto current = hash_int_value(hash, field);
  if (!current.ok()) return current.status();
  const int64_t cur = *current;
  if ((increment < 0 && cur < 0 && increment < std::numeric_limits<int64_t>::min() - cur) ||
      (increment > 0 && cur > 0 && increment > std::numeric_limits<int64_t>::max() - cur)) {
    return absl::InvalidArgumentError(kErrOverflow);
  }
  store_int(hash, field, cur + increment);
  return cur + increment;
}

absl::StatusOr<std::string> hash_incrbyfloat(HashObject& hash, std::string_view field,
                                             long double increment) {
  long double current = 0;
  ValueBuffer buf;
  std::string_view old;
  if (hash.find(field, &buf, &old) && !parse_long_double(old, &current)) {
    return absl::InvalidArgumentError(kErrHashNotFloat);
  }
  long double result = current + increment;
  if (std::isnan(result) || std::isinf(result)) {
    return absl::InvalidArgumentError(kErrIncrNanInf);
  }
  std::string text = format_long_double(result);
  hash.set(field, text, /*keep_ttl=*/true);
  return text;
}

namespace {

void push_pair(std::vector<std::string>* out, std::string_view f, std::string_view v,
               bool withvalues) {
  out->emplace_back(f);
  if (withvalues) out->emplace_back(v);
}

}  // namespace

std::vector<std::string> hash_randfield(const HashObject& hash, int64_t count, bool withvalues,
                                        absl::BitGen& gen) {
  std::vector<std::string> out;
  const size_t size = hash.length();
  if (count == 0 || size == 0) return out;
  auto emit = [&](std::string_view f, std::string_view v) { push_pair(&out, f, v, withvalues); };
  if (count < 0) {
    // Repetitions allowed: |count| independent uniform picks.
    uint64_t n = count == std::numeric_limits<int64_t>::min() ? uint64_t{1} << 63
                                                              : static_cast<uint64_t>(-count);
    out.reserve(std::min<uint64_t>(n, 1 << 20) * (withvalues ? 2 : 1));
    for (uint64_t i = 0; i < n; ++i) hash.random_field(absl::Uniform<uint64_t>(gen), emit);
    return out;
  }
  if (static_cast<uint64_t>(count) >= size) {
    hash.for_each(emit);  // the whole hash, in its order, as Redis does
    return out;
  }
  // Distinct fields. Selection sampling (Knuth's algorithm S) picks exactly
  // `count` of the `size` fields with equal probability, in hash order.
  size_t needed = static_cast<size_t>(count);
  size_t left = size;
  hash.for_each([&](std::string_view f, std::string_view v) {
    if (needed > 0 && absl::Uniform<size_t>(gen, 0, left) < needed) {
      emit(f, v);
      --needed;
    }
    --left;
  });
  return out;
}

uint64_t hash_scan(const HashObject& hash, uint64_t cursor, size_t count,
                   std::optional<std::string_view> match,
                   bool novalues, std::vector<std::string>* items) {
  // Redis skips matching for "*" (glob_match("*", "") is false).
  const bool all = !match || *match == "*";
  return hash.scan(cursor, count, [&](std::string_view f, std::string_view v) {
    if (!all && !glob_match(*match, f)) return;
    items->emplace_back(f);
    if (!novalues) items->emplace_back(v);
  });
}

absl::StatusOr<std::optional<int64_t>> hash_reserve(HashObject& hash, std::string_view field,
                                                    int64_t amount) {
  auto current = hash_int_value(hash, field);
  if (!current.ok()) return current.status();
  if (*current < amount) return std::optional<int64_t>();
  store_int(hash, field, *current - amount);
  return std::optional<int64_t>(*current - amount);
}

absl::StatusOr<BoundedIncrement> hash_incr_bounded(HashObject& hash, std::string_view field,
                                                   int64_t increment, int64_t lower,
                                                   int64_t upper, bool saturate) {
  auto current = hash_int_value(hash, field);
  if (!current.ok()) return current.status();
  const int64_t cur = *current;
  // The exact result in 128 bits, so int64 overflow is just another bound.
  const Int128 exact = static_cast<Int128>(cur) + increment;
  int64_t result;
  if (exact < lower || exact > upper) {
    if (!saturate) return BoundedIncrement{cur, 0};
    result = exact < lower ? lower : upper;
  } else {
    result = static_cast<int64_t>(exact);
  }
  store_int(hash, field, result);
  return BoundedIncrement{result, static_cast<int64_t>(static_cast<Int128>(result) - cur)};
}

}  // namespace hashstore::internal
