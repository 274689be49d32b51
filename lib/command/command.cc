// The command table and its handlers (see command.h).
#include "command/command.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "hash/hash_commands.h"
#include "store/store_impl.h"
#include "util/glob.h"
#include "util/number.h"

namespace hashstore::internal {

namespace {

using Args = std::span<const std::string_view>;
using Handler = Reply (*)(Store&, Args);

struct Command {
  const char* name;  // lower case, as Redis names it in error texts
  int arity;
  Handler handler;
  // Container commands (CONFIG, OBJECT, MEMORY) dispatch on args[1].
  const std::vector<Command>* subcommands = nullptr;
};

// ---- Replies and argument helpers ----------------------------------------------

const Reply& syntax_error() {
  static const Reply r = Reply::error("ERR syntax error");
  return r;
}

Reply error_from(const absl::Status& s) { return Reply::error(std::string(s.message())); }

Reply arity_error(std::string_view fullname) {
  return Reply::error(absl::StrCat("ERR wrong number of arguments for '", fullname, "' command"));
}

bool iequals(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                absl::string_view(b.data(), b.size()));
}

std::string lower(std::string_view s) {
  std::string out(s);
  absl::AsciiStrToLower(&out);
  return out;
}

// Redis's getLongLongFromObjectOrReply.
bool int_arg(std::string_view s, int64_t* out, Reply* err) {
  if (parse_int64(s, out)) return true;
  *err = Reply::error("ERR value is not an integer or out of range");
  return false;
}

// Redis's parseScanCursorOrReply: strtoull rules (a sign is accepted and "-1"
// wraps; "" is 0), but no leading space, no trailing bytes, no overflow.
bool cursor_arg(std::string_view s, uint64_t* out, Reply* err) {
  std::string buf(s);
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(buf.c_str(), &end, 10);
  bool ok = !(buf.size() > 0 && absl::ascii_isspace(static_cast<unsigned char>(buf[0]))) &&
            end == buf.c_str() + buf.size() && errno != ERANGE;
  if (!ok) {
    *err = Reply::error("ERR invalid cursor");
    return false;
  }
  *out = v;
  return true;
}

// Parses [MATCH p] [COUNT n] [TYPE t] [NOVALUES] from args; which options
// are allowed depends on the command.
bool scan_options(Args args, bool allow_type, bool allow_novalues, ScanOptions* opt, Reply* err) {
  for (size_t i = 0; i < args.size();) {
    const bool has_value = i + 1 < args.size();
    if (iequals(args[i], "count") && has_value) {
      int64_t n;
      if (!int_arg(args[i + 1], &n, err)) return false;
      if (n < 1) {
        *err = syntax_error();
        return false;
      }
      opt->count = n;
      i += 2;
    } else if (iequals(args[i], "match") && has_value) {
      opt->match = args[i + 1];
      i += 2;
    } else if (allow_type && iequals(args[i], "type") && has_value) {
      opt->type = args[i + 1];
      i += 2;
    } else if (allow_novalues && iequals(args[i], "novalues")) {
      opt->novalues = true;
      i += 1;
    } else {
      *err = syntax_error();
      return false;
    }
  }
  return true;
}

Reply scan_reply(const ScanPage& page) {
  std::vector<Reply> out;
  out.push_back(Reply::bulk(std::to_string(page.cursor)));  // unsigned, as Redis prints it
  out.push_back(Reply::bulk_array(page.items));
  return Reply::array(std::move(out));
}

Reply optional_bulk(const std::optional<std::string>& v) {
  return v ? Reply::bulk(*v) : Reply::nil();
}

template <class T>
Reply int_or_error(const absl::StatusOr<T>& r) {
  return r.ok() ? Reply::integer(static_cast<int64_t>(*r)) : error_from(r.status());
}

std::vector<FieldValue> pairs_of(Args args) {
  std::vector<FieldValue> pairs;
  pairs.reserve(args.size() / 2);
  for (size_t i = 0; i + 1 < args.size(); i += 2) pairs.emplace_back(args[i], args[i + 1]);
  return pairs;
}

// ---- Hash commands ---------------------------------------------------------------

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
  if (!parse_long_double(a[3], &incr)) return Reply::error("ERR value is not a valid float");
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
    return Reply::error("ERR value is not an integer or out of range");
  }
  if (a.size() > 4 || (a.size() == 4 && !iequals(a[3], "withvalues"))) return syntax_error();
  auto r = s.hrandfield(a[1], count, a.size() == 4);
  if (!r.ok()) return error_from(r.status());
  return Reply::bulk_array(*r);
}

