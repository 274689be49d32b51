// AofLog: appending records, group commit and the background flusher
// (aof_log.h).
#include "persist/aof_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "keyspace/key_entry.h"
#include "persist/aof_records.h"
#include "persist/io_error.h"
#include "util/absl_view.h"

namespace hashstore::internal::aof {

namespace {

long sys_write(int fd, const void* data, size_t n) { return ::write(fd, data, n); }
int sys_sync(int fd) { return ::fdatasync(fd); }
int sys_truncate(int fd, long size) { return ::ftruncate(fd, size); }

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Fsyncs the directory holding path, so that a new file's name is durable.
int sync_dir_of(const std::string& path) {
  const std::string dir = dir_of(path);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  const int r = ::fsync(fd);
  ::close(fd);
  return r;
}

}  // namespace

std::string_view fsync_name(Fsync f) {
  switch (f) {
    case Fsync::kAlways:
      return "always";
    case Fsync::kEverysec:
      return "everysec";
    case Fsync::kNo:
      return "no";
  }
  return "everysec";
}

bool parse_fsync(std::string_view name, Fsync* out) {
  const std::string n = absl::AsciiStrToLower(absl::string_view(name.data(), name.size()));
  if (n == "always") {
    *out = Fsync::kAlways;
  } else if (n == "everysec") {
    *out = Fsync::kEverysec;
  } else if (n == "no") {
    *out = Fsync::kNo;
  } else {
    return false;
  }
  return true;
}

const LogFileOps& system_log_ops() {
  static const LogFileOps ops{sys_write, sys_sync, sys_truncate};
  return ops;
}

absl::StatusOr<std::unique_ptr<AofLog>> AofLog::open(StoreImpl& impl, const std::string& path,
                                                     uint64_t size, Fsync policy,
                                                     const LogFileOps& ops) {
  auto fail = [&](std::string_view what) {
    return errno_status(errno, absl::StrCat("ERR append-only log ", path, ": ", to_absl(what)),
                        absl::StatusCode::kInternal);
  };
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot open");
  // Cut what the reader did not accept (a torn tail), or start the file.
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    const absl::Status s = fail("cannot truncate");
    ::close(fd);
    return s;
  }
  if (size == 0) {
    const std::string header = file_header();
    if (::write(fd, header.data(), header.size()) != static_cast<ssize_t>(header.size()) ||
        ::fdatasync(fd) != 0 || sync_dir_of(path) != 0) {
      const absl::Status s = fail("cannot write the header");
      ::close(fd);
      return s;
    }
    size = header.size();
  } else if (::fdatasync(fd) != 0) {
    const absl::Status s = fail("cannot sync");
    ::close(fd);
    return s;
  }
  return std::unique_ptr<AofLog>(new AofLog(impl, fd, path, size, policy, ops));
}

AofLog::AofLog(StoreImpl& impl, int fd, std::string path, uint64_t size, Fsync policy,
               const LogFileOps& ops)
    : impl_(impl),
      fd_(fd),
      path_(std::move(path)),
      ops_(ops),
      policy_(policy),
      thread_safe_(impl.thread_safe()),
      shard_count_(impl.shard_count()),
      shard_bufs_(new ShardBuf[impl.shard_count()]),
      file_size_(size),
      base_size_(size) {
  in_place_.store(policy != Fsync::kAlways, std::memory_order_relaxed);
  bg_ = std::thread([this] { background(); });
}

AofLog::~AofLog() { close(); }

void AofLog::close() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_) return;
    stop_ = true;
  }
  bg_cv_.notify_all();
  cv_.notify_all();
  bg_.join();
  flush_and_sync().IgnoreError();
  std::lock_guard<std::mutex> l(mu_);
  ::close(fd_);
  closed_ = true;
  synced_ = appended_;  // nothing more will be written: waiters return
  cv_.notify_all();
  gather_cv_.notify_all();
}

void AofLog::set_policy(Fsync policy) {
  policy_.store(policy, std::memory_order_relaxed);
  in_place_.store(policy != Fsync::kAlways, std::memory_order_relaxed);
}

// ---- Appending ----------------------------------------------------------------

void AofLog::append_locked(std::string_view records) {
  buf_.append(records);
  appended_ += records.size();
  buffered_.store(buf_.size(), std::memory_order_relaxed);
  if (buf_.size() >= kMaxBuffer) flush_due_.store(true, std::memory_order_relaxed);
  if (capturing_) capture_.append(records);
}

void AofLog::take_locked(ShardBuf& sb) {
  if (sb.bytes.empty()) return;
  append_locked(sb.bytes);
  if (sb.bytes.capacity() > (size_t{1} << 20)) {
    std::string().swap(sb.bytes);
  } else {
    sb.bytes.clear();
  }
  sb.size.store(0, std::memory_order_relaxed);
}

