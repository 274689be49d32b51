// Tests of hashstore::Store's typed API (lib/store, lib/hash, lib/keyspace):
// field commands on both encodings, the conversion thresholds, key commands,
// and a randomized comparison with a std::map model.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <hashstore/pipeline.h>
#include <hashstore/store.h>

namespace {

using hashstore::Options;
using hashstore::Store;

// Encodings under test: a Store whose hashes stay listpacks for these tests,
// and one whose hashes are tables from their first field on.
struct ListpackEncoding {
  static Options options() { return Options{}; }
  static constexpr const char* kName = "listpack";
};
struct TableEncoding {
  static Options options() {
    Options o;
    o.hash_max_listpack_entries = 0;
    return o;
  }
  static constexpr const char* kName = "hashtable";
};

// prefix followed by i ("f12"), built by appending (GCC 12 reports a false
// -Wrestrict on "f" + std::to_string(i)).
std::string numbered(const char* prefix, int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

uint64_t test_seed() {
  const char* s = std::getenv("HASHSTORE_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261124;
}

}  // namespace

TEST_CASE_TEMPLATE("Store field commands", E, ListpackEncoding, TableEncoding) {
  Store store(E::options());
  REQUIRE(store.hset("user:1", {{"name", "Alice"}, {"email", "alice@example.com"}}).value() == 2);
  CHECK(store.object_encoding("user:1") == E::kName);

  SUBCASE("hget and hmget") {
    CHECK(store.hget("user:1", "name") == "Alice");
    CHECK(store.hget("user:1", "nope") == std::nullopt);
    CHECK(store.hget("nokey", "name") == std::nullopt);
    auto got = store.hmget("user:1", {"email", "nope", "name"});
    REQUIRE(got.size() == 3);
    CHECK(got[0] == "alice@example.com");
    CHECK(got[1] == std::nullopt);
    CHECK(got[2] == "Alice");
  }
  SUBCASE("hset updates in place and counts only new fields") {
    CHECK(store.hset("user:1", {{"name", "Bob"}, {"age", "42"}}).value() == 1);
    CHECK(store.hget("user:1", "name") == "Bob");
    CHECK(store.hlen("user:1") == 3);
  }
  SUBCASE("hset with no pairs is Redis's arity error") {
    auto r = store.hset("user:1", std::span<const hashstore::FieldValue>());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "ERR wrong number of arguments for 'hset' command");
  }
  SUBCASE("hsetnx") {
    CHECK(store.hsetnx("user:1", "name", "X").value() == false);
    CHECK(store.hsetnx("user:1", "city", "Oslo").value() == true);
    CHECK(store.hget("user:1", "name") == "Alice");
    CHECK(store.hget("user:1", "city") == "Oslo");
  }
  SUBCASE("hgetall, hkeys, hvals agree") {
    auto all = store.hgetall("user:1");
    auto keys = store.hkeys("user:1");
    auto vals = store.hvals("user:1");
    REQUIRE(all.size() == 2);
    REQUIRE(keys.size() == 2);
    REQUIRE(vals.size() == 2);
    for (size_t i = 0; i < all.size(); ++i) {
      CHECK(all[i].first == keys[i]);
      CHECK(all[i].second == vals[i]);
    }
    std::map<std::string, std::string> m(all.begin(), all.end());
    CHECK(m == std::map<std::string, std::string>{{"email", "alice@example.com"}, {"name", "Alice"}});
  }
  SUBCASE("hdel of the last field removes the key") {
    CHECK(store.hdel("user:1", {"name", "nope"}) == 1);
    CHECK(store.exists({"user:1"}) == 1);
    CHECK(store.hdel("user:1", {"email"}) == 1);
    CHECK(store.exists({"user:1"}) == 0);
    CHECK(store.type("user:1") == "none");
    CHECK(store.dbsize() == 0);
  }
  SUBCASE("hexists and hstrlen") {
    CHECK(store.hexists("user:1", "name"));
    CHECK_FALSE(store.hexists("user:1", "nope"));
    CHECK(store.hstrlen("user:1", "email") == 17);
    CHECK(store.hstrlen("user:1", "nope") == 0);
  }
  SUBCASE("integer-looking values read back byte for byte") {
    for (const char* v : {"0", "-1", "127", "128", "-4096", "9223372036854775807",
                          "-9223372036854775808", "01", "-0", "+1", " 1", "1.0", ""}) {
      CAPTURE(v);
      REQUIRE(store.hset("ints", "f", v).ok());
      CHECK(store.hget("ints", "f") == v);
    }
  }
  SUBCASE("hincrby") {
    CHECK(store.hincrby("c", "n", 5).value() == 5);
    CHECK(store.hincrby("c", "n", -7).value() == -2);
    REQUIRE(store.hset("c", "max", "9223372036854775807").ok());
    auto over = store.hincrby("c", "max", 1);
    REQUIRE_FALSE(over.ok());
    CHECK(over.status().message() == "ERR increment or decrement would overflow");
    CHECK(store.hget("c", "max") == "9223372036854775807");
    auto bad = store.hincrby("user:1", "name", 1);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message() == "ERR hash value is not an integer");
    CHECK(store.hget("user:1", "name") == "Alice");
  }
  SUBCASE("hincrbyfloat formats as Redis") {
    REQUIRE(store.hset("p", "price", "19.99").ok());
    CHECK(store.hincrbyfloat("p", "price", 0.5L).value() == "20.49");
    CHECK(store.hincrbyfloat("p", "x", 10.5L).value() == "10.5");
    CHECK(store.hincrbyfloat("p", "x", 0.1L).value() == "10.6");
    auto bad = store.hincrbyfloat("user:1", "name", 1);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message() == "ERR hash value is not a float");
  }
  SUBCASE("a failed write on a new key leaves no key behind") {
    auto r = store.hincrbyfloat("fresh", "f", std::numeric_limits<long double>::infinity());
    CHECK_FALSE(r.ok());
    CHECK(store.exists({"fresh"}) == 0);
  }
  SUBCASE("hscan returns every field") {
    std::set<std::string> seen;
    uint64_t cursor = 0;
    do {
      auto page = store.hscan("user:1", cursor);
      REQUIRE(page.items.size() % 2 == 0);
      for (size_t i = 0; i < page.items.size(); i += 2) seen.insert(page.items[i]);
      cursor = page.cursor;
    } while (cursor != 0);
    CHECK(seen == std::set<std::string>{"email", "name"});
  }
  SUBCASE("hrandfield") {
    auto one = store.hrandfield("user:1");
    REQUIRE(one.has_value());
    CHECK((*one == "name" || *one == "email"));
    CHECK(store.hrandfield("user:1", 0, false).value().empty());
    CHECK(store.hrandfield("user:1", 10, true).value().size() == 4);
    auto repeats = store.hrandfield("user:1", -5, false).value();
    CHECK(repeats.size() == 5);
    auto distinct = store.hrandfield("user:1", 1, true).value();
    REQUIRE(distinct.size() == 2);
    CHECK(store.hget("user:1", distinct[0]) == distinct[1]);
  }
}

