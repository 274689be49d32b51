// KeyStage: key entries built aside while a file is read, and put into the
// store all at once after the whole file passed its checks — so a refused
// file leaves the store as it was. Both readers (snapshot_reader.cc and
// rdb_reader.cc) stage through it.
//
// Usage: check_store_empty() before reading (refuse early), add() each
// entry as it is built, then commit(), which takes every shard's lock,
// checks again that the store holds no live key, clears what is left
// (expired keys), and inserts everything. A KeyStage that is destroyed
// without a successful commit frees what it holds.
//
// Thread-safety: one thread builds a stage; commit() locks the store.
// Costs: per key, one hash of its name and a slot in a duplicate-detecting
// set of views into the staged entries (both freed at commit).
#ifndef HASHSTORE_PERSIST_KEY_STAGE_H_
#define HASHSTORE_PERSIST_KEY_STAGE_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/store_impl.h"

namespace hashstore::internal {

// FailedPrecondition "ERR load: the store is not empty" when any shard holds
// a live key. Takes every shard's lock for reading.
absl::Status check_store_empty(StoreImpl& impl);

class KeyStage {
 public:
  explicit KeyStage(StoreImpl& impl);
  ~KeyStage();
  KeyStage(const KeyStage&) = delete;
  KeyStage& operator=(const KeyStage&) = delete;

  // Room for about n more keys (a hint; capped by the caller).
  void reserve(size_t n);
  // Takes ownership of entry. False (and the entry is freed) when a key of
  // the same name is already staged.
  bool add(void* entry);
  size_t size() const { return keys_.size(); }

  // Inserts every staged key if the store is still empty; returns how many.
  // FailedPrecondition (nothing inserted) when it is not.
  absl::StatusOr<uint64_t> commit();

 private:
  struct Staged {
    void* entry;
    uint64_t hash;
  };
  StoreImpl& impl_;
  std::vector<std::vector<Staged>> per_shard_;
  absl::flat_hash_set<absl::string_view> keys_;  // views into the staged entries
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_PERSIST_KEY_STAGE_H_
