// AofState: a Store's append-only log settings and the log itself — Redis's
// appendonly, appendfsync, appendfilename, aof-load-truncated,
// auto-aof-rewrite-percentage and auto-aof-rewrite-min-size (Options and
// CONFIG GET/SET), start-up (Store::open: load, then log), turning the log
// on and off at run time, BGREWRITEAOF and INFO persistence's aof_* fields.
//
// Owned by PersistState (the StoreImpl's extension slot), whose dir is the
// log's directory. Thread-safe: each method takes mu_, a leaf except that
// set_appendonly and start hold it while StoreImpl::set_change_log takes
// every shard (nothing takes mu_ under a shard lock).
#ifndef HASHSTORE_PERSIST_AOF_STATE_H_
#define HASHSTORE_PERSIST_AOF_STATE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>
#include <condition_variable>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "persist/aof_log.h"
#include "store/store_impl.h"

namespace hashstore::internal {

class PersistState;

class AofState {
 public:
  AofState(StoreImpl& impl, PersistState& persist);
  // Detaches and closes the log (flushed and synced), after a running
  // rewrite ends.
  ~AofState();

  // Takes the Options' settings (before start()).
  void configure(const Options& options);
  // Start-up with appendonly on: loads the log (or, when there is none, the
  // dir's snapshot) into store, which must be empty, then starts logging.
  absl::Status start(Store& store, LoadStats* stats);

  // CONFIG GET/SET. A set with apply false only checks; errors are the text
  // after Redis's "CONFIG SET failed ... - ". appendonly yes writes the
  // current keyspace as a new log and starts logging; no stops (flushed and
  // synced). appendfilename is a file name, not a path, and cannot change
  // while the log is on.
  std::string appendonly();
  absl::Status set_appendonly(std::string_view v, bool apply);
  std::string appendfsync();
  absl::Status set_appendfsync(std::string_view v, bool apply);
  std::string appendfilename();
  absl::Status set_appendfilename(std::string_view v, bool apply);
  std::string load_truncated();
  absl::Status set_load_truncated(std::string_view v, bool apply);
  std::string rewrite_percentage();
  absl::Status set_rewrite_percentage(std::string_view v, bool apply);
  std::string rewrite_min_size();
  absl::Status set_rewrite_min_size(std::string_view v, bool apply);

  // BGREWRITEAOF: starts a rewrite in a background thread. Errors: the log
  // is off, or a rewrite is running.
  absl::Status bgrewriteaof();
  // Waits for a running rewrite; its result (OK when none ran).
  absl::Status wait_rewrite();
  // BGREWRITEAOF, waiting for it to end.
  absl::Status rewrite_now();
  // After Store::load put keys in without events: with the log on, a
  // rewrite so that the log holds them (OK when the log is off).
  absl::Status after_load();

  // INFO persistence's aof_* lines ("name:value\r\n").
  std::string info();
  // The attached log, or nullptr (for tests).
  aof::AofLog* log();
  std::string path();

 private:
  // Writes the keyspace as a new log at path() and attaches it.
  // REQUIRES: mu_ held.
  absl::Status enable_locked();
  void disable_locked();
  void start_rewrite_thread();   // the automatic trigger: try-locks mu_
  void launch_rewrite_locked();  // REQUIRES: mu_ held, no rewrite running

  StoreImpl& impl_;
  PersistState& persist_;
  std::mutex mu_;
  bool enabled_ = false;
  aof::Fsync fsync_ = aof::Fsync::kEverysec;
  std::string filename_ = "appendonly.aof";
  bool load_truncated_ = true;
  int rewrite_pct_ = 100;
  uint64_t rewrite_min_ = uint64_t{64} << 20;
  std::unique_ptr<aof::AofLog> log_;
  std::vector<std::unique_ptr<aof::AofLog>> retired_;  // closed, kept for late waiters
  // Rewrites: one at a time, in rewrite_thread_.
  std::thread rewrite_thread_;
  std::condition_variable rewrite_cv_;  // rewrite_running_ went false
  bool rewrite_running_ = false;
  bool rewrite_scheduled_ = false;
  absl::Status last_rewrite_;
  int64_t last_rewrite_ms_ = -1;
  int64_t rewrite_started_ms_ = 0;
  uint64_t rewrites_ = 0;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_PERSIST_AOF_STATE_H_