TEST_CASE("Store conversion thresholds") {
  Store store;
  SUBCASE("the 513th field converts") {
    for (int i = 0; i < 512; ++i) {
      REQUIRE(store.hset("h", numbered("f", i), "v").ok());
    }
    CHECK(store.object_encoding("h") == "listpack");
    REQUIRE(store.hset("h", "f512", "v").ok());
    CHECK(store.object_encoding("h") == "hashtable");
    CHECK(store.hlen("h") == 513);
    CHECK(store.hget("h", "f0") == "v");
    store.hdel("h", {"f1", "f2", "f3"});
    CHECK(store.object_encoding("h") == "hashtable");  // never converts back
  }
  SUBCASE("a 65-byte value converts, a 64-byte one does not") {
    REQUIRE(store.hset("h", "f", std::string(64, 'x')).ok());
    CHECK(store.object_encoding("h") == "listpack");
    REQUIRE(store.hset("h", "g", std::string(65, 'x')).ok());
    CHECK(store.object_encoding("h") == "hashtable");
    CHECK(store.hget("h", "f") == std::string(64, 'x'));
  }
  SUBCASE("a 65-byte field converts") {
    REQUIRE(store.hset("h", std::string(65, 'k'), "v").ok());
    CHECK(store.object_encoding("h") == "hashtable");
  }
  SUBCASE("an HINCRBYFLOAT result of 65 bytes converts") {
    CHECK(store.hincrbyfloat("h", "f", 1e64L).value().size() == 64);
    CHECK(store.object_encoding("h") == "listpack");
    CHECK(store.hincrbyfloat("h2", "f", 5e64L).value().size() == 65);
    CHECK(store.object_encoding("h2") == "hashtable");
  }
  SUBCASE("a lowered limit converts on the next write") {
    REQUIRE(store.hset("h", {{"a", "1"}, {"b", "2"}}).ok());
    REQUIRE(store.execute({"CONFIG", "SET", "hash-max-listpack-entries", "1"}).string() == "OK");
    CHECK(store.hget("h", "a") == "1");
    CHECK(store.object_encoding("h") == "listpack");
    REQUIRE(store.hset("h", "a", "3").ok());
    CHECK(store.object_encoding("h") == "hashtable");
  }
  // The in-place paths (same-size overwrite, integer increment, reserve) must
  // convert exactly as the general path does (redis-server 7.0 checked).
  SUBCASE("a lowered entries limit converts on the next HINCRBY or HRESERVE") {
    REQUIRE(store.hset("h", {{"a", "1"}, {"b", "2"}}).ok());
    REQUIRE(store.hset("r", {{"a", "10"}, {"b", "2"}}).ok());
    REQUIRE(store.execute({"CONFIG", "SET", "hash-max-listpack-entries", "1"}).string() == "OK");
    CHECK(store.hincrby("h", "a", 5).value() == 6);
    CHECK(store.object_encoding("h") == "hashtable");
    CHECK(store.reserve("r", "a", 3).value() == 7);
    CHECK(store.object_encoding("r") == "hashtable");
  }
  SUBCASE("a lowered entries limit converts on the next write in a pipeline") {
    REQUIRE(store.hset("h", {{"a", "1"}, {"b", "2"}}).ok());
    REQUIRE(store.hset("s", {{"a", "1"}, {"b", "2"}}).ok());
    REQUIRE(store.execute({"CONFIG", "SET", "hash-max-listpack-entries", "1"}).string() == "OK");
    hashstore::Pipeline p;
    p.hincrby("h", "a", 5).hset("s", "a", "9");
    hashstore::PipelineReplies replies;
    store.run(p, replies);
    CHECK(replies.reply(0).integer() == 6);
    CHECK(store.object_encoding("h") == "hashtable");
    CHECK(store.object_encoding("s") == "hashtable");
  }
  SUBCASE("a lowered value limit converts on the next HINCRBY") {
    REQUIRE(store.hset("h", "f", "5").ok());
    REQUIRE(store.execute({"CONFIG", "SET", "hash-max-listpack-value", "1"}).string() == "OK");
    CHECK(store.hincrby("h", "f", 10).value() == 15);
    CHECK(store.object_encoding("h") == "hashtable");
  }
}

