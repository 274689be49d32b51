// Concurrency tests of hashstore::Store (run under ThreadSanitizer by
// tools/test.sh): stock reservations from 8 threads never oversell and
// account for every unit, carts are all or nothing, transactions are
// isolated, WATCH-style retries lose no update, and batches and pipelines
// see no interleaving.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <hashstore/pipeline.h>
#include <hashstore/store.h>

namespace {

constexpr int kThreads = 8;
constexpr int kProducts = 100;
constexpr int64_t kInitialStock = 1000;

// prefix followed by i, built by appending (GCC 12 reports a false
// -Wrestrict on "k" + std::to_string(i)).
std::string cat(const char* prefix, int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

std::string product(int i) { return cat("product:", i); }

uint64_t test_seed() {
  const char* s = std::getenv("HASHSTORE_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261124;
}

template <class F>
void run_threads(F&& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
  for (auto& th : threads) th.join();
}

}  // namespace

TEST_CASE("Store::reserve and reserve_all from 8 threads") {
  hashstore::Store store;
  for (int p = 0; p < kProducts; ++p) {
    REQUIRE(store.hset(product(p), "stock", std::to_string(kInitialStock)).ok());
  }
  // reserved[t][p]: units thread t took from product p (successful calls only).
  std::vector<std::vector<int64_t>> reserved(kThreads, std::vector<int64_t>(kProducts, 0));
  std::atomic<int> carts_ok{0}, carts_refused{0}, singles_refused{0};
  const uint64_t seed = test_seed();
  run_threads([&](int t) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(t));
    for (int op = 0; op < 3000; ++op) {
      if (rng() % 2 == 0) {
        const int p = static_cast<int>(rng() % kProducts);
        const int64_t amount = 1 + static_cast<int64_t>(rng() % 5);
        auto r = store.reserve(product(p), "stock", amount);
        REQUIRE(r.ok());
        if (r->has_value()) {
          CHECK(**r >= 0);
          reserved[t][p] += amount;
        } else {
          ++singles_refused;
        }
      } else {
        // A cart of 1..4 lines over random products (a product may repeat).
        std::vector<std::string> keys;
        std::vector<hashstore::ReserveItem> items;
        const int lines = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < lines; ++i) keys.push_back(product(static_cast<int>(rng() % kProducts)));
        for (int i = 0; i < lines; ++i) {
          items.push_back({keys[i], "stock", 1 + static_cast<int64_t>(rng() % 8)});
        }
        auto r = store.reserve_all(items);
        REQUIRE(r.ok());
        if (r->has_value()) {
          ++carts_ok;
          REQUIRE((*r)->size() == items.size());
          for (int i = 0; i < lines; ++i) {
            CHECK((**r)[i] >= 0);
            reserved[t][std::stoi(keys[i].substr(8))] += items[i].amount;
          }
        } else {
          ++carts_refused;
        }
      }
    }
  });
  int64_t total_reserved = 0;
  for (int p = 0; p < kProducts; ++p) {
    int64_t taken = 0;
    for (int t = 0; t < kThreads; ++t) taken += reserved[t][p];
    auto left = store.hget(product(p), "stock");
    REQUIRE(left.has_value());
    const int64_t remaining = std::stoll(*left);
    CAPTURE(p);
    CHECK(remaining >= 0);
    CHECK(remaining + taken == kInitialStock);  // every unit accounted for
    total_reserved += taken;
  }
  // The workload is sized so that stock runs out: refusals must have happened.
  CHECK(total_reserved > kProducts * kInitialStock / 2);
  CHECK(carts_ok.load() > 0);
  CHECK(carts_refused.load() + singles_refused.load() > 0);
}

TEST_CASE("Store::transaction keeps the sum of two counters under concurrency") {
  hashstore::Store store;
  REQUIRE(store.hset("acct", {{"a", "500"}, {"b", "500"}}).ok());
  REQUIRE(store.hset("other", "c", "0").ok());
  std::atomic<int> torn{0};
  run_threads([&](int t) {
    for (int i = 0; i < 1000; ++i) {
      if (t % 2 == 0) {
        const int k = (i % 7) + 1;
        // Move k units from a to b, passing through c in another key (so
        // usually another shard).
        auto r = store.transaction({{"HINCRBY", "acct", "a", cat("", -k)},
                                    {"HINCRBY", "other", "c", cat("", k)},
                                    {"HINCRBY", "other", "c", cat("", -k)},
                                    {"HINCRBY", "acct", "b", cat("", k)}});
        REQUIRE(r.kind() == hashstore::Reply::Kind::kArray);
      } else {
        auto r = store.transaction({{"HGET", "acct", "a"}, {"HGET", "acct", "b"},
                                    {"HGET", "other", "c"}});
        REQUIRE(r.elements().size() == 3);
        const int64_t a = std::stoll(r.elements()[0].string());
        const int64_t b = std::stoll(r.elements()[1].string());
        const int64_t c = std::stoll(r.elements()[2].string());
        if (a + b != 1000 || c != 0) ++torn;
      }
    }
  });
  CHECK(torn.load() == 0);
  CHECK(std::stoll(*store.hget("acct", "a")) + std::stoll(*store.hget("acct", "b")) == 1000);
}

