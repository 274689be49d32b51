// Tests of the clocks (include/hashstore/clock.h, lib/util/clock.cc). No test
// sleeps or measures time: SystemClock is only checked for plausible values.
#include <doctest/doctest.h>

#include <ctime>
#include <thread>
#include <vector>

#include <hashstore/clock.h>

TEST_CASE("ManualClock::now_ms") {
  SUBCASE("starts where told") {
    hashstore::ManualClock clock(1000);
    CHECK(clock.now_ms() == 1000);
  }
  SUBCASE("default start is 2023-11-14T22:13:20Z") {
    hashstore::ManualClock clock;
    CHECK(clock.now_ms() == 1700000000000);
  }
  SUBCASE("usable through the Clock interface") {
    hashstore::ManualClock manual(42);
    const hashstore::Clock& clock = manual;
    CHECK(clock.now_ms() == 42);
  }
}

TEST_CASE("ManualClock::advance_ms") {
  hashstore::ManualClock clock(1000);

  SUBCASE("moves forward and back") {
    clock.advance_ms(250);
    CHECK(clock.now_ms() == 1250);
    clock.advance_ms(-1250);
    CHECK(clock.now_ms() == 0);
  }

  SUBCASE("concurrent advances all count") {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 10000; ++i) clock.advance_ms(1);
      });
    }
    for (auto& t : threads) t.join();
    CHECK(clock.now_ms() == 1000 + 40000);
  }
}

TEST_CASE("ManualClock::set_ms") {
  hashstore::ManualClock clock(1000);
  clock.set_ms(5);
  CHECK(clock.now_ms() == 5);
  clock.set_ms(-7);
  CHECK(clock.now_ms() == -7);
}

TEST_CASE("SystemClock::now_ms") {
  SUBCASE("reads Unix milliseconds") {
    // Bracketed by CLOCK_REALTIME read directly. Not time(): glibc serves it
    // from the coarse clock, which lags CLOCK_REALTIME by up to a tick, so a
    // reading taken after now_ms() could fall in the previous second.
    const auto realtime_ms = [] {
      timespec ts{};
      REQUIRE(clock_gettime(CLOCK_REALTIME, &ts) == 0);
      return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
    };
    const int64_t before = realtime_ms();
    const int64_t now = hashstore::SystemClock::instance().now_ms();
    const int64_t after = realtime_ms();
    CHECK(now >= before);
    CHECK(now <= after);
    CHECK(now > int64_t{1700000000} * 1000);  // later than November 2023
  }
  SUBCASE("instance() is one object") {
    CHECK(&hashstore::SystemClock::instance() == &hashstore::SystemClock::instance());
  }
}
