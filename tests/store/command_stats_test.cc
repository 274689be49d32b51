// The per-command counters (lib/store/command_stats.h) under four threads:
// every call is counted exactly once, whether typed or through execute(),
// while another thread reads INFO, switches timing on and off and resets
// the slowlog. Threaded, so also in the TSan run (suite 'threads').
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <hashstore/stats.h>
#include <hashstore/store.h>

namespace {

uint64_t calls_of(const hashstore::Stats& s, const std::string& name) {
  for (const hashstore::CommandStat& c : s.commands) {
    if (c.name == name) return c.calls;
  }
  return 0;
}

}  // namespace

TEST_CASE("CommandStats: four threads count every call once") {
  constexpr int kThreads = 4;
  constexpr int kCalls = 2000;
  hashstore::Store store;
  for (const char* key : {"k0", "k1"}) store.hset(key, "text", "v").IgnoreError();
  std::atomic<bool> done{false};
  // Reads and reconfigures while the workers run (its own calls are INFO,
  // CONFIG and SLOWLOG, which the checks below leave out).
  std::thread observer([&] {
    bool on = false;
    while (!done.load()) {
      on = !on;
      store.execute({"CONFIG", "SET", "latency-tracking", on ? "yes" : "no"});
      store.execute({"CONFIG", "SET", "slowlog-log-slower-than", on ? "0" : "10000"});
      (void)store.execute({"INFO", "everything"});
      store.execute({"SLOWLOG", "RESET"});
      (void)store.stats();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      const std::string key = t % 2 ? "k1" : "k0";  // two threads per key
      const char* const fields[] = {"f0", "f1", "f2", "f3", "f4", "f5", "f6"};
      for (int i = 0; i < kCalls; ++i) {
        store.hset(key, fields[i % 7], "v").IgnoreError();               // typed
        (void)store.hget(key, "f0");                                     // typed
        store.execute({"HGET", key, "f1"});                              // execute()
        store.execute({"HINCRBY", key, "text", "1"});                    // fails: "v"
      }
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  observer.join();
  const hashstore::Stats s = store.stats();
  const uint64_t n = uint64_t{kThreads} * kCalls;
  CHECK(calls_of(s, "hset") == n + 2);
  CHECK(calls_of(s, "hget") == 2 * n);
  CHECK(calls_of(s, "hincrby") == n);
  for (const hashstore::CommandStat& c : s.commands) {
    if (c.name == "hincrby") CHECK(c.failed_calls == n);
    if (c.name == "hget") CHECK(c.failed_calls == 0);
  }
  CHECK(s.keyspace_hits == 2 * n);
}
