// Fuzz target: the open-addressing table against a std::map model.
//
// Property: for any byte string, decoded as inserts, overwrites, erases,
// lookups, scan steps and random draws over a small field alphabet, the
// table holds exactly the model's fields and values after every step; a
// full scan started at any point and interleaved with the other operations
// returns every field present throughout it; random_element only returns
// present fields; element_bytes equals the sum of the elements' footprints.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "fuzz_input.h"
#include "encoding/field_entry.h"
#include "util/heap.h"

using hashstore::internal::FieldTable;
namespace field_entry = hashstore::internal::field_entry;

namespace {

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in{data, size};
  FieldTable t(in.byte());
  std::map<std::string, std::string> model;
  // A scan in progress: its cursor, what it returned, and the fields present
  // since it started (only those must be returned).
  bool scanning = false;
  uint64_t cursor = 0;
  std::set<std::string> returned, stayed;
  for (int steps = 0; in.n > 0 && steps < 3000; ++steps) {
    const uint8_t op = in.byte() % 8;
    // Fields: 1..4 bytes so that bursts can fill and empty the table.
    std::string f = "f";
    f += std::to_string(in.byte() * (op == 0 ? 37 : 1) % 600);
    const uint64_t h = t.hash(f);
    if (op <= 2) {
      const std::string v(in.byte() % 40, 'v');
      void* e = field_entry::make(f, v, std::nullopt);
      if (t.find(f, h) != nullptr) {
        field_entry::destroy(t.replace(f, h, e));
      } else {
        t.insert(e, h);
      }
      model[f] = v;
    } else if (op <= 4) {
      if (t.erase(f, h) != (model.erase(f) == 1)) std::abort();
      stayed.erase(f);
    } else if (op == 5) {
      const void* e = t.find(f, h);
      auto it = model.find(f);
      if ((e == nullptr) != (it == model.end())) std::abort();
      if (e != nullptr && field_entry::value(e) != it->second) std::abort();
    } else if (op == 6) {
      if (!scanning) {
        scanning = true;
        cursor = 0;
        returned.clear();
        stayed.clear();
        for (const auto& [k, v] : model) stayed.insert(k);
      }
      cursor = t.scan(cursor, [&](void* e) {
        std::string k(field_entry::field(e));
        if (model.count(k) == 0) std::abort();  // only present fields
        returned.insert(std::move(k));
      });
      if (cursor == 0) {
        for (const auto& k : stayed) {
          if (returned.count(k) == 0) std::abort();
        }
        scanning = false;
      }
    } else {
      void* e = t.random_element(static_cast<uint64_t>(in.byte()) * 0x9E3779B97F4A7C15ull);
      if ((e == nullptr) != model.empty()) std::abort();
      if (e != nullptr && model.count(std::string(field_entry::field(e))) == 0) std::abort();
    }
    if (t.size() != model.size()) std::abort();
  }
  size_t bytes = 0;
  std::map<std::string, std::string> got;
  t.for_each([&](const void* e) {
    bytes += hashstore::internal::heap_footprint(e);
    got.emplace(field_entry::field(e), field_entry::value(e));
  });
  if (got != model || bytes != t.element_bytes()) std::abort();
  return 0;
}
