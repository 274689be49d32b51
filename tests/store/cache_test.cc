// Tests of cache mode (lib/store/store_evict.cc, store_info.cc, the byte
// accounting of lib/keyspace): used memory agrees with the allocator, each
// maxmemory-policy picks the key it should on small deterministic cases
// (manual clock, fixed seed), noeviction refuses writes with Redis's OOM
// text and changes nothing, the limit holds through a million random
// writes, and allkeys-lfu keeps a Zipf workload's hit rate close to an exact
// LFU's. No test sleeps.
#include <doctest/doctest.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <hashstore/pipeline.h>
#include <hashstore/store.h>

#include "encoding/hashtable.h"
#include "store/store_impl.h"
#include "store/store_internal.h"

using hashstore::EvictionPolicy;
using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Store;

namespace {

// Under AddressSanitizer the allocator is ASan's: mallinfo2 does not see it
// and malloc_usable_size reports the requested size, so the comparison with
// the allocator only means something without it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kGlibcAllocator = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kGlibcAllocator = false;
#else
constexpr bool kGlibcAllocator = true;
#endif
#else
constexpr bool kGlibcAllocator = true;
#endif

// Within 5% of the allocator's figure (when it is glibc's).
void check_close(size_t counted, size_t held) {
  MESSAGE("allocator: ", held, " bytes, store: ", counted, " bytes");
  if (!kGlibcAllocator) return;
  CHECK(static_cast<double>(counted) >= 0.95 * static_cast<double>(held));
  CHECK(static_cast<double>(counted) <= 1.05 * static_cast<double>(held));
}

// Bytes the allocator has handed out: heap in use, malloc's own mmapped
// blocks, and the slot arrays the tables map themselves.
size_t allocated() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd + hashstore::internal::mapped_table_bytes();
}

std::string name(const char* prefix, size_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

Options cache_options(const ManualClock& clock, EvictionPolicy policy, size_t shards = 1) {
  Options o;
  o.clock = &clock;
  o.shards = shards;
  o.hash_seed = 42;  // fixes the eviction sampler's generator too
  o.maxmemory_policy = policy;
  o.maxmemory_samples = 64;  // small cases: every key is sampled
  return o;
}

size_t used(Store& s) { return s.used_memory(); }

}  // namespace

TEST_CASE("used_memory agrees with the allocator within 5%") {
  ManualClock clock;
  Options o;
  o.clock = &clock;
  o.shards = 4;
  Store store(o);
  // Every name and value below fits std::string's inline buffer, so the
  // test itself allocates nothing while it fills the store.
  malloc_trim(0);
  const size_t before = allocated();
  for (size_t i = 0; i < 20000; ++i) {
    const std::string key = name("u:", i);
    REQUIRE(store.hset(key, {{"name", "somebody"}, {"age", "42"}, {"city", "Rome"}}).ok());
    if (i % 3 == 0) REQUIRE(store.pexpire(key, 1000000).value());
  }
  for (size_t k = 0; k < 20; ++k) {
    const std::string key = name("big:", k);
    for (size_t f = 0; f < 2000; ++f) REQUIRE(store.hset(key, name("f", f), "12345678").ok());
    const std::string f0 = "f0", f1 = "f1";
    const std::string_view fields[] = {f0, f1};
    REQUIRE(store.hpexpire(key, 500000, fields).ok());
  }
  for (size_t i = 0; i < 2000; ++i) {
    const std::string key = name("s:", i);
    REQUIRE(store.hset(key, {{"a", "1"}, {"b", "2"}}).ok());
    const std::string f = "a";
    const std::string_view fields[] = {f};
    REQUIRE(store.hpexpire(key, 300000, fields).ok());
  }
  check_close(used(store), allocated() - before);
  // Deleting and expiring keep the count honest; an empty store holds 0.
  for (size_t i = 0; i < 20000; i += 2) store.del({name("u:", i)});
  clock.advance_ms(400000);  // the s:* fields expire
  while (store.expire_cycle(1000) > 0) {
  }
  check_close(used(store), allocated() - before);
  store.flushall();
  CHECK(used(store) == 0);
}