TEST_CASE("Store key commands") {
  Store store;
  REQUIRE(store.hset("a", "f", "1").ok());
  REQUIRE(store.hset("b", "f", "2").ok());

  SUBCASE("rename moves the hash and replaces the destination") {
    REQUIRE(store.rename("a", "b").ok());
    CHECK(store.exists({"a"}) == 0);
    CHECK(store.hget("b", "f") == "1");
    CHECK(store.rename("nokey", "x").message() == "ERR no such key");
  }
  SUBCASE("renamenx") {
    CHECK(store.renamenx("a", "b").value() == false);
    CHECK(store.renamenx("a", "c").value() == true);
    CHECK(store.hget("c", "f") == "1");
  }
  SUBCASE("copy is deep for both encodings") {
    for (int i = 0; i < 600; ++i) REQUIRE(store.hset("big", numbered("f", i), "v").ok());
    CHECK(*store.copy("big", "big2"));
    CHECK_FALSE(*store.copy("big", "a"));
    CHECK(*store.copy("big", "a", /*replace=*/true));
    store.hdel("big", {"f0"});
    CHECK(store.hget("big2", "f0") == "v");
    CHECK(store.hget("a", "f0") == "v");
    CHECK(store.object_encoding("big2") == "hashtable");
    CHECK(*store.copy("b", "b3"));
    CHECK(store.hget("b3", "f") == "2");
  }
  SUBCASE("del, exists, dbsize, flushall") {
    CHECK(store.exists({"a", "a", "b", "zz"}) == 3);
    CHECK(store.del({"a", "zz"}) == 1);
    CHECK(store.dbsize() == 1);
    store.flushall();
    CHECK(store.dbsize() == 0);
    CHECK(store.randomkey() == std::nullopt);
  }
  SUBCASE("scan and keys see every key exactly as many as exist") {
    for (int i = 0; i < 1000; ++i) REQUIRE(store.hset(numbered("k", i), "f", "v").ok());
    std::set<std::string> seen;
    uint64_t cursor = 0;
    do {
      hashstore::ScanOptions opt;
      opt.match = "k*";
      opt.count = 7;
      auto page = store.scan(cursor, opt);
      seen.insert(page.items.begin(), page.items.end());
      cursor = page.cursor;
    } while (cursor != 0);
    CHECK(seen.size() == 1000);
    CHECK(store.keys("k1??").size() == 900 / 9 * 1);  // k100..k199
    CHECK(store.keys("*").size() == 1002);
    hashstore::ScanOptions typed_opt;
    typed_opt.count = 100000;
    typed_opt.type = "string";
    auto typed = store.scan(0, typed_opt);
    CHECK(typed.items.empty());
  }
  SUBCASE("randomkey returns an existing key") {
    auto k = store.randomkey();
    REQUIRE(k.has_value());
    CHECK((*k == "a" || *k == "b"));
  }
  SUBCASE("memory_usage grows with the hash") {
    auto small = store.memory_usage("a");
    REQUIRE(small.has_value());
    for (int i = 0; i < 100; ++i) REQUIRE(store.hset("a", numbered("f", i), "value").ok());
    CHECK(*store.memory_usage("a") > *small);
    CHECK(store.memory_usage("nokey") == std::nullopt);
  }
}

