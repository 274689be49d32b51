// CommandStats: the per-command figures behind INFO commandstats,
// errorstats and latencystats, SLOWLOG and LATENCY, kept by one Store.
//
// Design. Every command has an id known at compile time (CommandId, one
// per name of HS_COMMAND_NAMES, subcommands included). Counting a call is
// always on and costs a relaxed increment of the stripe's counter of id,
// where the stripe is assigned to the calling thread as its lock stripe is
// (util/rw_lock.h): threads on different cores write different cache lines, and a stripe shared by two
// threads still counts exactly (fetch_add). Everything else — time spent,
// failed and rejected calls, error counts, latency histograms, the slowlog
// and the latency monitor — is written only by calls that fail or that are
// timed, under its own small mutex or as plain relaxed atomics.
//
// Timing is on for Store::execute() when any of latency-tracking,
// slowlog-log-slower-than >= 0 or latency-monitor-threshold > 0 asks for
// it (Redis's defaults turn the slowlog on), and for the typed calls
// (store.hget(), ...) only when latency-tracking is yes: the typed calls
// are the hot path and stay untimed unless asked for.
//
// One call is counted once: the command layer marks the thread busy while
// it runs a command it counts (CallThread::enter), so a typed method that
// the handler calls (execute("HGET") runs store.hget()) is not counted
// again; typed methods never call one another (UNLINK and DEL share a body).
//
// Thread safety: every member may be used from any thread at once.
#ifndef HASHSTORE_STORE_COMMAND_STATS_H_
#define HASHSTORE_STORE_COMMAND_STATS_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/rw_lock.h"