// ---- Key commands ------------------------------------------------------------------

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
  if (a[1] == a[2]) return Reply::error("ERR source and destination objects are the same");
  return Reply::integer(s.copy(a[1], a[2], replace) ? 1 : 0);
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

Reply cmd_object_encoding(Store& s, Args a) {
  auto e = s.object_encoding(a[2]);
  return e ? Reply::bulk(*e) : Reply::nil();
}

Reply cmd_memory_usage(Store& s, Args a) {
  if (a.size() == 5 && iequals(a[3], "samples")) {
    int64_t samples;
    Reply err;
    if (!int_arg(a[4], &samples, &err)) return err;
  } else if (a.size() != 3) {
    return syntax_error();
  }
  auto bytes = s.memory_usage(a[2]);
  return bytes ? Reply::integer(*bytes) : Reply::nil();
}

// ---- Server commands ---------------------------------------------------------------

Reply cmd_ping(Store&, Args a) {
  if (a.size() > 2) return arity_error("ping");
  return a.size() == 2 ? Reply::bulk(a[1]) : Reply::status("PONG");
}

Reply cmd_echo(Store&, Args a) { return Reply::bulk(a[1]); }

// CONFIG parameters hashstore has: canonical name, alias, accessors.
struct ConfigParam {
  const char* name;
  size_t (*get)(StoreImpl&);
  void (*set)(StoreImpl&, size_t);
};

const std::vector<ConfigParam>& config_params() {
  static const std::vector<ConfigParam> params = {
      {"hash-max-listpack-entries", [](StoreImpl& i) { return i.limits().max_listpack_entries; },
       [](StoreImpl& i, size_t v) { i.set_max_listpack_entries(v); }},
      {"hash-max-listpack-value", [](StoreImpl& i) { return i.limits().max_listpack_value; },
       [](StoreImpl& i, size_t v) { i.set_max_listpack_value(v); }},
      {"hash-max-ziplist-entries", [](StoreImpl& i) { return i.limits().max_listpack_entries; },
       [](StoreImpl& i, size_t v) { i.set_max_listpack_entries(v); }},
      {"hash-max-ziplist-value", [](StoreImpl& i) { return i.limits().max_listpack_value; },
       [](StoreImpl& i, size_t v) { i.set_max_listpack_value(v); }},
  };
  return params;
}

const ConfigParam* find_param(std::string_view name) {
  for (const ConfigParam& p : config_params()) {
    if (iequals(p.name, name)) return &p;
  }
  return nullptr;
}

Reply cmd_config_get(Store& s, Args a) {
  StoreImpl& impl = StoreInternal::impl(s);
  std::vector<Reply> out;
  for (const ConfigParam& p : config_params()) {
    for (size_t i = 2; i < a.size(); ++i) {
      if (glob_match(a[i], p.name, /*nocase=*/true)) {
        out.push_back(Reply::bulk(p.name));
        out.push_back(Reply::bulk(std::to_string(p.get(impl))));
        break;
      }
    }
  }
  return Reply::array(std::move(out));
}