TEST_CASE("Store randomized against a std::map model") {
  const uint64_t seed = test_seed();
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  Options opt;
  opt.hash_max_listpack_entries = 16;  // cross the threshold often
  opt.hash_max_listpack_value = 8;
  opt.shards = 4;
  Store store(opt);
  std::map<std::string, std::map<std::string, std::string>> model;
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const char* values[] = {"", "0", "-1", "12", "abc", "123456789", "x y", "9223372036854775807"};
  for (int step = 0; step < 200000; ++step) {
    std::string key = numbered("k", pick(8));
    std::string field = numbered("f", pick(40));
    int op = pick(7);
    if (op == 6) {
      // HMGET of 1..10 fields, some repeated, some absent.
      std::vector<std::string> asked;
      for (int n = 1 + pick(10); n > 0; --n) asked.push_back(numbered("f", pick(40)));
      std::vector<std::string_view> views(asked.begin(), asked.end());
      auto got = store.hmget(key, std::span<const std::string_view>(views));
      REQUIRE(got.size() == asked.size());
      auto it = model.find(key);
      for (size_t i = 0; i < asked.size(); ++i) {
        std::optional<std::string> want;
        if (it != model.end() && it->second.count(asked[i])) want = it->second.at(asked[i]);
        CHECK(got[i] == want);
      }
      continue;
    }
    if (op <= 1) {
      std::string value = pick(20) == 0 ? std::string(9, 'v') : values[pick(8)];
      bool fresh = !model[key].count(field);
      CHECK(store.hset(key, field, value).value() == (fresh ? 1 : 0));
      model[key][field] = value;
    } else if (op == 2) {
      size_t removed = model.count(key) ? model[key].erase(field) : 0;
      if (model.count(key) && model[key].empty()) model.erase(key);
      CHECK(store.hdel(key, {field}) == static_cast<int64_t>(removed));
    } else if (op == 3) {
      auto it = model.find(key);
      std::optional<std::string> want;
      if (it != model.end() && it->second.count(field)) want = it->second[field];
      CHECK(store.hget(key, field) == want);
    } else if (op == 4) {
      auto r = store.hincrby(key, field, 3);
      auto& h = model[key];
      auto f = h.find(field);
      long long cur = 0;
      bool ok = true;  // the model's HINCRBY: a canonical integer that cannot overflow
      if (f != h.end()) {
        errno = 0;
        cur = std::strtoll(f->second.c_str(), nullptr, 10);
        ok = errno == 0 && std::to_string(cur) == f->second && cur <= INT64_MAX - 3;
      }
      if (ok) {
        REQUIRE(r.ok());
        CHECK(*r == cur + 3);
        h[field] = std::to_string(cur + 3);
      } else {
        CHECK_FALSE(r.ok());
      }
      if (h.empty()) model.erase(key);
    } else {
      auto it = model.find(key);
      CHECK(store.hlen(key) == (it == model.end() ? 0 : static_cast<int64_t>(it->second.size())));
      if (it != model.end()) {
        auto all = store.hgetall(key);
        std::map<std::string, std::string> got(all.begin(), all.end());
        CHECK(got == it->second);
      }
    }
  }
  CHECK(store.dbsize() == static_cast<int64_t>(model.size()));
}

