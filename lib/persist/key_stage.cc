// KeyStage: staged key entries, committed together (see key_stage.h).
#include "persist/key_stage.h"

#include "keyspace/key_entry.h"
#include "keyspace/keyspace.h"
#include "util/bytes.h"

namespace hashstore::internal {

namespace {

// How many keys ahead commit() prefetches slot buckets.
constexpr size_t kPrefetchAhead = 8;

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
  StoreImpl::MultiLock lock(impl, LockMode::kShared);
  return check_empty_held(impl);
}

KeyStage::KeyStage(StoreImpl& impl) : impl_(impl), per_shard_(impl.shard_count()) {}

KeyStage::~KeyStage() {
  for (auto& v : per_shard_) {
    for (const Staged& s : v) key_entry::destroy(s.entry, nullptr);  // malloc'd
  }
}

void KeyStage::reserve(size_t n) {
  // Shards get a key each with equal odds: a quarter more than the mean
  // leaves room for the spread.
  const size_t per = n / per_shard_.size() + n / (4 * per_shard_.size()) + 1;
  for (auto& v : per_shard_) v.reserve(v.size() + per);
}

void KeyStage::add(void* entry, uint64_t at) {
  const uint64_t h = impl_.hash(key_entry::key(entry));
  per_shard_[impl_.shard_index(h)].push_back({entry, h, at});
  ++staged_;
}

absl::StatusOr<uint64_t> KeyStage::commit(Duplicate* duplicate) {
  StoreImpl::MultiLock lock(impl_, LockMode::kExclusive);
  if (absl::Status st = check_empty_held(impl_); !st.ok()) return st;
  uint64_t n = 0;
  for (size_t i = 0; i < per_shard_.size(); ++i) {
    Shard& shard = impl_.shard(i);
    std::vector<Staged>& v = per_shard_[i];
    shard.keyspace.clear();  // keys that expired, if any
    shard.keyspace.reserve(v.size());
    for (size_t j = 0; j < v.size(); ++j) {
      if (j + kPrefetchAhead < v.size()) {
        // The bucket the key goes to, and the entry (its key is compared,
        // its flags and size read, on insert).
        shard.keyspace.prefetch_slots(v[j + kPrefetchAhead].hash);
        prefetch_line(v[j + kPrefetchAhead].entry);
        // malloc's header: a staged entry has no access word, so its block
        // starts 4 bytes after its address (key_entry.h).
        prefetch_line(static_cast<const char*>(v[j + kPrefetchAhead].entry) - 4);
      }
      const Staged& s = v[j];
      const std::string_view key = key_entry::key(s.entry);
      if (shard.keyspace.find(key, s.hash) != nullptr) {
        duplicate->key = std::string(key);
        duplicate->at = s.at;
        // Take back what went in: shards before this one, and this one's
        // first j keys (their entries are freed with the keyspaces).
        for (size_t k = 0; k <= i; ++k) impl_.shard(k).keyspace.clear();
        v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(j));
        return absl::DataLossError("duplicate key");
      }
      // The entry may move into the shard's slab: its key is read again.
      void* in = shard.keyspace.insert(s.entry, s.hash);
      shard.note_write(key_entry::key(in));
      ++n;
    }
    v.clear();
    v.shrink_to_fit();
  }
  staged_ = 0;
  return n;
}

}  // namespace hashstore::internal
