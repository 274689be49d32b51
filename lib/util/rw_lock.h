// StripedRwLock: a reader-writer lock whose readers write no cache line
// that readers on other cores write, for the Store's shards.
//
// Design. Readers count themselves in one of kStripes stripes, each a cache
// line of its own; a thread always uses the same stripe (assigned round
// robin at its first lock, thread_stripe()), so two threads reading the
// same shard on two cores do not bounce one lock word between them, as a
// pthread rwlock's reader count does. A stripe also carries a Payload the
// thread may update while it holds the lock shared (the shard's hit and
// miss counters): that line is already the thread's own.
//
//   writer_   0 free, 1 held, 2 held and someone sleeps waiting for it
//   stripe i  { readers: how many hold it shared through stripe i; Payload }
//
// A reader increments its stripe, then reads writer_: 0 and it holds the
// lock; otherwise it backs out (decrement) and waits until writer_ is 0,
// so a writer waiting for readers to drain is never overtaken by new ones
// (writers are preferred; a stream of readers cannot starve them). A
// writer takes writer_ (0 -> 1) like a mutex, then waits until every
// stripe's count is 0. Both sides use sequentially consistent read-modify-
// writes followed by loads of the other side's word, so either the writer
// sees the reader's count or the reader sees the writer (Dekker).
//
// Waiting: a short spin (a holder on another core is usually done within
// it), then a futex sleep, so that a preempted holder (more threads than
// cores) is not met by waiters burning its core. A reader that drains a
// stripe to 0 while a writer is waiting wakes it; the writer's release
// wakes the sleepers on writer_.
//
// ThreadSanitizer sees the synchronization through the atomics, and the
// __tsan_mutex annotations make it treat the lock as a mutex (read or
// write), so its lock-order (deadlock) detector covers it too.
//
// Costs: read lock + unlock is two atomic RMWs on the thread's own line
// and one load of writer_ (shared, rarely written); write lock is one CAS
// and kStripes loads; write unlock one exchange. Size: (1 + kStripes)
// cache lines. Not recursive; the owner must unlock from the locking thread
// for reads (the stripe is the thread's).
#ifndef HASHSTORE_UTIL_RW_LOCK_H_
#define HASHSTORE_UTIL_RW_LOCK_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "util/sanitizers.h"

#ifdef HASHSTORE_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace hashstore::internal {

inline constexpr size_t kCacheLine = 64;
inline constexpr size_t kLockStripes = 8;
static_assert((kLockStripes & (kLockStripes - 1)) == 0, "stripes are picked with a mask");

// This thread's stripe, 0 .. kLockStripes - 1: threads get them round
// robin at their first call, so the first kLockStripes threads of a
// process never share one.
size_t assign_thread_stripe();
inline size_t thread_stripe() {
  static constinit thread_local size_t stripe_plus_one = 0;
  if (stripe_plus_one == 0) stripe_plus_one = assign_thread_stripe() + 1;
  return stripe_plus_one - 1;
}

// Blocks while *word == value (a futex wait; spurious returns allowed), and
// wakes every thread blocked on word.
void futex_wait(std::atomic<uint32_t>& word, uint32_t value);
void futex_wake_all(std::atomic<uint32_t>& word);

template <class Payload>
class StripedRwLock {
 public:
  struct alignas(kCacheLine) Stripe {
    std::atomic<uint32_t> readers{0};
    Payload payload{};
  };
  static_assert(sizeof(Stripe) == kCacheLine, "one stripe per cache line");

  StripedRwLock() {
#ifdef HASHSTORE_TSAN
    __tsan_mutex_create(this, 0);
#endif
  }
  ~StripedRwLock() {
#ifdef HASHSTORE_TSAN
    __tsan_mutex_destroy(this, 0);
#endif
  }
  StripedRwLock(const StripedRwLock&) = delete;
  StripedRwLock& operator=(const StripedRwLock&) = delete;

  void lock_shared() {
#ifdef HASHSTORE_TSAN
    __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
#endif
    std::atomic<uint32_t>& mine = stripes_[thread_stripe()].readers;
    mine.fetch_add(1, std::memory_order_seq_cst);
    if (writer_.load(std::memory_order_seq_cst) != 0) lock_shared_slow(mine);
#ifdef HASHSTORE_TSAN
    __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
#endif
  }

