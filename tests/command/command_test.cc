// Tests of Store::execute (lib/command): names, arity, argument parsing and
// Redis 7.0's error texts (each expected text was read off redis-server
// 7.0.15; tests/compat compares whole scripts with it).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <hashstore/store.h>

using hashstore::Reply;
using hashstore::Store;

namespace {

std::string err(const Reply& r) { return r.is_error() ? r.string() : "(not an error)"; }

}  // namespace

TEST_CASE("execute: names and arity") {
  Store store;
  SUBCASE("names are case-insensitive") {
    CHECK(store.execute({"hSeT", "k", "f", "v"}).integer() == 1);
    CHECK(store.execute({"HGET", "k", "f"}).string() == "v");
  }
  SUBCASE("unknown command quotes its arguments") {
    CHECK(err(store.execute({"foo", "a", "b"})) ==
          "ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
    CHECK(err(store.execute({"FOO"})) == "ERR unknown command 'FOO', with args beginning with: ");
  }
  SUBCASE("wrong arity") {
    CHECK(err(store.execute({"HSET", "k", "f"})) ==
          "ERR wrong number of arguments for 'hset' command");
    CHECK(err(store.execute({"hset", "k", "f", "v", "g"})) ==
          "ERR wrong number of arguments for 'hset' command");
    CHECK(err(store.execute({"HMSET", "k", "f", "v", "g"})) ==
          "ERR wrong number of arguments for 'hmset' command");
    CHECK(err(store.execute({"HGET", "k"})) == "ERR wrong number of arguments for 'hget' command");
    CHECK(err(store.execute({"ping", "a", "b"})) ==
          "ERR wrong number of arguments for 'ping' command");
    CHECK(err(store.execute({"config", "get"})) ==
          "ERR wrong number of arguments for 'config|get' command");
    CHECK(err(store.execute({"object"})) == "ERR wrong number of arguments for 'object' command");
    CHECK(err(store.execute({"memory", "usage"})) ==
          "ERR wrong number of arguments for 'memory|usage' command");
  }
  SUBCASE("unknown subcommand") {
    CHECK(err(store.execute({"object", "foo"})) == "ERR unknown subcommand 'foo'. Try OBJECT HELP.");
    CHECK(err(store.execute({"config", "foo"})) == "ERR unknown subcommand 'foo'. Try CONFIG HELP.");
  }
}

TEST_CASE("execute: hash commands") {
  Store store;
  SUBCASE("HINCRBY parses its increment strictly") {
    for (const char* bad : {"+1", "01", "-0", " 1", "1 ", "1.0", "", "9223372036854775808"}) {
      CAPTURE(bad);
      CHECK(err(store.execute({"HINCRBY", "k", "f", bad})) ==
            "ERR value is not an integer or out of range");
    }
    CHECK(store.exists({"k"}) == 0);
    CHECK(store.execute({"HINCRBY", "k", "f", "-9223372036854775808"}).integer() == INT64_MIN);
    CHECK(err(store.execute({"HINCRBY", "k", "f", "-1"})) ==
          "ERR increment or decrement would overflow");
  }
  SUBCASE("HINCRBYFLOAT") {
    CHECK(store.execute({"HINCRBYFLOAT", "k", "f", "3006.5"}).string() == "3006.5");
    CHECK(store.execute({"HINCRBYFLOAT", "k", "f", "0.001"}).string() == "3006.50099999999999989");
    CHECK(err(store.execute({"HINCRBYFLOAT", "k", "f", "inf"})) == "ERR value is NaN or Infinity");
    CHECK(err(store.execute({"HINCRBYFLOAT", "k", "f", "nan"})) == "ERR value is not a valid float");
    CHECK(err(store.execute({"HINCRBYFLOAT", "k", "f", " 1"})) == "ERR value is not a valid float");
    CHECK(store.execute({"HSET", "k", "s", "abc"}).integer() == 1);
    CHECK(err(store.execute({"HINCRBYFLOAT", "k", "s", "1"})) == "ERR hash value is not a float");
    CHECK(err(store.execute({"HINCRBY", "k", "s", "1"})) == "ERR hash value is not an integer");
    CHECK(store.execute({"HGET", "k", "s"}).string() == "abc");
  }
  SUBCASE("HRANDFIELD argument checks in Redis's order") {
    store.execute({"HSET", "h", "a", "1"});
    CHECK(err(store.execute({"HRANDFIELD", "h", "abc"})) ==
          "ERR value is not an integer or out of range");
    CHECK(err(store.execute({"HRANDFIELD", "h", "1", "foo"})) == "ERR syntax error");
    CHECK(err(store.execute({"HRANDFIELD", "h", "1", "withvalues", "x"})) == "ERR syntax error");
    CHECK(err(store.execute({"HRANDFIELD", "h", "4611686018427387904", "withvalues"})) ==
          "ERR value is out of range");
    CHECK(store.execute({"HRANDFIELD", "h", "4611686018427387903", "withvalues"}).elements().size() == 2);
    CHECK(err(store.execute({"HRANDFIELD", "h", "-9223372036854775808"})) ==
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
    CHECK(store.execute({"HRANDFIELD", "nokey"}).is_nil());
    CHECK(store.execute({"HRANDFIELD", "nokey", "5"}).elements().empty());
  }
  SUBCASE("HSCAN: missing key wins over bad options; cursor rules") {
    Reply r = store.execute({"HSCAN", "nokey", "0", "COUNT", "0"});
    REQUIRE(r.kind() == Reply::Kind::kArray);
    CHECK(r.elements()[0].string() == "0");
    CHECK(err(store.execute({"HSCAN", "nokey", "abc"})) == "ERR invalid cursor");
    store.execute({"HSET", "h", "a", "1", "b", "2"});
    CHECK(err(store.execute({"HSCAN", "h", "0", "COUNT", "0"})) == "ERR syntax error");
    CHECK(err(store.execute({"HSCAN", "h", "0", "MATCH"})) == "ERR syntax error");
    Reply m = store.execute({"HSCAN", "h", "0", "MATCH", "b*"});
    REQUIRE(m.elements().size() == 2);
    CHECK(m.elements()[1].elements().size() == 2);
    CHECK(m.elements()[1].elements()[0].string() == "b");
  }
}

TEST_CASE("execute: key and server commands") {
  Store store;
  SUBCASE("SCAN accepts what strtoull accepts") {
    for (const char* ok : {"-1", "+5", "007", "0"}) {
      CAPTURE(ok);
      CHECK(store.execute({"SCAN", ok}).kind() == Reply::Kind::kArray);
    }
    CHECK(err(store.execute({"SCAN", "abc"})) == "ERR invalid cursor");
    CHECK(err(store.execute({"SCAN", " 1"})) == "ERR invalid cursor");
    CHECK(err(store.execute({"SCAN", "0", "COUNT", "0"})) == "ERR syntax error");
    CHECK(err(store.execute({"SCAN", "0", "COUNT", "x"})) ==
          "ERR value is not an integer or out of range");
  }
  SUBCASE("COPY errors") {
    CHECK(err(store.execute({"COPY", "a", "a"})) == "ERR source and destination objects are the same");
    CHECK(err(store.execute({"COPY", "a", "b", "db", "x"})) ==
          "ERR value is not an integer or out of range");
    CHECK(err(store.execute({"COPY", "a", "b", "foo"})) == "ERR syntax error");
    CHECK(store.execute({"COPY", "a", "b"}).integer() == 0);
  }
  SUBCASE("CONFIG SET and GET, aliases included") {
    CHECK(store.execute({"CONFIG", "SET", "hash-max-ziplist-value", "10"}).string() == "OK");
    Reply g = store.execute({"CONFIG", "GET", "hash-max-listpack-value"});
    REQUIRE(g.elements().size() == 2);
    CHECK(g.elements()[1].string() == "10");
    CHECK(err(store.execute({"CONFIG", "SET", "foo", "1"})) ==
          "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    CHECK(err(store.execute({"CONFIG", "SET", "hash-max-listpack-entries", "abc"})) ==
          "ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - "
          "argument couldn't be parsed into an integer");
    CHECK(err(store.execute({"CONFIG", "SET", "hash-max-listpack-entries", "-1"})) ==
          "ERR CONFIG SET failed (possibly related to argument 'hash-max-listpack-entries') - "
          "argument must be between 0 and 9223372036854775807 inclusive");
    CHECK(store.execute({"CONFIG", "GET", "hash-max-*"}).elements().size() == 8);
  }
  SUBCASE("PING, ECHO, DBSIZE, FLUSHALL, RANDOMKEY, TYPE") {
    CHECK(store.execute({"PING"}).string() == "PONG");
    CHECK(store.execute({"PING", "hi"}).string() == "hi");
    CHECK(store.execute({"ECHO", "x"}).string() == "x");
    store.execute({"HSET", "k", "f", "v"});
    CHECK(store.execute({"DBSIZE"}).integer() == 1);
    CHECK(store.execute({"TYPE", "k"}).string() == "hash");
    CHECK(store.execute({"TYPE", "zz"}).string() == "none");
    CHECK(store.execute({"RANDOMKEY"}).string() == "k");
    CHECK(err(store.execute({"FLUSHALL", "foo"})) == "ERR syntax error");
    CHECK(store.execute({"FLUSHALL"}).string() == "OK");
    CHECK(store.execute({"RANDOMKEY"}).is_nil());
  }
}

TEST_CASE("execute: HRESERVE, HRESERVEALL, HINCREX") {
  Store store;
  store.execute({"HSET", "p1", "stock", "3"});
  store.execute({"HSET", "p2", "stock", "1"});
  CHECK(store.execute({"HRESERVE", "p1", "stock", "2"}).integer() == 1);
  CHECK(store.execute({"HRESERVE", "p1", "stock", "2"}).is_nil());
  CHECK(err(store.execute({"HRESERVE", "p1", "stock", "0"})) == "ERR amount must be a positive integer");
  CHECK(err(store.execute({"HRESERVE", "p1", "stock", "x"})) ==
        "ERR value is not an integer or out of range");
  Reply all = store.execute({"HRESERVEALL", "2", "p1", "stock", "1", "p2", "stock", "1"});
  REQUIRE(all.elements().size() == 2);
  CHECK(all.elements()[0].integer() == 0);
  CHECK(store.execute({"HRESERVEALL", "1", "p1", "stock", "1"}).is_nil());
  CHECK(err(store.execute({"HRESERVEALL", "2", "p1", "stock", "1"})) ==
        "ERR numitems does not match the number of key field amount triples");
  CHECK(err(store.execute({"HRESERVEALL", "0", "p1", "stock"})) ==
        "ERR wrong number of arguments for 'hreserveall' command");
  Reply inc = store.execute({"HINCREX", "r", "n", "BYINT", "5", "UBOUND", "3", "SATURATE"});
  REQUIRE(inc.elements().size() == 2);
  CHECK(inc.elements()[0].integer() == 3);
  CHECK(inc.elements()[1].integer() == 3);
  CHECK(err(store.execute({"HINCREX", "r", "n", "FOO"})) == "ERR syntax error");
}
