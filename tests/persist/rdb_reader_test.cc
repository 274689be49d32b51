// Tests for lib/persist's RDB reader (rdb_reader.h, with rdb_input,
// rdb_hash and rdb_skip behind it): every hash encoding and string
// encoding, the records it steps over, keys of other types and databases
// (refused or skipped), and what it refuses — crafted files whose CRC is
// right, so that each check is reached on its own.
#include <doctest/doctest.h>
#include <lzf.h>

#include <string>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"
#include "store/store_internal.h"
#include "persist/rdb_reader.h"
#include "rdb_test_util.h"

namespace {

using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Store;
using rdbtest::RdbBuilder;
namespace rdb = hashstore::internal::rdb;

constexpr int64_t kT0 = 1700000000000;

Options opts(ManualClock* clock, size_t shards = 4) {
  Options o;
  o.clock = clock;
  o.shards = shards;
  return o;
}

absl::StatusOr<rdb::LoadResult> load(Store& s, const std::string& bytes,
                                     bool skip_unsupported = false) {
  rdb::LoadOptions o;
  o.skip_unsupported = skip_unsupported;
  return rdb::load_rdb_bytes(hashstore::internal::StoreInternal::impl(s), bytes, "t.rdb", o);
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// A listpack of short strings stored as strings even when they look like
// integers (a non-canonical listpack, which Redis never writes).
std::string raw_string_listpack(const std::vector<std::string>& entries) {
  std::string body;
  for (const std::string& e : entries) {
    REQUIRE(e.size() < 64);
    body.push_back(static_cast<char>(0x80 | e.size()));
    body += e;
    body.push_back(static_cast<char>(1 + e.size()));
  }
  const size_t total = 6 + body.size() + 1;
  std::string lp;
  for (int i = 0; i < 4; ++i) lp.push_back(static_cast<char>(total >> (8 * i)));
  lp.push_back(static_cast<char>(entries.size()));
  lp.push_back('\0');
  return lp + body + "\xff";
}

// LZF-compressed string encoding of s (which must compress).
std::string lzf_string(const std::string& s) {
  std::string c(s.size(), '\0');
  const unsigned n = lzf_compress(s.data(), static_cast<unsigned>(s.size()), c.data(),
                                  static_cast<unsigned>(s.size() - 1));
  REQUIRE(n > 0);
  c.resize(n);
  std::string out(1, static_cast<char>(0xC3));
  rdb::put_len(&out, c.size());
  rdb::put_len(&out, s.size());
  return out + c;
}

// The message of a refused load (CHECKed to be refused).
std::string refusal(Store& s, const std::string& bytes, bool skip = false) {
  absl::StatusOr<rdb::LoadResult> r = load(s, bytes, skip);
  CHECK_FALSE(r.ok());
  CHECK(s.dbsize() == 0);
  return r.ok() ? std::string() : std::string(r.status().message());
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("RDB reader: hash encodings") {
  ManualClock clock(kT0);
  Store s(opts(&clock));

  SUBCASE("type 16, a listpack: kept as it is") {
    RdbBuilder b;
    b.listpack_hash("user:1", rdbtest::listpack({"name", "Ann", "age", "30", "", ""}));
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->version == 10);
    CHECK(r->keys == 1);
    CHECK(s.object_encoding("user:1") == "listpack");
    CHECK(s.hgetall("user:1") == Pairs{{"name", "Ann"}, {"age", "30"}, {"", ""}});
    CHECK(s.pttl("user:1") == -1);
  }
  SUBCASE("type 4, plain: a listpack within the thresholds, else a table") {
    Pairs big;
    for (int i = 0; i < 600; ++i) big.emplace_back(absl::StrCat("f", i), std::to_string(i));
    RdbBuilder b;
    b.plain_hash("small", {{"a", "1"}, {"b", "x"}})
        .plain_hash("big", big)
        .plain_hash("long", {{"a", std::string(65, 'v')}});
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(s.object_encoding("small") == "listpack");
    CHECK(s.hgetall("small") == Pairs{{"a", "1"}, {"b", "x"}});
    CHECK(s.object_encoding("big") == "hashtable");
    CHECK(s.hlen("big") == 600);
    CHECK(s.hget("big", "f599") == "599");
    CHECK(s.object_encoding("long") == "hashtable");
  }
  SUBCASE("a listpack over the store's thresholds becomes a table") {
    std::vector<std::string> entries;
    for (int i = 0; i < 10; ++i) {
      entries.push_back(absl::StrCat("f", i));
      entries.push_back("v");
    }
    Options o = opts(&clock);
    o.hash_max_listpack_entries = 8;
    Store small(o);
    RdbBuilder b;
    b.listpack_hash("h", rdbtest::listpack(entries));
    REQUIRE(load(small, b.finish()).ok());
    CHECK(small.object_encoding("h") == "hashtable");
    CHECK(small.hlen("h") == 10);
  }
  SUBCASE("a listpack holding integers as strings is rebuilt in canonical form") {
    RdbBuilder b;
    b.listpack_hash("h", raw_string_listpack({"12", "-5", "x", "007"}));
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(s.hgetall("h") == Pairs{{"12", "-5"}, {"x", "007"}});
    CHECK(s.hget("h", "12") == "-5");
    CHECK(s.hincrby("h", "12", 1).value() == -4);
  }
  SUBCASE("type 13, a ziplist (Redis 6)") {
    RdbBuilder b(9);
    b.key(rdb::kTypeHashZiplist, "z")
        .str(rdbtest::ziplist({"name", "Bo", "7", "-70000", "big", "9223372036854775807"}));
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->version == 9);
    CHECK(s.object_encoding("z") == "listpack");
    CHECK(s.hgetall("z") ==
          Pairs{{"name", "Bo"}, {"7", "-70000"}, {"big", "9223372036854775807"}});
  }
  SUBCASE("type 9, a zipmap (Redis 2.4)") {
    RdbBuilder b(9);
    b.key(rdb::kTypeHashZipmap, "zm").str(rdbtest::zipmap({{"foo", "bar"}, {"n", "42"}}));
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(s.hgetall("zm") == Pairs{{"foo", "bar"}, {"n", "42"}});
  }
  SUBCASE("type 25, listpack with field TTLs (Redis 7.4)") {
    const int64_t t1 = kT0 + 5000, t2 = kT0 + 9000;
    RdbBuilder b(12);
    b.key(rdb::kTypeHashListpackEx, "lx")
        .le64(kT0 - 10)
        .str(rdbtest::listpack({"gone", "x", std::to_string(kT0 - 10), "a", "1",
                                std::to_string(t1), "b", "2", std::to_string(t2), "c", "3",
                                "0"}));
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->version == 12);
    CHECK(s.hgetall("lx") == Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}});
    const std::string_view f[] = {"a", "b", "c", "gone"};
    CHECK(s.hpexpiretime("lx", f) == std::vector<int64_t>{t1, t2, -1, -2});
    clock.advance_ms(9000);
    CHECK(s.hgetall("lx") == Pairs{{"c", "3"}});
  }
  SUBCASE("type 23, listpack with field TTLs (7.4 release candidates)") {
    RdbBuilder b(12);
    b.key(rdb::kTypeHashListpackExPreGa, "lx")
        .str(rdbtest::listpack({"a", "1", std::to_string(kT0 + 100), "b", "2", "0"}));
    REQUIRE(load(s, b.finish()).ok());
    const std::string_view f[] = {"a", "b"};
    CHECK(s.hpexpiretime("lx", f) == std::vector<int64_t>{kT0 + 100, -1});
  }
  SUBCASE("type 24, fields with relative TTLs; type 22 with absolute ones") {
    const int64_t min = kT0 + 1000;
    RdbBuilder b(12);
    b.key(rdb::kTypeHashMetadata, "m").le64(min).len(3);
    b.len(1).str("a").str("1");      // min
    b.len(501).str("b").str("2");    // min + 500
    b.len(0).str("c").str("3");      // no TTL
    b.key(rdb::kTypeHashMetadataPreGa, "p").len(2);
    b.len(static_cast<uint64_t>(kT0 + 77)).str("x").str("y");
    b.len(0).str("z").str("w");
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    const std::string_view f[] = {"a", "b", "c"};
    CHECK(s.hpexpiretime("m", f) == std::vector<int64_t>{min, min + 500, -1});
    CHECK(s.hgetall("m") == Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}});
    const std::string_view g[] = {"x", "z"};
    CHECK(s.hpexpiretime("p", g) == std::vector<int64_t>{kT0 + 77, -1});
  }
  SUBCASE("type 24 with many fields: a table with field TTLs") {
    RdbBuilder b(12);
    b.key(rdb::kTypeHashMetadata, "t").le64(kT0 + 10).len(600);
    for (int i = 0; i < 600; ++i) b.len(i % 2 ? 0 : static_cast<uint64_t>(i + 1)).str(absl::StrCat("f", i)).str("v");
    REQUIRE(load(s, b.finish()).ok());
    CHECK(s.object_encoding("t") == "hashtable");
    const std::string_view f[] = {"f0", "f1", "f598"};
    CHECK(s.hpexpiretime("t", f) == std::vector<int64_t>{kT0 + 10, -1, kT0 + 10 + 598});
  }
  SUBCASE("key TTLs in seconds and in milliseconds; passed ones are left out") {
    RdbBuilder b;
    b.byte(rdb::kOpExpireTime).le32(static_cast<int32_t>(kT0 / 1000 + 60));
    b.listpack_hash("sec", rdbtest::listpack({"f", "v"}));
    b.expire_ms(kT0 + 1234).listpack_hash("ms", rdbtest::listpack({"f", "v"}));
    b.expire_ms(kT0 - 1).listpack_hash("old", rdbtest::listpack({"f", "v"}));
    b.expire_ms(kT0).plain_hash("old2", {{"f", "v"}});
    b.listpack_hash("none", rdbtest::listpack({"f", "v"}));  // the TTL applied to one key only
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->keys == 3);
    CHECK(r->expired == 2);
    CHECK(s.pexpiretime("sec") == (kT0 / 1000 + 60) * 1000);
    CHECK(s.pexpiretime("ms") == kT0 + 1234);
    CHECK(s.pexpiretime("none") == -1);
    CHECK(s.exists({"old", "old2"}) == 0);
  }
  SUBCASE("a hash whose every field expired is left out") {
    RdbBuilder b(12);
    b.key(rdb::kTypeHashListpackEx, "h").le64(kT0 - 5)
        .str(rdbtest::listpack({"a", "1", std::to_string(kT0 - 5)}));
    auto r = load(s, b.finish());
    REQUIRE(r.ok());
    CHECK(r->keys == 0);
    CHECK(r->expired == 1);
  }
  SUBCASE("empty hashes are skipped and counted, as Redis does") {
    RdbBuilder b;
    b.plain_hash("e1", {}).listpack_hash("e2", rdbtest::listpack({}));
    b.key(rdb::kTypeHashZiplist, "e3").str(rdbtest::ziplist({}));
    b.listpack_hash("kept", rdbtest::listpack({"f", "v"}));
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->empty == 3);
    CHECK(r->keys == 1);
  }
  SUBCASE("string encodings: integers and LZF") {
    const std::string long_value = std::string(100, 'a') + "tail" + std::string(100, 'b');
    RdbBuilder b;
    b.byte(rdb::kTypeHash).raw(std::string("\xC0\x7B", 2)).len(3);  // key 123 (int8)
    b.raw(std::string("\xC1\x39\x30", 3)).raw(std::string("\xC2\xFF\xFF\xFF\xFF", 5));  // 12345 -> -1
    b.raw(std::string("\xC0\x80", 2)).raw(lzf_string(long_value));  // -128 -> LZF
    b.raw(lzf_string(std::string(30, 'k'))).str("");                 // LZF field -> ""
    auto r = load(s, b.finish());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(s.hget("123", "12345") == "-1");
    CHECK(s.hget("123", "-128") == long_value);
    CHECK(s.hget("123", std::string(30, 'k')) == "");
  }
}

