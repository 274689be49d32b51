// Tests of hashstore::internal::SingleFlight (lib/util/single_flight.h),
// with no Store: one computation per key while the others wait, results and
// errors shared, different keys independent, re-entrancy refused. Threaded:
// also run under ThreadSanitizer (suite 'threads').
//
// No test sleeps or measures time: a computation is held on a Gate until the
// test has seen (SingleFlight::waiting) that every other caller is blocked.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "util/single_flight.h"
#include "../store/thread_sync.h"

using hashstore::internal::SingleFlight;
using hashstore::test::await;
using hashstore::test::Gate;

namespace {

constexpr int kThreads = 8;

using Fields = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("SingleFlight::run") {
  SingleFlight flights;
  std::atomic<int> calls{0};
  Gate gate;

  SUBCASE("8 callers of one key: compute runs once, all get its value") {
    std::vector<SingleFlight::Result> results(kThreads);
    auto compute = [&]() -> SingleFlight::Result {
      calls.fetch_add(1);
      CHECK(gate.wait());
      return Fields{{"name", "Alice"}, {"city", "Paris"}};
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] { results[t] = flights.run("user:1", compute); });
    }
    CHECK(await([&] { return calls.load() == 1 && flights.waiting("user:1") == kThreads - 1; }));
    gate.open();
    for (auto& th : threads) th.join();
    CHECK(calls.load() == 1);
    for (int t = 0; t < kThreads; ++t) {
      CAPTURE(t);
      REQUIRE(results[t].ok());
      CHECK(*results[t] == Fields{{"name", "Alice"}, {"city", "Paris"}});
    }
    CHECK(flights.in_flight() == 0);

    // The key was forgotten: the next caller computes again.
    SingleFlight::Result again = flights.run("user:1", [&]() -> SingleFlight::Result {
      calls.fetch_add(1);
      return Fields{{"name", "Bob"}};
    });
    CHECK(calls.load() == 2);
    REQUIRE(again.ok());
    CHECK(*again == Fields{{"name", "Bob"}});
  }

  SUBCASE("an error reaches every caller, and the next caller computes again") {
    std::vector<SingleFlight::Result> results(kThreads);
    auto compute = [&]() -> SingleFlight::Result {
      calls.fetch_add(1);
      CHECK(gate.wait());
      return absl::UnavailableError("backend down");
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] { results[t] = flights.run("k", compute); });
    }
    CHECK(await([&] { return calls.load() == 1 && flights.waiting("k") == kThreads - 1; }));
    gate.open();
    for (auto& th : threads) th.join();
    CHECK(calls.load() == 1);
    for (int t = 0; t < kThreads; ++t) {
      CAPTURE(t);
      CHECK(results[t].status() == absl::UnavailableError("backend down"));
    }
    SingleFlight::Result again = flights.run("k", [] { return SingleFlight::Result(Fields{}); });
    REQUIRE(again.ok());
    CHECK(again->empty());
  }

  SUBCASE("different keys run at the same time") {
    // Each computation waits for the other to start: if run() serialized
    // different keys, neither gate would open and both waits would fail.
    Gate a_started, b_started;
    SingleFlight::Result a, b;
    std::thread ta([&] {
      a = flights.run("a", [&]() -> SingleFlight::Result {
        a_started.open();
        CHECK(b_started.wait());
        return Fields{{"f", "a"}};
      });
    });
    std::thread tb([&] {
      b = flights.run("b", [&]() -> SingleFlight::Result {
        b_started.open();
        CHECK(a_started.wait());
        return Fields{{"f", "b"}};
      });
    });
    ta.join();
    tb.join();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(*a == Fields{{"f", "a"}});
    CHECK(*b == Fields{{"f", "b"}});
  }

  SUBCASE("a caller of another key does not wait for a blocked computation") {
    std::thread slow([&] {
      SingleFlight::Result r = flights.run("slow", [&]() -> SingleFlight::Result {
        calls.fetch_add(1);
        CHECK(gate.wait());
        return Fields{};
      });
      CHECK(r.ok());
    });
    CHECK(await([&] { return calls.load() == 1; }));
    // "slow" is still computing; this returns without waiting for it.
    SingleFlight::Result fast =
        flights.run("fast", [] { return SingleFlight::Result(Fields{{"f", "v"}}); });
    CHECK(fast.ok());
    CHECK(flights.in_flight() == 1);
    gate.open();
    slow.join();
    CHECK(flights.in_flight() == 0);
  }

  SUBCASE("compute asking for its own key gets an error instead of a deadlock") {
    SingleFlight::Result inner;
    SingleFlight::Result outer = flights.run("k", [&]() -> SingleFlight::Result {
      calls.fetch_add(1);
      inner = flights.run("k", [&]() -> SingleFlight::Result {
        calls.fetch_add(1);
        return Fields{};
      });
      return Fields{{"f", "v"}};
    });
    CHECK(calls.load() == 1);
    CHECK(inner.status() ==
          absl::FailedPreconditionError(
              "ERR get_or_compute: the loader of 'k' asked for the same key"));
    REQUIRE(outer.ok());
    CHECK(*outer == Fields{{"f", "v"}});
    CHECK(flights.in_flight() == 0);
  }

  SUBCASE("the cycle k -> other -> k on one thread is refused too") {
    SingleFlight::Result innermost;
    SingleFlight::Result outer = flights.run("k", [&]() -> SingleFlight::Result {
      return flights.run("other", [&]() -> SingleFlight::Result {
        innermost = flights.run("k", [] { return SingleFlight::Result(Fields{}); });
        return innermost;
      });
    });
    CHECK(innermost.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(outer.status() == innermost.status());
    CHECK(flights.in_flight() == 0);
    // Both keys were forgotten.
    CHECK(flights.run("k", [] { return SingleFlight::Result(Fields{}); }).ok());
  }
}
