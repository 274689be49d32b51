// Tests for lib/persist's snapshots: Store::save / Store::load round trips
// (both encodings, key and field TTLs), what load refuses (every bit flip and
// every truncation of a small snapshot, crafted records with valid
// checksums), and a non-empty store.
#include <doctest/doctest.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"
#include "store/store_internal.h"
#include "encoding/listpack.h"
#include "persist/snapshot_format.h"
#include "persist/snapshot_reader.h"
#include "store/store_impl.h"
#include "key_image.h"
#include "scratch_dir.h"

namespace {

using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Store;
namespace snap = hashstore::internal::snapshot;

constexpr int64_t kT0 = 1700000000000;

// Removed with its files when the program exits.
const std::string& temp_dir() {
  static const ScratchDir dir("hs_snapshot_test");
  return dir.path();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Options opts(ManualClock* clock, size_t shards = 4) {
  Options o;
  o.clock = clock;
  o.shards = shards;
  return o;
}

std::vector<std::string> all_keys(Store& s) {
  std::vector<std::string> keys = s.keys("*");
  std::sort(keys.begin(), keys.end());
  return keys;
}

// A random store: small listpack hashes, hashes over 512 fields, hashes with
// a long value (tables), key TTLs, field TTLs on both encodings.
void fill_random(Store& s, uint32_t seed, int keys) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  for (int i = 0; i < keys; ++i) {
    const std::string key = absl::StrCat("k", seed, ":", i);
    const int kind = pick(10);
    const int fields = kind == 0 ? 600 + pick(200) : 1 + pick(12);
    for (int f = 0; f < fields; ++f) {
      std::string value;
      switch (pick(4)) {
        case 0: value = std::to_string(static_cast<int64_t>(rng()) - 2000000000); break;
        case 1: value = ""; break;
        case 2: value = std::string(static_cast<size_t>(pick(20)), 'v'); break;
        default: value = "val" + std::to_string(f); break;
      }
      if (kind == 1 && f == 0) value = std::string(100, 'L');  // converts to a table
      const std::string field = pick(3) == 0 ? std::to_string(f) : absl::StrCat("f", f);
      REQUIRE(s.hset(key, field, value).ok());
    }
    if (pick(3) == 0) REQUIRE(s.pexpireat(key, kT0 + 1000 + pick(100000)).ok());
    if (pick(3) == 0) {
      const std::vector<std::string> all = s.hkeys(key);
      std::vector<std::string_view> some;
      for (const std::string& f : all) {
        if (pick(2) == 0) some.push_back(f);
      }
      if (!some.empty()) REQUIRE(s.hpexpireat(key, kT0 + 1000 + pick(100000), some).ok());
    }
  }
}

std::string save_bytes(Store& s, const std::string& name) {
  const std::string path = temp_dir() + "/" + name;
  REQUIRE(s.save(path).ok());
  return read_file(path);
}

absl::Status load_bytes(Store& s, const std::string& bytes) {
  return snap::load_snapshot_bytes(hashstore::internal::StoreInternal::impl(s), bytes, "test")
      .status();
}

// A file around the given record payloads, one block each, checksums right.
std::string craft(const std::vector<std::string>& records) {
  std::string f(snap::kMagic, 8);
  snap::put_u32(&f, snap::kVersion);
  snap::put_u32(&f, 0);
  snap::put_u64(&f, static_cast<uint64_t>(kT0));
  snap::put_u32(&f, 1);
  snap::put_u32(&f, 0);
  snap::put_u64(&f, XXH3_64bits(f.data(), f.size()));
  for (const std::string& r : records) {
    const size_t start = f.size();
    f.push_back(static_cast<char>(snap::kBlockKeys));
    snap::put_u32(&f, static_cast<uint32_t>(r.size()));
    snap::put_u32(&f, 1);
    f += r;
    snap::put_u64(&f, XXH3_64bits(f.data() + start, f.size() - start));
  }
  f.push_back(static_cast<char>(snap::kTrailerType));
  snap::put_u64(&f, records.size());
  snap::put_u64(&f, XXH3_64bits(f.data(), f.size()));
  return f;
}

// A listpack record for key with the given entries (triplets when ttls).
std::string lp_record(const std::string& key, const std::vector<std::string>& entries,
                      bool ttls = false, std::optional<int64_t> key_ttl = std::nullopt) {
  hashstore::internal::OwnedListpack lp;
  for (const std::string& e : entries) lp.append(e);
  std::string r(1, static_cast<char>((ttls ? snap::kRecFieldTtls : 0) |
                                     (key_ttl ? snap::kRecKeyTtl : 0)));
  snap::put_varint(&r, key.size());
  r += key;
  if (key_ttl) snap::put_u64(&r, static_cast<uint64_t>(*key_ttl));
  snap::put_u32(&r, static_cast<uint32_t>(lp.size()));
  r.append(reinterpret_cast<const char*>(lp.data()), lp.size());
  return r;
}

}  // namespace

