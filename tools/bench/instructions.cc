// hashstore-bench workload `instructions`: instructions per call of the hot
// single-key calls, hashstore beside the nested absl::flat_hash_map a user
// would write, counted by valgrind's callgrind (exact and repeatable, where
// wall clock on a shared VM is not).
//
// The keyspace: 100,000 profiles `user:N` (name, email, age, city,
// created_at, and a `logins` counter), 20,000 calls on random keys per
// figure. Two pairings: the single-threaded Store (thread_safe = false)
// beside the bare map, and the default thread-safe Store beside the map
// behind one std::mutex. Three more rows run HGET, HSET and HINCRBY through
// a hashstore::Pipeline of 32 commands (Store::run), counted per command,
// beside the map's single call.
//
// With HASHSTORE_BENCH_LATENCY_TRACKING set in the environment the Stores
// run with latency-tracking on (the cost of timing every call).
//
// How it counts: the workload re-runs this program under
//   valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no
// and the child brackets each measured loop with callgrind's client
// requests (instrumentation on, counters zeroed, collection toggled on
// around the loop only, then a dump named after the row). The parent reads
// each dump's total and subtracts an empty loop over the same keys, so a
// figure is the instructions of the call itself. Each call runs once on
// every key first (uncounted), so first-use work (a thread's buffers) is
// not counted.
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <hashstore/pipeline.h>
#include <hashstore/store.h>

#include "bench_common.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HASHSTORE_HAVE_CALLGRIND 1
#else
#define HASHSTORE_HAVE_CALLGRIND 0
#endif

