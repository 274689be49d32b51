// thread_rng(): random bits for HRANDFIELD, RANDOMKEY and the LFU counter's
// coin: one generator per thread, so that readers sharing a shard never
// share a generator (defined in store.cc).
#ifndef HASHSTORE_STORE_THREAD_RNG_H_
#define HASHSTORE_STORE_THREAD_RNG_H_

#include "absl/random/random.h"

namespace hashstore::internal {

absl::BitGen& thread_rng();

}  // namespace hashstore::internal

#endif  // HASHSTORE_STORE_THREAD_RNG_H_
