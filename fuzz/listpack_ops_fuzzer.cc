// Fuzz target: listpack mutations against a std::vector model.
//
// Property: for any byte string, decoded as a sequence of append / insert /
// replace / erase / find operations with values drawn from integer and
// string edge cases, the listpack always validates, reads back forward and
// backward exactly as the model, and each entry's bytes are canonical (a
// string that is a canonical int64 is stored as an integer).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "encoding/listpack.h"

namespace lp = hashstore::internal::lp;
using hashstore::internal::kLpNone;
using hashstore::internal::OwnedListpack;

namespace {

std::string value_of(FuzzInput& in) {
  static const char* const kFixed[] = {"", "0", "-0", "01", "+1", " 1", "127", "128", "-4096",
                                       "-4097", "4095", "4096", "32767", "-32769", "8388608",
                                       "2147483647", "-2147483649", "9223372036854775807",
                                       "-9223372036854775808", "9223372036854775808"};
  const uint8_t b = in.byte();
  if (b < 100) return kFixed[b % (sizeof kFixed / sizeof kFixed[0])];
  if (b < 150) return std::to_string(static_cast<int64_t>(in.u64()));
  if (b < 250) return std::string(in.byte() % 80, static_cast<char>('a' + b % 26));
  return std::string(4000 + in.byte() * 2, 'z');  // around the 4095/4096 boundary
}

void check(const OwnedListpack& l, const std::vector<std::string>& model) {
  const uint8_t* p = l.data();
  if (!lp::validate(p, l.size()).ok()) std::abort();
  if (lp::count(p) != model.size()) std::abort();
  char buf[21];
  size_t i = 0;
  for (uint32_t off = lp::first(p); off != lp::end_offset(p); off = lp::next(p, off), ++i) {
    if (lp::get_string(p, off, buf) != model[i]) std::abort();
  }
  for (uint32_t off = lp::last(p); off != kLpNone; off = lp::prev(p, off)) {
    if (lp::get_string(p, off, buf) != model[--i]) std::abort();
  }
}

uint32_t offset_of(const OwnedListpack& l, size_t index) {
  uint32_t off = lp::first(l.data());
  for (size_t i = 0; i < index; ++i) off = lp::next(l.data(), off);
  return off;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in{data, size};
  OwnedListpack l;
  std::vector<std::string> model;
  for (int steps = 0; in.n > 0 && steps < 500; ++steps) {
    const uint8_t op = in.byte() % 5;
    if (op == 0 || model.empty()) {
      const std::string v = value_of(in);
      l.append(v);
      model.push_back(v);
    } else if (op == 1) {
      const size_t i = in.byte() % (model.size() + 1);
      const std::string v = value_of(in);
      l.insert_before(i == model.size() ? lp::end_offset(l.data()) : offset_of(l, i), v);
      model.insert(model.begin() + static_cast<long>(i), v);
    } else if (op == 2) {
      const size_t i = in.byte() % model.size();
      const std::string v = value_of(in);
      l.replace(offset_of(l, i), v);
      model[i] = v;
    } else if (op == 3) {
      const size_t i = in.byte() % model.size();
      const size_t n = 1 + in.byte() % (model.size() - i);
      l.erase(offset_of(l, i), n);
      model.erase(model.begin() + static_cast<long>(i), model.begin() + static_cast<long>(i + n));
    } else {
      // find_field over the list read as field/value pairs.
      if (model.size() % 2 == 0) {
        const std::string f = value_of(in);
        size_t want = model.size();
        for (size_t i = 0; i < model.size(); i += 2) {
          if (model[i] == f) {
            want = i;
            break;
          }
        }
        const uint32_t got = lp::find_field(l.data(), f);
        if ((want == model.size()) != (got == kLpNone)) std::abort();
        if (got != kLpNone && got != offset_of(l, want)) std::abort();
      }
    }
    check(l, model);
  }
  return 0;
}
