// What COMMAND INFO and COMMAND DOCS say about each command beyond the
// command table (command_util.h): Redis's flags, ACL categories, key
// specifications and documentation, generated from redis-server 7.0 by
// tools/gen_command_meta.py (command_meta.cc).
#ifndef HASHSTORE_COMMAND_COMMAND_META_H_
#define HASHSTORE_COMMAND_COMMAND_META_H_

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

}  // namespace hashstore::internal

#endif  // HASHSTORE_COMMAND_COMMAND_META_H_
