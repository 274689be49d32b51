// RDB writer: records shard by shard, header fixed up at the end (see
// rdb_writer.h).
#include "persist/rdb_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "hash/listpack_fields.h"
#include "keyspace/key_entry.h"
#include "keyspace/keyspace.h"
#include "persist/rdb_crc64.h"
#include "persist/io_error.h"
#include "persist/rdb_format.h"
#include "persist/snapshot_writer.h"
#include "util/bytes.h"
#include "util/absl_view.h"

namespace hashstore::internal::rdb {

namespace {

constexpr std::string_view kHashstoreVersion = "0.1.0";
// How many keys ahead the writer prefetches entries.
constexpr size_t kPrefetchAhead = 8;

std::string header(int version) {
  return absl::StrCat(to_absl(kMagicPrefix), version < 10 ? "000" : "00", version);
}
static_assert(kHeaderSize == 9);

void put_aux(std::string* out, std::string_view name, std::string_view value) {
  out->push_back(static_cast<char>(kOpAux));
  put_string(out, name);
  put_string(out, value);
}

// Serializes key entries; remembers whether a field-TTL type was written.
class RecordWriter {
 public:
  explicit RecordWriter(int64_t now) : now_(now) {}
  bool field_ttls() const { return field_ttls_; }

  // Appends e's record to out. REQUIRES: e is not expired at now.
  void add(const void* e, std::string* out) {
    const std::optional<int64_t> expire = key_entry::expire_ms(e);
    const size_t rollback = out->size();
    if (expire) {
      out->push_back(static_cast<char>(kOpExpireTimeMs));
      put_le64(out, static_cast<uint64_t>(*expire));
    }
    const bool written = key_entry::encoding(e) == HashEncoding::kListpack
                             ? listpack(e, out)
                             : table(e, out);
    if (!written) out->resize(rollback);  // no live field after all
  }

 private:
  void type_and_key(uint8_t type, const void* e, std::string* out) {
    out->push_back(static_cast<char>(type));
    put_string(out, key_entry::key(e));
  }

