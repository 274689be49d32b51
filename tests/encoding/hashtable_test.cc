// Tests of lib/encoding/hashtable (with field entries as elements): lookups,
// incremental growth and shrink, the scan guarantee across resizes, random
// sampling, byte accounting and a randomized model test.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "encoding/field_entry.h"
#include "util/heap.h"

using hashstore::internal::FieldTable;
namespace field_entry = hashstore::internal::field_entry;

namespace {

std::string numbered(const char* prefix, uint64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

void put(FieldTable& t, const std::string& f, const std::string& v) {
  const uint64_t h = t.hash(f);
  void* e = field_entry::make(f, v, std::nullopt);
  if (t.find(f, h) != nullptr) {
    field_entry::destroy(t.replace(f, h, e));
  } else {
    t.insert(e, h);
  }
}

std::optional<std::string> get(const FieldTable& t, const std::string& f) {
  const void* e = t.find(f, t.hash(f));
  if (e == nullptr) return std::nullopt;
  return std::string(field_entry::value(e));
}

bool del(FieldTable& t, const std::string& f) { return t.erase(f, t.hash(f)); }

// Every field a full scan returns (with repeats counted once).
std::set<std::string> scan_all(const FieldTable& t) {
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](void* e) { seen.emplace(field_entry::field(e)); });
  } while (cursor != 0);
  return seen;
}

uint64_t test_seed() {
  const char* s = std::getenv("HASHSTORE_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261124;
}

}  // namespace

TEST_CASE("HashTable basics") {
  FieldTable t(42);
  CHECK(t.size() == 0);
  CHECK(get(t, "a") == std::nullopt);
  put(t, "a", "1");
  put(t, "b", "2");
  CHECK(t.size() == 2);
  CHECK(get(t, "a") == "1");
  SUBCASE("replace swaps the element and returns the old one") {
    put(t, "a", "100");
    CHECK(get(t, "a") == "100");
    CHECK(t.size() == 2);
  }
  SUBCASE("detach returns the element without freeing it") {
    void* e = t.detach("a", t.hash("a"));
    REQUIRE(e != nullptr);
    CHECK(field_entry::value(e) == "1");
    field_entry::destroy(e);
    CHECK(t.detach("a", t.hash("a")) == nullptr);
    CHECK(t.size() == 1);
  }
  SUBCASE("erase and clear") {
    CHECK(del(t, "b"));
    CHECK_FALSE(del(t, "b"));
    t.clear();
    CHECK(t.size() == 0);
    CHECK(t.element_bytes() == 0);
    put(t, "c", "3");
    CHECK(get(t, "c") == "3");
  }
  SUBCASE("empty and binary keys") {
    put(t, "", "empty");
    put(t, std::string("x\0y", 3), "nul");
    CHECK(get(t, "") == "empty");
    CHECK(get(t, std::string("x\0y", 3)) == "nul");
    CHECK(get(t, "x") == std::nullopt);
  }
}

TEST_CASE("HashTable growth and shrink are incremental and keep every element") {
  FieldTable t(7);
  for (uint64_t i = 0; i < 100000; ++i) {
    put(t, numbered("f", i), numbered("v", i));
    if (i % 9973 == 0) {
      CAPTURE(i);
      for (uint64_t j = 0; j <= i; j += 997) REQUIRE(get(t, numbered("f", j)) == numbered("v", j));
    }
  }
  t.finish_rehash();
  CHECK(t.size() == 100000);
  // 7/8 maximum fill: 100000 elements need 2^14 buckets of 8 slots.
  CHECK(t.bucket_count() == 16384);
  for (uint64_t i = 0; i < 99990; ++i) REQUIRE(del(t, numbered("f", i)));
  t.finish_rehash();
  CHECK(t.size() == 10);
  CHECK(t.bucket_count() <= 4);  // shrank
  for (uint64_t i = 99990; i < 100000; ++i) CHECK(get(t, numbered("f", i)) == numbered("v", i));
}

TEST_CASE("HashTable::element_bytes and table_bytes are exact") {
  FieldTable t(1);
  size_t expected = 0;
  for (uint64_t i = 0; i < 5000; ++i) {
    const std::string f = numbered("field:", i), v(i % 100, 'v');
    put(t, f, v);
  }
  t.for_each([&](const void* e) { expected += hashstore::internal::heap_footprint(e); });
  CHECK(t.element_bytes() == expected);
  CHECK(t.table_bytes() >= t.bucket_count() * 64);
  for (uint64_t i = 0; i < 5000; i += 2) del(t, numbered("field:", i));
  expected = 0;
  t.for_each([&](const void* e) { expected += hashstore::internal::heap_footprint(e); });
  CHECK(t.element_bytes() == expected);
}

