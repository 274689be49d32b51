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
  // SAVE: to --dir / --dbfilename, in the CONFIG snapshot-format (Redis's
  // RDB when that is what the session loaded).
  const Reply r = store_.execute({"SAVE"});
  if (r.is_error()) return absl::InternalError(r.string());
  dirty_.store(false, std::memory_order_relaxed);
  return absl::OkStatus();
}

}  // namespace hashstore::cli
