// Tests of key TTLs (lib/store/store_expire.cc, lib/keyspace): Redis 7's
// EXPIRE family on a manual clock, visibility (no read ever sees an expired
// key), lazy and active reclamation, and the session pattern end to end.
// No test sleeps: time moves with ManualClock::advance_ms.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <thread>

#include <hashstore/store.h>

#include "store/store_internal.h"
#include "store/store_impl.h"

using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Store;

namespace {

Options with_clock(const ManualClock& clock) {
  Options o;
  o.clock = &clock;
  o.shards = 4;
  return o;
}

// Keys still held in memory (expired or not), across shards. Each shard is
// read under its lock: the expiry thread may be writing it.
size_t resident_keys(Store& store) {
  auto& impl = hashstore::internal::StoreInternal::impl(store);
  size_t n = 0;
  for (size_t i = 0; i < impl.shard_count(); ++i) {
    hashstore::internal::StoreImpl::ShardLock lock(impl, impl.shard(i),
                                                   hashstore::internal::LockMode::kShared);
    n += impl.shard(i).keyspace.size();
  }
  return n;
}

std::string key(const char* prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

}  // namespace

TEST_CASE("EXPIRE family on a manual clock") {
  ManualClock clock(1'700'000'000'000);
  Store store(with_clock(clock));
  REQUIRE(store.hset("k", "f", "v").ok());
  CHECK(store.ttl("k") == -1);
  CHECK(store.ttl("nokey") == -2);
  CHECK(store.expire("nokey", 10).value() == false);

  SUBCASE("TTL rounds to the nearest second, PTTL is exact") {
    REQUIRE(store.pexpire("k", 10'499).value());
    CHECK(store.ttl("k") == 10);
    CHECK(store.pttl("k") == 10'499);
    clock.advance_ms(1);
    CHECK(store.pttl("k") == 10'498);
    REQUIRE(store.pexpire("k", 10'500).value());
    CHECK(store.ttl("k") == 11);
    CHECK(store.pexpiretime("k") == 1'700'000'010'501);  // the clock moved 1 ms
    CHECK(store.expiretime("k") == 1'700'000'011);
  }
  SUBCASE("NX, XX, GT, LT") {
    CHECK(store.expire("k", 100, hashstore::kExpireXX).value() == false);
    CHECK(store.expire("k", 100, hashstore::kExpireGT).value() == false);  // no TTL = forever
    CHECK(store.expire("k", 100, hashstore::kExpireLT).value() == true);
    CHECK(store.expire("k", 50, hashstore::kExpireNX).value() == false);
    CHECK(store.expire("k", 50, hashstore::kExpireGT).value() == false);
    CHECK(store.expire("k", 200, hashstore::kExpireGT | hashstore::kExpireXX).value() == true);
    CHECK(store.ttl("k") == 200);
    CHECK(store.expire("k", 1, hashstore::kExpireNX | hashstore::kExpireXX).status().message() ==
          "ERR NX and XX, GT or LT options at the same time are not compatible");
    CHECK(store.expire("k", 1, hashstore::kExpireGT | hashstore::kExpireLT).status().message() ==
          "ERR GT and LT options at the same time are not compatible");
    CHECK(store.expire("k", INT64_MAX).status().message() ==
          "ERR invalid expire time in 'expire' command");
  }
  SUBCASE("a time not in the future deletes the key") {
    CHECK(store.expire("k", 0).value());
    CHECK(store.exists({"k"}) == 0);
    REQUIRE(store.hset("k", "f", "v").ok());
    CHECK(store.pexpireat("k", clock.now_ms()).value());
    CHECK(store.exists({"k"}) == 0);
  }
  SUBCASE("writes keep the TTL; PERSIST removes it; RENAME and COPY carry it") {
    REQUIRE(store.expire("k", 100).value());
    for (int i = 0; i < 600; ++i) REQUIRE(store.hset("k", key("f", i), "v").ok());  // converts
    CHECK(store.object_encoding("k") == "hashtable");
    CHECK(store.ttl("k") == 100);
    REQUIRE(store.rename("k", "k2").ok());
    CHECK(store.ttl("k2") == 100);
    CHECK(*store.copy("k2", "k3"));
    CHECK(store.ttl("k3") == 100);
    CHECK(store.persist("k3"));
    CHECK_FALSE(store.persist("k3"));
    CHECK(store.ttl("k3") == -1);
    CHECK(store.hlen("k3") == 601);
  }
}

TEST_CASE("No read sees an expired key") {
  ManualClock clock;
  Store store(with_clock(clock));
  for (int i = 0; i < 100; ++i) REQUIRE(store.hset(key("s", i), "f", "v").ok());
  for (int i = 0; i < 50; ++i) REQUIRE(store.pexpire(key("s", i), 1000).value());
  clock.advance_ms(1000);
  CHECK(resident_keys(store) == 100);  // nothing reclaimed yet
  CHECK(store.dbsize() == 50);
  CHECK(store.exists({"s0", "s99"}) == 1);
  CHECK(store.hget("s0", "f") == std::nullopt);
  CHECK(store.hlen("s0") == 0);
  CHECK(store.hgetall("s1").empty());
  CHECK(store.type("s2") == "none");
  CHECK(store.ttl("s3") == -2);
  CHECK(store.keys("*").size() == 50);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    auto page = store.scan(cursor);
    seen.insert(page.items.begin(), page.items.end());
    cursor = page.cursor;
  } while (cursor != 0);
  CHECK(seen.size() == 50);
  CHECK(seen.count("s0") == 0);
  for (int i = 0; i < 200; ++i) {
    auto k = store.randomkey();
    REQUIRE(k.has_value());
    CHECK(std::stoi(k->substr(1)) >= 50);
  }
  CHECK(store.rename("s4", "x").message() == "ERR no such key");
  CHECK_FALSE(*store.copy("s5", "x"));
  SUBCASE("a write to an expired key starts a fresh hash without TTL") {
    CHECK(store.hset("s6", "g", "w").value() == 1);
    CHECK(store.hlen("s6") == 1);
    CHECK(store.ttl("s6") == -1);
  }
}

TEST_CASE("Store::expire_cycle reclaims in bounded steps, oldest first") {
  ManualClock clock;
  Store store(with_clock(clock));
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(store.hset(key("k", i), "f", "v").ok());
    REQUIRE(store.pexpire(key("k", i), 1 + i).value());
  }
  CHECK(store.expire_cycle() == 0);
  clock.advance_ms(500);  // 500 keys are due
  size_t total = 0;
  size_t steps = 0;
  while (size_t n = store.expire_cycle(10)) {
    CHECK(n <= 10 * 4);  // at most 10 per shard, 4 shards
    total += n;
    ++steps;
  }
  CHECK(total == 500);
  CHECK(steps >= 500 / 40);
  CHECK(resident_keys(store) == 500);
  CHECK(store.exists({"k499"}) == 0);
  CHECK(store.exists({"k500"}) == 1);
}

TEST_CASE("Sessions: create with a TTL, refresh on activity, vanish when idle") {
  ManualClock clock;
  Store store(with_clock(clock));
  REQUIRE(store.hset("session:42", {{"user", "alice"}, {"cart", "3"}}).ok());
  REQUIRE(store.expire("session:42", 1800).value());
  for (int minute = 0; minute < 120; ++minute) {  // two hours of activity
    clock.advance_ms(60'000);
    REQUIRE(store.hincrby("session:42", "clicks", 1).ok());
    REQUIRE(store.expire("session:42", 1800).value());  // refresh
  }
  CHECK(store.hget("session:42", "clicks") == "120");
  clock.advance_ms(1'799'000);
  CHECK(store.exists({"session:42"}) == 1);
  clock.advance_ms(1'000);
  CHECK(store.exists({"session:42"}) == 0);
  CHECK(store.expire_cycle() == 1);
  CHECK(resident_keys(store) == 0);
}

TEST_CASE("Options::expiry_thread reclaims without being asked") {
  ManualClock clock;
  Options o = with_clock(clock);
  o.expiry_thread = true;
  o.expiry_interval_ms = 1;
  Store store(o);
  for (int i = 0; i < 100; ++i) {
    REQUIRE(store.hset(key("t", i), "f", "v").ok());
    REQUIRE(store.pexpire(key("t", i), 10).value());
  }
  clock.advance_ms(10);
  // The thread runs every millisecond of real time; wait for it by polling
  // (bounded), not by sleeping a guessed amount.
  for (int spins = 0; spins < 50'000'000 && resident_keys(store) > 0; ++spins) {
    std::this_thread::yield();
  }
  CHECK(resident_keys(store) == 0);
}

TEST_CASE("A dead key's big table is freed over several cycles, each bounded") {
  ManualClock clock;
  Options o = with_clock(clock);
  o.shards = 1;
  Store store(o);
  for (int i = 0; i < 2000; ++i) {
    std::string f = "f";
    f += std::to_string(i);
    REQUIRE(store.hset("big", f, "v").ok());
  }
  REQUIRE(store.object_encoding("big") == "hashtable");
  REQUIRE(store.pexpire("big", 10).value());
  clock.advance_ms(11);
  // The key goes at once (one unit of work); its 2000 fields follow, at
  // most `max` per call.
  CHECK(store.expire_cycle(100) == 100);
  CHECK(store.dbsize() == 0);
  CHECK(resident_keys(store) == 0);
  auto& ks = hashstore::internal::StoreInternal::impl(store).shard(0).keyspace;
  CHECK(ks.buried_fields() == 2000 - 99);
  size_t calls = 1, total = 100;
  for (size_t n; (n = store.expire_cycle(100)) > 0; ++calls) {
    CHECK(n <= 100);
    total += n;
  }
  CHECK(ks.buried_fields() == 0);
  CHECK(total == 2001);
  CHECK(calls >= 20);
  // A new key of the same name is unaffected by the burial.
  REQUIRE(store.hset("big", "f", "new").ok());
  CHECK(store.hgetall("big").size() == 1);
}
