// Chaos: every public call of hashstore::Store and hashstore::Pipeline from
// many threads at once, on one Store in cache mode (maxmemory with
// allkeys-lru), with the expiry thread on, a clock that keeps moving,
// listeners that call back into the Store and come and go, watches and
// transactions, batches, pipelines, snapshots saved while others write and
// loaded into fresh Stores. Run under AddressSanitizer + UBSan and under
// ThreadSanitizer (tools/test.sh; tools/chaos.sh for long runs), where any
// report fails it. What it checks holds under every interleaving:
//   - every error a call returns is one of Redis's (an "ERR ", "OOM " or
//     "EXECABORT" text), never anything else;
//   - after each write, used memory is within maxmemory plus what the
//     writers in flight may add (Options::maxmemory's promise);
//   - every snapshot saved during the storm loads into a fresh Store, whose
//     keys then pass the same consistency checks;
//   - after the storm: SCAN = KEYS = DBSIZE = INFO's keys, and for every key
//     HLEN = HGETALL = HKEYS = HVALS = a full HSCAN; the final snapshot loads
//     to the same contents;
//   - reservations on a second Store hammered by the same threads balance:
//     stock now = initial - units reserved + units restocked, per product.
// The storm lasts HASHSTORE_CHAOS_SECONDS (default 5) seconds; HASHSTORE_SEED
// picks the random streams.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <hashstore/pipeline.h>
#include <hashstore/store.h>