TEST_CASE("Store::hmget: every field asked for, in order, against a model, on each encoding") {
  // Field names a listpack stores as integers, an empty one, repeats and
  // absent fields; pairs, then (with a field TTL) triplets, then a table.
  // The expected replies come from a std::map holding what was written.
  Options opt;
  opt.hash_max_listpack_entries = 32;
  Store store(opt);
  std::map<std::string, std::string> model;
  const std::vector<std::string> names = {"1", "-5", "007", "", "f", "12345678901", "x", "y"};
  std::vector<std::string_view> asked(names.begin(), names.end());
  asked.push_back("1");
  asked.push_back("absent");
  asked.push_back("f");
  auto check = [&](const char* key, const std::map<std::string, std::string>& want) {
    auto got = store.hmget(key, std::span<const std::string_view>(asked));
    REQUIRE(got.size() == asked.size());
    size_t found = 0;
    for (size_t i = 0; i < asked.size(); ++i) {
      CAPTURE(asked[i]);
      auto it = want.find(std::string(asked[i]));
      const std::optional<std::string> expected =
          it == want.end() ? std::nullopt : std::optional<std::string>(it->second);
      CHECK(got[i] == expected);
      found += expected.has_value();
    }
    return found;
  };
  for (size_t i = 0; i < names.size(); i += 2) {  // every other name, values both kinds
    const std::string value = i % 4 == 0 ? std::to_string(i * 1000) : "v" + names[i];
    REQUIRE(store.hset("h", names[i], value).ok());
    model[names[i]] = value;
  }
  CHECK(*store.object_encoding("h") == "listpack");
  CHECK(check("h", model) == 6);  // "1" and "f" asked twice
  CHECK(store.hmget("h", {"1", "-5"}) ==
        std::vector<std::optional<std::string>>{std::string("0"), std::nullopt});
  REQUIRE(store.execute({"HPEXPIRE", "h", "100000", "FIELDS", "1", "f"}).elements().size() == 1);
  CHECK(*store.object_encoding("h") == "listpackex");
  check("h", model);
  for (int i = 0; i < 40; ++i) {
    REQUIRE(store.hset("h", numbered("extra", i), "e").ok());
    model.insert_or_assign(numbered("extra", i), std::string(1, 'e'));
  }
  CHECK(*store.object_encoding("h") == "hashtable");
  check("h", model);
  CHECK(check("missing", {}) == 0);
}

