// The command table (every module's commands in one map) and dispatch:
// name lookup, container subcommands, arity, then the handler.
#include "command/command.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "command/command_util.h"
#include "util/absl_view.h"

namespace hashstore::internal {

namespace {

const absl::flat_hash_map<std::string, Command>& command_table() {
  static const auto* table = [] {
    auto* t = new absl::flat_hash_map<std::string, Command>();
    for (auto module : {hash_commands, key_commands, server_commands}) {
      for (const Command& c : module()) t->emplace(c.name, c);
    }
    return t;
  }();
  return *table;
}

bool arity_ok(int arity, size_t argc) {
  return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}

}  // namespace

Reply execute_command(Store& store, std::span<const std::string_view> args) {
  if (args.empty()) return Reply::error("ERR empty command");
  const auto& table = command_table();
  auto it = table.find(lower(args[0]));
  if (it == table.end()) {
    // Redis quotes up to 128 bytes of arguments after the name.
    std::string quoted;
    for (size_t i = 1; i < args.size() && quoted.size() < 128; ++i) {
      absl::StrAppend(&quoted, "'", to_absl(args[i].substr(0, 128 - quoted.size())), "' ");
    }
    return Reply::error(absl::StrCat("ERR unknown command '", to_absl(args[0].substr(0, 128)),
                                     "', with args beginning with: ", quoted));
  }
  const Command* cmd = &it->second;
  if (cmd->subcommands != nullptr && args.size() >= 2) {
    const Command* sub = nullptr;
    const std::string name = absl::StrCat(cmd->name, "|", lower(args[1]));
    for (const Command& c : *cmd->subcommands) {
      if (name == c.name) sub = &c;
    }
    if (sub == nullptr) {
      return Reply::error(absl::StrCat("ERR unknown subcommand '", to_absl(args[1].substr(0, 128)),
                                       "'. Try ", absl::AsciiStrToUpper(cmd->name), " HELP."));
    }
    cmd = sub;
  }
  if (!arity_ok(cmd->arity, args.size())) return arity_error(cmd->name);
  return cmd->handler(store, args);
}

}  // namespace hashstore::internal

namespace hashstore {

Reply Store::execute(std::initializer_list<std::string_view> args) {
  return internal::execute_command(*this, std::span<const std::string_view>(args.begin(), args.size()));
}

Reply Store::execute(std::span<const std::string_view> args) {
  return internal::execute_command(*this, args);
}

Reply Store::execute(const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return internal::execute_command(*this, views);
}

}  // namespace hashstore