namespace bench {

namespace {

constexpr size_t kProfiles = 100000;
constexpr size_t kCalls = 20000;
constexpr const char* kChildEnv = "HASHSTORE_BENCH_CALLGRIND_CHILD";

// The rows, in the order they are printed.
const char* const kRows[] = {"hget",    "hget_view",   "hset",         "hincrby",
                             "hmget",   "hgetall",     "hget_run32",   "hset_run32",
                             "hincrby_run32"};
const char* const kRowTitles[] = {
    "HGET email (copied out)",   "hget_view email (in place)", "HSET city (existing)",
    "HINCRBY logins (existing)", "HMGET 3 fields",             "HGETALL",
    "HGET, Store::run of 32",    "HSET, Store::run of 32",     "HINCRBY, Store::run of 32"};
// The pipelined rows' map column is the map's single call (it has no
// pipeline): their ratio says what a command costs inside Store::run.
const char* const kMapRow[] = {"hget",  "hget_view", "hset", "hincrby", "hmget",
                               "hgetall", "hget",    "hset", "hincrby"};
constexpr size_t kDepth = 32;

#if HASHSTORE_HAVE_CALLGRIND

struct Keys {
  std::vector<Profile> profiles;
  std::vector<const std::string*> order;  // one key per call
};

Keys make_keys() {
  Keys k;
  for (size_t i = 0; i < kProfiles; ++i) k.profiles.push_back(profile(i));
  std::mt19937 rng(7);
  for (size_t i = 0; i < kCalls; ++i) k.order.push_back(&k.profiles[rng() % kProfiles].key);
  return k;
}

// Runs op on every key of the order, first uncounted, then counted; the
// dump is named `label`.
template <class Op>
void measure(const Keys& keys, const std::string& label, Op op) {
  size_t sink = 0;
  for (const std::string* k : keys.order) sink += op(*k);
  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  for (const std::string* k : keys.order) sink += op(*k);
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT(label.c_str());
  CALLGRIND_STOP_INSTRUMENTATION;
  if (sink == 42) std::puts("");  // keeps the work observable
}

// The map's calls, written as a user would (and as the `speed` workload's
// baseline is written): values copied out, counters parsed strictly,
// operator[] for writes, results pushed into vectors without reserving.
std::optional<std::string> map_hget(const BaselineKeyspace& ks, const std::string& k,
                                    const char* f) {
  auto it = ks.find(k);
  if (it == ks.end()) return std::nullopt;
  auto v = it->second.find(f);
  if (v == it->second.end()) return std::nullopt;
  return v->second;
}

template <class Fn>
bool map_hget_view(const BaselineKeyspace& ks, const std::string& k, const char* f, Fn fn) {
  auto it = ks.find(k);
  if (it == ks.end()) return false;
  auto v = it->second.find(f);
  if (v == it->second.end()) return false;
  fn(std::string_view(v->second));
  return true;
}

// The child: builds the four keyspaces and measures every row on each.
void child() {
  const Keys keys = make_keys();
  hashstore::Options bare_options;
  bare_options.thread_safe = false;
  hashstore::Store bare(bare_options), locked;
  BaselineKeyspace map;
  std::mutex mu;
  for (const Profile& p : keys.profiles) {
    for (hashstore::Store* s : {&bare, &locked}) {
      (void)s->hset(p.key, {{"name", p.name}, {"email", p.email}, {"age", p.age},
                            {"city", p.city}, {"created_at", p.created}, {"logins", "0"}});
    }
    Baseline& h = map[p.key];
    h["name"] = p.name;
    h["email"] = p.email;
    h["age"] = p.age;
    h["city"] = p.city;
    h["created_at"] = p.created;
    h["logins"] = "0";
  }
  // HASHSTORE_BENCH_LATENCY_TRACKING set: every row with latency-tracking
  // on (two clock reads and a histogram update per call: README
  // "Introspection", what counting costs).
  if (std::getenv("HASHSTORE_BENCH_LATENCY_TRACKING") != nullptr) {
    for (hashstore::Store* s : {&bare, &locked}) {
      (void)s->execute({"CONFIG", "SET", "latency-tracking", "yes"});
    }
  }
  measure(keys, "empty", [](const std::string& k) { return k.size(); });
  for (hashstore::Store* s : {&bare, &locked}) {
    const std::string side = s == &bare ? "bare" : "locked";
    measure(keys, "ours/" + side + "/hget",
            [&](const std::string& k) { return s->hget(k, "email")->size(); });
    measure(keys, "ours/" + side + "/hget_view", [&](const std::string& k) {
      size_t n = 0;
      s->hget_view(k, "email", [&](std::string_view v) { n = v.size(); });
      return n;
    });
    measure(keys, "ours/" + side + "/hset",
            [&](const std::string& k) { return static_cast<size_t>(*s->hset(k, "city", "LON")); });
    measure(keys, "ours/" + side + "/hincrby", [&](const std::string& k) {
      return static_cast<size_t>(*s->hincrby(k, "logins", 1));
    });
    measure(keys, "ours/" + side + "/hmget", [&](const std::string& k) {
      return s->hmget(k, {"name", "email", "city"}).size();
    });
    measure(keys, "ours/" + side + "/hgetall",
            [&](const std::string& k) { return s->hgetall(k).size(); });
    // Pipelines of kDepth commands; the measured loop runs one per kDepth
    // keys (the count is per command, as the loop's calls are).
    hashstore::Pipeline p;
    hashstore::PipelineReplies replies;
    auto pipelined = [&](const std::string& row, auto queue) {
      size_t queued = 0;
      measure(keys, "ours/" + side + "/" + row, [&](const std::string& k) {
        queue(p, k);
        if (++queued < kDepth) return size_t{0};
        queued = 0;
        s->run(p, replies);
        p.clear();
        return replies.size();
      });
    };
    pipelined("hget_run32", [](hashstore::Pipeline& p, const std::string& k) { p.hget(k, "email"); });
    pipelined("hset_run32",
              [](hashstore::Pipeline& p, const std::string& k) { p.hset(k, "city", "LON"); });
    pipelined("hincrby_run32",
              [](hashstore::Pipeline& p, const std::string& k) { p.hincrby(k, "logins", 1); });
  }
  for (bool with_mutex : {false, true}) {
    const std::string side = with_mutex ? "locked" : "bare";
    // Every map call under the mutex when with_mutex, as one lock_guard.
    auto guarded = [&](auto fn) {
      return [&, fn](const std::string& k) {
        if (!with_mutex) return fn(k);
        std::lock_guard<std::mutex> l(mu);
        return fn(k);
      };
    };
    measure(keys, "map/" + side + "/hget",
            guarded([&](const std::string& k) { return map_hget(map, k, "email")->size(); }));
    measure(keys, "map/" + side + "/hget_view", guarded([&](const std::string& k) {
              size_t n = 0;
              map_hget_view(map, k, "email", [&](std::string_view v) { n = v.size(); });
              return n;
            }));
    measure(keys, "map/" + side + "/hset", guarded([&](const std::string& k) {
              map[k]["city"] = "LON";
              return size_t{0};
            }));
    measure(keys, "map/" + side + "/hincrby", guarded([&](const std::string& k) {
              return static_cast<size_t>(*base_incr(map[k], "logins", 1));
            }));
    measure(keys, "map/" + side + "/hmget", guarded([&](const std::string& k) {
              std::vector<std::optional<std::string>> out;
              for (const char* f : {"name", "email", "city"}) out.push_back(map_hget(map, k, f));
              return out.size();
            }));
    measure(keys, "map/" + side + "/hgetall", guarded([&](const std::string& k) {
              std::vector<std::pair<std::string, std::string>> out;
              auto it = map.find(k);
              for (const auto& [f, v] : it->second) out.emplace_back(f, v);
              return out.size();
            }));
  }
}

// The total instructions of one dump ("totals:" or "summary:" line), and
// the label of its trigger.
bool read_dump(const std::filesystem::path& file, std::string* label, double* total) {
  std::ifstream in(file);
  std::string line;
  bool have_total = false;
  while (std::getline(in, line)) {
    constexpr std::string_view kTrigger = "desc: Trigger: Client Request: ";
    if (line.rfind(kTrigger, 0) == 0) *label = line.substr(kTrigger.size());
    if (line.rfind("totals: ", 0) == 0 || line.rfind("summary: ", 0) == 0) {
      *total = std::strtod(line.c_str() + line.find(' ') + 1, nullptr);
      have_total = true;
    }
  }
  return have_total && !label->empty();
}

#endif  // HASHSTORE_HAVE_CALLGRIND

}  // namespace

void instructions(int) {
#if !HASHSTORE_HAVE_CALLGRIND
  std::fprintf(stderr, "instructions: built without valgrind/callgrind.h (apt-get install valgrind)\n");
#else
  if (std::getenv(kChildEnv) != nullptr) {
    child();
    return;
  }
  char dir_template[] = "/tmp/hashstore-instructions.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) {
    std::perror("mkdtemp");
    return;
  }
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string cmd = std::string(kChildEnv) +
                          "=1 valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no "
                          "--callgrind-out-file=" + dir + "/cg.out '" + self +
                          "' --workloads=instructions > " + dir + "/log 2>&1";
  progress("instructions (under callgrind)", 0, 1);
  const int rc = std::system(cmd.c_str());
  done_progress();
  std::map<std::string, double> totals;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string label;
    double total = 0;
    if (entry.path().filename().string().rfind("cg.out", 0) == 0 &&
        read_dump(entry.path(), &label, &total)) {
      totals[label] = total;
    }
  }
  if (rc != 0 || totals.count("empty") == 0) {
    std::fprintf(stderr, "instructions: valgrind failed (is it installed?); see %s/log\n", dir);
    return;
  }
  const double empty = totals["empty"];
  auto per_call = [&](const std::string& label) {
    auto it = totals.find(label);
    return it == totals.end() ? 0.0 : (it->second - empty) / static_cast<double>(kCalls);
  };
  std::printf("\n%-28s %10s %10s %6s %10s %10s %6s\n", "instructions per call",
              "ours bare", "map bare", "ratio", "ours lock", "map+mutex", "ratio");
  for (size_t i = 0; i < sizeof kRows / sizeof kRows[0]; ++i) {
    const std::string row = kRows[i];
    const std::string map_row = kMapRow[i];
    const double ob = per_call("ours/bare/" + row), mb = per_call("map/bare/" + map_row);
    const double ol = per_call("ours/locked/" + row), ml = per_call("map/locked/" + map_row);
    std::printf("%-28s %10.0f %10.0f %6.2f %10.0f %10.0f %6.2f\n", kRowTitles[i], ob, mb,
                mb > 0 ? ob / mb : 0, ol, ml, ml > 0 ? ol / ml : 0);
    // Recorded for --json / --svg like every other figure (no rounds:
    // instruction counts do not vary).
    report("instructions", row + ", 1 thread", "instructions/call", {ob}, {mb}, true);
    report("instructions", row + ", locked", "instructions/call", {ol}, {ml}, true);
  }
  std::filesystem::remove_all(dir);
#endif
}

}  // namespace bench
