// Example: configuration. A nested settings tree (booleans, integers,
// floats, strings, lists, maps) is flattened into one hash with dotted field
// names ("db.replicas[1].port"), read back with HGETALL, rebuilt, and
// compared with the original: the round trip is exact because each value
// carries its type ("b:", "i:", "d:", "s:"; "l:" and "m:" mark empty
// containers).
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <hashstore/store.h>

struct Setting;
using List = std::vector<Setting>;
using Map = std::map<std::string, Setting>;
struct Setting {
  std::variant<bool, int64_t, double, std::string, List, Map> v;
  bool operator==(const Setting& o) const { return v == o.v; }
};

void flatten(const Setting& s, const std::string& path, std::vector<std::pair<std::string, std::string>>* out) {
  if (auto* b = std::get_if<bool>(&s.v)) out->emplace_back(path, *b ? "b:true" : "b:false");
  if (auto* i = std::get_if<int64_t>(&s.v)) out->emplace_back(path, "i:" + std::to_string(*i));
  if (auto* d = std::get_if<double>(&s.v)) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "d:%.17g", *d);
    out->emplace_back(path, buf);
  }
  if (auto* str = std::get_if<std::string>(&s.v)) out->emplace_back(path, "s:" + *str);
  if (auto* l = std::get_if<List>(&s.v)) {
    if (l->empty()) out->emplace_back(path, "l:");
    for (size_t i = 0; i < l->size(); ++i) flatten((*l)[i], path + "[" + std::to_string(i) + "]", out);
  }
  if (auto* m = std::get_if<Map>(&s.v)) {
    if (m->empty()) out->emplace_back(path, "m:");
    for (const auto& [k, child] : *m) flatten(child, path.empty() ? k : path + "." + k, out);
  }
}

// Puts value at path (segments "name" or "[index]") under root.
void insert(Setting& root, const std::string& path, const std::string& value) {
  Setting* node = &root;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '[') {
      const size_t close = path.find(']', i);
      const size_t index = std::strtoul(path.c_str() + i + 1, nullptr, 10);
      if (!std::holds_alternative<List>(node->v)) node->v = List{};
      auto& list = std::get<List>(node->v);
      if (list.size() <= index) list.resize(index + 1);
      node = &list[index];
      i = close + 1;
    } else {
      if (path[i] == '.') ++i;
      size_t end = path.find_first_of(".[", i);
      if (end == std::string::npos) end = path.size();
      if (!std::holds_alternative<Map>(node->v)) node->v = Map{};
      node = &std::get<Map>(node->v)[path.substr(i, end - i)];
      i = end;
    }
  }
  const std::string body = value.substr(2);
  switch (value[0]) {
    case 'b': node->v = body == "true"; break;
    case 'i': node->v = static_cast<int64_t>(std::strtoll(body.c_str(), nullptr, 10)); break;
    case 'd': node->v = std::strtod(body.c_str(), nullptr); break;
    case 's': node->v = body; break;
    case 'l': node->v = List{}; break;
    default: node->v = Map{}; break;
  }
}

int main() {
  std::puts("== configuration as a flat hash");
  const Setting config{Map{
      {"service", Setting{Map{{"name", Setting{std::string("checkout")}},
                              {"debug", Setting{false}},
                              {"timeout_s", Setting{2.5}},
                              {"tags", Setting{List{Setting{std::string("eu")}, Setting{std::string("prod")}}}}}}},
      {"db", Setting{Map{{"primary", Setting{std::string("db1:5432")}},
                         {"pool", Setting{int64_t{16}}},
                         {"replicas", Setting{List{Setting{Map{{"host", Setting{std::string("db2")}},
                                                               {"port", Setting{int64_t{5433}}}}},
                                                   Setting{Map{{"host", Setting{std::string("db3")}},
                                                               {"port", Setting{int64_t{5434}}}}}}}},
                         {"options", Setting{Map{}}}}}},
      {"features", Setting{List{}}},
  }};
  std::vector<std::pair<std::string, std::string>> fields;
  flatten(config, "", &fields);
  hashstore::Store store;
  std::vector<hashstore::FieldValue> pairs(fields.begin(), fields.end());
  (void)store.hset("config:checkout", pairs);
  for (const auto& [f, v] : fields) std::printf("  %-22s %s\n", f.c_str(), v.c_str());

  (void)store.hset("config:checkout", "db.pool", "i:32");  // change one setting in place
  Setting back;
  for (const auto& [f, v] : store.hgetall("config:checkout")) insert(back, f, v);
  const int64_t pool = std::get<int64_t>(std::get<Map>(std::get<Map>(back.v).at("db").v).at("pool").v);
  std::printf("read back %zu fields; db.pool is now %lld\n", fields.size(), static_cast<long long>(pool));
  (void)store.hset("config:checkout", "db.pool", "i:16");
  Setting again;
  for (const auto& [f, v] : store.hgetall("config:checkout")) insert(again, f, v);
  const bool same = again == config;
  std::printf("after restoring db.pool the rebuilt tree is %s the original\n",
              same ? "identical to" : "DIFFERENT from");
  return same ? 0 : 1;
}
