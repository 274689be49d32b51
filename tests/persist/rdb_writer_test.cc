// Tests for lib/persist's RDB writer (rdb_writer.h) and the Store-level
// RDB calls: round trips of random stores through the file, the version
// chosen, the exact layout of each hash type written, what is left out,
// the CRC, crash-safe saving, Store::load telling the formats apart, and
// SAVE / BGSAVE with CONFIG snapshot-format rdb. (That redis-server and
// redis-check-rdb accept what is written is tests/rdb's part.)
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"
#include "store/store_internal.h"
#include "persist/rdb_crc64.h"
#include "persist/rdb_format.h"
#include "persist/rdb_reader.h"
#include "persist/rdb_writer.h"
#include "rdb_test_util.h"
#include "scratch_dir.h"

namespace {

using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Store;
namespace rdb = hashstore::internal::rdb;

constexpr int64_t kT0 = 1700000000000;

const std::string& temp_dir() {
  static const ScratchDir dir("hs_rdb_writer_test");
  return dir.path();
}

Options opts(ManualClock* clock, size_t shards = 4) {
  Options o;
  o.clock = clock;
  o.shards = shards;
  return o;
}

hashstore::internal::StoreImpl& impl(Store& s) { return hashstore::internal::StoreInternal::impl(s); }

std::string written(Store& s, rdb::SaveResult* result = nullptr) {
  std::string out;
  rdb::SaveResult r = rdb::write_rdb(impl(s), &out);
  if (result != nullptr) *result = r;
  return out;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A random store: listpack and table hashes, integers, empty and binary
// strings, key TTLs, and (with field_ttls) field TTLs on both encodings.
void fill_random(Store& s, uint32_t seed, int keys, bool field_ttls) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  for (int i = 0; i < keys; ++i) {
    const std::string key = absl::StrCat("k", seed, ":", i, pick(4) == 0 ? std::string("\0\xff", 2) : "");
    const int kind = pick(8);
    const int fields = kind == 0 ? 520 + pick(100) : 1 + pick(10);
    for (int f = 0; f < fields; ++f) {
      std::string value;
      switch (pick(4)) {
        case 0: value = std::to_string(static_cast<int64_t>(rng()) - 2000000000); break;
        case 1: value = ""; break;
        case 2: value = std::string(static_cast<size_t>(pick(20)), '\n'); break;
        default: value = absl::StrCat("v", f); break;
      }
      if (kind == 1 && f == 0) value = std::string(100, 'L');
      const std::string field = pick(3) == 0 ? std::to_string(f) : absl::StrCat("f", f);
      REQUIRE(s.hset(key, field, value).ok());
    }
    if (pick(3) == 0) REQUIRE(s.pexpireat(key, kT0 + 1000 + pick(100000)).ok());
    if (field_ttls && pick(2) == 0) {
      const std::vector<std::string> all = s.hkeys(key);
      std::vector<std::string_view> some;
      for (const std::string& f : all) {
        if (pick(2) == 0) some.push_back(f);
      }
      if (!some.empty()) REQUIRE(s.hpexpireat(key, kT0 + 1000 + pick(100000), some).ok());
    }
  }
}

}  // namespace

TEST_CASE("RDB writer: round trips") {
  ManualClock clock(kT0);
  for (bool field_ttls : {false, true}) {
    for (uint32_t seed = 1; seed <= 4; ++seed) {
      CAPTURE(field_ttls);
      CAPTURE(seed);
      Store a(opts(&clock));
      fill_random(a, seed, 80, field_ttls);
      rdb::SaveResult r;
      const std::string file = written(a, &r);
      CHECK(r.version == (field_ttls ? 12 : 10));
      CHECK(r.bytes == file.size());
      CHECK(r.keys == static_cast<uint64_t>(a.dbsize()));
      CHECK(file.substr(0, 9) == (field_ttls ? "REDIS0012" : "REDIS0010"));
      Store b(opts(&clock, seed % 2 ? 1 : 8));
      auto loaded = rdb::load_rdb_bytes(impl(b), file, "rt");
      REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
      // A listpack with field TTLs goes out in Redis's order (TTL fields
      // first, by TTL): compare its fields as a set, in the same way.
      auto unordered = [](std::map<std::string, KeyImage> m) {
        for (auto& [k, img] : m) {
          std::vector<std::pair<std::pair<std::string, std::string>, int64_t>> f;
          for (size_t i = 0; i < img.fields.size(); ++i) f.push_back({img.fields[i], img.field_ttls[i]});
          std::sort(f.begin(), f.end());
          for (size_t i = 0; i < f.size(); ++i) {
            img.fields[i] = f[i].first;
            img.field_ttls[i] = f[i].second;
          }
        }
        return m;
      };
      const auto before = image_of(a), after = image_of(b);
      CHECK(unordered(after) == unordered(before));
      // Everything else keeps its order.
      for (const auto& [k, img] : before) {
        if (img.encoding == "listpack") CHECK(after.at(k).fields == img.fields);
      }
    }
  }
}