TEST_CASE("Store::watch: optimistic read-modify-write loses no update") {
  hashstore::Store store;
  REQUIRE(store.hset("counter", "n", "0").ok());
  std::atomic<int> retries{0};
  constexpr int kPerThread = 300;
  run_threads([&](int) {
    for (int i = 0; i < kPerThread; ++i) {
      for (;;) {
        auto w = store.watch({"counter"});
        const int64_t n = std::stoll(*store.hget("counter", "n"));
        auto r = store.transaction({{"HSET", "counter", "n", std::to_string(n + 1)}}, &w);
        if (!r.is_nil()) break;
        ++retries;
      }
    }
  });
  CHECK(*store.hget("counter", "n") == std::to_string(kThreads * kPerThread));
  MESSAGE("watch retries: " << retries.load());
}

TEST_CASE("Store::execute_batch is never seen half done") {
  hashstore::Store store;
  std::atomic<int> torn{0};
  run_threads([&](int t) {
    for (int i = 0; i < 500; ++i) {
      if (t % 2 == 0) {
        const std::string v = std::to_string(t * 1000 + i);
        auto replies = store.execute_batch({{"HSET", "x", "f", v}, {"HSET", "y", "f", v}});
        REQUIRE(replies.size() == 2);
      } else {
        auto replies = store.execute_batch({{"HGET", "x", "f"}, {"HGET", "y", "f"}});
        if (replies[0].is_nil() != replies[1].is_nil() ||
            (!replies[0].is_nil() && replies[0].string() != replies[1].string())) {
          ++torn;
        }
      }
    }
  });
  CHECK(torn.load() == 0);
}

TEST_CASE("Store::run is never seen half done") {
  // Writers move a unit from y to x in one pipeline; readers read both in
  // one pipeline: the sum is always 0, and no unit is lost.
  hashstore::Store store;
  REQUIRE(store.hset("x", "n", "0").ok());
  REQUIRE(store.hset("y", "n", "0").ok());
  std::atomic<int> torn{0};
  run_threads([&](int t) {
    hashstore::Pipeline p;
    hashstore::PipelineReplies r;
    for (int i = 0; i < 500; ++i) {
      p.clear();
      if (t % 2 == 0) {
        p.hincrby("x", "n", 1).hincrby("y", "n", -1);
        store.run(p, r);
        REQUIRE(r.size() == 2);
      } else {
        p.hget("x", "n").hget("y", "n");
        store.run(p, r);
        REQUIRE(r.size() == 2);
        if (std::stoll(std::string(r.string(0))) + std::stoll(std::string(r.string(1))) != 0) {
          ++torn;
        }
      }
    }
  });
  CHECK(torn.load() == 0);
  CHECK(*store.hget("x", "n") == std::to_string(kThreads / 2 * 500));
  CHECK(*store.hget("y", "n") == std::to_string(-kThreads / 2 * 500));
}

TEST_CASE("Store: reads share a shard while writes go on") {
  hashstore::Store store;
  for (int i = 0; i < 200; ++i) REQUIRE(store.hset(cat("k", i), "f", "1").ok());
  std::atomic<int64_t> seen{0};
  run_threads([&](int t) {
    std::mt19937_64 rng(test_seed() + static_cast<uint64_t>(t));
    for (int i = 0; i < 2000; ++i) {
      const std::string key = cat("k", static_cast<int64_t>(rng() % 200));
      switch (rng() % 6) {
        case 0: (void)store.hincrby(key, "f", 1); break;
        case 1: store.hget_view(key, "f", [&](std::string_view v) { seen += static_cast<int64_t>(v.size()); }); break;
        case 2: seen += static_cast<int64_t>(store.hgetall(key).size()); break;
        case 3: seen += store.dbsize(); break;
        case 4: seen += static_cast<int64_t>(store.scan(0).items.size()); break;
        default: seen += store.exists({key, "k0"}); break;
      }
    }
  });
  CHECK(seen.load() > 0);
  CHECK(store.dbsize() == 200);
}

