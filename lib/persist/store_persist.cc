// hashstore::Store's persistence methods (store.h, "Persistence" and "Redis
// RDB files"): save, load (either format, told apart by the file's first
// bytes), BGSAVE, LASTSAVE and the RESP export, on top of lib/persist.
#include <hashstore/store.h>

#include <fcntl.h>
#include <unistd.h>

#include "persist/persist_state.h"
#include "persist/rdb_reader.h"
#include "persist/resp_export.h"
#include "persist/snapshot_reader.h"
#include "persist/snapshot_writer.h"
#include "store/store_impl.h"

namespace hashstore {

using internal::PersistState;

namespace {

// Whether the file at path starts as an RDB file does ("REDIS"). A file
// that cannot be read is not: the snapshot reader then reports why.
bool looks_like_rdb(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char head[5];
  size_t got = 0;
  while (got < sizeof head) {
    const ssize_t n = ::read(fd, head + got, sizeof head - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return internal::rdb::has_rdb_magic(std::string_view(head, got));
}

}  // namespace

absl::Status Store::save(const std::string& path) { return save(path, nullptr); }

absl::Status Store::save(const std::string& path, SaveStats* stats) {
  return save(path, SaveFormat::kSnapshot, stats);
}

absl::Status Store::save(const std::string& path, SaveFormat format, SaveStats* stats) {
  HS_COUNT_CALL(kSave);
  absl::StatusOr<internal::snapshot::SaveResult> r =
      impl_->extension<PersistState>().save(path, format);
  if (!r.ok()) return r.status();
  if (stats != nullptr) {
    stats->bytes = r->bytes;
    stats->keys = r->keys;
    stats->shard_pause_ms = std::move(r->shard_pause_ms);
  }
  return absl::OkStatus();
}

absl::Status Store::load(const std::string& path) { return load(path, LoadOptions{}, nullptr); }

absl::Status Store::load(const std::string& path, const LoadOptions& options, LoadStats* stats) {
  LoadStats out;
  if (looks_like_rdb(path)) {
    internal::rdb::LoadOptions o;
    o.skip_unsupported = options.skip_unsupported;
    absl::StatusOr<internal::rdb::LoadResult> r = internal::rdb::load_rdb_file(*impl_, path, o);
    if (!r.ok()) return r.status();
    out.rdb_version = r->version;
    out.bytes = r->bytes;
    out.keys = r->keys;
    out.expired = r->expired;
    out.skipped = r->skipped;
    out.empty = r->empty;
  } else {
    absl::StatusOr<internal::snapshot::LoadResult> r =
        internal::snapshot::load_snapshot_file(*impl_, path);
    if (!r.ok()) return r.status();
    out.bytes = r->bytes;
    out.keys = r->keys;
    out.expired = r->expired;
  }
  if (stats != nullptr) *stats = out;
  // Loaded keys went in without events: with the log on, a rewrite puts
  // them in it.
  return impl_->extension<PersistState>().aof().after_load();
}

absl::Status Store::bgsave(const std::string& path) {
  HS_COUNT_CALL(kBgsave);
  return impl_->extension<PersistState>().bgsave(path);
}

bool Store::bgsave_in_progress() { return impl_->extension<PersistState>().bgsave_running(); }

absl::Status Store::wait_bgsave() { return impl_->extension<PersistState>().wait_bgsave(); }

int64_t Store::lastsave() {
  HS_COUNT_CALL(kLastsave);
  return impl_->extension<PersistState>().lastsave_ms() / 1000;
}

absl::Status Store::export_resp(const std::function<absl::Status(std::string_view)>& sink) {
  return internal::export_resp(*impl_, sink);
}

}  // namespace hashstore
