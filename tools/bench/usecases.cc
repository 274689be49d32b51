// hashstore-bench workload `usecases`: the README's use cases end to end,
// hashstore beside the nested-map baseline, in requests per second.
//
//   profile   100,000 five-field profiles (bench::profile); a request reads
//             one whole (HGETALL) and updates two fields (HSET city and a
//             20-byte last_login, new on a profile's first update).
//             500,000 requests on random profiles.
//   stock     10,000 products "product:SKUnnnnn" {name, price, stock=100};
//             a request reserves 1-3 units (Store::reserve: only if enough
//             remain) and, when refused, restocks 100 (HINCRBY). 1,000,000
//             requests on random products; about 1 in 50 restocks.
//   session   Options::clock is a ManualClock. create: 100,000 sessions
//             "session:<16 hex>" {user, created, last_seen, cart_items}, each
//             an HSET and an EXPIRE of 1,800 s; refresh: 500,000 random
//             sessions get HSET last_seen and EXPIRE 1,800 s, the clock
//             moving 1 ms per refresh; expire: the clock jumps one hour and
//             expire_cycle(256) runs until it returns 0 (every session
//             reclaimed), figure in sessions reclaimed per second.
//   cart      10,000 carts "cart:N" over 50 products; a request adds one
//             unit (HINCRBY, 2 in 3) or removes the line (HDEL, 1 in 3; the
//             key goes when its last line does). 1,000,000 requests.
//
// Like speed: the thread-safe Store beside the baseline behind one
// std::mutex (taken once per command, as the Store takes a shard lock once
// per call), then Options::thread_safe = false beside the bare baseline.
// The baseline does what the Store does, including copying HGETALL out and
// parsing counters strictly. Its sessions keep an expiry time per key and a
// FIFO of (time, key) pushed on every EXPIRE (TTLs are all 1,800 s and time
// only moves forward, so the FIFO is in time order; a popped pair whose time
// is no longer the key's is stale and skipped) — the cheapest correct
// scheme for one fixed TTL, cheaper than the general index the Store keeps.
#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/store.h>

#include "bench_common.h"