TEST_CASE("Store::reserve") {
  Store store;
  REQUIRE(store.hset("product:1", {{"stock", "10"}, {"name", "Mug"}}).ok());
  SUBCASE("takes units only while enough remain") {
    CHECK(store.reserve("product:1", "stock", 4).value() == 6);
    CHECK(store.reserve("product:1", "stock", 6).value() == 0);
    CHECK(store.reserve("product:1", "stock", 1).value() == std::nullopt);
    CHECK(store.hget("product:1", "stock") == "0");
  }
  SUBCASE("a missing field or key counts as 0 and is not created") {
    CHECK(store.reserve("product:1", "nope", 1).value() == std::nullopt);
    CHECK(store.reserve("product:2", "stock", 1).value() == std::nullopt);
    CHECK(store.exists({"product:2"}) == 0);
    CHECK_FALSE(store.hexists("product:1", "nope"));
  }
  SUBCASE("errors change nothing") {
    CHECK(store.reserve("product:1", "stock", 0).status().message() ==
          "ERR amount must be a positive integer");
    CHECK(store.reserve("product:1", "name", 1).status().message() ==
          "ERR hash value is not an integer");
    CHECK(store.hget("product:1", "stock") == "10");
  }
}

TEST_CASE("Store::reserve_all is all or nothing") {
  Store store;
  REQUIRE(store.hset("a", "stock", "5").ok());
  REQUIRE(store.hset("b", "stock", "2").ok());
  REQUIRE(store.hset("c", "name", "x").ok());
  using Items = std::vector<hashstore::ReserveItem>;
  SUBCASE("a whole cart") {
    auto r = store.reserve_all(Items{{"a", "stock", 3}, {"b", "stock", 2}});
    REQUIRE(r.ok());
    REQUIRE(r->has_value());
    CHECK(**r == std::vector<int64_t>{2, 0});
  }
  SUBCASE("one short line refuses the cart") {
    auto r = store.reserve_all(Items{{"a", "stock", 3}, {"b", "stock", 3}});
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
    CHECK(store.hget("a", "stock") == "5");
    CHECK(store.hget("b", "stock") == "2");
  }
  SUBCASE("a line listed twice must cover both amounts") {
    CHECK_FALSE(store.reserve_all(Items{{"a", "stock", 3}, {"a", "stock", 3}})->has_value());
    auto r = store.reserve_all(Items{{"a", "stock", 3}, {"a", "stock", 2}});
    CHECK(**r == std::vector<int64_t>{2, 0});
  }
  SUBCASE("errors change nothing") {
    CHECK(store.reserve_all(Items{{"a", "stock", 1}, {"c", "name", 1}}).status().message() ==
          "ERR hash value is not an integer");
    CHECK(store.reserve_all(Items{{"a", "stock", 1}, {"b", "stock", -1}}).status().message() ==
          "ERR amount must be a positive integer");
    CHECK(store.hget("a", "stock") == "5");
  }
}