namespace hashstore::internal {

// Every command name hashstore counts, as Redis names it (lower case,
// "container|sub" for subcommands). X(id, name).
#define HS_COMMAND_NAMES(X)                                                                     \
  X(kHset, "hset") X(kHmset, "hmset") X(kHsetnx, "hsetnx") X(kHget, "hget") X(kHmget, "hmget")  \
  X(kHgetall, "hgetall") X(kHkeys, "hkeys") X(kHvals, "hvals") X(kHdel, "hdel")               \
  X(kHlen, "hlen") X(kHexists, "hexists") X(kHstrlen, "hstrlen") X(kHincrby, "hincrby")       \
  X(kHincrbyfloat, "hincrbyfloat") X(kHscan, "hscan") X(kHrandfield, "hrandfield")            \
  X(kHreserve, "hreserve") X(kHreserveall, "hreserveall") X(kHincrex, "hincrex")              \
  X(kHexpire, "hexpire") X(kHpexpire, "hpexpire") X(kHexpireat, "hexpireat")                  \
  X(kHpexpireat, "hpexpireat") X(kHttl, "httl") X(kHpttl, "hpttl")                            \
  X(kHexpiretime, "hexpiretime") X(kHpexpiretime, "hpexpiretime") X(kHpersist, "hpersist")    \
  X(kHgetdel, "hgetdel") X(kHgetex, "hgetex") X(kHsetex, "hsetex")                            \
  X(kDel, "del") X(kUnlink, "unlink") X(kExists, "exists") X(kType, "type") X(kScan, "scan")  \
  X(kKeys, "keys") X(kRename, "rename") X(kRenamenx, "renamenx") X(kCopy, "copy")             \
  X(kDbsize, "dbsize") X(kFlushall, "flushall") X(kFlushdb, "flushdb")                        \
  X(kRandomkey, "randomkey") X(kExpire, "expire") X(kPexpire, "pexpire")                      \
  X(kExpireat, "expireat") X(kPexpireat, "pexpireat") X(kTtl, "ttl") X(kPttl, "pttl")         \
  X(kExpiretime, "expiretime") X(kPexpiretime, "pexpiretime") X(kPersist, "persist")          \
  X(kSave, "save") X(kBgsave, "bgsave") X(kLastsave, "lastsave") X(kPing, "ping")             \
  X(kEcho, "echo") X(kInfo, "info") X(kDebug, "debug")                                        \
  X(kObject, "object") X(kObjectEncoding, "object|encoding") X(kObjectFreq, "object|freq")    \
  X(kObjectIdletime, "object|idletime") X(kObjectRefcount, "object|refcount")                 \
  X(kObjectHelp, "object|help")                                                               \
  X(kMemory, "memory") X(kMemoryUsage, "memory|usage") X(kMemoryStats, "memory|stats")        \
  X(kMemoryDoctor, "memory|doctor") X(kMemoryMallocStats, "memory|malloc-stats")              \
  X(kMemoryPurge, "memory|purge") X(kMemoryHelp, "memory|help")                               \
  X(kConfig, "config") X(kConfigGet, "config|get") X(kConfigSet, "config|set")                \
  X(kConfigResetstat, "config|resetstat") X(kConfigHelp, "config|help")                       \
  X(kCommand, "command") X(kCommandCount, "command|count") X(kCommandInfo, "command|info")     \
  X(kCommandDocs, "command|docs") X(kCommandList, "command|list")                             \
  X(kCommandGetkeys, "command|getkeys") X(kCommandHelp, "command|help")                       \
  X(kSlowlog, "slowlog") X(kSlowlogGet, "slowlog|get") X(kSlowlogLen, "slowlog|len")          \
  X(kSlowlogReset, "slowlog|reset") X(kSlowlogHelp, "slowlog|help")                           \
  X(kLatency, "latency") X(kLatencyLatest, "latency|latest")                                  \
  X(kLatencyHistory, "latency|history") X(kLatencyReset, "latency|reset")                     \
  X(kLatencyHelp, "latency|help")

enum CommandId : uint16_t {
#define HS_COMMAND_ID(id, name) id,
  HS_COMMAND_NAMES(HS_COMMAND_ID)
#undef HS_COMMAND_ID
  kCommandIdCount
};

// The name of each CommandId, indexed by it.
inline constexpr std::string_view kCommandNames[] = {
#define HS_COMMAND_NAME(id, name) name,
    HS_COMMAND_NAMES(HS_COMMAND_NAME)
#undef HS_COMMAND_NAME
};
static_assert(std::size(kCommandNames) == kCommandIdCount);

// The id of a command name (lower case, "container|sub"); kCommandIdCount
// for a name not in HS_COMMAND_NAMES.
CommandId command_id(std::string_view name);


// A latency histogram of one command: buckets of nanoseconds, 16 per power
// of two (about 4% apart), so a percentile is read to within 4%.
class LatencyHistogram {
 public:
  static constexpr int kSubBits = 4;
  static constexpr int kBuckets = 64 << kSubBits;
  void record(uint64_t ns);
  // The value (ns) under which `percentile` % of the samples fall (the
  // upper bound of its bucket); 0 when empty.
  uint64_t percentile(double percentile) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  static int bucket(uint64_t ns);
  static uint64_t bucket_top(int b);
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> buckets_[kBuckets] = {};
};

struct SlowlogEntry {
  uint64_t id;
  int64_t unix_seconds;
  uint64_t usec;
  std::vector<std::string> args;  // Redis's trimming already applied
};

// One latency monitor event class ("command", "fast-command"): up to
// kLatencyHistory samples of (unix seconds, ms), one per second, and its max.
struct LatencyEvent {
  static constexpr size_t kLatencyHistory = 160;
  std::deque<std::pair<int64_t, uint64_t>> samples;
  uint64_t max_ms = 0;
};

class CommandStats {
 public:
  CommandStats();
  ~CommandStats();
  CommandStats(const CommandStats&) = delete;
  CommandStats& operator=(const CommandStats&) = delete;

  // Counts one call of `id` on the stripe whose first counter is `base`
  // (CallThread::state - 1). Lock free: a relaxed increment on a line that
  // threads on other stripes do not write.
  [[gnu::always_inline]] void count(CommandId id, int32_t base) {
    counters()[static_cast<size_t>(base) + id].fetch_add(1, std::memory_order_relaxed);
  }
  // Counters per stripe: one per command, rounded up to whole cache lines.
  static constexpr size_t kStripeCounters =
      (kCommandIdCount + kCacheLine / 8 - 1) / (kCacheLine / 8) * (kCacheLine / 8);

