// hashstore-cli's save at exit: with --dir or --dbfilename, what the
// session wrote is saved to that snapshot when the CLI exits normally (end
// of input, quit / exit, after a one-shot command), as redis-server saves at
// shutdown when save points are set. A session that changed nothing leaves
// the file alone (a read-only look into a snapshot in a read-only directory
// works).
//
//   SaveOnExit saver(store);               // after the snapshot was loaded
//   ... saver.after_command(args, reply);  // for every command run
//   absl::Status st = saver.finish();      // at exit
//
// What counts as a change: every Store event (a write, a deletion, an
// expiry or an eviction; Store::subscribe), plus FLUSHALL / FLUSHDB, which
// send no event. A successful SAVE makes the store clean again. The file is
// the one CONFIG GET dir / dbfilename name at exit (CONFIG SET moves it, as
// in Redis).
//
// Threading: the Store may run listeners on any thread; the flag is atomic.
#ifndef HASHSTORE_TOOLS_CLI_SAVE_ON_EXIT_H_
#define HASHSTORE_TOOLS_CLI_SAVE_ON_EXIT_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <hashstore/store.h>

namespace hashstore::cli {

class SaveOnExit {
 public:
  // REQUIRES: store outlives this object.
  explicit SaveOnExit(Store& store);
  ~SaveOnExit();
  SaveOnExit(const SaveOnExit&) = delete;
  SaveOnExit& operator=(const SaveOnExit&) = delete;

  // Accounts for a command the CLI ran and its reply (see above).
  void after_command(const std::vector<std::string>& args, const Reply& reply);
  // Whether the store changed since the start or the last successful SAVE.
  bool dirty() const { return dirty_.load(std::memory_order_relaxed); }
  // Saves to dir/dbfilename when dirty: OK when saved or nothing to save,
  // else save()'s error (it names the path).
  absl::Status finish();

 private:
  Store& store_;
  uint64_t subscription_;
  std::atomic<bool> dirty_{false};
};

}  // namespace hashstore::cli

#endif  // HASHSTORE_TOOLS_CLI_SAVE_ON_EXIT_H_