bool AofLog::gather(bool shards_held) {
  bool moved = false;
  for (size_t i = 0; i < shard_count_; ++i) {
    ShardBuf& sb = shard_bufs_[i];
    if (sb.size.load(std::memory_order_relaxed) == 0) continue;
    // The shard's lock (or the buffer's mutex) before mu_, as a writer.
    Shard& shard = impl_.shard(i);
    if (thread_safe_) {
      if (!shards_held) shard.mu.lock();
    } else {
      sb.mu.lock();
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      moved |= !sb.bytes.empty();
      take_locked(sb);
    }
    if (thread_safe_) {
      if (!shards_held) shard.mu.unlock();
    } else {
      sb.mu.unlock();
    }
  }
  return moved;
}

uint64_t AofLog::shard_bytes() const {
  uint64_t n = 0;
  for (size_t i = 0; i < shard_count_; ++i) n += shard_bufs_[i].size.load(std::memory_order_relaxed);
  return n;
}

void AofLog::log_events(Shard& shard) {
  ShardBuf& sb = shard_bufs_[shard.index];
  std::unique_lock<std::mutex> g(sb.mu, std::defer_lock);
  if (!thread_safe_) g.lock();
  append_events(impl_, shard, &sb.bytes);
  if (policy() == Fsync::kAlways || sb.bytes.size() >= kShardSpill) {
    // The writer waits for the sync that covers its records (wait_durable):
    // they go to buf_ now.
    // Under everysec and no, a shard buffer past kShardSpill goes too
    // (whatever the background thread is doing, the buffers stay bounded).
    std::lock_guard<std::mutex> l(mu_);
    take_locked(sb);
    ++appends_since_flush_;
    return;
  }
  sb.size.store(sb.bytes.size(), std::memory_order_relaxed);
}

void AofLog::log_field(Shard& shard, std::string_view key, const void* entry,
                       std::string_view field, std::string_view value) {
  ShardBuf& sb = shard_bufs_[shard.index];
  std::unique_lock<std::mutex> g(sb.mu, std::defer_lock);
  if (!thread_safe_) g.lock();
  append_field_record(key, key_entry::expire_ms(entry), field, value, &sb.bytes);
  if (sb.bytes.size() >= kShardSpill) {
    std::lock_guard<std::mutex> l(mu_);
    take_locked(sb);
    return;
  }
  sb.size.store(sb.bytes.size(), std::memory_order_relaxed);
}

void AofLog::log_flushall() {
  // Every shard is held: their records go first, then FLUSHALL's.
  gather(/*shards_held=*/true);
  std::string rec;
  append_flushall(&rec);
  std::lock_guard<std::mutex> l(mu_);
  append_locked(rec);
  ++appends_since_flush_;
}

void AofLog::wait_durable() {
  const Fsync p = policy();
  if (p != Fsync::kAlways) {
    // The common case takes no lock: the buffer is small and no sync is
    // stuck (Redis's 2-second rule).
    const int64_t sync_started = sync_started_atomic_.load(std::memory_order_relaxed);
    const bool stuck = p == Fsync::kEverysec && sync_started != 0 && steady_ms() - sync_started > 2000;
    if (!stuck && buffered_.load(std::memory_order_relaxed) < kMaxBuffer) return;
    std::unique_lock<std::mutex> l(mu_);
    if (closed_) return;
    if (buf_.size() >= kMaxBuffer && !flushing_) flush_locked(l, false);
    if (stuck && syncing_) {
      delayed_fsync_.fetch_add(1, std::memory_order_relaxed);
      cv_.wait(l, [&] { return !syncing_ || stop_; });
    }
    return;
  }
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return;
  // Group commit: lead a flush when none runs, else wait for the running
  // one (which may not cover us: then loop and lead or wait again). A
  // leader first waits (at most kGatherUs) until as many appends are
  // buffered as the last sync covered: the threads it released are about to
  // write again, and without this the first one back would sync alone while
  // the rest wait for the next sync (groups of 1 and N-1 in turn). An
  // append wakes only the gathering leaders (gather_cv_), not the writers
  // asleep until a sync covers them (with cv_, each append of a group woke
  // all of them).
  const uint64_t target = appended_;
  if (gathering_ > 0) gather_cv_.notify_all();  // a gathering leader counts this append
  while (synced_ < target && status_.ok() && !closed_) {
    if (!flushing_) {
      ++gathering_;
      gather_cv_.wait_for(l, std::chrono::microseconds(kGatherUs), [&] {
        return flushing_ || synced_ >= target || appends_since_flush_ >= last_group_ || closed_;
      });
      --gathering_;
      if (flushing_ || synced_ >= target || closed_) continue;
      flush_locked(l, true);
      // When at least kChainGroup records were appended during that sync,
      // their writers are asleep waiting for the next one: the leader,
      // already running, syncs them at once instead of leaving the next
      // round to whichever of them wakes first (16 threads: about 1.3x the
      // writes a second). Not for fewer: with 2 or 4 threads the leader's
      // own next write is a good part of the next group, and chaining
      // made groups of one (2 threads: half the writes a second). Once
      // only, so that the leader's own call returns.
      if (status_.ok() && !closed_ && !flushing_ && appends_since_flush_ >= kChainGroup) {
        flush_locked(l, true);
      }
    } else {
      cv_.wait(l);
    }
  }
}

