// HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME,
// HPEXPIRETIME, HPERSIST, HGETDEL, HGETEX, HSETEX: argument parsing in Redis
// 8.0's order and with its texts (which differ between commands: HEXPIRE's
// numfields error is not HTTL's, HSETEX parses options in any order and the
// others at fixed places).
#include <climits>

#include "command/command_util.h"
#include "store/store_impl.h"
#include "util/number.h"

namespace hashstore::internal {

namespace {

const char kErrFieldsMissing[] =
    "ERR Mandatory argument FIELDS is missing or not at the right position";
const char kErrNumfieldsMismatch[] =
    "ERR The `numfields` parameter must match the number of arguments";

// A time argument as Redis's parseExpireTime checks it before anything else
// is read: an integer, then the Store's own checks as an absolute time. (A
// relative time is checked against the limit from now by the Store.)
bool time_arg(std::string_view s, int64_t unit_ms, std::string_view command, int64_t* out,
              Reply* err) {
  if (!int_arg(s, out, err)) return false;
  if (absl::Status st = field_expire_at(*out, unit_ms, 0, command).status(); !st.ok()) {
    *err = error_from(st);
    return false;
  }
  return true;
}

// FIELDS numfields field... at a[at]: the fields, or an error. Every field
// must be there, no more and no less. numfields_error: the command's text
// for a numfields that is not a positive integer.
bool fields_arg(Args a, size_t at, const char* numfields_error, Args* fields, Reply* err) {
  if (at >= a.size() || !iequals(a[at], "fields")) {
    *err = Reply::error(kErrFieldsMissing);
    return false;
  }
  if (at + 1 >= a.size()) {
    *err = arity_error(lower(a[0]));
    return false;
  }
  int64_t n;
  if (!parse_int64(a[at + 1], &n) || n < 1) {
    *err = Reply::error(numfields_error);
    return false;
  }
  if (static_cast<uint64_t>(n) != a.size() - at - 2) {
    *err = Reply::error(kErrNumfieldsMismatch);
    return false;
  }
  *fields = a.subspan(at + 2);
  return true;
}

Reply int_array(const std::vector<int64_t>& values) {
  std::vector<Reply> out;
  out.reserve(values.size());
  for (int64_t v : values) out.push_back(Reply::integer(v));
  return Reply::array(std::move(out));
}

Reply optional_bulk_array(const std::vector<std::optional<std::string>>& values) {
  std::vector<Reply> out;
  out.reserve(values.size());
  for (const auto& v : values) out.push_back(optional_bulk(v));
  return Reply::array(std::move(out));
}

using FieldExpireFn = absl::StatusOr<std::vector<int64_t>> (Store::*)(
    std::string_view, int64_t, std::span<const std::string_view>, unsigned);

Reply field_expire_generic(Store& s, Args a, FieldExpireFn fn, int64_t unit_ms) {
  int64_t when;
  Reply err;
  if (!time_arg(a[2], unit_ms, lower(a[0]), &when, &err)) return err;
  unsigned flags = 0;
  size_t at = 3;
  if (iequals(a[3], "nx")) {
    flags = kExpireNX;
  } else if (iequals(a[3], "xx")) {
    flags = kExpireXX;
  } else if (iequals(a[3], "gt")) {
    flags = kExpireGT;
  } else if (iequals(a[3], "lt")) {
    flags = kExpireLT;
  }
  if (flags != 0) ++at;
  Args fields;
  if (!fields_arg(a, at, "ERR Parameter `numFields` should be greater than 0", &fields, &err)) {
    return err;
  }
  auto r = (s.*fn)(a[1], when, fields, flags);
  return r.ok() ? int_array(*r) : error_from(r.status());
}

Reply cmd_hexpire(Store& s, Args a) { return field_expire_generic(s, a, &Store::hexpire, 1000); }
Reply cmd_hpexpire(Store& s, Args a) { return field_expire_generic(s, a, &Store::hpexpire, 1); }
Reply cmd_hexpireat(Store& s, Args a) {
  return field_expire_generic(s, a, &Store::hexpireat, 1000);
}
Reply cmd_hpexpireat(Store& s, Args a) {
  return field_expire_generic(s, a, &Store::hpexpireat, 1);
}

const char kErrNumfieldsPositive[] = "ERR Number of fields must be a positive integer";

using FieldQueryFn = std::vector<int64_t> (Store::*)(std::string_view,
                                                     std::span<const std::string_view>);

Reply field_query_generic(Store& s, Args a, FieldQueryFn fn) {
  Args fields;
  Reply err;
  if (!fields_arg(a, 2, kErrNumfieldsPositive, &fields, &err)) return err;
  return int_array((s.*fn)(a[1], fields));
}

Reply cmd_httl(Store& s, Args a) { return field_query_generic(s, a, &Store::httl); }
Reply cmd_hpttl(Store& s, Args a) { return field_query_generic(s, a, &Store::hpttl); }
Reply cmd_hexpiretime(Store& s, Args a) { return field_query_generic(s, a, &Store::hexpiretime); }
Reply cmd_hpexpiretime(Store& s, Args a) {
  return field_query_generic(s, a, &Store::hpexpiretime);
}
Reply cmd_hpersist(Store& s, Args a) { return field_query_generic(s, a, &Store::hpersist); }

Reply cmd_hgetdel(Store& s, Args a) {
  Args fields;
  Reply err;
  if (!fields_arg(a, 2, kErrNumfieldsPositive, &fields, &err)) return err;
  return optional_bulk_array(s.hgetdel(a[1], fields));
}

// EX / PX / EXAT / PXAT: the FieldTtl kind and the unit of its time.
bool time_option(std::string_view word, FieldTtl::Kind* kind, int64_t* unit_ms) {
  static constexpr struct {
    const char* name;
    FieldTtl::Kind kind;
    int64_t unit_ms;
  } kOptions[] = {{"ex", FieldTtl::kEX, 1000},
                  {"px", FieldTtl::kPX, 1},
                  {"exat", FieldTtl::kEXAT, 1000},
                  {"pxat", FieldTtl::kPXAT, 1}};
  for (const auto& o : kOptions) {
    if (iequals(word, o.name)) {
      *kind = o.kind;
      *unit_ms = o.unit_ms;
      return true;
    }
  }
  return false;
}

// HGETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST] FIELDS n field...:
// at most one option, right after the key.
Reply cmd_hgetex(Store& s, Args a) {
  FieldTtl ttl;
  Reply err;
  size_t at = 2;
  int64_t unit_ms;
  if (time_option(a[2], &ttl.kind, &unit_ms)) {
    if (!time_arg(a[3], unit_ms, "hgetex", &ttl.value, &err)) return err;
    at = 4;
  } else if (iequals(a[2], "persist")) {
    ttl.kind = FieldTtl::kPersist;
    at = 3;
  }
  Args fields;
  if (!fields_arg(a, at, kErrNumfieldsPositive, &fields, &err)) return err;
  auto r = s.hgetex(a[1], fields, ttl);
  return r.ok() ? optional_bulk_array(*r) : error_from(r.status());
}

// HSETEX key [FNX | FXX] [EX s | PX ms | EXAT t | PXAT t | KEEPTTL]
// FIELDS n field value ...: options in any order before FIELDS.
Reply cmd_hsetex(Store& s, Args a) {
  FieldTtl ttl;
  FieldCondition condition = FieldCondition::kAny;
  bool have_ttl = false, have_condition = false;
  Reply err;
  const Reply only_one_ttl =
      Reply::error("ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified");
  for (size_t i = 2; i < a.size(); ++i) {
    FieldTtl::Kind kind;
    int64_t unit_ms;
    if (iequals(a[i], "fields")) {
      if (i + 3 >= a.size()) return arity_error("hsetex");  // Redis: i >= argc - 3
      int64_t n;
      if (!parse_int64(a[i + 1], &n) || n < 1 || n > INT_MAX) {
        return Reply::error("ERR invalid number of fields");
      }
      const size_t remaining = a.size() - i - 2;
      if (remaining % 2 != 0 || static_cast<size_t>(n) != remaining / 2) {
        return arity_error("hsetex");
      }
      auto r = s.hsetex(a[1], pairs_of(a.subspan(i + 2)), ttl, condition);
      return r.ok() ? Reply::integer(*r ? 1 : 0) : error_from(r.status());
    }
    if (time_option(a[i], &kind, &unit_ms)) {
      if (have_ttl) return only_one_ttl;
      if (i + 1 >= a.size()) return Reply::error("ERR missing expire time");
      if (!time_arg(a[i + 1], unit_ms, "hsetex", &ttl.value, &err)) return err;
      ttl.kind = kind;
      have_ttl = true;
      ++i;
    } else if (iequals(a[i], "keepttl")) {
      if (have_ttl) return only_one_ttl;
      ttl.kind = FieldTtl::kKeepTtl;
      have_ttl = true;
    } else if (iequals(a[i], "fnx") || iequals(a[i], "fxx")) {
      if (have_condition) return Reply::error("ERR Only one of FXX or FNX arguments can be specified");
      condition = iequals(a[i], "fnx") ? FieldCondition::kFNX : FieldCondition::kFXX;
      have_condition = true;
    } else {
      return Reply::error("ERR unknown argument: " + std::string(a[i]));
    }
  }
  return Reply::error(kErrFieldsMissing);
}

}  // namespace

std::vector<Command> field_ttl_commands() {
  return {
      {"hexpire", -6, cmd_hexpire, kKey1, kDenyOom},
      {"hpexpire", -6, cmd_hpexpire, kKey1, kDenyOom},
      {"hexpireat", -6, cmd_hexpireat, kKey1, kDenyOom},
      {"hpexpireat", -6, cmd_hpexpireat, kKey1, kDenyOom},
      {"httl", -5, cmd_httl, kKey1},
      {"hpttl", -5, cmd_hpttl, kKey1},
      {"hexpiretime", -5, cmd_hexpiretime, kKey1},
      {"hpexpiretime", -5, cmd_hpexpiretime, kKey1},
      {"hpersist", -5, cmd_hpersist, kKey1},
      {"hgetdel", -5, cmd_hgetdel, kKey1},
      {"hgetex", -5, cmd_hgetex, kKey1},
      {"hsetex", -6, cmd_hsetex, kKey1, kDenyOom},
  };
}

}  // namespace hashstore::internal