TEST_CASE("HSET of a value of another length: values, TTLs, expiry and used_memory stay exact") {
  // An existing field of a listpack overwritten by a value of another
  // length is resized by the fast path (hash_access.h: replace_resized),
  // which moves entries and counts their bytes itself: after 20,000 such
  // writes (single calls and pipelines) the values and TTLs are the
  // model's, keys with a TTL still expire, and used_memory is the shards'
  // byte counts summed (a missed or doubled count would leave it off).
  for (const bool thread_safe : {true, false}) {
    CAPTURE(thread_safe);
    ManualClock clock;
    Options o;
    o.clock = &clock;
    o.shards = 2;
    o.thread_safe = thread_safe;
    Store store(o);
    constexpr size_t kKeys = 300;
    std::map<std::string, std::map<std::string, std::string>> model;
    for (size_t i = 0; i < kKeys; ++i) {
      const std::string key = name("k:", i);
      for (size_t f = 0; f < 8; ++f) {
        const std::string field = name("f", f);
        REQUIRE(store.hset(key, field, "v").ok());
        model[key].insert_or_assign(field, std::string(1, 'v'));
      }
      if (i % 2 == 0) REQUIRE(store.pexpire(key, 100000 + static_cast<int64_t>(i)).value());
    }
    std::mt19937_64 rng(7);
    hashstore::Pipeline pipeline;
    // Blocks of 16 writes: every third block one pipeline (Store::run),
    // the others single calls.
    for (size_t block = 0; block < 1250; ++block) {
      for (size_t n = 0; n < 16; ++n) {
        const std::string key = name("k:", rng() % kKeys);
        const std::string field = name("f", rng() % 8);
        const std::string value =
            rng() % 4 == 0 ? std::to_string(rng() % 100000)
                           : std::string(rng() % 61, static_cast<char>('a' + rng() % 26));
        model[key].insert_or_assign(field, value);
        if (block % 3 == 0) {
          pipeline.hset(key, field, value);
        } else {
          absl::StatusOr<int64_t> added = store.hset(key, field, value);
          REQUIRE(added.ok());
          CHECK(*added == 0);
        }
      }
      if (!pipeline.empty()) {
        store.run(pipeline);
        pipeline.clear();
      }
    }
    for (size_t i = 0; i < kKeys; ++i) {
      const std::string key = name("k:", i);
      std::map<std::string, std::string> got;
      for (const auto& [f, v] : store.hgetall(key)) got[f] = v;
      CHECK(got == model[key]);
      CHECK(store.pttl(key) == (i % 2 == 0 ? 100000 + static_cast<int64_t>(i) : -1));
    }
    // used_memory is the shards' byte counts summed, exactly.
    hashstore::internal::StoreImpl& impl = hashstore::internal::StoreInternal::impl(store);
    size_t held = 0;
    for (size_t i = 0; i < impl.shard_count(); ++i) held += impl.shard(i).keyspace.bytes();
    CHECK(used(store) == held);
    clock.advance_ms(200000);  // every TTL is due: the index must find each moved entry
    while (store.expire_cycle(1000) > 0) {
    }
    CHECK(store.dbsize() == kKeys / 2);
    store.flushall();
    CHECK(used(store) == 0);
  }
}

TEST_CASE("MEMORY USAGE of every key adds up to about used_memory") {
  ManualClock clock;
  Store store(cache_options(clock, EvictionPolicy::kNoEviction, 2));
  for (size_t i = 0; i < 1000; ++i) REQUIRE(store.hset(name("k", i), "f", "v").ok());
  for (size_t f = 0; f < 1000; ++f) REQUIRE(store.hset("big", name("f", f), "v").ok());
  int64_t sum = 0;
  for (const std::string& k : store.keys("*")) sum += store.memory_usage(k).value();
  // used_memory has the key tables' arrays on top of the keys' own bytes.
  CHECK(static_cast<size_t>(sum) <= used(store));
  CHECK(static_cast<double>(sum) >= 0.8 * static_cast<double>(used(store)));
}

