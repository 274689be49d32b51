// PersistState: a Store's persistence settings and background save — the
// directory and file name SAVE and BGSAVE write (CONFIG SET dir /
// dbfilename), when the last save succeeded (LASTSAVE), and the one
// background save that may run at a time (BGSAVE).
//
// It lives in the StoreImpl's extension slot (impl.extension<PersistState>()),
// so it is created on first use and destroyed, joining a running background
// save, before the shards. Thread-safe: every method takes its own mutex.
#ifndef HASHSTORE_PERSIST_PERSIST_STATE_H_
#define HASHSTORE_PERSIST_PERSIST_STATE_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "persist/aof_state.h"
#include "persist/snapshot_writer.h"
#include "store/store_impl.h"

namespace hashstore::internal {

// Redis's own default is dump.rdb; ours is not an RDB file, so it has its
// own name.
inline constexpr std::string_view kDefaultDbFilename = "dump.hss";

class PersistState final : public StoreImpl::Extension {
 public:
  explicit PersistState(StoreImpl& impl);
  ~PersistState() override;

  // CONFIG GET/SET dir: an absolute directory path (default: the working
  // directory when first asked). set_dir checks that it exists and is a
  // directory; with apply false it only checks. Errors are the text after
  // Redis's "CONFIG SET failed ... - " prefix.
  std::string dir();
  absl::Status set_dir(std::string_view dir, bool apply);
  // CONFIG GET/SET dbfilename: a file name, never a path.
  std::string dbfilename();
  absl::Status set_dbfilename(std::string_view name, bool apply);
  // dir + "/" + dbfilename.
  std::string path();
  // CONFIG GET/SET snapshot-format: the format SAVE and BGSAVE write,
  // "hashstore" (the snapshot format, default) or "rdb" (Redis's).
  std::string snapshot_format();
  absl::Status set_snapshot_format(std::string_view format, bool apply);

  // Saves now in this thread, in the configured format (or the one given);
  // on success LASTSAVE moves.
  absl::StatusOr<snapshot::SaveResult> save(const std::string& path);
  absl::StatusOr<snapshot::SaveResult> save(const std::string& path, Store::SaveFormat format);
  // Starts a save of path (configured format) in a background thread. Error when one is running
  // ("ERR Background save already in progress") or the Store is not
  // thread-safe (nothing would keep the caller from writing meanwhile).
  absl::Status bgsave(const std::string& path);
  bool bgsave_running();
  // Waits for the running background save, if any; returns the result of
  // the last one (OK when none ran).
  absl::Status wait_bgsave();
  // Unix ms of the last successful save (the Store's creation before any).
  int64_t lastsave_ms();
  // The append-only log's state (aof_state.h); its directory is dir().
  AofState& aof() { return *aof_; }

 private:
  StoreImpl& impl_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  std::string dir_;  // empty: the working directory, resolved when asked
  std::string dbfilename_{kDefaultDbFilename};
  Store::SaveFormat format_ = Store::SaveFormat::kSnapshot;
  int64_t lastsave_ms_;
  bool running_ = false;
  absl::Status bg_status_;
  std::thread bg_;
  // Last: destroyed first, so the log is closed before a BGSAVE is joined.
  std::unique_ptr<AofState> aof_;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_PERSIST_PERSIST_STATE_H_
