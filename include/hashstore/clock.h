// hashstore::Clock: where a Store reads the time for TTLs and expiry. Pass
// one in Options::clock; tests pass a ManualClock and move time by hand, so
// that no test sleeps.
//
// Threading: every Clock must be safe to call from many threads at once; the
// two below are. A Store keeps a pointer to its Clock, so the Clock must
// outlive the Store.
#ifndef HASHSTORE_CLOCK_H_
#define HASHSTORE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace hashstore {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in milliseconds (ms since 1970-01-01T00:00:00Z).
  virtual int64_t now_ms() const = 0;
};

// The system's real-time clock (CLOCK_REALTIME, as Redis's mstime()). It can
// jump when the system time is set, backwards included, exactly as Redis's
// TTLs do.
class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override;
  // A process-wide instance (what a Store uses when Options::clock is null).
  // Valid for the whole life of the process.
  static const SystemClock& instance();
};

// A clock that moves only when told to. now_ms() sees every earlier set_ms()
// or advance_ms() from any thread; concurrent advance_ms() calls all count.
class ManualClock final : public Clock {
 public:
  // The default start is 2023-11-14T22:13:20Z.
  explicit ManualClock(int64_t start_ms = 1700000000000) : ms_(start_ms) {}
  int64_t now_ms() const override { return ms_.load(std::memory_order_acquire); }
  void set_ms(int64_t ms) { ms_.store(ms, std::memory_order_release); }
  // delta may be negative (time going backwards, as a system clock can).
  void advance_ms(int64_t delta) { ms_.fetch_add(delta, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> ms_;
};

}  // namespace hashstore

#endif  // HASHSTORE_CLOCK_H_