TEST_CASE("noeviction: a write that needs memory fails with OOM and changes nothing") {
  ManualClock clock;
  Options o = cache_options(clock, EvictionPolicy::kNoEviction);
  Store store(o);
  for (size_t i = 0; i < 100; ++i) REQUIRE(store.hset(name("k", i), "f", "value").ok());
  store.execute({"CONFIG", "SET", "maxmemory", std::to_string(used(store) - 1)});
  auto r = store.hset("k0", "g", "x");
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "OOM command not allowed when used memory > 'maxmemory'.");
  CHECK(store.hget("k0", "g") == std::nullopt);  // nothing changed
  CHECK(store.execute({"HSET", "new", "f", "v"}).string() ==
        "OOM command not allowed when used memory > 'maxmemory'.");
  CHECK(store.exists({"new"}) == 0);
  CHECK(!store.hincrby("k1", "n", 1).ok());
  CHECK(!store.hsetex("k1", std::vector<hashstore::FieldValue>{{"a", "b"}}).ok());
  // Reads and deletes keep working, and a delete makes room again.
  CHECK(store.hget("k5", "f") == "value");
  CHECK(store.del({"k1", "k2"}) == 2);
  CHECK(store.hset("k0", "g", "x").ok());
  CHECK(store.info().evicted_keys == 0);
}

TEST_CASE("noeviction: Redis's DENYOOM commands are refused before their arguments are read") {
  ManualClock clock;
  Store store(cache_options(clock, EvictionPolicy::kNoEviction));
  for (size_t i = 0; i < 20; ++i) REQUIRE(store.hset(name("k", i), "f", "1").ok());
  store.execute({"CONFIG", "SET", "maxmemory", std::to_string(used(store) / 2)});
  const std::string oom = "OOM command not allowed when used memory > 'maxmemory'.";
  // Argument errors the handler would find come second, as in Redis (HSET's
  // odd pair, COPY's syntax and same-key errors, HEXPIRE's bad time).
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"HSET", "k0", "g", "v", "dangling"},
           {"HSETNX", "k0", "g", "v"},
           {"HMSET", "k0", "g", "v"},
           {"HINCRBY", "k0", "f", "notanumber"},
           {"HINCRBYFLOAT", "k0", "f", "1"},
           {"HINCREX", "k0", "f", "1"},
           {"HEXPIRE", "k0", "-1", "FIELDS", "1", "f"},
           {"HPEXPIREAT", "k0", "100", "FIELDS", "1", "f"},
           {"HSETEX", "k0", "EX", "10", "FIELDS", "1", "f", "v"},
           {"COPY", "k0", "c", "bogus"},
           {"COPY", "k0", "k0"},
           {"COPY", "k0", "c"}}) {
    CAPTURE(args[0]);
    CHECK(store.execute(args).string() == oom);
  }
  // Arity is checked before memory, as in Redis.
  CHECK(store.execute({"HSET", "k0", "f"}).string() ==
        "ERR wrong number of arguments for 'hset' command");
  CHECK(store.exists({"c"}) == 0);
  CHECK(store.hget("k0", "f") == "1");
  CHECK(store.execute({"HTTL", "k0", "FIELDS", "1", "f"}).elements()[0].integer() == -1);
  // The typed COPY refuses too; commands that are not DENYOOM still run.
  auto copied = store.copy("k0", "c");
  REQUIRE(!copied.ok());
  CHECK(copied.status().message() == oom);
  CHECK(store.execute({"RENAME", "k1", "r"}).string() == "OK");
  CHECK(store.execute({"HDEL", "k2", "f"}).integer() == 1);
  CHECK(store.execute({"HPERSIST", "k3", "FIELDS", "1", "f"}).elements().size() == 1);
  // In a batch each command is checked on its own, as Redis checks each
  // pipelined command.
  auto replies = store.execute_batch({{"HGET", "k4", "f"}, {"HSET", "k4", "f", "2"}});
  CHECK(replies[0].string() == "1");
  CHECK(replies[1].string() == oom);
  // A transaction is all or nothing: Redis refuses every command queued in
  // MULTI while out of memory, and EXEC then aborts.
  CHECK(store.transaction({{"HGET", "k4", "f"}}).string() ==
        "EXECABORT Transaction discarded because of previous errors.");
  store.execute({"CONFIG", "SET", "maxmemory", "0"});
  CHECK(*store.copy("k0", "c"));
  CHECK(store.execute({"HSET", "k0", "g", "v"}).integer() == 1);
}

