// Store::get_or_compute (store.h): cache-aside without stampedes, written on
// the Store's public methods (HGETALL, HSET, PEXPIRE) and the Store's
// SingleFlight (single_flight.h).
//
// A call first reads the hash (a hit costs one HGETALL and no flight). On a
// miss it joins the key's flight: the first thread to miss runs the loader
// and stores its result; the threads that miss while it runs wait and get a
// copy of the same result (or error). Inside the flight the hash is read
// again before the loader runs: a flight that ended between this thread's
// miss and its joining may just have stored it.
//
// Not atomic with other writers: HSET and PEXPIRE are two calls, so a reader
// may see the new hash for a moment without its TTL, and a write to the key
// by another caller between the second read and HSET is merged with the
// loader's fields (as any HSET would be). Only callers of get_or_compute are
// deduplicated against each other.
#include <hashstore/store.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "util/single_flight.h"
#include "store/store_impl.h"
#include "util/errors.h"

namespace hashstore {

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Store::get_or_compute(
    std::string_view key, const Loader& loader, std::optional<int64_t> ttl_ms) {
  // As Redis's SET ... PX: a TTL must be positive and must not overflow the
  // expiry time. Checked before the loader runs, so that a bad TTL does not
  // store a hash and then fail at PEXPIRE (leaving it without a TTL).
  if (ttl_ms.has_value() &&
      (*ttl_ms <= 0 || *ttl_ms > INT64_MAX - impl_->clock().now_ms())) {
    return absl::InvalidArgumentError(internal::invalid_expire_time_text("get_or_compute"));
  }
  std::vector<std::pair<std::string, std::string>> hit = hgetall(key);
  if (!hit.empty()) return hit;

  return impl_->flights().run(key, [&]() -> internal::SingleFlight::Result {
    std::vector<std::pair<std::string, std::string>> filled = hgetall(key);
    if (!filled.empty()) return filled;
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> loaded = loader();
    if (!loaded.ok() || loaded->empty()) return loaded;
    std::vector<FieldValue> pairs;
    pairs.reserve(loaded->size());
    for (const auto& [field, value] : *loaded) pairs.emplace_back(field, value);
    absl::StatusOr<int64_t> added = hset(key, std::span<const FieldValue>(pairs));
    if (!added.ok()) return added.status();
    if (ttl_ms.has_value()) {
      // false (key gone) only if another caller deleted it meanwhile: the
      // loaded value is still the answer.
      absl::StatusOr<bool> set = pexpire(key, *ttl_ms);
      if (!set.ok()) return set.status();
    }
    return loaded;
  });
}

}  // namespace hashstore
