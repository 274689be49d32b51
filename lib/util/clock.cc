// SystemClock (see include/hashstore/clock.h).
#include <hashstore/clock.h>

#include <chrono>

namespace hashstore {

int64_t SystemClock::now_ms() const {
  // std::chrono::system_clock is CLOCK_REALTIME and counts from the Unix
  // epoch (guaranteed since C++20).
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const SystemClock& SystemClock::instance() {
  // A function-local static: initialised once, thread-safely, on first use,
  // and never destroyed before other statics that might still read it.
  static const SystemClock* const clock = new SystemClock();
  return *clock;
}

}  // namespace hashstore
