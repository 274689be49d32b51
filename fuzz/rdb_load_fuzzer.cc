// Fuzz target: the Redis RDB reader on arbitrary bytes.
//
// Property: for any byte string, loading it into an empty Store either
// succeeds or fails with DataLoss or Unimplemented naming a byte offset,
// never reads outside the input, and never crashes; after a failure the
// store is still empty and usable; after a success every key reads back,
// and writing the store as RDB and loading that file again gives the same
// keys, fields and TTLs (field order aside: a hash with field TTLs is
// written in Redis's order). Each input is loaded three ways: as
// Store::load does (CRC checked: real files from the corpus pass, flipped
// bytes are refused), with the CRC comparison off (so the parsing behind it
// sees arbitrary bytes), and with the CRC off and other types skipped (so
// the skipping code sees them too).
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
#include "persist/rdb_reader.h"
#include "persist/rdb_writer.h"

namespace {

namespace rdb = hashstore::internal::rdb;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "rdb_load_fuzzer: %s\n", what);
  std::abort();
}

// Keys, each with its sorted (field, value, TTL) and key TTL.
using Fields = std::vector<std::pair<std::pair<std::string, std::string>, int64_t>>;
using Image = std::vector<std::pair<std::string, std::pair<Fields, int64_t>>>;

Image image(hashstore::Store& s) {
  Image out;
  std::vector<std::string> keys = s.keys("*");
  std::sort(keys.begin(), keys.end());
  for (const std::string& k : keys) {
    Fields fields;
    const auto all = s.hgetall(k);
    std::vector<std::string_view> names;
    for (const auto& fv : all) names.push_back(fv.first);
    const std::vector<int64_t> ttls = s.hpexpiretime(k, names);
    for (size_t i = 0; i < all.size(); ++i) fields.push_back({all[i], ttls[i]});
    std::sort(fields.begin(), fields.end());
    out.push_back({k, {std::move(fields), s.pexpiretime(k)}});
  }
  return out;
}

hashstore::Options options(hashstore::ManualClock* clock) {
  hashstore::Options o;
  o.clock = clock;
  o.shards = 2;
  return o;
}

void check(std::string_view bytes, bool verify, bool skip) {
  hashstore::ManualClock clock(1700000000000);
  hashstore::Store store(options(&clock));
  auto& impl = hashstore::internal::StoreInternal::impl(store);
  rdb::LoadOptions lo;
  lo.verify_checksum = verify;
  lo.skip_unsupported = skip;
  const absl::StatusOr<rdb::LoadResult> r = rdb::load_rdb_bytes(impl, bytes, "fuzz", lo);
  if (!r.ok()) {
    const absl::StatusCode code = r.status().code();
    if (code != absl::StatusCode::kDataLoss && code != absl::StatusCode::kUnimplemented) {
      fail("error other than DataLoss or Unimplemented");
    }
    if (std::string(r.status().message()).find(" at byte ") == std::string::npos) {
      fail("error without an offset");
    }
    if (store.dbsize() != 0) fail("refused file left keys");
    if (!store.hset("k", "f", "v").ok()) fail("store unusable after a refused file");
    return;
  }
  if (static_cast<uint64_t>(store.dbsize()) != r->keys) fail("dbsize differs from keys loaded");
  const Image first = image(store);
  std::string written;
  rdb::write_rdb(impl, &written);
  hashstore::Store again(options(&clock));
  if (!rdb::load_rdb_bytes(hashstore::internal::StoreInternal::impl(again), written, "again")
           .ok()) {
    fail("a written file does not load");
  }
  if (image(again) != first) fail("the written file holds something else");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check(bytes, /*verify=*/true, /*skip=*/false);
  check(bytes, /*verify=*/false, /*skip=*/false);
  check(bytes, /*verify=*/false, /*skip=*/true);
  return 0;
}
