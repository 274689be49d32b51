// small_store_options: the Store the store fuzzers build (store_ops,
// pipeline) — 2 shards, and the listpack -> table conversion at 5 fields or
// a 17-byte string, so that short inputs reach both encodings; clock is the
// fuzzer's ManualClock.
#ifndef HASHSTORE_FUZZ_SMALL_STORE_H_
#define HASHSTORE_FUZZ_SMALL_STORE_H_

#include <hashstore/clock.h>
#include <hashstore/options.h>

inline hashstore::Options small_store_options(const hashstore::Clock* clock) {
  hashstore::Options opt;
  opt.clock = clock;
  opt.hash_max_listpack_entries = 4;
  opt.hash_max_listpack_value = 16;
  opt.shards = 2;
  return opt;
}

#endif  // HASHSTORE_FUZZ_SMALL_STORE_H_
