// hashstore::Clock: where a Store reads the time (TTLs, expiry). Pass one in
// Options::clock; tests pass a ManualClock and move time by hand, so that no
// test sleeps.
//
// Every Clock must be safe to call from many threads at once.
#ifndef HASHSTORE_CLOCK_H_
#define HASHSTORE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace hashstore {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in milliseconds.
  virtual int64_t now_ms() const = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override;
  // A process-wide instance (what a Store uses when Options::clock is null).
  static const SystemClock& instance();
};

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1700000000000) : ms_(start_ms) {}
  int64_t now_ms() const override { return ms_.load(std::memory_order_acquire); }
  void set_ms(int64_t ms) { ms_.store(ms, std::memory_order_release); }
  void advance_ms(int64_t delta) { ms_.fetch_add(delta, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> ms_;
};

}  // namespace hashstore

#endif  // HASHSTORE_CLOCK_H_
