// random_seed(): 64 fresh random bits for per-instance hash seeds, so that
// an attacker who controls field names cannot aim them at one slot.
#ifndef HASHSTORE_UTIL_RANDOM_H_
#define HASHSTORE_UTIL_RANDOM_H_

#include <cstdint>
#include <random>

namespace hashstore::internal {

inline uint64_t random_seed() {
  // One random_device per thread: opening it is costly and it is not
  // documented as thread-safe.
  thread_local std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

}  // namespace hashstore::internal

#endif  // HASHSTORE_UTIL_RANDOM_H_
