// RDB reader: header, records, hashes, trailer; keys staged and committed
// at the end (see rdb_reader.h).
#include "persist/rdb_reader.h"

#include <algorithm>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "keyspace/key_entry.h"
#include "persist/key_stage.h"
#include "persist/rdb_format.h"
#include "persist/rdb_hash.h"
#include "persist/rdb_input.h"
#include "persist/rdb_skip.h"
#include "persist/rdb_ziplist.h"
#include "persist/snapshot_reader.h"
#include "util/absl_view.h"

namespace hashstore::internal::rdb {

namespace {

constexpr size_t kMaxKeyShown = 200;

// A key for a message: C-escaped, cut after kMaxKeyShown bytes.
std::string shown_key(std::string_view key) {
  std::string shown = absl::CHexEscape(to_absl(key.substr(0, kMaxKeyShown)));
  if (key.size() > kMaxKeyShown) shown += "...";
  return shown;
}

class Reader {
 public:
  Reader(StoreImpl& impl, RdbInput& in, std::string label, const LoadOptions& options)
      : impl_(impl),
        in_(in),
        label_(std::move(label)),
        options_(options),
        builder_(impl.limits(), impl.clock().now_ms()),
        stage_(impl) {
    in_.set_crc_enabled(options.verify_checksum);
  }

  absl::StatusOr<LoadResult> run();

 private:
  absl::Status body();
  absl::Status header();
  absl::Status trailer();
  absl::Status key_value(uint8_t type);
  absl::Status hash(uint8_t type);
  absl::Status plain_hash(bool ttls, bool relative_ttls, void** entry, HashOutcome* outcome);
  absl::Status packed_hash(uint8_t type, void** entry, HashOutcome* outcome);
  // A string's value copied (views die at the next read).
  absl::Status read_copy(std::string* out, std::string_view what) {
    std::string_view v;
    if (absl::Status st = in_.read_string(&v, what); !st.ok()) return st;
    out->assign(v.data(), v.size());
    return absl::OkStatus();
  }
  // What a builder made of the hash just read, for the key's TTL.
  void* finish_built(HashOutcome* outcome) {
    if (expire_ && *expire_ <= builder_.now()) {
      builder_.discard();
      *outcome = HashOutcome::kExpired;
      return nullptr;
    }
    void* e = builder_.finish(key_, expire_);
    *outcome = e != nullptr ? HashOutcome::kStaged : HashOutcome::kExpired;
    return e;
  }
  static absl::Status duplicate_field(uint64_t at, std::string_view f) {
    return RdbInput::error(
        at, absl::StrCat("duplicate field \"", absl::CHexEscape(to_absl(f)), "\""));
  }