namespace bench {

namespace {

constexpr size_t kProfiles = 100000;
constexpr size_t kProfileRequests = 500000;
constexpr size_t kProducts = 10000;
constexpr size_t kStockRequests = 1000000;
constexpr size_t kSessions = 100000;
constexpr size_t kRefreshes = 500000;
constexpr int64_t kSessionTtlS = 1800;
constexpr size_t kCarts = 10000;
constexpr size_t kCartProducts = 50;
constexpr size_t kCartRequests = 1000000;

// ---- Helpers ----------------------------------------------------------------------

double per_second(size_t n, Clock::time_point start) {
  return static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<uint32_t> random_indexes(size_t n, size_t range, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> out(n);
  for (uint32_t& x : out) x = static_cast<uint32_t>(rng() % range);
  return out;
}

// Runs fn under mu when locked, bare otherwise.
template <class F>
auto guarded(std::mutex& mu, bool locked, F&& fn) {
  if (!locked) return fn();
  std::lock_guard<std::mutex> l(mu);
  return fn();
}

std::string iso_time(int64_t ms) {
  const int64_t s = ms / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "2024-%02d-%02dT%02d:%02d:%02dZ", static_cast<int>(1 + s / 2419200 % 12),
                static_cast<int>(1 + s / 86400 % 28), static_cast<int>(s / 3600 % 24),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return buf;
}

// ---- profile ----------------------------------------------------------------------

void profile_case(int rounds, bool locked, const std::string& suffix) {
  std::vector<Profile> profiles;
  for (size_t i = 0; i < kProfiles; ++i) profiles.push_back(profile(i));
  const std::vector<uint32_t> order = random_indexes(kProfileRequests, kProfiles, 7);
  static const char* kCities[] = {"LON", "OSL", "ROM", "NYC", "SFO"};
  std::vector<std::string> stamps;
  for (size_t i = 0; i < 1000; ++i) stamps.push_back(iso_time(1700000000000 + i * 997000));

  hashstore::Options options;
  options.thread_safe = locked;
  hashstore::Store store(options);
  BaselineKeyspace ks;
  std::mutex mu;
  for (const Profile& p : profiles) {
    (void)store.hset(p.key, {{"name", p.name}, {"email", p.email}, {"age", p.age},
                             {"city", p.city}, {"created_at", p.created}});
    Baseline& h = ks[p.key];
    h["name"] = p.name;
    h["email"] = p.email;
    h["age"] = p.age;
    h["city"] = p.city;
    h["created_at"] = p.created;
  }
  std::vector<double> ours, theirs;
  for (int r = 0; r < rounds; ++r) {
    progress("usecases profile", r, rounds);
    size_t sink = 0;
    auto start = Clock::now();
    for (size_t i = 0; i < order.size(); ++i) {
      const std::string& k = profiles[order[i]].key;
      sink += store.hgetall(k).size();
      sink += static_cast<size_t>(
          *store.hset(k, {{"city", kCities[i % 5]}, {"last_login", stamps[i % stamps.size()]}}));
    }
    ours.push_back(per_second(order.size(), start));
    start = Clock::now();
    for (size_t i = 0; i < order.size(); ++i) {
      const std::string& k = profiles[order[i]].key;
      sink += guarded(mu, locked, [&] {
        std::vector<std::pair<std::string, std::string>> out;
        const Baseline& h = ks.find(k)->second;
        out.reserve(h.size());
        for (const auto& [f, v] : h) out.emplace_back(f, v);
        return out.size();
      });
      sink += guarded(mu, locked, [&] {
        Baseline& h = ks[k];
        h["city"] = kCities[i % 5];
        auto [it, added] = h.try_emplace("last_login", stamps[i % stamps.size()]);
        if (!added) it->second = stamps[i % stamps.size()];
        return static_cast<size_t>(added);
      });
    }
    theirs.push_back(per_second(order.size(), start));
    if (sink == 42) std::puts("");
  }
  done_progress();
  report("usecases", "profile read+update" + suffix, "req/s", ours, theirs, false);
}

// ---- stock ------------------------------------------------------------------------

void stock_case(int rounds, bool locked, const std::string& suffix) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < kProducts; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "product:SKU%05zu", i);
    keys.emplace_back(buf);
  }
  const std::vector<uint32_t> order = random_indexes(kStockRequests, kProducts, 11);
  hashstore::Options options;
  options.thread_safe = locked;
  hashstore::Store store(options);
  BaselineKeyspace ks;
  std::mutex mu;
  for (size_t i = 0; i < kProducts; ++i) {
    const std::string price = std::to_string(5 + i % 200) + ".99";
    (void)store.hset(keys[i], {{"name", "Mug, blue"}, {"price", price}, {"stock", "100"}});
    Baseline& h = ks[keys[i]];
    h["name"] = "Mug, blue";
    h["price"] = price;
    h["stock"] = "100";
  }
  std::vector<double> ours, theirs;
  size_t restocks = 0;
  for (int r = 0; r < rounds; ++r) {
    progress("usecases stock", r, rounds);
    size_t sink = 0;
    auto start = Clock::now();
    for (size_t i = 0; i < order.size(); ++i) {
      const std::string& k = keys[order[i]];
      const int64_t n = 1 + static_cast<int64_t>(i % 3);
      if (std::optional<int64_t> left = *store.reserve(k, "stock", n)) {
        sink += static_cast<size_t>(*left);
      } else {
        sink += static_cast<size_t>(*store.hincrby(k, "stock", 100));
        ++restocks;
      }
    }
    ours.push_back(per_second(order.size(), start));
    start = Clock::now();
    for (size_t i = 0; i < order.size(); ++i) {
      const std::string& k = keys[order[i]];
      const int64_t n = 1 + static_cast<int64_t>(i % 3);
      const std::optional<int64_t> left =
          guarded(mu, locked, [&] { return base_reserve(ks, k, n); });
      if (left) {
        sink += static_cast<size_t>(*left);
      } else {
        sink += static_cast<size_t>(
            *guarded(mu, locked, [&] { return base_incr(ks[k], "stock", 100); }));
      }
    }
    theirs.push_back(per_second(order.size(), start));
    if (sink == 42) std::puts("");
  }
  done_progress();
  report("usecases", "stock reserve (+restock)" + suffix, "req/s", ours, theirs, false);
  std::printf("%-16s restocks: %.1f per 1000 requests\n", "usecases",
              1000.0 * static_cast<double>(restocks) / static_cast<double>(rounds * kStockRequests));
}

