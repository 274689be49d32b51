// Tests of hash-field TTLs through Store::execute: HEXPIRE, HPEXPIRE,
// HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST,
// HGETDEL, HGETEX and HSETEX, their effect on the other hash commands, and
// the reclamation of expired fields (lazy, and by Store::expire_cycle).
//
// Expected replies and error texts are Redis 8.0's. Each test case names its
// source:
//   [SRC8]  a Redis 8.x src/t_hash.c (kvobj era, has HGETDEL/HGETEX/HSETEX);
//   [TCL8]  Redis's tests/unit/type/hash-field-expire.tcl of the same era
//           (SWE-bench-c/redis__redis 453c5f2a), FIELDS syntax;
//   [CMDS]  Redis's command table (arities).
// Where hashstore deliberately differs from Redis (a field whose TTL passed
// disappears from HLEN/EXISTS/DBSIZE/KEYS at once; Redis only hides it from
// reads until it is reclaimed), the check is marked "hashstore:".
// The summary with all sources is /tmp/fieldttl_facts.md.
//
// No test sleeps: time moves with ManualClock::advance_ms, always past a TTL
// by at least 1 ms (Redis treats a field as expired when expire < now, but
// a new TTL equal to now as already past).
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <hashstore/store.h>

#include "absl/strings/str_cat.h"
#include "store/store_internal.h"
#include "store/store_impl.h"

// Readable failures: doctest prints std containers as "{?}" otherwise.
namespace doctest {
template <>
struct StringMaker<std::vector<int64_t>> {
  static String convert(const std::vector<int64_t>& v) {
    std::string s = "{";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return (s + "}").c_str();
  }
};
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string s = "{";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + v[i] + "\"";
    return (s + "}").c_str();
  }
};
template <>
struct StringMaker<std::set<std::string>> {
  static String convert(const std::set<std::string>& v) {
    std::string s = "{";
    for (const std::string& e : v) s += (s.size() > 1 ? ", \"" : "\"") + e + "\"";
    return (s + "}").c_str();
  }
};
}  // namespace doctest

using hashstore::ManualClock;
using hashstore::Options;
using hashstore::Reply;
using hashstore::Store;

namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;  // ManualClock's default start
constexpr int64_t kStartS = kStartMs / 1000;
// Redis's HFE_MAX_ABS_TIME_MSEC: EB_EXPIRE_TIME_MAX (2^48 - 1) >> 2.
constexpr int64_t kMaxAbsMs = (int64_t{1} << 46) - 1;
static_assert(kMaxAbsMs == 70'368'744'177'663);

using Ints = std::vector<int64_t>;
using Strs = std::vector<std::string>;

// Encodings under test (as tests/store/store_test.cc): hashes that stay
// listpacks, and hashes that are tables from their first field on.
struct ListpackEncoding {
  static Options options(const ManualClock& clock) {
    Options o;
    o.clock = &clock;
    o.shards = 4;
    return o;
  }
  static constexpr const char* kName = "listpack";
};
struct TableEncoding {
  static Options options(const ManualClock& clock) {
    Options o = ListpackEncoding::options(clock);
    o.hash_max_listpack_entries = 0;
    return o;
  }
  static constexpr const char* kName = "hashtable";
};

std::string S(int64_t v) { return std::to_string(v); }