TEST_CASE("HashTable::scan") {
  SUBCASE("without changes every element is returned") {
    FieldTable t(3);
    std::set<std::string> all;
    for (uint64_t i = 0; i < 3000; ++i) {
      all.insert(numbered("k", i));
      put(t, numbered("k", i), "v");
    }
    CHECK(scan_all(t) == all);
    FieldTable empty(3);
    CHECK(empty.scan(0, [](void*) { FAIL("visited an element of an empty table"); }) == 0);
  }
  SUBCASE("growing and shrinking between every call loses nothing") {
    // Elements "stay*" are present for the whole scan; "churn*" elements are
    // added and removed around every call, so the table grows to several
    // times its size and shrinks back, and rehashes are in flight at the
    // moments scan is called.
    for (uint64_t round = 0; round < 6; ++round) {
      CAPTURE(round);
      FieldTable t(100 + round);
      std::set<std::string> stay;
      for (uint64_t i = 0; i < 200 + round * 300; ++i) {
        stay.insert(numbered("stay", i));
        put(t, numbered("stay", i), "v");
      }
      std::set<std::string> seen;
      uint64_t cursor = 0;
      uint64_t churn = 0;
      size_t calls = 0;
      bool grew = false, shrank = false;
      const int batch = round % 2 == 0 ? 2000 : 60;
      const size_t phase = round % 2 == 0 ? 4 : 150;
      size_t in_flight = 0;
      size_t buckets = t.bucket_count();
      do {
        cursor = t.scan(cursor, [&](void* e) { seen.emplace(field_entry::field(e)); });
        ++calls;
        // Alternate phases of heavy growth (2000 more per call) and of
        // deleting them all again, so the table doubles several times and
        // then shrinks back.
        // Small batches (odd rounds) leave rehashes in flight across calls.
        if ((calls / phase) % 2 == 0) {
          for (int i = 0; i < batch; ++i) put(t, numbered("churn", churn++), "x");
        } else {
          for (int i = 0; i < batch && churn > 0; ++i) del(t, numbered("churn", --churn));
        }
        in_flight += t.rehashing() ? 1 : 0;
        grew |= t.bucket_count() > buckets;
        shrank |= t.bucket_count() < buckets;
        buckets = t.bucket_count();
      } while (cursor != 0 && calls < 100000);
      CHECK(cursor == 0);
      CHECK(grew);
      CHECK(shrank);
      if (batch < 100) CHECK(in_flight > 0);
      for (const auto& s : stay) {
        CAPTURE(s);
        CHECK(seen.count(s) == 1);
      }
    }
  }
}

TEST_CASE("HashTable::random_element is uniform") {
  FieldTable t(9);
  for (uint64_t i = 0; i < 16; ++i) put(t, numbered("r", i), "v");
  std::map<std::string, int> counts;
  std::mt19937_64 rng(test_seed());
  const int draws = 160000;
  for (int i = 0; i < draws; ++i) counts[std::string(field_entry::field(t.random_element(rng())))]++;
  REQUIRE(counts.size() == 16);
  for (const auto& [k, n] : counts) {
    CAPTURE(k);
    CHECK(n > draws / 16 * 85 / 100);
    CHECK(n < draws / 16 * 115 / 100);
  }
  FieldTable empty(9);
  CHECK(empty.random_element(rng()) == nullptr);
}

TEST_CASE("HashTable randomized against std::map") {
  const uint64_t seed = test_seed();
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  FieldTable t(seed);
  std::map<std::string, std::string> model;
  const uint64_t keyspace = 20000;
  for (int step = 0; step < 1000000; ++step) {
    const std::string f = numbered("f", rng() % keyspace);
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2: {
        const std::string v = numbered("v", rng() % 1000);
        put(t, f, v);
        model[f] = v;
        break;
      }
      case 3:
      case 4:
        CHECK(del(t, f) == (model.erase(f) == 1));
        break;
      case 5: {
        auto it = model.find(f);
        CHECK(get(t, f) == (it == model.end() ? std::nullopt : std::optional(it->second)));
        break;
      }
      case 6:
        // Bursts of deletions drive shrinking.
        if (rng() % 1000 == 0) {
          for (auto it = model.begin(); it != model.end() && rng() % 10 != 0;) {
            REQUIRE(del(t, it->first));
            it = model.erase(it);
          }
        }
        break;
      default:
        REQUIRE(t.size() == model.size());
        break;
    }
    if (step % 100000 == 0) {
      std::set<std::string> keys;
      for (const auto& [k, v] : model) keys.insert(k);
      REQUIRE(scan_all(t) == keys);
    }
  }
  std::map<std::string, std::string> got;
  t.for_each([&](const void* e) { got.emplace(field_entry::field(e), field_entry::value(e)); });
  CHECK(got == model);
}