TEST_CASE("RDB reader: records it steps over") {
  ManualClock clock(kT0);
  Store s(opts(&clock));
  RdbBuilder b(12);
  b.aux("redis-ver", "7.4.0").aux("redis-bits", "64");
  b.byte(rdb::kOpAux).str("lzf-aux").raw(lzf_string(std::string(50, 'z')));
  b.byte(rdb::kOpModuleAux).len(0x1234567890ULL << 10).len(2).len(2);
  b.len(1).len(5).len(2).len(7).len(3).raw("abcd").len(4).raw("abcdefgh").len(5).str("s").len(0);
  b.byte(rdb::kOpFunction2).str("#!lua name=lib\nredis.register_function('f', function() end)");
  b.select(0).byte(rdb::kOpResizeDb).len(2).len(1);
  b.byte(rdb::kOpSlotInfo).len(866).len(1).len(0);
  b.byte(rdb::kOpIdle).len(100).listpack_hash("a", rdbtest::listpack({"f", "1"}));
  b.byte(rdb::kOpFreq).byte(5).expire_ms(kT0 + 5).listpack_hash("b", rdbtest::listpack({"f", "2"}));
  auto r = load(s, b.finish());
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->keys == 2);
  CHECK(s.hget("b", "f") == "2");
  CHECK(s.pexpiretime("b") == kT0 + 5);
}

