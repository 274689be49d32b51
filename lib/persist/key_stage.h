// KeyStage: key entries built aside while a file is read, and put into the
// store all at once after the whole file passed its checks — so a refused
// file leaves the store as it was. Both readers (snapshot_reader.cc and
// rdb_reader.cc) stage through it.
//
// Usage: check_store_empty() before reading (refuse early), add() each
// entry as it is built, then commit(), which takes every shard's lock,
// checks again that the store holds no live key, clears what is left
// (expired keys), and inserts everything. A key staged twice is found by
// commit(), which then takes back what it inserted: the store is empty
// again and the error names the key and where its second copy starts. A
// KeyStage destroyed without a successful commit frees what it holds.
//
// Thread-safety: one thread builds a stage; commit() locks the store.
// Costs: 24 bytes per key until commit. commit() sizes each shard's table
// for its keys once (no growth while inserting) and prefetches the slot
// buckets a few keys ahead, so a bulk load pays about one cache miss per
// key rather than a chain of them.
#ifndef HASHSTORE_PERSIST_KEY_STAGE_H_
#define HASHSTORE_PERSIST_KEY_STAGE_H_

#include <cstdint>
#include <string>
#include <vector>

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

  // Room for about n more keys (a hint; the caller caps untrusted counts).
  void reserve(size_t n);
  // Takes ownership of entry; `at` is where it starts in the file (named
  // if its key turns out to be staged twice).
  void add(void* entry, uint64_t at);
  size_t size() const { return staged_; }

  // A key staged twice: its name, and where the later copy starts.
  struct Duplicate {
    std::string key;
    uint64_t at = 0;
  };
  // Inserts every staged key if the store is still empty; returns how many.
  // Errors (nothing inserted): FailedPrecondition when the store holds a
  // key; DataLoss "duplicate key" with *duplicate filled in.
  absl::StatusOr<uint64_t> commit(Duplicate* duplicate);

 private:
  struct Staged {
    void* entry;
    uint64_t hash;
    uint64_t at;
  };
  StoreImpl& impl_;
  std::vector<std::vector<Staged>> per_shard_;
  size_t staged_ = 0;
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_PERSIST_KEY_STAGE_H_
