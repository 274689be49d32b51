// FuzzInput: reads a fuzzer's bytes as a stream of small numbers; past the
// end it yields zeros, so every decoder terminates on any input.
#ifndef HASHSTORE_FUZZ_FUZZ_INPUT_H_
#define HASHSTORE_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>

struct FuzzInput {
  const uint8_t* p;
  size_t n;

  uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return v;
  }
};

#endif  // HASHSTORE_FUZZ_FUZZ_INPUT_H_