std::string numbered(const char* prefix, int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

std::string err(const Reply& r) { return r.is_error() ? r.string() : "(not an error) " + r.debug_string(); }

// An array of integers as a vector; anything else as {INT64_MIN} so that the
// comparison fails and the CHECK prints both sides.
Ints ints(const Reply& r) {
  if (r.kind() != Reply::Kind::kArray) return {INT64_MIN};
  Ints out;
  for (const Reply& e : r.elements())
    out.push_back(e.kind() == Reply::Kind::kInteger ? e.integer() : INT64_MIN);
  return out;
}

// A bulk, nil or array-of-bulk reply as strings, nil as "(nil)"; anything
// else as {"(not an array) ..."}.
Strs strs(const Reply& r) {
  if (r.kind() != Reply::Kind::kArray) return {"(not an array) " + r.debug_string()};
  Strs out;
  for (const Reply& e : r.elements()) {
    if (e.kind() == Reply::Kind::kBulk)
      out.push_back(e.string());
    else if (e.is_nil())
      out.push_back("(nil)");
    else
      out.push_back("(unexpected) " + e.debug_string());
  }
  return out;
}

std::set<std::string> str_set(const Reply& r) {
  Strs v = strs(r);
  return {v.begin(), v.end()};
}

int64_t integer(const Reply& r) {
  return r.kind() == Reply::Kind::kInteger ? r.integer() : INT64_MIN;
}

std::string bulk(const Reply& r) {
  if (r.is_nil()) return "(nil)";
  if (r.kind() == Reply::Kind::kBulk || r.kind() == Reply::Kind::kStatus) return r.string();
  return "(unexpected) " + r.debug_string();
}

std::string encoding(Store& store, std::string_view key) {
  return bulk(store.execute({"OBJECT", "ENCODING", key}));
}

// All fields HSCAN reports (keys only), following the cursor to 0.
std::set<std::string> hscan_fields(Store& store, const std::string& key) {
  std::set<std::string> seen;
  std::string cursor = "0";
  int pages = 0;
  do {
    Reply r = store.execute({"HSCAN", key, cursor, "COUNT", "100"});
    if (r.kind() != Reply::Kind::kArray || r.elements().size() != 2) {
      seen.insert("(bad HSCAN reply) " + r.debug_string());
      break;
    }
    cursor = r.elements()[0].string();
    const auto& items = r.elements()[1].elements();
    for (size_t i = 0; i + 1 < items.size(); i += 2) seen.insert(items[i].string());
  } while (cursor != "0" && ++pages < 10'000);
  return seen;
}

// All keys SCAN reports, following the cursor to 0.
std::set<std::string> scan_keys(Store& store) {
  std::set<std::string> seen;
  std::string cursor = "0";
  int pages = 0;
  do {
    Reply r = store.execute({"SCAN", cursor, "COUNT", "100"});
    if (r.kind() != Reply::Kind::kArray || r.elements().size() != 2) {
      seen.insert("(bad SCAN reply) " + r.debug_string());
      break;
    }
    cursor = r.elements()[0].string();
    for (const Reply& k : r.elements()[1].elements()) seen.insert(k.string());
  } while (cursor != "0" && ++pages < 10'000);
  return seen;
}

// Keys still held in memory (expired or not), across shards, as
// tests/store/expire_test.cc counts them.
size_t resident_keys(Store& store) {
  auto& impl = hashstore::internal::StoreInternal::impl(store);
  size_t n = 0;
  for (size_t i = 0; i < impl.shard_count(); ++i) {
    hashstore::internal::StoreImpl::ShardLock lock(impl, impl.shard(i),
                                                   hashstore::internal::LockMode::kShared);
    n += impl.shard(i).keyspace.size();
  }
  return n;
}

const char* const kNumfieldsMismatch =
    "ERR The `numfields` parameter must match the number of arguments";
const char* const kFieldsMissing =
    "ERR Mandatory argument FIELDS is missing or not at the right position";
const char* const kNumfieldsPositive = "ERR Number of fields must be a positive integer";
const char* const kNotInteger = "ERR value is not an integer or out of range";
const char* const kNegativeTime = "ERR invalid expire time, must be >= 0";

}  // namespace

// ============================================================================
// HEXPIRE family
// ============================================================================

// [SRC8 hexpireGenericCommand, hashTypeSetExpiryHT; TCL8 "Test 'NX'/'XX'/
// 'GT'/'LT' flag", "field not exists or TTL is in the past", "Returns array
// if the key does not exist"]
TEST_CASE_TEMPLATE("HEXPIRE family: per-field codes -2, 0, 1, 2", E, ListpackEncoding,
                   TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"})) == 3);
  CHECK(encoding(store, "h") == E::kName);

  SUBCASE("a missing key: -2 per field, and no key is created") {
    CHECK(ints(store.execute({"HEXPIRE", "nokey", "1000", "FIELDS", "1", "a"})) == Ints{-2});
    CHECK(ints(store.execute({"HEXPIREAT", "nokey", "1000", "FIELDS", "1", "a"})) == Ints{-2});
    CHECK(ints(store.execute({"HPEXPIRE", "nokey", "1000", "FIELDS", "2", "a", "b"})) ==
          Ints{-2, -2});
    CHECK(ints(store.execute({"HPEXPIREAT", "nokey", "1000", "FIELDS", "2", "a", "b"})) ==
          Ints{-2, -2});
    CHECK(integer(store.execute({"EXISTS", "nokey"})) == 0);
    CHECK(integer(store.execute({"DBSIZE"})) == 1);
  }
  SUBCASE("1 when set, -2 for a missing field") {
    CHECK(ints(store.execute({"HEXPIRE", "h", "10", "FIELDS", "2", "f1", "nope"})) ==
          Ints{1, -2});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "2", "f1", "f2"})) == Ints{10'000, -1});
    CHECK(encoding(store, "h") != (std::string(E::kName) == "listpack" ? "hashtable" : "listpack"));
  }
  SUBCASE("NX: only fields without a TTL") {
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "1", "f1"})) == Ints{1});
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "2", "f1", "f2"})) ==
          Ints{0, 1});
  }
  SUBCASE("XX: only fields with a TTL") {
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "2", "f1", "f2"})) ==
          Ints{1, 1});
    CHECK(ints(store.execute({"HPEXPIRE", "h", "2000", "XX", "FIELDS", "2", "f1", "f3"})) ==
          Ints{1, 0});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{2000, 1000, -1});
  }
  SUBCASE("GT: only a later time; a field without TTL counts as forever (0)") {
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "1", "f1"})) == Ints{1});
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "2000", "NX", "FIELDS", "1", "f2"})) == Ints{1});
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1500", "GT", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{1, 0, 0});
    // Equal is not greater.
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1500", "GT", "FIELDS", "1", "f1"})) == Ints{0});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{1500, 2000, -1});
  }
  SUBCASE("LT: only an earlier time; a field without TTL counts as forever (1)") {
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "1", "f1"})) == Ints{1});
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "2000", "NX", "FIELDS", "1", "f2"})) == Ints{1});
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1500", "LT", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{0, 1, 1});
    // Equal is not less.
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1500", "LT", "FIELDS", "1", "f2"})) == Ints{0});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{1000, 1500, 1500});
  }
  SUBCASE("a time in the past deletes (2); the condition is checked first (0)") {
    REQUIRE(integer(store.execute({"HSET", "h", "f4", "v4"})) == 1);
    REQUIRE(ints(store.execute({"HEXPIRE", "h", "1000", "NX", "FIELDS", "1", "f4"})) == Ints{1});
    CHECK(ints(store.execute({"HPEXPIREAT", "h", S(kStartMs - 1000), "NX", "FIELDS", "4", "f1",
                              "f2", "f5", "f4"})) == Ints{2, 2, -2, 0});
    CHECK(integer(store.execute({"HEXISTS", "h", "f1"})) == 0);
    CHECK(integer(store.execute({"HEXISTS", "h", "f4"})) == 1);
    CHECK(integer(store.execute({"HLEN", "h"})) == 2);
    CHECK(ints(store.execute({"HEXPIREAT", "h", S(kStartS - 1), "FIELDS", "1", "f3"})) ==
          Ints{2});
    CHECK(bulk(store.execute({"HGET", "h", "f3"})) == "(nil)");
  }
  SUBCASE("a time equal to now counts as past: HEXPIRE 0 and HPEXPIREAT now delete") {
    CHECK(ints(store.execute({"HEXPIRE", "h", "0", "FIELDS", "1", "f1"})) == Ints{2});
    CHECK(ints(store.execute({"HPEXPIRE", "h", "0", "FIELDS", "1", "f2"})) == Ints{2});
    CHECK(ints(store.execute({"HPEXPIREAT", "h", S(kStartMs), "FIELDS", "1", "f3"})) == Ints{2});
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
  }
  SUBCASE("deleting the last field deletes the key") {
    CHECK(ints(store.execute({"HEXPIRE", "h", "0", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{2, 2, 2});
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
    CHECK(integer(store.execute({"DBSIZE"})) == 0);
    CHECK(bulk(store.execute({"TYPE", "h"})) == "none");
  }
  SUBCASE("the four units: seconds, ms, Unix seconds, Unix ms") {
    CHECK(ints(store.execute({"HEXPIRE", "h", "100", "FIELDS", "1", "f1"})) == Ints{1});
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1234", "FIELDS", "1", "f2"})) == Ints{1});
    CHECK(ints(store.execute({"HEXPIREAT", "h", S(kStartS + 300), "FIELDS", "1", "f3"})) ==
          Ints{1});
    CHECK(ints(store.execute({"HPEXPIRETIME", "h", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{kStartMs + 100'000, kStartMs + 1234, (kStartS + 300) * 1000});
    CHECK(ints(store.execute({"HPEXPIREAT", "h", S(kStartMs + 4321), "FIELDS", "1", "f1"})) ==
          Ints{1});
    CHECK(ints(store.execute({"HPEXPIRETIME", "h", "FIELDS", "1", "f1"})) ==
          Ints{kStartMs + 4321});
  }
  SUBCASE("the same field twice is handled twice") {
    CHECK(ints(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "2", "f1", "f1"})) ==
          Ints{1, 0});
  }
  SUBCASE("keywords are case-insensitive") {
    CHECK(ints(store.execute({"hpexpire", "h", "1000", "nx", "fields", "1", "f1"})) == Ints{1});
    CHECK(ints(store.execute({"HPEXPIRE", "h", "2000", "Gt", "FiElDs", "1", "f1"})) == Ints{1});
  }
  SUBCASE("a field whose TTL has passed is a missing field (-2)") {
    // [TCL-NEW rejectAlreadyExpiredField]; Redis 8.0's HT path would re-arm
    // it, which was a bug. hashstore hides expired fields at once anyway.
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "100", "FIELDS", "1", "f1"})) == Ints{1});
    clock.advance_ms(101);
    CHECK(ints(store.execute({"HPEXPIRE", "h", "5000", "FIELDS", "1", "f1"})) == Ints{-2});
    CHECK(bulk(store.execute({"HGET", "h", "f1"})) == "(nil)");
  }
}

// [SRC8 parseExpireTime, hexpireGenericCommand; TCL8 "wrong number of
// arguments", "Verify that the expire time does not overflow", "parameter
// expire-time near limit of 2^46"; CMDS arity -6]
TEST_CASE("HEXPIRE family: errors, in Redis's order") {
  ManualClock clock(kStartMs);
  Store store(ListpackEncoding::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"})) == 3);

  SUBCASE("arity -6") {
    CHECK(err(store.execute({"HEXPIRE", "h", "10", "FIELDS", "1"})) ==
          "ERR wrong number of arguments for 'hexpire' command");
    CHECK(err(store.execute({"HPEXPIRE", "h", "10", "FIELDS", "1"})) ==
          "ERR wrong number of arguments for 'hpexpire' command");
    CHECK(err(store.execute({"HEXPIREAT", "h", "10", "FIELDS", "1"})) ==
          "ERR wrong number of arguments for 'hexpireat' command");
    CHECK(err(store.execute({"HPEXPIREAT", "h", "10", "FIELDS", "1"})) ==
          "ERR wrong number of arguments for 'hpexpireat' command");
  }
  SUBCASE("the time: integer, >= 0, below 2^46 ms absolute") {
    CHECK(err(store.execute({"HEXPIRE", "h", "abc", "FIELDS", "1", "f1"})) == kNotInteger);
    CHECK(err(store.execute({"HEXPIRE", "h", "1.5", "FIELDS", "1", "f1"})) == kNotInteger);
    CHECK(err(store.execute({"HEXPIRE", "h", "9223372036854775808", "FIELDS", "1", "f1"})) ==
          kNotInteger);
    CHECK(err(store.execute({"HEXPIRE", "h", "-1", "FIELDS", "1", "f1"})) == kNegativeTime);
    CHECK(err(store.execute({"HEXPIRE", "h", "-9223372036854775808", "FIELDS", "1", "f1"})) ==
          kNegativeTime);
    CHECK(err(store.execute({"HPEXPIREAT", "h", "-1", "FIELDS", "1", "f1"})) == kNegativeTime);
    CHECK(err(store.execute({"HEXPIRE", "h", S((int64_t{1} << 48) / 1000), "FIELDS", "1",
                             "f1"})) == "ERR invalid expire time in 'hexpire' command");
    CHECK(err(store.execute({"HEXPIREAT", "h", S(kMaxAbsMs / 1000 + 1), "FIELDS", "1", "f1"})) ==
          "ERR invalid expire time in 'hexpireat' command");
    CHECK(err(store.execute({"HPEXPIRE", "h", S(kMaxAbsMs - kStartMs + 1), "FIELDS", "1",
                             "f1"})) == "ERR invalid expire time in 'hpexpire' command");
    CHECK(err(store.execute({"HPEXPIREAT", "h", S(kMaxAbsMs + 1), "FIELDS", "1", "f1"})) ==
          "ERR invalid expire time in 'hpexpireat' command");
    CHECK(err(store.execute({"HPEXPIREAT", "h", S(int64_t{1} << 48), "FIELDS", "1", "f1"})) ==
          "ERR invalid expire time in 'hpexpireat' command");
    // Nothing changed.
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{-1});
    // Right at the limit is accepted.
    CHECK(ints(store.execute({"HPEXPIREAT", "h", S(kMaxAbsMs), "FIELDS", "1", "f1"})) == Ints{1});
    CHECK(ints(store.execute({"HPEXPIRE", "h", S(kMaxAbsMs - kStartMs), "FIELDS", "1", "f2"})) ==
          Ints{1});
    CHECK(ints(store.execute({"HEXPIREAT", "h", S(kMaxAbsMs / 1000), "FIELDS", "1", "f3"})) ==
          Ints{1});
    CHECK(ints(store.execute({"HPEXPIRETIME", "h", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{kMaxAbsMs, kMaxAbsMs, kMaxAbsMs / 1000 * 1000});
  }
  SUBCASE("FIELDS must follow the time or the one condition flag") {
    CHECK(err(store.execute({"HEXPIRE", "h", "10", "BOGUS", "FIELDS", "1", "f1"})) ==
          kFieldsMissing);
    CHECK(err(store.execute({"HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1", "f1"})) ==
          kFieldsMissing);
    CHECK(err(store.execute({"HEXPIRE", "h", "10", "1", "f1", "f2"})) == kFieldsMissing);
    CHECK(err(store.execute({"HEXPIRE", "h", "10", "NX", "1", "f1"})) == kFieldsMissing);
    CHECK(err(store.execute({"HEXPIRE", "h", "10", "FIELDSX", "1", "f1"})) == kFieldsMissing);
  }
  SUBCASE("numfields: HEXPIRE's own text for 0, negative and non-integer") {
    const char* const kText = "ERR Parameter `numFields` should be greater than 0";
    CHECK(err(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "0", "f1", "f2", "f3"})) ==
          kText);
    CHECK(err(store.execute({"HPEXPIRE", "h", "1000", "FIELDS", "-1", "f1"})) == kText);
    CHECK(err(store.execute({"HPEXPIRE", "h", "1000", "FIELDS", "abc", "f1"})) == kText);
  }
  SUBCASE("numfields must match the fields given, more or fewer") {
    CHECK(err(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "4", "f1", "f2", "f3"})) ==
          kNumfieldsMismatch);
    CHECK(err(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "2", "f1", "f2", "f3"})) ==
          kNumfieldsMismatch);
    // Also on a missing key: validation comes before the -2 reply.
    CHECK(err(store.execute({"HEXPIRE", "nokey", "10", "FIELDS", "2", "a"})) ==
          kNumfieldsMismatch);
  }
  SUBCASE("order: time, then FIELDS, then numfields, then the count") {
    CHECK(err(store.execute({"HEXPIRE", "h", "abc", "BOGUS", "FIELDS", "0", "f1"})) ==
          kNotInteger);
    CHECK(err(store.execute({"HEXPIRE", "h", "-5", "FIELDS", "0", "f1"})) == kNegativeTime);
    CHECK(err(store.execute({"HEXPIRE", "h", "10", "BOGUS", "FIELDS", "0", "f1"})) ==
          kFieldsMissing);
    CHECK(err(store.execute({"HEXPIRE", "h", "10", "FIELDS", "0", "a", "b"})) ==
          "ERR Parameter `numFields` should be greater than 0");
  }
  SUBCASE("a failed command changes nothing") {
    CHECK(store.execute({"HEXPIRE", "h", "10", "FIELDS", "3", "f1", "f2"}).is_error());
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "2", "f1", "f2"})) == Ints{-1, -1});
  }
}