TEST_CASE("execute() evicts before any command, reads too, as Redis does") {
  ManualClock clock;
  Store store(cache_options(clock, EvictionPolicy::kAllKeysRandom));
  for (size_t i = 0; i < 100; ++i) REQUIRE(store.hset(name("k", i), "f", "value").ok());
  const size_t limit = used(store) / 2;
  store.execute({"CONFIG", "SET", "maxmemory", std::to_string(limit)});
  CHECK(store.info().evicted_keys == 0);  // the typed API evicts before writes only
  const int64_t keys = store.execute({"DBSIZE"}).integer();
  CHECK(keys < 60);
  CHECK(keys > 0);
  CHECK(store.info().evicted_keys == static_cast<uint64_t>(100 - keys));
  CHECK(used(store) <= limit);
}

TEST_CASE("Each policy evicts the key it should") {
  ManualClock clock;
  // Four keys a, b, c, d (x: a key with a TTL) touched at different times or
  // counts; then the limit is set to what they use and a fifth key written:
  // exactly one of them must go, and which one depends on the policy.
  struct Case {
    EvictionPolicy policy;
    const char* evicted;
  };
  for (const Case& c : {Case{EvictionPolicy::kAllKeysLru, "b"},
                        Case{EvictionPolicy::kVolatileLru, "c"},
                        Case{EvictionPolicy::kAllKeysLfu, "b"},
                        Case{EvictionPolicy::kVolatileLfu, "d"},
                        Case{EvictionPolicy::kVolatileTtl, "d"}}) {
    CAPTURE(static_cast<int>(c.policy));
    Store store(cache_options(clock, c.policy));
    for (const char* k : {"a", "b", "c", "d"}) {
      REQUIRE(store.hset(k, "f", "value").ok());
      clock.advance_ms(1000);
    }
    REQUIRE(store.pexpire("c", 900000).value());  // c dies later than d
    REQUIRE(store.pexpire("d", 500000).value());
    // Three minutes idle decay every LFU count from 5 (new) to 2; then reads:
    // c twice, a once, d once, b never. Below Redis's initial count every
    // increment is certain, so LFU counts are b 2, a 3, d 3, c 4 exactly;
    // LRU order (oldest first): b, c, a, d.
    clock.advance_ms(180000);
    for (const char* k : {"c", "c", "a", "d"}) {
      store.hget(k, "f");
      clock.advance_ms(1000);
    }
    // volatile-lru among c and d: c; volatile-lfu among c (4) and d (3): d.
    // One byte under: the next write must evict first, and one key is enough.
    store.execute({"CONFIG", "SET", "maxmemory", std::to_string(used(store) - 1)});
    REQUIRE(store.hset("e", "f", "value").ok());
    CHECK(store.info().evicted_keys == 1);
    for (const char* k : {"a", "b", "c", "d"}) {
      CHECK_MESSAGE(store.exists({k}) == (std::string(k) == c.evicted ? 0 : 1), k);
    }
  }
}

TEST_CASE("Random policies: volatile-random only takes keys with a TTL") {
  ManualClock clock;
  Store store(cache_options(clock, EvictionPolicy::kVolatileRandom, 4));
  for (size_t i = 0; i < 50; ++i) REQUIRE(store.hset(name("keep", i), "f", "value").ok());
  for (size_t i = 0; i < 50; ++i) {
    REQUIRE(store.hset(name("tmp", i), "f", "value").ok());
    REQUIRE(store.pexpire(name("tmp", i), 100000).value());
  }
  store.execute({"CONFIG", "SET", "maxmemory", std::to_string(used(store) / 2)});
  // Writes evict TTL keys until none is left; then they fail with OOM.
  size_t written = 0;
  while (store.hset(name("new", written), "f", "value").ok()) ++written;
  for (size_t i = 0; i < 50; ++i) CHECK(store.exists({name("keep", i)}) == 1);
  CHECK(store.info().keys_with_ttl == 0);
  CHECK(store.info().evicted_keys == 50);

  Store any(cache_options(clock, EvictionPolicy::kAllKeysRandom, 4));
  for (size_t i = 0; i < 100; ++i) REQUIRE(any.hset(name("k", i), "f", "value").ok());
  const size_t limit = used(any) / 2;
  any.execute({"CONFIG", "SET", "maxmemory", std::to_string(limit)});
  REQUIRE(any.hset("x", "f", "value").ok());
  CHECK(used(any) <= limit + 256);
  CHECK(any.info().evicted_keys > 0);
  CHECK(any.exists({"x"}) == 1);
}