TEST_CASE("Store::hincrex") {
  Store store;
  SUBCASE("within bounds") {
    auto r = store.hincrex("rate", "hits", 1, 0, 3);
    REQUIRE(r.ok());
    CHECK(r->value == 1);
    CHECK(r->applied == 1);
  }
  SUBCASE("refused at the bound, and a refused first increment creates nothing") {
    auto r = store.hincrex("rate", "hits", 5, 0, 3);
    CHECK(r->value == 0);
    CHECK(r->applied == 0);
    CHECK(store.exists({"rate"}) == 0);
  }
  SUBCASE("saturate stores the bound") {
    REQUIRE(store.hset("rate", "hits", "2").ok());
    auto r = store.hincrex("rate", "hits", 5, 0, 3, /*saturate=*/true);
    CHECK(r->value == 3);
    CHECK(r->applied == 1);
    auto down = store.hincrex("rate", "hits", -10, 0, 3, true);
    CHECK(down->value == 0);
    CHECK(down->applied == -3);
  }
  SUBCASE("int64 limits are bounds too") {
    REQUIRE(store.hset("big", "n", "9223372036854775806").ok());
    CHECK(store.hincrex("big", "n", 5)->applied == 0);
    CHECK(store.hincrex("big", "n", 5, INT64_MIN, INT64_MAX, true)->value == INT64_MAX);
  }
  SUBCASE("errors") {
    CHECK(store.hincrex("rate", "hits", 1, 5, 1).status().message() ==
          "ERR LBOUND must not be greater than UBOUND");
    REQUIRE(store.hset("s", "f", "abc").ok());
    CHECK(store.hincrex("s", "f", 1).status().message() == "ERR hash value is not an integer");
  }
}

TEST_CASE("Store::transaction and execute_batch") {
  Store store;
  SUBCASE("a syntax error discards the whole transaction") {
    auto r = store.transaction({{"HSET", "k", "f", "v"}, {"HGET", "k"}});
    CHECK(r.string() == "EXECABORT Transaction discarded because of previous errors.");
    CHECK(store.exists({"k"}) == 0);
  }
  SUBCASE("runtime errors do not stop the others, as in Redis") {
    auto r = store.transaction({{"HSET", "k", "f", "v"}, {"HINCRBY", "k", "f", "1"},
                                {"HGET", "k", "f"}});
    REQUIRE(r.elements().size() == 3);
    CHECK(r.elements()[1].string() == "ERR hash value is not an integer");
    CHECK(r.elements()[2].string() == "v");
  }
  SUBCASE("a changed watched key makes the transaction return nil") {
    REQUIRE(store.hset("k", "f", "1").ok());
    auto w = store.watch({"k", "other"});
    REQUIRE(store.hset("k", "f", "2").ok());
    CHECK(store.transaction({{"HSET", "k", "f", "3"}}, &w).is_nil());
    CHECK(store.hget("k", "f") == "2");
    auto w2 = store.watch({"k"});
    CHECK(store.transaction({{"HSET", "k", "f", "3"}}, &w2).elements().size() == 1);
    CHECK(store.hget("k", "f") == "3");
  }
  SUBCASE("del, rename and flushall count as writes for watchers") {
    REQUIRE(store.hset("k", "f", "1").ok());
    auto w = store.watch({"k"});
    store.flushall();
    CHECK(store.transaction({{"PING"}}, &w).is_nil());
  }
  SUBCASE("a batch replies per command, errors included") {
    auto replies = store.execute_batch({{"HSET", "a", "f", "1"}, {"NOPE"}, {"HGET", "a", "f"},
                                        {"DBSIZE"}, {"HRESERVE", "a", "f", "1"}});
    REQUIRE(replies.size() == 5);
    CHECK(replies[0].integer() == 1);
    CHECK(replies[1].is_error());
    CHECK(replies[2].string() == "1");
    CHECK(replies[3].integer() == 1);
    CHECK(replies[4].integer() == 0);
  }
}

TEST_CASE("Store in single-threaded mode") {
  Options opt;
  opt.thread_safe = false;
  Store store(opt);
  REQUIRE(store.hset("k", "f", "v").ok());
  std::string seen;
  CHECK(store.hget_view("k", "f", [&](std::string_view v) { seen = v; }));
  CHECK(seen == "v");
  CHECK(store.transaction({{"HGET", "k", "f"}}).elements()[0].string() == "v");
}

