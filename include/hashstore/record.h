// hashstore::Record<T>: typed records — declare once which members of a
// struct map to which hash fields, then write a struct into a hash and read
// a hash back into a struct (what go-redis users know as struct scanning).
//
//   struct User { std::string name; int64_t age = 0; bool admin = false; };
//   const auto kUser = hashstore::Record<User>()
//                          .field("name", &User::name)
//                          .field("age", &User::age)
//                          .field("admin", &User::admin);
//   kUser.write(store, "user:1", User{"Alice", 30, true});   // one HSET
//   absl::StatusOr<User> u = kUser.read(store, "user:1");    // one HMGET
//
// Member types: std::string, int64_t, int32_t, double, bool. Encoding in the
// hash: integers in decimal (they parse as Redis's HINCRBY does, so counters
// can be updated with hincrby), doubles with 17 significant digits (exact
// round trip), bools as "1" / "0" ("true" / "false" also read).
//
// read(): a missing key is NotFound("no such key: <key>"); a missing field
// leaves the member as the default-constructed T has it; a field that does
// not parse is InvalidArgument naming it: "field 'age' of 'user:1': 'abc' is
// not an integer". A Record is immutable after set-up and safe to share
// between threads; reading and writing are single Store calls, so atomic.
#ifndef HASHSTORE_RECORD_H_
#define HASHSTORE_RECORD_H_

#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 202002L
#error "hashstore needs C++20: compile with -std=c++20 (MSVC: /std:c++20)"
#else

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include <hashstore/store.h>

namespace hashstore {

namespace internal::record {
// Text forms of member values (record.cc). parse_* return false when the
// text is not a value of that type.
std::string format(int64_t v);
std::string format(double v);
std::string format(bool v);
bool parse(std::string_view s, int64_t* out);
bool parse(std::string_view s, double* out);
bool parse(std::string_view s, bool* out);
const char* type_name(const int64_t*);
const char* type_name(const double*);
const char* type_name(const bool*);
}  // namespace internal::record

template <class T>
class Record {
 public:
  Record& field(std::string name, std::string T::*member) {
    fields_.push_back({std::move(name), [member](const T& t) { return t.*member; },
                       [member](T& t, std::string_view v) -> const char* {
                         t.*member = std::string(v);
                         return nullptr;
                       }});
    return *this;
  }
  Record& field(std::string name, int64_t T::*member) { return typed(std::move(name), member); }
  Record& field(std::string name, double T::*member) { return typed(std::move(name), member); }
  Record& field(std::string name, bool T::*member) { return typed(std::move(name), member); }
  Record& field(std::string name, int32_t T::*member) {
    fields_.push_back({std::move(name),
                       [member](const T& t) {
                         return internal::record::format(static_cast<int64_t>(t.*member));
                       },
                       [member](T& t, std::string_view v) -> const char* {
                         int64_t x;
                         if (!internal::record::parse(v, &x) || x < INT32_MIN || x > INT32_MAX) {
                           return "a 32-bit integer";
                         }
                         t.*member = static_cast<int32_t>(x);
                         return nullptr;
                       }});
    return *this;
  }

  // Writes every declared field of value into the hash at key (one HSET;
  // other fields of the hash are left as they are).
  absl::Status write(Store& store, std::string_view key, const T& value) const {
    std::vector<std::string> texts;
    texts.reserve(fields_.size());
    for (const Field& f : fields_) texts.push_back(f.get(value));
    std::vector<FieldValue> pairs;
    pairs.reserve(fields_.size());
    for (size_t i = 0; i < fields_.size(); ++i) pairs.emplace_back(fields_[i].name, texts[i]);
    return store.hset(key, pairs).status();
  }

  // Reads the hash at key into a T (one HMGET); see the top of the file.
  absl::StatusOr<T> read(Store& store, std::string_view key) const {
    std::vector<std::string_view> names;
    names.reserve(fields_.size());
    for (const Field& f : fields_) names.emplace_back(f.name);
    auto values = store.hmget(key, names);
    bool any = false;
    T out{};
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (!values[i]) continue;
      any = true;
      if (const char* want = fields_[i].set(out, *values[i])) {
        return absl::InvalidArgumentError("field '" + fields_[i].name + "' of '" +
                                          std::string(key) + "': '" + *values[i] + "' is not " +
                                          want);
      }
    }
    if (!any && store.exists({key}) == 0) {
      return absl::NotFoundError("no such key: " + std::string(key));
    }
    return out;
  }

 private:
  struct Field {
    std::string name;
    std::function<std::string(const T&)> get;
    // Parses into the member; returns nullptr, or what the text should have been.
    std::function<const char*(T&, std::string_view)> set;
  };

  template <class M>
  Record& typed(std::string name, M T::*member) {
    fields_.push_back({std::move(name),
                       [member](const T& t) { return internal::record::format(t.*member); },
                       [member](T& t, std::string_view v) -> const char* {
                         M x;
                         if (!internal::record::parse(v, &x)) {
                           return internal::record::type_name(static_cast<const M*>(nullptr));
                         }
                         t.*member = x;
                         return nullptr;
                       }});
    return *this;
  }

  std::vector<Field> fields_;
};

}  // namespace hashstore

#endif  // C++20
#endif  // HASHSTORE_RECORD_H_