// ============================================================================
// HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME
// ============================================================================

// [SRC8 httlGenericCommand: (expire + 999 - now) / 1000; TCL8 "HTTL/HPTTL -
// Returns array if the key does not exist", "Input validation", "returns
// time to live"; CMDS arity -5]
TEST_CASE_TEMPLATE("HTTL family: codes and rounding", E, ListpackEncoding, TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2"})) == 2);

  SUBCASE("a missing key: -2 per field") {
    for (const char* cmd : {"HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME"}) {
      CAPTURE(cmd);
      CHECK(ints(store.execute({cmd, "nokey", "FIELDS", "2", "a", "b"})) == Ints{-2, -2});
    }
    CHECK(integer(store.execute({"EXISTS", "nokey"})) == 0);
  }
  SUBCASE("-1 without TTL, -2 for a missing field") {
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "1000", "NX", "FIELDS", "1", "f1"})) == Ints{1});
    for (const char* cmd : {"HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME"}) {
      CAPTURE(cmd);
      CHECK(ints(store.execute({cmd, "h", "FIELDS", "2", "f2", "nope"})) == Ints{-1, -2});
    }
  }
  SUBCASE("HTTL rounds up, HPTTL is exact") {
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "2000", "FIELDS", "1", "f1"})) == Ints{1});
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{2});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "f1"})) == Ints{2000});
    clock.advance_ms(1);  // 1999 ms left
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{2});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "f1"})) == Ints{1999});
    clock.advance_ms(998);  // 1001 ms left
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{2});
    clock.advance_ms(1);  // 1000 ms left
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{1});
    clock.advance_ms(999);  // 1 ms left
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{1});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "f1"})) == Ints{1});
    // 10499 ms: a key TTL would say 10 (nearest), a field TTL says 11.
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "10499", "FIELDS", "1", "f2"})) == Ints{1});
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f2"})) == Ints{11});
  }
  SUBCASE("HEXPIRETIME rounds up too, HPEXPIRETIME is exact") {
    REQUIRE(ints(store.execute({"HPEXPIREAT", "h", S(kStartMs + 10'001), "FIELDS", "1", "f1"})) ==
            Ints{1});
    REQUIRE(ints(store.execute({"HPEXPIREAT", "h", S(kStartMs + 10'000), "FIELDS", "1", "f2"})) ==
            Ints{1});
    CHECK(ints(store.execute({"HEXPIRETIME", "h", "FIELDS", "2", "f1", "f2"})) ==
          Ints{kStartS + 11, kStartS + 10});
    CHECK(ints(store.execute({"HPEXPIRETIME", "h", "FIELDS", "2", "f1", "f2"})) ==
          Ints{kStartMs + 10'001, kStartMs + 10'000});
  }
  SUBCASE("after the TTL passes: -2") {
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "1000", "FIELDS", "1", "f1"})) == Ints{1});
    clock.advance_ms(1001);
    for (const char* cmd : {"HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME"}) {
      CAPTURE(cmd);
      CHECK(ints(store.execute({cmd, "h", "FIELDS", "2", "f1", "f2"})) == Ints{-2, -1});
    }
  }
  SUBCASE("errors") {
    for (const char* cmd : {"HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME"}) {
      CAPTURE(cmd);
      std::string lower(cmd);
      for (char& c : lower) c = static_cast<char>(c - 'A' + 'a');
      CHECK(err(store.execute({cmd, "h", "FIELDS", "1"})) ==
            "ERR wrong number of arguments for '" + lower + "' command");
      CHECK(err(store.execute({cmd, "h", "NOTFIELDS", "1", "f1"})) == kFieldsMissing);
      CHECK(err(store.execute({cmd, "h", "1", "f1", "f2"})) == kFieldsMissing);
      CHECK(err(store.execute({cmd, "h", "FIELDS", "0", "f1"})) == kNumfieldsPositive);
      CHECK(err(store.execute({cmd, "h", "FIELDS", "-1", "f1"})) == kNumfieldsPositive);
      CHECK(err(store.execute({cmd, "h", "FIELDS", "x", "f1"})) == kNumfieldsPositive);
      CHECK(err(store.execute({cmd, "h", "FIELDS", "1", "f1", "f2"})) == kNumfieldsMismatch);
      CHECK(err(store.execute({cmd, "h", "FIELDS", "3", "f1", "f2"})) == kNumfieldsMismatch);
      CHECK(err(store.execute({cmd, "nokey", "FIELDS", "3", "f1", "f2"})) == kNumfieldsMismatch);
    }
  }
}

// ============================================================================
// HPERSIST
// ============================================================================

// [SRC8 hpersistCommand; TCL8 "HPERSIST - Returns array if the key does not
// exist", "input validation", "verify fields with TTL are persisted",
// "Test expiry commands with non-volatile hash"; CMDS arity -5]
TEST_CASE_TEMPLATE("HPERSIST: codes -2, -1, 1", E, ListpackEncoding, TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2"})) == 2);

  SUBCASE("a missing key: -2 per field") {
    CHECK(ints(store.execute({"HPERSIST", "nokey", "FIELDS", "1", "a"})) == Ints{-2});
    CHECK(ints(store.execute({"HPERSIST", "nokey", "FIELDS", "2", "a", "b"})) == Ints{-2, -2});
  }
  SUBCASE("1 removes the TTL, -1 without TTL, -2 missing; the field then outlives it") {
    REQUIRE(ints(store.execute({"HEXPIRE", "h", "20", "NX", "FIELDS", "1", "f1"})) == Ints{1});
    CHECK(ints(store.execute({"HPERSIST", "h", "FIELDS", "3", "f1", "f2", "nope"})) ==
          Ints{1, -1, -2});
    CHECK(ints(store.execute({"HPERSIST", "h", "FIELDS", "1", "f1"})) == Ints{-1});
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "2", "f1", "f2"})) == Ints{-1, -1});
    clock.advance_ms(25'000);
    CHECK(bulk(store.execute({"HGET", "h", "f1"})) == "v1");
  }
  SUBCASE("a field whose TTL passed: -2") {
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "10", "FIELDS", "1", "f1"})) == Ints{1});
    clock.advance_ms(11);
    CHECK(ints(store.execute({"HPERSIST", "h", "FIELDS", "1", "f1"})) == Ints{-2});
  }
  SUBCASE("errors") {
    CHECK(err(store.execute({"HPERSIST", "h"})) ==
          "ERR wrong number of arguments for 'hpersist' command");
    CHECK(err(store.execute({"HPERSIST", "h", "FIELDS", "1"})) ==
          "ERR wrong number of arguments for 'hpersist' command");
    CHECK(err(store.execute({"HPERSIST", "h", "FIELDX", "1", "f1"})) == kFieldsMissing);
    CHECK(err(store.execute({"HPERSIST", "h", "FIELDS", "0", "f1"})) == kNumfieldsPositive);
    CHECK(err(store.execute({"HPERSIST", "h", "FIELDS", "2", "f1", "f2", "f3"})) ==
          kNumfieldsMismatch);
    CHECK(err(store.execute({"HPERSIST", "h", "FIELDS", "4", "f1", "f2", "f3"})) ==
          kNumfieldsMismatch);
  }
}

