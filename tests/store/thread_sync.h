// Synchronisation helpers for the threaded Store tests (single_flight_test,
// loader_test). Every wait gives up after a minute so that a bug fails a
// CHECK instead of hanging the test; the time is a deadlock guard, never a
// measurement.
#ifndef HASHSTORE_TESTS_STORE_THREAD_SYNC_H_
#define HASHSTORE_TESTS_STORE_THREAD_SYNC_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace hashstore::test {

// A one-shot gate: wait() blocks until open(); false if it is still shut
// after a minute.
class Gate {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> l(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool wait() {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::minutes(1), [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Yields until cond() holds (the test spins here; the code under test
// never does); false if it still does not after a minute.
template <class C>
bool await(C cond) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace hashstore::test

#endif  // HASHSTORE_TESTS_STORE_THREAD_SYNC_H_
