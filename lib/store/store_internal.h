// StoreInternal: the internal layers' access to a public Store's state, kept
// beside Store (leveldb keeps WriteBatchInternal next to WriteBatch) so that
// include/hashstore/store.h stays a contract and a test of lib/store needs
// nothing above lib/store to reach it. Also the definition of Watch::Entry,
// which store.h only declares.
//
// Who may use it: lib/ (store, persist, command, capi), tests/ and fuzz/.
// Never a user program: nothing here is installed.
#ifndef HASHSTORE_STORE_STORE_INTERNAL_H_
#define HASHSTORE_STORE_STORE_INTERNAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include <hashstore/store.h>

namespace hashstore {

// A watched key: its name, its routing hash (shard and slot) and its
// version when watch() was called.
struct Store::Watch::Entry {
  std::string key;
  uint64_t hash;
  uint64_t version;
};

namespace internal {

class StoreImpl;

class StoreInternal {
 public:
  using WatchEntry = Store::Watch::Entry;
  static StoreImpl& impl(Store& store) { return *store.impl_; }
  static const std::vector<WatchEntry>& entries(const Store::Watch& w) {
    return w.entries_;
  }
};

// Whether no key of w was written since watch() (store.cc). REQUIRES: the
// shards of w's keys are held by this thread.
bool watch_unchanged(StoreImpl& impl, const Store::Watch& w);

}  // namespace internal
}  // namespace hashstore

#endif  // HASHSTORE_STORE_STORE_INTERNAL_H_
