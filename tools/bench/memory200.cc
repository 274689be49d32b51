// hashstore-bench workload `memory200`: 1,000 hashes of 200 fields, the
// size where Redis keeps a hash as a listpack (under 512 entries), in bytes
// per field from the allocator, beside the raw payload.
//
// Shape: keys "inv:N" (N = 100000..100999), fields "field:NNN" (NNN = 000 ..
// 199, 9 bytes) -> a quantity 0..99 as a decimal string (1 or 2 bytes,
// average 1.9): a per-player inventory or a per-item counter table. The
// payload counted per field is field name plus value (10.9 bytes); the key
// name, counted once per hash, adds 0.03. Redis 7 stores such a field in its
// listpack as 11 bytes for the field (encoding byte, 9 bytes, back-length)
// and 2 for the value (a 7-bit integer and its back-length): 13 bytes, plus
// its per-key overhead and allocator rounding (about 13.5 in all).
//
// hashstore goes through Store::hset (one call per hash, all 200 pairs);
// the baseline is the nested flat_hash_map keyspace.
#include <malloc.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <hashstore/store.h>

#include "bench_common.h"

namespace bench {

namespace {

constexpr size_t kHashes = 1000;
constexpr size_t kFields = 200;

struct Shape {
  std::vector<std::string> keys;
  std::vector<std::string> fields;                // kFields names
  std::vector<std::vector<std::string>> values;  // [hash][field]
  size_t payload = 0;                             // field + value bytes, all hashes
};

Shape make_shape() {
  Shape s;
  for (size_t f = 0; f < kFields; ++f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "field:%03zu", f);
    s.fields.emplace_back(buf);
  }
  for (size_t h = 0; h < kHashes; ++h) {
    s.keys.push_back(std::string("inv:").append(std::to_string(100000 + h)));
    std::vector<std::string> vals;
    for (size_t f = 0; f < kFields; ++f) {
      vals.push_back(std::to_string((h * 31 + f * 37) % 100));
      s.payload += s.fields[f].size() + vals.back().size();
    }
    s.values.push_back(std::move(vals));
  }
  return s;
}

// Bytes per field for building every hash with `build` (bytes_per_field:
// the larger of heap and resident-set growth); `clear` releases them.
template <class Build, class Clear>
double per_field(Build build, Clear clear) {
  return bytes_per_field(1, [&](size_t) { build(); }, clear) /
         static_cast<double>(kHashes * kFields);
}

}  // namespace

void memory200(int rounds) {
  const Shape s = make_shape();
  std::vector<double> ours, theirs;
  for (int r = 0; r < rounds; ++r) {
    progress("memory200", r, rounds);
    {
      auto store = std::make_unique<hashstore::Store>();
      std::vector<hashstore::FieldValue> pairs(kFields);
      ours.push_back(per_field(
          [&] {
            for (size_t h = 0; h < kHashes; ++h) {
              for (size_t f = 0; f < kFields; ++f) pairs[f] = {s.fields[f], s.values[h][f]};
              (void)store->hset(s.keys[h], pairs);
            }
          },
          [&] { store.reset(); }));
    }
    {
      auto ks = std::make_unique<BaselineKeyspace>();
      theirs.push_back(per_field(
          [&] {
            for (size_t h = 0; h < kHashes; ++h) {
              Baseline& m = (*ks)[s.keys[h]];
              for (size_t f = 0; f < kFields; ++f) m.emplace(s.fields[f], s.values[h][f]);
            }
          },
          [&] { ks.reset(); }));
    }
  }
  done_progress();
  report("memory200", "bytes/field, 1000 hashes of 200", "bytes", ours, theirs, true);
  const double payload = static_cast<double>(s.payload) / static_cast<double>(kHashes * kFields);
  report("memory200", "payload bytes/field (both)", "bytes", {payload}, {payload}, true);
  std::printf("%-16s %-38s %14.2f %14.2f\n", "memory200", "bytes/field / payload",
              median(ours) / payload, median(theirs) / payload);
}

}  // namespace bench
