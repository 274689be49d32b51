// DEL, EXISTS, SCAN, RENAME, COPY, OBJECT, MEMORY, ...: the key commands'
// argument parsing and replies.
#include "command/command_util.h"

namespace hashstore::internal {

namespace {

Reply cmd_del(Store& s, Args a) { return Reply::integer(s.del(a.subspan(1))); }
Reply cmd_exists(Store& s, Args a) { return Reply::integer(s.exists(a.subspan(1))); }
Reply cmd_type(Store& s, Args a) { return Reply::status(s.type(a[1])); }

Reply cmd_scan(Store& s, Args a) {
  uint64_t cursor;
  Reply err;
  if (!cursor_arg(a[1], &cursor, &err)) return err;
  ScanOptions opt;
  if (!scan_options(a.subspan(2), /*allow_type=*/true, /*allow_novalues=*/false, &opt, &err)) {
    return err;
  }
  return scan_reply(s.scan(cursor, opt));
}

Reply cmd_keys(Store& s, Args a) { return Reply::bulk_array(s.keys(a[1])); }

Reply cmd_rename(Store& s, Args a) {
  absl::Status st = s.rename(a[1], a[2]);
  return st.ok() ? Reply::ok() : error_from(st);
}

Reply cmd_renamenx(Store& s, Args a) { return int_or_error(s.renamenx(a[1], a[2])); }

Reply cmd_copy(Store& s, Args a) {
  bool replace = false;
  for (size_t i = 3; i < a.size(); ++i) {
    if (iequals(a[i], "replace")) {
      replace = true;
    } else if (iequals(a[i], "db") && i + 1 < a.size()) {
      int64_t db;
      Reply err;
      if (!int_arg(a[i + 1], &db, &err)) return err;
      // hashstore has one database, number 0.
      if (db != 0) return Reply::error("ERR DB index is out of range");
      ++i;
    } else {
      return syntax_error();
    }
  }
  absl::StatusOr<bool> copied = s.copy(a[1], a[2], replace);
  if (!copied.ok()) return error_from(copied.status());
  return Reply::integer(*copied ? 1 : 0);
}

Reply cmd_dbsize(Store& s, Args) { return Reply::integer(s.dbsize()); }

Reply cmd_flushall(Store& s, Args a) {
  if (a.size() > 2 || (a.size() == 2 && !iequals(a[1], "sync") && !iequals(a[1], "async"))) {
    return syntax_error();
  }
  s.flushall();
  return Reply::ok();
}

Reply cmd_randomkey(Store& s, Args) { return optional_bulk(s.randomkey()); }

}  // namespace

std::vector<Command> key_commands() {
  return {
      {"del", -2, cmd_del, kAllArgsKeys},
      {"unlink", -2, cmd_del, kAllArgsKeys},
      {"exists", -2, cmd_exists, kAllArgsKeys},
      {"type", 2, cmd_type, kKey1},
      {"scan", -2, cmd_scan, kEveryShard},
      {"keys", 2, cmd_keys, kEveryShard},
      {"rename", 3, cmd_rename, kKeys1And2},
      {"renamenx", 3, cmd_renamenx, kKeys1And2},
      {"copy", -3, cmd_copy, kKeys1And2, kDenyOom},
      {"dbsize", 1, cmd_dbsize, kEveryShard},
      {"flushall", -1, cmd_flushall, kEveryShard},
      {"flushdb", -1, cmd_flushall, kEveryShard},
      {"randomkey", 1, cmd_randomkey, kEveryShard},
  };
}

}  // namespace hashstore::internal
