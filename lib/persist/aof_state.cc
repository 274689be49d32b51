// AofState: the append-only log's settings, start-up, switching on and off,
// rewrites and INFO (aof_state.h).
#include "persist/aof_state.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "keyspace/key_entry.h"
#include "persist/aof_reader.h"
#include "persist/aof_records.h"
#include "persist/persist_state.h"
#include "persist/snapshot_writer.h"
#include "util/absl_view.h"
#include "util/number.h"

namespace hashstore::internal {

namespace {

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool parse_yes_no(std::string_view v, bool* out) {
  if (v.size() == 3 && (v[0] | 0x20) == 'y' && (v[1] | 0x20) == 'e' && (v[2] | 0x20) == 's') {
    *out = true;
    return true;
  }
  if (v.size() == 2 && (v[0] | 0x20) == 'n' && (v[1] | 0x20) == 'o') {
    *out = false;
    return true;
  }
  return false;
}

// A size with Redis's units (b, k, kb, m, mb, g, gb; k = 1000, kb = 1024).
bool parse_size(std::string_view s, uint64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  std::string unit(s.substr(digits));
  for (char& c : unit) c = static_cast<char>(c | 0x20);
  uint64_t mul = 0;
  if (unit.empty() || unit == "b") mul = 1;
  if (unit == "k") mul = 1000;
  if (unit == "kb") mul = 1024;
  if (unit == "m") mul = 1000 * 1000;
  if (unit == "mb") mul = 1024 * 1024;
  if (unit == "g") mul = 1000 * 1000 * 1000;
  if (unit == "gb") mul = uint64_t{1024} * 1024 * 1024;
  uint64_t v;
  if (mul == 0 || digits == 0 || !parse_uint64(s.substr(0, digits), &v) || v > UINT64_MAX / mul) {
    return false;
  }
  *out = v * mul;
  return true;
}

aof::Fsync from_options(AppendFsync f) {
  switch (f) {
    case AppendFsync::kAlways:
      return aof::Fsync::kAlways;
    case AppendFsync::kNo:
      return aof::Fsync::kNo;
    case AppendFsync::kEverysec:
      break;
  }
  return aof::Fsync::kEverysec;
}

// Writes a log's header and every live key as a kReplace record to fd.
// lock_shards: take each shard shared in turn (a rewrite, writes go on);
// otherwise the caller holds them all.
absl::Status dump_keyspace(StoreImpl& impl, int fd, bool lock_shards, uint64_t* bytes) {
  std::string buf = aof::file_header();
  auto write_out = [&]() -> absl::Status {
    absl::Status st = snapshot::write_all(fd, buf, "the append-only log");
    *bytes += buf.size();
    buf.clear();
    return st;
  };
  for (size_t i = 0; i < impl.shard_count(); ++i) {
    Shard& shard = impl.shard(i);
    {
      if (lock_shards) impl.lock(shard, LockMode::kShared);
      Now now(impl.clock());
      shard.keyspace.for_each([&](const void* e) {
        if (Keyspace::expired(e, now)) return;
        aof::append_whole_key(key_entry::key(e), e, &buf);
      });
      if (lock_shards) impl.release(shard, LockMode::kShared);
    }
    if (buf.size() >= (size_t{1} << 20) || i + 1 == impl.shard_count()) {
      if (absl::Status st = write_out(); !st.ok()) return st;
    }
  }
  if (!buf.empty()) return write_out();
  return absl::OkStatus();
}

// Removes the temporary files of rewrites a crash interrupted
// ("<appendfilename>.rewrite-<pid>-<n>", aof_log.cc): never the log itself.
void remove_stale_rewrites(const std::string& dir, const std::string& filename) {
  const std::string prefix = filename + ".rewrite-";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name.starts_with(prefix)) ::unlink(absl::StrCat(dir, "/", to_absl(name)).c_str());
  }
  ::closedir(d);
}

}  // namespace

AofState::AofState(StoreImpl& impl, PersistState& persist) : impl_(impl), persist_(persist) {}

