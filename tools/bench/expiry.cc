// hashstore-bench workload `expiry`: data that expires unread, and how fast
// active expiry gives its memory back.
//
// Three cases: 1,000,000 one-field keys "k:N" with a key TTL; one hash "big"
// of 1,000,000 fields "f:N" with a TTL on every field; 10,000 hashes "h:N"
// of 100 fields each (compact encoding) with a TTL on every field. TTLs are
// 1000 + (N % 1000) ms (N counts keys, or fields over all hashes), so they
// fall due over one second. After filling, the clock jumps 5 s, past them
// all, and expire_cycle(256) runs until it returns 0; each call is timed with
// steady_clock. Figures: the total of those calls (time until the memory is
// back), the longest call, the number of calls, the bytes in use after the
// fill, and the bytes still in use afterwards beyond what was in use before
// the fill (the empty Store, or the empty baseline, is in both).
//
// The Store has Options::shards = 16 and a ManualClock. The baseline is the
// nested flat_hash_map keyspace plus a std::multimap (time -> key, or time
// -> key and field) as its TTL index. Its cycle erases up to 256 * 16 due
// items per call, what one expire_cycle(256) may reclaim over 16 shards, and
// shrinks a map once under 1/8 full as hashstore's tables do (rehash(0);
// flat_hash_map never shrinks by itself, so its memory would never be back).
// Any item left over after the last cycle is a bug: the run stops. (The
// Store is checked with its clock set back to the start, as dbsize() does
// not count keys that are expired but not yet reclaimed.)
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/store.h>

#include "bench_common.h"

namespace bench {

namespace {

constexpr int64_t kStartMs = 1700000000000;
constexpr int64_t kJumpMs = 5000;  // past every TTL
constexpr size_t kShards = 16;
constexpr size_t kPerShard = 256;
constexpr size_t kBatch = 1000;

int64_t ttl_ms(size_t n) { return 1000 + static_cast<int64_t>(n % 1000); }

std::string value8(size_t i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08zu", (i * 7919) % 100000000);
  return buf;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "\nhashstore-bench expiry: %s\n", what);
  std::exit(1);
}

struct Outcome {
  double total_ms = 0, worst_ms = 0, cycles = 0, fill_bytes = 0, left_bytes = 0;
};

// Fills (fill also moves the clock past every TTL), then runs cycle until it
// returns 0. REQUIRES: the container is already constructed, so that its
// fixed cost is in `before`.
Outcome measure(const std::function<void()>& fill, const std::function<size_t()>& cycle,
                const std::function<size_t()>& remaining) {
  Outcome o;
  malloc_trim(0);
  const size_t before = heap_in_use();
  fill();
  o.fill_bytes = static_cast<double>(heap_in_use() - before);
  for (;;) {
    const auto t0 = Clock::now();
    const size_t n = cycle();
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    o.total_ms += ms;
    o.worst_ms = std::max(o.worst_ms, ms);
    ++o.cycles;
    if (n == 0) break;
  }
  if (remaining() != 0) fail("items left after the last cycle returned 0");
  o.left_bytes = static_cast<double>(static_cast<int64_t>(heap_in_use()) -
                                     static_cast<int64_t>(before));
  return o;
}

template <class Map>
void shrink(Map& m) {
  if (m.size() * 8 < m.capacity()) m.rehash(0);
}

// The baseline: keyspace plus TTL index; Item is the key, or (key, field).
template <class Item>
struct TtlBaseline {
  BaselineKeyspace ks;
  std::multimap<int64_t, Item> index;
  int64_t now = kStartMs;

  size_t cycle() {
    size_t n = 0;
    while (n < kPerShard * kShards && !index.empty() && index.begin()->first <= now) {
      auto node = index.extract(index.begin());
      drop(node.mapped());
      ++n;
    }
    shrink(ks);
    return n;
  }
  void drop(const std::string& key) { ks.erase(key); }
  void drop(const std::pair<std::string, std::string>& kf) {
    auto it = ks.find(kf.first);
    if (it == ks.end()) return;
    it->second.erase(kf.second);
    if (it->second.empty()) {
      ks.erase(it);
    } else {
      shrink(it->second);
    }
  }
};

// Gives fields [lo, hi) of key (global numbers) their TTLs with hpexpire:
// one call per distinct TTL, at most kBatch fields each.
void store_field_ttls(hashstore::Store& s, const std::string& key, size_t lo, size_t hi,
                      const std::vector<std::string>& names) {
  std::map<int64_t, std::vector<std::string_view>> by_ttl;
  for (size_t n = lo; n < hi; ++n) by_ttl[ttl_ms(n)].push_back(names[n - lo]);
  for (const auto& [ms, fields] : by_ttl) {
    for (size_t i = 0; i < fields.size(); i += kBatch) {
      const std::span<const std::string_view> part(fields.data() + i,
                                                   std::min(kBatch, fields.size() - i));
      auto r = s.hpexpire(key, ms, part);
      if (!r.ok()) fail(std::string(r.status().message()).c_str());
      for (int64_t v : *r) {
        if (v != 1) fail("hpexpire did not set a TTL on an existing field");
      }
    }
  }
}

using KeyBaseline = TtlBaseline<std::string>;
using FieldBaseline = TtlBaseline<std::pair<std::string, std::string>>;

// One round of hashstore: a 16-shard Store on a ManualClock, then measure().
Outcome measure_store(const std::function<void(hashstore::Store&)>& fill) {
  hashstore::ManualClock clock(kStartMs);
  hashstore::Options options;
  options.clock = &clock;
  options.shards = kShards;
  hashstore::Store s(options);
  return measure([&] { fill(s); clock.advance_ms(kJumpMs); },
                 [&] { return s.expire_cycle(kPerShard); },
                 [&] {
                   // dbsize() skips expired keys: rewind so that any not
                   // reclaimed count again.
                   clock.advance_ms(-kJumpMs);
                   const int64_t left = s.dbsize();
                   clock.advance_ms(kJumpMs);
                   return static_cast<size_t>(left);
                 });
}

// One round of the baseline: constructs it, then measure().
template <class B>
Outcome measure_baseline(const std::function<void(B&)>& fill) {
  B b;
  return measure([&] { fill(b); b.now += kJumpMs; }, [&] { return b.cycle(); },
                 [&] { return b.ks.size(); });
}

}  // namespace

