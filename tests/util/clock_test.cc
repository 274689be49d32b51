// Tests of the clocks (include/hashstore/clock.h, lib/util/clock.cc).
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include <hashstore/clock.h>

TEST_CASE("ManualClock moves only when told") {
  hashstore::ManualClock clock(1000);
  CHECK(clock.now_ms() == 1000);
  clock.advance_ms(250);
  CHECK(clock.now_ms() == 1250);
  clock.set_ms(5);
  CHECK(clock.now_ms() == 5);
}

TEST_CASE("ManualClock is safe to advance from many threads") {
  hashstore::ManualClock clock(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) clock.advance_ms(1);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(clock.now_ms() == 40000);
}

TEST_CASE("SystemClock reads Unix milliseconds") {
  const int64_t now = hashstore::SystemClock::instance().now_ms();
  CHECK(now > 1700000000000);  // after November 2023
  CHECK(now < 4102444800000);  // before 2100
  CHECK(hashstore::SystemClock::instance().now_ms() >= now);
}
