// hashstore-cli's save at exit (see save_on_exit.h).
#include "save_on_exit.h"

#include "absl/strings/match.h"

namespace hashstore::cli {

namespace {

bool is(const std::string& word, const char* name) { return absl::EqualsIgnoreCase(word, name); }

}  // namespace

SaveOnExit::SaveOnExit(Store& store) : store_(store) {
  subscription_ = store_.subscribe(
      [this](const Event&) { dirty_.store(true, std::memory_order_relaxed); });
}

SaveOnExit::~SaveOnExit() { store_.unsubscribe(subscription_); }

void SaveOnExit::after_command(const std::vector<std::string>& args, const Reply& reply) {
  if (args.empty() || reply.is_error()) return;
  if (is(args[0], "flushall") || is(args[0], "flushdb")) {
    dirty_.store(true, std::memory_order_relaxed);
  } else if (is(args[0], "save") && reply.kind() == Reply::Kind::kStatus) {
    dirty_.store(false, std::memory_order_relaxed);
  }
}

absl::Status SaveOnExit::finish() {
  if (!dirty()) return absl::OkStatus();
  // Where SAVE writes (CONFIG dir / dbfilename), in the CONFIG
  // snapshot-format: Redis's RDB when that is what the session loaded.
  const Reply dir = store_.execute({"CONFIG", "GET", "dir"});
  const Reply file = store_.execute({"CONFIG", "GET", "dbfilename"});
  const Reply format = store_.execute({"CONFIG", "GET", "snapshot-format"});
  const std::string& d = dir.elements()[1].string();
  const std::string path = (d == "/" ? "" : d) + "/" + file.elements()[1].string();
  const bool rdb = format.elements().size() == 2 && format.elements()[1].string() == "rdb";
  absl::Status st = store_.save(path, rdb ? Store::SaveFormat::kRdb : Store::SaveFormat::kSnapshot,
                                nullptr);
  if (st.ok()) dirty_.store(false, std::memory_order_relaxed);
  return st;
}

}  // namespace hashstore::cli