// ============================================================================
// HGETDEL
// ============================================================================

// [SRC8 hgetdelCommand; TCL8 "HGETDEL - delete field with ttl"; CMDS -5]
TEST_CASE_TEMPLATE("HGETDEL", E, ListpackEncoding, TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"})) == 3);

  SUBCASE("a missing key: nil per field, no key created") {
    CHECK(strs(store.execute({"HGETDEL", "nokey", "FIELDS", "2", "a", "b"})) ==
          Strs{"(nil)", "(nil)"});
    CHECK(integer(store.execute({"EXISTS", "nokey"})) == 0);
  }
  SUBCASE("returns the values, nil for missing fields, and deletes") {
    CHECK(strs(store.execute({"HGETDEL", "h", "FIELDS", "2", "f1", "nope"})) ==
          Strs{"v1", "(nil)"});
    CHECK(integer(store.execute({"HLEN", "h"})) == 2);
    CHECK(integer(store.execute({"HEXISTS", "h", "f1"})) == 0);
  }
  SUBCASE("the same field twice: its value, then nil") {
    CHECK(strs(store.execute({"HGETDEL", "h", "FIELDS", "2", "f1", "f1"})) ==
          Strs{"v1", "(nil)"});
  }
  SUBCASE("the key goes with its last field") {
    CHECK(strs(store.execute({"HGETDEL", "h", "FIELDS", "4", "f1", "f2", "f3", "f4"})) ==
          Strs{"v1", "v2", "v3", "(nil)"});
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
    CHECK(integer(store.execute({"DBSIZE"})) == 0);
    CHECK(bulk(store.execute({"TYPE", "h"})) == "none");
  }
  SUBCASE("an expired field reads as nil; the key goes when nothing is left") {
    REQUIRE(integer(store.execute({"DEL", "h"})) == 1);
    REQUIRE(integer(store.execute({"HSETEX", "h1", "PX", "5", "FIELDS", "1", "f1", "10"})) == 1);
    clock.advance_ms(15);
    CHECK(strs(store.execute({"HGETDEL", "h1", "fields", "1", "f1"})) == Strs{"(nil)"});
    CHECK(integer(store.execute({"EXISTS", "h1"})) == 0);

    REQUIRE(integer(store.execute(
                {"HSETEX", "h1", "FIELDS", "3", "f1", "10", "f2", "20", "f3", "value3"})) == 1);
    REQUIRE(ints(store.execute({"HPEXPIRE", "h1", "5", "FIELDS", "1", "f2"})) == Ints{1});
    clock.advance_ms(15);
    CHECK(strs(store.execute({"HGETDEL", "h1", "fields", "2", "f2", "f3"})) ==
          Strs{"(nil)", "value3"});
    CHECK(strs(store.execute({"HGETALL", "h1"})) == Strs{"f1", "10"});
    CHECK(strs(store.execute({"HGETDEL", "h1", "fields", "4", "f1", "f2", "f3", "f4"})) ==
          Strs{"10", "(nil)", "(nil)", "(nil)"});
    CHECK(integer(store.execute({"EXISTS", "h1"})) == 0);
  }
  SUBCASE("errors") {
    CHECK(err(store.execute({"HGETDEL", "h", "FIELDS", "1"})) ==
          "ERR wrong number of arguments for 'hgetdel' command");
    CHECK(err(store.execute({"HGETDEL", "h", "FIELDZ", "1", "f1"})) == kFieldsMissing);
    CHECK(err(store.execute({"HGETDEL", "h", "FIELDS", "0", "f1"})) == kNumfieldsPositive);
    CHECK(err(store.execute({"HGETDEL", "h", "FIELDS", "-1", "f1"})) == kNumfieldsPositive);
    CHECK(err(store.execute({"HGETDEL", "h", "FIELDS", "x", "f1"})) == kNumfieldsPositive);
    CHECK(err(store.execute({"HGETDEL", "h", "FIELDS", "2", "f1"})) == kNumfieldsMismatch);
    CHECK(err(store.execute({"HGETDEL", "h", "FIELDS", "1", "f1", "f2"})) == kNumfieldsMismatch);
    CHECK(integer(store.execute({"HLEN", "h"})) == 3);  // nothing deleted
  }
}

// ============================================================================
// HGETEX
// ============================================================================

