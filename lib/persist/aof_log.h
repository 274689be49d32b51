// AofLog: the append-only log being written — the Store's ChangeLog
// (store/change_log.h) that frames every change as a record (aof_records.h)
// and gets it to disk under one of Redis's appendfsync policies.
//
// Appending: every shard has a buffer of its own (ShardBuf), guarded by
// the shard's write lock, which the writer already holds (with
// thread_safe = false, by the buffer's mutex). log_events and log_field
// encode their records straight into it: no lock of the log, no copy, and
// no hashing (a frame's head check and checksum are filled in by the
// flusher just before it writes them: aof_records.h's seal_records). The
// records reach the log's buffer (buf_, under mu_) when they are gathered:
// by the background thread every few ms, and before anything that needs
// them all (FLUSHALL's record, flush_and_sync, close). A gather takes one
// shard at a time and moves its whole buffer, under the shard's lock, to
// the end of buf_; so one key's records (all in its shard's buffer) stay in
// the order of its writes. Records of different shards may reach the file
// in another order than they were made; each states a key's own state, so
// replay gives the same keyspace. Under appendfsync always the writer moves
// its shard's buffer to buf_ itself, still under the shard's lock, and then
// waits for the sync that covers it. buf_ reaches the file by write() and
// fdatasync() outside mu_, one flusher at a time (flushing_), so the file
// holds records in the order they reached buf_. A shard buffer past
// kShardSpill (a few KB) is moved to buf_ by its writer: the buffers stay
// small enough to stay in the writer's cache, and bounded while the
// background thread is held up in a long write or sync.
//
// Policies (wait_durable runs once the writer holds no shard lock):
//   kAlways   the writer waits until a sync covers its records. Group
//             commit: the first waiter becomes the flusher and writes and
//             syncs everything buffered so far; writers that appended
//             meanwhile wait for the next flush, which one of them leads. N
//             threads writing together pay about one fdatasync per round,
//             not N.
//   kEverysec a background thread writes the buffer every few ms and
//             fdatasyncs once a second. A writer does not wait, unless that
//             sync has been running for more than 2 seconds (Redis's rule:
//             the disk is not keeping up), or the buffer passed kMaxBuffer
//             (it then writes the buffer itself).
//   kNo       as kEverysec without the fdatasync: the OS decides.
//
// Errors: a failed write() or fdatasync() (a full disk, EIO) marks the log
// unhealthy: the file is truncated back to its last good size, the bytes
// stay buffered, the Store refuses writes with Redis's MISCONF error
// (StoreImpl::set_write_refusal) while reads go on, and the background
// thread retries; the first flush that succeeds clears the refusal. With
// kAlways the waiters of the failed flush return (the call that made the
// write cannot be undone; it is in memory and still buffered for retry).
//
// Thread-safety: every method may be called from any thread.
#ifndef HASHSTORE_PERSIST_AOF_LOG_H_
#define HASHSTORE_PERSIST_AOF_LOG_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/change_log.h"
#include "store/store_impl.h"

namespace hashstore::internal::aof {

enum class Fsync : uint8_t { kAlways, kEverysec, kNo };
// "always", "everysec", "no".
std::string_view fsync_name(Fsync f);
// Parses a policy name (case-insensitive); false when unknown.
bool parse_fsync(std::string_view name, Fsync* out);

// The system calls the log makes; tests substitute failing ones (a full
// disk, EIO). Each behaves as its POSIX namesake.
struct LogFileOps {
  long (*write)(int fd, const void* data, size_t n);
  int (*sync)(int fd);  // fdatasync
  int (*truncate)(int fd, long size);
};
const LogFileOps& system_log_ops();

class AofLog final : public ChangeLog {
 public:
  // Opens (creating it with its header when missing or empty) the log at
  // path for appending; `size` is the valid length of an existing file (the
  // reader's figure; a torn tail beyond it is cut off). Errors name path.
  static absl::StatusOr<std::unique_ptr<AofLog>> open(StoreImpl& impl, const std::string& path,
                                                      uint64_t size, Fsync policy,
                                                      const LogFileOps& ops = system_log_ops());
  // Stops the background thread, flushes and syncs what is buffered
  // (errors are only recorded) and closes the file; later waiters return at
  // once. REQUIRES: detached. The object must outlive the Store's calls in
  // flight (AofState keeps closed logs until the Store goes).
  void close();
  ~AofLog() override;  // close()s

  void log_events(Shard& shard) override;
  void log_flushall() override;
  void wait_durable() override;
  void log_field(Shard& shard, std::string_view key, const void* entry, std::string_view field,
                 std::string_view value) override;

  void set_policy(Fsync policy);
  Fsync policy() const { return policy_.load(std::memory_order_relaxed); }
  // Writes and syncs everything appended so far; the last error if that failed.
  absl::Status flush_and_sync();

  // Rewrite (BGREWRITEAOF), while writes go on. dump(fd) writes the new
  // log's header and the keyspace as records into a temporary file beside
  // the log, shard by shard; every record appended from the moment before
  // dump starts is captured too. Then, with flushes paused: the captured
  // records follow the dump, the file is synced, renamed over the log, the
  // directory synced, and appends continue in the new file. Records are
  // states, not deltas, so a record captured for a write the dump already
  // saw changes nothing when replayed again. A crash at any moment leaves
  // either the old log (complete up to the crash) or the new one. On error
  // the old log goes on and the temporary file is removed.
  absl::Status rewrite(absl::FunctionRef<absl::Status(int fd)> dump);
  // The background thread calls trigger (with no lock of the log held)
  // while the log has outgrown the automatic rewrite thresholds (pct 0:
  // never) and no rewrite runs; trigger must not block.
  void set_auto_rewrite(int pct, uint64_t min_size, std::function<void()> trigger);