// ---- session ----------------------------------------------------------------------

struct BaseSession {
  Baseline fields;
  int64_t expires_ms = 0;
};
using BaseSessions = absl::flat_hash_map<std::string, BaseSession>;

void session_case(int rounds, bool locked, const std::string& suffix) {
  std::vector<std::string> keys;
  std::mt19937_64 rng(13);
  for (size_t i = 0; i < kSessions; ++i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "session:%016llx", static_cast<unsigned long long>(rng()));
    keys.emplace_back(buf);
  }
  const std::vector<uint32_t> order = random_indexes(kRefreshes, kSessions, 17);
  std::vector<std::string> users;
  for (size_t i = 0; i < 1000; ++i) users.push_back(profile(i).name);
  constexpr int64_t kStart = 1700000000000;
  std::vector<double> ours_create, theirs_create, ours_refresh, theirs_refresh, ours_expire,
      theirs_expire;
  for (int r = 0; r < rounds; ++r) {
    progress("usecases session", r, rounds);
    size_t sink = 0;
    {
      hashstore::ManualClock clock(kStart);
      hashstore::Options options;
      options.thread_safe = locked;
      options.clock = &clock;
      hashstore::Store store(options);
      const std::string created = iso_time(kStart);
      auto start = Clock::now();
      for (size_t i = 0; i < kSessions; ++i) {
        (void)store.hset(keys[i], {{"user", users[i % users.size()]},
                                   {"created", created},
                                   {"last_seen", created},
                                   {"cart_items", "0"}});
        sink += *store.expire(keys[i], kSessionTtlS);
      }
      ours_create.push_back(per_second(kSessions, start));
      start = Clock::now();
      for (size_t i = 0; i < order.size(); ++i) {
        clock.advance_ms(1);
        const std::string& k = keys[order[i]];
        sink += static_cast<size_t>(*store.hset(k, "last_seen", created));
        sink += *store.expire(k, kSessionTtlS);
      }
      ours_refresh.push_back(per_second(order.size(), start));
      clock.advance_ms(3600 * 1000);
      start = Clock::now();
      while (store.expire_cycle(256) > 0) {
      }
      ours_expire.push_back(per_second(kSessions, start));
      if (store.dbsize() != 0) std::fprintf(stderr, "\nusecases session: keys left\n");
    }
    {
      int64_t now = kStart;
      BaseSessions ks;
      std::deque<std::pair<int64_t, std::string>> fifo;
      std::mutex mu;
      const std::string created = iso_time(kStart);
      auto expire = [&](const std::string& k) {
        return guarded(mu, locked, [&] {
          auto it = ks.find(k);
          if (it == ks.end()) return false;
          it->second.expires_ms = now + kSessionTtlS * 1000;
          fifo.emplace_back(it->second.expires_ms, k);
          return true;
        });
      };
      auto start = Clock::now();
      for (size_t i = 0; i < kSessions; ++i) {
        guarded(mu, locked, [&] {
          Baseline& h = ks[keys[i]].fields;
          h["user"] = users[i % users.size()];
          h["created"] = created;
          h["last_seen"] = created;
          h["cart_items"] = "0";
        });
        sink += expire(keys[i]);
      }
      theirs_create.push_back(per_second(kSessions, start));
      start = Clock::now();
      for (size_t i = 0; i < order.size(); ++i) {
        ++now;
        const std::string& k = keys[order[i]];
        sink += guarded(mu, locked, [&] {
          auto [it, added] = ks[k].fields.try_emplace("last_seen", created);
          if (!added) it->second = created;
          return static_cast<size_t>(added);
        });
        sink += expire(k);
      }
      theirs_refresh.push_back(per_second(order.size(), start));
      now += 3600 * 1000;
      start = Clock::now();
      // The same batch size per call as 256 keys on each of the Store's shards.
      for (bool more = true; more;) {
        more = guarded(mu, locked, [&] {
          for (size_t n = 0; n < 256 * 8; ++n) {
            if (fifo.empty() || fifo.front().first > now) return false;
            auto it = ks.find(fifo.front().second);
            if (it != ks.end() && it->second.expires_ms == fifo.front().first) ks.erase(it);
            fifo.pop_front();
          }
          return true;
        });
      }
      theirs_expire.push_back(per_second(kSessions, start));
      if (!ks.empty()) std::fprintf(stderr, "\nusecases session: baseline keys left\n");
    }
    if (sink == 42) std::puts("");
  }
  done_progress();
  report("usecases", "session create" + suffix, "req/s", ours_create, theirs_create, false);
  report("usecases", "session refresh" + suffix, "req/s", ours_refresh, theirs_refresh, false);
  report("usecases", "session expire (reclaimed)" + suffix, "keys/s", ours_expire, theirs_expire,
         false);
}

