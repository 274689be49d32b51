// SingleFlight: runs a computation once per key while every other caller of
// the same key waits for it and receives a copy of its result (Go's
// golang.org/x/sync/singleflight, without the shared error-retry policy).
// Store::get_or_compute (store_loader.cc) uses it so that a burst of misses
// on one key calls the user's loader once instead of once per thread (a
// cache stampede).
//
// Design. A map key -> Flight under one mutex. The first caller of a key
// (the runner) inserts a Flight naming its thread, releases the mutex and
// runs compute() with no lock of this class held, so compute may block, take
// the Store's shard locks or call run() for other keys. Later callers of the
// same key find the Flight and sleep on its condition variable (no spinning)
// until the runner publishes the result; then each copies it. The runner
// erases the key when it publishes, so the next miss starts a new flight:
// nothing is cached here, and a result (error or not) is given only to the
// callers that overlapped the computation. The mutex is held only for map
// lookups and flag changes, never during compute() or while copying a
// result, so callers of different keys never wait for each other's
// computation.
//
// Re-entrancy. A compute() that calls run() for a key whose flight is run by
// the same thread (its own key, directly or through other keys) would wait
// for itself forever. run() detects it by the runner's thread id and returns
// FailedPrecondition "ERR get_or_compute: the loader of '<key>' asked for the
// same key" to that inner call instead of blocking. Not detected: a cycle
// across threads (thread 1's compute for A waits on B while thread 2's
// compute for B waits on A); computations must not wait on each other in a
// cycle.
//
// Threading: all methods may be called from any thread at once.
// REQUIRES: compute() does not throw (the library is built without
// exceptions; an exception escaping compute() would leave the key's waiters
// blocked forever), and the SingleFlight outlives every run() in progress.
#ifndef HASHSTORE_UTIL_SINGLE_FLIGHT_H_
#define HASHSTORE_UTIL_SINGLE_FLIGHT_H_

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace hashstore::internal {

class SingleFlight {
 public:
  // A hash's fields in order, or an error.
  using Result = absl::StatusOr<std::vector<std::pair<std::string, std::string>>>;

  SingleFlight() = default;
  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;
  ~SingleFlight();  // REQUIRES: no run() in progress

  // Returns compute()'s result for key: when no flight of key is in
  // progress, this thread runs compute() (no lock held) and returns its
  // result; otherwise it waits for the flight in progress and returns a copy
  // of its result, without calling compute. Error (compute not called) when
  // the flight in progress is run by this thread: see "Re-entrancy" above.
  // F: callable as `Result()` (anything convertible to Result).
  template <class F>
  Result run(std::string_view key, F&& compute) {
    static_assert(std::is_convertible_v<std::invoke_result_t<F&>, Result>,
                  "compute() must return SingleFlight::Result");
    Join join = join_or_lead(key);
    if (!join.lead) return std::move(join.result);
    Result result = compute();
    finish(key, join.flight, result);
    return result;
  }

  // Callers now waiting for the flight of key (not counting its runner); 0
  // when no flight of key is in progress. For tests and stats: the answer
  // may be stale as soon as it is returned.
  size_t waiting(std::string_view key) const;
  // Flights in progress.
  size_t in_flight() const;

 private:
  struct Flight {
    std::thread::id runner;
    size_t waiters = 0;  // guarded by SingleFlight::mu_
    bool done = false;   // guarded by SingleFlight::mu_
    // Written once by the runner before done is set (under mu_), read-only
    // afterwards: waiters copy it without the lock.
    Result result;
    std::condition_variable cv;  // signalled when done is set
  };
  // What join_or_lead decided: lead (run compute, then finish(flight)), or
  // the result to return (a waiter's copy, or the re-entrancy error).
  struct Join {
    bool lead = false;
    std::shared_ptr<Flight> flight;
    Result result;
  };
  Join join_or_lead(std::string_view key);
  // Publishes result to the waiters of flight and forgets key.
  void finish(std::string_view key, const std::shared_ptr<Flight>& flight, const Result& result);

  mutable std::mutex mu_;
  // Flights in progress; shared with their waiters, who may still be copying
  // the result after the runner erased the entry.
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_;  // guarded by mu_
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_SINGLE_FLIGHT_H_
