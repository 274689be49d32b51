// ShardMap's construction: how many shards a Store gets, and its seed.
#include "store/shard_map.h"

#include <algorithm>
#include <bit>
#include <thread>

#include "util/random.h"
#include "util/sanitizers.h"

namespace hashstore::internal {

namespace {

// 32 shards per core (at most 1024): with more threads than cores, a thread
// preempted while it holds a shard stalls that shard's other callers until
// it runs again, so the share of keys one preempted holder blocks must be
// small. hashstore-bench threads, 90/10 HGET/HSET on 2 cores: 8 threads did
// 0.9x the operations of 2 with 8 shards, 1.0x with 32, 1.2x with 64.
// Under ThreadSanitizer at most 32: its deadlock detector tracks at most 64
// locks held by one thread, and a call that holds every shard (FLUSHALL, a
// transaction, a snapshot) takes one more lock while it releases them.
size_t default_shards() {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
#ifdef HASHSTORE_TSAN
  constexpr size_t kMaxDefault = 32;
#else
  constexpr size_t kMaxDefault = 1024;
#endif
  return std::bit_ceil(std::min<size_t>(cores * 32, kMaxDefault));
}

}  // namespace

ShardMap::ShardMap(const Options& options)
    : seed_(options.hash_seed ? *options.hash_seed : random_seed()),
      clock_(options.clock ? options.clock : &SystemClock::instance()),
      max_listpack_entries_(options.hash_max_listpack_entries),
      max_listpack_value_(options.hash_max_listpack_value),
      thread_safe_(options.thread_safe) {
  size_t n = std::bit_ceil(options.shards == 0 ? default_shards() : options.shards);
  shard_bits_ = static_cast<unsigned>(std::countr_zero(n));
  shards_.reserve(n);
  for (size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(i, seed_));
}

}  // namespace hashstore::internal
