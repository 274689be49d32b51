// ActiveExpiry: the expiry cycle over every shard, and its thread.
#include "store/expiry.h"

#include <algorithm>
#include <chrono>

namespace hashstore::internal {

size_t ActiveExpiry::expire_cycle(size_t max_keys_per_shard) {
  size_t reclaimed = 0;
  const int64_t now = clock().now_ms();
  for (size_t i = 0; i < shard_count(); ++i) {
    Shard& s = shard(i);
    ShardLock lock(*this, s, LockMode::kExclusive);
    const size_t n = s.keyspace.expire_some(now, max_keys_per_shard);
    if (n > 0 && !s.watched.empty()) s.note_write_all();
    reclaimed += n;
  }
  return reclaimed;
}

void ActiveExpiry::start_expiry_thread(const Options& options) {
  if (!options.expiry_thread || !thread_safe()) return;
  const int64_t interval = std::max<int64_t>(1, options.expiry_interval_ms);
  expiry_thread_ = std::thread([this, interval] { expiry_loop(interval); });
}

void ActiveExpiry::stop_expiry_thread() {
  if (!expiry_thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  expiry_thread_.join();
}

void ActiveExpiry::expiry_loop(int64_t interval_ms) {
  std::unique_lock<std::mutex> l(stop_mu_);
  while (!stopping_) {
    l.unlock();
    expire_cycle(256);
    l.lock();
    stop_cv_.wait_for(l, std::chrono::milliseconds(interval_ms), [this] { return stopping_; });
  }
}

}  // namespace hashstore::internal