  // INFO persistence.
  uint64_t current_size();  // aof_current_size: bytes of the file plus the buffer
  uint64_t base_size();     // aof_base_size: the size after open or the last rewrite
  uint64_t buffer_length();  // aof_buffer_length
  bool last_write_ok();      // aof_last_write_status
  uint64_t delayed_fsyncs() const { return delayed_fsync_.load(); }  // aof_delayed_fsync
  uint64_t fsyncs() const { return fsyncs_.load(); }                  // syncs done
  const std::string& path() const { return path_; }

  // Longest buffer before a writer flushes it itself (everysec, no).
  static constexpr size_t kMaxBuffer = size_t{4} << 20;
  // Longest shard buffer: a writer past it moves it to the log's buffer.
  // Small, so that the shards' buffers stay in the writer's cache: with
  // 256 KB (and 64 shards) a writer stored into a cold line about every
  // record, and everysec's HSET ran 20-25% slower than with 4 KB.
  static constexpr size_t kShardSpill = size_t{4} << 10;

 private:
  AofLog(StoreImpl& impl, int fd, std::string path, uint64_t size, Fsync policy,
         const LogFileOps& ops);
  // One shard's records not yet gathered into buf_. bytes is guarded by
  // the shard's lock (thread_safe) or else by mu; size is its length, read
  // without that lock (INFO, and to skip empty buffers).
  struct alignas(64) ShardBuf {
    std::mutex mu;
    std::string bytes;
    std::atomic<size_t> size{0};
  };
  // Appends records, sealed or not, to buf_ (and capture_ while a rewrite runs),
  // marking a flush due past kMaxBuffer. REQUIRES: mu_ held.
  void append_locked(std::string_view records);
  // Moves sb's records to the end of buf_ (and capture_).
  // REQUIRES: mu_ held, and sb guarded by this thread.
  void take_locked(ShardBuf& sb);
  // Moves every shard's records to buf_, one shard at a time. shards_held:
  // the caller holds every shard for writing. REQUIRES: mu_ not held.
  // Returns whether anything moved.
  bool gather(bool shards_held);
  // Bytes in the shards' buffers (a moment's figure).
  uint64_t shard_bytes() const;
  // Writes the buffer (and syncs it when sync) as the one flusher.
  // REQUIRES: l holds mu_ and !flushing_.
  void flush_locked(std::unique_lock<std::mutex>& l, bool sync);
  void set_health(const absl::Status& s);  // REQUIRES: mu_ held
  // The log's length once everything appended is written. REQUIRES: mu_ held.
  uint64_t logical_size() const { return file_size_ + in_flight_ + buf_.size(); }
  void background();

  StoreImpl& impl_;
  int fd_;  // replaced by rewrite() only while flushing_ and !syncing_
  const std::string path_;
  const LogFileOps& ops_;
  std::atomic<Fsync> policy_;
  const bool thread_safe_;
  const size_t shard_count_;
  std::unique_ptr<ShardBuf[]> shard_bufs_;

  // Positions are counted in bytes ever appended (a sequence that a rewrite
  // does not reset); file_size_ is the file's length.
  std::mutex mu_;
  std::condition_variable cv_;     // a flush or sync ended
  // An append while a leader gathers (gathering_ > 0): only the gathering
  // leaders wake, not every writer waiting for a sync.
  std::condition_variable gather_cv_;
  int gathering_ = 0;  // leaders in the gather wait
  std::condition_variable bg_cv_;  // stop_ (wakes the background thread)
  std::string buf_;                // appended, not yet handed to write()
  std::string spare_;              // empty; a flush's written buffer, kept for reuse
  uint64_t appended_ = 0;          // sequence at the end of buf_
  uint64_t written_ = 0;           // sequence written to the file
  uint64_t synced_ = 0;            // sequence known durable
  uint64_t file_size_;             // bytes of good records in the file
  uint64_t in_flight_ = 0;         // bytes a flush is writing outside mu_
  uint64_t base_size_;
  bool flushing_ = false;        // a thread is writing the buffer (or switching files)
  bool syncing_ = false;         // the background thread is in fdatasync
  // When that sync began (0: none), and the buffer's length: atomics too,
  // so that everysec's wait_durable needs no lock.
  std::atomic<int64_t> sync_started_atomic_{0};
  std::atomic<size_t> buffered_{0};
  // Group commit: appends since the last flush took the buffer (a leader
  // waits up to kGatherUs for as many appends as the last sync covered).
  uint64_t last_group_ = 1;  // appends the last sync covered
  uint64_t appends_since_flush_ = 0;
  static constexpr int kGatherUs = 500;
  // A leader syncs again at once when this many appends came during its sync.
  static constexpr uint64_t kChainGroup = 4;
  bool capturing_ = false;       // a rewrite is running: take_locked() copies into capture_
  std::string capture_;
  bool rewriting_ = false;
  absl::Status status_;  // last write/sync error, OK when healthy
  bool stop_ = false;
  bool closed_ = false;
  int auto_pct_ = 0;
  uint64_t auto_min_ = 0;
  std::function<void()> auto_trigger_;
  std::atomic<uint64_t> delayed_fsync_{0};
  std::atomic<uint64_t> fsyncs_{0};
  std::thread bg_;
};

}  // namespace hashstore::internal::aof

#endif  // HASHSTORE_PERSIST_AOF_LOG_H_