TEST_CASE("CONFIG maxmemory takes Redis's units; policy and samples are checked") {
  Store store;
  auto get = [&](const char* p) { return store.execute({"CONFIG", "GET", p}).elements()[1].string(); };
  CHECK(store.execute({"CONFIG", "SET", "maxmemory", "64mb"}).kind() == hashstore::Reply::Kind::kStatus);
  CHECK(get("maxmemory") == "67108864");
  CHECK(store.execute({"CONFIG", "SET", "maxmemory", "1GB"}).kind() == hashstore::Reply::Kind::kStatus);
  CHECK(get("maxmemory") == "1073741824");
  CHECK(store.execute({"CONFIG", "SET", "maxmemory", "100k"}).kind() == hashstore::Reply::Kind::kStatus);
  CHECK(get("maxmemory") == "100000");
  CHECK(store.execute({"CONFIG", "SET", "maxmemory", "12x"}).string() ==
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be "
        "a memory value");
  CHECK(store.execute({"CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LFU"}).kind() == hashstore::Reply::Kind::kStatus);
  CHECK(get("maxmemory-policy") == "allkeys-lfu");
  CHECK(store.execute({"CONFIG", "SET", "maxmemory-policy", "lru"}).is_error());
  CHECK(store.execute({"CONFIG", "SET", "maxmemory-samples", "10"}).kind() == hashstore::Reply::Kind::kStatus);
  CHECK(get("maxmemory-samples") == "10");
  CHECK(store.execute({"CONFIG", "SET", "maxmemory-samples", "0"}).is_error());
  CHECK(store.info().maxmemory == 100000);
  CHECK(store.info().maxmemory_policy == EvictionPolicy::kAllKeysLfu);
}

TEST_CASE("INFO: memory, stats, keyspace and encodings") {
  ManualClock clock;
  Options o;
  o.clock = &clock;
  Store store(o);
  REQUIRE(store.hset("a", "f", "v").ok());
  REQUIRE(store.hset("b", "f", "v").ok());
  REQUIRE(store.pexpire("b", 10).value());
  for (size_t f = 0; f < 600; ++f) REQUIRE(store.hset("big", name("f", f), "v").ok());
  const std::string_view fields[] = {"f"};
  REQUIRE(store.hpexpire("a", 100000, fields).ok());
  store.hget("a", "f");
  store.hget("zzz", "f");
  clock.advance_ms(20);
  store.expire_cycle();
  const hashstore::Info info = store.info();
  CHECK(info.keyspace_hits == 1);
  CHECK(info.keyspace_misses == 1);
  CHECK(info.expired_keys == 1);
  CHECK(info.keys == 2);
  CHECK(info.keys_with_ttl == 1);  // a: its only field has a TTL
  CHECK(info.hashes_with_field_ttls == 1);
  CHECK(info.listpackex_hashes == 1);
  CHECK(info.hashtable_hashes == 1);
  CHECK(info.listpack_hashes == 0);
  const std::string text = store.execute({"INFO"}).string();
  for (const char* line : {"# Memory\r\n", "used_memory:", "maxmemory_policy:noeviction\r\n",
                           "# Stats\r\n", "keyspace_hits:1\r\n", "expired_keys:1\r\n",
                           "# Keyspace\r\n", "db0:keys=2,expires=1,avg_ttl=0,subexpiry=1\r\n",
                           "# Encodings\r\n", "hashes_hashtable:1\r\n"}) {
    CHECK_MESSAGE(text.find(line) != std::string::npos, line);
  }
  const std::string memory = store.execute({"INFO", "memory"}).string();
  CHECK(memory.find("# Memory") == 0);
  CHECK(memory.find("# Stats") == std::string::npos);
}

