// ChangeLog: the hook through which a Store hands every change of its
// keyspace to a log (the append-only file, lib/persist/aof_log.h), in the
// order in which the shard locks serialize the writes.
//
// The store layer knows only this interface; lib/persist implements it.
// While a ChangeLog is attached (StoreImpl::set_change_log), the Store
// records a KeyspaceEvent for every write exactly as it does for
// listeners (StoreImpl::has_listeners() is true, so the fast write paths
// step aside), and:
//   - release_with_events calls log_events(shard) with the shard still held
//     for writing, once per lock hold, so the log reads each key's resulting
//     state under the same lock that made it;
//   - FLUSHALL calls log_flushall() with every shard held;
//   - while logs_in_place() (the policy lets a writer return without
//     waiting: appendfsync everysec or no) and no listener is subscribed,
//     the fast in-place writes (HSET of a same-size value, HINCRBY,
//     HRESERVE; hash_access.h's write_fast_logged) record no event: they
//     call log_field() with the value they wrote, under the shard's write
//     lock, instead;
//   - after the locks are gone, the writing thread calls wait_durable() (in
//     StoreImpl::deliver), which returns once what the thread appended is
//     as durable as the log's policy promises (appendfsync always: synced).
#ifndef HASHSTORE_STORE_CHANGE_LOG_H_
#define HASHSTORE_STORE_CHANGE_LOG_H_

#include <atomic>
#include <string_view>

namespace hashstore::internal {

struct Shard;

class ChangeLog {
 public:
  virtual ~ChangeLog() = default;
  // Turns shard.events (this lock hold's events, in order) into log
  // records. Leaves the events in place (listeners may want them).
  // REQUIRES: shard held for writing by this thread.
  virtual void log_events(Shard& shard) = 0;
  // Records FLUSHALL. REQUIRES: every shard held for writing.
  virtual void log_flushall() = 0;
  // Waits until this thread's records are durable per the policy.
  // REQUIRES: the thread holds no lock of the Store.
  virtual void wait_durable() = 0;
  // Records that the write just made set `field` of key, whose entry is
  // `entry`, to `value` (no field TTL). REQUIRES: shard held for writing by
  // this thread, entry live in it.
  virtual void log_field(Shard& shard, std::string_view key, const void* entry,
                         std::string_view field, std::string_view value) = 0;
  // Whether in-place writes may log through log_field (no wait after them).
  bool logs_in_place() const { return in_place_.load(std::memory_order_relaxed); }
  // Whether the log's buffer is over its limit: a writer that logged through
  // log_field then calls wait_durable() (which writes it) once it holds no
  // lock of the Store.
  bool flush_due() const { return flush_due_.load(std::memory_order_relaxed); }

 protected:
  std::atomic<bool> in_place_{false};
  std::atomic<bool> flush_due_{false};
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_CHANGE_LOG_H_
