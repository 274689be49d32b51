// Skipping values of other types (see rdb_skip.h).
//
// Streams (types 15, 19, 21), from redis/redis src/rdb.c:
//   listpacks:len (node_key:string listpack:string){listpacks}
//   length:len last_id(ms:len seq:len)
//   [19, 21: first_id(ms:len seq:len) max_deleted(ms:len seq:len) entries_added:len]
//   groups:len, per group:
//     name:string last_id(ms:len seq:len) [19, 21: entries_read:len]
//     pel:len (id[16] delivery_ms:i64 delivery_count:len){pel}
//     consumers:len, per consumer:
//       name:string seen_ms:i64 [21: active_ms:i64] pel:len (id[16]){pel}
#include "persist/rdb_skip.h"

#include "absl/strings/str_cat.h"
#include "persist/rdb_format.h"
#include "util/absl_view.h"

namespace hashstore::internal::rdb {

namespace {

constexpr size_t kStreamIdBytes = 16;

// A count of elements that take at least min_bytes each.
absl::Status read_count(RdbInput& in, uint64_t* n, uint64_t min_bytes, std::string_view what) {
  const uint64_t at = in.pos();
  if (absl::Status st = in.read_len(n, what); !st.ok()) return st;
  if (*n > in.left() / min_bytes) {
    return RdbInput::error(at, absl::StrCat(to_absl(what), " ", *n, " exceeds what the ",
                                            in.left(), " bytes left can hold"));
  }
  return absl::OkStatus();
}

absl::Status skip_lens(RdbInput& in, int n, std::string_view what) {
  uint64_t ignored;
  for (int i = 0; i < n; ++i) {
    if (absl::Status st = in.read_len(&ignored, what); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// A sorted-set score in the text form of type 3: a length byte (253, 254,
// 255: NaN, +inf, -inf) then that many bytes.
absl::Status skip_text_double(RdbInput& in) {
  uint8_t len;
  if (absl::Status st = in.read_u8(&len); !st.ok()) return st;
  if (len >= 253) return absl::OkStatus();
  return in.skip(len, "score");
}

absl::Status skip_stream(RdbInput& in, uint8_t type) {
  uint64_t n;
  if (absl::Status st = read_count(in, &n, 2, "stream listpack count"); !st.ok()) return st;
  for (uint64_t i = 0; i < n; ++i) {
    if (absl::Status st = in.skip_string("stream node key"); !st.ok()) return st;
    if (absl::Status st = in.skip_string("stream listpack"); !st.ok()) return st;
  }
  const bool v2 = type >= kTypeStreamListpacks2;
  if (absl::Status st = skip_lens(in, v2 ? 8 : 3, "stream metadata"); !st.ok()) return st;
  uint64_t groups;
  if (absl::Status st = read_count(in, &groups, 5, "stream group count"); !st.ok()) return st;
  for (uint64_t g = 0; g < groups; ++g) {
    if (absl::Status st = in.skip_string("stream group name"); !st.ok()) return st;
    if (absl::Status st = skip_lens(in, v2 ? 3 : 2, "stream group id"); !st.ok()) return st;
    uint64_t pel;
    if (absl::Status st = read_count(in, &pel, kStreamIdBytes + 9, "stream PEL size"); !st.ok()) {
      return st;
    }
    for (uint64_t i = 0; i < pel; ++i) {
      if (absl::Status st = in.skip(kStreamIdBytes + 8, "stream PEL entry"); !st.ok()) return st;
      if (absl::Status st = skip_lens(in, 1, "stream delivery count"); !st.ok()) return st;
    }
    uint64_t consumers;
    if (absl::Status st = read_count(in, &consumers, 10, "stream consumer count"); !st.ok()) {
      return st;
    }
    for (uint64_t c = 0; c < consumers; ++c) {
      if (absl::Status st = in.skip_string("stream consumer name"); !st.ok()) return st;
      const uint64_t times = type >= kTypeStreamListpacks3 ? 16 : 8;
      if (absl::Status st = in.skip(times, "stream consumer times"); !st.ok()) return st;
      uint64_t owned;
      if (absl::Status st = read_count(in, &owned, kStreamIdBytes, "stream consumer PEL size");
          !st.ok()) {
        return st;
      }
      if (absl::Status st = in.skip(owned * kStreamIdBytes, "stream consumer PEL"); !st.ok()) {
        return st;
      }
    }
  }
  return absl::OkStatus();
}

// n elements of `per` strings each (plus, for sorted sets, a score).
absl::Status skip_strings(RdbInput& in, int per, int score, std::string_view what) {
  uint64_t n;
  if (absl::Status st = read_count(in, &n, per + (score == 8 ? 8 : score), what); !st.ok()) {
    return st;
  }
  for (uint64_t i = 0; i < n; ++i) {
    for (int k = 0; k < per; ++k) {
      if (absl::Status st = in.skip_string(what); !st.ok()) return st;
    }
    if (score == 1) {
      if (absl::Status st = skip_text_double(in); !st.ok()) return st;
    } else if (score == 8) {
      if (absl::Status st = in.skip(8, "score"); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status skip_module_value(RdbInput& in) {
  for (;;) {
    const uint64_t at = in.pos();
    uint64_t op;
    if (absl::Status st = in.read_len(&op, "module opcode"); !st.ok()) return st;
    absl::Status st;
    switch (op) {
      case kModuleOpEof:
        return absl::OkStatus();
      case kModuleOpSint:
      case kModuleOpUint:
        st = skip_lens(in, 1, "module integer");
        break;
      case kModuleOpFloat:
        st = in.skip(4, "module float");
        break;
      case kModuleOpDouble:
        st = in.skip(8, "module double");
        break;
      case kModuleOpString:
        st = in.skip_string("module string");
        break;
      default:
        return RdbInput::error(at, absl::StrCat("unknown module opcode ", op));
    }
    if (!st.ok()) return st;
  }
}

absl::Status skip_value(RdbInput& in, uint8_t type) {
  switch (type) {
    case kTypeString:
    case kTypeHashZipmap:
    case kTypeListZiplist:
    case kTypeSetIntset:
    case kTypeZsetZiplist:
    case kTypeHashZiplist:
    case kTypeHashListpack:
    case kTypeZsetListpack:
    case kTypeSetListpack:
    case kTypeHashListpackExPreGa:
      return in.skip_string("value");
    case kTypeHashListpackEx:
      if (absl::Status st = in.skip(8, "minimum field TTL"); !st.ok()) return st;
      return in.skip_string("value");
    case kTypeList:
    case kTypeSet:
    case kTypeListQuicklist:
      return skip_strings(in, 1, 0, "element");
    case kTypeZset:
      return skip_strings(in, 1, 1, "sorted set member");
    case kTypeZset2:
      return skip_strings(in, 1, 8, "sorted set member");
    case kTypeHash:
      return skip_strings(in, 2, 0, "hash field");
    case kTypeListQuicklist2: {
      uint64_t n;
      if (absl::Status st = read_count(in, &n, 2, "quicklist node count"); !st.ok()) return st;
      for (uint64_t i = 0; i < n; ++i) {
        if (absl::Status st = skip_lens(in, 1, "quicklist container"); !st.ok()) return st;
        if (absl::Status st = in.skip_string("quicklist node"); !st.ok()) return st;
      }
      return absl::OkStatus();
    }
    case kTypeHashMetadata:
      if (absl::Status st = in.skip(8, "minimum field TTL"); !st.ok()) return st;
      [[fallthrough]];
    case kTypeHashMetadataPreGa: {
      uint64_t n;
      if (absl::Status st = read_count(in, &n, 3, "hash field count"); !st.ok()) return st;
      for (uint64_t i = 0; i < n; ++i) {
        if (absl::Status st = skip_lens(in, 1, "field TTL"); !st.ok()) return st;
        if (absl::Status st = in.skip_string("hash field"); !st.ok()) return st;
        if (absl::Status st = in.skip_string("hash value"); !st.ok()) return st;
      }
      return absl::OkStatus();
    }
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
    case kTypeStreamListpacks3:
      return skip_stream(in, type);
    case kTypeModule2:
      if (absl::Status st = skip_lens(in, 1, "module type id"); !st.ok()) return st;
      return skip_module_value(in);
    case kTypeModulePreGa:
      return absl::UnimplementedError(absl::StrCat(
          "a Redis 4.0 release-candidate module value (type 6), which Redis refuses too, at byte ",
          in.pos()));
    default:
      return RdbInput::error(in.pos(), absl::StrCat("unknown value type ", type));
  }
}

}  // namespace hashstore::internal::rdb