TEST_CASE("The memory limit holds through a million random writes") {
  ManualClock clock;
  Options o = cache_options(clock, EvictionPolicy::kAllKeysLru, 4);
  o.maxmemory_samples = 5;
  const size_t limit = size_t{1} << 20;
  o.maxmemory = limit;
  Store store(o);
  std::mt19937_64 rng(7);
  // One write adds at most a key, a field and a value (under 200 bytes) and
  // may grow a key table's slot array: allow that much over the limit.
  const size_t slack = 64 * 1024;
  size_t worst = 0;
  for (int i = 0; i < 1000000; ++i) {
    const std::string key = name("k", rng() % 50000);
    const std::string field = name("f", rng() % 8);
    const std::string value(rng() % 40, 'v');
    REQUIRE(store.hset(key, field, value).ok());
    if (rng() % 16 == 0) clock.advance_ms(1);
    const size_t u = used(store);
    worst = std::max(worst, u);
    if (u > limit + slack) FAIL("used ", u, " over the limit ", limit);
  }
  MESSAGE("worst used_memory ", worst, " for a limit of ", limit);
  CHECK(store.info().evicted_keys > 0);
}

TEST_CASE("allkeys-lfu on a Zipf workload: hit rate close to an exact LFU") {
  ManualClock clock;
  constexpr size_t kKeys = 10000;
  constexpr int kRequests = 300000;
  // How much 1000 keys take: the cache holds a tenth of the keys.
  size_t limit;
  {
    Store probe(cache_options(clock, EvictionPolicy::kNoEviction, 4));
    for (size_t i = 0; i < kKeys / 10; ++i) REQUIRE(probe.hset(name("key:", i), "v", "payload-of-some-size").ok());
    limit = used(probe);
  }
  Options o = cache_options(clock, EvictionPolicy::kAllKeysLfu, 4);
  o.maxmemory_samples = 5;  // Redis's default
  o.maxmemory = limit;
  Store store(o);
  // Zipf(1) over the keys, with a fixed seed.
  std::vector<double> cdf(kKeys);
  double total = 0;
  for (size_t i = 0; i < kKeys; ++i) cdf[i] = (total += 1.0 / static_cast<double>(i + 1));
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uni(0, total);
  std::vector<size_t> trace(kRequests);
  for (size_t& t : trace) t = std::lower_bound(cdf.begin(), cdf.end(), uni(rng)) - cdf.begin();
  // Shuffle key ids so that hot keys are not also the first-created ones.
  std::vector<size_t> id(kKeys);
  for (size_t i = 0; i < kKeys; ++i) id[i] = i;
  std::shuffle(id.begin(), id.end(), rng);

  size_t hits = 0;
  size_t resident_sum = 0;
  for (int r = 0; r < kRequests; ++r) {
    const std::string key = name("key:", id[trace[r]]);
    if (store.hget(key, "v")) {
      ++hits;
    } else {
      REQUIRE(store.hset(key, "v", "payload-of-some-size").ok());
    }
    if (r % 1000 == 0) resident_sum += static_cast<size_t>(store.dbsize());
  }
  const size_t capacity = resident_sum / (kRequests / 1000);
  // Exact LFU with the same capacity: full access counts, evict the least
  // counted resident key.
  std::vector<uint64_t> count(kKeys, 0);
  std::set<std::pair<uint64_t, size_t>> resident;  // (count, key)
  std::vector<bool> in(kKeys, false);
  size_t exact_hits = 0;
  for (size_t k : trace) {
    if (in[k]) {
      ++exact_hits;
      resident.erase({count[k], k});
      resident.insert({++count[k], k});
      continue;
    }
    ++count[k];
    if (resident.size() >= capacity) {
      in[resident.begin()->second] = false;
      resident.erase(resident.begin());
    }
    resident.insert({count[k], k});
    in[k] = true;
  }
  const double ours = static_cast<double>(hits) / kRequests;
  const double exact = static_cast<double>(exact_hits) / kRequests;
  MESSAGE("capacity ", capacity, " keys; hit rate: allkeys-lfu ", ours, ", exact LFU ", exact);
  CHECK(capacity > 500);
  CHECK(std::abs(ours - exact) < 0.05);
}
