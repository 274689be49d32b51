// StoreEvents: a Store's event listeners (Store::subscribe) — who listens,
// how a write records an event on its shard, and how a shard's events are
// delivered once the writer holds no lock (store_events.cc has the rules) —
// and the ChangeLog (the append-only file) that sees the same events.
// The layer above ShardMap in StoreImpl's chain (shard_map.h); the shard
// locks (shard_locks.h) hand a write's events over on release.
#ifndef HASHSTORE_STORE_EVENTS_H_
#define HASHSTORE_STORE_EVENTS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "keyspace/keyspace.h"
#include "store/change_log.h"
#include "store/shard.h"
#include "store/shard_map.h"
#include <hashstore/options.h>
#include <hashstore/types.h>

namespace hashstore::internal {

class StoreEvents : public ShardMap {
 public:
  explicit StoreEvents(const Options& options) : ShardMap(options) {}

  // Whether writes record events: a listener is subscribed or a ChangeLog
  // is attached (the fast write paths step aside then).
  bool has_listeners() const { return has_listeners_.load(std::memory_order_relaxed); }
  // Whether a listener is subscribed (the log alone does not count).
  bool subscribed() const { return subscribed_.load(std::memory_order_relaxed); }
  // The attached log (the append-only file), or nullptr.
  ChangeLog* change_log() const { return change_log_.load(std::memory_order_acquire); }
  // Runs make() with every shard held for writing (no write in progress)
  // and attaches the log it returns (nullptr: none), so that the log gets
  // every write after the keyspace make() saw. The caller keeps the log
  // alive until it is detached. REQUIRES: no shard held by this thread.
  void set_change_log(absl::FunctionRef<ChangeLog*()> make);
  // Records an event on s. REQUIRES: s held for writing.
  void record(Shard& s, uint8_t reason, std::string_view key,
              std::vector<std::string> fields = {}) {
    if (has_listeners()) s.events.push_back(KeyspaceEvent{reason, std::string(key), std::move(fields)});
  }
  uint64_t subscribe(std::function<void(const Event&)> fn);
  void unsubscribe(uint64_t id);
  // Points every keyspace's expiry log at its shard's events (or nowhere).
  void set_event_logs(bool on);
  // Delivers s's outbox to the listeners unless another thread is doing it,
  // or this thread is already delivering this Store's events (a listener's
  // own write: the outer delivery loop takes it after the listener returns).
  // REQUIRES: this thread holds no lock of this Store.
  void deliver(Shard& s);
  // ShardLocks::release()'s end for a write that recorded events: moves
  // them to the outbox and unlocks the shard. Out of line: the common
  // release stays small enough to inline. REQUIRES: s held for writing.
  void release_with_events(Shard& s);

 protected:
  ~StoreEvents() = default;  // a base of StoreImpl only

 private:
  // Read by every write: first, so that it lands in ShardMap's tail
  // padding, in the line of what every call reads.
  std::atomic<bool> has_listeners_{false};
  // Event listeners: replaced whole on (un)subscribe, read by deliver().
  // listeners_mu_ guards only the pointer (a leaf: nothing is locked while
  // it is held); subscribe_mu_ serializes subscribe and unsubscribe, which
  // lock every shard to switch the keyspaces' expiry logs.
  using Listeners = std::vector<std::pair<uint64_t, std::function<void(const Event&)>>>;
  std::mutex subscribe_mu_;
  std::mutex listeners_mu_;
  std::shared_ptr<const Listeners> listeners_;
  uint64_t next_listener_ = 1;
  // Whether a listener is subscribed: written under subscribe_mu_, read
  // without it by release_with_events and deliver.
  std::atomic<bool> subscribed_{false};
  std::atomic<ChangeLog*> change_log_{nullptr};
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_EVENTS_H_
