// Tests of lib/hash (HashObject and the hash commands of hash_commands.h)
// on their own, over a minimal HashStorage: no keyspace, no Store. Both
// encodings, the one-way conversion at Redis's thresholds (the 513th field,
// a 65-byte field or value), set/find/erase, increments and field TTLs.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "hash/hash_commands.h"
#include "hash/hash_object.h"

namespace {

// "f<i>" (appended, not "f" + std::to_string(i): GCC 12 warns falsely,
// -Wrestrict, on that operator+ once inlined).
std::string field_name(int i) { return std::string("f").append(std::to_string(i)); }

using hashstore::internal::FieldBounds;
using hashstore::internal::FieldTable;
using hashstore::internal::HashEncoding;
using hashstore::internal::HashLimits;
using hashstore::internal::HashObject;
using hashstore::internal::HashStorage;
using hashstore::internal::ValueBuffer;
namespace lp = hashstore::internal::lp;

// A hash's bytes on their own: a malloc'd listpack, then the table it
// converts to. What a key entry does, minus the key.
class TestStorage final : public HashStorage {
 public:
  TestStorage() : lp_(static_cast<uint8_t*>(std::malloc(hashstore::internal::kLpEmptySize))) { lp::init(lp_); }
  ~TestStorage() { std::free(lp_); }
  TestStorage(const TestStorage&) = delete;
  TestStorage& operator=(const TestStorage&) = delete;

  HashEncoding encoding() const override {
    return table_ ? HashEncoding::kTable : HashEncoding::kListpack;
  }
  uint8_t* listpack() override { return lp_; }
  uint8_t* resize_listpack(size_t new_size) override {
    lp_ = static_cast<uint8_t*>(std::realloc(lp_, new_size));
    return lp_;
  }
  FieldTable* table() override { return table_.get(); }
  void adopt_table(std::unique_ptr<FieldTable> table) override {
    std::free(lp_);
    lp_ = nullptr;
    table_ = std::move(table);
  }
  bool has_field_ttls() const override { return field_ttls_; }
  void enable_field_ttls() override { field_ttls_ = true; }
  FieldBounds field_bounds() const override { return bounds_; }
  void set_field_bounds(FieldBounds bounds) override { bounds_ = bounds; }

 private:
  uint8_t* lp_;
  std::unique_ptr<FieldTable> table_;
  bool field_ttls_ = false;
  FieldBounds bounds_;
};

std::optional<std::string> get(const HashObject& h, std::string_view field) {
  ValueBuffer buf;
  std::string_view v;
  if (!h.find(field, &buf, &v)) return std::nullopt;
  return std::string(v);
}

std::map<std::string, std::string> contents(const HashObject& h) {
  std::map<std::string, std::string> out;
  h.for_each([&](std::string_view f, std::string_view v) { out.emplace(f, v); });
  return out;
}

// A hash over a TestStorage, with the default limits (512 entries, 64 bytes).
struct HashFixture {
  HashLimits limits;
  TestStorage storage;
  HashObject h{storage, limits};
};

// Runs the rest of the test case twice (doctest subcases): on a listpack
// hash, then on one converted to a table first. True on the table run.
bool each_encoding(HashObject& h) {
  bool table = false;
  SUBCASE("listpack") {}
  SUBCASE("table") {
    h.convert_to_table();
    table = true;
  }
  return table;
}

}  // namespace

TEST_CASE_FIXTURE(HashFixture, "HashObject: set, find, erase and length on both encodings") {
  const bool table = each_encoding(h);
  CHECK(h.encoding() == (table ? HashEncoding::kTable : HashEncoding::kListpack));
  CHECK(h.empty());
  CHECK(h.set("name", "Ann"));
  CHECK(h.set("n", "-42"));  // stored as an integer in a listpack
  CHECK(h.set("", ""));      // empty field and value are fields like any other
  CHECK_FALSE(h.set("name", "Bob"));  // an update is not a new field
  CHECK(h.length() == 3);
  CHECK(get(h, "name") == "Bob");
  CHECK(get(h, "n") == "-42");
  CHECK(get(h, "") == "");
  CHECK(get(h, "missing") == std::nullopt);
  CHECK(h.erase("n"));
  CHECK_FALSE(h.erase("n"));
  CHECK(h.length() == 2);
  CHECK(contents(h) == std::map<std::string, std::string>{{"", ""}, {"name", "Bob"}});
  // Deletions never convert.
  CHECK(h.encoding() == (table ? HashEncoding::kTable : HashEncoding::kListpack));
  CHECK(h.erase("name"));
  CHECK(h.erase(""));
  CHECK(h.empty());
}

TEST_CASE_FIXTURE(HashFixture, "HashObject: a listpack keeps insertion order, updates in place") {
  for (const char* f : {"c", "a", "b"}) REQUIRE(h.set(f, "1"));
  REQUIRE_FALSE(h.set("a", "2"));
  std::vector<std::string> order;
  h.for_each([&](std::string_view f, std::string_view) { order.emplace_back(f); });
  CHECK(order == std::vector<std::string>{"c", "a", "b"});
}

