// ActiveExpiry: active expiry of keys — the bounded expire_cycle() over
// every shard, and the optional background thread that runs it
// (Options::expiry_thread). Lazy expiry (a dead key is never returned) is
// the keyspace's (keyspace.h); TTL commands are store_expire.cc's Store
// methods. The layer above Eviction in StoreImpl's chain (shard_map.h).
#ifndef HASHSTORE_STORE_EXPIRY_H_
#define HASHSTORE_STORE_EXPIRY_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

#include "store/eviction.h"
#include <hashstore/options.h>

namespace hashstore::internal {

class ActiveExpiry : public Eviction {
 public:
  explicit ActiveExpiry(const Options& options) : Eviction(options) {}

  // One bounded step of active expiry over every shard: at most
  // max_keys_per_shard keys reclaimed in each; returns how many in all
  // (store_expire.cc).
  size_t expire_cycle(size_t max_keys_per_shard);

 protected:
  ~ActiveExpiry() { stop_expiry_thread(); }  // a base of StoreImpl only
  // Starts the thread of Options::expiry_thread (runs expire_cycle() every
  // expiry_interval_ms) unless thread_safe = false: a background thread
  // needs locks, so such a program calls expire_cycle() itself. Called last
  // in StoreImpl's constructor, once everything it may touch exists.
  void start_expiry_thread(const Options& options);
  // Stops and joins the thread, if any. StoreImpl's destructor calls it
  // first thing after the persistence state is gone.
  void stop_expiry_thread();

 private:
  void expiry_loop(int64_t interval_ms);
  std::thread expiry_thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_EXPIRY_H_
