// KeyImage: everything observable about one key of a Store — encoding, key
// TTL, fields in order (sorted for a table, whose order is undefined), each
// field's TTL — to compare stores before and after a save and load.
#ifndef HASHSTORE_TESTS_PERSIST_KEY_IMAGE_H_
#define HASHSTORE_TESTS_PERSIST_KEY_IMAGE_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/store.h>

struct KeyImage {
  std::string encoding;
  int64_t expire;
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<int64_t> field_ttls;  // HPEXPIRETIME, in the order of fields
  bool operator==(const KeyImage&) const = default;
};

inline KeyImage image(hashstore::Store& s, const std::string& key) {
  KeyImage k;
  k.encoding = s.object_encoding(key).value_or("none");
  k.expire = s.pexpiretime(key);
  k.fields = s.hgetall(key);
  if (k.encoding == "hashtable") std::sort(k.fields.begin(), k.fields.end());
  std::vector<std::string_view> names;
  for (const auto& f : k.fields) names.push_back(f.first);
  k.field_ttls = s.hpexpiretime(key, names);
  return k;
}

// Every key's image, by name.
inline std::map<std::string, KeyImage> image_of(hashstore::Store& s) {
  std::map<std::string, KeyImage> out;
  for (const std::string& k : s.keys("*")) out[k] = image(s, k);
  return out;
}

#endif  // HASHSTORE_TESTS_PERSIST_KEY_IMAGE_H_