namespace {

using hashstore::FieldValue;
using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Reply;
using hashstore::Store;

constexpr int kWorkers = 6;
constexpr int kKeys = 30000;
constexpr int kFields = 40;
constexpr int kProducts = 100;
constexpr int64_t kInitialStock = 1'000'000;
constexpr size_t kMaxMemory = 4 << 20;
// The most one call of the storm may add to used memory: a COPY of the
// largest hash (40 fields of up to 48-byte values, as a table) or a batch
// of 12 writes; 64 KiB is several times either.
constexpr size_t kMaxWriteBytes = 64 << 10;
// Writers that may be between their memory check and their unlock at once:
// the workers, the listeners' own writes, get_or_compute's loaders.
constexpr size_t kWritersInFlight = kWorkers + 2;

uint64_t test_seed() {
  const char* s = std::getenv("HASHSTORE_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261206;
}

double storm_seconds() {
  const char* s = std::getenv("HASHSTORE_CHAOS_SECONDS");
  return s ? std::strtod(s, nullptr) : 5.0;
}

std::string numbered(const char* prefix, int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// A failure seen by a worker thread: doctest's assertions are not meant to
// be called from many threads at once, so workers collect and the main
// thread reports.
class Failures {
 public:
  void add(std::string what) {
    std::lock_guard<std::mutex> l(mu_);
    if (list_.size() < 20) list_.push_back(std::move(what));
    ++count_;
  }
  size_t count() {
    std::lock_guard<std::mutex> l(mu_);
    return count_;
  }
  std::vector<std::string> list() {
    std::lock_guard<std::mutex> l(mu_);
    return list_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> list_;
  size_t count_ = 0;
};

bool redis_error_text(std::string_view m) {
  return m.starts_with("ERR ") || m.starts_with("OOM ") || m.starts_with("EXECABORT ");
}

// Consistency of one Store with no other caller: SCAN = KEYS = DBSIZE =
// INFO keys; per key HLEN = HGETALL = HKEYS = HVALS = full HSCAN. Returns
// the contents (key -> sorted pairs) for comparisons.
std::map<std::string, std::vector<std::pair<std::string, std::string>>> check_consistent(
    Store& store, Failures& failures, const char* who) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> contents;
  std::set<std::string> scanned;
  uint64_t cursor = 0;
  hashstore::ScanOptions scan_options;
  scan_options.count = 97;
  do {
    hashstore::ScanPage page = store.scan(cursor, scan_options);
    scanned.insert(page.items.begin(), page.items.end());
    cursor = page.cursor;
  } while (cursor != 0);
  std::vector<std::string> keys = store.keys("*");
  const std::set<std::string> listed(keys.begin(), keys.end());
  const int64_t dbsize = store.dbsize();
  if (listed.size() != keys.size()) failures.add(std::string(who) + ": KEYS repeats a key");
  if (scanned != listed) failures.add(std::string(who) + ": SCAN and KEYS differ");
  if (static_cast<int64_t>(listed.size()) != dbsize) {
    failures.add(std::string(who) + ": KEYS " + std::to_string(listed.size()) + " vs DBSIZE " +
                 std::to_string(dbsize));
  }
  if (store.info().keys != static_cast<uint64_t>(dbsize)) {
    failures.add(std::string(who) + ": INFO keys differs from DBSIZE");
  }
  for (const std::string& key : listed) {
    auto all = store.hgetall(key);
    const int64_t len = store.hlen(key);
    const size_t nkeys = store.hkeys(key).size(), nvals = store.hvals(key).size();
    std::set<std::string> hscanned;
    uint64_t hc = 0;
    do {
      hashstore::ScanPage page = store.hscan(key, hc, {std::nullopt, 7, {}, true});
      hscanned.insert(page.items.begin(), page.items.end());
      hc = page.cursor;
    } while (hc != 0);
    if (len == 0 || static_cast<int64_t>(all.size()) != len || nkeys != all.size() ||
        nvals != all.size() || hscanned.size() != all.size()) {
      failures.add(std::string(who) + ": " + key + " HLEN " + std::to_string(len) +
                   " HGETALL " + std::to_string(all.size()) + " HKEYS " +
                   std::to_string(nkeys) + " HVALS " + std::to_string(nvals) + " HSCAN " +
                   std::to_string(hscanned.size()));
    }
    std::sort(all.begin(), all.end());
    contents[key] = std::move(all);
  }
  return contents;
}

// The storm: the state every thread shares.
struct Storm {
  ManualClock clock;
  std::unique_ptr<Store> store;   // cache mode: evicts, expires
  std::unique_ptr<Store> ledger;  // products only: no eviction, no FLUSHALL
  Failures failures;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> ops{0}, events{0}, snapshots{0}, evicted{0}, max_over{0};
  // Reservation ledger: units reserved and restocked, per thread and product.
  std::vector<std::vector<int64_t>> taken, restocked;
  std::string dir;

  Options options() const {
    Options o;
    o.clock = &clock;
    o.expiry_thread = true;
    o.expiry_interval_ms = 2;
    o.maxmemory = kMaxMemory;
    o.maxmemory_policy = hashstore::EvictionPolicy::kAllKeysLru;
    o.hash_max_listpack_entries = 24;
    o.hash_max_listpack_value = 32;
    return o;
  }
};

std::string random_value(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0:
      return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
    case 1:
      return std::to_string(static_cast<double>(rng() % 100000) / 7.0);
    default: {
      std::string v(1 + rng() % 48, 'v');
      for (char& c : v) c = static_cast<char>('a' + rng() % 26);
      return v;
    }
  }
}

// One worker: random calls on random keys until told to stop.
class Worker {
 public:
  Worker(Storm& storm, int id, uint64_t seed) : s_(storm), id_(id), rng_(seed) {}

  void run() {
    while (!s_.stop.load(std::memory_order_relaxed)) {
      step();
      s_.ops.fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  std::string key() { return numbered("k:", static_cast<int64_t>(rng_() % kKeys)); }
  std::string field() { return numbered("f", static_cast<int64_t>(rng_() % kFields)); }
  std::string product() { return numbered("product:", static_cast<int64_t>(rng_() % kProducts)); }
  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

  void error_ok(const absl::Status& st, const char* call) {
    if (st.ok() || redis_error_text(std::string_view(st.message().data(), st.message().size()))) {
      return;
    }
    s_.failures.add(std::string(call) + " returned " + st.ToString());
  }
  void reply_ok(const Reply& r, const char* call) {
    if (r.is_error() && !redis_error_text(r.string())) {
      s_.failures.add(std::string(call) + " replied " + r.string());
    }
    for (const Reply& e : r.elements()) reply_ok(e, call);
  }
  // After a write: used memory stays within the limit plus the writes in
  // flight.
  void memory_ok() {
    const size_t used = s_.store->used_memory();
    if (used > kMaxMemory) {
      uint64_t over = used - kMaxMemory;
      uint64_t seen = s_.max_over.load();
      while (over > seen && !s_.max_over.compare_exchange_weak(seen, over)) {
      }
    }
    if (used > kMaxMemory + kWritersInFlight * kMaxWriteBytes) {
      s_.failures.add("used_memory " + std::to_string(used) + " over maxmemory " +
                      std::to_string(kMaxMemory) + " by more than the writes in flight");
    }
  }

  std::vector<std::string> fields(int n) {
    std::vector<std::string> f;
    for (int i = 0; i < n; ++i) f.push_back(field());
    return f;
  }
  static std::vector<std::string_view> views(const std::vector<std::string>& v) {
    return std::vector<std::string_view>(v.begin(), v.end());
  }

  void step() {
    Store& st = *s_.store;
    const std::string k = key();
    switch (pick(40)) {
      case 0: {  // HSET, one pair or several
        const std::string f = field(), v = random_value(rng_);
        if (pick(2) == 0) {
          error_ok(st.hset(k, f, v).status(), "hset");
        } else {
          std::vector<std::string> fs = fields(1 + pick(6)), vs;
          std::vector<FieldValue> pairs;
          for (size_t i = 0; i < fs.size(); ++i) vs.push_back(random_value(rng_));
          for (size_t i = 0; i < fs.size(); ++i) pairs.emplace_back(fs[i], vs[i]);
          error_ok(pick(2) ? st.hset(k, pairs).status() : st.hmset(k, pairs), "hset pairs");
        }
        memory_ok();
        break;
      }
      case 1:
        error_ok(st.hsetnx(k, field(), random_value(rng_)).status(), "hsetnx");
        memory_ok();
        break;
      case 2:
        st.hget(k, field());
        break;
      case 3: {  // hget_view: the callback may call the Store
        st.hget_view(k, field(), [&](std::string_view v) {
          if (!v.empty() && v[0] == 'a') st.hlen(k);
        });
        break;
      }
      case 4: {
        std::vector<std::string> fs = fields(1 + pick(5));
        std::vector<std::string_view> vs = views(fs);
        auto got = st.hmget(k, vs);
        if (got.size() != fs.size()) s_.failures.add("hmget returned the wrong count");
        break;
      }
      case 5:
        switch (pick(3)) {
          case 0: st.hgetall(k); break;
          case 1: st.hkeys(k); break;
          default: st.hvals(k); break;
        }
        break;
      case 6:
        st.hlen(k);
        st.hexists(k, field());
        st.hstrlen(k, field());
        break;
      case 7: {
        std::vector<std::string> fs = fields(1 + pick(4));
        st.hdel(k, views(fs));
        break;
      }
      case 8:
        error_ok(st.hincrby(k, field(), static_cast<int64_t>(rng_() % 100) - 50).status(),
                 "hincrby");
        memory_ok();
        break;
      case 9:
        error_ok(st.hincrbyfloat(k, field(), static_cast<long double>(rng_() % 1000) / 8).status(),
                 "hincrbyfloat");
        memory_ok();
        break;
      case 10: {  // a whole HSCAN of one key
        uint64_t c = 0;
        int pages = 0;
        do {
          c = st.hscan(k, c, {pick(2) ? std::optional<std::string_view>("f1*") : std::nullopt,
                              1 + pick(10), {}, pick(2) == 0})
                  .cursor;
        } while (c != 0 && ++pages < 100);
        break;
      }
      case 11: {
        st.hrandfield(k);
        error_ok(st.hrandfield(k, static_cast<int64_t>(rng_() % 11) - 5, pick(2) == 0).status(),
                 "hrandfield");
        break;
      }
      case 12: {  // SCAN a few pages, sometimes KEYS
        uint64_t c = rng_() % 4096;
        for (int i = 0; i < 3 && (c = st.scan(c, {std::nullopt, 20, {}, false}).cursor) != 0; ++i) {
        }
        if (pick(200) == 0) st.keys("k:1?");
        break;
      }
      case 13: {  // DEL / UNLINK / EXISTS, a key sometimes listed twice
        const std::string k2 = pick(3) == 0 ? k : key();
        const std::string_view both[] = {k, k2};
        st.exists(both);
        if (pick(2) == 0) {
          st.del(both);
        } else {
          st.unlink(both);
        }
        break;
      }
      case 14:
        st.type(k);
        st.object_encoding(k);
        st.memory_usage(k);
        break;
      case 15: {  // RENAME / RENAMENX / COPY, sometimes onto itself
        const std::string dst = pick(4) == 0 ? k : key();
        switch (pick(3)) {
          case 0: error_ok(st.rename(k, dst), "rename"); break;
          case 1: error_ok(st.renamenx(k, dst).status(), "renamenx"); break;
          default: error_ok(st.copy(k, dst, pick(2) == 0).status(), "copy"); break;
        }
        memory_ok();
        break;
      }
      case 16:
        st.dbsize();
        st.randomkey();
        st.used_memory();
        if (pick(20) == 0) st.info();
        break;
      case 17:
        if (pick(3000) == 0) st.flushall();  // rare: it empties everything
        break;
      case 18: {  // key TTLs
        const int64_t t = static_cast<int64_t>(rng_() % 3000);
        const unsigned flags = pick(3) == 0 ? (1u << pick(4)) : 0;
        const int64_t base = s_.clock.now_ms();
        switch (pick(4)) {
          case 0: error_ok(st.expire(k, t / 1000 + 1, flags).status(), "expire"); break;
          case 1: error_ok(st.pexpire(k, t, flags).status(), "pexpire"); break;
          case 2: error_ok(st.expireat(k, base / 1000 + t / 500, flags).status(), "expireat"); break;
          default: error_ok(st.pexpireat(k, base + t - 200, flags).status(), "pexpireat"); break;
        }
        break;
      }
      case 19:
        st.ttl(k);
        st.pttl(k);
        st.expiretime(k);
        st.pexpiretime(k);
        if (pick(4) == 0) st.persist(k);
        if (pick(50) == 0) st.expire_cycle(16);
        break;
      case 20: {  // field TTLs
        std::vector<std::string> fs = fields(1 + pick(3));
        std::vector<std::string_view> vs = views(fs);
        const int64_t t = static_cast<int64_t>(rng_() % 3000);
        const unsigned flags = pick(3) == 0 ? (1u << pick(4)) : 0;
        const int64_t base = s_.clock.now_ms();
        switch (pick(4)) {
          case 0: error_ok(st.hexpire(k, t / 1000 + 1, vs, flags).status(), "hexpire"); break;
          case 1: error_ok(st.hpexpire(k, t, vs, flags).status(), "hpexpire"); break;
          case 2:
            error_ok(st.hexpireat(k, base / 1000 + t / 500, vs, flags).status(), "hexpireat");
            break;
          default: error_ok(st.hpexpireat(k, base + t - 200, vs, flags).status(), "hpexpireat");
        }
        break;
      }
      case 21: {
        std::vector<std::string> fs = fields(1 + pick(3));
        std::vector<std::string_view> vs = views(fs);
        st.httl(k, vs);
        st.hpttl(k, vs);
        st.hexpiretime(k, vs);
        st.hpexpiretime(k, vs);
        if (pick(3) == 0) st.hpersist(k, vs);
        break;
      }
      case 22: {  // HGETDEL, HGETEX, HSETEX
        std::vector<std::string> fs = fields(1 + pick(3));
        std::vector<std::string_view> vs = views(fs);
        hashstore::FieldTtl ttl;
        ttl.kind = static_cast<hashstore::FieldTtl::Kind>(pick(7));
        ttl.value = ttl.kind == hashstore::FieldTtl::kEXAT   ? s_.clock.now_ms() / 1000 + 2
                    : ttl.kind == hashstore::FieldTtl::kPXAT ? s_.clock.now_ms() + 1500
                                                             : 1 + pick(2000);
        switch (pick(3)) {
          case 0: st.hgetdel(k, vs); break;
          case 1: error_ok(st.hgetex(k, vs, ttl).status(), "hgetex"); break;
          default: {
            std::vector<std::string> vals;
            for (size_t i = 0; i < fs.size(); ++i) vals.push_back(random_value(rng_));
            std::vector<FieldValue> pairs;
            for (size_t i = 0; i < fs.size(); ++i) pairs.emplace_back(fs[i], vals[i]);
            error_ok(st.hsetex(k, pairs, ttl, static_cast<hashstore::FieldCondition>(pick(3))).status(),
                     "hsetex");
            memory_ok();
          }
        }
        break;
      }
      case 23: {  // counters on the cache store (no ledger: keys may vanish)
        error_ok(st.reserve(k, field(), 1 + pick(3)).status(), "reserve");
        error_ok(st.hincrex(k, field(), pick(7) - 3, -5, 5, pick(2) == 0).status(), "hincrex");
        const std::string k2 = key();
        hashstore::ReserveItem items[] = {{k, "f1", 1}, {k2, "f2", 1}, {k, "f1", 1}};
        error_ok(st.reserve_all(items).status(), "reserve_all");
        memory_ok();
        break;
      }
      case 24:
      case 25: {  // WATCH, read, transaction
        const std::string k2 = key();
        auto w = st.watch({k, k2});
        auto cur = st.hget(k, "f0");
        const std::string next = cur ? std::to_string(cur->size()) : "1";
        Reply r = st.transaction({{"HSET", k, "f0", next}, {"HINCRBY", k2, "n", "1"},
                                  {"HGET", k, "f0"}, {"EXPIRE", k2, "5", "NX"}},
                                 pick(3) == 0 ? nullptr : &w);
        reply_ok(r, "transaction");
        memory_ok();
        break;
      }
      case 26: {  // a batch of any commands
        std::vector<std::vector<std::string>> cmds;
        const int n = 1 + pick(12);
        for (int i = 0; i < n; ++i) cmds.push_back(random_command());
        for (const Reply& r : st.execute_batch(cmds)) reply_ok(r, "execute_batch");
        memory_ok();
        break;
      }
      case 27:
      case 28: {  // a typed pipeline
        hashstore::Pipeline p;
        const int n = 1 + pick(16);
        for (int i = 0; i < n; ++i) {
          const std::string pk = pick(3) == 0 ? k : key();
          switch (pick(7)) {
            case 0: p.hget(pk, field()); break;
            case 1: p.hmget(pk, {"f1", "f2", "f1"}); break;
            case 2: p.hgetall(pk); break;
            case 3: p.hset(pk, field(), random_value(rng_)); break;
            case 4: p.hdel(pk, {"f3", "f4"}); break;
            case 5: p.hincrby(pk, field(), 3); break;
            default: p.reserve(pk, field(), 1); break;
          }
        }
        hashstore::PipelineReplies r = st.run(p);
        if (r.size() != p.size()) s_.failures.add("run returned the wrong count");
        for (size_t i = 0; i < r.size(); ++i) {
          if (r.is_error(i) && !redis_error_text(r.string(i))) {
            s_.failures.add("run replied " + std::string(r.string(i)));
          }
        }
        memory_ok();
        break;
      }
      case 29:
      case 30: {  // execute, in each of its forms
        std::vector<std::string> cmd = random_command();
        Reply r;
        if (pick(2) == 0) {
          r = st.execute(cmd);
        } else {
          std::vector<std::string_view> v(cmd.begin(), cmd.end());
          r = st.execute(std::span<const std::string_view>(v));
        }
        reply_ok(r, "execute");
        reply_ok(st.execute({"HGET", k, "f1"}), "execute");
        memory_ok();
        break;
      }
      case 31: {  // cache-aside: loaders that fail, load nothing, or call the Store
        const int mode = pick(4);
        auto r = st.get_or_compute(
            k,
            [&]() -> absl::StatusOr<std::vector<std::pair<std::string, std::string>>> {
              if (mode == 0) return absl::UnavailableError("ERR backend down");
              if (mode == 1) return std::vector<std::pair<std::string, std::string>>{};
              st.hlen(key());
              return std::vector<std::pair<std::string, std::string>>{{"f0", "loaded"},
                                                                      {"f1", "1"}};
            },
            pick(2) == 0 ? std::optional<int64_t>(1 + pick(3000)) : std::nullopt);
        error_ok(r.status(), "get_or_compute");
        memory_ok();
        break;
      }
      case 32: {  // listeners come and go; each calls back into the Store
        const uint64_t id = st.subscribe([this, &st](const hashstore::Event& e) {
          s_.events.fetch_add(1, std::memory_order_relaxed);
          if (e.reason == hashstore::Event::Reason::kEvicted) {
            s_.evicted.fetch_add(1, std::memory_order_relaxed);
          }
          st.hget(e.key, "f1");
        });
        st.hset(k, "f1", "1").IgnoreError();
        st.unsubscribe(id);
        break;
      }
      case 33:
      case 34:
      case 35:
        ledger_step();
        break;
      default: {  // the plain hot calls again, to keep most keys alive
        error_ok(st.hset(k, field(), random_value(rng_)).status(), "hset");
        st.hget(k, field());
        memory_ok();
        break;
      }
    }
  }

  // A command for execute / execute_batch: mostly valid, some not.
  std::vector<std::string> random_command() {
    const std::string k = key(), f = field();
    switch (pick(16)) {
      case 0: return {"HSET", k, f, random_value(rng_), field(), "x"};
      case 1: return {"HGET", k, f};
      case 2: return {"HINCRBY", k, f, "7"};
      case 3: return {"HINCRBYFLOAT", k, f, "0.5"};
      case 4: return {"HDEL", k, f, field()};
      case 5: return {"DEL", k, key()};
      case 6: return {"RENAME", k, pick(3) == 0 ? k : key()};
      case 7: return {"COPY", k, pick(3) == 0 ? k : key(), "REPLACE"};
      case 8: return {"HPEXPIRE", k, "800", "FIELDS", "1", f};
      case 9: return {"HGETALL", k};
      case 10: return {"CONFIG", "SET", "hash-max-listpack-entries", std::to_string(8 + pick(40))};
      case 11: return {"HRESERVE", k, f, "1"};
      case 12: return {"HSETEX", k, "PX", "500", "FIELDS", "1", f, "v"};
      case 13: return {"INFO"};
      case 14: return {"HSET", k};  // wrong arity
      default: return {"NOSUCHCOMMAND", k};
    }
  }

  // Reservations and restocks on the ledger Store, through every path that
  // reserves: reserve, reserve_all, HRESERVE in execute / batches, pipelines.
  void ledger_step() {
    Store& l = *s_.ledger;
    const std::string p = product();
    const int pi = std::stoi(p.substr(8));
    switch (pick(5)) {
      case 0: {
        const int64_t n = 1 + pick(5);
        auto r = l.reserve(p, "stock", n);
        if (!r.ok()) s_.failures.add("ledger reserve: " + r.status().ToString());
        else if (r->has_value()) s_.taken[id_][pi] += n;
        break;
      }
      case 1: {
        const std::string p2 = product();
        const int p2i = std::stoi(p2.substr(8));
        hashstore::ReserveItem items[] = {{p, "stock", 2}, {p2, "stock", 3}};
        auto r = l.reserve_all(items);
        if (!r.ok()) {
          s_.failures.add("ledger reserve_all: " + r.status().ToString());
        } else if (r->has_value()) {
          s_.taken[id_][pi] += 2;
          s_.taken[id_][p2i] += 3;
        }
        break;
      }
      case 2: {
        Reply r = l.execute({"HRESERVE", p, "stock", "4"});
        if (r.kind() == Reply::Kind::kInteger) s_.taken[id_][pi] += 4;
        else if (!r.is_nil()) s_.failures.add("ledger HRESERVE: " + r.debug_string());
        break;
      }
      case 3: {
        hashstore::Pipeline pl;
        pl.reserve(p, "stock", 1).hincrby(p, "stock", 2).reserve(p, "stock", 1);
        hashstore::PipelineReplies r = l.run(pl);
        if (r.kind(1) != Reply::Kind::kInteger) s_.failures.add("ledger pipeline HINCRBY");
        s_.restocked[id_][pi] += 2;
        for (size_t i : {size_t{0}, size_t{2}}) {
          if (r.kind(i) == Reply::Kind::kInteger) s_.taken[id_][pi] += 1;
        }
        break;
      }
      default: {
        auto r = l.hincrby(p, "stock", 3);
        if (!r.ok()) s_.failures.add("ledger hincrby: " + r.status().ToString());
        else s_.restocked[id_][pi] += 3;
        break;
      }
    }
  }

  Storm& s_;
  const int id_;
  std::mt19937_64 rng_;
};

// Saves snapshots (SAVE, BGSAVE, the RESP export) while the workers write,
// and loads each into a fresh Store.
void saver(Storm& s) {
  int n = 0;
  while (!s.stop.load()) {
    const std::string path = s.dir + "/snap" + std::to_string(n++ % 2) + ".hsdb";
    absl::Status saved;
    if (n % 3 == 0) {
      saved = s.store->bgsave(path);
      if (saved.ok()) saved = s.store->wait_bgsave();
    } else {
      saved = s.store->save(path);
    }
    if (!saved.ok()) {
      s.failures.add("save: " + saved.ToString());
      continue;
    }
    s.store->bgsave_in_progress();
    s.store->lastsave();
    // The fresh Store's own clock stands still at the storm's present, so
    // that its checks do not race fields expiring.
    ManualClock still(s.clock.now_ms());
    Options o = s.options();
    o.clock = &still;
    o.expiry_thread = false;
    o.maxmemory = 0;  // a snapshot may hold a little more than maxmemory
    Store fresh(o);
    absl::Status loaded = fresh.load(path);
    if (!loaded.ok()) {
      s.failures.add("load of a snapshot saved during the storm: " + loaded.ToString());
      continue;
    }
    if (n % 4 == 0) check_consistent(fresh, s.failures, "loaded snapshot");
    if (n % 5 == 0) {
      size_t bytes = 0;
      absl::Status exported = s.store->export_resp([&](std::string_view chunk) {
        bytes += chunk.size();
        return absl::OkStatus();
      });
      if (!exported.ok()) s.failures.add("export_resp: " + exported.ToString());
    }
    s.snapshots.fetch_add(1);
  }
}

// Moves the clock: 0..20 ms at a time, now and then backwards a little, as
// a system clock may.
void ticker(Storm& s, uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!s.stop.load()) {
    s.clock.advance_ms(rng() % 50 == 0 ? -5 : static_cast<int64_t>(rng() % 20));
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

}  // namespace

TEST_CASE("Chaos: every public call from many threads at once") {
  Storm s;
  s.store = std::make_unique<Store>(s.options());
  Options ledger_options = s.options();
  ledger_options.maxmemory = 0;
  s.ledger = std::make_unique<Store>(ledger_options);
  s.taken.assign(kWorkers, std::vector<int64_t>(kProducts, 0));
  s.restocked.assign(kWorkers, std::vector<int64_t>(kProducts, 0));
  for (int p = 0; p < kProducts; ++p) {
    REQUIRE(s.ledger->hset(numbered("product:", p), "stock", std::to_string(kInitialStock)).ok());
  }
  s.dir = (std::filesystem::temp_directory_path() / ("hs_chaos_test." + std::to_string(getpid())))
              .string();
  std::filesystem::create_directories(s.dir);
  // A listener subscribed for the whole storm, calling back into both Stores.
  const uint64_t listener = s.store->subscribe([&](const hashstore::Event& e) {
    s.events.fetch_add(1, std::memory_order_relaxed);
    if (e.reason == hashstore::Event::Reason::kEvicted) s.evicted.fetch_add(1);
    s.store->hlen(e.key);
    if (!e.fields.empty()) s.store->hget(e.key, e.fields[0]);
    if (e.reason == hashstore::Event::Reason::kExpired) {
      s.ledger->hget("product:0", "stock");
    }
  });

  const uint64_t seed = test_seed();
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < kWorkers; ++t) {
    workers.push_back(std::make_unique<Worker>(s, t, seed * 1000 + static_cast<uint64_t>(t)));
  }
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
  threads.emplace_back([&] { saver(s); });
  threads.emplace_back([&] { ticker(s, seed); });
  const auto start = std::chrono::steady_clock::now();
  const auto length = std::chrono::duration<double>(storm_seconds());
  while (std::chrono::steady_clock::now() - start < length && s.failures.count() == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  s.stop = true;
  for (auto& th : threads) th.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.store->unsubscribe(listener);
  REQUIRE(s.store->wait_bgsave().ok());
  MESSAGE("chaos: " << s.ops.load() << " calls in " << seconds << " s, " << s.events.load()
                    << " events (" << s.evicted.load() << " evictions), " << s.snapshots.load()
                    << " snapshots loaded, used memory at most "
                    << s.max_over.load() << " bytes over maxmemory");

  for (const std::string& f : s.failures.list()) FAIL_CHECK(f);
  CHECK(s.failures.count() == 0);
  CHECK(s.ops.load() > 0);
  CHECK(s.snapshots.load() > 0);
  CHECK(s.evicted.load() > 0);  // the storm did run under memory pressure

  // After the storm, with the clock still: the store is consistent, and
  // its snapshot loads to the same contents.
  Failures after;
  auto contents = check_consistent(*s.store, after, "after the storm");
  const size_t used = s.store->used_memory();
  CHECK(used <= kMaxMemory + kWritersInFlight * kMaxWriteBytes);
  const std::string final_path = s.dir + "/final.hsdb";
  REQUIRE(s.store->save(final_path).ok());
  Options o = s.options();
  o.expiry_thread = false;
  o.maxmemory = 0;
  Store reloaded(o);
  REQUIRE(reloaded.load(final_path).ok());
  CHECK(check_consistent(reloaded, after, "reloaded") == contents);
  for (const std::string& f : after.list()) FAIL_CHECK(f);
  CHECK(after.count() == 0);

  // The ledger balances, product by product.
  for (int p = 0; p < kProducts; ++p) {
    int64_t expected = kInitialStock;
    for (int t = 0; t < kWorkers; ++t) expected += s.restocked[t][p] - s.taken[t][p];
    CAPTURE(p);
    CHECK(s.ledger->hget(numbered("product:", p), "stock") == std::to_string(expected));
  }
  std::filesystem::remove_all(s.dir);
}
