// Cache mode: maxmemory and eviction (Eviction::make_room, evict_one,
// touch), after Redis's evict.c and its LFU counter:
//   - before a write that needs memory, keys are evicted until used memory
//     is back under maxmemory; with noeviction the write fails with OOM;
//   - candidates are sampled (maxmemory-samples per eviction, from random
//     shards) into a pool of the 16 best seen so far, and the best is
//     evicted: the longest idle (LRU), the least used (LFU: Redis's 8-bit
//     logarithmic counter, decaying one step per minute), the soonest to
//     expire (volatile-ttl: exact, from each shard's time index), or random;
//   - volatile-* policies consider only keys that will die (a TTL, or a TTL
//     on every field).
// The access word of a key entry holds the LRU time (low 32 bits of the
// clock in ms) or, under LFU, (minutes << 8) | counter. It is updated only
// while an LRU or LFU policy is set.
#include <algorithm>
#include <cassert>

#include "absl/random/distributions.h"
#include "store/eviction.h"
#include "store/thread_rng.h"
#include "util/errors.h"

namespace hashstore::internal {

namespace {

constexpr uint32_t kLfuInitial = 5;   // Redis's LFU_INIT_VAL
constexpr double kLfuLogFactor = 10;  // lfu-log-factor
constexpr uint32_t kLfuDecayMinutes = 1;  // lfu-decay-time
constexpr size_t kPoolSize = 16;      // Redis's EVPOOL_SIZE

bool is_volatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

uint32_t lfu_minutes(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 60000) & 0xFFFF; }

// The counter of an LFU access word after decaying to `minutes`.
uint32_t lfu_decayed(uint32_t word, uint32_t minutes) {
  const uint32_t then = word >> 8;
  const uint32_t counter = word & 0xFF;
  const uint32_t elapsed = minutes >= then ? minutes - then : 65535 - then + minutes;
  const uint32_t periods = elapsed / kLfuDecayMinutes;
  return periods > counter ? 0 : counter - periods;
}

// Redis's LFULogIncr: the higher the counter, the less likely a step.
uint32_t lfu_incremented(uint32_t counter) {
  if (counter == 255) return counter;
  const double base = counter > kLfuInitial ? counter - kLfuInitial : 0;
  const double p = 1.0 / (base * kLfuLogFactor + 1);
  return absl::Uniform<double>(thread_rng(), 0, 1) < p ? counter + 1 : counter;
}

}  // namespace

Eviction::Eviction(const Options& options)
    : ShardLocks(options),
      policy_(options.maxmemory_policy),
      samples_(std::max(1, options.maxmemory_samples)),
      evict_rng_(seed()) {
  set_maxmemory(options.maxmemory);
  if (tracks_access(policy())) {
    for (size_t i = 0; i < shard_count(); ++i) shard(i).keyspace.set_access_words(true);
  }
}

void Eviction::set_policy(EvictionPolicy p) {
  if (tracks_access(p) != tracks_access(policy())) {
    MultiLock lock(*this, LockMode::kExclusive);
    for (size_t i = 0; i < shard_count(); ++i) {
      shard(i).keyspace.set_access_words(tracks_access(p));
    }
  }
  policy_.store(p, std::memory_order_relaxed);
}

uint32_t lfu_frequency(uint32_t word, int64_t now_ms) {
  return lfu_decayed(word, lfu_minutes(now_ms));
}

void Eviction::touch_slow(const void* entry, Now& now, bool created, EvictionPolicy p) {
  if (is_lru(p)) {
    key_entry::set_access(entry, static_cast<uint32_t>(now.ms()));
  } else if (is_lfu(p)) {
    const uint32_t minutes = lfu_minutes(now.ms());
    const uint32_t counter =
        created ? kLfuInitial : lfu_incremented(lfu_decayed(key_entry::access(entry), minutes));
    key_entry::set_access(entry, (minutes << 8) | counter);
  }
}

absl::Status Eviction::make_room_slow() {
  if (room_gate_.load(std::memory_order_relaxed) & kGateRefused) {
    std::lock_guard<std::mutex> l(refusal_mu_);
    if (!refusal_.ok()) return refusal_;
  }
  const size_t limit = maxmemory();
  if (limit == 0 || used_memory() <= limit) return absl::OkStatus();
  const absl::Status oom =
      absl::ResourceExhaustedError(kErrOom);
  if (policy() == EvictionPolicy::kNoEviction) return oom;
  // With shards held (a batch or transaction) evicting could deadlock; the
  // batch made room before it took them.
  if (held_by_this_thread().owner == this) return absl::OkStatus();
  while (used_memory() > limit) {
    if (!evict_one()) return oom;
  }
  return absl::OkStatus();
}