TEST_CASE("RDB reader: keys of other types and databases") {
  ManualClock clock(kT0);
  Store s(opts(&clock));
  // One value of every other type, as Redis lays it out.
  struct Other {
    const char* name;
    std::string record;  // type byte, key, value
  };
  auto rec = [](uint8_t type, const std::string& key, const std::string& value) {
    RdbBuilder b;
    b.key(type, key).raw(value);
    return b.bytes().substr(9);
  };
  auto lens = [](std::initializer_list<uint64_t> v) {
    std::string out;
    for (uint64_t n : v) rdb::put_len(&out, n);
    return out;
  };
  auto strs = [](std::initializer_list<std::string> v) {
    std::string out;
    for (const std::string& x : v) rdb::put_string(&out, x);
    return out;
  };
  std::string stream;  // type 21: one listpack, one group with a PEL entry and a consumer
  stream += lens({1}) + strs({std::string(16, '\0'), std::string(30, 'L')});
  stream += lens({3, 1000, 2, 990, 0, 0, 0, 3});        // length, last, first, max deleted, added
  stream += lens({1}) + strs({"grp"}) + lens({1000, 2, 3});  // group, last id, entries read
  stream += lens({1}) + std::string(16, 'I') + std::string(8, 'T') + lens({1});  // PEL
  stream += lens({1}) + strs({"alice"}) + std::string(16, 'S') + lens({1}) + std::string(16, 'I');
  std::string module = lens({uint64_t{0xABCDEF} << 10, 2, 99, 1, 5, 5}) + strs({"x"}) + lens({3}) + "abcd" +
                       lens({4}) + "12345678" + lens({0});
  const std::vector<Other> others = {
      {"a string", rec(0, "s", strs({"value"}))},
      {"a list", rec(1, "l1", lens({2}) + strs({"a", "b"}))},
      {"a set", rec(2, "s1", lens({1}) + strs({"m"}))},
      {"a zset", rec(3, "z1", lens({3}) + strs({"a"}) + "\x01" "1" + strs({"b"}) + "\xfe" +
                                  strs({"c"}) + "\xfd")},
      {"a zset", rec(5, "z2", lens({1}) + strs({"a"}) + std::string(8, '\0'))},
      {"a module value", rec(7, "mod", module)},
      {"a list", rec(10, "l2", strs({rdbtest::ziplist({"a"})}))},
      {"a set", rec(11, "s2", strs({std::string("\x02\x00\x00\x00\x01\x00\x00\x00\x07\x00", 10)}))},
      {"a zset", rec(12, "z3", strs({rdbtest::ziplist({"a", "1"})}))},
      {"a list", rec(14, "l3", lens({1}) + strs({rdbtest::ziplist({"a"})}))},
      {"a stream", rec(15, "x1", lens({0, 0, 0, 0, 0}))},
      {"a zset", rec(17, "z4", strs({rdbtest::listpack({"a", "1"})}))},
      {"a list", rec(18, "l4", lens({2, 2}) + strs({rdbtest::listpack({"a"})}) + lens({1}) +
                                   strs({"plain node"}))},
      {"a stream", rec(19, "x2", lens({0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))},
      {"a set", rec(20, "s3", strs({rdbtest::listpack({"a"})}))},
      {"a stream", rec(21, "x3", stream)},
  };
  for (const Other& o : others) {
    CAPTURE(o.name);
    RdbBuilder b;
    b.listpack_hash("h", rdbtest::listpack({"f", "v"})).raw(o.record);
    b.listpack_hash("h2", rdbtest::listpack({"f", "v"}));
    const std::string file = b.finish();
    const std::string msg = refusal(s, file);
    CHECK(contains(msg, o.name));
    CHECK(contains(msg, "(db 0)"));
    CHECK(contains(msg, "which hashstore does not hold"));
    CHECK(contains(msg, " at byte "));
    auto r = load(s, file, /*skip_unsupported=*/true);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->keys == 2);
    CHECK(r->skipped == 1);
    CHECK(s.hget("h2", "f") == "v");
    s.flushall();
  }
  SUBCASE("the message names the first such key") {
    RdbBuilder b;
    b.key(0, "first").str("v").key(0, "second").str("v");
    const std::string msg = refusal(s, b.finish());
    CHECK(contains(msg, "ERR RDB file t.rdb: key \"first\" (db 0): a string (RDB type 0), "
                        "which hashstore does not hold"));
  }
  SUBCASE("databases other than 0: refused naming the key and the database, or skipped") {
    RdbBuilder b;
    b.listpack_hash("h", rdbtest::listpack({"f", "v"}));
    b.select(3).listpack_hash("elsewhere", rdbtest::listpack({"f", "v"})).key(0, "str").str("x");
    b.select(0).plain_hash("back", {{"f", "v"}});
    const std::string file = b.finish();
    const std::string msg = refusal(s, file);
    CHECK(contains(msg, "key \"elsewhere\" (db 3): a hash (RDB type 16) in a database other than 0"));
    auto r = load(s, file, true);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->keys == 2);
    CHECK(r->skipped == 2);
    CHECK(s.exists({"h", "back", "elsewhere"}) == 2);
  }
  SUBCASE("Redis 4.0 release-candidate modules are refused even when skipping") {
    RdbBuilder b;
    b.key(rdb::kTypeModulePreGa, "m").len(1);
    absl::StatusOr<rdb::LoadResult> r = load(s, b.finish(), true);
    CHECK(r.status().code() == absl::StatusCode::kUnimplemented);
  }
}

