// Tests of Store::get_or_compute (lib/store/store_loader.cc): a hit skips
// the loader, a miss stores the loader's fields (with the TTL when given),
// errors and empty results store nothing, a re-entrant loader gets an error,
// and 8 threads missing together call the loader once. Reaches the Store's
// SingleFlight through StoreImpl to see that the other threads are waiting,
// so it links the internal libraries. Threaded: also run under
// ThreadSanitizer (suite 'threads'). No test sleeps: time moves with
// ManualClock, and a loader is held on a Gate until the waiters are counted.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <hashstore/store.h>

#include "absl/status/status.h"
#include "store/store_internal.h"
#include "util/single_flight.h"
#include "store/store_impl.h"
#include "thread_sync.h"

using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Store;

using hashstore::test::await;
using hashstore::test::Gate;

namespace {

constexpr int kThreads = 8;

using Fields = std::vector<std::pair<std::string, std::string>>;
using LoadResult = absl::StatusOr<Fields>;

Options with_clock(const ManualClock& clock) {
  Options o;
  o.clock = &clock;
  o.shards = 4;
  return o;
}

hashstore::internal::SingleFlight& flights(Store& store) {
  return hashstore::internal::StoreInternal::impl(store).flights();
}

// Yields until the key's flight has its loader running (calls == 1) and
// waiters waiting; false if that does not happen within a minute (a bug:
// the test then opens the gate and fails instead of hanging).
bool await_waiters(Store& store, std::string_view key, const std::atomic<int>& calls,
                   size_t waiters) {
  return await([&] { return calls.load() == 1 && flights(store).waiting(key) == waiters; });
}

}  // namespace

TEST_CASE("Store::get_or_compute") {
  ManualClock clock;
  Store store(with_clock(clock));
  int calls = 0;
  const Fields profile{{"name", "Alice"}, {"city", "Paris"}};
  auto load_profile = [&]() -> LoadResult {
    ++calls;
    return profile;
  };

  SUBCASE("a hit returns the hash without calling the loader") {
    REQUIRE(store.hset("user:1", {{"name", "Bob"}}).ok());
    LoadResult r = store.get_or_compute("user:1", load_profile, 5000);
    REQUIRE(r.ok());
    CHECK(*r == Fields{{"name", "Bob"}});
    CHECK(calls == 0);
    CHECK(store.pttl("user:1") == -1);  // a hit leaves the TTL alone
  }

  SUBCASE("a miss stores the loader's fields and returns them") {
    LoadResult r = store.get_or_compute("user:1", load_profile);
    REQUIRE(r.ok());
    CHECK(*r == profile);
    CHECK(calls == 1);
    CHECK(store.hgetall("user:1") == profile);
    CHECK(store.pttl("user:1") == -1);
    // Now a hit.
    r = store.get_or_compute("user:1", load_profile);
    REQUIRE(r.ok());
    CHECK(*r == profile);
    CHECK(calls == 1);
  }

  SUBCASE("the TTL is applied with PEXPIRE") {
    LoadResult r = store.get_or_compute("user:1", load_profile, 5000);
    REQUIRE(r.ok());
    CHECK(store.pttl("user:1") == 5000);
    clock.advance_ms(4999);
    CHECK(store.exists({"user:1"}) == 1);
    clock.advance_ms(1);
    CHECK(store.exists({"user:1"}) == 0);
    // Expired: the next call loads again.
    r = store.get_or_compute("user:1", load_profile, 5000);
    REQUIRE(r.ok());
    CHECK(calls == 2);
    CHECK(store.pttl("user:1") == 5000);
  }

  SUBCASE("a TTL that is not positive or overflows is refused before anything runs") {
    for (int64_t ttl : {int64_t{0}, int64_t{-1}, INT64_MAX}) {
      CAPTURE(ttl);
      LoadResult r = store.get_or_compute("user:1", load_profile, ttl);
      CHECK(r.status() ==
            absl::InvalidArgumentError("ERR invalid expire time in 'get_or_compute' command"));
    }
    CHECK(calls == 0);
    CHECK(store.exists({"user:1"}) == 0);
  }

  SUBCASE("a loader error is returned and nothing is stored") {
    auto failing = [&]() -> LoadResult {
      ++calls;
      return absl::UnavailableError("database down");
    };
    LoadResult r = store.get_or_compute("user:1", failing, 5000);
    CHECK(r.status() == absl::UnavailableError("database down"));
    CHECK(store.exists({"user:1"}) == 0);
    // Errors are not cached: the next miss calls the loader again.
    r = store.get_or_compute("user:1", load_profile);
    REQUIRE(r.ok());
    CHECK(calls == 2);
  }

  SUBCASE("an empty result stores nothing and returns empty") {
    auto empty = [&]() -> LoadResult {
      ++calls;
      return Fields{};
    };
    LoadResult r = store.get_or_compute("user:1", empty, 5000);
    REQUIRE(r.ok());
    CHECK(r->empty());
    CHECK(store.exists({"user:1"}) == 0);
    CHECK(store.dbsize() == 0);
  }

  SUBCASE("a loader asking for its own key gets an error instead of a deadlock") {
    LoadResult inner;
    auto reentrant = [&]() -> LoadResult {
      ++calls;
      inner = store.get_or_compute("user:1", load_profile);
      return inner;  // propagates the error
    };
    LoadResult r = store.get_or_compute("user:1", reentrant);
    CHECK(calls == 1);
    CHECK(inner.status() ==
          absl::FailedPreconditionError(
              "ERR get_or_compute: the loader of 'user:1' asked for the same key"));
    CHECK(r.status() == inner.status());
    CHECK(store.exists({"user:1"}) == 0);
  }

  SUBCASE("a loader may read other keys through the Store") {
    REQUIRE(store.hset("config", "city", "Lyon").ok());
    auto derived = [&]() -> LoadResult {
      ++calls;
      LoadResult config = store.get_or_compute("config", load_profile);
      if (!config.ok()) return config.status();
      return Fields{{"city", (*config)[0].second}};
    };
    LoadResult r = store.get_or_compute("user:1", derived);
    REQUIRE(r.ok());
    CHECK(*r == Fields{{"city", "Lyon"}});
    CHECK(calls == 1);
    CHECK(store.hget("user:1", "city") == "Lyon");
  }
}