  void unlock_shared() {
#ifdef HASHSTORE_TSAN
    __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
#endif
    std::atomic<uint32_t>& mine = stripes_[thread_stripe()].readers;
    if (mine.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
        writer_.load(std::memory_order_seq_cst) != 0) {
      futex_wake_all(mine);  // a writer may sleep until this stripe drains
    }
#ifdef HASHSTORE_TSAN
    __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
#endif
  }

  void lock() {
#ifdef HASHSTORE_TSAN
    __tsan_mutex_pre_lock(this, 0);
#endif
    uint32_t free = 0;
    if (!writer_.compare_exchange_strong(free, 1, std::memory_order_seq_cst)) lock_writer_slow();
    for (Stripe& s : stripes_) {
      if (s.readers.load(std::memory_order_seq_cst) != 0) drain(s.readers);
    }
#ifdef HASHSTORE_TSAN
    __tsan_mutex_post_lock(this, 0, 0);
#endif
  }

  void unlock() {
#ifdef HASHSTORE_TSAN
    __tsan_mutex_pre_unlock(this, 0);
#endif
    if (writer_.exchange(0, std::memory_order_seq_cst) == 2) futex_wake_all(writer_);
#ifdef HASHSTORE_TSAN
    __tsan_mutex_post_unlock(this, 0);
#endif
  }

  // This thread's stripe payload. REQUIRES: the lock held (shared or
  // exclusive) by this thread, or no other thread using the lock; it is
  // this thread's line, but threads past the first kLockStripes share
  // lines, so updates to it must tolerate a lost increment (or be atomic).
  Payload& local() { return stripes_[thread_stripe()].payload; }
  // Every stripe, for summing payloads (values may be a moment old).
  const Stripe* stripes() const { return stripes_; }

 private:
  static constexpr int kSpins = 128;

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  // A reader that found writer_ set: backs out and waits for the writer to
  // finish, then tries again. Returns holding the lock shared.
  void lock_shared_slow(std::atomic<uint32_t>& mine) {
    for (;;) {
      if (mine.fetch_sub(1, std::memory_order_seq_cst) == 1) futex_wake_all(mine);
      wait_writer_gone();
      mine.fetch_add(1, std::memory_order_seq_cst);
      if (writer_.load(std::memory_order_seq_cst) == 0) return;
    }
  }

  // Waits until writer_ is 0 (spin, then sleep marking writer_ as 2).
  void wait_writer_gone() {
    for (int i = 0; i < kSpins; ++i) {
      if (writer_.load(std::memory_order_acquire) == 0) return;
      pause();
    }
    for (;;) {
      uint32_t w = writer_.load(std::memory_order_acquire);
      if (w == 0) return;
      if (w == 1 && !writer_.compare_exchange_weak(w, 2, std::memory_order_acq_rel)) continue;
      futex_wait(writer_, 2);
    }
  }

  // A writer that found writer_ taken (Drepper's futex mutex).
  void lock_writer_slow() {
    for (int i = 0; i < kSpins; ++i) {
      pause();
      uint32_t free = 0;
      if (writer_.load(std::memory_order_relaxed) == 0 &&
          writer_.compare_exchange_weak(free, 1, std::memory_order_seq_cst)) {
        return;
      }
    }
    // Taken with 2: this thread cannot know whether others sleep too, so
    // its unlock wakes them.
    while (writer_.exchange(2, std::memory_order_seq_cst) != 0) futex_wait(writer_, 2);
  }

  // Waits until a stripe's readers are gone (writer_ is held).
  static void drain(std::atomic<uint32_t>& readers) {
    for (int i = 0; i < kSpins; ++i) {
      if (readers.load(std::memory_order_seq_cst) == 0) return;
      pause();
    }
    for (;;) {
      const uint32_t n = readers.load(std::memory_order_seq_cst);
      if (n == 0) return;
      futex_wait(readers, n);
    }
  }

  alignas(kCacheLine) std::atomic<uint32_t> writer_{0};
  Stripe stripes_[kLockStripes];
};

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_RW_LOCK_H_