TEST_CASE("Store::save and Store::load round trip") {
  ManualClock clock(kT0);
  SUBCASE("random stores, both encodings, key and field TTLs") {
    for (uint32_t seed = 1; seed <= 6; ++seed) {
      CAPTURE(seed);
      Store a(opts(&clock));
      fill_random(a, seed, 60);
      const auto before = image_of(a);
      REQUIRE(!before.empty());
      const std::string path = temp_dir() + "/rt.hss";
      REQUIRE(a.save(path).ok());
      Store b(opts(&clock, seed % 2 ? 1 : 16));  // another shard count
      const absl::Status st = b.load(path);
      REQUIRE_MESSAGE(st.ok(), st.message());
      CHECK(image_of(b) == before);
      CHECK(b.dbsize() == a.dbsize());
      // Both encodings and field TTLs were there.
      bool table = false, listpack = false, field_ttl = false;
      for (const auto& [k, img] : before) {
        table |= img.encoding == "hashtable";
        listpack |= img.encoding == "listpack" || img.encoding == "listpackex";
        for (int64_t t : img.field_ttls) field_ttl |= t > 0;
      }
      CHECK(table);
      CHECK(listpack);
      CHECK(field_ttl);
      // The loaded store is fully usable: writes, field TTL reclaim, expiry.
      CHECK(b.hset("new", "f", "v").ok());
      clock.advance_ms(200000);
      b.expire_cycle(1000000);
      a.expire_cycle(1000000);
      CHECK(image_of(b).size() == image_of(a).size() + 1);
      clock.set_ms(kT0);
    }
  }
  SUBCASE("an empty store") {
    Store a(opts(&clock));
    const std::string bytes = save_bytes(a, "empty.hss");
    CHECK(bytes.size() == snap::kHeaderSize + snap::kTrailerSize);
    Store b(opts(&clock));
    CHECK(load_bytes(b, bytes).ok());
    CHECK(b.dbsize() == 0);
  }
  SUBCASE("keys and fields whose TTL passed while the file rested are left out") {
    Store a(opts(&clock));
    REQUIRE(a.hset("gone", "f", "v").ok());
    REQUIRE(a.pexpireat("gone", kT0 + 100).ok());
    REQUIRE(a.hset("stays", {{"a", "1"}, {"b", "2"}, {"c", "3"}}).ok());
    const std::vector<std::string_view> ab = {"a", "b"};
    REQUIRE(a.hpexpireat("stays", kT0 + 100, ab).ok());
    const std::vector<std::string_view> c = {"c"};
    REQUIRE(a.hpexpireat("stays", kT0 + 5000, c).ok());
    REQUIRE(a.hset("allgone", {{"x", "1"}, {"y", "2"}}).ok());
    const std::vector<std::string_view> xy = {"x", "y"};
    REQUIRE(a.hpexpireat("allgone", kT0 + 100, xy).ok());
    for (int i = 0; i < 600; ++i) REQUIRE(a.hset("big", absl::StrCat("f", i), "v").ok());
    REQUIRE(a.hpexpireat("big", kT0 + 100, ab).ok());
    const std::vector<std::string_view> f0 = {"f0"};
    REQUIRE(a.hpexpireat("big", kT0 + 100, f0).ok());
    const std::string bytes = save_bytes(a, "ttl.hss");
    clock.advance_ms(1000);
    Store b(opts(&clock));
    REQUIRE(load_bytes(b, bytes).ok());
    CHECK(all_keys(b) == std::vector<std::string>{"big", "stays"});
    CHECK(b.hgetall("stays") == std::vector<std::pair<std::string, std::string>>{{"c", "3"}});
    CHECK(b.hpexpiretime("stays", c) == std::vector<int64_t>{kT0 + 5000});
    CHECK(b.hlen("big") == 599);
    // The loaded listpack's bounds are right: c expires on time.
    clock.advance_ms(5000);
    CHECK(b.exists({"stays"}) == 0);
  }
  SUBCASE("a listpack over the loading store's thresholds becomes a table") {
    Store a(opts(&clock));
    REQUIRE(a.hset("h", {{"a", "1"}, {"b", "2"}, {"c", "3"}}).ok());
    const std::string bytes = save_bytes(a, "conv.hss");
    Options o = opts(&clock);
    o.hash_max_listpack_entries = 2;
    Store b(o);
    REQUIRE(load_bytes(b, bytes).ok());
    CHECK(b.object_encoding("h") == "hashtable");
    CHECK(b.hlen("h") == 3);
  }
}

