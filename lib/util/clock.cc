// SystemClock (see include/hashstore/clock.h).
#include <hashstore/clock.h>

#include <chrono>

namespace hashstore {

int64_t SystemClock::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace hashstore
