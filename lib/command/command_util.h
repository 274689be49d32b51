// Shared pieces of the command layer: the Command record every module's
// table is made of, and the argument parsers and reply builders that keep
// Redis's error texts in one place.
#ifndef HASHSTORE_COMMAND_COMMAND_UTIL_H_
#define HASHSTORE_COMMAND_COMMAND_UTIL_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "store/command_stats.h"
#include <hashstore/reply.h>
#include <hashstore/store.h>

namespace hashstore::internal {

using Args = std::span<const std::string_view>;
using Handler = Reply (*)(Store&, Args);

// Where a command's keys are among its arguments (Redis's first key, last
// key, step; last < 0 counts from the end), or that it touches every shard.
// Batches and transactions lock the shards these keys name.
struct KeySpec {
  int first = 0;
  int last = 0;
  int step = 0;
  bool every_shard = false;
};
inline constexpr KeySpec kNoKeys{};
inline constexpr KeySpec kKey1{1, 1, 1};
inline constexpr KeySpec kKey2{2, 2, 1};
inline constexpr KeySpec kKeys1And2{1, 2, 1};
inline constexpr KeySpec kAllArgsKeys{1, -1, 1};
inline constexpr KeySpec kEveryShard{0, 0, 0, true};

// Command flags (Redis's command_flags, those hashstore acts on).
// kDenyOom: refused with Redis's OOM error, before its arguments are
// parsed, while used memory is over maxmemory and eviction cannot free
// enough (Redis's DENYOOM: commands that may grow the data).
inline constexpr uint8_t kDenyOom = 1 << 0;

struct Command {
  const char* name;  // lower case, as Redis names it in error texts ("config|get")
  int arity;         // n > 0: exactly n arguments (name included); n < 0: at least -n
  Handler handler;   // nullptr for a container command
  KeySpec keys;
  uint8_t flags = 0;
  // Container commands (CONFIG, OBJECT, MEMORY) dispatch on args[1].
  const std::vector<Command>* subcommands = nullptr;
  // Set by the command table from the name (INFO commandstats).
  CommandId id = kCommandIdCount;
};

// Each module's commands (hash_cmds.cc, key_cmds.cc, server_cmds.cc,
// counter_cmds.cc).
std::vector<Command> hash_commands();
std::vector<Command> key_commands();
std::vector<Command> server_commands();
std::vector<Command> counter_commands();
std::vector<Command> expire_commands();
std::vector<Command> field_ttl_commands();
std::vector<Command> persist_commands();
std::vector<Command> introspect_commands();

const Reply& syntax_error();
// A HELP reply as Redis's addReplyHelp: "<NAME> <subcommand> [<arg> [value]
// [opt] ...]. Subcommands are:", the lines given, then HELP's own two.
Reply help_reply(std::string_view name, std::initializer_list<const char*> lines);
// CONFIG GET maxmemory-policy's name of p.
const char* policy_name(EvictionPolicy p);
Reply error_from(const absl::Status& s);
// "ERR wrong number of arguments for '<fullname>' command".
Reply arity_error(std::string_view fullname);
bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string_view s);

// Redis's getLongLongFromObjectOrReply: strict int64, else
// "ERR value is not an integer or out of range" in *err.
bool int_arg(std::string_view s, int64_t* out, Reply* err);
// Redis's parseScanCursorOrReply: strtoull rules (a sign is accepted and "-1"
// wraps; "" is 0), but no leading space, no trailing bytes, no overflow;
// else "ERR invalid cursor".
bool cursor_arg(std::string_view s, uint64_t* out, Reply* err);
// Parses [MATCH p] [COUNT n] [TYPE t] [NOVALUES]; which options are allowed
// depends on the command. COUNT < 1 and anything unknown: "ERR syntax error".
bool scan_options(Args args, bool allow_type, bool allow_novalues, ScanOptions* opt, Reply* err);
// [cursor, [items...]] as SCAN replies.
Reply scan_reply(const ScanPage& page);
Reply optional_bulk(const std::optional<std::string>& v);
std::vector<FieldValue> pairs_of(Args args);

template <class T>
Reply int_or_error(const absl::StatusOr<T>& r) {
  return r.ok() ? Reply::integer(static_cast<int64_t>(*r)) : error_from(r.status());
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_COMMAND_COMMAND_UTIL_H_
