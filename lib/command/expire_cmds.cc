// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME,
// PERSIST: argument parsing in Redis 7.0's order (options, then the time).
#include "command/command_util.h"
#include "store/store_impl.h"

namespace hashstore::internal {

namespace {

using ExpireFn = absl::StatusOr<bool> (Store::*)(std::string_view, int64_t, unsigned);

Reply expire_generic(Store& s, Args a, ExpireFn fn) {
  unsigned flags = 0;
  for (size_t i = 3; i < a.size(); ++i) {
    if (iequals(a[i], "nx")) {
      flags |= kExpireNX;
    } else if (iequals(a[i], "xx")) {
      flags |= kExpireXX;
    } else if (iequals(a[i], "gt")) {
      flags |= kExpireGT;
    } else if (iequals(a[i], "lt")) {
      flags |= kExpireLT;
    } else {
      return Reply::error("ERR Unsupported option " + std::string(a[i]));
    }
  }
  if (absl::Status st = check_expire_flags(flags); !st.ok()) return error_from(st);
  int64_t when;
  Reply err;
  if (!int_arg(a[2], &when, &err)) return err;
  return int_or_error((s.*fn)(a[1], when, flags));
}

Reply cmd_expire(Store& s, Args a) { return expire_generic(s, a, &Store::expire); }
Reply cmd_pexpire(Store& s, Args a) { return expire_generic(s, a, &Store::pexpire); }
Reply cmd_expireat(Store& s, Args a) { return expire_generic(s, a, &Store::expireat); }
Reply cmd_pexpireat(Store& s, Args a) { return expire_generic(s, a, &Store::pexpireat); }
Reply cmd_ttl(Store& s, Args a) { return Reply::integer(s.ttl(a[1])); }
Reply cmd_pttl(Store& s, Args a) { return Reply::integer(s.pttl(a[1])); }
Reply cmd_expiretime(Store& s, Args a) { return Reply::integer(s.expiretime(a[1])); }
Reply cmd_pexpiretime(Store& s, Args a) { return Reply::integer(s.pexpiretime(a[1])); }
Reply cmd_persist(Store& s, Args a) { return Reply::integer(s.persist(a[1]) ? 1 : 0); }

}  // namespace

std::vector<Command> expire_commands() {
  return {
      {"expire", -3, cmd_expire, kKey1},
      {"pexpire", -3, cmd_pexpire, kKey1},
      {"expireat", -3, cmd_expireat, kKey1},
      {"pexpireat", -3, cmd_pexpireat, kKey1},
      {"ttl", 2, cmd_ttl, kKey1},
      {"pttl", 2, cmd_pttl, kKey1},
      {"expiretime", 2, cmd_expiretime, kKey1},
      {"pexpiretime", 2, cmd_pexpiretime, kKey1},
      {"persist", 2, cmd_persist, kKey1},
  };
}

}  // namespace hashstore::internal
