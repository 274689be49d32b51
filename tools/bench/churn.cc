// hashstore-bench workload `churn`: the memory a Store holds after heavy
// churn, beside what the same live data takes in a Store built fresh — the
// allocator's fragmentation as a user sees it.
//
// 100,000 keys "c:N", each with a size class (up to 4, 16, 64 or 600
// fields "f:K", so some hashes pass 512 fields and become tables). A round
// is 1,000,000 operations drawn with a fixed seed: 45% HSET of one field
// with a value of 1..48 bytes, 25% HDEL of one field, 10% DEL, 10% PEXPIRE
// of the key and 10% HPEXPIRE of one field (1..2,000 ms). A ManualClock
// advances 1 ms every 100 operations and expire_cycle runs every 1,000, so
// TTLs come due during the round; at its end the clock passes every TTL
// and expire_cycle runs until nothing is left.
//
// After each of two rounds: `held` is the growth of the heap in use and of
// the resident set since before the Store was built (after a warm-up Store
// has run the same paths and gone, so that neither side pays for the
// library's first use); `fresh` is the growth (the larger of heap and
// resident set) of a second Store given the same live keys, fields, values
// and TTLs (a fresh build has no holes, so its heap is its footprint). Rows:
// held / fresh for heap and RSS after each round, and RSS once malloc_trim(0)
// gave back the free pages malloc kept. The Memory issue's bar:
// RSS at most 1.15x fresh, and no growth from round 1 to round 2.
#include <malloc.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/options.h>
#include <hashstore/store.h>
#include <hashstore/types.h>

#include "bench_common.h"

namespace bench {

namespace {

constexpr size_t kKeys = 100000;
constexpr size_t kOps = 1000000;
constexpr size_t kClassFields[] = {4, 16, 64, 600};

std::string key_name(size_t n) { return std::string("c:").append(std::to_string(n)); }
std::string field_name_of(size_t k) { return std::string("f:").append(std::to_string(k)); }

void churn_round(hashstore::Store& s, hashstore::ManualClock& clock, std::mt19937_64& rng,
                 size_t ops = kOps) {
  std::string value;
  for (size_t i = 0; i < ops; ++i) {
    const size_t n = rng() % kKeys;
    const std::string key = key_name(n);
    const std::string field = field_name_of(rng() % kClassFields[n % 4]);
    const std::string_view one[] = {field};
    const unsigned op = rng() % 100;
    const int64_t ttl = 1 + static_cast<int64_t>(rng() % 2000);
    if (op < 45) {
      value.assign(1 + rng() % 48, static_cast<char>('a' + rng() % 26));
      (void)s.hset(key, field, value);
    } else if (op < 70) {
      s.hdel(key, one);
    } else if (op < 80) {
      s.del({key});
    } else if (op < 90) {
      (void)s.pexpire(key, ttl);
    } else {
      (void)s.hpexpire(key, ttl, one);
    }
    if (i % 100 == 99) clock.advance_ms(1);
    if (i % 1000 == 999) s.expire_cycle();
  }
  clock.advance_ms(3000);
  while (s.expire_cycle() > 0) {
  }
}

// A copy of src's live data (keys, fields, values, key and field TTLs) in dst.
void copy_live(hashstore::Store& src, hashstore::Store& dst) {
  uint64_t cursor = 0;
  do {
    hashstore::ScanPage page = src.scan(cursor);
    for (const std::string& key : page.items) {
      const auto pairs = src.hgetall(key);
      std::vector<std::string_view> fields;
      for (const auto& [f, v] : pairs) {
        (void)dst.hset(key, f, v);
        fields.push_back(f);
      }
      const std::vector<int64_t> at = src.hpexpiretime(key, fields);
      for (size_t i = 0; i < fields.size() && i < at.size(); ++i) {
        if (at[i] > 0) (void)dst.hpexpireat(key, at[i], std::span(&fields[i], 1));
      }
      if (const int64_t t = src.pexpiretime(key); t > 0) (void)dst.pexpireat(key, t);
    }
    cursor = page.cursor;
  } while (cursor != 0);
}

}  // namespace

void churn(int rounds) {
  (void)rounds;  // two churn rounds, each measured once: the rounds are the figure
  hashstore::ManualClock clock;
  hashstore::Options o;
  o.clock = &clock;
  {
    // Warm-up: every path the churn and the copy take runs once in a Store
    // thrown away before the baseline is read, so that the resident set's
    // growth below is data, not the library's code pages faulted in on
    // their first call (about 0.7 MB: the fresh copy, built after the
    // churn, never paid for them).
    hashstore::Store warm(o);
    std::mt19937_64 warm_rng(1);
    churn_round(warm, clock, warm_rng, 20000);
    // And a hash past 512 fields (a table: the field slab's paths).
    for (size_t k = 0; k < 600; ++k) (void)warm.hset("warm:table", field_name_of(k), "v");
    const std::string_view one[] = {"f:1"}, two[] = {"f:2"};
    warm.hdel("warm:table", one);
    (void)warm.hpexpire("warm:table", 1000000, two);
    hashstore::Store warm_copy(o);
    copy_live(warm, warm_copy);
  }
  malloc_trim(0);
  const size_t heap0 = heap_in_use(), rss0 = resident_bytes();
  auto s = std::make_unique<hashstore::Store>(o);
  std::mt19937_64 rng(20261207);
  for (int round = 0; round < 2; ++round) {
    progress("churn", round, 2);
    churn_round(*s, clock, rng);
    const double heap = static_cast<double>(heap_in_use() - heap0);
    const size_t rss_now = resident_bytes();
    const double rss = static_cast<double>(rss_now > rss0 ? rss_now - rss0 : 0);
    // What of that is free memory malloc keeps, rather than holes between
    // live blocks: the resident set again once malloc_trim returned it.
    malloc_trim(0);
    const size_t rss_trim = resident_bytes();
    const double trimmed = static_cast<double>(rss_trim > rss0 ? rss_trim - rss0 : 0);
    std::unique_ptr<hashstore::Store> copy;
    const double fresh = bytes_per_field(
        1,
        [&](size_t) {
          copy = std::make_unique<hashstore::Store>(o);
          copy_live(*s, *copy);
        },
        [&] { copy.reset(); });
    const std::string when = std::string("after round ").append(std::to_string(round + 1));
    report("churn", std::string("heap held / fresh, ").append(when), "bytes", {heap}, {fresh},
           true);
    report("churn", std::string("RSS held / fresh, ").append(when), "bytes", {rss}, {fresh}, true);
    report("churn", std::string("RSS after malloc_trim / fresh, ").append(when), "bytes",
           {trimmed}, {fresh}, true);
  }
  done_progress();
  std::printf("%-16s %-38s %14zu\n", "churn", "live keys at the end", s->dbsize());
}

}  // namespace bench
