// HRESERVE, HRESERVEALL, HINCREX: stock and counters without scripting.
// Commands Redis does not have, in Redis's style: arguments checked before
// anything is read, errors as "ERR ..." texts, nil for "not done".
#include "command/command_util.h"

namespace hashstore::internal {

namespace {

Reply cmd_hreserve(Store& s, Args a) {
  int64_t amount;
  Reply err;
  if (!int_arg(a[3], &amount, &err)) return err;
  auto r = s.reserve(a[1], a[2], amount);
  if (!r.ok()) return error_from(r.status());
  return *r ? Reply::integer(**r) : Reply::nil();
}

Reply cmd_hreserveall(Store& s, Args a) {
  int64_t n;
  Reply err;
  if (!int_arg(a[1], &n, &err)) return err;
  if (n < 1) return Reply::error("ERR numitems must be a positive integer");
  if (static_cast<uint64_t>(n) != (a.size() - 2) / 3 || (a.size() - 2) % 3 != 0) {
    return Reply::error("ERR numitems does not match the number of key field amount triples");
  }
  std::vector<ReserveItem> items;
  items.reserve(static_cast<size_t>(n));
  for (size_t i = 2; i + 2 < a.size(); i += 3) {
    int64_t amount;
    if (!int_arg(a[i + 2], &amount, &err)) return err;
    items.push_back(ReserveItem{a[i], a[i + 1], amount});
  }
  auto r = s.reserve_all(items);
  if (!r.ok()) return error_from(r.status());
  if (!*r) return Reply::nil();
  std::vector<Reply> out;
  for (int64_t left : **r) out.push_back(Reply::integer(left));
  return Reply::array(std::move(out));
}

Reply cmd_hincrex(Store& s, Args a) {
  int64_t increment = 1, lower = INT64_MIN, upper = INT64_MAX;
  bool saturate = false;
  Reply err;
  for (size_t i = 3; i < a.size(); ++i) {
    const bool has_value = i + 1 < a.size();
    if (iequals(a[i], "byint") && has_value) {
      if (!int_arg(a[++i], &increment, &err)) return err;
    } else if (iequals(a[i], "lbound") && has_value) {
      if (!int_arg(a[++i], &lower, &err)) return err;
    } else if (iequals(a[i], "ubound") && has_value) {
      if (!int_arg(a[++i], &upper, &err)) return err;
    } else if (iequals(a[i], "saturate")) {
      saturate = true;
    } else if (iequals(a[i], "byfloat")) {
      return Reply::error("ERR HINCREX counts in integers; use HINCRBYFLOAT for floats");
    } else {
      return syntax_error();
    }
  }
  auto r = s.hincrex(a[1], a[2], increment, lower, upper, saturate);
  if (!r.ok()) return error_from(r.status());
  return Reply::array({Reply::integer(r->value), Reply::integer(r->applied)});
}

}  // namespace

std::vector<Command> counter_commands() {
  return {
      {"hreserve", 4, cmd_hreserve, kKey1},
      {"hreserveall", -5, cmd_hreserveall, KeySpec{2, -1, 3}},
      {"hincrex", -3, cmd_hincrex, kKey1, kDenyOom},
  };
}

}  // namespace hashstore::internal