TEST_CASE("Store::get_or_compute from 8 threads missing together") {
  ManualClock clock;
  Store store(with_clock(clock));
  std::atomic<int> calls{0};
  Gate gate;
  const Fields profile{{"name", "Alice"}, {"visits", "1"}};

  SUBCASE("the loader runs once, every thread gets its fields") {
    auto loader = [&]() -> LoadResult {
      calls.fetch_add(1);
      CHECK(gate.wait());
      return profile;
    };
    std::vector<LoadResult> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] { results[t] = store.get_or_compute("user:1", loader, 60'000); });
    }
    // Every thread missed and is in the flight: one loading, seven waiting.
    CHECK(await_waiters(store, "user:1", calls, kThreads - 1));
    gate.open();
    for (auto& th : threads) th.join();
    CHECK(calls.load() == 1);
    for (int t = 0; t < kThreads; ++t) {
      CAPTURE(t);
      REQUIRE(results[t].ok());
      CHECK(*results[t] == profile);
    }
    CHECK(store.hgetall("user:1") == profile);
    CHECK(store.pttl("user:1") == 60'000);
    CHECK(flights(store).in_flight() == 0);
  }

  SUBCASE("a loader error reaches every thread and nothing is stored") {
    auto loader = [&]() -> LoadResult {
      calls.fetch_add(1);
      CHECK(gate.wait());
      return absl::UnavailableError("database down");
    };
    std::vector<LoadResult> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] { results[t] = store.get_or_compute("user:1", loader); });
    }
    CHECK(await_waiters(store, "user:1", calls, kThreads - 1));
    gate.open();
    for (auto& th : threads) th.join();
    CHECK(calls.load() == 1);
    for (int t = 0; t < kThreads; ++t) {
      CAPTURE(t);
      CHECK(results[t].status() == absl::UnavailableError("database down"));
    }
    CHECK(store.exists({"user:1"}) == 0);
  }

  SUBCASE("8 threads on 8 keys: each key loaded once, all at the same time") {
    // Every loader waits until all 8 have started: keys do not wait for
    // each other.
    std::atomic<int> started{0};
    std::vector<LoadResult> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::string key("user:");
        key += std::to_string(t);
        results[t] = store.get_or_compute(key, [&, t]() -> LoadResult {
          calls.fetch_add(1);
          if (started.fetch_add(1) + 1 == kThreads) gate.open();
          CHECK(gate.wait());
          return Fields{{"id", std::to_string(t)}};
        });
      });
    }
    for (auto& th : threads) th.join();
    CHECK(calls.load() == kThreads);
    CHECK(store.dbsize() == kThreads);
    for (int t = 0; t < kThreads; ++t) {
      CAPTURE(t);
      REQUIRE(results[t].ok());
      CHECK(*results[t] == Fields{{"id", std::to_string(t)}});
    }
  }
}