  // Whether typed calls (and execute()) are timed.
  bool time_typed() const { return time_typed_.load(std::memory_order_relaxed); }
  bool time_commands() const { return time_commands_.load(std::memory_order_relaxed); }

  // A timed call's end: usec, the latency histogram (latency-tracking),
  // the latency monitor (latency-monitor-threshold). Slowlog entries are
  // added by the command layer (it has the arguments): slow() says whether
  // a duration goes there.
  void record_time(CommandId id, uint64_t ns);
  bool slow(uint64_t ns) const;
  void add_slowlog(std::vector<std::string> args, uint64_t ns);
  // A call that ran and replied with an error (failed_calls), one refused
  // before it ran (rejected_calls; id kCommandIdCount for an unknown
  // command), and the error's code (its first word: errorstat_<code>).
  void failed(CommandId id, std::string_view error);
  void rejected(CommandId id, std::string_view error);

  // ---- Reading (each figure may be a moment old) ----
  struct PerCommand {
    uint64_t calls = 0, usec = 0, failed = 0, rejected = 0;
  };
  PerCommand figures(CommandId id) const;
  uint64_t total_calls() const;
  uint64_t total_errors() const { return total_errors_.load(std::memory_order_relaxed); }
  std::map<std::string, uint64_t> error_counts() const;
  // The latency histogram of id, or nullptr when it has no sample.
  const LatencyHistogram* histogram(CommandId id) const {
    return histograms_[id].load(std::memory_order_acquire);
  }
  // The slowlog, newest first, at most `count` entries (count < 0: all).
  std::vector<SlowlogEntry> slowlog(int64_t count) const;
  size_t slowlog_len() const;
  void slowlog_reset();
  std::map<std::string, LatencyEvent> latency_events() const;
  // Resets the named events (all when empty); returns how many existed.
  size_t latency_reset(const std::vector<std::string>& events);
  // CONFIG RESETSTAT: every counter, histogram and error count to zero
  // (the slowlog and latency monitor stay, as in Redis).
  void reset();

  // ---- Configuration (CONFIG GET / SET) ----
  int64_t slowlog_log_slower_than() const { return slower_than_.load(std::memory_order_relaxed); }
  void set_slowlog_log_slower_than(int64_t usec);
  uint64_t slowlog_max_len() const { return slowlog_max_len_.load(std::memory_order_relaxed); }
  void set_slowlog_max_len(uint64_t n);
  bool latency_tracking() const { return time_typed(); }
  void set_latency_tracking(bool on);
  uint64_t latency_monitor_threshold() const {
    return monitor_threshold_.load(std::memory_order_relaxed);
  }
  void set_latency_monitor_threshold(uint64_t ms);

  // used_memory_peak: the largest used memory seen by note_memory (called
  // by INFO, MEMORY STATS and Store::stats()).
  size_t note_memory(size_t used) {
    size_t peak = peak_memory_.load(std::memory_order_relaxed);
    while (used > peak && !peak_memory_.compare_exchange_weak(peak, used)) {
    }
    return std::max(peak, used);
  }

 private:
  void update_timing();

  // Stripe i's counter of command id is calls_[i * kStripeCounters + id].
  std::atomic<uint64_t>* counters() { return calls_; }
  alignas(kCacheLine) std::atomic<uint64_t> calls_[kLockStripes * kStripeCounters] = {};
  struct Slow {
    std::atomic<uint64_t> usec{0}, failed{0}, rejected{0};
  };
  Slow slow_[kCommandIdCount];
  std::atomic<uint64_t> total_errors_{0};
  std::atomic<LatencyHistogram*> histograms_[kCommandIdCount] = {};
  std::atomic<bool> time_typed_{false};
  std::atomic<bool> time_commands_{false};
  std::atomic<int64_t> slower_than_{10000};
  std::atomic<uint64_t> slowlog_max_len_{128};
  std::atomic<uint64_t> monitor_threshold_{0};
  std::atomic<size_t> peak_memory_{0};