Reply cmd_config_set(Store& s, Args a) {
  if (a.size() % 2 != 0) return arity_error("config|set");
  StoreImpl& impl = StoreInternal::impl(s);
  // Validate every pair before applying any (Redis applies all or nothing).
  std::vector<std::pair<const ConfigParam*, size_t>> updates;
  for (size_t i = 2; i + 1 < a.size(); i += 2) {
    const ConfigParam* p = find_param(a[i]);
    if (p == nullptr) {
      return Reply::error(
          absl::StrCat("ERR Unknown option or number of arguments for CONFIG SET - '", a[i], "'"));
    }
    int64_t v;
    const std::string prefix =
        absl::StrCat("ERR CONFIG SET failed (possibly related to argument '", a[i], "') - ");
    if (!parse_int64(a[i + 1], &v)) {
      return Reply::error(prefix + "argument couldn't be parsed into an integer");
    }
    if (v < 0) {
      return Reply::error(prefix + "argument must be between 0 and 9223372036854775807 inclusive");
    }
    updates.emplace_back(p, static_cast<size_t>(v));
  }
  for (auto& [p, v] : updates) p->set(impl, v);
  return Reply::ok();
}

Reply cmd_config_resetstat(Store&, Args) { return Reply::ok(); }

// ---- The table ------------------------------------------------------------------------

const std::vector<Command> kConfigSubcommands = {
    {"config|get", -3, cmd_config_get},
    {"config|set", -4, cmd_config_set},
    {"config|resetstat", 2, cmd_config_resetstat},
};
const std::vector<Command> kObjectSubcommands = {
    {"object|encoding", 3, cmd_object_encoding},
};
const std::vector<Command> kMemorySubcommands = {
    {"memory|usage", -3, cmd_memory_usage},
};

const absl::flat_hash_map<std::string, Command>& command_table() {
  static const auto* table = [] {
    auto* t = new absl::flat_hash_map<std::string, Command>();
    const Command all[] = {
        {"hset", -4, cmd_hset},
        {"hmset", -4, cmd_hset},
        {"hsetnx", 4, cmd_hsetnx},
        {"hget", 3, cmd_hget},
        {"hmget", -3, cmd_hmget},
        {"hgetall", 2, cmd_hgetall},
        {"hkeys", 2, cmd_hkeys},
        {"hvals", 2, cmd_hvals},
        {"hdel", -3, cmd_hdel},
        {"hlen", 2, cmd_hlen},
        {"hexists", 3, cmd_hexists},
        {"hstrlen", 3, cmd_hstrlen},
        {"hincrby", 4, cmd_hincrby},
        {"hincrbyfloat", 4, cmd_hincrbyfloat},
        {"hscan", -3, cmd_hscan},
        {"hrandfield", -2, cmd_hrandfield},
        {"del", -2, cmd_del},
        {"unlink", -2, cmd_del},
        {"exists", -2, cmd_exists},
        {"type", 2, cmd_type},
        {"scan", -2, cmd_scan},
        {"keys", 2, cmd_keys},
        {"rename", 3, cmd_rename},
        {"renamenx", 3, cmd_renamenx},
        {"copy", -3, cmd_copy},
        {"dbsize", 1, cmd_dbsize},
        {"flushall", -1, cmd_flushall},
        {"flushdb", -1, cmd_flushall},
        {"randomkey", 1, cmd_randomkey},
        {"ping", -1, cmd_ping},
        {"echo", 2, cmd_echo},
        {"config", -2, nullptr, &kConfigSubcommands},
        {"object", -2, nullptr, &kObjectSubcommands},
        {"memory", -2, nullptr, &kMemorySubcommands},
    };
    for (const Command& c : all) t->emplace(c.name, c);
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
      absl::StrAppend(&quoted, "'", args[i].substr(0, 128 - quoted.size()), "' ");
    }
    return Reply::error(absl::StrCat("ERR unknown command '", args[0].substr(0, 128),
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
      return Reply::error(absl::StrCat("ERR unknown subcommand '", args[1].substr(0, 128),
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
