// The command table (every module's commands in one map) and dispatch:
// name lookup, container subcommands, arity, then the handler.
#include "command/command.h"
#include "command/command_meta.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "command/command_util.h"
#include "store/store_impl.h"
#include "store/store_internal.h"
#include "util/absl_view.h"
#include "util/errors.h"

namespace hashstore::internal {

const absl::flat_hash_map<std::string, Command>& command_table() {
  static const auto* table = [] {
    auto* t = new absl::flat_hash_map<std::string, Command>();
    for (auto module :
         {hash_commands, key_commands, server_commands, counter_commands, expire_commands,
          field_ttl_commands, persist_commands, introspect_commands}) {
      for (Command c : module()) {
        c.id = command_id(c.name);
        if (c.subcommands != nullptr) {
          // A copy of the subcommands, with their ids (kept for the
          // process's life, as the table).
          auto* subs = new std::vector<Command>(*c.subcommands);
          for (Command& sub : *subs) sub.id = command_id(sub.name);
          c.subcommands = subs;
        }
        t->emplace(c.name, c);
      }
    }
    return t;
  }();
  return *table;
}

const Command* find_command(std::string_view name) {
  const auto& table = command_table();
  const size_t bar = name.find('|');
  auto it = table.find(to_absl(name.substr(0, bar)));
  if (it == table.end()) return nullptr;
  if (bar == std::string_view::npos) return &it->second;
  if (it->second.subcommands == nullptr) return nullptr;
  for (const Command& c : *it->second.subcommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

namespace {

// What C's "%.*s" prints of s: at most n bytes, stopping at a NUL byte.
std::string_view c_prefix(std::string_view s, size_t n) {
  return s.substr(0, std::min(n, s.find('\0')));
}

bool arity_ok(int arity, size_t argc) {
  return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}

}  // namespace

// Finds the command (or subcommand) args name and checks its arity; on
// failure returns nullptr and sets *err to Redis's error.
// *rejected is the id of a command refused for its arity (kCommandIdCount
// for an unknown one).
const Command* resolve(std::span<const std::string_view> args, Reply* err,
                       CommandId* rejected) {
  *rejected = kCommandIdCount;
  if (args.empty()) {
    *err = Reply::error("ERR empty command");
    return nullptr;
  }
  const auto& table = command_table();
  auto it = table.find(lower(args[0]));
  if (it == table.end()) {
    // Redis quotes up to 128 bytes of arguments after the name.
    // Redis formats them with %.*s: each stops at its first NUL byte.
    std::string quoted;
    for (size_t i = 1; i < args.size() && quoted.size() < 128; ++i) {
      absl::StrAppend(&quoted, "'", to_absl(c_prefix(args[i], 128 - quoted.size())), "' ");
    }
    *err = Reply::error(absl::StrCat("ERR unknown command '", to_absl(c_prefix(args[0], 128)),
                                     "', with args beginning with: ", quoted));
    return nullptr;
  }
  const Command* cmd = &it->second;
  if (cmd->subcommands != nullptr && args.size() >= 2) {
    const Command* sub = nullptr;
    const std::string name = absl::StrCat(cmd->name, "|", lower(args[1]));
    for (const Command& c : *cmd->subcommands) {
      if (name == c.name) sub = &c;
    }
    if (sub == nullptr) {
      *err = Reply::error(absl::StrCat("ERR unknown subcommand '", to_absl(c_prefix(args[1], 128)),
                                       "'. Try ", absl::AsciiStrToUpper(cmd->name), " HELP."));
      return nullptr;
    }
    cmd = sub;
  }
  if (!arity_ok(cmd->arity, args.size())) {
    *err = arity_error(cmd->name);
    *rejected = cmd->id;
    return nullptr;
  }
  return cmd;
}

// Redis never sends CR or LF inside an error line: it maps them to spaces.
Reply sanitized(Reply r) {
  if (r.is_error() && r.string().find_first_of("\r\n") != std::string::npos) {
    std::string text = r.string();
    for (char& c : text) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return Reply::error(std::move(text));
  }
  return r;
}

// Redis's slowlog keeps at most 32 arguments (the last one saying how many
// more there were) and 128 bytes of each (saying how many more bytes).
std::vector<std::string> slowlog_args(std::span<const std::string_view> args) {
  constexpr size_t kMaxArgs = 32, kMaxBytes = 128;
  std::vector<std::string> out;
  const size_t n = std::min(args.size(), kMaxArgs);
  for (size_t i = 0; i < n; ++i) {
    if (n != args.size() && i == n - 1) {
      out.push_back(absl::StrCat("... (", args.size() - n + 1, " more arguments)"));
    } else if (args[i].size() > kMaxBytes) {
      out.push_back(absl::StrCat(to_absl(args[i].substr(0, kMaxBytes)), "... (",
                                 args[i].size() - kMaxBytes, " more bytes)"));
    } else {
      out.emplace_back(args[i]);
    }
  }
  return out;
}

// Runs a resolved command's handler, counted for INFO commandstats (its
// typed calls inside are not counted again), timed when CommandStats says
// so (usec, latencystats, the slowlog and the latency monitor).
Reply run_counted(Store& store, const Command& cmd, std::span<const std::string_view> args) {
  CommandStats& stats = StoreInternal::impl(store).command_stats();
  CallThread& thread = tl_call_thread;
  const bool outer = thread.enter();
  const uint64_t start = outer && stats.time_commands() ? CallScope::now_ns() : 0;
  Reply r = sanitized(cmd.handler(store, args));
  if (outer) {
    // Counted once it ran, as Redis: INFO does not see itself.
    stats.count(cmd.id, thread.base());
    thread.leave();
    if (start != 0) {
      const uint64_t ns = CallScope::now_ns() - start;
      stats.record_time(cmd.id, ns);
      if (stats.slow(ns)) stats.add_slowlog(slowlog_args(args), ns);
    }
  }
  if (outer && r.is_error()) stats.failed(cmd.id, r.string());
  return r;
}

// Whether a room error is the append-only log's MISCONF refusal and cmd a
// write (Redis's "write" flag), which it refuses whether or not it may grow
// the data. Only reached when make_room() failed.
bool refused_write(const absl::Status& room, const Command& cmd) {
  if (!absl::StartsWith(room.message(), "MISCONF")) return false;
  const CommandMeta* meta = find_command_meta(cmd.name);
  return meta != nullptr && has_word(meta->flags, "write");
}

// Runs a resolved command. As Redis before every command, evicts first
// while memory is over maxmemory; a kDenyOom command is refused, before its
// arguments are parsed, when eviction cannot make room.
Reply run_resolved(Store& store, const Command& cmd, std::span<const std::string_view> args) {
  absl::Status room = StoreInternal::impl(store).make_room();
  if (!room.ok() && ((cmd.flags & kDenyOom) || refused_write(room, cmd))) {
    Reply r = error_from(room);
    StoreInternal::impl(store).command_stats().rejected(cmd.id, r.string());
    return r;
  }
  return run_counted(store, cmd, args);
}

// An error of resolve(), counted as Redis counts a rejected command.
Reply rejected(Store& store, const Reply& err, CommandId id) {
  Reply r = sanitized(err);
  StoreInternal::impl(store).command_stats().rejected(id, r.string());
  return r;
}

Reply execute_command(Store& store, std::span<const std::string_view> args) {
  Reply err;
  CommandId id;
  const Command* cmd = resolve(args, &err, &id);
  return cmd ? run_resolved(store, *cmd, args) : rejected(store, err, id);
}

namespace {

// One command of a batch, resolved.
struct Prepared {
  std::vector<std::string_view> args;
  const Command* cmd = nullptr;
  Reply error;  // when cmd is null
  CommandId rejected = kCommandIdCount;
};

// Resolves every command and collects the hashes of all their keys (and
// whether one of them needs every shard).
std::vector<Prepared> prepare(StoreImpl& impl, const std::vector<std::vector<std::string>>& commands,
                              std::vector<uint64_t>* hashes, bool* every_shard) {
  std::vector<Prepared> out(commands.size());
  *every_shard = false;
  for (size_t i = 0; i < commands.size(); ++i) {
    Prepared& p = out[i];
    p.args.assign(commands[i].begin(), commands[i].end());
    p.cmd = resolve(p.args, &p.error, &p.rejected);
    if (p.cmd == nullptr) continue;
    const KeySpec& k = p.cmd->keys;
    *every_shard |= k.every_shard;
    if (k.step == 0) continue;
    const int argc = static_cast<int>(p.args.size());
    const int last = k.last < 0 ? argc + k.last : std::min(k.last, argc - 1);
    for (int j = k.first; j <= last; j += k.step) hashes->push_back(impl.hash(p.args[j]));
  }
  return out;
}

}  // namespace

}  // namespace hashstore::internal

namespace hashstore {

std::vector<Reply> Store::execute_batch(const std::vector<std::vector<std::string>>& commands) {
  std::vector<uint64_t> hashes;
  bool every_shard;
  auto prepared = internal::prepare(*impl_, commands, &hashes, &every_shard);
  std::vector<Reply> replies;
  replies.reserve(prepared.size());
  // Evict before taking the shards (no eviction can run while they are
  // held); under noeviction the writes inside are then refused one by one.
  impl_->make_room().IgnoreError();
  internal::StoreImpl::HoldShards hold(*impl_, hashes, every_shard);
  for (auto& p : prepared) {
    replies.push_back(p.cmd ? internal::run_resolved(*this, *p.cmd, p.args)
                            : internal::rejected(*this, p.error, p.rejected));
  }
  return replies;
}

Reply Store::transaction(const std::vector<std::vector<std::string>>& commands,
                         const Watch* watch) {
  std::vector<uint64_t> hashes;
  bool every_shard;
  auto prepared = internal::prepare(*impl_, commands, &hashes, &every_shard);
  for (const auto& p : prepared) {
    if (p.cmd == nullptr) {
      return Reply::error(internal::kErrExecAbort);
    }
  }
  if (watch != nullptr) {
    for (const auto& e : internal::StoreInternal::entries(*watch)) hashes.push_back(e.hash);
  }
  // As execute_batch, but all or nothing: Redis refuses every command
  // queued inside MULTI while it is out of memory, and EXEC then aborts.
  if (!impl_->make_room().ok()) {
    return Reply::error(internal::kErrExecAbort);
  }
  internal::StoreImpl::HoldShards hold(*impl_, hashes, every_shard);
  if (watch != nullptr && !internal::watch_unchanged(*impl_, *watch)) return Reply::nil();
  std::vector<Reply> replies;
  replies.reserve(prepared.size());
  for (auto& p : prepared) replies.push_back(internal::run_counted(*this, *p.cmd, p.args));
  return Reply::array(std::move(replies));
}


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
