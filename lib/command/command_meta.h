// What COMMAND INFO and COMMAND DOCS say about each command beyond the
// command table (command_util.h): Redis's flags, ACL categories, key
// specifications and documentation, generated from redis-server 7.0 by
// tools/gen_command_meta.py (command_meta.cc).
#ifndef HASHSTORE_COMMAND_COMMAND_META_H_
#define HASHSTORE_COMMAND_COMMAND_META_H_

#include <algorithm>
#include <string_view>
#include <vector>

namespace hashstore::internal {

// A key specification of the "index" begin-search and "range" find-keys
// kinds (the only ones hashstore's commands use).
struct KeySpecMeta {
  const char* flags;  // space-separated: "RW update"
  int begin_index;
  int lastkey;
  int keystep;
  int limit;
};

struct CommandMeta {
  const char* name;   // lower case, "container|sub"
  const char* flags;  // space-separated: "write denyoom fast"
  const char* acl;    // space-separated: "@write @hash @fast"
  const char* tips;   // space-separated: "nondeterministic_output"
  std::vector<KeySpecMeta> key_specs;
  const char* summary;
  const char* since;
  const char* group;
  const char* complexity;
};

// Every command's metadata, sorted by name.
const std::vector<CommandMeta>& command_meta();

// The metadata of `name` (lower case, "container|sub"), or nullptr.
inline const CommandMeta* find_command_meta(std::string_view name) {
  const std::vector<CommandMeta>& all = command_meta();
  auto it = std::lower_bound(all.begin(), all.end(), name,
                             [](const CommandMeta& m, std::string_view n) { return m.name < n; });
  return it != all.end() && it->name == name ? &*it : nullptr;
}

// Whether a space-separated list (CommandMeta::flags, acl, tips) holds `word`.
inline bool has_word(std::string_view spaced, std::string_view word) {
  for (size_t at = 0; at <= spaced.size();) {
    const size_t end = std::min(spaced.find(' ', at), spaced.size());
    if (spaced.substr(at, end - at) == word) return true;
    at = end + 1;
  }
  return false;
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_COMMAND_COMMAND_META_H_