// [SRC8 hgetexCommand; TCL8 "HGETEX - input validation", "input validation
// (expire time)", "get without setting ttl", "Test 'EX'/'EXAT'/'PX'/'PXAT'/
// 'PERSIST' flag", "setting ttl in the past will delete the key", "Test with
// lazy expiry"; CMDS -5]
TEST_CASE_TEMPLATE("HGETEX", E, ListpackEncoding, TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "a", "1", "b", "2", "c", "strval"})) == 3);

  SUBCASE("without an option: values, TTLs untouched") {
    CHECK(strs(store.execute({"HGETEX", "h", "fields", "1", "a"})) == Strs{"1"});
    CHECK(strs(store.execute({"HGETEX", "h", "FIELDS", "3", "a", "b", "c"})) ==
          Strs{"1", "2", "strval"});
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "3", "a", "b", "c"})) == Ints{-1, -1, -1});
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "5000", "FIELDS", "1", "a"})) == Ints{1});
    CHECK(strs(store.execute({"HGETEX", "h", "FIELDS", "1", "a"})) == Strs{"1"});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "a"})) == Ints{5000});
  }
  SUBCASE("a missing key: nil per field, even with EX; no key created") {
    CHECK(strs(store.execute({"HGETEX", "nokey", "FIELDS", "2", "a", "b"})) ==
          Strs{"(nil)", "(nil)"});
    CHECK(strs(store.execute({"HGETEX", "nokey", "EX", "100", "FIELDS", "1", "a"})) ==
          Strs{"(nil)"});
    CHECK(integer(store.execute({"EXISTS", "nokey"})) == 0);
  }
  SUBCASE("EX, PX, EXAT, PXAT set the TTL of the fields that exist") {
    CHECK(strs(store.execute({"HGETEX", "h", "EX", "100", "FIELDS", "2", "a", "nope"})) ==
          Strs{"1", "(nil)"});
    CHECK(ints(store.execute({"HPEXPIRETIME", "h", "FIELDS", "2", "a", "nope"})) ==
          Ints{kStartMs + 100'000, -2});
    CHECK(integer(store.execute({"HEXISTS", "h", "nope"})) == 0);
    CHECK(strs(store.execute({"HGETEX", "h", "PX", "1500", "FIELDS", "1", "b"})) == Strs{"2"});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "b"})) == Ints{1500});
    CHECK(strs(store.execute({"HGETEX", "h", "EXAT", S(kStartS + 4000), "FIELDS", "1", "c"})) ==
          Strs{"strval"});
    CHECK(ints(store.execute({"HEXPIRETIME", "h", "FIELDS", "1", "c"})) == Ints{kStartS + 4000});
    CHECK(strs(store.execute({"HGETEX", "h", "pxat", S(kStartMs + 777), "fields", "1", "a"})) ==
          Strs{"1"});
    CHECK(ints(store.execute({"HPEXPIRETIME", "h", "FIELDS", "1", "a"})) == Ints{kStartMs + 777});
  }
  SUBCASE("PERSIST removes the TTL; on a field without one it only reads") {
    REQUIRE(integer(store.execute({"HSETEX", "h", "PX", "5000", "FIELDS", "3", "f1", "v1", "f2",
                                   "v2", "f3", "v3"})) == 1);
    CHECK(strs(store.execute({"HGETEX", "h", "PERSIST", "FIELDS", "1", "f1"})) == Strs{"v1"});
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{-1});
    CHECK(strs(store.execute({"HGETEX", "h", "PERSIST", "FIELDS", "2", "f2", "f3"})) ==
          Strs{"v2", "v3"});
    CHECK(strs(store.execute({"HGETEX", "h", "PERSIST", "FIELDS", "2", "f2", "f3"})) ==
          Strs{"v2", "v3"});
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{-1, -1, -1});
    clock.advance_ms(6000);
    CHECK(integer(store.execute({"HLEN", "h"})) == 6);
  }
  SUBCASE("a time not in the future deletes after reading; the key goes with its last field") {
    CHECK(strs(store.execute({"HGETEX", "h", "EX", "0", "FIELDS", "1", "a"})) == Strs{"1"});
    CHECK(integer(store.execute({"HEXISTS", "h", "a"})) == 0);
    CHECK(strs(store.execute({"HGETEX", "h", "PXAT", "1", "FIELDS", "3", "a", "b", "c"})) ==
          Strs{"(nil)", "2", "strval"});
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
  }
  SUBCASE("an expired field reads as nil and the emptied key goes") {
    REQUIRE(integer(store.execute({"DEL", "h"})) == 1);
    REQUIRE(integer(store.execute({"HSETEX", "h", "PX", "1", "FIELDS", "2", "f1", "v1", "f2",
                                   "v2"})) == 1);
    clock.advance_ms(5);
    CHECK(strs(store.execute({"HGETEX", "h", "FIELDS", "2", "f1", "f2"})) ==
          Strs{"(nil)", "(nil)"});
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
  }
  SUBCASE("HSET discards a TTL that HGETEX set") {
    REQUIRE(strs(store.execute({"HGETEX", "h", "PX", "10000", "FIELDS", "1", "a"})) == Strs{"1"});
    REQUIRE(strs(store.execute({"HGETEX", "h", "EX", "100", "FIELDS", "1", "b"})) == Strs{"2"});
    CHECK(integer(store.execute({"HSET", "h", "b", "22"})) == 0);
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "3", "a", "b", "c"})) == Ints{10, -1, -1});
  }
  SUBCASE("errors: arity, FIELDS position, numfields") {
    const std::string kArity = "ERR wrong number of arguments for 'hgetex' command";
    CHECK(err(store.execute({"HGETEX"})) == kArity);
    CHECK(err(store.execute({"HGETEX", "h1"})) == kArity);
    CHECK(err(store.execute({"HGETEX", "h1", "FIELDS"})) == kArity);
    CHECK(err(store.execute({"HGETEX", "h1", "FIELDS", "0"})) == kArity);
    CHECK(err(store.execute({"HGETEX", "h1", "FIELDS", "1"})) == kArity);
    CHECK(err(store.execute({"HGETEX", "h1", "XFIELDX", "1", "a"})) == kFieldsMissing);
    CHECK(err(store.execute({"HGETEX", "h1", "PXAT", "1", "1"})) == kFieldsMissing);
    CHECK(err(store.execute({"HGETEX", "h1", "PERSIST", "1", "FIELDS", "1", "a"})) ==
          kFieldsMissing);
    // One option only, and only right after the key; KEEPTTL is HSETEX's.
    CHECK(err(store.execute({"HGETEX", "h", "EX", "10", "PX", "10", "FIELDS", "1", "a"})) ==
          kFieldsMissing);
    CHECK(err(store.execute({"HGETEX", "h", "KEEPTTL", "FIELDS", "1", "a"})) == kFieldsMissing);
    CHECK(err(store.execute({"HGETEX", "h", "FIELDS", "1", "a", "EX", "10"})) ==
          kNumfieldsMismatch);
    CHECK(err(store.execute({"HGETEX", "h1", "FIELDS", "2", "a"})) == kNumfieldsMismatch);
    CHECK(err(store.execute({"HGETEX", "h1", "FIELDS", "0", "a"})) == kNumfieldsPositive);
    CHECK(err(store.execute({"HGETEX", "h1", "FIELDS", "-1", "a"})) == kNumfieldsPositive);
    CHECK(err(store.execute({"HGETEX", "h1", "FIELDS", "9223372036854775808", "a"})) ==
          kNumfieldsPositive);
  }
  SUBCASE("errors: the time") {
    CHECK(err(store.execute({"HGETEX", "h1", "EX", "bla", "FIELDS", "1", "a"})) == kNotInteger);
    CHECK(err(store.execute({"HGETEX", "h1", "EX", "9223372036854775808", "FIELDS", "1", "a"})) ==
          kNotInteger);
    CHECK(err(store.execute({"HGETEX", "h1", "EXAT", "9223372036854775808", "FIELDS", "1",
                             "a"})) == kNotInteger);
    CHECK(err(store.execute({"HGETEX", "h1", "PX", "-1", "FIELDS", "1", "a"})) == kNegativeTime);
    CHECK(err(store.execute({"HGETEX", "h1", "PXAT", "-1", "FIELDS", "1", "a"})) ==
          kNegativeTime);
    CHECK(err(store.execute({"HGETEX", "h1", "EX", "-1", "FIELDS", "1", "a"})) == kNegativeTime);
    const std::string kTooBig = "ERR invalid expire time in 'hgetex' command";
    CHECK(err(store.execute({"HGETEX", "h1", "EX", S(int64_t{1} << 48), "FIELDS", "1", "a"})) ==
          kTooBig);
    CHECK(err(store.execute({"HGETEX", "h1", "EX", S((int64_t{1} << 46) / 1000 - kStartS + 100),
                             "FIELDS", "1", "a"})) == kTooBig);
    CHECK(err(store.execute({"HGETEX", "h1", "EXAT", S((int64_t{1} << 46) + 100), "FIELDS", "1",
                             "a"})) == kTooBig);
    CHECK(err(store.execute({"HGETEX", "h1", "PX", S((int64_t{1} << 46) - kStartMs + 100),
                             "FIELDS", "1", "a"})) == kTooBig);
    CHECK(err(store.execute({"HGETEX", "h1", "PXAT", S((int64_t{1} << 46) + 100), "FIELDS", "1",
                             "a"})) == kTooBig);
    // The time is checked before FIELDS and numfields.
    CHECK(err(store.execute({"HGETEX", "h", "EX", "bla", "FIELDZ", "0", "a"})) == kNotInteger);
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "a"})) == Ints{-1});
  }
}

// ============================================================================
// HSETEX
// ============================================================================

