// Events for listeners (Store::subscribe): who records them, and how they
// are delivered outside every shard lock, in order for each key.
//
// Recording: writes record under the shard's lock (StoreEvents::record, and
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
#include <utility>

#include "store/events.h"
#include "store/store_impl.h"

namespace hashstore {

namespace internal {

namespace {
// The Stores whose events this thread is delivering (a listener may call
// another Store, whose listeners then run nested), and the shards whose
// events a listener's own writes produced meanwhile: each waits for the
// delivery loop of its own Store, after the listener returns.
thread_local std::vector<const StoreEvents*> tl_delivering;
thread_local std::vector<std::pair<const StoreEvents*, Shard*>> tl_deferred;
}  // namespace

// With a log attached the events are first turned into log records, still
// under the shard's lock (so records of one key are in the order of its
// writes); they reach the outbox only when someone subscribed.
void StoreEvents::release_with_events(Shard& s) {
  if (ChangeLog* log = change_log()) {
    log->log_events(s);
    if (!subscribed_.load(std::memory_order_relaxed)) {
      s.events.clear();
      if (thread_safe()) s.mu.unlock();
      return;
    }
  }
  {
    std::lock_guard<std::mutex> l(s.outbox_mu);
    for (KeyspaceEvent& e : s.events) s.outbox.push_back(std::move(e));
    s.events.clear();
  }
  if (thread_safe()) s.mu.unlock();
}

// Attaching or detaching holds every shard (in order), so no write is half
// logged; the keyspaces' expiry logs follow has_listeners_.
void StoreEvents::set_change_log(absl::FunctionRef<ChangeLog*()> make) {
  std::lock_guard<std::mutex> serial(subscribe_mu_);
  const size_t n = shard_count();
  for (size_t i = 0; i < n; ++i) {
    if (thread_safe()) shard(i).mu.lock();
  }
  ChangeLog* log = make();
  change_log_.store(log, std::memory_order_release);
  const bool on = log != nullptr || subscribed_.load(std::memory_order_relaxed);
  has_listeners_.store(on, std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) shard(i).keyspace.set_event_log(on ? &shard(i).events : nullptr);
  for (size_t i = n; i-- > 0;) {
    if (thread_safe()) shard(i).mu.unlock();
  }
}

// Turning the keyspaces' expiry logs on or off locks each shard in turn,
// with the raw mutex: no event can wait in a shard's `events` while nobody
// holds it (release moves them out first), so there is nothing to deliver.
void StoreEvents::set_event_logs(bool on) {
  for (size_t i = 0; i < shard_count(); ++i) {
    Shard& s = shard(i);
    if (thread_safe()) s.mu.lock();
    s.keyspace.set_event_log(on ? &s.events : nullptr);
    if (thread_safe()) s.mu.unlock();
  }
}

uint64_t StoreEvents::subscribe(std::function<void(const Event&)> fn) {
  std::lock_guard<std::mutex> serial(subscribe_mu_);
  uint64_t id;
  {
    std::lock_guard<std::mutex> l(listeners_mu_);
    auto next = std::make_shared<Listeners>(listeners_ ? *listeners_ : Listeners());
    id = next_listener_++;
    next->emplace_back(id, std::move(fn));
    listeners_ = std::move(next);
  }
  // From now on the keyspaces log their expiries too.
  subscribed_.store(true, std::memory_order_relaxed);
  if (!has_listeners_.exchange(true)) set_event_logs(true);
  return id;
}

void StoreEvents::unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> serial(subscribe_mu_);
  bool none;
  {
    std::lock_guard<std::mutex> l(listeners_mu_);
    if (!listeners_) return;
    auto next = std::make_shared<Listeners>(*listeners_);
    next->erase(std::remove_if(next->begin(), next->end(),
                               [&](const auto& entry) { return entry.first == id; }),
                next->end());
    none = next->empty();
    listeners_ = std::move(next);
  }
  if (!none) return;
  subscribed_.store(false, std::memory_order_relaxed);
  // An attached log keeps the events coming.
  if (change_log() == nullptr && has_listeners_.exchange(false)) set_event_logs(false);
}

void StoreEvents::deliver(Shard& first) {
  // The write is acknowledged only once its log records are durable. With
  // no listener, release_with_events dropped the events: nothing to deliver.
  if (ChangeLog* log = change_log()) {
    log->wait_durable();
    if (!subscribed_.load(std::memory_order_relaxed)) return;
  }
  if (std::find(tl_delivering.begin(), tl_delivering.end(), this) != tl_delivering.end()) {
    const std::pair<const StoreEvents*, Shard*> item{this, &first};
    if (std::find(tl_deferred.begin(), tl_deferred.end(), item) == tl_deferred.end()) {
      tl_deferred.push_back(item);
    }
    return;
  }
  tl_delivering.push_back(this);
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
          for (KeyspaceEvent& k : batch) {
            const Event e{static_cast<Event::Reason>(k.reason), std::move(k.key),
                          std::move(k.fields)};
            for (const auto& [id, fn] : *listeners) fn(e);
          }
          // This Store's shards that listeners wrote to: after this one.
          for (auto it = tl_deferred.begin(); it != tl_deferred.end();) {
            if (it->first != this) {
              ++it;
              continue;
            }
            if (std::find(todo.begin(), todo.end(), it->second) == todo.end()) {
              todo.push_back(it->second);
            }
            it = tl_deferred.erase(it);
          }
        }
      }
      // Events added after the last look but before deliver_mu was released
      // found it taken and left them to us: look once more.
      std::lock_guard<std::mutex> l(s.outbox_mu);
      if (s.outbox.empty()) break;
    }
  }
  tl_delivering.pop_back();
}

}  // namespace internal

uint64_t Store::subscribe(std::function<void(const Event&)> fn) {
  return impl_->subscribe(std::move(fn));
}

void Store::unsubscribe(uint64_t id) { impl_->unsubscribe(id); }

}  // namespace hashstore