  mutable std::mutex mu_;  // guards what follows
  std::map<std::string, uint64_t> errors_;
  std::deque<SlowlogEntry> slowlog_;  // newest first
  uint64_t next_slowlog_id_ = 0;
  std::map<std::string, LatencyEvent> latency_;
  std::vector<std::unique_ptr<LatencyHistogram>> retired_;  // emptied by reset()
};

// What a thread keeps for counting, in one word of one thread_local (in
// position-independent code each thread_local may cost a __tls_get_addr
// call): its counter stripe, assigned round robin as the lock stripes are
// (util/rw_lock.h), and whether the command layer is counting a command
// on this thread (execute(), batches, transactions: see CallScope).
//   state == 0  no stripe yet
//   state  > 0  the stripe's first counter + 1 (stripe * kStripeCounters + 1)
//   state  < 0  the same, negated: inside a counted command
struct CallThread {
  int32_t state = 0;
  // Assigns the stripe (state 0 only); returns the new state.
  [[gnu::noinline]] int32_t assign() {
    state = static_cast<int32_t>(assign_thread_stripe() * CommandStats::kStripeCounters + 1);
    return state;
  }
  // The command layer's bracket around a command it counts itself: true
  // (and the calls made meanwhile on this thread are not counted) unless a
  // command is already being counted here; then leave() once it returns.
  bool enter() {
    const int32_t s = state != 0 ? state : assign();
    if (s < 0) return false;
    state = -s;
    return true;
  }
  void leave() { state = -state; }
  // The stripe's first counter (REQUIRES: between enter() and leave()).
  int32_t base() const { return -state - 1; }
};
// The default TLS model: an initial-exec one would save an instruction or
// two per call, but a library dlopen()ed after start-up (Python's ctypes,
// plugins) may then fail to load for want of static TLS space.
inline thread_local CallThread tl_call_thread;

// Counts one call of a Store method for INFO commandstats and, when
// latency-tracking is on, times it: one line at the top of each typed
// method (HS_COUNT_CALL). A typed method never calls another one (they
// share internal bodies instead), so a call is counted once without a
// flag of its own; a call made inside a command that the command layer
// counts (execute("HGET") runs store.hget()) is not counted again, nor is
// one made inside a timed call. Untimed, it costs a thread_local load, a
// test, an increment and the latency-tracking test.
class CallScope {
 public:
  [[gnu::always_inline]] CallScope(CommandStats& stats, CommandId id) {
    CallThread& t = tl_call_thread;
    int32_t s = t.state;
    if (s <= 0) [[unlikely]] {
      if (s < 0) return;
      s = t.assign();
    }
    stats.count(id, s - 1);
    if (stats.time_typed()) [[unlikely]] start(t, stats, id);
  }
  [[gnu::always_inline]] ~CallScope() {
    if (thread_ != nullptr) [[unlikely]] finish();
  }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

  static uint64_t now_ns() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }

 private:
  // A timed call marks the thread as inside a command, so that what it
  // calls is neither counted nor timed again.
  [[gnu::noinline]] void start(CallThread& t, CommandStats& stats, CommandId id) {
    t.enter();
    thread_ = &t;
    stats_ = &stats;
    id_ = id;
    start_ns_ = now_ns();
  }
  [[gnu::noinline]] void finish() {
    thread_->leave();
    stats_->record_time(id_, now_ns() - start_ns_ + 1);
  }
  // Set by start() only: an untimed call initializes thread_ alone.
  CallThread* thread_ = nullptr;
  CommandStats* stats_;
  uint64_t start_ns_;
  CommandId id_;
};

}  // namespace hashstore::internal

// The one line that counts a typed Store method's call (inside a member
// function of Store, where impl_ is the StoreImpl).
#define HS_COUNT_CALL(id) \
  ::hashstore::internal::CallScope hs_call_scope_(impl_->command_stats(), ::hashstore::internal::id)

#endif  // HASHSTORE_STORE_COMMAND_STATS_H_
