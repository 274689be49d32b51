// Tests of the introspection commands (lib/command/introspect_cmds.cc) and
// the per-command counters behind them (lib/store/command_stats.h):
// INFO's sections, commandstats / errorstats / latencystats, OBJECT,
// DEBUG OBJECT, MEMORY, COMMAND, SLOWLOG, LATENCY, Store::stats() and
// prometheus_text(). Reply shapes and texts were read off redis-server
// 7.0.15 (tests/compat/scripts/introspection.redis compares them whole).
// No timings: durations are fed to CommandStats directly.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <hashstore/pipeline.h>
#include <hashstore/stats.h>
#include <hashstore/store.h>

#include "command/command.h"
#include "command/command_meta.h"
#include "store/command_stats.h"
#include "store/store_impl.h"
#include "store/store_internal.h"

using hashstore::Reply;
using hashstore::Store;
using hashstore::internal::CommandStats;
using hashstore::internal::LatencyHistogram;

namespace {

std::string info(Store& s, std::vector<std::string> args = {}) {
  args.insert(args.begin(), "INFO");
  return s.execute(args).string();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The value of "field:" in INFO's text ("" when absent).
std::string field(const std::string& text, const std::string& name) {
  const size_t at = text.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  const size_t start = at + 3 + name.size();
  return text.substr(start, text.find("\r\n", start) - start);
}

CommandStats& stats_of(Store& s) {
  return hashstore::internal::StoreInternal::impl(s).command_stats();
}

}  // namespace

TEST_CASE("INFO sections") {
  Store store;
  store.hset("user:1", "name", "Alice").IgnoreError();
  SUBCASE("no argument: the default sections, in Redis's order") {
    const std::string text = info(store);
    size_t last = 0;
    for (const char* title : {"# Server\r\n", "# Memory\r\n", "# Persistence\r\n", "# Stats\r\n",
                              "# Errorstats\r\n", "# Keyspace\r\n", "# Encodings\r\n"}) {
      CAPTURE(title);
      const size_t at = text.find(title);
      REQUIRE(at != std::string::npos);
      CHECK(at >= last);
      last = at;
    }
    CHECK(!has(text, "# Commandstats"));
    CHECK(!has(text, "# Latencystats"));
    CHECK(text.find("# Server\r\n") == 0);
    CHECK(field(text, "thread_safe") == "yes");
    CHECK(field(text, "db0") == "keys=1,expires=0,avg_ttl=0,subexpiry=0");
    CHECK(field(text, "hashes_listpack") == "1");
  }
  SUBCASE("all and everything add commandstats and latencystats") {
    for (const char* word : {"all", "everything", "ALL"}) {
      const std::string text = info(store, {word});
      CHECK(has(text, "# Commandstats\r\ncmdstat_hset:calls=1,"));
      CHECK(has(text, "# Latencystats\r\n"));
      CHECK(has(text, "# Encodings\r\n"));
    }
  }
  SUBCASE("several sections at once, each once, in Redis's order") {
    const std::string text = info(store, {"keyspace", "server", "KEYSPACE"});
    CHECK(text.find("# Server\r\n") == 0);
    CHECK(text.find("# Keyspace") == text.rfind("# Keyspace"));
    CHECK(!has(text, "# Memory"));
  }
  SUBCASE("an unknown section gives nothing") { CHECK(info(store, {"nosuch"}).empty()); }
  SUBCASE("memory: the dataset and overhead add up to used_memory") {
    const std::string text = info(store, {"memory"});
    CHECK(std::stoull(field(text, "used_memory_dataset")) +
              std::stoull(field(text, "used_memory_overhead")) ==
          std::stoull(field(text, "used_memory")));
    CHECK(std::stoull(field(text, "used_memory_peak")) >= std::stoull(field(text, "used_memory")));
    CHECK(field(text, "maxmemory_policy") == "noeviction");
  }
}

TEST_CASE("INFO commandstats and errorstats") {
  Store store;
  SUBCASE("typed calls and execute() count under one name, each call once") {
    store.hset("k", "f", "1").IgnoreError();
    store.execute({"HSET", "k", "g", "2"});  // its handler's store.hset() is not counted again
    (void)store.hget("k", "f");
    (void)store.hget("k", "nope");
    store.execute({"hget", "k", "f"});
    const std::string_view other[] = {"other"};
    store.unlink(other);  // unlink runs del: counted as unlink only
    const std::string text = info(store, {"commandstats"});
    CHECK(has(text, "cmdstat_hset:calls=2,"));
    CHECK(has(text, "cmdstat_hget:calls=3,"));
    CHECK(has(text, "cmdstat_unlink:calls=1,"));
    CHECK(!has(text, "cmdstat_del:"));
    // and the INFO before, not this one (as Redis, a command is counted once it ran).
    CHECK(field(info(store, {"stats"}), "total_commands_processed") == "7");
  }
  SUBCASE("hmset, type and pipelines count their own names once") {
    (void)store.hmset("k", {{"f", "1"}});      // runs HSET's body: counted as hmset only
    (void)store.type("k");                     // runs EXISTS's body
    hashstore::Pipeline p;
    p.hset("k", "g", "2").hget("k", "f").hincrby("k", "f", 1).hincrby("k", "g", 1);
    p.hset("k", "s", "text").hincrby("k", "s", 1);  // the last one fails: not an integer
    const std::string_view none[] = {"none"};
    p.hmget("k", std::span<const std::string_view>(none, 0));  // rejected: arity
    p.reserve("k", "f", 0);                                    // fails before any lookup
    store.run(p);
    const std::string text = info(store, {"commandstats"});
    CHECK(has(text, "cmdstat_hmset:calls=1,"));
    CHECK(has(text, "cmdstat_type:calls=1,"));
    CHECK(!has(text, "cmdstat_exists:"));
    CHECK(has(text, "cmdstat_hset:calls=2,"));
    CHECK(has(text, "cmdstat_hget:calls=1,"));
    const std::string hincrby = field(text, "cmdstat_hincrby");
    CHECK(hincrby.starts_with("calls=3,"));
    CHECK(hincrby.ends_with(",rejected_calls=0,failed_calls=1"));
    CHECK(field(text, "cmdstat_hmget") ==
          "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
    const std::string hreserve = field(text, "cmdstat_hreserve");
    CHECK(hreserve.starts_with("calls=1,"));
    CHECK(hreserve.ends_with(",rejected_calls=0,failed_calls=1"));
  }
  SUBCASE("failed and rejected calls, and error codes") {
    store.execute({"HSET", "k", "f", "text"});
    store.execute({"HINCRBY", "k", "f", "1"});       // failed: not an integer
    store.execute({"HGET", "k"});                    // rejected: arity
    store.execute({"NOSUCH"});                       // unknown: errorstat only
    store.execute({"SET", "k", "v"});                // unknown too
    const std::string text = info(store, {"commandstats", "errorstats", "stats"});
    CHECK(has(text, "cmdstat_hincrby:calls=1,usec="));
    CHECK(has(text, ",rejected_calls=0,failed_calls=1\r\n"));
    CHECK(has(text, "cmdstat_hget:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0"));
    CHECK(field(text, "errorstat_ERR") == "count=4");
    CHECK(field(text, "total_error_replies") == "4");
  }
  SUBCASE("WRONGTYPE-style codes are their first word") {
    stats_of(store).failed(hashstore::internal::kHget, "WRONGTYPE Operation against a key");
    CHECK(field(info(store, {"errorstats"}), "errorstat_WRONGTYPE") == "count=1");
  }
  SUBCASE("subcommands count under container|sub") {
    store.execute({"CONFIG", "GET", "maxmemory"});
    CHECK(has(info(store, {"commandstats"}), "cmdstat_config|get:calls=1,"));
  }
  SUBCASE("commands inside execute_batch and transaction are counted") {
    store.execute_batch({{"HSET", "a", "f", "v"}, {"HGET", "a", "f"}});
    store.transaction({{"HGET", "a", "f"}});
    const std::string text = info(store, {"commandstats"});
    CHECK(has(text, "cmdstat_hset:calls=1,"));
    CHECK(has(text, "cmdstat_hget:calls=2,"));
  }
  SUBCASE("CONFIG RESETSTAT") {
    store.execute({"HGET", "k", "f"});
    store.execute({"NOSUCH"});
    CHECK(store.execute({"CONFIG", "RESETSTAT"}).string() == "OK");
    const std::string text = info(store, {"commandstats", "errorstats", "stats"});
    CHECK(!has(text, "cmdstat_hget"));
    CHECK(!has(text, "errorstat_"));
    // RESETSTAT itself ran after the reset point.
    CHECK(field(text, "total_commands_processed") == "1");
  }
}

TEST_CASE("INFO latencystats and latency-tracking") {
  Store store;
  (void)store.hget("k", "f");
  CHECK(field(info(store, {"latencystats"}), "latency_percentiles_usec_hget").empty());
  CHECK(store.execute({"CONFIG", "GET", "latency-tracking"}).elements()[1].string() == "no");
  CHECK(store.execute({"CONFIG", "SET", "latency-tracking", "yes"}).string() == "OK");
  (void)store.hget("k", "f");
  const std::string line = field(info(store, {"latencystats"}), "latency_percentiles_usec_hget");
  CHECK(line.rfind("p50=", 0) == 0);
  CHECK(has(line, ",p99="));
  CHECK(has(line, ",p99.9="));
  CHECK(store.execute({"CONFIG", "SET", "latency-tracking", "maybe"}).string() ==
        "ERR CONFIG SET failed (possibly related to argument 'latency-tracking') - argument "
        "must be 'yes' or 'no'");
}

TEST_CASE("LatencyHistogram") {
  LatencyHistogram h;
  CHECK(h.percentile(50) == 0);
  for (uint64_t ns = 1; ns <= 1000; ++ns) h.record(ns * 1000);  // 1..1000 us
  CHECK(h.count() == 1000);
  // Within the 1/16 bucket width of the exact figure.
  CHECK(h.percentile(50) >= 500000);
  CHECK(h.percentile(50) <= 500000 + 500000 / 16);
  CHECK(h.percentile(99) >= 990000);
  CHECK(h.percentile(99) <= 990000 + 990000 / 16);
  CHECK(h.percentile(100) >= 1000000);
  LatencyHistogram small;
  small.record(3);
  CHECK(small.percentile(50) == 3);
}

TEST_CASE("SLOWLOG") {
  Store store;
  CHECK(store.execute({"CONFIG", "GET", "slowlog-log-slower-than"}).elements()[1].string() ==
        "10000");
  CHECK(store.execute({"CONFIG", "GET", "slowlog-max-len"}).elements()[1].string() == "128");
  CHECK(store.execute({"CONFIG", "SET", "slowlog-log-slower-than", "0"}).string() == "OK");
  store.execute({"HSET", "k", "f", "v"});
  store.execute({"HGET", "k", "f"});
  SUBCASE("GET: newest first, Redis's entry shape") {
    const Reply r = store.execute({"SLOWLOG", "GET", "1"});
    REQUIRE(r.elements().size() == 1);
    const auto& e = r.elements()[0].elements();
    REQUIRE(e.size() == 6);
    CHECK(e[0].integer() == 2);  // ids 0 CONFIG SET, 1 HSET, 2 HGET
    CHECK(e[1].integer() > 0);
    CHECK(e[2].integer() >= 0);
    REQUIRE(e[3].elements().size() == 3);
    CHECK(e[3].elements()[0].string() == "HGET");
    CHECK(e[4].string().empty());
    CHECK(e[5].string().empty());
    // Each SLOWLOG GET is logged too, once it ran.
    CHECK(store.execute({"SLOWLOG", "GET"}).elements().size() == 4);
    CHECK(store.execute({"SLOWLOG", "GET", "-1"}).elements().size() == 5);
  }
  SUBCASE("LEN, RESET, max-len") {
    CHECK(store.execute({"SLOWLOG", "LEN"}).integer() == 3);
    CHECK(store.execute({"SLOWLOG", "RESET"}).string() == "OK");
    CHECK(store.execute({"SLOWLOG", "LEN"}).integer() == 1);  // RESET itself
    store.execute({"CONFIG", "SET", "slowlog-max-len", "2"});
    for (int i = 0; i < 5; ++i) store.execute({"PING"});
    CHECK(store.execute({"SLOWLOG", "LEN"}).integer() == 2);
  }
  SUBCASE("long arguments are trimmed as Redis trims them") {
    std::vector<std::string> args = {"HSET", "k"};
    for (int i = 0; i < 20; ++i) {
      args.push_back(std::string("f").append(std::to_string(i)));  // not "f" + ...: GCC 12's false -Wrestrict
      args.push_back(std::string(i == 0 ? 200 : 1, 'v'));
    }
    store.execute(args);  // 42 arguments
    const Reply got = store.execute({"SLOWLOG", "GET", "1"});
    const auto& logged = got.elements()[0].elements()[3].elements();
    REQUIRE(logged.size() == 32);
    CHECK(logged[3].string() == std::string(128, 'v') + "... (72 more bytes)");
    CHECK(logged[31].string() == "... (11 more arguments)");
  }
  SUBCASE("errors") {
    CHECK(store.execute({"SLOWLOG", "GET", "-2"}).string() ==
          "ERR count should be greater than or equal to -1");
    CHECK(store.execute({"SLOWLOG", "GET", "x"}).string() ==
          "ERR count should be greater than or equal to -1");
    CHECK(store.execute({"SLOWLOG", "LEN", "x"}).string() ==
          "ERR wrong number of arguments for 'slowlog|len' command");
    CHECK(store.execute({"CONFIG", "SET", "slowlog-log-slower-than", "-2"}).string() ==
          "ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - "
          "argument must be between -1 and 9223372036854775807 inclusive");
  }
  SUBCASE("-1 turns it off") {
    store.execute({"CONFIG", "SET", "slowlog-log-slower-than", "-1"});
    const int64_t before = store.execute({"SLOWLOG", "LEN"}).integer();
    store.execute({"PING"});
    CHECK(store.execute({"SLOWLOG", "LEN"}).integer() == before);
  }
}

TEST_CASE("LATENCY") {
  Store store;
  CommandStats& stats = stats_of(store);
  CHECK(store.execute({"LATENCY", "LATEST"}).elements().empty());
  // Below the threshold (0: off) nothing is recorded.
  stats.record_time(hashstore::internal::kHget, 50'000'000);
  CHECK(store.execute({"LATENCY", "LATEST"}).elements().empty());
  CHECK(store.execute({"CONFIG", "SET", "latency-monitor-threshold", "10"}).string() == "OK");
  stats.record_time(hashstore::internal::kHget, 5'000'000);   // 5 ms: under 10
  CHECK(store.execute({"LATENCY", "LATEST"}).elements().empty());
  stats.record_time(hashstore::internal::kHget, 25'000'000);  // 25 ms
  const Reply latest = store.execute({"LATENCY", "LATEST"});
  REQUIRE(latest.elements().size() == 1);
  const auto& e = latest.elements()[0].elements();
  REQUIRE(e.size() == 4);
  CHECK(e[0].string() == "command");
  CHECK(e[2].integer() == 25);
  CHECK(e[3].integer() == 25);
  const Reply history = store.execute({"LATENCY", "HISTORY", "command"});
  REQUIRE(history.elements().size() == 1);
  CHECK(history.elements()[0].elements()[1].integer() == 25);
  CHECK(store.execute({"LATENCY", "HISTORY", "nosuch"}).elements().empty());
  CHECK(store.execute({"LATENCY", "RESET", "nosuch"}).integer() == 0);
  CHECK(store.execute({"LATENCY", "RESET"}).integer() == 1);
  CHECK(store.execute({"LATENCY", "LATEST"}).elements().empty());
  CHECK(store.execute({"LATENCY", "HELP"}).elements().size() == 17);
}

TEST_CASE("OBJECT and DEBUG OBJECT") {
  Store store;
  store.hset("k", "f", "v").IgnoreError();
  CHECK(store.execute({"OBJECT", "ENCODING", "k"}).string() == "listpack");
  CHECK(store.execute({"OBJECT", "REFCOUNT", "k"}).integer() == 1);
  CHECK(store.execute({"OBJECT", "REFCOUNT", "nokey"}).is_nil());
  CHECK(store.execute({"OBJECT", "IDLETIME", "k"}).integer() == 0);
  CHECK(store.execute({"OBJECT", "FREQ", "nokey"}).is_nil());
  CHECK(store.execute({"OBJECT", "FREQ", "k"}).string() ==
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  store.execute({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  store.hset("k2", "f", "v").IgnoreError();
  CHECK(store.execute({"OBJECT", "FREQ", "k2"}).integer() == 5);  // Redis's LFU_INIT_VAL
  CHECK(store.execute({"OBJECT", "IDLETIME", "k2"}).is_error());
  const Reply help = store.execute({"OBJECT", "HELP"});
  REQUIRE(help.elements().size() == 15);
  CHECK(help.elements()[0].string() ==
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(store.execute({"OBJECT", "foo"}).string() == "ERR unknown subcommand 'foo'. Try OBJECT HELP.");
  const std::string debug = store.execute({"DEBUG", "OBJECT", "k"}).string();
  CHECK(debug.rfind("Value at:0x", 0) == 0);
  CHECK(has(debug, " refcount:1 encoding:listpack serializedlength:"));
  CHECK(has(debug, " lru_seconds_idle:"));
  CHECK(store.execute({"DEBUG", "OBJECT", "nokey"}).string() == "ERR no such key");
  CHECK(store.execute({"DEBUG", "FOO"}).string() ==
        "ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.");
}

TEST_CASE("MEMORY") {
  Store store;
  store.hset("k", "f", "v").IgnoreError();
  const Reply stats = store.execute({"MEMORY", "STATS"});
  REQUIRE(stats.elements().size() % 2 == 0);
  CHECK(stats.elements()[0].string() == "peak.allocated");
  CHECK(stats.elements()[6].string() == "keys.count");
  CHECK(stats.elements()[7].integer() == 1);
  CHECK(store.execute({"MEMORY", "DOCTOR"}).string().rfind("Hi Sam, this instance is empty", 0) == 0);
  CHECK(store.execute({"MEMORY", "HELP"}).elements().size() == 14);
  CHECK(store.execute({"MEMORY", "PURGE"}).string() == "OK");
  CHECK(store.execute({"MEMORY", "USAGE", "k"}).integer() > 0);
}

TEST_CASE("command metadata: found by name (a binary search over the sorted table), flags by word") {
  using hashstore::internal::command_meta;
  using hashstore::internal::find_command_meta;
  using hashstore::internal::has_word;
  for (const auto& m : command_meta()) CHECK(find_command_meta(m.name) == &m);
  CHECK(find_command_meta("nosuch") == nullptr);
  CHECK(find_command_meta("") == nullptr);
  REQUIRE(find_command_meta("hset") != nullptr);
  CHECK(has_word(find_command_meta("hset")->flags, "write"));
  CHECK(!has_word(find_command_meta("hget")->flags, "write"));
  CHECK(has_word("write denyoom fast", "fast"));
  CHECK(has_word("write denyoom fast", "denyoom"));
  CHECK(!has_word("write denyoom fast", "deny"));
  CHECK(!has_word("", "write"));
}

TEST_CASE("COMMAND") {
  Store store;
  const int64_t count = store.execute({"COMMAND", "COUNT"}).integer();
  CHECK(count == static_cast<int64_t>(store.execute({"COMMAND"}).elements().size()));
  CHECK(store.execute({"COMMAND", "LIST"}).elements().size() > static_cast<size_t>(count));
  const Reply hget = store.execute({"COMMAND", "INFO", "hget", "nosuch", "config|get"});
  REQUIRE(hget.elements().size() == 3);
  const auto& e = hget.elements()[0].elements();
  REQUIRE(e.size() == 10);
  CHECK(e[0].string() == "hget");
  CHECK(e[1].integer() == 3);
  CHECK(e[2].elements()[0].string() == "readonly");
  CHECK(e[3].integer() == 1);
  CHECK(e[4].integer() == 1);
  CHECK(e[5].integer() == 1);
  CHECK(e[6].elements()[0].string() == "@read");
  CHECK(e[8].elements().size() == 1);
  CHECK(hget.elements()[1].is_nil());
  CHECK(hget.elements()[2].elements()[0].string() == "config|get");
  const Reply keys = store.execute({"COMMAND", "GETKEYS", "HSET", "a", "f", "v"});
  REQUIRE(keys.elements().size() == 1);
  CHECK(keys.elements()[0].string() == "a");
  CHECK(store.execute({"COMMAND", "GETKEYS", "DEL", "a", "b"}).elements().size() == 2);
  CHECK(store.execute({"COMMAND", "GETKEYS", "PING", "x"}).string() ==
        "ERR The command has no key arguments");
  CHECK(store.execute({"COMMAND", "GETKEYS", "nosuch", "x"}).string() ==
        "ERR Invalid command specified");
  const Reply docs = store.execute({"COMMAND", "DOCS", "hget"});
  REQUIRE(docs.elements().size() == 2);
  CHECK(docs.elements()[1].elements()[1].string() == "Get the value of a hash field");
  CHECK(store.execute({"COMMAND", "HELP"}).elements().size() == 21);
}

TEST_CASE("Store::stats and prometheus_text") {
  Store store;
  store.hset("k", "f", "v").IgnoreError();
  (void)store.hget("k", "f");
  (void)store.hget("nokey", "f");
  store.execute({"NOSUCH"});
  const hashstore::Stats s = store.stats();
  CHECK(s.keys == 1);
  CHECK(s.listpack_hashes == 1);
  CHECK(s.keyspace_hits == 1);
  CHECK(s.keyspace_misses == 1);
  CHECK(s.total_commands_processed == 3);
  CHECK(s.total_error_replies == 1);
  REQUIRE(s.commands.size() == 2);
  CHECK(s.commands[0].name == "hget");
  CHECK(s.commands[0].calls == 2);
  CHECK(s.commands[1].name == "hset");
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0] == std::pair<std::string, uint64_t>{"ERR", 1});
  CHECK(s.used_memory_dataset + s.used_memory_overhead == s.used_memory);
  // One small key: one slot of its shard's slab, within a first page.
  CHECK(s.slab_live_bytes >= 16);
  CHECK(s.slab_live_bytes <= 32);
  CHECK(s.slab_bytes >= 1024);
  const std::string text = hashstore::prometheus_text(s, "cache");
  CHECK(has(text, "cache_slab_live_bytes " + std::to_string(s.slab_live_bytes) + "\n"));
  CHECK(has(text, "# TYPE cache_keyspace_hits_total counter\ncache_keyspace_hits_total 1\n"));
  CHECK(has(text, "cache_command_calls_total{cmd=\"hget\"} 2\n"));
  CHECK(has(text, "cache_errors_by_code_total{code=\"ERR\"} 1\n"));
  CHECK(has(text, "cache_hashes{encoding=\"listpack\"} 1\n"));
}