TEST_CASE("Store::load refuses damaged files") {
  ManualClock clock(kT0);
  Store a(opts(&clock, 2));
  REQUIRE(a.hset("user:1", {{"name", "Alice"}, {"n", "12"}}).ok());
  REQUIRE(a.pexpireat("user:1", kT0 + 100000).ok());
  REQUIRE(a.hset("t", "long", std::string(70, 'x')).ok());  // a table
  const std::vector<std::string_view> name = {"name"};
  REQUIRE(a.hpexpireat("user:1", kT0 + 50000, name).ok());
  const std::string good = save_bytes(a, "small.hss");
  REQUIRE(good.size() < 400);
  {
    Store ok(opts(&clock));
    REQUIRE(load_bytes(ok, good).ok());
    CHECK(ok.dbsize() == 2);
  }

  SUBCASE("every single-bit flip") {
    Store b(opts(&clock));
    for (size_t byte = 0; byte < good.size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = good;
        bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
        const absl::Status st = load_bytes(b, bad);
        CAPTURE(byte);
        CAPTURE(bit);
        REQUIRE(!st.ok());
        CHECK(st.code() == absl::StatusCode::kDataLoss);
        CHECK(st.message().find(" at byte ") != std::string_view::npos);
      }
    }
    CHECK(b.dbsize() == 0);
    CHECK(b.hset("still", "usable", "yes").ok());
  }
  SUBCASE("every truncation, and extra bytes") {
    Store b(opts(&clock));
    for (size_t n = 0; n < good.size(); ++n) {
      CAPTURE(n);
      const absl::Status st = load_bytes(b, good.substr(0, n));
      REQUIRE(!st.ok());
      CHECK(st.code() == absl::StatusCode::kDataLoss);
    }
    CHECK(!load_bytes(b, good + '\0').ok());
    CHECK(b.dbsize() == 0);
    REQUIRE(load_bytes(b, good).ok());
  }
  SUBCASE("messages say what and where") {
    Store b(opts(&clock));
    std::string bad = good;
    bad[0] = 'X';
    CHECK(load_bytes(b, bad).message() ==
          "ERR snapshot test: not a hashstore snapshot (bad magic) at byte 0");
    bad = good;
    bad[snap::kHeaderSize + 12] ^= 1;
    CHECK(load_bytes(b, bad).message().find("checksum mismatch in the block of") !=
          std::string_view::npos);
    CHECK(load_bytes(b, good.substr(0, 20)).message() ==
          "ERR snapshot test: truncated: 20 bytes, less than a header at byte 0");
    const std::string path = temp_dir() + "/truncated.hss";
    write_file(path, good.substr(0, good.size() - 1));
    const absl::Status st = b.load(path);
    CHECK(st.code() == absl::StatusCode::kDataLoss);
    CHECK(st.message().find(path) != std::string_view::npos);
    CHECK(b.load(temp_dir() + "/missing.hss").code() == absl::StatusCode::kNotFound);
  }
  SUBCASE("a store that holds keys is not touched") {
    Store b(opts(&clock));
    REQUIRE(b.hset("mine", "f", "v").ok());
    const absl::Status st = load_bytes(b, good);
    CHECK(st.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(st.message() == "ERR load: the store is not empty");
    CHECK(all_keys(b) == std::vector<std::string>{"mine"});
  }
}