TEST_CASE("RDB writer: layout of each hash type") {
  ManualClock clock(kT0);
  Store s(opts(&clock, 1));

  SUBCASE("a listpack hash: type 16 with the hash's own bytes; key TTL in ms") {
    REQUIRE(s.hset("h", {{"name", "Ann"}, {"n", "7"}}).ok());
    REQUIRE(s.pexpireat("h", kT0 + 500).ok());
    rdbtest::RdbBuilder expect;
    expect.expire_ms(kT0 + 500).listpack_hash("h", rdbtest::listpack({"name", "Ann", "n", "7"}));
    const std::string file = written(s);
    CHECK(contains(file, expect.bytes().substr(9)));
    CHECK(file.substr(0, 9) == "REDIS0010");
  }
  SUBCASE("a table hash: type 4, count, fields and values") {
    REQUIRE(s.hset("t", "f", std::string(80, 'x')).ok());
    REQUIRE(s.object_encoding("t") == "hashtable");
    rdbtest::RdbBuilder expect;
    expect.plain_hash("t", {{"f", std::string(80, 'x')}});
    CHECK(contains(written(s), expect.bytes().substr(9)));
  }
  SUBCASE("field TTLs in a listpack: type 25, TTL fields first in ascending order") {
    REQUIRE(s.hset("h", {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}).ok());
    const std::string_view late[] = {"a"}, early[] = {"c"}, gone[] = {"d"};
    REQUIRE(s.hpexpireat("h", kT0 + 900, late).ok());
    REQUIRE(s.hpexpireat("h", kT0 + 100, early).ok());
    REQUIRE(s.hpexpireat("h", kT0 + 50, gone).ok());
    clock.advance_ms(60);  // d has expired, unread
    rdbtest::RdbBuilder expect;
    expect.key(rdb::kTypeHashListpackEx, "h").le64(kT0 + 100);
    expect.str(rdbtest::listpack({"c", "3", std::to_string(kT0 + 100), "a", "1",
                                  std::to_string(kT0 + 900), "b", "2", "0"}));
    rdb::SaveResult r;
    const std::string file = written(s, &r);
    CHECK(r.version == 12);
    CHECK(contains(file, expect.bytes().substr(9)));
  }
  SUBCASE("field TTLs in a table: type 24, TTLs relative to the earliest") {
    std::vector<hashstore::FieldValue> fields;
    std::vector<std::string> names;
    for (int i = 0; i < 600; ++i) names.push_back(absl::StrCat("f", i));
    for (const std::string& n : names) fields.emplace_back(n, "v");
    REQUIRE(s.hset("t", fields).ok());
    const std::string_view f1[] = {"f1"}, f2[] = {"f2"};
    REQUIRE(s.hpexpireat("t", kT0 + 1000, f1).ok());
    REQUIRE(s.hpexpireat("t", kT0 + 1500, f2).ok());
    rdbtest::RdbBuilder head;
    head.key(rdb::kTypeHashMetadata, "t").le64(kT0 + 1000).len(600);
    rdbtest::RdbBuilder one, two, none;
    one.len(1).str("f1").str("v");
    two.len(501).str("f2").str("v");
    none.len(0).str("f3").str("v");
    const std::string file = written(s);
    CHECK(contains(file, head.bytes().substr(9)));
    CHECK(contains(file, one.bytes().substr(9)));
    CHECK(contains(file, two.bytes().substr(9)));
    CHECK(contains(file, none.bytes().substr(9)));
  }
  SUBCASE("field TTLs that passed or were removed: back to version 10 and plain types") {
    REQUIRE(s.hset("h", {{"a", "1"}, {"b", "2"}}).ok());
    const std::string_view a[] = {"a"}, b[] = {"b"};
    REQUIRE(s.hpexpireat("h", kT0 + 10, a).ok());
    REQUIRE(s.hpexpireat("h", kT0 + 10, b).ok());
    REQUIRE(s.hpersist("h", b) == std::vector<int64_t>{1});
    clock.advance_ms(20);
    rdb::SaveResult r;
    const std::string file = written(s, &r);
    CHECK(r.version == 10);
    rdbtest::RdbBuilder expect;
    expect.listpack_hash("h", rdbtest::listpack({"b", "2"}));
    CHECK(contains(file, expect.bytes().substr(9)));
  }
  SUBCASE("expired keys are left out; the CRC covers every byte") {
    REQUIRE(s.hset("gone", "f", "v").ok());
    REQUIRE(s.pexpireat("gone", kT0 + 1).ok());
    REQUIRE(s.hset("kept", "f", "v").ok());
    clock.advance_ms(5);
    rdb::SaveResult r;
    const std::string file = written(s, &r);
    CHECK(r.keys == 1);
    CHECK_FALSE(contains(file, "gone"));
    const uint64_t crc = rdb::crc64_update(0, file.data(), file.size() - 8);
    std::string tail;
    rdb::put_le64(&tail, crc);
    CHECK(file.substr(file.size() - 8) == tail);
    CHECK(file[file.size() - 9] == '\xff');
  }
}

