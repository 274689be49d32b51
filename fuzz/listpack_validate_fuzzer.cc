// Fuzz target: listpack validation of untrusted bytes.
//
// Property: for any byte string, lp::validate() never reads outside it and
// never crashes; when it accepts, every other reader is safe on those bytes:
// walking forward and backward visits the same number of entries (equal to
// lp::count()), every entry decodes, its string form has the right length
// for an int, and find_field terminates on field/value-shaped lists.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "encoding/listpack.h"

namespace lp = hashstore::internal::lp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exactly sized copy so that AddressSanitizer sees any overread.
  std::vector<uint8_t> bytes(data, data + size);
  if (!lp::validate(bytes.data(), bytes.size(), /*deep=*/true).ok()) return 0;
  const uint8_t* p = bytes.data();
  size_t forward = 0;
  char buf[21];
  for (uint32_t off = lp::first(p); off != lp::end_offset(p); off = lp::next(p, off)) {
    const auto e = lp::get(p, off);
    const auto s = lp::get_string(p, off, buf);
    if (e.is_int && (s.empty() || s.size() > 20)) std::abort();
    ++forward;
  }
  size_t backward = 0;
  for (uint32_t off = lp::last(p); off != hashstore::internal::kLpNone; off = lp::prev(p, off)) {
    ++backward;
  }
  if (forward != backward || forward != lp::count(p)) std::abort();
  if (forward % 2 == 0 && forward > 0) {
    // As a hash: look up every field.
    for (uint32_t off = lp::first(p); off != lp::end_offset(p);
         off = lp::next(p, lp::next(p, off))) {
      if (lp::find_field(p, std::string(lp::get_string(p, off, buf))) == hashstore::internal::kLpNone) {
        std::abort();
      }
    }
  }
  return 0;
}
