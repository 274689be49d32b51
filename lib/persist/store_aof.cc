// hashstore::Store's append-only log methods (store.h, "Append-only log"):
// Store::open and bgrewriteaof, on top of AofState (aof_state.h).
#include <hashstore/store.h>

#include "persist/persist_state.h"
#include "absl/strings/str_cat.h"
#include "store/store_internal.h"

namespace hashstore {

absl::StatusOr<std::unique_ptr<Store>> Store::open(const Options& options, LoadStats* stats) {
  auto store = std::make_unique<Store>(options);
  internal::PersistState& persist = store->impl_->extension<internal::PersistState>();
  if (!options.dir.empty()) {
    if (absl::Status st = persist.set_dir(options.dir, /*apply=*/true); !st.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("ERR dir ", options.dir, ": ", st.message()));
    }
  }
  persist.aof().configure(options);
  if (options.appendonly) {
    if (absl::Status st = persist.aof().start(*store, stats); !st.ok()) return st;
  }
  return store;
}

absl::Status Store::bgrewriteaof() {
  return impl_->extension<internal::PersistState>().aof().bgrewriteaof();
}

}  // namespace hashstore
