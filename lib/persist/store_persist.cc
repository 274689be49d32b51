// hashstore::Store's persistence methods (store.h, "Persistence"): save,
// load, BGSAVE, LASTSAVE and the RESP export, on top of lib/persist.
#include <hashstore/store.h>

#include "persist/persist_state.h"
#include "persist/resp_export.h"
#include "persist/snapshot_reader.h"
#include "persist/snapshot_writer.h"
#include "store/store_impl.h"

namespace hashstore {

using internal::PersistState;

absl::Status Store::save(const std::string& path) { return save(path, nullptr); }

absl::Status Store::save(const std::string& path, SaveStats* stats) {
  absl::StatusOr<internal::snapshot::SaveResult> r =
      impl_->extension<PersistState>().save(path);
  if (!r.ok()) return r.status();
  if (stats != nullptr) {
    stats->bytes = r->bytes;
    stats->keys = r->keys;
    stats->shard_pause_ms = std::move(r->shard_pause_ms);
  }
  return absl::OkStatus();
}

absl::Status Store::load(const std::string& path) {
  return internal::snapshot::load_snapshot_file(*impl_, path).status();
}

absl::Status Store::bgsave(const std::string& path) {
  return impl_->extension<PersistState>().bgsave(path);
}

bool Store::bgsave_in_progress() { return impl_->extension<PersistState>().bgsave_running(); }

absl::Status Store::wait_bgsave() { return impl_->extension<PersistState>().wait_bgsave(); }

int64_t Store::lastsave() { return impl_->extension<PersistState>().lastsave_ms() / 1000; }

absl::Status Store::export_resp(const std::function<absl::Status(std::string_view)>& sink) {
  return internal::export_resp(*impl_, sink);
}

}  // namespace hashstore