bool Eviction::evict_one() {
  Shard* with_events = nullptr;
  bool evicted;
  {
    std::lock_guard<std::mutex> guard(evict_mu_);
    evicted = evict_one_locked(&with_events);
  }
  // The eviction event is delivered with evict_mu_ released: its listeners
  // may write, and a write may have to evict.
  if (with_events != nullptr) deliver(*with_events);
  return evicted;
}

bool Eviction::evict_one_locked(Shard** deliver_to) {
  const EvictionPolicy p = policy();
  const bool volatile_only = is_volatile(p);
  Now now(clock());
  const uint32_t minutes = lfu_minutes(now.ms());
  // Adds one candidate from shard s (held for reading) to the pool.
  auto sample = [&](Shard& s) {
    const Keyspace& ks = s.keyspace;
    const void* e = nullptr;
    if (p == EvictionPolicy::kVolatileTtl) {
      e = ks.soonest_dying();
    } else {
      // A few draws for a volatile key; the soonest to die if they all miss.
      for (int tries = 0; tries < 8 && e == nullptr; ++tries) {
        const void* c = ks.random_entry(evict_rng_());
        if (!volatile_only || key_entry::death_ms(c)) e = c;
      }
      if (e == nullptr) e = ks.soonest_dying();
    }
    if (e == nullptr) return;
    double score;
    if (is_lru(p)) {
      score = static_cast<uint32_t>(static_cast<uint32_t>(now.ms()) - key_entry::access(e));
    } else if (is_lfu(p)) {
      score = 255.0 - lfu_decayed(key_entry::access(e), minutes);
    } else if (p == EvictionPolicy::kVolatileTtl) {
      score = -static_cast<double>(*key_entry::death_ms(e));
    } else {
      score = static_cast<double>(evict_rng_() >> 11);
    }
    const std::string_view key = key_entry::key(e);
    auto same = std::find_if(pool_.begin(), pool_.end(), [&](const Candidate& c) {
      return c.shard == s.index && c.key == key;
    });
    if (same != pool_.end()) {
      same->score = score;
    } else {
      pool_.push_back(Candidate{score, s.index, std::string(key)});
    }
  };
  // Sample candidates into the pool.
  const int samples = std::max(1, this->samples());
  for (int i = 0; i < samples; ++i) {
    // A random shard, or the next one that has candidates.
    const size_t start = evict_rng_() % shard_count();
    for (size_t k = 0; k < shard_count(); ++k) {
      Shard& s = shard((start + k) % shard_count());
      ShardLock lock(*this, s, LockMode::kShared);
      const Keyspace& ks = s.keyspace;
      if (ks.size() == 0 || (volatile_only && ks.volatile_size() == 0)) continue;
      sample(s);
      break;
    }
  }
  std::sort(pool_.begin(), pool_.end(),
            [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  if (pool_.size() > kPoolSize) pool_.resize(kPoolSize);
  // Evict the best candidate that still exists.
  while (!pool_.empty()) {
    const Candidate c = std::move(pool_.front());
    pool_.erase(pool_.begin());
    Shard& s = shard(c.shard);
    lock(s, LockMode::kExclusive);
    const uint64_t h = hash(c.key);
    const void* e = s.keyspace.find(c.key, h);
    if (e == nullptr || (volatile_only && !key_entry::death_ms(e))) {
      const bool events = release(s, LockMode::kExclusive);  // no write: nothing recorded
      assert(!events);
      (void)events;
      continue;
    }
    s.keyspace.erase(c.key, h);
    s.note_write(c.key);
    record(s, kEventEvicted, c.key);
    evicted_.fetch_add(1, std::memory_order_relaxed);
    *deliver_to = release(s, LockMode::kExclusive) ? &s : nullptr;
    return true;
  }
  return false;
}

void Eviction::set_write_refusal(const absl::Status& status) {
  std::lock_guard<std::mutex> l(refusal_mu_);
  refusal_ = status;
  if (status.ok()) {
    room_gate_.fetch_and(static_cast<uint8_t>(~kGateRefused), std::memory_order_relaxed);
  } else {
    room_gate_.fetch_or(kGateRefused, std::memory_order_relaxed);
  }
}

}  // namespace hashstore::internal