TEST_CASE("RDB writer: save_rdb to a file") {
  ManualClock clock(kT0);
  Store s(opts(&clock));
  REQUIRE(s.hset("k", "f", "v").ok());
  SUBCASE("crash-safe: the file is replaced whole, no temporary file is left") {
    const std::string path = temp_dir() + "/dump.rdb";
    rdbtest::write_file(path, "old");
    Store::SaveStats stats;
    REQUIRE(s.save(path, Store::SaveFormat::kRdb, &stats).ok());
    const std::string file = rdbtest::read_file(path);
    CHECK(file == written(s));
    CHECK(stats.bytes == file.size());
    CHECK(stats.keys == 1);
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(temp_dir())) entries += e.path().filename() != "dump.rdb";
    CHECK(entries == 0);
  }
  SUBCASE("an error names the path and changes nothing") {
    const absl::Status st = s.save(temp_dir() + "/no/such/dir/x.rdb", Store::SaveFormat::kRdb);
    CHECK_FALSE(st.ok());
    CHECK(std::string(st.message()).find("/no/such/dir/x.rdb") != std::string::npos);
  }
}

TEST_CASE("Store::load tells the formats apart; SAVE with CONFIG snapshot-format rdb") {
  ManualClock clock(kT0);
  Store s(opts(&clock));
  REQUIRE(s.hset("user:1", {{"name", "Ann"}, {"age", "30"}}).ok());
  const std::string rdb_path = temp_dir() + "/a.rdb", hss_path = temp_dir() + "/a.hss";
  REQUIRE(s.save(rdb_path, Store::SaveFormat::kRdb).ok());
  REQUIRE(s.save(hss_path).ok());
  CHECK(rdbtest::read_file(rdb_path).substr(0, 5) == "REDIS");
  CHECK(rdbtest::read_file(hss_path).substr(0, 5) != "REDIS");

  SUBCASE("either file loads") {
    for (const std::string& p : {rdb_path, hss_path}) {
      Store b(opts(&clock));
      Store::LoadStats stats;
      REQUIRE(b.load(p, {}, &stats).ok());
      CHECK(stats.rdb_version == (p == rdb_path ? 10 : 0));
      CHECK(stats.keys == 1);
      CHECK(image_of(b) == image_of(s));
      Store c(opts(&clock));
      REQUIRE(c.load(p).ok());
      CHECK(image_of(c) == image_of(s));
    }
  }
  SUBCASE("skip_unsupported reaches the RDB reader") {
    rdbtest::RdbBuilder b;
    b.key(rdb::kTypeString, "str").str("v").listpack_hash("h", rdbtest::listpack({"f", "v"}));
    rdbtest::write_file(rdb_path, b.finish());
    Store refused(opts(&clock));
    CHECK(refused.load(rdb_path).code() == absl::StatusCode::kUnimplemented);
    Store skipped(opts(&clock));
    Store::LoadStats stats;
    Store::LoadOptions o;
    o.skip_unsupported = true;
    REQUIRE(skipped.load(rdb_path, o, &stats).ok());
    CHECK(stats.keys == 1);
    CHECK(stats.skipped == 1);
  }
  SUBCASE("CONFIG snapshot-format") {
    CHECK(s.execute({"CONFIG", "GET", "snapshot-format"}).elements()[1].string() == "hashstore");
    const hashstore::Reply bad = s.execute({"CONFIG", "SET", "snapshot-format", "json"});
    CHECK(bad.string() ==
          "ERR CONFIG SET failed (possibly related to argument 'snapshot-format') - argument(s) "
          "must be one of the following: hashstore, rdb");
    REQUIRE(s.execute({"CONFIG", "SET", "dir", temp_dir()}).string() == "OK");
    REQUIRE(s.execute({"CONFIG", "SET", "dbfilename", "dump.rdb"}).string() == "OK");
    REQUIRE(s.execute({"CONFIG", "SET", "snapshot-format", "RDB"}).string() == "OK");
    CHECK(s.execute({"CONFIG", "GET", "snapshot-format"}).elements()[1].string() == "rdb");
    REQUIRE(s.execute({"SAVE"}).string() == "OK");
    CHECK(rdbtest::read_file(temp_dir() + "/dump.rdb") == written(s));
    std::filesystem::remove(temp_dir() + "/dump.rdb");
    REQUIRE(s.execute({"BGSAVE"}).string() == "Background saving started");
    REQUIRE(s.wait_bgsave().ok());
    CHECK(rdbtest::read_file(temp_dir() + "/dump.rdb") == written(s));
    REQUIRE(s.execute({"CONFIG", "SET", "snapshot-format", "hashstore"}).string() == "OK");
    REQUIRE(s.execute({"SAVE"}).string() == "OK");
    CHECK(rdbtest::read_file(temp_dir() + "/dump.rdb").substr(0, 6) == "HSSNAP");
  }
}
