// Tests of Store::subscribe: changed, deleted, expired (keys and fields)
// and evicted events with their keys and field names, delivered with no
// shard lock held (a listener may call the Store) and in order for each key,
// also when several threads write the same keys.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <hashstore/store.h>

using hashstore::Event;
using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Store;

namespace {

// prefix followed by i, built by appending (GCC 12 reports a false
// -Wrestrict on "k" + std::to_string(i)).
std::string numbered(const char* prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

std::string show(const Event& e) {
  static const char* const kReasons[] = {"changed", "deleted", "expired", "evicted"};
  std::string s = kReasons[static_cast<int>(e.reason)];
  s += " ";
  s += e.key;
  for (const std::string& f : e.fields) {
    s += " ";
    s += f;
  }
  return s;
}

}  // namespace

TEST_CASE("Events: changed, deleted, expired keys and fields, evicted") {
  ManualClock clock;
  Options o;
  o.clock = &clock;
  o.shards = 2;
  o.hash_seed = 1;
  Store store(o);
  std::vector<std::string> seen;
  REQUIRE(store.hset("before", "f", "v").ok());  // no listener yet: no event
  const uint64_t id = store.subscribe([&](const Event& e) { seen.push_back(show(e)); });
  REQUIRE(store.hset("u", {{"name", "Ann"}, {"age", "7"}}).ok());
  REQUIRE(store.hincrby("u", "age", 1).ok());
  store.hdel("u", {"name", "missing"});
  store.hget("u", "age");  // reads send nothing
  const std::string_view fields[] = {"age"};
  REQUIRE(store.hpexpire("u", 100, fields).ok());
  REQUIRE(store.hset("s", {{"a", "1"}, {"b", "2"}}).ok());
  REQUIRE(store.pexpire("s", 50).value());
  store.del({"before"});
  clock.advance_ms(200);
  store.expire_cycle();  // s dies whole; u's last field expires: u dies whole too
  CHECK(seen == std::vector<std::string>{"changed u name age", "changed u age", "changed u name",
                                         "changed u age", "changed s a b", "changed s",
                                         "deleted before", "expired s", "expired u"});
  // Field expiry of a hash that lives on.
  seen.clear();
  REQUIRE(store.hset("h", {{"x", "1"}, {"y", "2"}}).ok());
  const std::string_view x[] = {"x"};
  REQUIRE(store.hpexpire("h", 10, x).ok());
  clock.advance_ms(20);
  CHECK(store.hget("h", "y") == "2");  // the read reclaims x
  CHECK(seen == std::vector<std::string>{"changed h x y", "changed h x", "expired h x"});
  // Eviction.
  seen.clear();
  store.execute({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  store.execute({"CONFIG", "SET", "maxmemory", std::to_string(store.used_memory() - 1)});
  REQUIRE(store.hset("new", "f", "v").ok());
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == "evicted h");
  CHECK(seen[1] == "changed new f");
  store.unsubscribe(id);
  REQUIRE(store.hset("later", "f", "v").ok());
  CHECK(seen.size() == 2);
}

TEST_CASE("Events: listeners run outside the locks and may call the Store") {
  Store store;
  std::vector<std::string> seen;
  store.subscribe([&](const Event& e) {
    seen.push_back(show(e));
    // A write from inside a listener: its own event comes after this one.
    if (e.key == "a") REQUIRE(store.hset("b", "from-listener", "1").ok());
    CHECK(store.hget(e.key, "f").has_value() == (e.key == "a"));
  });
  REQUIRE(store.hset("a", "f", "1").ok());
  CHECK(seen == std::vector<std::string>{"changed a f", "changed b from-listener"});
}

TEST_CASE("Events: in order for each key while threads write the same keys") {
  Store store;
  // Each write sets field "n" to the next number of its own thread, so a
  // key's events must list, per thread, increasing numbers.
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> per_key;
  store.subscribe([&](const Event& e) {
    std::lock_guard<std::mutex> l(mu);
    for (const std::string& f : e.fields) per_key[e.key].push_back(f);
  });
  constexpr int kThreads = 4, kWrites = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        std::string key = "k";
        key += std::to_string(i % 8);
        std::string field = "t";
        field += std::to_string(t);
        field += ":";
        field += std::to_string(i);
        REQUIRE(store.hset(key, field, "v").ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  size_t total = 0;
  for (const auto& [key, fields] : per_key) {
    std::map<std::string, int> last;  // thread -> last number seen
    for (const std::string& f : fields) {
      const size_t colon = f.find(':');
      const std::string thread = f.substr(0, colon);
      const int n = std::stoi(f.substr(colon + 1));
      auto it = last.find(thread);
      if (it != last.end()) CHECK(n > it->second);
      last[thread] = n;
      ++total;
    }
  }
  CHECK(total == kThreads * kWrites);
}

// Issue "Chaos", defect 2: a multi-key write unlocked its shards one at a
// time and delivered each shard's events while the shards after it were
// still held, so a listener reading a key in one of them failed to lock it
// (std::system_error "Resource deadlock avoided": the process aborted).
TEST_CASE("issue 25: listeners of multi-key writes run after every shard is released") {
  Store store;  // the default shards: 64 keys cover all of them
  std::vector<std::string> keys;
  for (int i = 0; i < 64; ++i) {
    keys.push_back(numbered("k", i));
    REQUIRE(store.hset(keys.back(), "f", std::to_string(i)).ok());
  }
  REQUIRE(store.hset("a", "f", "x").ok());
  std::atomic<int> events{0}, reads{0};
  const uint64_t id = store.subscribe([&](const Event&) {
    ++events;
    for (const std::string& k : keys) reads += store.hget(k, "f").has_value() ? 1 : 0;
  });
  std::thread renamer([&] {
    for (int i = 0; i < 200; ++i) {
      REQUIRE(store.rename("a", "b").ok());
      REQUIRE(store.rename("b", "a").ok());
    }
  });
  renamer.join();
  store.unsubscribe(id);
  // Each rename sends two events: deleted (source), changed (destination).
  CHECK(events.load() == 2 * 2 * 200);
  CHECK(reads.load() == 64 * events.load());
  CHECK(store.hget("a", "f") == "x");
}

// subscribe / unsubscribe took the listener mutex and then every shard lock,
// while a multi-key write delivered (and so took the listener mutex) with
// shards still held: a lock-order inversion TSan reported, and a deadlock
// when both met.
TEST_CASE("subscribe and unsubscribe while multi-key writes run") {
  Store store;
  std::atomic<bool> stop{false};
  std::atomic<int> seen{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      const std::string a = numbered("a", t), b = numbered("b", t);
      REQUIRE(store.hset(a, "f", "v").ok());
      while (!stop.load()) {
        REQUIRE(store.rename(a, b).ok());
        REQUIRE(store.rename(b, a).ok());
        const std::string_view both[] = {a, b};
        CHECK(store.exists(both) == 1);
      }
    });
  }
  for (int i = 0; i < 300; ++i) {
    const uint64_t id = store.subscribe([&](const Event& e) {
      ++seen;
      store.hget(e.key, "f");
    });
    store.unsubscribe(id);
  }
  stop = true;
  for (auto& th : writers) th.join();
  CHECK(store.dbsize() == 3);
}