void expiry(int rounds) {
  constexpr size_t n = 1000000;
  std::vector<std::string> keys(n), fields(n), values(n);
  for (size_t i = 0; i < n; ++i) {
    keys[i] = std::string("k:").append(std::to_string(i));
    fields[i] = std::string("f:").append(std::to_string(i));
    values[i] = value8(i);
  }
  // The field cases: `hashes` hashes of n / hashes fields; field number N
  // (over all hashes) is fields[N % per_hash] of hash N / per_hash.
  auto key_of = [](size_t hashes, size_t h) {
    return hashes == 1 ? std::string("big") : std::string("h:").append(std::to_string(h));
  };
  auto fill_fields_ours = [&](size_t hashes) {
    return [&, hashes](hashstore::Store& s) {
      const size_t per_hash = n / hashes;
      std::vector<hashstore::FieldValue> batch;
      for (size_t h = 0; h < hashes; ++h) {
        const std::string key = key_of(hashes, h);
        for (size_t i = 0; i < per_hash; i += kBatch) {
          batch.clear();
          for (size_t j = i; j < std::min(per_hash, i + kBatch); ++j) {
            batch.emplace_back(fields[j], values[h * per_hash + j]);
          }
          if (!s.hset(key, std::span<const hashstore::FieldValue>(batch)).ok()) fail("hset");
        }
        store_field_ttls(s, key, h * per_hash, (h + 1) * per_hash, fields);
      }
    };
  };
  auto fields_theirs = [&](size_t hashes) {
    return [&, hashes] {
      return measure_baseline<FieldBaseline>([&](FieldBaseline& b) {
        const size_t per_hash = n / hashes;
        for (size_t h = 0; h < hashes; ++h) {
          const std::string key = key_of(hashes, h);
          Baseline& m = b.ks[key];
          for (size_t j = 0; j < per_hash; ++j) {
            const size_t i = h * per_hash + j;
            m.emplace(fields[j], values[i]);
            b.index.emplace(b.now + ttl_ms(i), std::make_pair(key, fields[j]));
          }
        }
      });
    };
  };

  // One case: how to fill the Store, and one round of the baseline.
  struct Case {
    const char* label;
    std::function<void(hashstore::Store&)> fill_ours;
    std::function<Outcome()> theirs;
  };
  const Case cases[] = {
      {"1M keys",
       [&](hashstore::Store& s) {
         for (size_t i = 0; i < n; ++i) {
           if (!s.hset(keys[i], "f", values[i]).ok()) fail("hset");
           auto r = s.pexpire(keys[i], ttl_ms(i));
           if (!r.ok() || !*r) fail("pexpire did not set a TTL");
         }
       },
       [&] {
         return measure_baseline<KeyBaseline>([&](KeyBaseline& b) {
           for (size_t i = 0; i < n; ++i) {
             b.ks[keys[i]].emplace("f", values[i]);
             b.index.emplace(b.now + ttl_ms(i), keys[i]);
           }
         });
       }},
      {"1M fields, 1 hash", fill_fields_ours(1), fields_theirs(1)},
      {"1M fields, 10k hashes", fill_fields_ours(10000), fields_theirs(10000)},
  };
  const struct {
    const char* metric;
    const char* unit;
    double Outcome::*field;
  } kFigures[] = {{"bytes after fill", "bytes", &Outcome::fill_bytes},
                  {"time to reclaim", "ms", &Outcome::total_ms},
                  {"longest cycle", "ms", &Outcome::worst_ms},
                  {"cycles", "count", &Outcome::cycles},
                  {"bytes left after reclaim", "bytes", &Outcome::left_bytes}};
  for (const Case& k : cases) {
    std::vector<Outcome> ours, theirs;
    for (int r = 0; r < rounds; ++r) {
      progress(std::string("expiry ").append(k.label).c_str(), r, rounds);
      ours.push_back(measure_store(k.fill_ours));
      theirs.push_back(k.theirs());
    }
    done_progress();
    for (const auto& f : kFigures) {
      std::vector<double> a, b;
      for (const Outcome& o : ours) a.push_back(o.*f.field);
      for (const Outcome& o : theirs) b.push_back(o.*f.field);
      report("expiry", std::string(k.label).append(": ").append(f.metric), f.unit, a, b, true);
    }
  }
}

}  // namespace bench
