// Example: metrics. A service that embeds hashstore reads its figures
// with Store::stats() (a struct: no INFO text to parse) and serves them on
// its own metrics endpoint in Prometheus's text format (prometheus_text());
// hashstore opens no socket. Here the "endpoint" is stdout, and the service
// also watches its hit rate and turns on latency tracking to see p99s.
#include <cstdio>
#include <string>

#include <hashstore/stats.h>
#include <hashstore/store.h>

int main() {
  hashstore::Store store;
  std::puts("== metrics");
  // Per-command latency percentiles cost two clock reads per call: on
  // only when asked for (CONFIG SET latency-tracking yes).
  (void)store.execute({"CONFIG", "SET", "latency-tracking", "yes"});

  for (int i = 0; i < 1000; ++i) {
    const std::string key = "user:" + std::to_string(i % 100);
    if (i < 100) (void)store.hset(key, {{"name", "user"}, {"logins", "0"}});
    (void)store.hincrby(key, "logins", 1);
    (void)store.hget(key, i % 10 == 0 ? "missing-field" : "name");
    (void)store.hget("user:" + std::to_string(1000 + i % 50), "name");  // a miss
  }

  const hashstore::Stats stats = store.stats();
  const double lookups = static_cast<double>(stats.keyspace_hits + stats.keyspace_misses);
  std::printf("hit rate %.1f%% over %llu lookups, %llu commands, %zu bytes of data\n",
              lookups > 0 ? 100.0 * static_cast<double>(stats.keyspace_hits) / lookups : 0.0,
              static_cast<unsigned long long>(lookups),
              static_cast<unsigned long long>(stats.total_commands_processed), stats.used_memory);
  for (const hashstore::CommandStat& c : stats.commands) {
    if (c.has_latency) {
      std::printf("%-8s %6llu calls, p99 %.3f us\n", c.name.c_str(),
                  static_cast<unsigned long long>(c.calls), c.p99_usec);
    }
  }

  // What GET /metrics would answer.
  std::puts("-- GET /metrics");
  std::fputs(hashstore::prometheus_text(stats, "myservice_cache").c_str(), stdout);
  return 0;
}
