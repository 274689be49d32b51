// Events for listeners (Store::subscribe): who records them, and how they
// are delivered outside every shard lock, in order for each key.
//
// Recording: writes record under the shard's lock (StoreImpl::record, and
// the keyspace's own log of expiries), so events of one key are in the
// order of the writes. Unlocking moves them to the shard's outbox, still in
// that order, before the lock is released. Delivery: the thread that just
// unlocked delivers the outbox unless another thread already is (that one
// keeps going until the outbox stays empty), so listeners never run under a
// shard lock, and one shard's events are delivered by one thread at a time,
// in order. A listener's own writes add to the outbox; the loop delivers
// them after the listener returns.
#include <hashstore/store.h>

#include <algorithm>

#include "store/store_impl.h"

namespace hashstore {

namespace internal {

namespace {
// Set while this thread runs listeners; shards whose events a listener's
// own writes produced wait here for the outer delivery loop.
thread_local bool tl_delivering = false;
thread_local std::vector<Shard*> tl_deferred;
}  // namespace

void StoreImpl::unlock_with_events(Shard& s) {
  {
    std::lock_guard<std::mutex> l(s.outbox_mu);
    for (KeyspaceEvent& e : s.events) s.outbox.push_back(std::move(e));
    s.events.clear();
  }
  if (thread_safe_) s.mu.unlock();
  deliver(s);
}

uint64_t StoreImpl::subscribe(std::function<void(const Event&)> fn) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  auto next = std::make_shared<Listeners>(listeners_ ? *listeners_ : Listeners());
  const uint64_t id = next_listener_++;
  next->emplace_back(id, std::move(fn));
  listeners_ = std::move(next);
  if (!has_listeners_.exchange(true)) {
    // From now on the keyspaces log their expiries too.
    for (auto& shard : shards_) {
      ShardLock lock(*this, *shard, Access::kWrite);
      shard->keyspace.set_event_log(&shard->events);
    }
  }
  return id;
}

void StoreImpl::unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  if (!listeners_) return;
  auto next = std::make_shared<Listeners>(*listeners_);
  next->erase(std::remove_if(next->begin(), next->end(),
                             [&](const auto& entry) { return entry.first == id; }),
              next->end());
  const bool none = next->empty();
  listeners_ = std::move(next);
  if (none && has_listeners_.exchange(false)) {
    for (auto& shard : shards_) {
      ShardLock lock(*this, *shard, Access::kWrite);
      shard->keyspace.set_event_log(nullptr);
    }
  }
}

void StoreImpl::deliver(Shard& first) {
  if (tl_delivering) {
    if (std::find(tl_deferred.begin(), tl_deferred.end(), &first) == tl_deferred.end()) {
      tl_deferred.push_back(&first);
    }
    return;
  }
  std::vector<Shard*> todo{&first};
  while (!todo.empty()) {
    Shard& s = *todo.back();
    todo.pop_back();
    for (;;) {
      {
        std::unique_lock<std::mutex> d(s.deliver_mu, std::try_to_lock);
        if (!d.owns_lock()) break;  // another thread delivers, and will see ours
        std::shared_ptr<const Listeners> listeners;
        {
          std::lock_guard<std::mutex> l(listeners_mu_);
          listeners = listeners_;
        }
        for (;;) {
          std::vector<KeyspaceEvent> batch;
          {
            std::lock_guard<std::mutex> l(s.outbox_mu);
            batch.swap(s.outbox);
          }
          if (batch.empty()) break;
          if (!listeners) continue;
          tl_delivering = true;
          for (KeyspaceEvent& k : batch) {
            const Event e{static_cast<Event::Reason>(k.reason), std::move(k.key),
                          std::move(k.fields)};
            for (const auto& [id, fn] : *listeners) fn(e);
          }
          tl_delivering = false;
          // Shards that listeners wrote to: after this one.
          for (Shard* other : tl_deferred) {
            if (std::find(todo.begin(), todo.end(), other) == todo.end()) todo.push_back(other);
          }
          tl_deferred.clear();
        }
      }
      // Events added after the last look but before deliver_mu was released
      // found it taken and left them to us: look once more.
      std::lock_guard<std::mutex> l(s.outbox_mu);
      if (s.outbox.empty()) break;
    }
  }
}

}  // namespace internal

uint64_t Store::subscribe(std::function<void(const Event&)> fn) {
  return impl_->subscribe(std::move(fn));
}

void Store::unsubscribe(uint64_t id) { impl_->unsubscribe(id); }

}  // namespace hashstore