// ---- Flushing -----------------------------------------------------------------

void AofLog::set_health(const absl::Status& s) {
  if (s.ok() == status_.ok()) {
    if (!s.ok()) status_ = s;
    return;
  }
  status_ = s;
  impl_.set_write_refusal(
      s.ok() ? absl::OkStatus()
             : absl::FailedPreconditionError(absl::StrCat(
                   "MISCONF Errors writing to the AOF file: ", s.message())));
}

void AofLog::flush_locked(std::unique_lock<std::mutex>& l, bool sync) {
  flushing_ = true;
  if (sync) last_group_ = std::max<uint64_t>(1, appends_since_flush_);
  // buf_ goes on in the spare (its capacity kept from an earlier flush), so
  // the buffers are not grown from nothing on every flush.
  std::string data;
  data.swap(buf_);
  buf_.swap(spare_);
  appends_since_flush_ = 0;
  buffered_.store(0, std::memory_order_relaxed);
  flush_due_.store(false, std::memory_order_relaxed);
  const uint64_t start = file_size_;
  const uint64_t end = appended_;
  in_flight_ = data.size();
  l.unlock();
  // Sealed here, by the flusher (the background thread under everysec and
  // no), not by the writers that made the records.
  seal_records(&data);
  int err = write_fully(ops_.write, fd_, data);
  const bool wrote = err == 0;
  if (wrote && sync) {
    if (ops_.sync(fd_) != 0) {
      err = errno;
    } else {
      fsyncs_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (!wrote) {
    // Take back a partial write so the file ends on a whole record; the
    // bytes stay buffered for the next try.
    ops_.truncate(fd_, static_cast<long>(start));
  }
  l.lock();
  flushing_ = false;
  in_flight_ = 0;
  if (wrote) {
    written_ = end;
    file_size_ = start + data.size();
    if (err == 0 && sync && synced_ < end) synced_ = end;
    if (data.capacity() <= kMaxBuffer && spare_.capacity() < data.capacity()) {
      data.clear();
      spare_.swap(data);
    }
  } else {
    data.append(buf_);
    buf_.swap(data);
    buffered_.store(buf_.size(), std::memory_order_relaxed);
  }
  set_health(err == 0 ? absl::OkStatus()
                      : errno_status(err, wrote ? "fsync failed" : "write failed",
                                     absl::StatusCode::kInternal));
  cv_.notify_all();
  if (gathering_ > 0) gather_cv_.notify_all();
}

absl::Status AofLog::flush_and_sync() {
  gather(/*shards_held=*/false);
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return status_;
  cv_.wait(l, [&] { return !flushing_; });
  flush_locked(l, true);
  cv_.wait(l, [&] { return !syncing_; });
  return status_;
}

void AofLog::background() {
  std::unique_lock<std::mutex> l(mu_);
  int64_t last_sync = steady_ms();
  while (!stop_) {
    bg_cv_.wait_for(l, std::chrono::milliseconds(5));
    if (stop_) break;
    l.unlock();
    const bool gathered = gather(/*shards_held=*/false);
    l.lock();
    if (stop_) break;
    const Fsync p = policy();
    if (flushing_) continue;
    if (!status_.ok()) {
      // Retry a failed write or sync, at most every 5 ms.
      flush_locked(l, p != Fsync::kNo);
      continue;
    }
    if (auto_pct_ > 0 && auto_trigger_ && !rewriting_) {
      const uint64_t size = logical_size();
      if (size >= auto_min_ &&
          size >= base_size_ + base_size_ / 100 * static_cast<uint64_t>(auto_pct_)) {
        // Outside mu_: the trigger takes its owner's lock (try-lock only).
        const std::function<void()> trigger = auto_trigger_;
        l.unlock();
        trigger();
        l.lock();
        continue;
      }
    }
    if (p == Fsync::kAlways) {
      // Records made before the policy became always, which no writer
      // waits for: synced now.
      if (gathered) flush_locked(l, true);
      continue;
    }
    if (!buf_.empty()) flush_locked(l, false);
    if (p != Fsync::kEverysec || syncing_ || flushing_) continue;
    const int64_t now = steady_ms();
    if (now - last_sync < 1000 || synced_ >= written_) continue;
    // The once-a-second sync, outside mu_: appends and writes go on.
    last_sync = now;
    syncing_ = true;
    sync_started_atomic_.store(now, std::memory_order_relaxed);
    const uint64_t target = written_;
    l.unlock();
    const int r = ops_.sync(fd_);
    const int err = r == 0 ? 0 : errno;
    l.lock();
    syncing_ = false;
    sync_started_atomic_.store(0, std::memory_order_relaxed);
    if (err == 0) {
      fsyncs_.fetch_add(1, std::memory_order_relaxed);
      if (synced_ < target) synced_ = target;
    } else {
      set_health(errno_status(err, "fsync failed", absl::StatusCode::kInternal));
    }
    cv_.notify_all();
  }
}

// ---- INFO -------------------------------------------------------------------

uint64_t AofLog::current_size() {
  std::lock_guard<std::mutex> l(mu_);
  return logical_size() + shard_bytes();
}

uint64_t AofLog::base_size() {
  std::lock_guard<std::mutex> l(mu_);
  return base_size_;
}

void AofLog::set_auto_rewrite(int pct, uint64_t min_size, std::function<void()> trigger) {
  std::lock_guard<std::mutex> l(mu_);
  auto_pct_ = pct;
  auto_min_ = min_size;
  auto_trigger_ = std::move(trigger);
}

// ---- Rewrite ----------------------------------------------------------------

absl::Status AofLog::rewrite(absl::FunctionRef<absl::Status(int fd)> dump) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = absl::StrCat(path_, ".rewrite-", ::getpid(), "-", counter.fetch_add(1));
  auto fail = [&](std::string_view what, int err) {
    return errno_status(err, absl::StrCat("ERR rewrite ", path_, ": ", to_absl(what)),
                        absl::StatusCode::kInternal);
  };
  // What was appended before the rewrite belongs to the old log only
  // (the dump sees its result): gathered first, not captured.
  gather(/*shards_held=*/false);
  {
    std::lock_guard<std::mutex> l(mu_);
    rewriting_ = true;
    capturing_ = true;
    capture_.clear();
  }
  // Ends the rewrite; on error the old log goes on.
  auto finish = [&](absl::Status st, int fd) {
    if (fd >= 0) ::close(fd);
    if (!st.ok()) ::unlink(tmp.c_str());
    std::lock_guard<std::mutex> l(mu_);
    capturing_ = false;
    capture_.clear();
    rewriting_ = false;
    return st;
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return finish(fail("cannot create a temporary file", errno), -1);
  if (absl::Status st = dump(fd); !st.ok()) return finish(st, fd);
  // Sync the bulk before flushes are paused; the sync after the captured
  // records then has little left to do.
  if (ops_.sync(fd) != 0) return finish(fail("cannot sync", errno), fd);
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return !flushing_ && !syncing_; });
  flushing_ = true;  // no flush or sync of the old file until the switch
  std::string captured = std::move(capture_);
  capture_.clear();
  capturing_ = false;
  const size_t sealed = buf_.size();  // old-file bytes: in the dump or captured
  const uint64_t sealed_seq = appended_;
  l.unlock();
  seal_records(&captured);
  int err = write_fully(ops_.write, fd, captured);
  const char* what = err != 0 ? "cannot write" : "";
  struct stat st;
  if (err == 0 && ops_.sync(fd) != 0) err = errno, what = "cannot sync";
  if (err == 0 && ::fstat(fd, &st) != 0) err = errno, what = "cannot stat";
  if (err == 0 && ::rename(tmp.c_str(), path_.c_str()) != 0) err = errno, what = "cannot rename";
  // After the rename the new log is the log: a failed directory sync only
  // leaves the name's durability to the OS, as for any other write.
  const bool renamed = err == 0;
  if (renamed) sync_dir_of(path_);
  l.lock();
  if (renamed) {
    ::close(fd_);
    fd_ = fd;
    file_size_ = static_cast<uint64_t>(st.st_size);
    base_size_ = file_size_;
    buf_.erase(0, sealed);
    buffered_.store(buf_.size(), std::memory_order_relaxed);
    written_ = sealed_seq;
    if (synced_ < sealed_seq) synced_ = sealed_seq;
  }
  flushing_ = false;
  cv_.notify_all();
  l.unlock();
  if (!renamed) return finish(fail(what, err), fd);
  return finish(absl::OkStatus(), -1);
}

uint64_t AofLog::buffer_length() {
  std::lock_guard<std::mutex> l(mu_);
  return buf_.size() + shard_bytes();
}

bool AofLog::last_write_ok() {
  std::lock_guard<std::mutex> l(mu_);
  return status_.ok();
}

}  // namespace hashstore::internal::aof