// ---- cart -------------------------------------------------------------------------

void cart_case(int rounds, bool locked, const std::string& suffix) {
  std::vector<std::string> carts, products;
  for (size_t i = 0; i < kCarts; ++i) carts.push_back(std::string("cart:").append(std::to_string(i)));
  for (size_t i = 0; i < kCartProducts; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "SKU%05zu", i * 37);
    products.emplace_back(buf);
  }
  const std::vector<uint32_t> cart_of = random_indexes(kCartRequests, kCarts, 19);
  const std::vector<uint32_t> product_of = random_indexes(kCartRequests, kCartProducts, 23);
  std::vector<double> ours, theirs;
  for (int r = 0; r < rounds; ++r) {
    progress("usecases cart", r, rounds);
    size_t sink = 0;
    {
      hashstore::Options options;
      options.thread_safe = locked;
      hashstore::Store store(options);
      const auto start = Clock::now();
      for (size_t i = 0; i < kCartRequests; ++i) {
        const std::string& c = carts[cart_of[i]];
        const std::string& p = products[product_of[i]];
        if (i % 3 != 2) {
          sink += static_cast<size_t>(*store.hincrby(c, p, 1));
        } else {
          sink += static_cast<size_t>(store.hdel(c, {p}));
        }
      }
      ours.push_back(per_second(kCartRequests, start));
    }
    {
      BaselineKeyspace ks;
      std::mutex mu;
      const auto start = Clock::now();
      for (size_t i = 0; i < kCartRequests; ++i) {
        const std::string& c = carts[cart_of[i]];
        const std::string& p = products[product_of[i]];
        if (i % 3 != 2) {
          sink += static_cast<size_t>(*guarded(mu, locked, [&] { return base_incr(ks[c], p, 1); }));
        } else {
          sink += guarded(mu, locked, [&] {
            auto it = ks.find(c);
            if (it == ks.end()) return size_t{0};
            const size_t n = it->second.erase(p);
            if (it->second.empty()) ks.erase(it);
            return n;
          });
        }
      }
      theirs.push_back(per_second(kCartRequests, start));
    }
    if (sink == 42) std::puts("");
  }
  done_progress();
  report("usecases", "cart add/remove" + suffix, "req/s", ours, theirs, false);
}

}  // namespace

void usecases(int rounds) {
  for (bool locked : {true, false}) {
    const std::string suffix = locked ? ", locked" : ", 1 thread";
    profile_case(rounds, locked, suffix);
    stock_case(rounds, locked, suffix);
    session_case(rounds, locked, suffix);
    cart_case(rounds, locked, suffix);
  }
}

}  // namespace bench
