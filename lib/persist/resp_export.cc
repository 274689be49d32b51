// RESP export of the keyspace (see resp_export.h).
#include "persist/resp_export.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "hash/listpack_fields.h"
#include "keyspace/key_entry.h"
#include "keyspace/keyspace.h"
#include "util/number.h"

namespace hashstore::internal {

namespace {

void append_bulk(std::string* out, std::string_view s) {
  absl::StrAppend(out, "$", s.size(), "\r\n");
  out->append(s);
  out->append("\r\n");
}

// Calls fn(field, value, ttl) for every field of the entry's hash that is
// live at now, in the hash's order. ttl is nullopt for a field without one.
template <class F>
void for_each_live_field(const void* e, int64_t now, F&& fn) {
  if (key_entry::encoding(e) == HashEncoding::kTable) {
    key_entry::table(e)->for_each([&](const void* fe) {
      const std::optional<int64_t> ttl = field_entry::expiry(fe);
      if (ttl && *ttl <= now) return;
      fn(field_entry::field(fe), field_entry::value(fe), ttl);
    });
    return;
  }
  const size_t stride = key_entry::field_bounds(e).has_value() ? 3 : 2;
  for_each_lp_field(key_entry::listpack(e), stride,
                    [&](std::string_view f, std::string_view v, std::optional<int64_t> ttl) {
                      if (!ttl || *ttl > now) fn(f, v, ttl);
                    });
}

void export_key(const void* e, int64_t now, std::string* out) {
  const std::string_view key = key_entry::key(e);
  std::vector<std::pair<std::string, std::string>> pairs;  // one HSET's worth
  std::vector<std::pair<std::string, int64_t>> ttls;
  auto flush = [&] {
    if (pairs.empty()) return;
    absl::StrAppend(out, "*", 2 + 2 * pairs.size(), "\r\n");
    append_bulk(out, "HSET");
    append_bulk(out, key);
    for (const auto& [f, v] : pairs) {
      append_bulk(out, f);
      append_bulk(out, v);
    }
    pairs.clear();
  };
  for_each_live_field(e, now, [&](std::string_view f, std::string_view v,
                                  std::optional<int64_t> ttl) {
    pairs.emplace_back(f, v);
    if (ttl) ttls.emplace_back(f, *ttl);
    if (pairs.size() == kFieldsPerHset) flush();
  });
  flush();
  if (const std::optional<int64_t> t = key_entry::expire_ms(e)) {
    append_resp_command(out, {"PEXPIREAT", key, std::to_string(*t)});
  }
  for (const auto& [f, t] : ttls) {
    append_resp_command(out, {"HPEXPIREAT", key, std::to_string(t), "FIELDS", "1", f});
  }
}

}  // namespace

void append_resp_command(std::string* out, std::initializer_list<std::string_view> args) {
  absl::StrAppend(out, "*", args.size(), "\r\n");
  for (std::string_view a : args) append_bulk(out, a);
}

absl::Status export_resp(StoreImpl& impl, absl::FunctionRef<absl::Status(std::string_view)> sink,
                         uint64_t* keys) {
  std::string buf;
  uint64_t n = 0;
  for (size_t i = 0; i < impl.shard_count(); ++i) {
    Shard& shard = impl.shard(i);
    buf.clear();
    {
      StoreImpl::ShardLock lock(impl, shard, LockMode::kShared);
      Now now(impl.clock());
      shard.keyspace.for_each([&](const void* e) {
        if (Keyspace::expired(e, now)) return;
        export_key(e, now.ms(), &buf);
        ++n;
      });
    }
    if (absl::Status st = sink(buf); !st.ok()) return st;
  }
  if (keys != nullptr) *keys = n;
  return absl::OkStatus();
}

}  // namespace hashstore::internal
