// SingleFlight's bookkeeping (single_flight.h): joining or leading a flight
// and publishing its result.
#include "util/single_flight.h"

#include <cassert>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/absl_view.h"

namespace hashstore::internal {

SingleFlight::~SingleFlight() { assert(flights_.empty()); }

SingleFlight::Join SingleFlight::join_or_lead(std::string_view key) {
  Join join;
  std::unique_lock<std::mutex> lock(mu_);
  auto it = flights_.find(to_absl(key));
  if (it == flights_.end()) {
    join.lead = true;
    join.flight = std::make_shared<Flight>();
    join.flight->runner = std::this_thread::get_id();
    flights_.emplace(std::string(key), join.flight);
    return join;
  }
  std::shared_ptr<Flight> flight = it->second;
  if (flight->runner == std::this_thread::get_id()) {
    join.result = absl::FailedPreconditionError(absl::StrCat(
        "ERR get_or_compute: the loader of '", to_absl(key), "' asked for the same key"));
    return join;
  }
  ++flight->waiters;
  flight->cv.wait(lock, [&] { return flight->done; });
  --flight->waiters;
  lock.unlock();
  // done was set under mu_ after result was written, and result never
  // changes again: copy it without holding the lock.
  join.result = flight->result;
  return join;
}

void SingleFlight::finish(std::string_view key, const std::shared_ptr<Flight>& flight,
                          const Result& result) {
  std::unique_lock<std::mutex> lock(mu_);
  if (flight->waiters > 0) {
    // Copy the result for the waiters outside the lock, so that a large
    // result does not stall callers of other keys. Callers joining meanwhile
    // just wait too: done is still false.
    lock.unlock();
    Result copy = result;
    lock.lock();
    flight->result = std::move(copy);
  }
  flight->done = true;
  auto it = flights_.find(to_absl(key));
  assert(it != flights_.end() && it->second == flight);
  flights_.erase(it);
  lock.unlock();
  // Waiters re-check done under mu_, so notifying after unlocking loses no
  // wake-up; flight stays alive through the waiters' shared_ptr.
  flight->cv.notify_all();
}

size_t SingleFlight::waiting(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = flights_.find(to_absl(key));
  return it == flights_.end() ? 0 : it->second->waiters;
}

size_t SingleFlight::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return flights_.size();
}

}  // namespace hashstore::internal