TEST_CASE("snapshot records are validated even with valid checksums") {
  ManualClock clock(kT0);
  Store b(opts(&clock));
  auto refused = [&](const std::vector<std::string>& records, std::string_view what) {
    const absl::Status st = load_bytes(b, craft(records));
    INFO(st.message());
    CHECK(st.code() == absl::StatusCode::kDataLoss);
    CHECK(std::string(st.message()).find(what) != std::string::npos);
    CHECK(b.dbsize() == 0);
  };
  REQUIRE(load_bytes(b, craft({lp_record("k", {"f", "v"})})).ok());
  CHECK(b.hget("k", "f") == "v");
  b.flushall();
  refused({lp_record("k", {"f", "v", "g"})}, "not a multiple of 2");
  refused({lp_record("k", {"f", "v", "f", "w"})}, "duplicate field");
  refused({lp_record("k", {"1", "v", "1", "w"})}, "duplicate field");
  refused({lp_record("k", {})}, "empty hash");
  refused({lp_record("k", {"f", "v"}), lp_record("k", {"g", "v"})}, "duplicate key");
  refused({lp_record("k", {"f", "v", "x"}, true)}, "field TTL entry is not a non-negative");
  refused({lp_record("k", {"f", "v", "-5"}, true)}, "field TTL entry is not a non-negative");
  {
    std::string r = lp_record("k", {"f", "v"});
    r[0] = static_cast<char>(0x40);
    refused({r}, "unknown record flags");
    r = lp_record("k", {"f", "v"});
    r[r.size() - 1] = 0;  // the listpack's end byte
    refused({r}, "bad listpack");
    r = lp_record("k", {"f", "v"});
    r.resize(r.size() - 3);
    refused({r}, "exceeds the");
  }
  {
    // A table record: two fields with the same name.
    std::string r(1, static_cast<char>(snap::kRecTable));
    snap::put_varint(&r, 1);
    r += "t";
    snap::put_varint(&r, 2);
    for (int i = 0; i < 2; ++i) {
      r.push_back(0);
      snap::put_varint(&r, 1);
      r += "f";
      snap::put_varint(&r, 1);
      r += "v";
    }
    refused({r}, "duplicate field");
    std::string big(1, static_cast<char>(snap::kRecTable));
    snap::put_varint(&big, 1);
    big += "t";
    snap::put_varint(&big, uint64_t{1} << 40);
    refused({big}, "field count");
  }
  // A triplet listpack with a key TTL and field TTLs loads with both.
  REQUIRE(load_bytes(b, craft({lp_record("k", {"f", "v", std::to_string(kT0 + 500), "g", "w",
                                               "0"},
                                          true, kT0 + 9000)}))
              .ok());
  const std::vector<std::string_view> fg = {"f", "g"};
  CHECK(b.hpexpiretime("k", fg) == std::vector<int64_t>{kT0 + 500, -1});
  CHECK(b.pexpiretime("k") == kT0 + 9000);
  clock.advance_ms(600);
  CHECK(b.hgetall("k") == std::vector<std::pair<std::string, std::string>>{{"g", "w"}});
}
