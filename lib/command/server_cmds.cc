// PING, ECHO, CONFIG: the server commands hashstore has.
#include "absl/strings/str_cat.h"
#include "command/command.h"
#include "command/command_util.h"
#include "persist/persist_state.h"
#include "store/store_impl.h"
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
// Numeric parameters have get/set; string ones (dir, dbfilename) have
// get_string/set_string instead, whose set checks only when apply is false
// and returns the text Redis puts after "CONFIG SET failed ... - ".
struct ConfigParam {
  const char* name;
  size_t (*get)(StoreImpl&);
  void (*set)(StoreImpl&, size_t);
  std::string (*get_string)(StoreImpl&) = nullptr;
  absl::Status (*set_string)(StoreImpl&, std::string_view, bool apply) = nullptr;
};

PersistState& persist(StoreImpl& i) { return i.extension<PersistState>(); }

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
      {"dir", nullptr, nullptr, [](StoreImpl& i) { return persist(i).dir(); },
       [](StoreImpl& i, std::string_view v, bool apply) { return persist(i).set_dir(v, apply); }},
      {"dbfilename", nullptr, nullptr, [](StoreImpl& i) { return persist(i).dbfilename(); },
       [](StoreImpl& i, std::string_view v, bool apply) {
         return persist(i).set_dbfilename(v, apply);
       }},
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

Reply cmd_config_resetstat(Store&, Args) { return Reply::ok(); }

const std::vector<Command> kConfigSubcommands = {
    {"config|get", -3, cmd_config_get, kNoKeys},
    {"config|set", -4, cmd_config_set, kNoKeys},
    {"config|resetstat", 2, cmd_config_resetstat, kNoKeys},
};

}  // namespace

std::vector<Command> server_commands() {
  return {
      {"ping", -1, cmd_ping, kNoKeys},
      {"echo", 2, cmd_echo, kNoKeys},
      {"config", -2, nullptr, kNoKeys, &kConfigSubcommands},
  };
}

}  // namespace hashstore::internal
