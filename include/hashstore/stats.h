// hashstore::Stats: the figures behind INFO, as a struct for programs
// (Store::stats()), and their rendering in the Prometheus text exposition
// format for a service to serve on its own metrics endpoint (hashstore
// opens no socket).
//
// Threading: plain values, not synchronized. Store::stats() may be called
// from any thread at any time; each figure is read without stopping other
// calls, so figures of one Stats may be a moment apart from each other.
#ifndef HASHSTORE_STATS_H_
#define HASHSTORE_STATS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/options.h>

namespace hashstore {

// One command's figures (INFO commandstats and latencystats). Typed calls
// (store.hget()) count under the command's name ("hget") as execute() does.
struct CommandStat {
  std::string name;           // Redis's name, lower case; "config|get" for a subcommand
  uint64_t calls = 0;         // calls that ran
  uint64_t usec = 0;          // time they took, when timed (see README "Introspection")
  uint64_t failed_calls = 0;  // ran and replied with an error (execute() only)
  uint64_t rejected_calls = 0;  // refused before running (arity, OOM)
  // Latency percentiles in microseconds (latency-tracking yes; else 0,
  // and has_latency is false).
  bool has_latency = false;
  double p50_usec = 0, p99_usec = 0, p999_usec = 0;
};

struct Stats {
  // server
  std::string version;        // hashstore's
  int64_t process_id = 0;
  int64_t uptime_seconds = 0;  // since the Store was built
  size_t shards = 0;
  bool thread_safe = true;
  // memory
  size_t used_memory = 0;           // bytes of data (Info::used_memory)
  size_t used_memory_peak = 0;      // largest used_memory seen by stats(), INFO, MEMORY STATS
  size_t used_memory_dataset = 0;   // keys' entries and their hashes
  size_t used_memory_overhead = 0;  // key tables and TTL indexes
  size_t allocator_allocated = 0;   // bytes the process's malloc has handed out (all of them)
  size_t allocator_mapped = 0;      // bytes malloc holds from the system
  size_t used_memory_rss = 0;       // resident set of the process
  // The shards' key-entry slabs (arenas): bytes they hold from malloc, and
  // of those the live entries' slots (counted in used_memory); free slots
  // and page tails are the difference. slab_frag_ratio = held / live.
  size_t slab_bytes = 0;
  size_t slab_live_bytes = 0;
  size_t maxmemory = 0;
  EvictionPolicy maxmemory_policy = EvictionPolicy::kNoEviction;
  // persistence
  int64_t last_save_time = 0;  // unix seconds (the Store's creation before any save)
  bool bgsave_in_progress = false;
  // stats
  uint64_t total_commands_processed = 0;  // calls counted in commands
  uint64_t total_error_replies = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t expired_fields = 0;
  uint64_t evicted_keys = 0;
  std::vector<CommandStat> commands;  // those with a call, failure or rejection, by name
  std::vector<std::pair<std::string, uint64_t>> errors;  // error code ("ERR") -> replies, by code
  // keyspace
  uint64_t keys = 0;
  uint64_t keys_with_ttl = 0;
  uint64_t hashes_with_field_ttls = 0;
  // encodings
  uint64_t listpack_hashes = 0;
  uint64_t listpackex_hashes = 0;
  uint64_t hashtable_hashes = 0;
};

// stats in the Prometheus text exposition format (version 0.0.4): one
// "# HELP", "# TYPE" and sample per figure, names "<prefix>_<figure>",
// per-command figures labelled {cmd="hget"}, errors {code="ERR"}.
// REQUIRES: prefix matches [a-zA-Z_:][a-zA-Z0-9_:]*.
std::string prometheus_text(const Stats& stats, std::string_view prefix = "hashstore");

}  // namespace hashstore

#endif  // HASHSTORE_STATS_H_