// [SRC8 hsetexParseArgs, hsetexCommand; TCL8 "HSETEX - Basic test", "Test
// FXX flag", "Test FNX flag", "Test 'EX'/'EXAT'/'PX'/'PXAT'/'KEEPTTL' flag",
// "Test no expiry flag discards TTL", "Set time in the past", "FXX flag with
// lazy expire"]
TEST_CASE_TEMPLATE("HSETEX: all or nothing, replies 1 or 0", E, ListpackEncoding,
                   TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));

  SUBCASE("sets, overrides, several fields at once; creates the key") {
    CHECK(integer(store.execute({"HSETEX", "h", "FIELDS", "1", "f1", "v1"})) == 1);
    CHECK(encoding(store, "h") == E::kName);
    CHECK(bulk(store.execute({"HGET", "h", "f1"})) == "v1");
    CHECK(integer(store.execute({"HSETEX", "h", "FIELDS", "1", "f1", "v11"})) == 1);
    CHECK(bulk(store.execute({"HGET", "h", "f1"})) == "v11");
    CHECK(integer(store.execute({"HSETEX", "h", "FIELDS", "3", "f1", "v111", "f2", "v222", "f3",
                                 "v333"})) == 1);
    CHECK(str_set(store.execute({"HGETALL", "h"})) ==
          std::set<std::string>{"f1", "v111", "f2", "v222", "f3", "v333"});
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "3", "f1", "f2", "f3"})) ==
          Ints{-1, -1, -1});
  }
  SUBCASE("words after FIELDS are data, not options") {
    CHECK(integer(store.execute({"HSETEX", "h", "FIELDS", "1", "EX", "10"})) == 1);
    CHECK(bulk(store.execute({"HGET", "h", "EX"})) == "10");
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "EX"})) == Ints{-1});
  }
  SUBCASE("FXX: 0 on a missing key, which is not created") {
    CHECK(integer(store.execute({"HSETEX", "h", "FXX", "FIELDS", "2", "f1", "v1", "f2", "v2"})) ==
          0);
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
    CHECK(integer(store.execute({"DBSIZE"})) == 0);
  }
  SUBCASE("FXX: 0 and no change unless every field exists") {
    REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1"})) == 1);
    CHECK(integer(store.execute({"HSETEX", "h", "FXX", "FIELDS", "2", "f1", "new", "f2", "v2"})) ==
          0);
    CHECK(strs(store.execute({"HGETALL", "h"})) == Strs{"f1", "v1"});
    CHECK(integer(store.execute({"HSETEX", "h", "FXX", "FIELDS", "1", "f1", "v11"})) == 1);
    CHECK(bulk(store.execute({"HGET", "h", "f1"})) == "v11");
    REQUIRE(integer(store.execute({"HSET", "h", "f2", "v2"})) == 1);
    CHECK(integer(store.execute({"HSETEX", "h", "FXX", "EX", "100", "FIELDS", "2", "f1", "a", "f2",
                                 "b"})) == 1);
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "2", "f1", "f2"})) == Ints{100, 100});
    // The condition may come after the TTL.
    CHECK(integer(store.execute({"HSETEX", "h", "PX", "5000", "FXX", "FIELDS", "2", "f1", "c",
                                 "f2", "d"})) == 1);
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "2", "f1", "f2"})) == Ints{5000, 5000});
    CHECK(str_set(store.execute({"HGETALL", "h"})) ==
          std::set<std::string>{"f1", "c", "f2", "d"});
  }
  SUBCASE("FNX: 0 and no change if any field exists") {
    CHECK(integer(store.execute({"HSETEX", "h", "FNX", "FIELDS", "1", "f1", "v1"})) == 1);
    CHECK(integer(store.execute({"HSETEX", "h", "FNX", "FIELDS", "2", "f9", "x", "f1", "y"})) ==
          0);
    CHECK(strs(store.execute({"HGETALL", "h"})) == Strs{"f1", "v1"});
    CHECK(integer(store.execute({"HSETEX", "h", "FNX", "FIELDS", "2", "f2", "v2", "f3", "v3"})) ==
          1);
    CHECK(integer(store.execute({"HLEN", "h"})) == 3);
    CHECK(integer(store.execute({"HSETEX", "h", "PX", "5000", "FNX", "FIELDS", "1", "f4",
                                 "v4"})) == 1);
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "2", "f4", "f1"})) == Ints{5000, -1});
  }
  SUBCASE("an expired field counts as missing: FXX fails (and the emptied key goes), FNX succeeds") {
    REQUIRE(integer(store.execute({"HSETEX", "h", "PX", "10", "FIELDS", "1", "f1", "v1"})) == 1);
    clock.advance_ms(15);
    CHECK(integer(store.execute({"HSETEX", "h", "FXX", "FIELDS", "1", "f1", "v11"})) == 0);
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
    REQUIRE(integer(store.execute({"HSETEX", "h", "PX", "10", "FIELDS", "1", "f1", "v1"})) == 1);
    clock.advance_ms(15);
    CHECK(integer(store.execute({"HSETEX", "h", "FNX", "FIELDS", "1", "f1", "v2"})) == 1);
    CHECK(bulk(store.execute({"HGET", "h", "f1"})) == "v2");
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{-1});
  }
  SUBCASE("EX, PX, EXAT, PXAT") {
    REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2"})) == 2);
    CHECK(integer(store.execute({"HSETEX", "h", "EX", "1000", "FIELDS", "1", "f3", "v3"})) == 1);
    CHECK(integer(store.execute({"HSETEX", "h", "PX", "1000000", "FIELDS", "1", "f4", "v4"})) ==
          1);
    CHECK(integer(store.execute({"HSETEX", "h", "EXAT", S(kStartS + 10), "FIELDS", "1", "f1",
                                 "v1"})) == 1);
    CHECK(integer(store.execute({"HSETEX", "h", "pxat", S(kStartMs + 10'000), "fields", "1", "f2",
                                 "v2"})) == 1);
    CHECK(ints(store.execute({"HPEXPIRETIME", "h", "FIELDS", "4", "f1", "f2", "f3", "f4"})) ==
          Ints{kStartMs + 10'000, kStartMs + 10'000, kStartMs + 1'000'000, kStartMs + 1'000'000});
  }
  SUBCASE("no TTL option discards the TTL; KEEPTTL keeps it") {
    REQUIRE(integer(store.execute({"HSETEX", "h", "FIELDS", "1", "f1", "v1"})) == 1);
    REQUIRE(integer(store.execute({"HSETEX", "h", "PX", "100000", "FIELDS", "1", "f2", "v2"})) ==
            1);
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "2", "f1", "f2"})) == Ints{-1, 100000});
    CHECK(integer(store.execute({"HSETEX", "h", "KEEPTTL", "FIELDS", "1", "f2", "v22"})) == 1);
    CHECK(bulk(store.execute({"HGET", "h", "f2"})) == "v22");
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "f2"})) == Ints{100000});
    CHECK(integer(store.execute({"HSETEX", "h", "FIELDS", "2", "f1", "v1", "f2", "v2"})) == 1);
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "2", "f1", "f2"})) == Ints{-1, -1});

    REQUIRE(integer(store.execute({"HSETEX", "h", "EX", "10000", "FIELDS", "3", "f1", "v1", "f2",
                                   "v2", "f3", "v3"})) == 1);
    clock.advance_ms(500);
    CHECK(integer(store.execute({"HSETEX", "h", "KEEPTTL", "FIELDS", "4", "f1", "v111", "f2",
                                 "v222", "f3", "v333", "f4", "v444"})) == 1);
    CHECK(str_set(store.execute({"HGETALL", "h"})) ==
          std::set<std::string>{"f1", "v111", "f2", "v222", "f3", "v333", "f4", "v444"});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "4", "f1", "f2", "f3", "f4"})) ==
          Ints{9'999'500, 9'999'500, 9'999'500, -1});
  }
  SUBCASE("a time not in the future: reply 1, the fields are set then deleted") {
    CHECK(integer(store.execute({"HSETEX", "h", "EXAT", S(kStartS - 1), "FIELDS", "2", "f1", "v1",
                                 "f2", "v2"})) == 1);
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
    REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"})) == 3);
    CHECK(integer(store.execute({"HSETEX", "h", "PX", "0", "FIELDS", "2", "f1", "x", "f2", "y"})) ==
          1);
    CHECK(strs(store.execute({"HGETALL", "h"})) == Strs{"f3", "v3"});
    CHECK(integer(store.execute({"HSETEX", "h", "EX", "0", "FIELDS", "1", "f3", "z"})) == 1);
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
  }
}

// [SRC8 hsetexParseArgs; TCL8 "HSETEX - input validation"; CMDS -6]
TEST_CASE("HSETEX: errors, parsed left to right") {
  ManualClock clock(kStartMs);
  Store store(ListpackEncoding::options(clock));
  const std::string kArity = "ERR wrong number of arguments for 'hsetex' command";

  SUBCASE("arity, and numfields against the pairs given") {
    CHECK(err(store.execute({"HSETEX", "myhash"})) == kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields"})) == kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields", "1"})) == kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields", "2", "a", "b"})) == kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields", "2", "a", "b", "c"})) == kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields", "2", "a", "b", "c", "d", "e"})) ==
          kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields", "3", "a", "b", "c", "d"})) == kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields", "3", "a", "b", "c", "d", "e"})) ==
          kArity);
    CHECK(err(store.execute(
              {"HSETEX", "myhash", "fields", "3", "a", "b", "c", "d", "e", "f", "g"})) == kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields", "3", "a", "b"})) == kArity);
    CHECK(err(store.execute({"HSETEX", "myhash", "fields", "1", "a", "b", "unknown"})) == kArity);
  }
  SUBCASE("unknown words before FIELDS") {
    CHECK(err(store.execute({"HSETEX", "myhash", "nx", "fields", "1", "a", "b"})) ==
          "ERR unknown argument: nx");
    CHECK(err(store.execute({"HSETEX", "myhash", "1", "fields", "1", "a", "b"})) ==
          "ERR unknown argument: 1");
    CHECK(err(store.execute({"HSETEX", "myhash", "PERSIST", "fields", "1", "a", "b"})) ==
          "ERR unknown argument: PERSIST");
  }
  SUBCASE("one of FXX or FNX") {
    const std::string kText = "ERR Only one of FXX or FNX arguments can be specified";
    CHECK(err(store.execute({"HSETEX", "myhash", "fxx", "fxx", "EX", "100", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "fxx", "fnx", "EX", "100", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "fnx", "fxx", "EX", "100", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "fnx", "fnx", "EX", "100", "fields", "1", "a",
                             "b"})) == kText);
  }
  SUBCASE("one of EX, PX, EXAT, PXAT or KEEPTTL") {
    const std::string kText =
        "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified";
    CHECK(err(store.execute({"HSETEX", "myhash", "EX", "100", "PX", "1000", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "EXAT", "100", "EX", "1000", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "PXAT", "100", "EXAT", "100", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "EX", "100", "KEEPTTL", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "KEEPTTL", "EX", "100", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "KEEPTTL", "KEEPTTL", "fields", "1", "a",
                             "b"})) == kText);
    CHECK(err(store.execute({"HSETEX", "myhash", "PX", "10", "PX", "10", "fields", "1", "a",
                             "b"})) == kText);
  }
  SUBCASE("the time") {
    // The word after EX is the time, even "fields".
    for (const char* opt : {"ex", "px", "exat", "pxat"}) {
      CAPTURE(opt);
      CHECK(err(store.execute({"HSETEX", "myhash", opt, "fields", "1", "a", "b"})) ==
            kNotInteger);
    }
    const std::string kTooBig = "ERR invalid expire time in 'hsetex' command";
    CHECK(err(store.execute({"HSETEX", "myhash", "EXAT", S(int64_t{1} << 48), "1", "a", "b"})) ==
          kTooBig);
    CHECK(err(store.execute({"HSETEX", "myhash", "PXAT", S(int64_t{1} << 48), "1", "a", "b"})) ==
          kTooBig);
    CHECK(err(store.execute({"HSETEX", "myhash", "EX", S((int64_t{1} << 48) - kStartS + 1000),
                             "1", "a", "b"})) == kTooBig);
    CHECK(err(store.execute({"HSETEX", "myhash", "PX", S((int64_t{1} << 48) - kStartMs + 1000),
                             "1", "a", "b"})) == kTooBig);
    CHECK(err(store.execute({"HSETEX", "myhash", "PXAT", S(kMaxAbsMs + 1), "FIELDS", "1", "a",
                             "b"})) == kTooBig);
    CHECK(err(store.execute({"HSETEX", "myhash", "EXAT", "-1", "1", "a", "b"})) == kNegativeTime);
    CHECK(err(store.execute({"HSETEX", "myhash", "EXAT", "9223372036854775808", "1", "a", "b"})) ==
          kNotInteger);
    CHECK(err(store.execute({"HSETEX", "myhash", "EXAT", "x", "1", "a", "b"})) == kNotInteger);
    // At the limit is fine.
    CHECK(integer(store.execute({"HSETEX", "ok", "PXAT", S(kMaxAbsMs), "FIELDS", "1", "a",
                                 "b"})) == 1);
  }
  SUBCASE("numfields") {
    for (const char* n : {"x", "9223372036854775808", "0", "-1"}) {
      CAPTURE(n);
      CHECK(err(store.execute({"HSETEX", "myhash", "fields", n, "a", "b"})) ==
            "ERR invalid number of fields");
    }
  }
  SUBCASE("the first error from the left wins") {
    CHECK(err(store.execute({"HSETEX", "k", "EX", "abc", "FXX", "FXX", "FIELDS", "1", "a",
                             "b"})) == kNotInteger);
    CHECK(err(store.execute({"HSETEX", "k", "FXX", "FXX", "EX", "abc", "FIELDS", "1", "a",
                             "b"})) == "ERR Only one of FXX or FNX arguments can be specified");
    CHECK(err(store.execute({"HSETEX", "k", "bogus", "EX", "abc", "FIELDS", "1", "a", "b"})) ==
          "ERR unknown argument: bogus");
    CHECK(err(store.execute({"HSETEX", "k", "EX", "-1", "FIELDS", "0", "a", "b"})) ==
          kNegativeTime);
  }
  CHECK(integer(store.execute({"EXISTS", "myhash"})) == 0);  // no failed call created it
  CHECK(integer(store.execute({"EXISTS", "k"})) == 0);
}

