// Store::stats() (hashstore/stats.h): INFO's figures as a struct, gathered
// from the shards (Store::info()), the command counters (CommandStats),
// the persistence state and the process (malloc, /proc); and
// prometheus_text(), their rendering for a metrics endpoint.
#include <hashstore/stats.h>

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "command/command.h"
#include "persist/persist_state.h"
#include "store/store_impl.h"
#include "store/store_internal.h"
#include "util/absl_view.h"
#include <hashstore/store.h>
#include <hashstore/version.h>

namespace hashstore {

using internal::to_absl;

namespace {

// The process's resident set, from /proc/self/statm (0 where it is missing).
size_t resident_bytes() {
  size_t pages_total = 0, pages_resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%zu %zu", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

double usec_of(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

}  // namespace

Stats Store::stats() {
  using internal::CommandId;
  internal::StoreImpl& impl = *impl_;
  internal::CommandStats& cs = impl.command_stats();
  const Info info = this->info();
  Stats s;
  s.version = HASHSTORE_VERSION_STRING;
  s.process_id = static_cast<int64_t>(getpid());
  s.uptime_seconds = (impl.clock().now_ms() - impl.created_ms()) / 1000;
  s.shards = impl.shard_count();
  s.thread_safe = impl.thread_safe();

  s.used_memory = info.used_memory;
  s.used_memory_peak = cs.note_memory(info.used_memory);
  for (size_t i = 0; i < impl.shard_count(); ++i) {
    internal::Shard& shard = impl.shard(i);
    internal::StoreImpl::ShardLock lock(impl, shard, internal::LockMode::kShared);
    s.used_memory_overhead += shard.keyspace.table_bytes() + shard.keyspace.index_bytes();
    s.slab_bytes += shard.keyspace.arena_bytes();
    s.slab_live_bytes += shard.keyspace.arena_live_bytes();
  }
  s.used_memory_dataset =
      s.used_memory > s.used_memory_overhead ? s.used_memory - s.used_memory_overhead : 0;
  const struct mallinfo2 m = mallinfo2();
  s.allocator_allocated = m.uordblks + m.hblkhd;
  s.allocator_mapped = m.arena + m.hblkhd;
  s.used_memory_rss = resident_bytes();
  s.maxmemory = info.maxmemory;
  s.maxmemory_policy = info.maxmemory_policy;

  internal::PersistState& persist = impl.extension<internal::PersistState>();
  s.last_save_time = persist.lastsave_ms() / 1000;
  s.bgsave_in_progress = persist.bgsave_running();

  s.keyspace_hits = info.keyspace_hits;
  s.keyspace_misses = info.keyspace_misses;
  s.expired_keys = info.expired_keys;
  s.expired_fields = info.expired_fields;
  s.evicted_keys = info.evicted_keys;
  s.total_error_replies = cs.total_errors();
  for (size_t i = 0; i < internal::kCommandIdCount; ++i) {
    const auto id = static_cast<CommandId>(i);
    const internal::CommandStats::PerCommand f = cs.figures(id);
    if (f.calls == 0 && f.failed == 0 && f.rejected == 0) continue;
    CommandStat c{std::string(internal::kCommandNames[i]), f.calls, f.usec, f.failed, f.rejected};
    if (const internal::LatencyHistogram* h = cs.histogram(id); h != nullptr && h->count() > 0) {
      c.has_latency = true;
      c.p50_usec = usec_of(h->percentile(50));
      c.p99_usec = usec_of(h->percentile(99));
      c.p999_usec = usec_of(h->percentile(99.9));
    }
    s.total_commands_processed += f.calls;
    s.commands.push_back(std::move(c));
  }
  std::sort(s.commands.begin(), s.commands.end(),
            [](const CommandStat& a, const CommandStat& b) { return a.name < b.name; });
  for (auto& [code, n] : cs.error_counts()) s.errors.emplace_back(code, n);

  s.keys = info.keys;
  s.keys_with_ttl = info.keys_with_ttl;
  s.hashes_with_field_ttls = info.hashes_with_field_ttls;
  s.listpack_hashes = info.listpack_hashes;
  s.listpackex_hashes = info.listpackex_hashes;
  s.hashtable_hashes = info.hashtable_hashes;
  return s;
}

namespace {

// A label value with Prometheus's escapes (backslash, quote, newline).
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string prometheus_text(const Stats& s, std::string_view prefix_view) {
  const std::string prefix(prefix_view);
  std::string out;
  auto head = [&](std::string_view name, std::string_view type, std::string_view help) {
    absl::StrAppend(&out, "# HELP ", prefix, "_", to_absl(name), " ", to_absl(help), "\n# TYPE ",
                    prefix, "_", to_absl(name), " ", to_absl(type), "\n");
  };
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help,
                    uint64_t value) {
    head(name, type, help);
    absl::StrAppend(&out, prefix, "_", to_absl(name), " ", value, "\n");
  };
  metric("uptime_seconds", "gauge", "Seconds since the Store was built.",
         static_cast<uint64_t>(s.uptime_seconds));
  metric("shards", "gauge", "Shards of the Store.", s.shards);
  metric("used_memory_bytes", "gauge", "Bytes of data held (keys, hashes, tables, TTL indexes).",
         s.used_memory);
  metric("used_memory_peak_bytes", "gauge", "Largest used memory seen.", s.used_memory_peak);
  metric("used_memory_dataset_bytes", "gauge", "Bytes of keys' entries and their hashes.",
         s.used_memory_dataset);
  metric("used_memory_overhead_bytes", "gauge", "Bytes of key tables and TTL indexes.",
         s.used_memory_overhead);
  metric("allocator_allocated_bytes", "gauge", "Bytes malloc has handed out in the process.",
         s.allocator_allocated);
  metric("allocator_mapped_bytes", "gauge", "Bytes malloc holds from the system.",
         s.allocator_mapped);
  metric("slab_bytes", "gauge", "Bytes the key-entry slabs hold from malloc.", s.slab_bytes);
  metric("slab_live_bytes", "gauge", "Bytes of live key entries in the slabs.",
         s.slab_live_bytes);
  metric("used_memory_rss_bytes", "gauge", "Resident set of the process.", s.used_memory_rss);
  metric("maxmemory_bytes", "gauge", "The memory limit (0: none).", s.maxmemory);
  metric("last_save_time_seconds", "gauge", "Unix time of the last successful save.",
         static_cast<uint64_t>(s.last_save_time));
  metric("bgsave_in_progress", "gauge", "1 while a background save runs.", s.bgsave_in_progress);
  metric("commands_processed_total", "counter", "Commands run (typed calls and execute()).",
         s.total_commands_processed);
  metric("error_replies_total", "counter", "Error replies of execute().", s.total_error_replies);
  metric("keyspace_hits_total", "counter", "Reads that found their key.", s.keyspace_hits);
  metric("keyspace_misses_total", "counter", "Reads that did not find their key.",
         s.keyspace_misses);
  metric("expired_keys_total", "counter", "Keys reclaimed because their TTL passed.",
         s.expired_keys);
  metric("expired_fields_total", "counter", "Fields reclaimed because their TTL passed.",
         s.expired_fields);
  metric("evicted_keys_total", "counter", "Keys evicted under maxmemory.", s.evicted_keys);
  metric("keys", "gauge", "Live keys.", s.keys);
  metric("keys_with_ttl", "gauge", "Keys that will expire.", s.keys_with_ttl);
  metric("hashes_with_field_ttls", "gauge", "Hashes with a field TTL.", s.hashes_with_field_ttls);
  head("hashes", "gauge", "Hashes by encoding.");
  absl::StrAppend(&out, prefix, "_hashes{encoding=\"listpack\"} ", s.listpack_hashes, "\n", prefix,
                  "_hashes{encoding=\"listpackex\"} ", s.listpackex_hashes, "\n", prefix,
                  "_hashes{encoding=\"hashtable\"} ", s.hashtable_hashes, "\n");
  auto per_command = [&](std::string_view name, std::string_view help, auto value) {
    head(name, "counter", help);
    for (const CommandStat& c : s.commands) {
      absl::StrAppend(&out, prefix, "_", to_absl(name), "{cmd=\"", label(c.name), "\"} ",
                      value(c), "\n");
    }
  };
  per_command("command_calls_total", "Calls per command.",
              [](const CommandStat& c) { return c.calls; });
  per_command("command_usec_total", "Microseconds spent per command (when timed).",
              [](const CommandStat& c) { return c.usec; });
  per_command("command_failed_calls_total", "Calls that replied with an error.",
              [](const CommandStat& c) { return c.failed_calls; });
  per_command("command_rejected_calls_total", "Calls refused before they ran.",
              [](const CommandStat& c) { return c.rejected_calls; });
  head("command_latency_usec", "gauge", "Latency percentiles per command (latency-tracking yes).");
  for (const CommandStat& c : s.commands) {
    if (!c.has_latency) continue;
    for (auto [q, v] : {std::pair{"0.5", c.p50_usec}, std::pair{"0.99", c.p99_usec},
                        std::pair{"0.999", c.p999_usec}}) {
      absl::StrAppend(&out, prefix, "_command_latency_usec{cmd=\"", label(c.name),
                      "\",quantile=\"", q, "\"} ", absl::StrFormat("%.3f", v), "\n");
    }
  }
  head("errors_by_code_total", "counter", "Error replies per error code.");
  for (const auto& [code, n] : s.errors) {
    absl::StrAppend(&out, prefix, "_errors_by_code_total{code=\"", label(code), "\"} ", n, "\n");
  }
  return out;
}

}  // namespace hashstore