TEST_CASE_FIXTURE(HashFixture, "HashObject: converts to a table at Redis's thresholds, once") {
  SUBCASE("the 513th field") {
    for (int i = 0; i < 512; ++i) REQUIRE(h.set(field_name(i), std::to_string(i)));
    CHECK(h.encoding() == HashEncoding::kListpack);
    CHECK(h.set("f512", "512"));
    CHECK(h.encoding() == HashEncoding::kTable);
    CHECK(h.length() == 513);
    for (int i = 0; i <= 512; ++i) {
      CAPTURE(i);
      CHECK(get(h, field_name(i)) == std::to_string(i));
    }
    // It never converts back, even when it shrinks under the threshold.
    for (int i = 0; i < 510; ++i) REQUIRE(h.erase(field_name(i)));
    CHECK(h.encoding() == HashEncoding::kTable);
    CHECK(h.length() == 3);
  }
  SUBCASE("a value of 65 bytes (64 stays)") {
    REQUIRE(h.set("a", std::string(64, 'x')));
    CHECK(h.encoding() == HashEncoding::kListpack);
    REQUIRE(h.set("b", std::string(65, 'y')));
    CHECK(h.encoding() == HashEncoding::kTable);
    CHECK(get(h, "a") == std::string(64, 'x'));
    CHECK(get(h, "b") == std::string(65, 'y'));
  }
  SUBCASE("a field name of 65 bytes") {
    REQUIRE(h.set("a", "1"));
    REQUIRE(h.set(std::string(65, 'f'), "2"));
    CHECK(h.encoding() == HashEncoding::kTable);
    CHECK(get(h, std::string(65, 'f')) == "2");
    CHECK(get(h, "a") == "1");
  }
  SUBCASE("a lowered limit converts on the next write, even an update") {
    REQUIRE(h.set("a", "1"));
    REQUIRE(h.set("b", "2"));
    limits.max_listpack_entries = 1;
    CHECK(h.encoding() == HashEncoding::kListpack);
    CHECK_FALSE(h.set("a", "3"));
    CHECK(h.encoding() == HashEncoding::kTable);
    CHECK(contents(h) == std::map<std::string, std::string>{{"a", "3"}, {"b", "2"}});
  }
}

TEST_CASE_FIXTURE(HashFixture, "hash_incrby and hash_incrbyfloat on a HashObject") {
  each_encoding(h);
  CHECK(hashstore::internal::hash_incrby(h, "n", 5).value() == 5);  // missing counts as 0
  CHECK(hashstore::internal::hash_incrby(h, "n", -7).value() == -2);
  CHECK(get(h, "n") == "-2");
  REQUIRE(h.set("max", std::to_string(INT64_MAX)));
  auto overflow = hashstore::internal::hash_incrby(h, "max", 1);
  CHECK(overflow.status().message() == "ERR increment or decrement would overflow");
  CHECK(get(h, "max") == std::to_string(INT64_MAX));  // unchanged on error
  REQUIRE(h.set("s", "abc"));
  CHECK(hashstore::internal::hash_incrby(h, "s", 1).status().message() ==
        "ERR hash value is not an integer");
  CHECK(hashstore::internal::hash_incrbyfloat(h, "f", 10.5L).value() == "10.5");
  CHECK(hashstore::internal::hash_incrbyfloat(h, "f", 0.1L).value() == "10.6");
  CHECK(hashstore::internal::hash_incrbyfloat(h, "s", 1).status().message() ==
        "ERR hash value is not a float");
  CHECK(h.length() == 4);
}

TEST_CASE_FIXTURE(HashFixture, "HashObject: field TTLs") {
  const bool table = each_encoding(h);
  REQUIRE(h.set("a", "1"));
  REQUIRE(h.set("b", "2"));
  REQUIRE(h.set("c", "3"));
  CHECK_FALSE(h.has_field_ttls());
  CHECK_FALSE(h.set_expiry("missing", 100));
  REQUIRE(h.set_expiry("a", 1000));
  REQUIRE(h.set_expiry("b", 2000));
  CHECK(h.has_field_ttls());
  CHECK(h.encoding() == (table ? HashEncoding::kTable : HashEncoding::kListpack));
  std::optional<int64_t> t;
  REQUIRE(h.find_expiry("a", &t));
  CHECK(t == 1000);
  REQUIRE(h.find_expiry("c", &t));
  CHECK(t == std::nullopt);
  CHECK_FALSE(h.find_expiry("missing", &t));
  // The owner is told the earliest TTL; c has none, so the hash never dies whole.
  CHECK(storage.field_bounds() == FieldBounds{1000, INT64_MAX});
  // A write without keep_ttl drops the field's TTL; with keep_ttl it stays.
  REQUIRE_FALSE(h.set("b", "22", /*keep_ttl=*/true));
  REQUIRE(h.find_expiry("b", &t));
  CHECK(t == 2000);
  // Removing a TTL.
  REQUIRE(h.set_expiry("a", std::nullopt));
  REQUIRE(h.find_expiry("a", &t));
  CHECK(t == std::nullopt);
  CHECK(storage.field_bounds().next_ms == 2000);
  // Expiry: nothing is due before 2000; at 2000 b goes, the others stay.
  CHECK(h.expire_fields(1999, 10) == 0);
  CHECK(h.expire_fields(2000, 10) == 1);
  CHECK(contents(h) == std::map<std::string, std::string>{{"a", "1"}, {"c", "3"}});
  CHECK(storage.field_bounds().next_ms == INT64_MAX);
}

TEST_CASE_FIXTURE(HashFixture, "HashObject: expire_fields stops at max and can empty the hash") {
  each_encoding(h);
  for (int i = 0; i < 5; ++i) {
    const std::string f = field_name(i);
    REQUIRE(h.set(f, "v"));
    REQUIRE(h.set_expiry(f, 100 + i));
  }
  CHECK(storage.field_bounds() == FieldBounds{100, 104});
  CHECK(h.expire_fields(1000, 2) == 2);
  CHECK(h.length() == 3);
  CHECK(h.expire_fields(1000, 10) == 3);
  CHECK(h.empty());
}