AofState::~AofState() {
  std::unique_lock<std::mutex> l(mu_);
  if (log_) log_->set_auto_rewrite(0, 0, nullptr);
  rewrite_cv_.wait(l, [&] { return !rewrite_running_; });
  if (rewrite_thread_.joinable()) rewrite_thread_.join();
  if (enabled_) disable_locked();
}

void AofState::configure(const Options& o) {
  std::lock_guard<std::mutex> l(mu_);
  fsync_ = from_options(o.appendfsync);
  if (!o.appendfilename.empty()) filename_ = o.appendfilename;
  load_truncated_ = o.aof_load_truncated;
  rewrite_pct_ = std::max(0, o.auto_aof_rewrite_percentage);
  rewrite_min_ = o.auto_aof_rewrite_min_size;
}

std::string AofState::path() { return absl::StrCat(persist_.dir(), "/", filename_); }

aof::AofLog* AofState::log() {
  std::lock_guard<std::mutex> l(mu_);
  return log_.get();
}

// ---- Start-up, on and off -----------------------------------------------------

absl::Status AofState::start(Store& store, LoadStats* stats) {
  std::unique_lock<std::mutex> l(mu_);
  if (enabled_) return absl::OkStatus();
  const std::string log_path = path();
  remove_stale_rewrites(persist_.dir(), filename_);
  if (!file_exists(log_path)) {
    // As Redis 7: no log yet, but a snapshot: load it, then log from there.
    // (Store::load takes mu_ itself; nobody else uses the Store yet.)
    const std::string snap = persist_.path();
    if (file_exists(snap)) {
      l.unlock();
      if (absl::Status st = store.load(snap, LoadOptions{}, stats); !st.ok()) return st;
      l.lock();
    }
    return enable_locked();
  }
  absl::StatusOr<aof::ScanResult> r = aof::load_log_file(store, log_path, load_truncated_);
  if (!r.ok()) return r.status();
  if (stats != nullptr) {
    stats->bytes = r->valid_size + r->truncated;
    stats->aof_records = r->records;
    stats->aof_truncated = r->truncated;
    stats->keys = static_cast<uint64_t>(store.dbsize());
  }
  absl::StatusOr<std::unique_ptr<aof::AofLog>> log =
      aof::AofLog::open(impl_, log_path, r->valid_size, fsync_);
  if (!log.ok()) return log.status();
  log_ = std::move(*log);
  impl_.set_change_log([&]() -> ChangeLog* { return log_.get(); });
  log_->set_auto_rewrite(rewrite_pct_, rewrite_min_, [this] { start_rewrite_thread(); });
  enabled_ = true;
  return absl::OkStatus();
}

absl::Status AofState::enable_locked() {
  if (StoreImpl::held_by_this_thread().owner == &impl_) {
    return absl::FailedPreconditionError("appendonly cannot change inside a transaction");
  }
  const std::string log_path = path();
  std::unique_ptr<aof::AofLog> log;
  absl::Status st;
  // Every shard is held while the keyspace is written and the log attached:
  // the log then has every write, none twice.
  impl_.set_change_log([&]() -> ChangeLog* {
    uint64_t bytes = 0;
    st = snapshot::write_file_atomically(
        log_path, [&](int fd) { return dump_keyspace(impl_, fd, false, &bytes); });
    if (!st.ok()) return nullptr;
    absl::StatusOr<std::unique_ptr<aof::AofLog>> opened =
        aof::AofLog::open(impl_, log_path, bytes, fsync_);
    if (!opened.ok()) {
      st = opened.status();
      return nullptr;
    }
    log = std::move(*opened);
    return log.get();
  });
  if (!st.ok()) return st;
  log_ = std::move(log);
  log_->set_auto_rewrite(rewrite_pct_, rewrite_min_, [this] { start_rewrite_thread(); });
  enabled_ = true;
  return absl::OkStatus();
}

