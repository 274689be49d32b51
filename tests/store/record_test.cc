// Tests of typed records (include/hashstore/record.h, lib/store/record.cc).
#include <doctest/doctest.h>

#include <string>

#include <hashstore/record.h>
#include <hashstore/store.h>

namespace {

struct User {
  std::string name;
  int64_t logins = 0;
  int32_t age = 0;
  double balance = 0;
  bool admin = false;
};

const hashstore::Record<User>& user_record() {
  static const auto* r = new hashstore::Record<User>(hashstore::Record<User>()
                                                         .field("name", &User::name)
                                                         .field("logins", &User::logins)
                                                         .field("age", &User::age)
                                                         .field("balance", &User::balance)
                                                         .field("admin", &User::admin));
  return *r;
}

}  // namespace

TEST_CASE("Record::write and read round-trip") {
  hashstore::Store store;
  const User alice{"Alice", 41, 30, 19.99, true};
  REQUIRE(user_record().write(store, "user:1", alice).ok());
  CHECK(store.hget("user:1", "logins") == "41");
  CHECK(store.hget("user:1", "admin") == "1");
  CHECK(store.hincrby("user:1", "logins", 1).value() == 42);  // counters stay counters
  auto u = user_record().read(store, "user:1");
  REQUIRE(u.ok());
  CHECK(u->name == "Alice");
  CHECK(u->logins == 42);
  CHECK(u->age == 30);
  CHECK(u->balance == 19.99);  // 17 significant digits: exact
  CHECK(u->admin);
}

TEST_CASE("Record::read errors and defaults") {
  hashstore::Store store;
  SUBCASE("a missing key is NotFound") {
    auto u = user_record().read(store, "nobody");
    CHECK(u.status().code() == absl::StatusCode::kNotFound);
    CHECK(u.status().message() == "no such key: nobody");
  }
  SUBCASE("missing fields keep their defaults") {
    REQUIRE(store.hset("user:2", "name", "Bob").ok());
    auto u = user_record().read(store, "user:2");
    REQUIRE(u.ok());
    CHECK(u->name == "Bob");
    CHECK(u->logins == 0);
    CHECK_FALSE(u->admin);
  }
  SUBCASE("a field that does not parse is named") {
    REQUIRE(store.hset("user:3", {{"name", "Eve"}, {"age", "abc"}}).ok());
    auto u = user_record().read(store, "user:3");
    CHECK(u.status().message() == "field 'age' of 'user:3': 'abc' is not a 32-bit integer");
    REQUIRE(store.hset("user:3", {{"age", "3"}, {"admin", "yes"}}).ok());
    CHECK(user_record().read(store, "user:3").status().message() ==
          "field 'admin' of 'user:3': 'yes' is not a boolean (1/0/true/false)");
    REQUIRE(store.hset("user:3", {{"admin", "true"}, {"balance", " 1"}}).ok());
    CHECK(user_record().read(store, "user:3").status().message() ==
          "field 'balance' of 'user:3': ' 1' is not a number");
    REQUIRE(store.hset("user:3", {{"balance", "1e3"}, {"logins", "01"}}).ok());
    CHECK(user_record().read(store, "user:3").status().message() ==
          "field 'logins' of 'user:3': '01' is not an integer");
  }
}