// ============================================================================
// Other writes against field TTLs
// ============================================================================

// [SRC8 hashTypeSet (HSET without HASH_SET_KEEP_TTL), hincrby/hincrbyfloat
// (HASH_SET_KEEP_TTL); TCL8 "A field with TTL overridden with another value
// (TTL discarded)", "Test return value of set operation", "HINCRBY(FLOAT) -
// preserve expiration time of the field", "discards pending expired field
// and reset its value"]
TEST_CASE_TEMPLATE("HSET clears a field's TTL; HINCRBY and HINCRBYFLOAT keep it", E,
                   ListpackEncoding, TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"})) == 3);
  REQUIRE(ints(store.execute({"HPEXPIRE", "h", "10000", "NX", "FIELDS", "1", "f1"})) == Ints{1});
  REQUIRE(ints(store.execute({"HPEXPIRE", "h", "1", "NX", "FIELDS", "1", "f2"})) == Ints{1});

  SUBCASE("HSET and HMSET overwrite the TTL away; other fields keep theirs") {
    CHECK(integer(store.execute({"HSET", "h", "f2", "value4"})) == 0);
    clock.advance_ms(5);
    CHECK(bulk(store.execute({"HGET", "h", "f2"})) == "value4");
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "2", "f2", "f3"})) == Ints{-1, -1});
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "f1"})) == Ints{9995});
    CHECK(bulk(store.execute({"HMSET", "h", "f1", "x"})) == "OK");
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f1"})) == Ints{-1});
  }
  SUBCASE("HSET's reply counts new fields only") {
    CHECK(integer(store.execute({"HSET", "h", "f1", "v1"})) == 0);
    CHECK(integer(store.execute({"HSET", "h", "f4", "v4"})) == 1);
    CHECK(integer(store.execute({"HSET", "h", "f3", "v3", "f5", "v5", "f6", "v6"})) == 2);
  }
  SUBCASE("HINCRBY and HINCRBYFLOAT keep the TTL") {
    REQUIRE(integer(store.execute({"HSET", "h", "n", "10"})) == 1);
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "20000", "FIELDS", "1", "n"})) == Ints{1});
    CHECK(integer(store.execute({"HINCRBY", "h", "n", "2"})) == 12);
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "n"})) == Ints{20000});
    CHECK(bulk(store.execute({"HINCRBYFLOAT", "h", "n", "2.5"})) == "14.5");
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", "n"})) == Ints{20000});
  }
  SUBCASE("on an expired field, HINCRBY and HINCRBYFLOAT start from 0 without TTL") {
    REQUIRE(integer(store.execute({"HSET", "h", "n", "10", "m", "10"})) == 2);
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "10", "FIELDS", "2", "n", "m"})) == Ints{1, 1});
    clock.advance_ms(15);
    CHECK(integer(store.execute({"HINCRBY", "h", "n", "1"})) == 1);
    CHECK(bulk(store.execute({"HINCRBYFLOAT", "h", "m", "1"})) == "1");
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "2", "n", "m"})) == Ints{-1, -1});
  }
  SUBCASE("HSETNX on an expired field sets it") {
    clock.advance_ms(5);
    CHECK(integer(store.execute({"HSETNX", "h", "f2", "again"})) == 1);
    CHECK(bulk(store.execute({"HGET", "h", "f2"})) == "again");
    CHECK(integer(store.execute({"HSETNX", "h", "f1", "no"})) == 0);
  }
}

// ============================================================================
// Visibility: no read sees an expired field
// ============================================================================

// [TCL8 "Lazy Expire - HSCAN does not report expired fields", "verify
// various HASH commands handling expired fields", "Test HGETALL not return
// expired fields", "HMGET - returns empty entries if fields or hash
// expired", "Test HRANDFIELD deletes all expired fields"]. HLEN, EXISTS,
// DBSIZE, KEYS, SCAN and TYPE at once: hashstore (Redis counts a field until
// it is reclaimed: TCL8 "HLEN does count expired fields").
TEST_CASE_TEMPLATE("A field vanishes as soon as the clock passes its TTL", E, ListpackEncoding,
                   TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"})) == 3);
  REQUIRE(integer(store.execute({"HSET", "other", "g", "w"})) == 1);
  REQUIRE(ints(store.execute({"HPEXPIRE", "h", "1000", "FIELDS", "1", "f2"})) == Ints{1});
  clock.advance_ms(999);
  CHECK(bulk(store.execute({"HGET", "h", "f2"})) == "v2");
  clock.advance_ms(2);  // 1 ms past

  SUBCASE("reads of the field") {
    CHECK(bulk(store.execute({"HGET", "h", "f2"})) == "(nil)");
    CHECK(integer(store.execute({"HEXISTS", "h", "f2"})) == 0);
    CHECK(integer(store.execute({"HSTRLEN", "h", "f2"})) == 0);
    CHECK(strs(store.execute({"HMGET", "h", "f1", "f2", "f3"})) == Strs{"v1", "(nil)", "v3"});
    CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "1", "f2"})) == Ints{-2});
  }
  SUBCASE("whole-hash reads") {
    CHECK(integer(store.execute({"HLEN", "h"})) == 2);  // hashstore: Redis says 3 until reclaimed
    CHECK(str_set(store.execute({"HGETALL", "h"})) ==
          std::set<std::string>{"f1", "v1", "f3", "v3"});
    CHECK(str_set(store.execute({"HKEYS", "h"})) == std::set<std::string>{"f1", "f3"});
    CHECK(str_set(store.execute({"HVALS", "h"})) == std::set<std::string>{"v1", "v3"});
    CHECK(hscan_fields(store, "h") == std::set<std::string>{"f1", "f3"});
    CHECK(str_set(store.execute({"HRANDFIELD", "h", "10"})) == std::set<std::string>{"f1", "f3"});
    Reply many = store.execute({"HRANDFIELD", "h", "-50"});
    CHECK(strs(many).size() == 50);
    CHECK(str_set(many).count("f2") == 0);
    for (int i = 0; i < 50; ++i) CHECK(bulk(store.execute({"HRANDFIELD", "h"})) != "f2");
  }
  SUBCASE("HDEL of the expired field deletes nothing") {
    // hashstore (Redis 8.0 answers 1: TCL8 "Verify HDEL not ignore expired field").
    CHECK(integer(store.execute({"HDEL", "h", "f2"})) == 0);
  }
  SUBCASE("when the last field expires, the key is gone") {
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "500", "FIELDS", "2", "f1", "f3"})) ==
            Ints{1, 1});
    clock.advance_ms(501);
    CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
    CHECK(integer(store.execute({"DBSIZE"})) == 1);
    CHECK(str_set(store.execute({"KEYS", "*"})) == std::set<std::string>{"other"});
    CHECK(scan_keys(store) == std::set<std::string>{"other"});
    CHECK(bulk(store.execute({"TYPE", "h"})) == "none");
    CHECK(integer(store.execute({"HLEN", "h"})) == 0);
    CHECK(strs(store.execute({"HGETALL", "h"})) == Strs{});
    CHECK(bulk(store.execute({"HRANDFIELD", "h"})) == "(nil)");
    CHECK(strs(store.execute({"HRANDFIELD", "h", "5"})) == Strs{});
    CHECK(bulk(store.execute({"RANDOMKEY"})) == "other");
    CHECK(bulk(store.execute({"OBJECT", "ENCODING", "h"})) == "(nil)");
    CHECK(store.execute({"MEMORY", "USAGE", "h"}).is_nil());
    CHECK(bulk(store.execute({"HGET", "other", "g"})) == "w");
    // A write starts a fresh hash.
    CHECK(integer(store.execute({"HSET", "h", "x", "y"})) == 1);
    CHECK(integer(store.execute({"HLEN", "h"})) == 1);
  }
  SUBCASE("when the last field expires, DBSIZE drops it before anything touches the key") {
    REQUIRE(ints(store.execute({"HPEXPIRE", "h", "500", "FIELDS", "2", "f1", "f3"})) ==
            Ints{1, 1});
    clock.advance_ms(501);
    CHECK(integer(store.execute({"DBSIZE"})) == 1);
    CHECK(integer(store.execute({"EXISTS", "h", "other"})) == 1);
  }
}

