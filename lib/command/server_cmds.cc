// PING, ECHO, CONFIG: the server commands hashstore has.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "command/command.h"
#include "command/command_util.h"
#include "persist/persist_state.h"
#include "store/store_impl.h"
#include "store/store_internal.h"
#include "util/glob_match.h"
#include "util/number.h"
#include "util/absl_view.h"

namespace hashstore::internal {

namespace {

Reply cmd_ping(Store&, Args a) {
  if (a.size() > 2) return arity_error("ping");
  return a.size() == 2 ? Reply::bulk(a[1]) : Reply::status("PONG");
}

Reply cmd_echo(Store&, Args a) { return Reply::bulk(a[1]); }

// CONFIG parameters hashstore has: canonical name, alias, accessors.
// Numeric parameters have get/set; string ones (dir, dbfilename,
// snapshot-format) have get_string/set_string instead, whose set checks only
// when apply is false and returns the text Redis puts after "CONFIG SET
// failed ... - ".
struct ConfigParam {
  const char* name;
  size_t (*get)(StoreImpl&);
  void (*set)(StoreImpl&, size_t);
  std::string (*get_string)(StoreImpl&) = nullptr;
  absl::Status (*set_string)(StoreImpl&, std::string_view, bool apply) = nullptr;
};

PersistState& persist(StoreImpl& i) { return i.extension<PersistState>(); }

// Redis's memtoull: an unsigned integer with an optional unit, b, k (1000),
// kb (1024), m, mb, g, gb, in any case.
bool parse_memory(std::string_view s, size_t* out) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  const std::string_view unit = s.substr(digits);
  static constexpr struct {
    const char* name;
    uint64_t mul;
  } kUnits[] = {{"", 1},         {"b", 1},           {"k", 1000},
                {"kb", 1024},    {"m", 1000 * 1000}, {"mb", 1024 * 1024},
                {"g", 1000 * 1000 * 1000}, {"gb", uint64_t{1024} * 1024 * 1024}};
  uint64_t mul = 0;
  for (const auto& u : kUnits) {
    if (iequals(unit, u.name)) mul = u.mul;
  }
  uint64_t v;
  if (mul == 0 || digits == 0 || !parse_uint64(s.substr(0, digits), &v)) return false;
  if (v > UINT64_MAX / mul) return false;
  *out = static_cast<size_t>(v * mul);
  return true;
}

constexpr struct {
  const char* name;
  EvictionPolicy policy;
} kPolicies[] = {{"volatile-lru", EvictionPolicy::kVolatileLru},
                 {"volatile-lfu", EvictionPolicy::kVolatileLfu},
                 {"volatile-random", EvictionPolicy::kVolatileRandom},
                 {"volatile-ttl", EvictionPolicy::kVolatileTtl},
                 {"allkeys-lru", EvictionPolicy::kAllKeysLru},
                 {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
                 {"allkeys-random", EvictionPolicy::kAllKeysRandom},
                 {"noeviction", EvictionPolicy::kNoEviction}};

}  // namespace

const char* policy_name(EvictionPolicy p) {
  for (const auto& e : kPolicies) {
    if (e.policy == p) return e.name;
  }
  return "noeviction";
}

namespace {

absl::Status set_maxmemory(StoreImpl& i, std::string_view v, bool apply) {
  size_t bytes;
  if (!parse_memory(v, &bytes)) return absl::InvalidArgumentError("argument must be a memory value");
  if (apply) i.set_maxmemory(bytes);
  return absl::OkStatus();
}

absl::Status set_policy(StoreImpl& i, std::string_view v, bool apply) {
  for (const auto& e : kPolicies) {
    if (iequals(v, e.name)) {
      if (apply) i.set_policy(e.policy);
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
      "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
}

absl::Status set_samples(StoreImpl& i, std::string_view v, bool apply) {
  int64_t n;
  if (!parse_int64(v, &n)) return absl::InvalidArgumentError("argument couldn't be parsed into an integer");
  if (n < 1 || n > 64) return absl::InvalidArgumentError("argument must be between 1 and 64 inclusive");
  if (apply) i.set_samples(static_cast<int>(n));
  return absl::OkStatus();
}

CommandStats& cstats(StoreImpl& i) { return i.command_stats(); }

// A CONFIG SET integer in [min, max], with Redis's texts.
absl::Status int_in_range(std::string_view v, int64_t min, int64_t max, int64_t* out) {
  if (!parse_int64(v, out)) return absl::InvalidArgumentError("argument couldn't be parsed into an integer");
  if (*out < min || *out > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("argument must be between ", min, " and ", max, " inclusive"));
  }
  return absl::OkStatus();
}

absl::Status set_slower_than(StoreImpl& i, std::string_view v, bool apply) {
  int64_t n;
  if (absl::Status st = int_in_range(v, -1, INT64_MAX, &n); !st.ok()) return st;
  if (apply) cstats(i).set_slowlog_log_slower_than(n);
  return absl::OkStatus();
}

absl::Status set_slowlog_max_len(StoreImpl& i, std::string_view v, bool apply) {
  int64_t n;
  if (absl::Status st = int_in_range(v, 0, INT64_MAX, &n); !st.ok()) return st;
  if (apply) cstats(i).set_slowlog_max_len(static_cast<uint64_t>(n));
  return absl::OkStatus();
}

absl::Status set_monitor_threshold(StoreImpl& i, std::string_view v, bool apply) {
  int64_t n;
  if (absl::Status st = int_in_range(v, 0, INT64_MAX, &n); !st.ok()) return st;
  if (apply) cstats(i).set_latency_monitor_threshold(static_cast<uint64_t>(n));
  return absl::OkStatus();
}

absl::Status set_latency_tracking(StoreImpl& i, std::string_view v, bool apply) {
  if (!iequals(v, "yes") && !iequals(v, "no")) {
    return absl::InvalidArgumentError("argument must be 'yes' or 'no'");
  }
  if (apply) cstats(i).set_latency_tracking(iequals(v, "yes"));
  return absl::OkStatus();
}

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
      {"maxmemory", nullptr, nullptr, [](StoreImpl& i) { return std::to_string(i.maxmemory()); },
       set_maxmemory},
      {"maxmemory-policy", nullptr, nullptr,
       [](StoreImpl& i) { return std::string(policy_name(i.policy())); }, set_policy},
      {"maxmemory-samples", nullptr, nullptr,
       [](StoreImpl& i) { return std::to_string(i.samples()); }, set_samples},
      {"dir", nullptr, nullptr, [](StoreImpl& i) { return persist(i).dir(); },
       [](StoreImpl& i, std::string_view v, bool apply) { return persist(i).set_dir(v, apply); }},
      {"dbfilename", nullptr, nullptr, [](StoreImpl& i) { return persist(i).dbfilename(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).set_dbfilename(v, apply);
       }},
      {"snapshot-format", nullptr, nullptr,
       [](StoreImpl& i) { return persist(i).snapshot_format(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).set_snapshot_format(v, apply);
       }},
      // The append-only log (lib/persist/aof_state.h).
      {"appendonly", nullptr, nullptr, [](StoreImpl& i) { return persist(i).aof().appendonly(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).aof().set_appendonly(v, apply);
       }},
      {"appendfsync", nullptr, nullptr, [](StoreImpl& i) { return persist(i).aof().appendfsync(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).aof().set_appendfsync(v, apply);
       }},
      {"appendfilename", nullptr, nullptr,
       [](StoreImpl& i) { return persist(i).aof().appendfilename(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).aof().set_appendfilename(v, apply);
       }},
      {"aof-load-truncated", nullptr, nullptr,
       [](StoreImpl& i) { return persist(i).aof().load_truncated(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).aof().set_load_truncated(v, apply);
       }},
      {"auto-aof-rewrite-percentage", nullptr, nullptr,
       [](StoreImpl& i) { return persist(i).aof().rewrite_percentage(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).aof().set_rewrite_percentage(v, apply);
       }},
      {"auto-aof-rewrite-min-size", nullptr, nullptr,
       [](StoreImpl& i) { return persist(i).aof().rewrite_min_size(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).aof().set_rewrite_min_size(v, apply);
       }},
      {"slowlog-log-slower-than", nullptr, nullptr,
       [](StoreImpl& i) { return std::to_string(cstats(i).slowlog_log_slower_than()); },
       set_slower_than},
      {"slowlog-max-len", nullptr, nullptr,
       [](StoreImpl& i) { return std::to_string(cstats(i).slowlog_max_len()); },
       set_slowlog_max_len},
      {"latency-monitor-threshold", nullptr, nullptr,
       [](StoreImpl& i) { return std::to_string(cstats(i).latency_monitor_threshold()); },
       set_monitor_threshold},
      {"latency-tracking", nullptr, nullptr,
       [](StoreImpl& i) { return std::string(cstats(i).latency_tracking() ? "yes" : "no"); },
       set_latency_tracking},
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
  std::vector<const ConfigParam*> seen;
  auto add = [&](const ConfigParam& p, std::string_view shown) {
    for (const ConfigParam* q : seen) {
      if (q == &p) return;
    }
    seen.push_back(&p);
    out.push_back(Reply::bulk(shown));
    out.push_back(Reply::bulk(p.get_string ? p.get_string(impl) : std::to_string(p.get(impl))));
  };
  for (size_t i = 2; i < a.size(); ++i) {
    // As Redis 7.0: a name without glob characters is looked up directly
    // and replied under the spelling given; a pattern replies canonical names.
    if (a[i].find_first_of("[*?") == std::string_view::npos) {
      if (const ConfigParam* p = find_param(a[i])) add(*p, a[i]);
      continue;
    }
    for (const ConfigParam& p : config_params()) {
      if (glob_match(a[i], p.name, /*nocase=*/true)) add(p, p.name);
    }
  }
  return Reply::array(std::move(out));
}

Reply cmd_config_set(Store& s, Args a) {
  if (a.size() % 2 != 0) return arity_error("config|set");
  StoreImpl& impl = StoreInternal::impl(s);
  // Validate every pair before applying any (Redis applies all or nothing).
  std::vector<std::pair<const ConfigParam*, size_t>> updates;
  std::vector<std::pair<const ConfigParam*, std::string_view>> strings;
  for (size_t i = 2; i + 1 < a.size(); i += 2) {
    const ConfigParam* p = find_param(a[i]);
    if (p == nullptr) {
      return Reply::error(
          absl::StrCat("ERR Unknown option or number of arguments for CONFIG SET - '", to_absl(a[i]), "'"));
    }
    int64_t v;
    const std::string prefix =
        absl::StrCat("ERR CONFIG SET failed (possibly related to argument '", to_absl(a[i]), "') - ");
    if (p->set_string != nullptr) {
      if (absl::Status st = p->set_string(impl, a[i + 1], /*apply=*/false); !st.ok()) {
        return Reply::error(absl::StrCat(prefix, st.message()));
      }
      strings.emplace_back(p, a[i + 1]);
      continue;
    }
    if (!parse_int64(a[i + 1], &v)) {
      return Reply::error(prefix + "argument couldn't be parsed into an integer");
    }
    if (v < 0) {
      return Reply::error(prefix + "argument must be between 0 and 9223372036854775807 inclusive");
    }
    updates.emplace_back(p, static_cast<size_t>(v));
  }
  for (auto& [p, v] : updates) p->set(impl, v);
  // Checked above; a directory removed in between is the only way to fail.
  for (auto& [p, v] : strings) {
    if (absl::Status st = p->set_string(impl, v, /*apply=*/true); !st.ok()) {
      return Reply::error(absl::StrCat("ERR CONFIG SET failed (possibly related to argument '",
                                       p->name, "') - ", st.message()));
    }
  }
  return Reply::ok();
}

// CONFIG RESETSTAT: the per-command figures, error counts and latency
// histograms back to zero (Redis also keeps its slowlog and latency
// monitor). keyspace_hits/misses, expired and evicted counts live in the
// shards and stay.
Reply cmd_config_resetstat(Store& s, Args) {
  StoreInternal::impl(s).command_stats().reset();
  return Reply::ok();
}

Reply cmd_config_help(Store&, Args) {
  return help_reply("CONFIG", {"GET <pattern>",
                               "    Return parameters matching the glob-like <pattern> and their values.",
                               "SET <directive> <value>",
                               "    Set the configuration <directive> to <value>.", "RESETSTAT",
                               "    Reset statistics reported by the INFO command.", "REWRITE",
                               "    Rewrite the configuration file."});
}

const std::vector<Command> kConfigSubcommands = {
    {"config|get", -3, cmd_config_get, kNoKeys},
    {"config|set", -4, cmd_config_set, kNoKeys},
    {"config|resetstat", 2, cmd_config_resetstat, kNoKeys},
    {"config|help", 2, cmd_config_help, kNoKeys},
};

}  // namespace

std::vector<Command> server_commands() {
  return {
      {"ping", -1, cmd_ping, kNoKeys},
      {"echo", 2, cmd_echo, kNoKeys},
      {"config", -2, nullptr, kNoKeys, 0, &kConfigSubcommands},
  };
}

}  // namespace hashstore::internal