  StoreImpl& impl_;
  RdbInput& in_;
  const std::string label_;
  const LoadOptions options_;
  HashBuilder builder_;
  KeyStage stage_;
  LoadResult result_;
  // The record being read.
  uint64_t db_ = 0;
  std::optional<int64_t> expire_;
  bool in_key_ = false;
  uint64_t key_at_ = 0;  // where the record of key_ starts (its type byte)
  std::string key_;
  std::string field_;
};

absl::StatusOr<LoadResult> Reader::run() {
  result_.bytes = in_.size();
  if (absl::Status st = check_store_empty(impl_); !st.ok()) return st;  // before reading
  if (absl::Status st = body(); !st.ok()) {
    std::string where;
    if (in_key_) where = absl::StrCat("key \"", shown_key(key_), "\" (db ", db_, "): ");
    return absl::Status(st.code(), absl::StrCat(label_, where, st.message()));
  }
  KeyStage::Duplicate dup;
  absl::StatusOr<uint64_t> keys = stage_.commit(&dup);
  if (!keys.ok() && keys.status().code() == absl::StatusCode::kDataLoss) {
    return absl::DataLossError(absl::StrCat(label_, "key \"", shown_key(dup.key),
                                            "\" (db 0): the key appears twice in the file at "
                                            "byte ",
                                            dup.at));
  }
  if (!keys.ok()) return keys.status();
  result_.keys = *keys;
  return result_;
}

absl::Status Reader::header() {
  if (in_.size() < kHeaderSize) {
    return RdbInput::error(0, absl::StrCat("truncated: ", in_.size(),
                                           " bytes, less than the 9-byte header"));
  }
  const uint8_t* h;
  if (absl::Status st = in_.take(kHeaderSize, &h); !st.ok()) return st;
  const std::string_view head(reinterpret_cast<const char*>(h), kHeaderSize);
  if (!has_rdb_magic(head)) return RdbInput::error(0, "not an RDB file (no REDIS magic)");
  int version = 0;
  for (size_t i = kMagicPrefix.size(); i < kHeaderSize; ++i) {
    if (head[i] < '0' || head[i] > '9') {
      return RdbInput::error(i, "the version after REDIS is not 4 digits");
    }
    version = version * 10 + (head[i] - '0');
  }
  if (version < kMinVersion || version > kMaxVersion) {
    return absl::UnimplementedError(absl::StrCat(
        "RDB version ", version, " is not supported (hashstore reads versions ", kMinVersion,
        " to ", kMaxVersion, ", written by Redis 5.0 to 8.x) at byte 5"));
  }
  result_.version = version;
  return absl::OkStatus();
}

absl::Status Reader::body() {
  if (absl::Status st = header(); !st.ok()) return st;
  for (;;) {
    const uint64_t at = in_.pos();
    if (in_.left() == 0) return RdbInput::error(at, "truncated: the end-of-file marker is missing");
    uint8_t type;
    if (absl::Status st = in_.read_u8(&type); !st.ok()) return st;
    absl::Status st;
    switch (type) {
      case kOpEof:
        return trailer();
      case kOpExpireTime: {
        int32_t s;
        st = in_.read_le32(&s);
        expire_ = int64_t{s} * 1000;
        break;
      }
      case kOpExpireTimeMs: {
        int64_t ms;
        st = in_.read_le64(&ms);
        expire_ = ms;
        break;
      }
      case kOpFreq: {
        uint8_t ignored;
        st = in_.read_u8(&ignored);
        break;
      }
      case kOpIdle: {
        uint64_t ignored;
        st = in_.read_len(&ignored, "LRU idle time");
        break;
      }
      case kOpSelectDb:
        st = in_.read_len(&db_, "database number");
        break;
      case kOpResizeDb: {
        uint64_t keys, expires;
        st = in_.read_len(&keys, "RESIZEDB key count");
        if (st.ok()) st = in_.read_len(&expires, "RESIZEDB expires count");
        // A hint: never more than the bytes left could hold (3 a key).
        if (st.ok() && db_ == 0) stage_.reserve(static_cast<size_t>(std::min(keys, in_.left() / 3)));
        break;
      }
      case kOpSlotInfo: {
        uint64_t ignored;
        for (int i = 0; i < 3 && st.ok(); ++i) st = in_.read_len(&ignored, "SLOT_INFO");
        break;
      }
      case kOpAux:
        st = in_.skip_string("AUX name");
        if (st.ok()) st = in_.skip_string("AUX value");
        break;
      case kOpModuleAux: {
        uint64_t id, when_opcode, when;
        st = in_.read_len(&id, "module id");
        if (st.ok()) st = in_.read_len(&when_opcode, "module AUX when-opcode");
        if (st.ok() && when_opcode != kModuleOpUint) {
          return RdbInput::error(at, absl::StrCat("module AUX record of '", module_type_name(id),
                                                  "' with a bad when-opcode ", when_opcode));
        }
        if (st.ok()) st = in_.read_len(&when, "module AUX when");
        if (st.ok()) st = skip_module_value(in_);
        break;
      }
      case kOpFunction2:
        st = in_.skip_string("function library");
        break;
      case kOpFunctionPreGa:
        return absl::UnimplementedError(absl::StrCat(
            "a Redis 7.0 release-candidate function record, which Redis refuses too, at byte ",
            at));
      default:
        if (type > kMaxType || type == 8) {
          return RdbInput::error(at, absl::StrFormat("unknown record type 0x%02x", type));
        }
        st = key_value(type);
        break;
    }
    if (!st.ok()) return st;
  }
}

absl::Status Reader::trailer() {
  const uint64_t computed = in_.crc();  // every byte up to the EOF marker
  const uint64_t at = in_.pos();
  if (in_.left() < kChecksumSize) {
    return RdbInput::error(at, absl::StrCat("truncated: the 8-byte CRC-64 is missing (",
                                            in_.left(), " bytes left)"));
  }
  int64_t stored;
  if (absl::Status st = in_.read_le64(&stored); !st.ok()) return st;
  if (options_.verify_checksum && stored != 0 && static_cast<uint64_t>(stored) != computed) {
    return RdbInput::error(at, absl::StrFormat("CRC-64 mismatch: the file says %016x, its bytes "
                                               "give %016x",
                                               static_cast<uint64_t>(stored), computed));
  }
  if (in_.left() != 0) {
    return RdbInput::error(in_.pos(), absl::StrCat(in_.left(), " bytes after the CRC-64"));
  }
  return absl::OkStatus();
}

absl::Status Reader::key_value(uint8_t type) {
  key_at_ = in_.pos() - 1;  // the type byte
  if (absl::Status st = read_copy(&key_, "key"); !st.ok()) return st;
  in_key_ = true;
  const uint64_t at = in_.pos();
  absl::Status st;
  if (db_ == 0 && is_hash_type(type)) {
    st = hash(type);
  } else if (options_.skip_unsupported) {
    st = skip_value(in_, type);
    ++result_.skipped;
  } else {
    const std::string_view family = type_family(type);
    return absl::UnimplementedError(absl::StrCat(
        family == "hash" ? "a hash" : absl::StrCat("a ", to_absl(family)), " (RDB type ", type,
        db_ != 0 ? ") in a database other than 0" : "), which hashstore does not hold",
        "; load with skip_unsupported (hashstore-cli --rdb-skip-unsupported) to skip such keys,",
        " at byte ", at));
  }
  if (!st.ok()) return st;
  in_key_ = false;
  expire_.reset();
  return absl::OkStatus();
}

absl::Status Reader::hash(uint8_t type) {
  void* entry = nullptr;
  HashOutcome outcome = HashOutcome::kEmpty;
  absl::Status st;
  switch (type) {
    case kTypeHash:
      st = plain_hash(false, false, &entry, &outcome);
      break;
    case kTypeHashMetadataPreGa:
      st = plain_hash(true, false, &entry, &outcome);
      break;
    case kTypeHashMetadata:
      st = plain_hash(true, true, &entry, &outcome);
      break;
    default:
      st = packed_hash(type, &entry, &outcome);
      break;
  }
  if (!st.ok()) return st;
  switch (outcome) {
    case HashOutcome::kStaged:
      stage_.add(entry, key_at_);
      break;
    case HashOutcome::kExpired:
      ++result_.expired;
      break;
    case HashOutcome::kEmpty:
      ++result_.empty;
      break;
  }
  return absl::OkStatus();
}

absl::Status Reader::plain_hash(bool ttls, bool relative_ttls, void** entry,
                                HashOutcome* outcome) {
  int64_t min_ttl = 0;
  if (relative_ttls) {
    const uint64_t at = in_.pos();
    if (absl::Status st = in_.read_le64(&min_ttl); !st.ok()) return st;
    if (min_ttl < 0 || static_cast<uint64_t>(min_ttl) > kMaxFieldTtl) {
      return RdbInput::error(at, absl::StrCat("minimum field TTL ", min_ttl, " out of range"));
    }
  }
  const uint64_t at = in_.pos();
  uint64_t n;
  if (absl::Status st = in_.read_len(&n, "hash field count"); !st.ok()) return st;
  const uint64_t min_bytes = ttls ? 3 : 2;
  if (n > in_.left() / min_bytes) {
    return RdbInput::error(at, absl::StrCat("hash field count ", n, " exceeds what the ",
                                            in_.left(), " bytes left can hold"));
  }
  if (n == 0) {
    *outcome = HashOutcome::kEmpty;
    return absl::OkStatus();
  }
  builder_.start(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) {
    int64_t ttl = 0;
    if (ttls) {
      const uint64_t ttl_at = in_.pos();
      uint64_t t;
      absl::Status st = in_.read_len(&t, "field TTL");
      // Type 24 stores TTL - min + 1 (0: none); type 22 the TTL itself.
      if (st.ok() && t != 0 && relative_ttls) {
        t = t > kMaxFieldTtl + 1 ? kMaxFieldTtl + 1 : t + static_cast<uint64_t>(min_ttl) - 1;
      }
      if (st.ok() && t > kMaxFieldTtl) {
        st = RdbInput::error(ttl_at, "field TTL past 2^48 - 1 ms");
      }
      if (!st.ok()) {
        builder_.discard();
        return st;
      }
      ttl = static_cast<int64_t>(t);
    }
    const uint64_t field_at = in_.pos();
    std::string_view value;
    absl::Status st = read_copy(&field_, "hash field");
    if (st.ok()) st = in_.read_string(&value, "hash value");
    if (st.ok() && !builder_.add(field_, value, ttl)) st = duplicate_field(field_at, field_);
    if (!st.ok()) {
      builder_.discard();
      return st;
    }
  }
  *entry = finish_built(outcome);
  return absl::OkStatus();
}

absl::Status Reader::packed_hash(uint8_t type, void** entry, HashOutcome* outcome) {
  if (type == kTypeHashListpackEx) {
    int64_t ignored;  // the minimum field TTL: a hint Redis does not use either
    if (absl::Status st = in_.read_le64(&ignored); !st.ok()) return st;
  }
  const uint64_t at = in_.pos();
  std::string_view blob;
  if (absl::Status st = in_.read_string(&blob, "hash value"); !st.ok()) return st;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(blob.data());
  if (type == kTypeHashListpack || type == kTypeHashListpackEx ||
      type == kTypeHashListpackExPreGa) {
    absl::Status st = listpack_hash_entry(p, blob.size(), type != kTypeHashListpack, key_, expire_,
                                          builder_, entry, outcome);
    if (!st.ok()) return RdbInput::error(at, std::string(st.message()));
    return absl::OkStatus();
  }
  absl::Status st;
  if (type == kTypeHashZipmap) {
    size_t pairs;
    if (st = zipmap_validate(p, blob.size(), &pairs); !st.ok()) {
      return RdbInput::error(at, absl::StrCat("bad zipmap (", st.message(), ")"));
    }
    builder_.start(pairs);
    bool dup = false;
    zipmap_for_each(p, [&](std::string_view f, std::string_view v) {
      if (!dup && !builder_.add(f, v, 0)) {
        dup = true;
        field_.assign(f);
      }
    });
    if (dup) {
      builder_.discard();
      return duplicate_field(at, field_);
    }
  } else {  // kTypeHashZiplist
    size_t count;
    if (st = ziplist_validate(p, blob.size(), &count); !st.ok()) {
      return RdbInput::error(at, absl::StrCat("bad ziplist (", st.message(), ")"));
    }
    if (count % 2 != 0) {
      return RdbInput::error(at, "bad ziplist (its entries are not a whole number of pairs)");
    }
    if (count == 0) {
      *outcome = HashOutcome::kEmpty;
      return absl::OkStatus();
    }
    builder_.start(count / 2);
    bool dup = false, is_field = true;
    std::string num;
    ziplist_for_each(p, [&](const ZiplistItem& item) {
      std::string_view s = item.str;
      if (item.is_int) {
        num = std::to_string(item.int_value);
        s = num;
      }
      if (is_field) {
        field_.assign(s);
      } else if (!dup && !builder_.add(field_, s, 0)) {
        dup = true;
      }
      is_field = !is_field;
    });
    if (dup) {
      builder_.discard();
      return duplicate_field(at, field_);
    }
  }
  *entry = finish_built(outcome);
  return absl::OkStatus();
}

absl::StatusOr<LoadResult> load(StoreImpl& impl, RdbInput& in, std::string label,
                                const LoadOptions& options) {
  return Reader(impl, in, std::move(label), options).run();
}

}  // namespace

std::string_view type_family(uint8_t type) {
  switch (type) {
    case kTypeString:
      return "string";
    case kTypeList:
    case kTypeListZiplist:
    case kTypeListQuicklist:
    case kTypeListQuicklist2:
      return "list";
    case kTypeSet:
    case kTypeSetIntset:
    case kTypeSetListpack:
      return "set";
    case kTypeZset:
    case kTypeZset2:
    case kTypeZsetZiplist:
    case kTypeZsetListpack:
      return "zset";
    case kTypeModulePreGa:
    case kTypeModule2:
      return "module value";
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
    case kTypeStreamListpacks3:
      return "stream";
    default:
      return is_hash_type(type) ? "hash" : "unknown";
  }
}

std::string module_type_name(uint64_t id) {
  static constexpr char kCharset[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  static_assert(sizeof(kCharset) == 64 + 1);
  std::string name(9, ' ');
  id >>= 10;
  for (int j = 8; j >= 0; --j, id >>= 6) name[j] = kCharset[id & 63];
  return name;
}

bool has_rdb_magic(std::string_view head) { return head.substr(0, 5) == kMagicPrefix; }

absl::StatusOr<LoadResult> load_rdb_file(StoreImpl& impl, const std::string& path,
                                         const LoadOptions& options) {
  const std::string label = absl::StrCat("ERR RDB file ", path, ": ");
  int fd;
  uint64_t size;
  if (absl::Status st = snapshot::open_for_load(path, label, &fd, &size); !st.ok()) return st;
  RdbInput in(fd, size);
  return load(impl, in, label, options);
}

absl::StatusOr<LoadResult> load_rdb_bytes(StoreImpl& impl, std::string_view bytes,
                                          std::string_view name, const LoadOptions& options) {
  RdbInput in(bytes);
  return load(impl, in, absl::StrCat("ERR RDB file ", to_absl(name), ": "), options);
}

}  // namespace hashstore::internal::rdb
