// Introspection commands: INFO, OBJECT, MEMORY, DEBUG OBJECT, COMMAND,
// SLOWLOG and LATENCY, with Redis 7.0's replies, HELP texts and errors.
// Their figures come from Store::stats() (store_stats.cc) and the
// per-command counters (store/command_stats.h).
#include <malloc.h>

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "command/command.h"
#include "command/command_meta.h"
#include "command/command_util.h"
#include "keyspace/key_entry.h"
#include "persist/persist_state.h"
#include "store/store_impl.h"
#include "store/store_internal.h"
#include "util/absl_view.h"
#include "util/number.h"
#include <hashstore/stats.h>

namespace hashstore::internal {

namespace {

CommandStats& stats_of(Store& s) { return StoreInternal::impl(s).command_stats(); }

// ---- INFO -------------------------------------------------------------------

// Redis's bytesToHuman.
std::string human_bytes(size_t n) {
  const double d = static_cast<double>(n);
  if (n < 1024) return absl::StrCat(n, "B");
  if (n < 1024 * 1024) return absl::StrFormat("%.2fK", d / 1024);
  if (n < size_t{1024} * 1024 * 1024) return absl::StrFormat("%.2fM", d / (1024 * 1024));
  return absl::StrFormat("%.2fG", d / (1024.0 * 1024 * 1024));
}

// A latency percentile's name as Redis prints it: "p50", "p99.9".
std::string percentile_name(double p) { return absl::StrCat("p", p); }

const char* yes_no(bool b) { return b ? "yes" : "no"; }

// The sections, in Redis's order (encodings, hashstore's own, last), and
// whether INFO with no argument (or "default") shows them.
struct Section {
  const char* name;
  bool in_default;
};
constexpr Section kSections[] = {
    {"server", true},       {"memory", true},        {"persistence", true},
    {"stats", true},        {"commandstats", false}, {"errorstats", true},
    {"latencystats", false}, {"keyspace", true},     {"encodings", true},
};

std::string section_body(std::string_view name, const Stats& s) {
  std::string b;
  auto line = [&](std::string_view field, const auto& value) {
    absl::StrAppend(&b, to_absl(field), ":", value, "\r\n");
  };
  if (name == "server") {
    line("redis_version", "7.0.0");
    line("hashstore_version", s.version);
#ifdef NDEBUG
    line("hashstore_build", "release");
#else
    line("hashstore_build", "debug");
#endif
    line("redis_mode", "embedded");
    line("arch_bits", sizeof(void*) * 8);
    line("process_id", s.process_id);
    line("uptime_in_seconds", s.uptime_seconds);
    line("uptime_in_days", s.uptime_seconds / 86400);
    line("shards", s.shards);
    line("thread_safe", yes_no(s.thread_safe));
  } else if (name == "memory") {
    line("used_memory", s.used_memory);
    line("used_memory_human", human_bytes(s.used_memory));
    line("used_memory_rss", s.used_memory_rss);
    line("used_memory_rss_human", human_bytes(s.used_memory_rss));
    line("used_memory_peak", s.used_memory_peak);
    line("used_memory_peak_human", human_bytes(s.used_memory_peak));
    line("used_memory_peak_perc",
         absl::StrFormat("%.2f%%", s.used_memory_peak ? 100.0 * static_cast<double>(s.used_memory) /
                                                            static_cast<double>(s.used_memory_peak)
                                                      : 0.0));
    line("used_memory_overhead", s.used_memory_overhead);
    line("used_memory_dataset", s.used_memory_dataset);
    line("used_memory_dataset_perc",
         absl::StrFormat("%.2f%%", s.used_memory ? 100.0 * static_cast<double>(s.used_memory_dataset) /
                                                       static_cast<double>(s.used_memory)
                                                 : 0.0));
    line("allocator_allocated", s.allocator_allocated);
    line("allocator_mapped", s.allocator_mapped);
    line("maxmemory", s.maxmemory);
    line("maxmemory_human", human_bytes(s.maxmemory));
    line("maxmemory_policy", policy_name(s.maxmemory_policy));
    line("allocator_frag_ratio",
         absl::StrFormat("%.2f", s.allocator_allocated
                                     ? static_cast<double>(s.allocator_mapped) /
                                           static_cast<double>(s.allocator_allocated)
                                     : 0.0));
    line("mem_fragmentation_ratio",
         absl::StrFormat("%.2f", s.used_memory ? static_cast<double>(s.used_memory_rss) /
                                                     static_cast<double>(s.used_memory)
                                               : 0.0));
    line("mem_allocator", "libc");
    line("slab_bytes", s.slab_bytes);
    line("slab_live_bytes", s.slab_live_bytes);
    line("slab_frag_ratio",
         absl::StrFormat("%.2f", s.slab_live_bytes ? static_cast<double>(s.slab_bytes) /
                                                         static_cast<double>(s.slab_live_bytes)
                                                   : 0.0));
  } else if (name == "persistence") {
    line("loading", 0);
    line("rdb_bgsave_in_progress", s.bgsave_in_progress ? 1 : 0);
    line("rdb_last_save_time", s.last_save_time);
  } else if (name == "stats") {
    line("total_commands_processed", s.total_commands_processed);
    line("keyspace_hits", s.keyspace_hits);
    line("keyspace_misses", s.keyspace_misses);
    line("expired_keys", s.expired_keys);
    line("expired_subkeys", s.expired_fields);
    line("evicted_keys", s.evicted_keys);
    line("total_error_replies", s.total_error_replies);
  } else if (name == "commandstats") {
    for (const CommandStat& c : s.commands) {
      absl::StrAppend(&b, "cmdstat_", c.name, ":calls=", c.calls, ",usec=", c.usec,
                      absl::StrFormat(",usec_per_call=%.2f",
                                      c.calls ? static_cast<double>(c.usec) /
                                                    static_cast<double>(c.calls)
                                              : 0.0),
                      ",rejected_calls=", c.rejected_calls, ",failed_calls=", c.failed_calls,
                      "\r\n");
    }
  } else if (name == "errorstats") {
    for (const auto& [code, n] : s.errors) absl::StrAppend(&b, "errorstat_", code, ":count=", n, "\r\n");
  } else if (name == "latencystats") {
    for (const CommandStat& c : s.commands) {
      if (!c.has_latency) continue;
      absl::StrAppend(&b, "latency_percentiles_usec_", c.name, ":", percentile_name(50),
                      absl::StrFormat("=%.3f", c.p50_usec), ",", percentile_name(99),
                      absl::StrFormat("=%.3f", c.p99_usec), ",", percentile_name(99.9),
                      absl::StrFormat("=%.3f", c.p999_usec), "\r\n");
    }
  } else if (name == "keyspace") {
    if (s.keys != 0) {
      absl::StrAppend(&b, "db0:keys=", s.keys, ",expires=", s.keys_with_ttl,
                      ",avg_ttl=0,subexpiry=", s.hashes_with_field_ttls, "\r\n");
    }
  } else if (name == "encodings") {
    line("hashes_listpack", s.listpack_hashes);
    line("hashes_listpackex", s.listpackex_hashes);
    line("hashes_hashtable", s.hashtable_hashes);
  }
  return b;
}

// INFO [section ...]: no argument or "default" gives the default sections,
// "all" every section, "everything" the same (hashstore has no modules);
// several names at once give each once, in Redis's order; unknown names
// are ignored (an empty reply when nothing matched).
Reply cmd_info(Store& s, Args a) {
  bool want[std::size(kSections)] = {};
  for (size_t i = 0; i < std::size(kSections); ++i) want[i] = a.size() == 1 && kSections[i].in_default;
  for (size_t j = 1; j < a.size(); ++j) {
    for (size_t i = 0; i < std::size(kSections); ++i) {
      if (iequals(a[j], "all") || iequals(a[j], "everything") || iequals(a[j], kSections[i].name) ||
          (iequals(a[j], "default") && kSections[i].in_default)) {
        want[i] = true;
      }
    }
  }
  const Stats stats = s.stats();
  std::string out;
  for (size_t i = 0; i < std::size(kSections); ++i) {
    if (!want[i]) continue;
    if (!out.empty()) out += "\r\n";
    std::string title(kSections[i].name);
    title[0] = absl::ascii_toupper(title[0]);
    absl::StrAppend(&out, "# ", title, "\r\n", section_body(kSections[i].name, stats));
    // The append-only log's aof_* lines (lib/persist/aof_state.cc).
    if (std::string_view(kSections[i].name) == "persistence") {
      out += StoreInternal::impl(s).extension<PersistState>().aof().info();
    }
  }
  return Reply::bulk(out);
}

// ---- OBJECT and DEBUG OBJECT --------------------------------------------------

// What OBJECT FREQ / IDLETIME and DEBUG OBJECT read of a live key.
struct KeyFacts {
  uint32_t access = 0;  // the LRU / LFU word (key_entry.h)
  size_t serialized = 0;  // DEBUG OBJECT's serializedlength
  std::string encoding;
};

// Bytes of RDB's length prefix for n (rdbSaveLen).
size_t rdb_len_bytes(size_t n) { return n < (1 << 6) ? 1 : n < (1 << 14) ? 2 : n <= UINT32_MAX ? 5 : 9; }

std::optional<KeyFacts> key_facts(Store& s, std::string_view key) {
  StoreImpl& impl = StoreInternal::impl(s);
  return impl.with_key(key, LockMode::kShared, [&](Keyspace& ks, uint64_t h) -> std::optional<KeyFacts> {
    Now now(impl.clock());
    void* e = ks.find_live(key, h, now);
    if (e == nullptr) return std::nullopt;
    KeyFacts f;
    f.access = key_entry::access(e);
    const HashView view = key_entry::view(e, key.size());
    if (!view.is_table()) {
      // A listpack hash is saved as its listpack's bytes, one string.
      const uint32_t n = lp::bytes(key_entry::listpack(e));
      f.serialized = rdb_len_bytes(n) + n;
    } else {
      f.serialized = rdb_len_bytes(view.length());
      view.for_each([&](std::string_view field, std::string_view value) {
        f.serialized += rdb_len_bytes(field.size()) + field.size() + rdb_len_bytes(value.size()) +
                        value.size();
      });
    }
    return f;
  });
}

Reply cmd_object_encoding(Store& s, Args a) { return optional_bulk(s.object_encoding(a[2])); }

Reply cmd_object_refcount(Store& s, Args a) {
  // A hash is never shared: its count is always 1.
  return key_facts(s, a[2]) ? Reply::integer(1) : Reply::nil();
}

// Seconds since the key's last access under an LRU policy: the access word
// holds the low 32 bits of the access time in ms.
int64_t idle_seconds(StoreImpl& impl, uint32_t access) {
  const uint32_t now = static_cast<uint32_t>(impl.clock().now_ms());
  return static_cast<int64_t>(static_cast<uint32_t>(now - access) / 1000);
}

Reply cmd_object_idletime(Store& s, Args a) {
  const std::optional<KeyFacts> f = key_facts(s, a[2]);
  if (!f) return Reply::nil();
  StoreImpl& impl = StoreInternal::impl(s);
  if (is_lfu(impl.policy())) {
    return Reply::error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
  }
  // Without an LRU policy hashstore records no access time (it would cost
  // every read a store): the idle time is then 0.
  return Reply::integer(is_lru(impl.policy()) ? idle_seconds(impl, f->access) : 0);
}

Reply cmd_object_freq(Store& s, Args a) {
  const std::optional<KeyFacts> f = key_facts(s, a[2]);
  if (!f) return Reply::nil();
  StoreImpl& impl = StoreInternal::impl(s);
  if (!is_lfu(impl.policy())) {
    return Reply::error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
  return Reply::integer(lfu_frequency(f->access, impl.clock().now_ms()));
}

Reply cmd_object_help(Store&, Args) {
  return help_reply("OBJECT",
              {"ENCODING <key>",
               "    Return the kind of internal representation used in order to store the value",
               "    associated with a <key>.",
               "FREQ <key>",
               "    Return the access frequency index of the <key>. The returned integer is",
               "    proportional to the logarithm of the recent access frequency of the key.",
               "IDLETIME <key>",
               "    Return the idle time of the <key>, that is the approximated number of",
               "    seconds elapsed since the last access to the key.",
               "REFCOUNT <key>",
               "    Return the number of references of the value associated with the specified",
               "    <key>."});
}

// DEBUG OBJECT <key>: Redis's line, with the fields that apply to a hash.
// "Value at" is the key's entry; lru is Redis's 24-bit LRU clock (seconds)
// of the last access under an LRU policy (else the current clock).
Reply cmd_debug(Store& s, Args a) {
  if (iequals(a[1], "help") && a.size() == 2) {
    return help_reply("DEBUG", {"OBJECT <key>",
                          "    Show low level info about `key` and associated value."});
  }
  if (!iequals(a[1], "object") || a.size() != 3) {
    return Reply::error(absl::StrCat("ERR unknown subcommand or wrong number of arguments for '",
                                     to_absl(a[1]), "'. Try DEBUG HELP."));
  }
  const std::optional<KeyFacts> f = key_facts(s, a[2]);
  if (!f) return Reply::error("ERR no such key");
  StoreImpl& impl = StoreInternal::impl(s);
  const std::optional<std::string> encoding = s.object_encoding(a[2]);
  const int64_t now_s = impl.clock().now_ms() / 1000;
  const int64_t idle = is_lru(impl.policy()) ? idle_seconds(impl, f->access) : 0;
  return Reply::status(absl::StrFormat(
      "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%d lru_seconds_idle:%d",
      static_cast<const void*>(&f->access), encoding.value_or(""), f->serialized,
      (now_s - idle) & ((1 << 24) - 1), idle));
}

// ---- MEMORY -------------------------------------------------------------------

Reply cmd_memory_usage(Store& s, Args a) {
  if (a.size() == 5 && iequals(a[3], "samples")) {
    int64_t samples;
    Reply err;
    if (!int_arg(a[4], &samples, &err)) return err;
  } else if (a.size() != 3) {
    return syntax_error();
  }
  auto bytes = s.memory_usage(a[2]);
  return bytes ? Reply::integer(*bytes) : Reply::nil();
}

std::string ratio(double r) { return absl::StrFormat("%.17g", r); }

Reply cmd_memory_stats(Store& s, Args) {
  const Stats st = s.stats();
  std::vector<Reply> out;
  auto add = [&](const char* name, Reply v) {
    out.push_back(Reply::bulk(name));
    out.push_back(std::move(v));
  };
  auto num = [](size_t v) { return Reply::integer(static_cast<int64_t>(v)); };
  add("peak.allocated", num(st.used_memory_peak));
  add("total.allocated", num(st.used_memory));
  add("overhead.total", num(st.used_memory_overhead));
  add("keys.count", num(st.keys));
  add("keys.bytes-per-key", num(st.keys ? st.used_memory / st.keys : 0));
  add("dataset.bytes", num(st.used_memory_dataset));
  add("dataset.percentage",
      Reply::bulk(ratio(st.used_memory ? 100.0 * static_cast<double>(st.used_memory_dataset) /
                                             static_cast<double>(st.used_memory)
                                       : 0.0)));
  add("peak.percentage",
      Reply::bulk(ratio(st.used_memory_peak ? 100.0 * static_cast<double>(st.used_memory) /
                                                  static_cast<double>(st.used_memory_peak)
                                            : 0.0)));
  add("allocator.allocated", num(st.allocator_allocated));
  add("allocator.mapped", num(st.allocator_mapped));
  add("allocator.resident", num(st.used_memory_rss));
  add("fragmentation",
      Reply::bulk(ratio(st.used_memory ? static_cast<double>(st.used_memory_rss) /
                                             static_cast<double>(st.used_memory)
                                       : 0.0)));
  return Reply::array(std::move(out));
}

// MEMORY DOCTOR: Redis's report for an instance under 5 MB, else a short
// report of what hashstore can judge (fragmentation of the process heap).
Reply cmd_memory_doctor(Store& s, Args) {
  const Stats st = s.stats();
  if (st.used_memory < 5 * 1024 * 1024) {
    return Reply::bulk(
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't "
        "be used in these conditions. Please, leave for your mission on Earth and fill it with "
        "some data. The new Sam and I will be back to our programming as soon as I finished "
        "rebooting.");
  }
  const double frag = static_cast<double>(st.used_memory_rss) / static_cast<double>(st.used_memory);
  if (frag > 1.4) {
    return Reply::bulk(absl::StrFormat(
        "Sam, I detected a few issues in this Redis instance memory implants:\n\n * High total "
        "RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this "
        "means that the Resident Set Size of the Redis process is much larger than the sum of "
        "the logical allocations Redis performed). This problem is usually due either to a large "
        "peak memory (check if there is a peak memory entry above in the report) or may result "
        "from a workload that causes the allocator to fragment memory a lot. If the problem is a "
        "large peak memory, then there is no issue. Otherwise, make sure you are using the "
        "Jemalloc allocator and not the default libc malloc. Note: The currently used allocator "
        "is \"libc\".\n\nI'm here to keep you safe, Sam. I want to help you.\n"));
  }
  return Reply::bulk("Hi Sam, I can't find any memory issue in your instance. I can only account "
                     "for what occurs on this base.");
}

Reply cmd_memory_malloc_stats(Store&, Args) {
  return Reply::bulk("Stats not supported for the current allocator");
}

Reply cmd_memory_purge(Store&, Args) {
  malloc_trim(0);
  return Reply::ok();
}

Reply cmd_memory_help(Store&, Args) {
  return help_reply("MEMORY",
              {"DOCTOR", "    Return memory problems reports.", "MALLOC-STATS",
               "    Return internal statistics report from the memory allocator.", "PURGE",
               "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
               "    Return information about the memory usage of the server.",
               "USAGE <key> [SAMPLES <count>]",
               "    Return memory in bytes used by <key> and its value. Nested values are",
               "    sampled up to <count> times (default: 5, 0 means sample all)."});
}

// ---- COMMAND ------------------------------------------------------------------

std::vector<Reply> words(const char* spaced, const char* prefix = "") {
  std::vector<Reply> out;
  for (absl::string_view w : absl::StrSplit(spaced, ' ', absl::SkipEmpty())) {
    out.push_back(Reply::status(absl::StrCat(prefix, w)));
  }
  return out;
}

std::vector<Reply> bulk_words(const char* spaced) {
  std::vector<Reply> out;
  for (absl::string_view w : absl::StrSplit(spaced, ' ', absl::SkipEmpty())) {
    out.push_back(Reply::bulk(std::string_view(w.data(), w.size())));
  }
  return out;
}

Reply pairs(std::vector<std::pair<const char*, Reply>> kv) {
  std::vector<Reply> out;
  for (auto& [k, v] : kv) {
    out.push_back(Reply::bulk(k));
    out.push_back(std::move(v));
  }
  return Reply::array(std::move(out));
}

// One command's COMMAND INFO entry: name, arity, flags, first key, last
// key, step, ACL categories, tips, key specifications, subcommands.
Reply command_info(const Command& c) {
  const CommandMeta* m = find_command_meta(c.name);
  std::vector<Reply> specs;
  if (m != nullptr) {
    for (const KeySpecMeta& k : m->key_specs) {
      specs.push_back(pairs({
          {"flags", Reply::array(words(k.flags))},
          {"begin_search", pairs({{"type", Reply::bulk("index")},
                                  {"spec", pairs({{"index", Reply::integer(k.begin_index)}})}})},
          {"find_keys",
           pairs({{"type", Reply::bulk("range")},
                  {"spec", pairs({{"lastkey", Reply::integer(k.lastkey)},
                                  {"keystep", Reply::integer(k.keystep)},
                                  {"limit", Reply::integer(k.limit)}})}})},
      }));
    }
  }
  std::vector<Reply> subs;
  if (c.subcommands != nullptr) {
    for (const Command& sub : *c.subcommands) subs.push_back(command_info(sub));
  }
  return Reply::array({Reply::bulk(c.name), Reply::integer(c.arity),
                       Reply::array(m ? words(m->flags) : std::vector<Reply>()),
                       Reply::integer(c.keys.first), Reply::integer(c.keys.last),
                       Reply::integer(c.keys.step),
                       Reply::array(m ? words(m->acl) : std::vector<Reply>()),
                       Reply::array(m ? bulk_words(m->tips) : std::vector<Reply>()),
                       Reply::array(std::move(specs)),
                       Reply::array(std::move(subs))});
}

// One command's COMMAND DOCS entry (without Redis's "arguments").
Reply command_docs(const Command& c) {
  const CommandMeta* m = find_command_meta(c.name);
  std::vector<std::pair<const char*, Reply>> kv;
  if (m != nullptr) {
    kv.emplace_back("summary", Reply::bulk(m->summary));
    kv.emplace_back("since", Reply::bulk(m->since));
    kv.emplace_back("group", Reply::bulk(m->group));
    kv.emplace_back("complexity", Reply::bulk(m->complexity));
  }
  if (c.subcommands != nullptr) {
    std::vector<Reply> subs;
    for (const Command& sub : *c.subcommands) {
      subs.push_back(Reply::bulk(sub.name));
      subs.push_back(command_docs(sub));
    }
    kv.emplace_back("subcommands", Reply::array(std::move(subs)));
  }
  return pairs(std::move(kv));
}

// The table's top-level commands, by name.
std::vector<const Command*> all_commands() {
  std::vector<const Command*> out;
  for (const auto& [name, c] : command_table()) out.push_back(&c);
  std::sort(out.begin(), out.end(),
            [](const Command* a, const Command* b) { return std::string_view(a->name) < b->name; });
  return out;
}

Reply cmd_command(Store&, Args) {
  std::vector<Reply> out;
  for (const Command* c : all_commands()) out.push_back(command_info(*c));
  return Reply::array(std::move(out));
}

Reply cmd_command_count(Store&, Args) {
  return Reply::integer(static_cast<int64_t>(command_table().size()));
}

Reply cmd_command_list(Store&, Args a) {
  // FILTERBY (MODULE | ACLCAT | PATTERN) is not supported.
  if (a.size() > 2) return syntax_error();
  std::vector<Reply> out;
  for (const Command* c : all_commands()) {
    out.push_back(Reply::bulk(c->name));
    if (c->subcommands == nullptr) continue;
    for (const Command& sub : *c->subcommands) out.push_back(Reply::bulk(sub.name));
  }
  return Reply::array(std::move(out));
}

Reply cmd_command_info(Store& s, Args a) {
  if (a.size() == 2) return cmd_command(s, a);
  std::vector<Reply> out;
  for (size_t i = 2; i < a.size(); ++i) {
    const Command* c = find_command(lower(a[i]));
    out.push_back(c ? command_info(*c) : Reply::nil());
  }
  return Reply::array(std::move(out));
}

Reply cmd_command_docs(Store&, Args a) {
  std::vector<Reply> out;
  auto add = [&](const Command& c) {
    out.push_back(Reply::bulk(c.name));
    out.push_back(command_docs(c));
  };
  if (a.size() == 2) {
    for (const Command* c : all_commands()) add(*c);
  }
  for (size_t i = 2; i < a.size(); ++i) {
    if (const Command* c = find_command(lower(a[i]))) add(*c);
  }
  return Reply::array(std::move(out));
}

// COMMAND GETKEYS <command> [arg ...]: the keys the command table names.
Reply cmd_command_getkeys(Store&, Args a) {
  const Args call = a.subspan(2);
  const Command* c = find_command(lower(call[0]));
  if (c != nullptr && c->subcommands != nullptr && call.size() >= 2) {
    c = find_command(absl::StrCat(c->name, "|", lower(call[1])));
  }
  if (c == nullptr) return Reply::error("ERR Invalid command specified");
  const int argc = static_cast<int>(call.size());
  if (c->arity > 0 ? argc != c->arity : argc < -c->arity) {
    return Reply::error("ERR Invalid number of arguments specified for command");
  }
  if (c->keys.step == 0) return Reply::error("ERR The command has no key arguments");
  std::vector<Reply> out;
  const int last = c->keys.last < 0 ? argc + c->keys.last : std::min(c->keys.last, argc - 1);
  for (int j = c->keys.first; j <= last; j += c->keys.step) out.push_back(Reply::bulk(call[j]));
  return Reply::array(std::move(out));
}

Reply cmd_command_help(Store&, Args) {
  return help_reply("COMMAND",
              {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
               "    Return the total number of commands in this Redis server.", "LIST",
               "    Return a list of all commands in this Redis server.",
               "INFO [<command-name> ...]",
               "    Return details about multiple Redis commands.",
               "    If no command names are given, documentation details for all",
               "    commands are returned.",
               "DOCS [<command-name> ...]",
               "    Return documentation details about multiple Redis commands.",
               "    If no command names are given, documentation details for all",
               "    commands are returned.",
               "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
               "GETKEYSANDFLAGS <full-command>",
               "    Return the keys and the access flags from a full Redis command."});
}

// ---- SLOWLOG ------------------------------------------------------------------

Reply cmd_slowlog_get(Store& s, Args a) {
  int64_t count = 10;
  if (a.size() > 3) {
    return Reply::error(absl::StrCat("ERR unknown subcommand or wrong number of arguments for '",
                                     to_absl(a[1]), "'. Try SLOWLOG HELP."));
  }
  if (a.size() == 3 && (!parse_int64(a[2], &count) || count < -1)) {
    return Reply::error("ERR count should be greater than or equal to -1");
  }
  std::vector<Reply> out;
  for (SlowlogEntry& e : stats_of(s).slowlog(count)) {
    // No client: its address and name are empty.
    out.push_back(Reply::array({Reply::integer(static_cast<int64_t>(e.id)),
                                Reply::integer(e.unix_seconds),
                                Reply::integer(static_cast<int64_t>(e.usec)),
                                Reply::bulk_array(e.args), Reply::bulk(""), Reply::bulk("")}));
  }
  return Reply::array(std::move(out));
}

Reply cmd_slowlog_len(Store& s, Args) {
  return Reply::integer(static_cast<int64_t>(stats_of(s).slowlog_len()));
}

Reply cmd_slowlog_reset(Store& s, Args) {
  stats_of(s).slowlog_reset();
  return Reply::ok();
}

Reply cmd_slowlog_help(Store&, Args) {
  return help_reply("SLOWLOG",
              {"GET [<count>]",
               "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
               "    Entries are made of:",
               "    id, timestamp, time in microseconds, arguments array, client IP and port,",
               "    client name",
               "LEN", "    Return the length of the slowlog.", "RESET", "    Reset the slowlog."});
}

// ---- LATENCY ------------------------------------------------------------------

Reply cmd_latency_latest(Store& s, Args) {
  std::vector<Reply> out;
  for (const auto& [name, e] : stats_of(s).latency_events()) {
    if (e.samples.empty()) continue;
    out.push_back(Reply::array({Reply::bulk(name), Reply::integer(e.samples.back().first),
                                Reply::integer(static_cast<int64_t>(e.samples.back().second)),
                                Reply::integer(static_cast<int64_t>(e.max_ms))}));
  }
  return Reply::array(std::move(out));
}

Reply cmd_latency_history(Store& s, Args a) {
  std::vector<Reply> out;
  const auto events = stats_of(s).latency_events();
  if (auto it = events.find(std::string(a[2])); it != events.end()) {
    for (const auto& [when, ms] : it->second.samples) {
      out.push_back(Reply::array({Reply::integer(when), Reply::integer(static_cast<int64_t>(ms))}));
    }
  }
  return Reply::array(std::move(out));
}

Reply cmd_latency_reset(Store& s, Args a) {
  std::vector<std::string> events(a.begin() + 2, a.end());
  return Reply::integer(static_cast<int64_t>(stats_of(s).latency_reset(events)));
}

Reply cmd_latency_help(Store&, Args) {
  return help_reply("LATENCY",
              {"DOCTOR", "    Return a human readable latency analysis report.", "GRAPH <event>",
               "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>",
               "    Return time-latency samples for the <event> class.", "LATEST",
               "    Return the latest latency samples for all events.", "RESET [<event> ...]",
               "    Reset latency data of one or more <event> classes.",
               "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]",
               "    Return a cumulative distribution of latencies in the format of a histogram "
               "for the specified command names.",
               "    If no commands are specified then all histograms are replied."});
}

const std::vector<Command> kObjectSubcommands = {
    {"object|encoding", 3, cmd_object_encoding, kKey2},
    {"object|freq", 3, cmd_object_freq, kKey2},
    {"object|idletime", 3, cmd_object_idletime, kKey2},
    {"object|refcount", 3, cmd_object_refcount, kKey2},
    {"object|help", 2, cmd_object_help, kNoKeys},
};
const std::vector<Command> kMemorySubcommands = {
    {"memory|usage", -3, cmd_memory_usage, kKey2},
    {"memory|stats", 2, cmd_memory_stats, kEveryShard},
    {"memory|doctor", 2, cmd_memory_doctor, kEveryShard},
    {"memory|malloc-stats", 2, cmd_memory_malloc_stats, kNoKeys},
    {"memory|purge", 2, cmd_memory_purge, kNoKeys},
    {"memory|help", 2, cmd_memory_help, kNoKeys},
};
const std::vector<Command> kCommandSubcommands = {
    {"command|count", 2, cmd_command_count, kNoKeys},
    {"command|info", -2, cmd_command_info, kNoKeys},
    {"command|docs", -2, cmd_command_docs, kNoKeys},
    {"command|list", -2, cmd_command_list, kNoKeys},
    {"command|getkeys", -4, cmd_command_getkeys, kNoKeys},
    {"command|help", 2, cmd_command_help, kNoKeys},
};
const std::vector<Command> kSlowlogSubcommands = {
    {"slowlog|get", -2, cmd_slowlog_get, kNoKeys},
    {"slowlog|len", 2, cmd_slowlog_len, kNoKeys},
    {"slowlog|reset", 2, cmd_slowlog_reset, kNoKeys},
    {"slowlog|help", 2, cmd_slowlog_help, kNoKeys},
};
const std::vector<Command> kLatencySubcommands = {
    {"latency|latest", 2, cmd_latency_latest, kNoKeys},
    {"latency|history", 3, cmd_latency_history, kNoKeys},
    {"latency|reset", -2, cmd_latency_reset, kNoKeys},
    {"latency|help", 2, cmd_latency_help, kNoKeys},
};

}  // namespace

std::vector<Command> introspect_commands() {
  return {
      {"info", -1, cmd_info, kEveryShard},
      {"object", -2, nullptr, kNoKeys, 0, &kObjectSubcommands},
      {"memory", -2, nullptr, kNoKeys, 0, &kMemorySubcommands},
      {"debug", -2, cmd_debug, kEveryShard},
      {"command", -1, cmd_command, kNoKeys, 0, &kCommandSubcommands},
      {"slowlog", -2, nullptr, kNoKeys, 0, &kSlowlogSubcommands},
      {"latency", -2, nullptr, kNoKeys, 0, &kLatencySubcommands},
  };
}

}  // namespace hashstore::internal