// ============================================================================
// Encodings
// ============================================================================

// [TCL8 "Test listpack converts to ht and passive expiry works"; SRC8
// hashTypeConvertListpackEx keeps each field's TTL]
TEST_CASE("A listpack with field TTLs converts to a table and keeps them") {
  ManualClock clock(kStartMs);
  Store store(ListpackEncoding::options(clock));
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"})) == 3);
  REQUIRE(ints(store.execute({"HPEXPIRE", "h", "5000", "FIELDS", "2", "f1", "f2"})) ==
          Ints{1, 1});
  REQUIRE(ints(store.execute({"HEXPIRE", "h", "100", "FIELDS", "1", "f3"})) == Ints{1});
  REQUIRE(ints(store.execute({"HPERSIST", "h", "FIELDS", "1", "f3"})) == Ints{1});
  CHECK(encoding(store, "h") != "hashtable");

  SUBCASE("by a value longer than hash-max-listpack-value (65 bytes)") {
    CHECK(integer(store.execute({"HSET", "h", "big", std::string(65, 'x')})) == 1);
  }
  SUBCASE("by a field longer than hash-max-listpack-value, through HSETEX with a TTL") {
    CHECK(integer(store.execute({"HSETEX", "h", "PX", "7000", "FIELDS", "1", std::string(65, 'k'),
                                 "v"})) == 1);
    CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "1", std::string(65, 'k')})) == Ints{7000});
  }
  SUBCASE("by more entries than hash-max-listpack-entries") {
    REQUIRE(bulk(store.execute({"CONFIG", "SET", "hash-max-listpack-entries", "4"})) == "OK");
    CHECK(integer(store.execute({"HSET", "h", "f4", "v4", "f5", "v5"})) == 2);
  }
  SUBCASE("by HINCRBY writing a field longer than hash-max-listpack-value") {
    CHECK(integer(store.execute({"HINCRBY", "h", std::string(65, 'n'), "1"})) == 1);
  }
  CHECK(encoding(store, "h") == "hashtable");
  CHECK(ints(store.execute({"HPTTL", "h", "FIELDS", "3", "f1", "f2", "f3"})) ==
        Ints{5000, 5000, -1});
  CHECK(ints(store.execute({"HPEXPIRETIME", "h", "FIELDS", "2", "f1", "f2"})) ==
        Ints{kStartMs + 5000, kStartMs + 5000});
  clock.advance_ms(5001);
  CHECK(bulk(store.execute({"HGET", "h", "f1"})) == "(nil)");
  CHECK(integer(store.execute({"HEXISTS", "h", "f2"})) == 0);
  CHECK(bulk(store.execute({"HGET", "h", "f3"})) == "v3");
  CHECK(str_set(store.execute({"HKEYS", "h"})).count("f1") == 0);
  CHECK(hscan_fields(store, "h").count("f2") == 0);
}

// [TCL8 runs every test with `config set hash-max-listpack-entries 0`]
TEST_CASE("Field TTLs on a table made by CONFIG SET hash-max-listpack-entries 0") {
  ManualClock clock(kStartMs);
  Store store(ListpackEncoding::options(clock));
  REQUIRE(bulk(store.execute({"CONFIG", "SET", "hash-max-listpack-entries", "0"})) == "OK");
  REQUIRE(integer(store.execute({"HSET", "h", "f1", "v1", "f2", "v2"})) == 2);
  CHECK(encoding(store, "h") == "hashtable");
  CHECK(ints(store.execute({"HEXPIRE", "h", "10", "LT", "FIELDS", "3", "f1", "f2", "f3"})) ==
        Ints{1, 1, -2});
  CHECK(ints(store.execute({"HEXPIRE", "h", "20", "GT", "FIELDS", "1", "f1"})) == Ints{1});
  CHECK(ints(store.execute({"HTTL", "h", "FIELDS", "2", "f1", "f2"})) == Ints{20, 10});
  clock.advance_ms(10'001);
  CHECK(strs(store.execute({"HGETALL", "h"})) == Strs{"f1", "v1"});
  clock.advance_ms(10'000);
  CHECK(integer(store.execute({"EXISTS", "h"})) == 0);
}

// ============================================================================
// Reclamation: Store::expire_cycle
// ============================================================================

// [TCL8 "Active Expire - deletes hash that all its fields got expired",
// "HSETEX - Test with active expiry", "HGETEX - Test active expiry"; SRC8
// hashTypeDbActiveExpire]. Memory figures are hashstore's own.
TEST_CASE_TEMPLATE("Store::expire_cycle reclaims expired fields and emptied keys", E,
                   ListpackEncoding, TableEncoding) {
  ManualClock clock(kStartMs);
  Store store(E::options(clock));
  for (int i = 0; i < 20; ++i)
    REQUIRE(integer(store.execute({"HSET", "mix", numbered("f", i), std::string(40, 'v')})) == 1);
  for (int i = 0; i < 10; ++i)
    REQUIRE(ints(store.execute({"HPEXPIRE", "mix", S(100 + i), "FIELDS", "1",
                                numbered("f", i)})) == Ints{1});
  REQUIRE(integer(store.execute({"HSETEX", "gone", "PX", "100", "FIELDS", "3", "a", "1", "b",
                                 "2", "c", "3"})) == 1);
  REQUIRE(integer(store.execute({"HSET", "gone2", "a", "1"})) == 1);
  REQUIRE(strs(store.execute({"HGETEX", "gone2", "PX", "50", "FIELDS", "1", "a"})) == Strs{"1"});
  const std::string enc_before = encoding(store, "mix");
  CHECK(enc_before != (std::string(E::kName) == "listpack" ? "hashtable" : "listpack"));
  const int64_t mem_before = integer(store.execute({"MEMORY", "USAGE", "mix"}));
  REQUIRE(mem_before > 0);
  CHECK(resident_keys(store) == 3);

  CHECK(store.expire_cycle() == 0);  // nothing is due yet
  CHECK(integer(store.execute({"HLEN", "mix"})) == 20);

  clock.advance_ms(200);
  CHECK(resident_keys(store) == 3);  // nothing reclaimed before a cycle or an access
  store.expire_cycle();
  CHECK(resident_keys(store) == 1);  // the two emptied keys are reclaimed
  CHECK(integer(store.execute({"DBSIZE"})) == 1);
  CHECK(integer(store.execute({"HLEN", "mix"})) == 10);
  CHECK(encoding(store, "mix") == enc_before);
  const int64_t mem_after = integer(store.execute({"MEMORY", "USAGE", "mix"}));
  CHECK(mem_after > 0);
  CHECK(mem_after < mem_before);
  for (int i = 0; i < 20; ++i) {
    CAPTURE(i);
    CHECK(integer(store.execute({"HEXISTS", "mix", numbered("f", i)})) == (i < 10 ? 0 : 1));
  }
  CHECK(ints(store.execute({"HTTL", "mix", "FIELDS", "2", "f0", "f10"})) == Ints{-2, -1});

  SUBCASE("the rest of the fields expire: the cycle reclaims the key") {
    std::vector<std::string> args = {"HPEXPIRE", "mix", "10", "FIELDS", "10"};
    for (int i = 10; i < 20; ++i) args.push_back(numbered("f", i));
    REQUIRE(ints(store.execute(args)) == Ints(10, 1));
    clock.advance_ms(11);
    store.expire_cycle();
    CHECK(resident_keys(store) == 0);
    CHECK(integer(store.execute({"DBSIZE"})) == 0);
  }
}

// [TCL8 "Test listpack converts to ht and active expiry works": 1024 rounds
// of HSET 4 fields + HPEXPIRE them; the key ends up a table and goes]
TEST_CASE("Store::expire_cycle reclaims a large hash field by field, in bounded steps") {
  ManualClock clock(kStartMs);
  Store store(ListpackEncoding::options(clock));
  for (int i = 0; i < 1024; ++i) {
    std::vector<std::string> set = {"HSET", "big"};
    std::vector<std::string> exp = {"HPEXPIRE", "big", "10", "FIELDS", "4"};
    for (int j = 1; j <= 4; ++j) {
      std::string f = absl::StrCat("f", j, "_", i);
      set.push_back(f);
      set.push_back("v");
      exp.push_back(f);
    }
    REQUIRE(integer(store.execute(set)) == 4);
    REQUIRE(ints(store.execute(exp)) == Ints(4, 1));
  }
  CHECK(encoding(store, "big") == "hashtable");
  CHECK(integer(store.execute({"HLEN", "big"})) == 4096);
  clock.advance_ms(11);
  CHECK(resident_keys(store) == 1);
  for (int round = 0; round < 10'000 && resident_keys(store) > 0; ++round) store.expire_cycle(16);
  CHECK(resident_keys(store) == 0);
  CHECK(integer(store.execute({"EXISTS", "big"})) == 0);
}
