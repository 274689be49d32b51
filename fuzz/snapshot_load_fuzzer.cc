// Fuzz target: Store::load's reader on arbitrary bytes.
//
// Property: for any byte string, loading it into an empty Store either
// succeeds or fails with DataLoss naming a byte offset, never reads outside
// the input, and never crashes; after a failure the store is still empty and
// usable; after a success every key reads back (HGETALL, TTLs), and saving
// the store and loading that file again gives the same keys and fields.
// Each input is loaded twice: once as Store::load does (checksums verified:
// real snapshots from the corpus pass, flipped bytes are refused), and once
// with the checksum comparisons off, so that the record and listpack
// validation behind them sees arbitrary bytes too.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/store.h>

#include "store/store_internal.h"
#include "persist/snapshot_reader.h"
#include "persist/snapshot_writer.h"

namespace {

namespace snap = hashstore::internal::snapshot;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "snapshot_load_fuzzer: %s\n", what);
  std::abort();
}

using Image = std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>;

Image image(hashstore::Store& s) {
  Image out;
  std::vector<std::string> keys = s.keys("*");
  std::sort(keys.begin(), keys.end());
  for (const std::string& k : keys) {
    auto fields = s.hgetall(k);
    std::sort(fields.begin(), fields.end());
    (void)s.pexpiretime(k);
    out.emplace_back(k, std::move(fields));
  }
  return out;
}

void check(std::string_view bytes, bool verify) {
  hashstore::ManualClock clock(1700000000000);
  hashstore::Options options;
  options.clock = &clock;
  options.shards = 2;
  hashstore::Store store(options);
  auto& impl = hashstore::internal::StoreInternal::impl(store);
  snap::LoadOptions lo;
  lo.verify_checksums = verify;
  const absl::StatusOr<snap::LoadResult> r = snap::load_snapshot_bytes(impl, bytes, "fuzz", lo);
  if (!r.ok()) {
    if (r.status().code() != absl::StatusCode::kDataLoss) fail("error other than DataLoss");
    if (std::string(r.status().message()).find(" at byte ") == std::string::npos) {
      fail("error without an offset");
    }
    if (store.dbsize() != 0) fail("refused file left keys");
    if (!store.hset("k", "f", "v").ok()) fail("store unusable after a refused file");
    return;
  }
  if (static_cast<uint64_t>(store.dbsize()) != r->keys) fail("dbsize differs from keys loaded");
  const Image first = image(store);
  // Save and load again: the same keys and fields.
  std::string saved;
  snap::SaveResult sr;
  if (!snap::write_snapshot(
           impl, [&](std::string_view b) { saved.append(b); return absl::OkStatus(); }, &sr)
           .ok()) {
    fail("re-save failed");
  }
  hashstore::Store again(options);
  if (!snap::load_snapshot_bytes(hashstore::internal::StoreInternal::impl(again), saved, "again")
           .ok()) {
    fail("a re-saved store does not load");
  }
  if (image(again) != first) fail("re-saved store differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check(bytes, /*verify=*/true);
  check(bytes, /*verify=*/false);
  return 0;
}