void AofState::disable_locked() {
  impl_.set_change_log([]() -> ChangeLog* { return nullptr; });
  log_->set_auto_rewrite(0, 0, nullptr);
  log_->close();
  // A thread that loaded the pointer before the detach may still wait on
  // it: the closed log stays until the Store goes.
  retired_.push_back(std::move(log_));
  impl_.set_write_refusal(absl::OkStatus());
  enabled_ = false;
}

// ---- CONFIG -------------------------------------------------------------------

std::string AofState::appendonly() {
  std::lock_guard<std::mutex> l(mu_);
  return enabled_ ? "yes" : "no";
}

absl::Status AofState::set_appendonly(std::string_view v, bool apply) {
  bool on;
  if (!parse_yes_no(v, &on)) return absl::InvalidArgumentError("argument must be 'yes' or 'no'");
  if (!apply) return absl::OkStatus();
  std::unique_lock<std::mutex> l(mu_);
  if (on == enabled_) return absl::OkStatus();
  if (on) return enable_locked();
  rewrite_cv_.wait(l, [&] { return !rewrite_running_; });
  disable_locked();
  return absl::OkStatus();
}

std::string AofState::appendfsync() {
  std::lock_guard<std::mutex> l(mu_);
  return std::string(aof::fsync_name(fsync_));
}

absl::Status AofState::set_appendfsync(std::string_view v, bool apply) {
  aof::Fsync f;
  if (!aof::parse_fsync(v, &f)) {
    return absl::InvalidArgumentError("argument(s) must be one of the following: always, everysec, no");
  }
  if (!apply) return absl::OkStatus();
  std::lock_guard<std::mutex> l(mu_);
  fsync_ = f;
  if (log_) log_->set_policy(f);
  return absl::OkStatus();
}

std::string AofState::appendfilename() {
  std::lock_guard<std::mutex> l(mu_);
  return filename_;
}

absl::Status AofState::set_appendfilename(std::string_view v, bool apply) {
  if (v.empty() || v.find('/') != std::string_view::npos || v == "." || v == "..") {
    return absl::InvalidArgumentError("appendfilename can't be a path, just a filename");
  }
  std::lock_guard<std::mutex> l(mu_);
  if (enabled_) return absl::InvalidArgumentError("can't change appendfilename while appendonly is yes");
  if (apply) filename_ = std::string(v);
  return absl::OkStatus();
}

std::string AofState::load_truncated() {
  std::lock_guard<std::mutex> l(mu_);
  return load_truncated_ ? "yes" : "no";
}

absl::Status AofState::set_load_truncated(std::string_view v, bool apply) {
  bool on;
  if (!parse_yes_no(v, &on)) return absl::InvalidArgumentError("argument must be 'yes' or 'no'");
  std::lock_guard<std::mutex> l(mu_);
  if (apply) load_truncated_ = on;
  return absl::OkStatus();
}

std::string AofState::rewrite_percentage() {
  std::lock_guard<std::mutex> l(mu_);
  return std::to_string(rewrite_pct_);
}

absl::Status AofState::set_rewrite_percentage(std::string_view v, bool apply) {
  int64_t n;
  if (!parse_int64(v, &n)) return absl::InvalidArgumentError("argument couldn't be parsed into an integer");
  if (n < 0 || n > INT32_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("argument must be between 0 and ", INT32_MAX, " inclusive"));
  }
  if (!apply) return absl::OkStatus();
  std::lock_guard<std::mutex> l(mu_);
  rewrite_pct_ = static_cast<int>(n);
  if (log_) log_->set_auto_rewrite(rewrite_pct_, rewrite_min_, [this] { start_rewrite_thread(); });
  return absl::OkStatus();
}

std::string AofState::rewrite_min_size() {
  std::lock_guard<std::mutex> l(mu_);
  return std::to_string(rewrite_min_);
}

absl::Status AofState::set_rewrite_min_size(std::string_view v, bool apply) {
  uint64_t n;
  if (!parse_size(v, &n)) return absl::InvalidArgumentError("argument must be a memory value");
  if (!apply) return absl::OkStatus();
  std::lock_guard<std::mutex> l(mu_);
  rewrite_min_ = n;
  if (log_) log_->set_auto_rewrite(rewrite_pct_, rewrite_min_, [this] { start_rewrite_thread(); });
  return absl::OkStatus();
}

