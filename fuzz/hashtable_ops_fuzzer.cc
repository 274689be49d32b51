// Fuzz target: the open-addressing table (FieldTable) against a std::map
// model.
//
// Property: for any byte string, decoded as a sequence of inserts,
// overwrites (replace), expiry changes that move the entry to another arena
// slot (FieldTable::set_expiry: make + replace_pointer + destroy), detaches,
// erases, lookups, bursts that grow or empty the
// table, scan steps and random draws over a field alphabet of 1,000 names:
//   - after every step the table holds exactly the model's size, and a
//     lookup returns the model's value and expiry;
//   - a full scan, interleaved with any of the other operations, returns
//     every field present from its start to its end, never a field absent
//     at the time of the step, and when nothing changed during it, returns
//     each field exactly once;
//   - random_element returns a present field, or nullptr only when empty;
//   - element_bytes() equals the heap bytes the table's arena holds, whose
//     live slots are exactly the entries';
//   - nothing leaks or is used after free (ASan in the fuzz build; freed
//     arena slots are poisoned).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "encoding/field_entry.h"
#include "fuzz_input.h"

using hashstore::internal::FieldArena;
using hashstore::internal::FieldTable;
namespace field_entry = hashstore::internal::field_entry;

namespace {

struct Value {
  std::string value;
  std::optional<int64_t> expiry;
  bool operator==(const Value&) const = default;
};

void check(bool ok) {
  if (!ok) std::abort();
}

struct Harness {
  FieldTable t;
  std::map<std::string, Value> model;
  // The scan in progress.
  bool scanning = false;
  bool changed = false;  // the table was modified since the scan started
  uint64_t cursor = 0;
  std::multiset<std::string> returned;
  std::set<std::string> stayed;

  explicit Harness(uint64_t seed) : t(seed) {}

  void changed_field(const std::string& f, bool removed) {
    changed = true;
    if (removed) stayed.erase(f);
  }

  void set(const std::string& f, const std::string& v) {
    const uint64_t h = t.hash(f);
    void* e = t.make(f, v, std::nullopt);
    if (t.find(f, h) != nullptr) {
      t.destroy(t.replace(f, h, e));
    } else {
      t.insert(e, h);
    }
    model[f] = Value{v, std::nullopt};
    changed_field(f, false);
  }

  void set_expiry(const std::string& f, std::optional<int64_t> when) {
    const uint64_t h = t.hash(f);
    void* e = t.find(f, h);
    auto it = model.find(f);
    check((e == nullptr) == (it == model.end()));
    if (e == nullptr) return;
    void* moved = t.set_expiry(e, h, when);
    check(t.find(f, h) == moved);
    it->second.expiry = when;
    changed_field(f, false);
  }

  void remove(const std::string& f, bool via_detach) {
    const uint64_t h = t.hash(f);
    const bool present = model.erase(f) == 1;
    if (via_detach) {
      void* e = t.detach(f, h);
      check((e != nullptr) == present);
      if (e != nullptr) {
        check(field_entry::field(e) == f);
        t.destroy(e);
      }
    } else {
      check(t.erase(f, h) == present);
    }
    changed_field(f, true);
  }

  void lookup(const std::string& f) {
    const void* e = t.find(f, t.hash(f));
    auto it = model.find(f);
    check((e == nullptr) == (it == model.end()));
    if (e != nullptr) {
      check(field_entry::value(e) == it->second.value);
      check(field_entry::expiry(e) == it->second.expiry);
    }
  }

  void scan_step() {
    if (!scanning) {
      scanning = true;
      changed = false;
      cursor = 0;
      returned.clear();
      stayed.clear();
      for (const auto& [k, v] : model) stayed.insert(k);
    }
    cursor = t.scan(cursor, [&](void* e) {
      std::string k(field_entry::field(e));
      check(model.count(k) == 1);  // only present fields
      returned.insert(std::move(k));
    });
    if (cursor != 0) return;
    for (const auto& k : stayed) check(returned.count(k) >= 1);
    if (!changed) {
      check(returned.size() == model.size());
      for (const auto& [k, v] : model) check(returned.count(k) == 1);
    }
    scanning = false;
  }

  void random_draw(uint64_t bits) {
    void* e = t.random_element(bits);
    check((e == nullptr) == model.empty());
    if (e != nullptr) check(model.count(std::string(field_entry::field(e))) == 1);
  }

  void check_bytes() {
    size_t small = 0;
    t.for_each([&](const void* e) {
      const size_t n = field_entry::encoded_size(e);
      if (n <= hashstore::internal::kArenaMaxSlot) small += FieldArena::slot_bytes(n);
    });
    const FieldArena::Usage u = t.arena().usage();
    check(u.live_bytes == small);
    check(u.page_bytes + u.large_bytes == t.element_bytes());
    check(u.slot_capacity == u.live_bytes + u.free_bytes + u.tail_bytes + u.lost_bytes);
  }
};

std::string field_name(unsigned n) { return std::string("f").append(std::to_string(n % 1000)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in{data, size};
  Harness hs(in.byte());
  for (int steps = 0; in.n > 0 && steps < 2000; ++steps) {
    const uint8_t op = in.byte() % 16;
    const unsigned lo = in.byte(), hi = in.byte() & 3u;
    const std::string f = field_name(lo | hi << 8);
    switch (op) {
      case 0:
      case 1:
      case 2:
        hs.set(f, std::string(in.byte() % 40, 'v'));
        break;
      case 3:
        hs.set_expiry(f, in.byte() % 3 == 0 ? std::nullopt
                                            : std::optional<int64_t>(static_cast<int8_t>(in.byte())));
        break;
      case 4:
      case 5:
        hs.remove(f, op == 5);
        break;
      case 6:
        hs.lookup(f);
        break;
      case 7:
      case 8:
        hs.scan_step();
        break;
      case 9:
        hs.random_draw(in.u64());
        break;
      case 10: {
        // Burst insert: up to 127 consecutive names, so the table grows.
        const unsigned first = in.byte() * 4u, count = in.byte() % 128;
        for (unsigned i = 0; i < count; ++i) hs.set(field_name(first + i), "b");
        break;
      }
      case 11: {
        // Burst erase: all but every k-th field, so the table shrinks.
        const unsigned keep = in.byte() % 8 + 2;
        unsigned i = 0;
        for (auto it = hs.model.begin(); it != hs.model.end();) {
          const std::string k = (it++)->first;
          if (i++ % keep != 0) hs.remove(k, false);
        }
        break;
      }
      default:  // 12..15: more lookups, the cheapest op
        hs.lookup(f);
        break;
    }
    check(hs.t.size() == hs.model.size());
    if (steps % 64 == 0) hs.check_bytes();
  }
  hs.check_bytes();
  std::map<std::string, Value> got;
  hs.t.for_each([&](const void* e) {
    got.emplace(field_entry::field(e), Value{std::string(field_entry::value(e)), field_entry::expiry(e)});
  });
  check(got == hs.model);
  return 0;
}