  bool listpack(const void* e, std::string* out) {
    const uint8_t* lp = key_entry::listpack(e);
    if (!key_entry::field_bounds(e)) {
      type_and_key(kTypeHashListpack, e, out);
      put_string(out, std::string_view(reinterpret_cast<const char*>(lp), lp::bytes(lp)));
      return true;
    }
    // Triplets: the live ones with a TTL first, by TTL (stable), then the
    // others in their order; plain pairs when none has a TTL.
    timed_.clear();
    plain_.clear();
    const uint32_t end = lp::end_offset(lp);
    for (uint32_t off = lp::first(lp); off != end;) {
      const LpField f = lp_field_at(lp, off, 3);
      off = f.next;
      const std::optional<int64_t> ttl = lp_ttl_of(lp, f);
      if (!ttl) {
        plain_.push_back(f.field);
      } else if (*ttl > now_) {
        timed_.emplace_back(*ttl, f.field);
      }
    }
    if (timed_.empty() && plain_.empty()) return false;
    std::stable_sort(timed_.begin(), timed_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    OwnedListpack o;
    char buf[kMaxInt64Chars];
    auto copy = [&](uint32_t field, std::optional<int64_t> ttl) {
      o.append(lp::get_string(lp, field, buf));
      o.append(lp::get_string(lp, lp::next(lp, field), buf));
      if (ttl) lp::append_int(o.data(), *ttl, o.resizer());
    };
    if (timed_.empty()) {
      for (uint32_t f : plain_) copy(f, std::nullopt);
      type_and_key(kTypeHashListpack, e, out);
    } else {
      for (const auto& [ttl, f] : timed_) copy(f, ttl);
      for (uint32_t f : plain_) copy(f, kLpNoTtl);
      type_and_key(kTypeHashListpackEx, e, out);
      put_le64(out, static_cast<uint64_t>(timed_.front().first));
      field_ttls_ = true;
    }
    put_string(out, std::string_view(reinterpret_cast<const char*>(o.data()), o.size()));
    return true;
  }

  bool table(const void* e, std::string* out) {
    const FieldTable* t = key_entry::table(e);
    size_t live = t->size();
    std::optional<int64_t> earliest;
    if (t->ttl_count() > 0) {
      t->for_each([&](const void* fe) {
        const std::optional<int64_t> ttl = field_entry::expiry(fe);
        if (!ttl) return;
        if (*ttl <= now_) {
          --live;
        } else if (!earliest || *ttl < *earliest) {
          earliest = ttl;
        }
      });
    }
    if (live == 0) return false;
    type_and_key(earliest ? kTypeHashMetadata : kTypeHash, e, out);
    if (earliest) {
      put_le64(out, static_cast<uint64_t>(*earliest));
      field_ttls_ = true;
    }
    put_len(out, live);
    t->for_each([&](const void* fe) {
      const std::optional<int64_t> ttl = field_entry::expiry(fe);
      if (ttl && *ttl <= now_) return;
      if (earliest) put_len(out, ttl ? static_cast<uint64_t>(*ttl - *earliest + 1) : 0);
      put_string(out, field_entry::field(fe));
      put_string(out, field_entry::value(fe));
    });
    return true;
  }

  const int64_t now_;
  bool field_ttls_ = false;
  std::vector<std::pair<int64_t, uint32_t>> timed_;
  std::vector<uint32_t> plain_;
};

// Everything after the header, through the EOF marker, to sink; *crc gets
// its CRC-64 and *len its size; *field_ttls whether version 12 is needed.
absl::Status write_body(StoreImpl& impl, absl::FunctionRef<absl::Status(std::string_view)> sink,
                        SaveResult* result, uint64_t* crc, uint64_t* len, bool* field_ttls) {
  *crc = 0;
  *len = 0;
  auto emit = [&](std::string_view bytes) {
    *crc = crc64_update(*crc, bytes.data(), bytes.size());
    *len += bytes.size();
    return sink(bytes);
  };
  const int64_t now = impl.clock().now_ms();
  uint64_t keys = 0, volatile_keys = 0;
  for (size_t i = 0; i < impl.shard_count(); ++i) {
    Shard& shard = impl.shard(i);
    StoreImpl::ShardLock lock(impl, shard, LockMode::kShared);
    keys += shard.keyspace.size();
    volatile_keys += shard.keyspace.volatile_size();
  }
  std::string buf;
  put_aux(&buf, "redis-bits", "64");
  put_aux(&buf, "ctime", absl::StrCat(now / 1000));
  put_aux(&buf, "used-mem", absl::StrCat(impl.used_memory()));
  put_aux(&buf, "aof-base", "0");
  put_aux(&buf, "hashstore-ver", kHashstoreVersion);
  buf.push_back(static_cast<char>(kOpSelectDb));
  put_len(&buf, 0);
  buf.push_back(static_cast<char>(kOpResizeDb));
  put_len(&buf, keys);
  put_len(&buf, volatile_keys);
  absl::Status st = emit(buf);
  RecordWriter records(now);
  std::vector<const void*> entries;
  for (size_t i = 0; st.ok() && i < impl.shard_count(); ++i) {
    Shard& shard = impl.shard(i);
    buf.clear();
    {
      StoreImpl::ShardLock lock(impl, shard, LockMode::kShared);
      const auto t0 = std::chrono::steady_clock::now();
      // The slots first (a sequential walk), then the entries in address
      // order (the file's key order is free): table order would visit
      // them at random, a cache and TLB miss each; in address order they
      // mostly come one after the other, as they were allocated. The ones
      // a few keys ahead are prefetched too.
      entries.clear();
      entries.reserve(shard.keyspace.size());
      shard.keyspace.for_each([&](const void* e) { entries.push_back(e); });
      std::sort(entries.begin(), entries.end());
      for (size_t j = 0; j < entries.size(); ++j) {
        if (j + kPrefetchAhead < entries.size()) {
          const char* ahead = static_cast<const char*>(entries[j + kPrefetchAhead]);
          prefetch_line(ahead);
          prefetch_line(ahead + 64);
        }
        const void* e = entries[j];
        if (Keyspace::expired(e, now)) continue;
        const size_t before = buf.size();
        records.add(e, &buf);
        if (buf.size() != before) ++result->keys;
      }
      result->shard_pause_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
              .count());
    }
    st = emit(buf);  // outside the lock; buf keeps its capacity for the next shard
  }
  if (st.ok()) st = emit(std::string_view("\xFF", 1));
  *field_ttls = records.field_ttls();
  return st;
}

// The header for the body just written, and the file's CRC-64 (LE bytes).
std::pair<std::string, std::string> frame(bool field_ttls, uint64_t body_crc, uint64_t body_len,
                                          SaveResult* result) {
  result->version = field_ttls ? kVersionFieldTtls : kVersionPlain;
  std::string head = header(result->version);
  const uint64_t crc = crc64_combine(crc64_update(0, head.data(), head.size()), body_crc, body_len);
  std::string tail;
  put_le64(&tail, crc);
  result->bytes = head.size() + body_len + tail.size();
  return {std::move(head), std::move(tail)};
}

}  // namespace

SaveResult write_rdb(StoreImpl& impl, std::string* out) {
  SaveResult result;
  out->assign(kHeaderSize, '\0');
  uint64_t crc, len;
  bool field_ttls;
  (void)write_body(
      impl,
      [&](std::string_view b) {
        out->append(b);
        return absl::OkStatus();
      },
      &result, &crc, &len, &field_ttls);
  auto [head, tail] = frame(field_ttls, crc, len, &result);
  out->replace(0, kHeaderSize, head);
  out->append(tail);
  return result;
}

absl::StatusOr<SaveResult> save_rdb(StoreImpl& impl, const std::string& path) {
  SaveResult result;
  absl::Status st = snapshot::write_file_atomically(path, [&](int fd) {
    const std::string placeholder(kHeaderSize, '\0');
    if (absl::Status s = snapshot::write_all(fd, placeholder, path); !s.ok()) return s;
    uint64_t crc, len;
    bool field_ttls;
    if (absl::Status s = write_body(
            impl, [&](std::string_view b) { return snapshot::write_all(fd, b, path); }, &result,
            &crc, &len, &field_ttls);
        !s.ok()) {
      return s;
    }
    auto [head, tail] = frame(field_ttls, crc, len, &result);
    if (absl::Status s = snapshot::write_all(fd, tail, path); !s.ok()) return s;
    if (::pwrite(fd, head.data(), head.size(), 0) != static_cast<ssize_t>(head.size())) {
      return errno_status(errno, absl::StrCat("ERR save ", path, ": cannot write"),
                          absl::StatusCode::kInternal);
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

}  // namespace hashstore::internal::rdb
