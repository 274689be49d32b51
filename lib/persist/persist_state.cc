// PersistState: dir, dbfilename, LASTSAVE and BGSAVE's thread (see
// persist_state.h).
#include "persist/persist_state.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "persist/rdb_writer.h"
#include "util/absl_view.h"

namespace hashstore::internal {

namespace {

std::string working_directory() {
  char buf[PATH_MAX];
  return ::getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : std::string(".");
}

}  // namespace

PersistState::PersistState(StoreImpl& impl)
    : impl_(impl), lastsave_ms_(impl.created_ms()), aof_(std::make_unique<AofState>(impl, *this)) {}

PersistState::~PersistState() {
  aof_.reset();  // closes the log while the shards and dir are still there
  if (bg_.joinable()) bg_.join();
}

std::string PersistState::dir() {
  std::lock_guard<std::mutex> l(mu_);
  if (dir_.empty()) dir_ = working_directory();
  return dir_;
}

absl::Status PersistState::set_dir(std::string_view dir, bool apply) {
  const std::string d(dir);
  char resolved[PATH_MAX];
  struct stat st;
  if (d.empty() || ::realpath(d.c_str(), resolved) == nullptr || ::stat(resolved, &st) != 0) {
    return absl::InvalidArgumentError(d.empty() ? "No such file or directory"
                                                : std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return absl::InvalidArgumentError(std::strerror(ENOTDIR));
  if (apply) {
    std::lock_guard<std::mutex> l(mu_);
    dir_ = resolved;
  }
  return absl::OkStatus();
}

std::string PersistState::dbfilename() {
  std::lock_guard<std::mutex> l(mu_);
  return dbfilename_;
}

absl::Status PersistState::set_dbfilename(std::string_view name, bool apply) {
  // Redis's own check and text.
  if (name.find('/') != std::string_view::npos) {
    return absl::InvalidArgumentError("dbfilename can't be a path, just a filename");
  }
  if (name.empty() || name == "." || name == "..") {
    return absl::InvalidArgumentError("dbfilename must name a file");
  }
  if (apply) {
    std::lock_guard<std::mutex> l(mu_);
    dbfilename_ = std::string(name);
  }
  return absl::OkStatus();
}

std::string PersistState::path() {
  const std::string d = dir();
  std::lock_guard<std::mutex> l(mu_);
  return d == "/" ? "/" + dbfilename_ : absl::StrCat(d, "/", dbfilename_);
}

std::string PersistState::snapshot_format() {
  std::lock_guard<std::mutex> l(mu_);
  return format_ == Store::SaveFormat::kRdb ? "rdb" : "hashstore";
}

absl::Status PersistState::set_snapshot_format(std::string_view format, bool apply) {
  Store::SaveFormat f;
  if (absl::EqualsIgnoreCase(to_absl(format), "rdb")) {
    f = Store::SaveFormat::kRdb;
  } else if (absl::EqualsIgnoreCase(to_absl(format), "hashstore")) {
    f = Store::SaveFormat::kSnapshot;
  } else {
    // Redis's text for an enum parameter.
    return absl::InvalidArgumentError("argument(s) must be one of the following: hashstore, rdb");
  }
  if (apply) {
    std::lock_guard<std::mutex> l(mu_);
    format_ = f;
  }
  return absl::OkStatus();
}

absl::StatusOr<snapshot::SaveResult> PersistState::save(const std::string& path) {
  Store::SaveFormat f;
  {
    std::lock_guard<std::mutex> l(mu_);
    f = format_;
  }
  return save(path, f);
}

namespace {

// Either writer, with the snapshot writer's result.
absl::StatusOr<snapshot::SaveResult> save_as(StoreImpl& impl, const std::string& path,
                                             Store::SaveFormat format) {
  if (format == Store::SaveFormat::kSnapshot) return snapshot::save_snapshot(impl, path);
  absl::StatusOr<rdb::SaveResult> r = rdb::save_rdb(impl, path);
  if (!r.ok()) return r.status();
  snapshot::SaveResult out;
  out.bytes = r->bytes;
  out.keys = r->keys;
  out.shard_pause_ms = std::move(r->shard_pause_ms);
  return out;
}

}  // namespace

absl::StatusOr<snapshot::SaveResult> PersistState::save(const std::string& path,
                                                         Store::SaveFormat format) {
  absl::StatusOr<snapshot::SaveResult> r = save_as(impl_, path, format);
  if (r.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    lastsave_ms_ = impl_.clock().now_ms();
  }
  return r;
}

absl::Status PersistState::bgsave(const std::string& path) {
  if (!impl_.thread_safe()) {
    return absl::FailedPreconditionError(
        "ERR BGSAVE needs a thread-safe Store (Options::thread_safe is false); use SAVE");
  }
  std::lock_guard<std::mutex> l(mu_);
  if (running_) return absl::FailedPreconditionError("ERR Background save already in progress");
  if (bg_.joinable()) bg_.join();  // the last one has finished
  running_ = true;
  const Store::SaveFormat format = format_;
  bg_ = std::thread([this, path, format] {
    absl::StatusOr<snapshot::SaveResult> r = save_as(impl_, path, format);
    std::lock_guard<std::mutex> done(mu_);
    bg_status_ = r.status();
    if (r.ok()) lastsave_ms_ = impl_.clock().now_ms();
    running_ = false;
    done_cv_.notify_all();
  });
  return absl::OkStatus();
}

bool PersistState::bgsave_running() {
  std::lock_guard<std::mutex> l(mu_);
  return running_;
}

absl::Status PersistState::wait_bgsave() {
  std::unique_lock<std::mutex> l(mu_);
  done_cv_.wait(l, [&] { return !running_; });
  return bg_status_;
}

int64_t PersistState::lastsave_ms() {
  std::lock_guard<std::mutex> l(mu_);
  return lastsave_ms_;
}

}  // namespace hashstore::internal