TEST_CASE("RDB reader: refuses damaged and foreign files") {
  ManualClock clock(kT0);
  Store s(opts(&clock));
  auto with_hash = [](RdbBuilder b = RdbBuilder()) {
    b.listpack_hash("k", rdbtest::listpack({"f", "v", "g", "w"}));
    return b;
  };

  SUBCASE("header") {
    CHECK(contains(refusal(s, "REDIS"), "less than the 9-byte header"));
    CHECK(contains(refusal(s, "HSSNAP\r\n\x01"), "not an RDB file"));
    CHECK(contains(refusal(s, "REDIS00x0\xff"), "not 4 digits"));
    for (int v : {1, 8, 13, 99}) {
      CAPTURE(v);
      absl::StatusOr<rdb::LoadResult> r = load(s, with_hash(RdbBuilder(v)).finish());
      CHECK(r.status().code() == absl::StatusCode::kUnimplemented);
      CHECK(contains(std::string(r.status().message()),
                     absl::StrCat("RDB version ", v, " is not supported")));
    }
  }
  SUBCASE("the CRC-64: checked unless 0") {
    std::string f = with_hash().finish();
    CHECK(load(s, f).ok());
    s.flushall();
    f[f.size() - 3] ^= 1;
    const std::string msg = refusal(s, f);
    CHECK(contains(msg, "CRC-64 mismatch"));
    CHECK(contains(msg, absl::StrCat(" at byte ", f.size() - 8)));
    const std::string no_crc = with_hash().finish(/*crc=*/false);
    CHECK(load(s, no_crc).ok());
  }
  SUBCASE("truncated anywhere, or bytes after the end") {
    const std::string f = with_hash().expire_ms(kT0 + 1).plain_hash("p", {{"a", "b"}}).finish();
    for (size_t n = 0; n < f.size(); ++n) {
      CAPTURE(n);
      refusal(s, f.substr(0, n));
    }
    CHECK(contains(refusal(s, f + "x"), "1 bytes after the CRC-64"));
  }
  SUBCASE("unknown records and encodings") {
    for (uint8_t t : {uint8_t{8}, uint8_t{26}, uint8_t{0xF3}}) {
      RdbBuilder b;
      b.byte(t);
      CHECK(contains(refusal(s, b.finish()), "unknown record type"));
    }
    RdbBuilder b;
    b.byte(rdb::kTypeHash).raw("\x82");
    CHECK(contains(refusal(s, b.finish()), "unknown length encoding 0x82"));
    RdbBuilder c;
    c.byte(rdb::kTypeHash).raw("\xC7");
    CHECK(contains(refusal(s, c.finish()), "unknown string encoding 7"));
    RdbBuilder d;
    d.byte(rdb::kTypeHash).str("k").raw("\xC1");  // a string encoding as a count
    CHECK(contains(refusal(s, d.finish()), "a string encoding where a length belongs"));
    RdbBuilder e;
    e.byte(rdb::kOpFunctionPreGa);
    CHECK(load(s, e.finish()).status().code() == absl::StatusCode::kUnimplemented);
  }
  SUBCASE("lengths past the end of the file") {
    RdbBuilder a;
    a.byte(rdb::kTypeHash).len(1000).raw("abc");
    CHECK(contains(refusal(s, a.finish()), "key of 1000 bytes exceeds the"));
    RdbBuilder b;
    b.byte(rdb::kTypeHash).str("k").len(1ULL << 40);
    CHECK(contains(refusal(s, b.finish()), "hash field count 1099511627776 exceeds"));
    RdbBuilder c;
    c.byte(rdb::kTypeHashListpack).str("k").raw("\x81").raw(std::string(8, '\xff'));
    CHECK(contains(refusal(s, c.finish()), "exceeds the"));
  }
  SUBCASE("LZF data that does not decompress to its stated size") {
    const std::string plain(100, 'q');
    std::string c(100, '\0');
    c.resize(lzf_compress(plain.data(), 100, c.data(), 99));
    REQUIRE(c.size() > 1);
    // The data one byte short: it cannot make the 100 bytes it states.
    RdbBuilder b;
    b.byte(rdb::kTypeHash).str("k").len(1).str("f").raw("\xC3").len(c.size() - 1).len(100)
        .raw(c.substr(0, c.size() - 1));
    CHECK(contains(refusal(s, b.finish()), "invalid LZF data"));
    // Stated sizes LZF cannot reach: 10 bytes cannot make 10,000.
    RdbBuilder d;
    d.byte(rdb::kTypeHash).str("k").len(1).str("f").raw("\xC3").len(10).len(10000)
        .raw(std::string(10, 'x'));
    CHECK(contains(refusal(s, d.finish()), "LZF sizes 10 -> 10000 are impossible"));
  }
  SUBCASE("duplicates") {
    CHECK(contains(refusal(s, with_hash(with_hash()).finish()), "the key appears twice"));
    RdbBuilder a;
    a.plain_hash("k", {{"f", "1"}, {"f", "2"}});
    CHECK(contains(refusal(s, a.finish()), "duplicate field \"f\""));
    RdbBuilder b;
    b.listpack_hash("k", rdbtest::listpack({"f", "1", "g", "2", "f", "3"}));
    CHECK(contains(refusal(s, b.finish()), "duplicate field \"f\""));
    RdbBuilder c(9);
    c.key(rdb::kTypeHashZiplist, "k").str(rdbtest::ziplist({"1", "a", "1", "b"}));
    CHECK(contains(refusal(s, c.finish()), "duplicate field \"1\""));
    RdbBuilder d(9);
    d.key(rdb::kTypeHashZipmap, "k").str(rdbtest::zipmap({{"x", "a"}, {"x", "b"}}));
    CHECK(contains(refusal(s, d.finish()), "duplicate field \"x\""));
    RdbBuilder e(12);
    e.key(rdb::kTypeHashMetadata, "k").le64(kT0 + 1).len(2).len(1).str("x").str("a").len(0).str("x").str("b");
    CHECK(contains(refusal(s, e.finish()), "duplicate field \"x\""));
    Pairs big;
    for (int i = 0; i < 600; ++i) big.emplace_back(absl::StrCat("f", i % 599), "v");
    RdbBuilder g;
    g.plain_hash("k", big);
    CHECK(contains(refusal(s, g.finish()), "duplicate field \"f0\""));
  }
  SUBCASE("listpacks with a wrong shape") {
    RdbBuilder a;
    a.listpack_hash("k", rdbtest::listpack({"f", "v", "g"}));
    CHECK(contains(refusal(s, a.finish()), "not a whole number of pairs"));
    std::string lp = rdbtest::listpack({"f", "v"});
    lp[lp.size() - 2] = 9;  // a wrong back-length
    RdbBuilder b;
    b.listpack_hash("k", lp);
    CHECK(contains(refusal(s, b.finish()), "bad listpack (listpack: wrong back-length"));
    auto ex = [&](const std::vector<std::string>& entries) {
      RdbBuilder c(12);
      c.key(rdb::kTypeHashListpackEx, "k").le64(0).str(rdbtest::listpack(entries));
      return refusal(s, c.finish());
    };
    CHECK(contains(ex({"f", "v", "soon"}), "not an integer in [0, 2^48 - 1]"));
    CHECK(contains(ex({"f", "v", "-1"}), "not an integer in [0, 2^48 - 1]"));
    CHECK(contains(ex({"f", "v", "281474976710656"}), "not an integer in [0, 2^48 - 1]"));
    CHECK(contains(ex({"f", "v", std::to_string(kT0 + 9), "g", "w", std::to_string(kT0 + 5)}),
                   "field TTLs out of order"));
    CHECK(contains(ex({"f", "v", "0", "g", "w", std::to_string(kT0 + 5)}),
                   "field TTLs out of order"));
    CHECK(contains(ex({"f", "v"}), "not a whole number of triplets"));
  }
  SUBCASE("ziplists and zipmaps are validated") {
    std::string z = rdbtest::ziplist({"f", "v"});
    z[4] = 11;  // tail offset
    RdbBuilder a(9);
    a.key(rdb::kTypeHashZiplist, "k").str(z);
    CHECK(contains(refusal(s, a.finish()), "bad ziplist (ziplist: tail offset"));
    RdbBuilder b(9);
    b.key(rdb::kTypeHashZiplist, "k").str(rdbtest::ziplist({"f", "v", "g"}));
    CHECK(contains(refusal(s, b.finish()), "not a whole number of pairs"));
    RdbBuilder c(9);
    c.key(rdb::kTypeHashZipmap, "k").str(std::string("\x01\x05" "ab\xff", 5));
    CHECK(contains(refusal(s, c.finish()), "bad zipmap"));
  }
  SUBCASE("field TTLs out of range in type 24") {
    RdbBuilder a(12);
    a.key(rdb::kTypeHashMetadata, "k").le64(rdb::kMaxFieldTtl - 1).len(1).len(3).str("f").str("v");
    CHECK(contains(refusal(s, a.finish()), "field TTL past 2^48 - 1 ms"));
    RdbBuilder b(12);
    b.key(rdb::kTypeHashMetadata, "k").le64(-5).len(1).len(0).str("f").str("v");
    CHECK(contains(refusal(s, b.finish()), "minimum field TTL -5 out of range"));
  }
  SUBCASE("module records") {
    RdbBuilder a;
    a.byte(rdb::kOpModuleAux).len(1 << 10).len(1).len(2).len(0);
    CHECK(contains(refusal(s, a.finish()), "bad when-opcode 1"));
    RdbBuilder b;
    b.byte(rdb::kOpModuleAux).len(1 << 10).len(2).len(2).len(9);
    CHECK(contains(refusal(s, b.finish()), "unknown module opcode 9"));
  }
  SUBCASE("messages name the key and the byte offset") {
    RdbBuilder b;
    b.listpack_hash("good", rdbtest::listpack({"f", "v"}));
    const size_t at = b.bytes().size() + 1 + 1 + 4;  // type, key length, key
    b.listpack_hash("bad\n", rdbtest::listpack({"f"}));
    CHECK(refusal(s, b.finish()) ==
          absl::StrCat("ERR RDB file t.rdb: key \"bad\\n\" (db 0): bad listpack (its entries "
                       "are not a whole number of pairs) at byte ",
                       at));
  }
  SUBCASE("a refused file leaves a store's keys alone; a non-empty store refuses") {
    REQUIRE(s.hset("mine", "f", "v").ok());
    absl::StatusOr<rdb::LoadResult> r = load(s, with_hash().finish());
    CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(s.hget("mine", "f") == "v");
  }
}

