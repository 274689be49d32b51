// hashstore::Reply: the result of Store::execute(), shaped like a RESP2
// reply (status, error, integer, bulk string, nil, array) so that it maps
// one to one onto what redis-server sends and redis-cli prints.
//
// A Reply is a plain value: copyable, movable, owning all of its bytes. It is
// not synchronized; share it between threads only as a const object.
#ifndef HASHSTORE_REPLY_H_
#define HASHSTORE_REPLY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashstore {

class Reply {
 public:
  enum class Kind : uint8_t {
    kStatus,   // +OK: a simple status line (string())
    kError,    // -ERR ...: an error whose string() is Redis's full text
    kInteger,  // :42 (integer())
    kBulk,     // $n: a binary-safe string (string())
    kNil,      // $-1 / *-1: no value
    kArray,    // *n: elements()
  };

  // A nil reply.
  Reply() = default;

  static Reply status(std::string text) { return Reply(Kind::kStatus, std::move(text)); }
  static Reply ok() { return status("OK"); }
  // REQUIRES: text is Redis's error text, starting with its code ("ERR ...",
  // "WRONGTYPE ...", "OOM ...").
  static Reply error(std::string text) { return Reply(Kind::kError, std::move(text)); }
  static Reply integer(int64_t value) {
    Reply r;
    r.kind_ = Kind::kInteger;
    r.integer_ = value;
    return r;
  }
  static Reply bulk(std::string_view bytes) { return Reply(Kind::kBulk, std::string(bytes)); }
  static Reply bulk(std::string&& bytes) { return Reply(Kind::kBulk, std::move(bytes)); }
  static Reply bulk(const char* bytes) { return bulk(std::string_view(bytes)); }
  static Reply nil() { return Reply(); }
  static Reply array(std::vector<Reply> elements) {
    Reply r;
    r.kind_ = Kind::kArray;
    r.elements_ = std::move(elements);
    return r;
  }
  // An array of bulk strings.
  static Reply bulk_array(const std::vector<std::string>& items);

  Kind kind() const { return kind_; }
  bool is_error() const { return kind_ == Kind::kError; }
  bool is_nil() const { return kind_ == Kind::kNil; }

  // REQUIRES: kind() == kInteger.
  int64_t integer() const { return integer_; }
  // REQUIRES: kind() is kStatus, kError or kBulk.
  const std::string& string() const { return string_; }
  // REQUIRES: kind() == kArray.
  const std::vector<Reply>& elements() const { return elements_; }
  std::vector<Reply>& mutable_elements() { return elements_; }

  friend bool operator==(const Reply& a, const Reply& b) {
    return a.kind_ == b.kind_ && a.integer_ == b.integer_ && a.string_ == b.string_ &&
           a.elements_ == b.elements_;
  }

  // A one-line debugging form: "OK", "(error) ERR ...", "(integer) 1",
  // "\"bytes\"", "(nil)", "[a, b]". Not the redis-cli format (tools/cli has that).
  std::string debug_string() const;

 private:
  Reply(Kind kind, std::string s) : kind_(kind), string_(std::move(s)) {}

  Kind kind_ = Kind::kNil;
  int64_t integer_ = 0;
  std::string string_;
  std::vector<Reply> elements_;
};

}  // namespace hashstore

#endif  // HASHSTORE_REPLY_H_
