// StoreImpl: the state behind hashstore::Store. It is the top of a chain of
// layers, one concern each, every one usable through StoreImpl:
//   shard.h        Shard: a keyspace, its lock, WATCH versions, events
//   shard_map.h    ShardMap: the shards, routing a key to one, and the
//                  settings calls read (clock, thread_safe, listpack limits)
//   events.h       StoreEvents: listeners, recording, delivery
//   shard_locks.h  ShardLocks: LockMode, lock / release, ShardLock,
//                  MultiLock, HoldShards, used memory
//   eviction.h     Eviction: maxmemory, policies, touch, make_room
//   expiry.h       ActiveExpiry: expire_cycle and the expiry thread
// The layers are plain non-virtual bases, each at offset 0 (shard_map.h),
// so a call through StoreImpl costs what it cost when they were one class.
// This file adds what belongs to the Store as a whole: get_or_compute's
// flights, the command statistics and the persistence layer's slot; and it
// includes every layer (and the argument checks and thread_rng), so that
// code on top of the Store (store.cc, hash_access.h, lib/persist,
// lib/command) includes this one header.
//
// Store's public methods (store.cc and the files it names) and the command
// table (lib/command) are both written on top of this class.
//
// Locks: every lock of the library, what it guards, the order in which
// they may be taken and which callbacks run under which are listed in
// docs/DESIGN.md ("Threads, locks and callbacks"). In short: shard locks in
// ascending order; events are delivered only once the thread holds no lock
// of the Store (release() then deliver()).
#ifndef HASHSTORE_STORE_STORE_IMPL_H_
#define HASHSTORE_STORE_STORE_IMPL_H_

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "store/arg_checks.h"
#include "store/command_stats.h"
#include "store/eviction.h"
#include "store/events.h"
#include "store/expiry.h"
#include "store/shard.h"
#include "store/shard_locks.h"
#include "store/shard_map.h"
#include "store/thread_rng.h"
#include "util/single_flight.h"
#include <hashstore/options.h>
#include <hashstore/store.h>

namespace hashstore::internal {

class PersistState;  // lib/persist/persist_state.h: the extension slot's type

class StoreImpl : public ActiveExpiry {
 public:
  explicit StoreImpl(const Options& options);
  ~StoreImpl();

  // get_or_compute's flights in progress (store_loader.cc).
  SingleFlight& flights() { return flights_; }
  // Unix ms when the Store was built (LASTSAVE before any save).
  int64_t created_ms() const { return created_ms_; }
  // Per-command counters, slowlog and latency monitor (command_stats.h).
  CommandStats& command_stats() { return command_stats_; }

  // Per-Store state of the persistence layer (lib/persist's PersistState:
  // dir, dbfilename, LASTSAVE, the background save), created on first use
  // by extension<PersistState>() (thread-safe; built from this StoreImpl&).
  // It is destroyed first in ~StoreImpl, so that a background save ends
  // before the shards go. The slot holds that one type: extension<T>() does
  // not compile for any other T, so the cast below cannot be wrong.
  struct Extension {
    virtual ~Extension() = default;
  };
  template <class T>
    requires std::same_as<T, PersistState>
  T& extension() {
    std::lock_guard<std::mutex> l(extension_mu_);
    if (extension_ == nullptr) extension_ = std::make_unique<T>(*this);
    return static_cast<T&>(*extension_);
  }

 private:
  SingleFlight flights_;
  int64_t created_ms_;
  CommandStats command_stats_;
  std::mutex extension_mu_;
  std::unique_ptr<Extension> extension_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_STORE_IMPL_H_