TEST_CASE("Store: readers never see an expired field while fields expire under them") {
  // Readers meet hashes whose fields are due and must take the shard for
  // writing to reclaim them (hash_access.h); the expiry thread and writers
  // run at the same time, and the clock moves on.
  hashstore::ManualClock clock(1'000'000);
  hashstore::Options opt;
  opt.clock = &clock;
  opt.shards = 4;
  opt.expiry_thread = true;
  opt.expiry_interval_ms = 1;
  hashstore::Store store(opt);
  constexpr int kKeys = 16;
  constexpr int kFields = 40;  // some hashes pass 32 fields and convert
  std::atomic<bool> stop{false};
  std::atomic<int64_t> checked{0};
  std::vector<std::thread> threads;
  // Writers: each field's value is the absolute time it expires at, so a
  // reader can tell an expired field from a live one by the value alone.
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(test_seed() + w);
      while (!stop.load()) {
        const std::string key = cat("session:", static_cast<int64_t>(rng() % kKeys));
        const std::string field = cat("f", static_cast<int64_t>(rng() % kFields));
        const int64_t ttl = 1 + static_cast<int64_t>(rng() % 50);
        const int64_t when = clock.now_ms() + ttl;
        const std::string value = std::to_string(when);
        const hashstore::FieldValue pair{field, value};
        // PXAT: the value and the TTL name the same instant.
        auto r = store.hsetex(key, std::span<const hashstore::FieldValue>(&pair, 1),
                              {hashstore::FieldTtl::kPXAT, when});
        CHECK(r.ok());
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 rng(test_seed() + 100 + r);
      while (!stop.load()) {
        const std::string key = cat("session:", static_cast<int64_t>(rng() % kKeys));
        const int64_t before = clock.now_ms();  // the clock only moves forward
        for (const auto& [field, value] : store.hgetall(key)) {
          // Alive at the read means its time was still ahead of the
          // clock at some moment after `before`.
          if (std::stoll(value) <= before) FAIL("an expired field was read: ", field);
          checked.fetch_add(1);
        }
        const int64_t len = store.hlen(key);
        CHECK(len >= 0);
        CHECK(len <= kFields);
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 3000; ++i) {
      clock.advance_ms(1);
      std::this_thread::yield();
    }
    stop.store(true);
  });
  for (auto& t : threads) t.join();
  CHECK(checked.load() > 0);
  // Every TTL was at most 50 ms ahead: all of it goes.
  clock.advance_ms(100);
  while (store.expire_cycle(64) > 0) {
  }
  CHECK(store.dbsize() == 0);
}

TEST_CASE("Store: key entries move under readers (slab compaction, access words) and stay exact") {
  // Writers grow, shrink and delete keys (entries move between slab slots;
  // deletes let a shard's slab pass its compaction threshold, which the
  // next write compacts), while readers read every key under an LRU policy
  // (each read stores the key's access word) and one thread turns the LRU
  // policy off and on (every entry then gets its access word under every
  // shard's lock). Each key's value is its own name repeated: a read that
  // met a moved or half-copied entry would see other bytes.
  hashstore::Options o;
  o.shards = 4;
  o.maxmemory_policy = hashstore::EvictionPolicy::kAllKeysLru;
  hashstore::Store store(o);
  constexpr int kKeys = 2000;
  auto value_of = [](const std::string& key, uint64_t n) {
    std::string v;
    for (uint64_t i = 0; i <= n % 5; ++i) v += key;
    return v;
  };
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = cat("key:", i);
    REQUIRE(store.hset(key, {{"v", value_of(key, 0)}, {"n", "0"}}).ok());
  }
  std::atomic<int64_t> wrong{0}, reads{0};
  run_threads([&](int t) {
    std::mt19937_64 rng(test_seed() + 100 + static_cast<uint64_t>(t));
    for (int i = 0; i < 3000; ++i) {
      const std::string key = cat("key:", static_cast<int64_t>(rng() % kKeys));
      if (t == 0 && i % 500 == 0) {
        const char* policy = (i / 500) % 2 ? "noeviction" : "allkeys-lru";
        REQUIRE_FALSE(store.execute({"CONFIG", "SET", "maxmemory-policy", policy}).is_error());
      } else if (t < 3) {
        const uint64_t n = rng();
        if (n % 4 == 0) {
          store.del({key});
        } else {
          REQUIRE(store.hset(key, {{"v", value_of(key, n)}, {"n", std::to_string(n % 1000)}}).ok());
        }
      } else {
        store.hget_view(key, "v", [&](std::string_view v) {
          ++reads;
          if (v.empty() || v.size() % key.size() != 0 ||
              v.substr(0, key.size()) != key || v.substr(v.size() - key.size()) != key) {
            ++wrong;
          }
        });
      }
    }
  });
  CHECK(reads.load() > 0);
  CHECK(wrong.load() == 0);
  const hashstore::Stats s = store.stats();
  CHECK(s.slab_bytes >= s.slab_live_bytes);
  CHECK(s.slab_live_bytes > 0);
}