// ---- Rewrite ------------------------------------------------------------------

// From the log's background thread: never blocks (a busy mu_ means someone
// is switching the log; the next tick tries again).
void AofState::start_rewrite_thread() {
  std::unique_lock<std::mutex> l(mu_, std::try_to_lock);
  if (!l.owns_lock() || !enabled_ || rewrite_running_) return;
  launch_rewrite_locked();
}

void AofState::launch_rewrite_locked() {
  if (rewrite_thread_.joinable()) rewrite_thread_.join();  // ended: it cleared rewrite_running_
  rewrite_running_ = true;
  rewrite_started_ms_ = unix_ms();
  aof::AofLog* log = log_.get();
  rewrite_thread_ = std::thread([this, log] {
    uint64_t bytes = 0;
    const absl::Status st =
        log->rewrite([&](int fd) { return dump_keyspace(impl_, fd, true, &bytes); });
    std::lock_guard<std::mutex> l(mu_);
    rewrite_running_ = false;
    last_rewrite_ = st;
    last_rewrite_ms_ = unix_ms() - rewrite_started_ms_;
    if (st.ok()) ++rewrites_;
    rewrite_cv_.notify_all();
  });
}

absl::Status AofState::bgrewriteaof() {
  std::lock_guard<std::mutex> l(mu_);
  if (!enabled_) {
    return absl::FailedPreconditionError("ERR Background append only file rewriting is not possible: appendonly is no");
  }
  if (rewrite_running_) {
    return absl::FailedPreconditionError("ERR Background append only file rewriting already in progress");
  }
  launch_rewrite_locked();
  return absl::OkStatus();
}

absl::Status AofState::wait_rewrite() {
  std::unique_lock<std::mutex> l(mu_);
  rewrite_cv_.wait(l, [&] { return !rewrite_running_; });
  return last_rewrite_;
}

absl::Status AofState::rewrite_now() {
  if (absl::Status st = bgrewriteaof(); !st.ok()) return st;
  return wait_rewrite();
}

absl::Status AofState::after_load() {
  {
    std::unique_lock<std::mutex> l(mu_);
    if (!enabled_) return absl::OkStatus();
    rewrite_cv_.wait(l, [&] { return !rewrite_running_; });
    launch_rewrite_locked();
  }
  return wait_rewrite();
}

// ---- INFO -------------------------------------------------------------------

std::string AofState::info() {
  std::lock_guard<std::mutex> l(mu_);
  std::string out = absl::StrCat(
      "aof_enabled:", enabled_ ? 1 : 0, "\r\n",
      "aof_rewrite_in_progress:", rewrite_running_ ? 1 : 0, "\r\n",
      "aof_rewrite_scheduled:0\r\n",
      "aof_last_rewrite_time_sec:", last_rewrite_ms_ < 0 ? -1 : last_rewrite_ms_ / 1000, "\r\n",
      "aof_current_rewrite_time_sec:",
      rewrite_running_ ? (unix_ms() - rewrite_started_ms_) / 1000 : -1, "\r\n",
      "aof_last_bgrewrite_status:", last_rewrite_.ok() ? "ok" : "err", "\r\n",
      "aof_rewrites:", rewrites_, "\r\n",
      "aof_last_write_status:", (log_ == nullptr || log_->last_write_ok()) ? "ok" : "err", "\r\n");
  if (log_ != nullptr) {
    absl::StrAppend(&out, "aof_current_size:", log_->current_size(), "\r\n",
                    "aof_base_size:", log_->base_size(), "\r\n",
                    "aof_pending_rewrite:0\r\n",
                    "aof_buffer_length:", log_->buffer_length(), "\r\n",
                    "aof_pending_bio_fsync:0\r\n",
                    "aof_delayed_fsync:", log_->delayed_fsyncs(), "\r\n");
  }
  return out;
}

}  // namespace hashstore::internal
