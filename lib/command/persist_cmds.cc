// SAVE, BGSAVE, LASTSAVE: snapshots to CONFIG's dir/dbfilename, as Redis;
// BGREWRITEAOF: a rewrite of the append-only log (lib/persist/aof_state.h).
#include "command/command.h"
#include "command/command_util.h"
#include "persist/persist_state.h"
#include "store/store_impl.h"
#include "store/store_internal.h"

namespace hashstore::internal {

namespace {

PersistState& state(Store& s) { return StoreInternal::impl(s).extension<PersistState>(); }

Reply cmd_save(Store& s, Args) {
  PersistState& p = state(s);
  if (p.bgsave_running()) return Reply::error("ERR Background save already in progress");
  absl::StatusOr<snapshot::SaveResult> r = p.save(p.path());
  return r.ok() ? Reply::ok() : error_from(r.status());
}

// BGSAVE [SCHEDULE]: SCHEDULE is accepted; a save already running is an
// error either way (hashstore has no rewrite to wait for).
Reply cmd_bgsave(Store& s, Args a) {
  if (a.size() > 2 || (a.size() == 2 && !iequals(a[1], "schedule"))) return syntax_error();
  PersistState& p = state(s);
  if (absl::Status st = p.bgsave(p.path()); !st.ok()) return error_from(st);
  return Reply::status("Background saving started");
}

Reply cmd_lastsave(Store& s, Args) { return Reply::integer(state(s).lastsave_ms() / 1000); }

Reply cmd_bgrewriteaof(Store& s, Args) {
  if (absl::Status st = state(s).aof().bgrewriteaof(); !st.ok()) return error_from(st);
  return Reply::status("Background append only file rewriting started");
}

}  // namespace

std::vector<Command> persist_commands() {
  return {
      {"save", 1, cmd_save, kNoKeys},
      {"bgsave", -1, cmd_bgsave, kNoKeys},
      {"lastsave", 1, cmd_lastsave, kNoKeys},
      {"bgrewriteaof", 1, cmd_bgrewriteaof, kNoKeys},
  };
}

}  // namespace hashstore::internal