TEST_CASE("RDB reader: the sample files of tests/rdb/samples") {
  ManualClock clock(kT0);
  Store s(opts(&clock));
  auto sample = [&](const char* name, bool skip = false) {
    const std::string bytes = rdbtest::read_file(std::string(RDB_SAMPLES_DIR) + "/" + name);
    REQUIRE(!bytes.empty());
    auto r = load(s, bytes, skip);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    return *r;
  };
  constexpr int64_t kY2100 = 4102444800000, kPast = 1000000000000;
  SUBCASE("redis70_small.rdb, saved by redis-server 7.0") {
    const rdb::LoadResult r = sample("redis70_small.rdb");
    CHECK(r.version == 10);
    CHECK(r.keys == 4);
    CHECK(s.hgetall("user:1") == Pairs{{"name", "Ann"}, {"age", "30"}, {"score", "-12345678901"}});
    CHECK(s.object_encoding("blob") == "hashtable");
    CHECK(s.hget("blob", "long") == std::string(100, 'x'));
    CHECK(s.hget("blob", "e") == "");
    CHECK(s.pexpiretime("ttl") == kY2100);
    CHECK(s.hget("bin\x01key", "\x01") == "\xc3\xbe");
  }
  SUBCASE("redis70_types.rdb: other types and db 1 refused, or skipped") {
    const std::string bytes =
        rdbtest::read_file(std::string(RDB_SAMPLES_DIR) + "/redis70_types.rdb");
    const std::string msg = refusal(s, bytes);
    CHECK(contains(msg, "which hashstore does not hold"));
    const rdb::LoadResult r = sample("redis70_types.rdb", true);
    CHECK(r.keys == 4);
    CHECK(r.skipped == 8);  // str, num, list, intset, set, zset, stream, db1hash
  }
  SUBCASE("redis74_listpack_ex.rdb: type 25") {
    const rdb::LoadResult r = sample("redis74_listpack_ex.rdb");
    CHECK(r.version == 12);
    CHECK(r.keys == 3);
    CHECK(s.hgetall("session:1") == Pairs{{"token", "abc123"}, {"ip", "10.0.0.1"}, {"user", "42"}});
    const std::string_view f1[] = {"token", "ip", "user"};
    CHECK(s.hpexpiretime("session:1", f1) == std::vector<int64_t>{kY2100, kY2100 + 1000, -1});
    CHECK(s.hgetall("session:2") == Pairs{{"cur", "y"}, {"keep", "z"}});
    CHECK(s.pexpiretime("session:2") == kY2100 + 5000);
    CHECK(s.hgetall("plain") ==
          Pairs{{"a", "1"}, {"b", std::string(40, 'x')}, {"c", std::string(40, 'x')}});
  }
  SUBCASE("redis8_metadata.rdb: type 24") {
    const rdb::LoadResult r = sample("redis8_metadata.rdb");
    CHECK(r.keys == 2);
    CHECK(s.object_encoding("big") == "hashtable");
    CHECK(s.hlen("big") == 599);  // f1 expired
    const std::string_view f[] = {"f0", "f1", "f2", "f3", "f597"};
    CHECK(s.hpexpiretime("big", f) == std::vector<int64_t>{kY2100, -2, -1, kY2100 + 3, kY2100 + 597});
    CHECK(s.hget("big", "f599") == "v599");
    (void)kPast;
    CHECK(s.object_encoding("small") == "listpackex");
    const std::string_view g[] = {"a", "b", "c"};
    CHECK(s.hpexpiretime("small", g) == std::vector<int64_t>{-1, kY2100 + 7, -1});
    CHECK(s.hget("small", "c") == std::string(50, 'c'));
  }
  SUBCASE("redis8_records.rdb: SLOT_INFO, FUNCTION2, MODULE_AUX, IDLE, FREQ, types 22 and 23") {
    CHECK(contains(refusal(s, rdbtest::read_file(std::string(RDB_SAMPLES_DIR) + "/redis8_records.rdb")),
                   "key \"a-string\" (db 0): a string"));
    const rdb::LoadResult r = sample("redis8_records.rdb", true);
    CHECK(r.keys == 3);
    CHECK(r.skipped == 1);
    const std::string_view f[] = {"f", "g"};
    CHECK(s.hpexpiretime("pre22", f) == std::vector<int64_t>{kY2100 + 1, -1});
    CHECK(s.hpexpiretime("pre23", f) == std::vector<int64_t>{kY2100 + 2, -1});
    CHECK(s.hgetall("h") == Pairs{{"n", "-5"}, {"big", "4611686018427387904"}});
  }
}