// Issue "Chaos", defect 1: Store::copy(k, k, true) erased the key and then
// cloned the freed entry. Every typed call that takes several keys is
// called here with equal ones, on both encodings; replies are Redis 7.0's
// (checked against redis-server: COPY k k is refused even for a missing k,
// RENAME k k is OK, RENAMENX k k is 0).
TEST_CASE_TEMPLATE("Store multi-key calls with equal keys", E, ListpackEncoding, TableEncoding) {
  Store store(E::options());
  REQUIRE(store.hset("k", {{"f", "1"}, {"stock", "5"}}).ok());
  const std::string same_error = "ERR source and destination objects are the same";

  SUBCASE("issue 25: copy onto itself is refused and leaves the key whole") {
    for (bool replace : {false, true}) {
      CAPTURE(replace);
      auto r = store.copy("k", "k", replace);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message() == same_error);
      CHECK(store.hget("k", "f") == "1");
      CHECK(store.hlen("k") == 2);
    }
    CHECK(store.copy("nokey", "nokey", true).status().message() == same_error);
    CHECK(store.exists({"nokey"}) == 0);
    CHECK(store.execute({"COPY", "k", "k", "REPLACE"}).string() == same_error);
    CHECK(store.object_encoding("k") == E::kName);
  }
  SUBCASE("rename and renamenx onto themselves") {
    CHECK(store.rename("k", "k").ok());
    CHECK(store.hget("k", "f") == "1");
    CHECK(store.rename("nokey", "nokey").message() == "ERR no such key");
    CHECK(store.renamenx("k", "k").value() == false);
    CHECK(store.renamenx("nokey", "nokey").status().message() == "ERR no such key");
    CHECK(store.hlen("k") == 2);
  }
  SUBCASE("del, unlink and exists with a key listed twice") {
    CHECK(store.exists({"k", "k"}) == 2);
    const std::string_view twice[] = {"k", "k"};
    CHECK(store.unlink(twice) == 1);
    CHECK(store.exists({"k", "k"}) == 0);
    CHECK(store.del({"k", "k"}) == 0);
  }
  SUBCASE("reserve_all with one line listed twice, and several keys in one shard") {
    using Items = std::vector<hashstore::ReserveItem>;
    auto r = store.reserve_all(Items{{"k", "stock", 2}, {"k", "stock", 3}});
    REQUIRE(r.ok());
    REQUIRE(r->has_value());
    CHECK(**r == std::vector<int64_t>{3, 0});
    CHECK(store.hget("k", "stock") == "0");
  }
  SUBCASE("watch, transaction and batches over one key many times") {
    auto w = store.watch({"k", "k"});
    auto r = store.transaction({{"HINCRBY", "k", "f", "1"}, {"RENAME", "k", "k"},
                                {"COPY", "k", "k"}, {"HINCRBY", "k", "f", "1"}},
                               &w);
    REQUIRE(r.elements().size() == 4);
    CHECK(r.elements()[2].string() == same_error);
    CHECK(store.hget("k", "f") == "3");
    auto replies = store.execute_batch({{"RENAME", "k", "k"}, {"DEL", "k", "k"}, {"EXISTS", "k", "k"}});
    REQUIRE(replies.size() == 3);
    CHECK(replies[1].integer() == 1);
    CHECK(replies[2].integer() == 0);
  }
  SUBCASE("a pipeline on one key") {
    hashstore::Pipeline p;
    p.hset("k", "g", "2").hget("k", "g").hdel("k", {"g", "g"}).hincrby("k", "f", 1).hgetall("k");
    hashstore::PipelineReplies r = store.run(p);
    REQUIRE(r.size() == 5);
    CHECK(r.integer(2) == 1);
    CHECK(r.integer(3) == 2);
  }
}
