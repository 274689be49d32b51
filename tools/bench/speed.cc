// hashstore-bench workloads `speed` and `threads`: operations per second on
// the 100,000-profile keyspace, hashstore beside the nested-map baseline.
//
// The baseline does what the Store does for each operation, including
// copying results out and parsing counters strictly; it is behind one
// std::mutex when compared with the thread-safe Store, and bare when
// compared with the single-threaded Store (Options::thread_safe = false).
//
// The `pipelined` rows run the same operations 32 at a time through a
// hashstore::Pipeline (Store::run), beside the baseline prefetching each
// batch's keys (see speed_mode).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <hashstore/pipeline.h>
#include <hashstore/store.h>

#include "bench_common.h"

namespace bench {

namespace {

constexpr size_t kProfiles = 100000;
constexpr size_t kOps = 1000000;
constexpr const char* kStock = "1000000000000";

// ---- The baseline's operations -------------------------------------------------

std::optional<std::string> base_hget(BaselineKeyspace& ks, const std::string& k, const char* f) {
  auto it = ks.find(k);
  if (it == ks.end()) return std::nullopt;
  auto v = it->second.find(f);
  if (v == it->second.end()) return std::nullopt;
  return v->second;
}

// ---- Setup ------------------------------------------------------------------------

struct Data {
  std::vector<Profile> profiles;
  std::vector<uint32_t> order;  // random profile indexes, one per operation
};

const Data& data() {
  static const Data* d = [] {
    auto* out = new Data;
    for (size_t i = 0; i < kProfiles; ++i) out->profiles.push_back(profile(i));
    std::mt19937 rng(42);
    for (size_t i = 0; i < kOps; ++i) out->order.push_back(rng() % kProfiles);
    return out;
  }();
  return *d;
}

void load(hashstore::Store& store) {
  for (const Profile& p : data().profiles) {
    (void)store.hset(p.key, {{"name", p.name}, {"email", p.email}, {"age", p.age},
                             {"city", p.city}, {"created_at", p.created}, {"stock", kStock}});
  }
}

void load(BaselineKeyspace& ks) {
  for (const Profile& p : data().profiles) {
    Baseline& h = ks[p.key];
    h["name"] = p.name;
    h["email"] = p.email;
    h["age"] = p.age;
    h["city"] = p.city;
    h["created_at"] = p.created;
    h["stock"] = kStock;
  }
}

// Runs op(key) for every index in data().order; returns operations/s.
template <class Op>
double ops_per_second(Op op) {
  const Data& d = data();
  size_t sink = 0;
  const auto start = Clock::now();
  for (uint32_t i : d.order) sink += op(d.profiles[i].key);
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (sink == 42) std::puts("");  // keeps the work observable
  return static_cast<double>(d.order.size()) / secs;
}

struct Op {
  const char* name;
  size_t (*store)(hashstore::Store&, const std::string&);
  size_t (*base)(BaselineKeyspace&, const std::string&);
  // Queues the same operation on a Pipeline (the `pipelined` rows).
  void (*queue)(hashstore::Pipeline&, const std::string&);
};

const Op kOpsList[] = {
    {"hget (1 field)",
     [](hashstore::Store& s, const std::string& k) { return s.hget(k, "email")->size(); },
     [](BaselineKeyspace& b, const std::string& k) { return base_hget(b, k, "email")->size(); },
     [](hashstore::Pipeline& p, const std::string& k) { p.hget(k, "email"); }},
    {"hmget (3 fields)",
     [](hashstore::Store& s, const std::string& k) {
       return s.hmget(k, {"name", "email", "city"}).size();
     },
     [](BaselineKeyspace& b, const std::string& k) {
       std::vector<std::optional<std::string>> out;
       for (const char* f : {"name", "email", "city"}) out.push_back(base_hget(b, k, f));
       return out.size();
     },
     [](hashstore::Pipeline& p, const std::string& k) { p.hmget(k, {"name", "email", "city"}); }},
    {"hgetall",
     [](hashstore::Store& s, const std::string& k) { return s.hgetall(k).size(); },
     [](BaselineKeyspace& b, const std::string& k) {
       std::vector<std::pair<std::string, std::string>> out;
       auto it = b.find(k);
       for (const auto& [f, v] : it->second) out.emplace_back(f, v);
       return out.size();
     },
     [](hashstore::Pipeline& p, const std::string& k) { p.hgetall(k); }},
    {"hset (1 field)",
     [](hashstore::Store& s, const std::string& k) {
       return static_cast<size_t>(*s.hset(k, "city", "LON"));
     },
     [](BaselineKeyspace& b, const std::string& k) {
       b[k]["city"] = "LON";
       return size_t{0};
     },
     [](hashstore::Pipeline& p, const std::string& k) { p.hset(k, "city", "LON"); }},
    {"hincrby",
     [](hashstore::Store& s, const std::string& k) {
       return static_cast<size_t>(*s.hincrby(k, "age", 1));
     },
     [](BaselineKeyspace& b, const std::string& k) {
       return static_cast<size_t>(*base_incr(b[k], "age", 1));
     },
     [](hashstore::Pipeline& p, const std::string& k) { p.hincrby(k, "age", 1); }},
    {"reserve",
     [](hashstore::Store& s, const std::string& k) {
       return static_cast<size_t>(**s.reserve(k, "stock", 1));
     },
     [](BaselineKeyspace& b, const std::string& k) {
       return static_cast<size_t>(*base_reserve(b, k, 1));
     },
     [](hashstore::Pipeline& p, const std::string& k) { p.reserve(k, "stock", 1); }},
};

bool chosen(const Op& op) {
  if (g_speed_ops.empty()) return true;
  for (const std::string& prefix : g_speed_ops) {
    if (std::string_view(op.name).rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// Commands per batch in the pipelined rows: redis-benchmark's -P in
// tools/redis_bench.sh.
constexpr size_t kDepth = 32;

// Runs batch(first, last) over data().order in slices of kDepth; returns
// operations/s.
template <class Batch>
double batched_ops_per_second(Batch batch) {
  const Data& d = data();
  size_t sink = 0;
  const auto start = Clock::now();
  for (size_t i = 0; i < d.order.size(); i += kDepth) {
    sink += batch(i, std::min(i + kDepth, d.order.size()));
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (sink == 42) std::puts("");
  return static_cast<double>(d.order.size()) / secs;
}

// One row per operation, hashstore beside the baseline: single calls, or
// with `pipelined` the same operations in batches of kDepth — hashstore
// queues each batch on a Pipeline and runs it (Store::run); the baseline,
// which has no pipeline, is given the same head start where it can take
// one: each batch's keys are prefetched in the outer map (absl's
// prefetch()) before the batch runs, under one lock per batch when locked,
// as run() holds its shards once.
void speed_mode(int rounds, bool thread_safe, bool pipelined) {
  hashstore::Options options;
  options.thread_safe = thread_safe;
  hashstore::Store store(options);
  load(store);
  BaselineKeyspace ks;
  load(ks);
  std::mutex mu;
  const Data& d = data();
  const std::string suffix =
      (pipelined ? std::string(", pipelined ") + std::to_string(kDepth) : std::string()) +
      (thread_safe ? ", locked" : ", 1 thread");
  hashstore::Pipeline p;
  hashstore::PipelineReplies replies;
  for (const Op& op : kOpsList) {
    if (!chosen(op)) continue;
    std::vector<double> ours, theirs;
    for (int r = 0; r < rounds; ++r) {
      progress(op.name, r, rounds);
      if (!pipelined) {
        ours.push_back(ops_per_second([&](const std::string& k) { return op.store(store, k); }));
        theirs.push_back(ops_per_second([&](const std::string& k) {
          if (!thread_safe) return op.base(ks, k);
          std::lock_guard<std::mutex> l(mu);
          return op.base(ks, k);
        }));
        continue;
      }
      ours.push_back(batched_ops_per_second([&](size_t first, size_t last) {
        p.clear();
        for (size_t i = first; i < last; ++i) op.queue(p, d.profiles[d.order[i]].key);
        store.run(p, replies);
        return replies.size();
      }));
      theirs.push_back(batched_ops_per_second([&](size_t first, size_t last) {
        std::unique_lock<std::mutex> l(mu, std::defer_lock);
        if (thread_safe) l.lock();
        for (size_t i = first; i < last; ++i) ks.prefetch(d.profiles[d.order[i]].key);
        size_t n = 0;
        for (size_t i = first; i < last; ++i) n += op.base(ks, d.profiles[d.order[i]].key);
        return n;
      }));
    }
    done_progress();
    report("speed", std::string(op.name) + suffix, "ops/s", ours, theirs, false);
  }
}

// Strict int64 parse, as the Store parses counters.
bool parse_i64(const std::string& s, int64_t* out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

std::optional<int64_t> base_incr(Baseline& h, const std::string& field, int64_t by) {
  std::string& v = h[field];
  int64_t cur = 0;
  if (!v.empty() && !parse_i64(v, &cur)) return std::nullopt;
  cur += by;
  v = std::to_string(cur);
  return cur;
}

std::optional<int64_t> base_reserve(BaselineKeyspace& ks, const std::string& key, int64_t n) {
  auto it = ks.find(key);
  if (it == ks.end()) return std::nullopt;
  std::string& v = it->second["stock"];
  int64_t cur = 0;
  if (!parse_i64(v, &cur) || cur < n) return std::nullopt;
  v = std::to_string(cur - n);
  return cur - n;
}

std::vector<std::string> g_speed_ops;

void speed(int rounds) {
  for (const std::string& prefix : g_speed_ops) {
    bool known = false;
    for (const Op& op : kOpsList) known |= std::string_view(op.name).rfind(prefix, 0) == 0;
    if (!known) {
      std::fprintf(stderr, "hashstore-bench: --ops: no speed operation starts with %s\n",
                   prefix.c_str());
      std::exit(2);
    }
  }
  for (bool pipelined : {false, true}) {
    speed_mode(rounds, /*thread_safe=*/true, pipelined);
    speed_mode(rounds, /*thread_safe=*/false, pipelined);
  }
}

namespace {

// Runs body(t, stop) on n threads (t = 0..n-1) for about `seconds`, then
// sets stop; each body returns how many operations it did. Returns
// operations per second summed over the threads.
template <class Body>
double per_second(int n, double seconds, Body body) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::vector<std::thread> ts;
  const auto start = Clock::now();
  for (int t = 0; t < n; ++t) {
    ts.emplace_back([&, t] { total.fetch_add(body(t, stop)); });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : ts) th.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(total.load()) / secs;
}

// Runs op(key, write) from n threads, each over its own slice of the
// order (every 10th operation a write), for about `seconds`; returns
// operations per second summed over the threads.
template <class Op>
double threaded_ops(int n, double seconds, Op op) {
  const Data& d = data();
  return per_second(n, seconds, [&](int t, const std::atomic<bool>& stop) {
    uint64_t done = 0;
    size_t j = static_cast<size_t>(t) * 7919;
    while (!stop.load(std::memory_order_relaxed)) {
      for (int k = 0; k < 256; ++k) {
        j = j + 1 == d.order.size() ? 0 : j + 1;
        op(d.profiles[d.order[j]].key, j % 10 == 0);
      }
      done += 256;
    }
    return done;
  });
}

// The machine's own limit: n threads each reading random 8-byte words of
// a 64 MiB array of their own (no sharing at all), in reads per second.
double share_nothing_reads(int n, double seconds) {
  constexpr size_t kWords = size_t{8} << 20;
  std::vector<std::vector<uint64_t>> arrays(static_cast<size_t>(n), std::vector<uint64_t>(kWords));
  for (auto& a : arrays) {
    for (size_t i = 0; i < kWords; ++i) a[i] = i * 0x9E3779B97F4A7C15ull;
  }
  std::atomic<uint64_t> sink{0};  // keeps the reads from being optimized away
  return per_second(n, seconds, [&](int t, const std::atomic<bool>& stop) {
    const std::vector<uint64_t>& a = arrays[static_cast<size_t>(t)];
    uint64_t x = 12345 + static_cast<uint64_t>(t), acc = 0, done = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      for (int k = 0; k < 256; ++k) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        acc += a[(x >> 20) & (kWords - 1)];
      }
      done += 256;
    }
    sink.fetch_add(acc);
    return done;
  });
}

}  // namespace

// 90% HGET / 10% HSET on the default (thread-safe) Store at 1, 2, 4 and 8
// threads beside the map behind one mutex, and the scaling ratios beside
// the share-nothing reference (what two cores can do at all); then 4
// threads reserving from the same 100 products. Every figure is a median
// over rounds; in each round the compared runs alternate.
void threads(int rounds) {
  hashstore::Store store;
  load(store);
  BaselineKeyspace ks;
  load(ks);
  std::mutex mu;
  const Data& d = data();
  constexpr double kSeconds = 1.0;
  auto ours_op = [&](const std::string& k, bool write) {
    if (write) {
      (void)store.hset(k, "city", "LON");
    } else {
      (void)store.hget(k, "email");
    }
  };
  auto base_op = [&](const std::string& k, bool write) {
    std::lock_guard<std::mutex> l(mu);
    if (write) {
      ks[k]["city"] = "LON";
    } else {
      (void)base_hget(ks, k, "email");
    }
  };
  std::map<int, std::vector<double>> ours, theirs;
  std::vector<double> scale2, scale8, ref2;
  for (int r = 0; r < rounds; ++r) {
    progress("threads 90/10", r, rounds);
    std::map<int, double> o;
    for (int n : {1, 2, 4, 8}) {
      o[n] = threaded_ops(n, kSeconds, ours_op);
      ours[n].push_back(o[n]);
      theirs[n].push_back(threaded_ops(n, kSeconds, base_op));
    }
    scale2.push_back(o[2] / o[1]);
    scale8.push_back(o[8] / o[2]);
    const double one = share_nothing_reads(1, kSeconds / 2);
    ref2.push_back(share_nothing_reads(2, kSeconds / 2) / one);
  }
  done_progress();
  for (int n : {1, 2, 4, 8}) {
    report("threads", std::to_string(n) + " thread(s), 90% hget 10% hset", "ops/s", ours[n],
           theirs[n], false);
  }
  // Scaling: hashstore's own ratios beside the share-nothing reference's
  // 2-thread / 1-thread ratio (in the baseline column).
  report("threads", "scaling 2 threads / 1 thread (vs share-nothing)", "ratio", scale2, ref2,
         false);
  report("threads", "scaling 8 threads / 2 threads (vs 1.0)", "ratio", scale8, {1.0}, false);
  // Contended reserve: 4 threads on the same 100 products.
  std::vector<double> ours_r, theirs_r;
  for (int r = 0; r < rounds; ++r) {
    progress("threads reserve", r, rounds);
    ours_r.push_back(threaded_ops(4, kSeconds, [&](const std::string&, bool) {
      thread_local uint32_t x = 0;
      (void)store.reserve(d.profiles[++x % 100].key, "stock", 1);
    }));
    theirs_r.push_back(threaded_ops(4, kSeconds, [&](const std::string&, bool) {
      thread_local uint32_t x = 0;
      std::lock_guard<std::mutex> l(mu);
      (void)base_reserve(ks, d.profiles[++x % 100].key, 1);
    }));
  }
  done_progress();
  report("threads", "4 threads, reserve on 100 products", "ops/s", ours_r, theirs_r, false);
}

}  // namespace bench