TEST_CASE("RDB reader: every bit flip and truncation of a file redis-server wrote") {
  ManualClock clock(kT0);
  const std::string file =
      rdbtest::read_file(std::string(RDB_SAMPLES_DIR) + "/redis70_small.rdb");
  REQUIRE(file.size() > 100);
  size_t refused = 0, crc_caught = 0;
  for (size_t bit = 0; bit < file.size() * 8; ++bit) {
    std::string d = file;
    d[bit / 8] = static_cast<char>(d[bit / 8] ^ (1 << (bit % 8)));
    CAPTURE(bit);
    Store s(opts(&clock, 2));
    absl::StatusOr<rdb::LoadResult> r = load(s, d);
    REQUIRE_FALSE(r.ok());
    CHECK(s.dbsize() == 0);
    CHECK(contains(std::string(r.status().message()), " at byte "));
    // Without the CRC, the flip either breaks the structure, or it lands
    // in bytes only the CRC covers (a value, a TTL, the CRC itself).
    Store t(opts(&clock, 2));
    rdb::LoadOptions o;
    o.verify_checksum = false;
    o.skip_unsupported = true;
    auto lax = rdb::load_rdb_bytes(hashstore::internal::StoreInternal::impl(t), d, "t", o);
    if (lax.ok()) {
      // (A type byte flipped to another type is refused above, skipped here.)
      Store u(opts(&clock, 2));
      const std::string msg(load(u, d, /*skip_unsupported=*/true).status().message());
      CHECK_MESSAGE(contains(msg, "CRC-64 mismatch"), msg);
      ++crc_caught;
    } else {
      ++refused;
    }
  }
  CHECK(refused > 0);
  CHECK(crc_caught > 0);
  MESSAGE(refused, " flips refused by the structure, ", crc_caught, " caught by the CRC only");
  for (size_t n = 0; n < file.size(); ++n) {
    Store s(opts(&clock, 2));
    CHECK_FALSE(load(s, file.substr(0, n)).ok());
  }
}
