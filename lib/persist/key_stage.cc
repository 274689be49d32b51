// KeyStage: staged key entries, committed together (see key_stage.h).
#include "persist/key_stage.h"

#include "keyspace/key_entry.h"
#include "keyspace/keyspace.h"
#include "util/absl_view.h"

namespace hashstore::internal {

namespace {

// REQUIRES: every shard held.
absl::Status check_empty_held(StoreImpl& impl) {
  Now now(impl.clock());
  for (size_t i = 0; i < impl.shard_count(); ++i) {
    if (impl.shard(i).keyspace.live_size(now.ms()) > 0) {
      return absl::FailedPreconditionError("ERR load: the store is not empty");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status check_store_empty(StoreImpl& impl) {
  StoreImpl::MultiLock lock(impl, Access::kRead);
  return check_empty_held(impl);
}

KeyStage::KeyStage(StoreImpl& impl) : impl_(impl), per_shard_(impl.shard_count()) {}

KeyStage::~KeyStage() {
  for (auto& v : per_shard_) {
    for (const Staged& s : v) key_entry::destroy(s.entry);
  }
}

void KeyStage::reserve(size_t n) {
  keys_.reserve(keys_.size() + n);
  const size_t per = n / per_shard_.size() + n / (4 * per_shard_.size()) + 1;
  for (auto& v : per_shard_) v.reserve(v.size() + per);
}

bool KeyStage::add(void* entry) {
  const std::string_view key = key_entry::key(entry);
  if (!keys_.insert(to_absl(key)).second) {
    key_entry::destroy(entry);
    return false;
  }
  const uint64_t h = impl_.hash(key);
  per_shard_[impl_.shard_index(h)].push_back({entry, h});
  return true;
}

absl::StatusOr<uint64_t> KeyStage::commit() {
  StoreImpl::MultiLock lock(impl_, Access::kWrite);
  if (absl::Status st = check_empty_held(impl_); !st.ok()) return st;
  keys_.clear();
  uint64_t n = 0;
  for (size_t i = 0; i < per_shard_.size(); ++i) {
    Shard& shard = impl_.shard(i);
    shard.keyspace.clear();  // keys that expired, if any
    for (const Staged& s : per_shard_[i]) {
      shard.keyspace.insert(s.entry, s.hash);
      shard.note_write(key_entry::key(s.entry));
      ++n;
    }
    per_shard_[i].clear();
    per_shard_[i].shrink_to_fit();
  }
  return n;
}

}  // namespace hashstore::internal
