// HSET, HGET, ... : the hash commands' argument parsing and replies.
#include <cmath>

#include "command/command_util.h"
#include "util/errors.h"
#include "util/number.h"

namespace hashstore::internal {

namespace {

Reply cmd_hset(Store& s, Args a) {
  if (a.size() % 2 != 0) return arity_error(lower(a[0]) == "hmset" ? "hmset" : "hset");
  std::vector<FieldValue> pairs = pairs_of(a.subspan(2));
  auto r = s.hset(a[1], pairs);
  if (!r.ok()) return error_from(r.status());
  return lower(a[0]) == "hmset" ? Reply::ok() : Reply::integer(*r);
}

Reply cmd_hsetnx(Store& s, Args a) { return int_or_error(s.hsetnx(a[1], a[2], a[3])); }

Reply cmd_hget(Store& s, Args a) { return optional_bulk(s.hget(a[1], a[2])); }

Reply cmd_hmget(Store& s, Args a) {
  std::vector<Reply> out;
  for (auto& v : s.hmget(a[1], a.subspan(2))) out.push_back(optional_bulk(v));
  return Reply::array(std::move(out));
}

Reply cmd_hgetall(Store& s, Args a) {
  std::vector<Reply> out;
  for (auto& [f, v] : s.hgetall(a[1])) {
    out.push_back(Reply::bulk(f));
    out.push_back(Reply::bulk(v));
  }
  return Reply::array(std::move(out));
}

Reply cmd_hkeys(Store& s, Args a) { return Reply::bulk_array(s.hkeys(a[1])); }
Reply cmd_hvals(Store& s, Args a) { return Reply::bulk_array(s.hvals(a[1])); }
Reply cmd_hdel(Store& s, Args a) { return Reply::integer(s.hdel(a[1], a.subspan(2))); }
Reply cmd_hlen(Store& s, Args a) { return Reply::integer(s.hlen(a[1])); }
Reply cmd_hexists(Store& s, Args a) { return Reply::integer(s.hexists(a[1], a[2]) ? 1 : 0); }
Reply cmd_hstrlen(Store& s, Args a) { return Reply::integer(s.hstrlen(a[1], a[2])); }

Reply cmd_hincrby(Store& s, Args a) {
  int64_t incr;
  Reply err;
  if (!int_arg(a[3], &incr, &err)) return err;
  return int_or_error(s.hincrby(a[1], a[2], incr));
}

Reply cmd_hincrbyfloat(Store& s, Args a) {
  long double incr;
  if (!parse_long_double(a[3], &incr)) return Reply::error(kErrNotFloat);
  auto r = s.hincrbyfloat(a[1], a[2], incr);
  return r.ok() ? Reply::bulk(*r) : error_from(r.status());
}

Reply cmd_hscan(Store& s, Args a) {
  uint64_t cursor;
  Reply err;
  if (!cursor_arg(a[2], &cursor, &err)) return err;
  // Redis replies an empty scan for a missing key before it reads options.
  if (s.exists({a[1]}) == 0) return scan_reply(ScanPage{});
  ScanOptions opt;
  if (!scan_options(a.subspan(3), /*allow_type=*/false, /*allow_novalues=*/true, &opt, &err)) {
    return err;
  }
  return scan_reply(s.hscan(a[1], cursor, opt));
}

Reply cmd_hrandfield(Store& s, Args a) {
  if (a.size() == 2) return optional_bulk(s.hrandfield(a[1]));
  int64_t count;
  if (!parse_int64(a[2], &count)) {
    return Reply::error(kErrNotInteger);
  }
  if (a.size() > 4 || (a.size() == 4 && !iequals(a[3], "withvalues"))) return syntax_error();
  auto r = s.hrandfield(a[1], count, a.size() == 4);
  if (!r.ok()) return error_from(r.status());
  return Reply::bulk_array(*r);
}

}  // namespace

std::vector<Command> hash_commands() {
  return {
      {"hset", -4, cmd_hset, kKey1, kDenyOom},
      {"hmset", -4, cmd_hset, kKey1, kDenyOom},
      {"hsetnx", 4, cmd_hsetnx, kKey1, kDenyOom},
      {"hget", 3, cmd_hget, kKey1},
      {"hmget", -3, cmd_hmget, kKey1},
      {"hgetall", 2, cmd_hgetall, kKey1},
      {"hkeys", 2, cmd_hkeys, kKey1},
      {"hvals", 2, cmd_hvals, kKey1},
      {"hdel", -3, cmd_hdel, kKey1},
      {"hlen", 2, cmd_hlen, kKey1},
      {"hexists", 3, cmd_hexists, kKey1},
      {"hstrlen", 3, cmd_hstrlen, kKey1},
      {"hincrby", 4, cmd_hincrby, kKey1, kDenyOom},
      {"hincrbyfloat", 4, cmd_hincrbyfloat, kKey1, kDenyOom},
      {"hscan", -3, cmd_hscan, kKey1},
      {"hrandfield", -2, cmd_hrandfield, kKey1},
  };
}

}  // namespace hashstore::internal
