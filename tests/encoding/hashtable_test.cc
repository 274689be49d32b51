// Tests of lib/encoding/hashtable.h and field_entry.{h,cc}: field entry
// layout, every HashTable method, incremental growth and shrink, the scan
// guarantee across resizes, random sampling, byte accounting (per-element
// footprints, and FieldTable's arena), FieldTable's own methods (TTL
// changes, clear, bounded destruction) and a randomized model test against
// std::map. The arena itself: field_arena_test.cc.
//
// Randomized tests use a fixed seed; set HASHSTORE_SEED=<n> to try another.
#include <doctest/doctest.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "encoding/field_entry.h"
#include "util/heap.h"

using hashstore::internal::FieldArena;
using hashstore::internal::FieldTable;
using hashstore::internal::heap_footprint;
namespace field_entry = hashstore::internal::field_entry;

namespace {

std::string numbered(const char* prefix, uint64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// Sets f to v: insert when absent, replace (destroying the old entry) when present.
void put(FieldTable& t, const std::string& f, const std::string& v) {
  const uint64_t h = t.hash(f);
  void* e = t.make(f, v, std::nullopt);
  if (t.find(f, h) != nullptr) {
    t.destroy(t.replace(f, h, e));
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

// How many times a full scan (no changes during it) returns each field.
std::map<std::string, int> scan_counts(const FieldTable& t) {
  std::map<std::string, int> seen;
  uint64_t cursor = 0;
  size_t steps = 0;
  do {
    cursor = t.scan(cursor, [&](void* e) { seen[std::string(field_entry::field(e))]++; });
  } while (cursor != 0 && ++steps < 100000000);
  return seen;
}

std::set<std::string> keys_of(const std::map<std::string, std::string>& m) {
  std::set<std::string> keys;
  for (const auto& [k, v] : m) keys.insert(k);
  return keys;
}

// FieldTable's byte count is its arena's: the pages and large blocks it
// holds, and the live slots in it are exactly the table's entries' (plus
// those of entries the caller holds outside the table, `outside` bytes).
bool bytes_add_up(const FieldTable& t, size_t outside = 0) {
  const FieldArena::Usage u = t.arena().usage();
  size_t small = 0, large = 0;
  t.for_each([&](const void* e) {
    const size_t n = field_entry::encoded_size(e);
    (n > hashstore::internal::kArenaMaxSlot ? large : small) += FieldArena::slot_bytes(n);
  });
  INFO("pages " << u.page_bytes << " large " << u.large_bytes << " live " << u.live_bytes
                << " small " << small << " outside " << outside);
  return t.element_bytes() == u.page_bytes + u.large_bytes &&
         u.live_bytes + u.large_bytes >= small + large &&
         u.live_bytes + u.large_bytes <= small + large + outside + u.large_blocks * 24 &&
         u.slot_capacity == u.live_bytes + u.free_bytes + u.tail_bytes + u.lost_bytes;
}

// A table of plain malloc'd elements ([u8 length][key bytes]), to test the
// per-element footprint accounting that the keyspace's table relies on.
struct PlainPolicy {
  static std::string_view key(const void* e) {
    const auto* p = static_cast<const char*>(e);
    return {p + 1, static_cast<uint8_t>(p[0])};
  }
  static void destroy(void* e) { std::free(e); }
  static size_t footprint(const void* e) { return heap_footprint(e); }
  static constexpr bool kWideElements = false;
};
using PlainTable = hashstore::internal::HashTable<PlainPolicy>;

void* plain(std::string_view key) {
  auto* p = static_cast<char*>(std::malloc(1 + key.size()));
  p[0] = static_cast<char>(key.size());
  std::memcpy(p + 1, key.data(), key.size());
  return p;
}

size_t sum_footprints(const PlainTable& t) {
  size_t bytes = 0;
  t.for_each([&](const void* e) { bytes += heap_footprint(e); });
  return bytes;
}

uint64_t test_seed() {
  const char* s = std::getenv("HASHSTORE_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261124;
}

// The smallest power-of-two bucket count that holds n elements at <= 7/8.
size_t buckets_for(size_t n) {
  size_t b = 1;
  while (n * 8 > b * 8 * 7) b *= 2;
  return b;
}

}  // namespace

// ---- field_entry ----------------------------------------------------------------

TEST_CASE("FieldEntry::make") {
  FieldTable t(1);
  SUBCASE("short field and value, no expiry") {
    void* e = t.make("f:123456", "12345678", std::nullopt);
    CHECK(field_entry::field(e) == "f:123456");
    CHECK(field_entry::value(e) == "12345678");
    CHECK(field_entry::expiry(e) == std::nullopt);
    CHECK(field_entry::encoded_size(e) == 19);
    CHECK(field_entry::size_for(8, 8, false) == 19);
    CHECK(FieldArena::slot_bytes(19) == 20);  // the entry: a 20-byte slot
    t.destroy(e);
  }
  SUBCASE("empty, binary and multi-byte-varint lengths") {
    const std::string nul("a\0b", 3);
    for (size_t len : {0, 1, 127, 128, 300, 16383, 16384, 70000}) {
      CAPTURE(len);
      const std::string f(len, 'f'), v(len / 2 + 1, 'v');
      void* e = t.make(f, v + nul, int64_t{-5});
      CHECK(field_entry::field(e) == f);
      CHECK(field_entry::value(e) == v + nul);
      CHECK(field_entry::expiry(e) == -5);
      CHECK(field_entry::encoded_size(e) == field_entry::size_for(f.size(), v.size() + 3, true));
      t.destroy(e);
    }
  }
  SUBCASE("expiry is stored after the value, unaligned") {
    void* e = t.make("abc", "xyz", int64_t{1700000000123});
    CHECK(field_entry::expiry(e) == 1700000000123);
    CHECK(field_entry::encoded_size(e) == 1 + 1 + 1 + 3 + 3 + 8);
    field_entry::overwrite_expiry(e, -7);
    CHECK(field_entry::expiry(e) == -7);
    CHECK(field_entry::value(e) == "xyz");
    t.destroy(e);
  }
  CHECK(t.arena().usage().live_bytes == 0);
}

TEST_CASE("FieldTable::set_expiry") {
  FieldTable t(3);
  for (uint64_t i = 0; i < 600; ++i) put(t, numbered("s", i), std::string(i % 300, 'v'));
  const std::string f = "field";
  const uint64_t h = t.hash(f);
  t.insert(t.make(f, std::string(40, 'v'), std::nullopt), h);
  void* e = t.find(f, h);
  SUBCASE("add, overwrite and remove keep field and value") {
    e = t.set_expiry(e, h, int64_t{42});
    CHECK(t.find(f, h) == e);
    CHECK(field_entry::expiry(e) == 42);
    CHECK(t.ttl_count() == 1);
    CHECK(t.earliest_expiry() == 42);
    void* same = t.set_expiry(e, h, int64_t{-1});
    CHECK(same == e);  // already had one: overwritten in place
    CHECK(field_entry::expiry(e) == -1);
    CHECK(t.latest_expiry() == -1);
    e = t.set_expiry(e, h, std::nullopt);
    CHECK(t.find(f, h) == e);
    CHECK(field_entry::expiry(e) == std::nullopt);
    CHECK(t.ttl_count() == 0);
    CHECK(field_entry::encoded_size(e) == 1 + 1 + 1 + 5 + 40);
    CHECK(field_entry::field(e) == "field");
    CHECK(field_entry::value(e) == std::string(40, 'v'));
    CHECK(bytes_add_up(t));
  }
  SUBCASE("no expiry wanted and none there: unchanged") {
    CHECK(t.set_expiry(e, h, std::nullopt) == e);
  }
  SUBCASE("every entry size, across the largest class and the malloc fallback") {
    for (uint64_t i = 0; i < 600; i += 7) {
      const std::string g = numbered("s", i);
      const uint64_t hg = t.hash(g);
      void* moved = t.set_expiry(t.find(g, hg), hg, static_cast<int64_t>(i));
      CHECK(t.find(g, hg) == moved);
    }
    CHECK(bytes_add_up(t));
    for (uint64_t i = 0; i < 600; ++i) {
      CAPTURE(i);
      const void* x = t.find(numbered("s", i), t.hash(numbered("s", i)));
      REQUIRE(x != nullptr);
      CHECK(field_entry::value(x) == std::string(i % 300, 'v'));
      CHECK(field_entry::expiry(x) ==
            (i % 7 == 0 ? std::optional<int64_t>(static_cast<int64_t>(i)) : std::nullopt));
    }
    CHECK(t.expire_some(1000, SIZE_MAX) == (600 + 6) / 7);
    CHECK(t.size() == 600 - (600 + 6) / 7 + 1);
    CHECK(bytes_add_up(t));
  }
}

TEST_CASE("FieldTable::clear and destruction free the arena") {
  FieldTable t(4);
  for (uint64_t i = 0; i < 5000; ++i) put(t, numbered("c", i), std::string(i % 400, 'x'));
  CHECK(t.element_bytes() > 0);
  t.clear();
  CHECK(t.size() == 0);
  CHECK(t.element_bytes() == 0);
  CHECK_FALSE(t.arena().holds_memory());
  put(t, "again", "v");
  CHECK(get(t, "again") == "v");
  // The destructor frees what is left (ASan's leak check watches).
}

TEST_CASE("FieldTable::destroy_some") {
  FieldTable t(6);
  const size_t n = 100000;
  for (uint64_t i = 0; i < n; ++i) put(t, numbered("d", i), std::string(i % 300, 'x'));
  // A TTL on a tenth of the fields: the index goes first.
  for (uint64_t i = 0; i < n; i += 10) {
    const std::string f = numbered("d", i);
    t.set_expiry(t.find(f, t.hash(f)), t.hash(f), int64_t{5});
  }
  const size_t max = 256;
  const size_t held = t.element_bytes();
  size_t pos = 0, calls = 0, index_calls = 0, removed = 0;
  while (!t.empty()) {
    const size_t ttl_before = t.ttl_count(), size_before = t.size();
    const size_t bytes_before = t.element_bytes();
    const size_t done = t.destroy_some(max, &pos);
    ++calls;
    REQUIRE(done <= max);
    if (ttl_before > 0) {
      ++index_calls;
      CHECK(t.ttl_count() == ttl_before - done);
      CHECK(t.element_bytes() == bytes_before);
      CHECK(t.size() == size_before);
    } else {
      removed += done;
      CHECK(t.size() == size_before - done);
      // The entries' share of the bytes, plus at most one page or large block.
      CHECK(bytes_before - t.element_bytes() <=
            bytes_before / size_before * done + 65536 + 1000);
    }
    REQUIRE(calls < 100000);
  }
  CHECK(index_calls == (n / 10 + max - 1) / max);
  CHECK(removed == n);
  CHECK(calls >= index_calls + n / max);
  CHECK(held > 0);
  CHECK(t.element_bytes() == 0);
  CHECK(t.table_bytes() == 0);
  CHECK(t.index_bytes() == 0);
}

// ---- HashTable ------------------------------------------------------------------

TEST_CASE("HashTable::hash") {
  FieldTable a(1), b(2);
  CHECK(a.hash("key") == a.hash(std::string("key")));
  CHECK(a.hash("key") == XXH3_64bits_withSeed("key", 3, 1));
  CHECK(a.hash("key") != b.hash("key"));  // per-instance seed
  CHECK(a.hash("key") != a.hash("kez"));
  // The inline short path gives the library's values, at every length.
  std::string bytes;
  for (size_t n = 0; n <= 300; ++n) {
    CAPTURE(n);
    CHECK(a.hash(bytes) == XXH3_64bits_withSeed(bytes.data(), bytes.size(), 1));
    bytes.push_back(static_cast<char>('a' + n % 26));
  }
}

TEST_CASE("HashTable::find") {
  FieldTable t(42);
  CHECK(t.find("a", t.hash("a")) == nullptr);  // empty, no array yet
  put(t, "a", "1");
  put(t, "b", "2");
  SUBCASE("hits and misses") {
    CHECK(get(t, "a") == "1");
    CHECK(get(t, "b") == "2");
    CHECK(get(t, "c") == std::nullopt);
    CHECK(get(t, "A") == std::nullopt);
  }
  SUBCASE("empty and binary keys") {
    put(t, "", "empty");
    put(t, std::string("x\0y", 3), "nul");
    CHECK(get(t, "") == "empty");
    CHECK(get(t, std::string("x\0y", 3)) == "nul");
    CHECK(get(t, "x") == std::nullopt);
  }
  SUBCASE("keys with the same tag and home bucket are told apart by their bytes") {
    // Find two keys whose tag (bits 32..47) and low 3 bits agree.
    std::unordered_map<uint64_t, std::string> by_tag;
    std::string k1, k2;
    for (uint64_t i = 0; k1.empty(); ++i) {
      const std::string k = numbered("t", i);
      const uint64_t h = t.hash(k);
      const uint64_t id = ((h >> 32) & 0xFFFF) << 3 | (h & 7);
      auto [it, fresh] = by_tag.emplace(id, k);
      if (!fresh) {
        k1 = it->second;
        k2 = k;
      }
    }
    put(t, k1, "one");
    CHECK(get(t, k2) == std::nullopt);
    put(t, k2, "two");
    CHECK(get(t, k1) == "one");
    CHECK(get(t, k2) == "two");
    CHECK(del(t, k1));
    CHECK(get(t, k2) == "two");
  }
}

TEST_CASE("HashTable::insert") {
  FieldTable t(5);
  CHECK(t.size() == 0);
  CHECK(t.table_bytes() == 0);
  SUBCASE("the first insert allocates one bucket") {
    put(t, "k", "v");
    CHECK(t.size() == 1);
    CHECK(t.bucket_count() == 1);
    CHECK(t.table_bytes() >= 64);
  }
  SUBCASE("growth at every size up to 20000 keeps every element findable") {
    for (uint64_t i = 0; i < 20000; ++i) {
      put(t, numbered("f", i), numbered("v", i));
      REQUIRE(t.size() == i + 1);
      // Never above 7/8 of the current array.
      CHECK(t.size() * 8 <= t.bucket_count() * 8 * 7);
      if (i % 1013 == 0 || (i & (i + 1)) == 0) {
        CAPTURE(i);
        for (uint64_t j = 0; j <= i; j += 7) REQUIRE(get(t, numbered("f", j)) == numbered("v", j));
      }
    }
  }
  SUBCASE("growth is incremental: the old array drains over later writes") {
    uint64_t i = 0;
    while (!t.rehashing()) put(t, numbered("f", i++), "v");
    // A growth past 8 buckets drains 2 buckets per write: it is still running
    // after the insert that started it.
    while (t.bucket_count() < 64) {
      put(t, numbered("f", i++), "v");
      t.finish_rehash();
    }
    const size_t before = t.bucket_count();
    while (t.bucket_count() == before) put(t, numbered("f", i++), "v");
    CHECK(t.rehashing());
    int writes = 0;
    while (t.rehashing()) {
      // Lookups see elements in both arrays meanwhile.
      for (uint64_t j = 0; j < i; j += 3) REQUIRE(get(t, numbered("f", j)) == "v");
      put(t, numbered("f", i++), "v");
      ++writes;
    }
    // kRehashBucketsPerWrite buckets per write (it ends early only if the
    // last old buckets are empty).
    CHECK(writes <= static_cast<int>(before / 2));
    CHECK(writes >= static_cast<int>(before / 2) - 1);
    CHECK(t.size() == i);
  }
  SUBCASE("bucket count after growth is the smallest that fits 7/8") {
    for (size_t n : {1, 7, 8, 9, 56, 57, 100, 1000, 917504, 917505}) {
      CAPTURE(n);
      FieldTable g(n);
      for (uint64_t i = 0; i < n; ++i) {
        const std::string f = numbered("g", i);
        g.insert(g.make(f, "", std::nullopt), g.hash(f));
      }
      g.finish_rehash();
      CHECK(g.bucket_count() == buckets_for(n));
    }
  }
}

TEST_CASE("HashTable::replace") {
  FieldTable t(8);
  for (uint64_t i = 0; i < 1000; ++i) put(t, numbered("r", i), "short");
  const std::string f = "r500";
  const uint64_t h = t.hash(f);
  void* before = t.find(f, h);
  const size_t bytes = t.element_bytes();
  void* fresh = t.make(f, std::string(300, 'L'), std::nullopt);  // a large block
  CHECK(t.element_bytes() >= bytes + 300 + 16);
  void* old = t.replace(f, h, fresh);
  CHECK(old == before);
  CHECK(field_entry::value(old) == "short");  // returned, not destroyed
  CHECK(t.find(f, h) == fresh);
  CHECK(t.size() == 1000);
  CHECK(bytes_add_up(t, FieldArena::slot_bytes(field_entry::encoded_size(old))));
  t.destroy(old);
  CHECK(bytes_add_up(t));
}

TEST_CASE("HashTable::replace_pointer") {
  FieldTable t(9);
  for (uint64_t i = 0; i < 3000; ++i) put(t, numbered("p", i), "v");
  // Rebuild every tenth entry with an expiry, give the old one back, then
  // swap the new one in by pointer identity: the old pointer is freed
  // already, so it must not be read (ASan: its slot is poisoned). (The
  // table's TTL index is not told: FieldTable::set_expiry does all this
  // properly.)
  for (uint64_t i = 0; i < 3000; i += 10) {
    const std::string f = numbered("p", i);
    const uint64_t h = t.hash(f);
    void* e = t.find(f, h);
    REQUIRE(e != nullptr);
    void* moved = t.make(f, "v", static_cast<int64_t>(i));
    t.destroy(e);
    t.replace_pointer(e, h, moved, 0);
    CHECK(t.find(f, h) == moved);
  }
  for (uint64_t i = 0; i < 3000; ++i) {
    CAPTURE(i);
    const void* e = t.find(numbered("p", i), t.hash(numbered("p", i)));
    REQUIRE(e != nullptr);
    CHECK(field_entry::expiry(e) ==
          (i % 10 == 0 ? std::optional<int64_t>(static_cast<int64_t>(i)) : std::nullopt));
  }
  CHECK(bytes_add_up(t));
}

TEST_CASE("HashTable::detach") {
  FieldTable t(42);
  put(t, "a", "1");
  put(t, "b", "2");
  void* e = t.detach("a", t.hash("a"));
  REQUIRE(e != nullptr);
  CHECK(field_entry::value(e) == "1");  // still alive: the caller owns it
  CHECK(t.size() == 1);
  CHECK(t.detach("a", t.hash("a")) == nullptr);
  CHECK(bytes_add_up(t, FieldArena::slot_bytes(field_entry::encoded_size(e))));
  t.destroy(e);
  CHECK(bytes_add_up(t));
}

TEST_CASE("HashTable::erase") {
  FieldTable t(7);
  SUBCASE("present and absent") {
    put(t, "a", "1");
    CHECK(del(t, "a"));
    CHECK_FALSE(del(t, "a"));
    CHECK(t.size() == 0);
  }
  SUBCASE("shrinks incrementally when under 1/8 full, keeping the rest") {
    for (uint64_t i = 0; i < 100000; ++i) put(t, numbered("f", i), numbered("v", i));
    t.finish_rehash();
    CHECK(t.bucket_count() == buckets_for(100000));
    bool saw_shrink_in_flight = false;
    for (uint64_t i = 0; i < 99990; ++i) {
      REQUIRE(del(t, numbered("f", i)));
      saw_shrink_in_flight |= t.rehashing();
    }
    CHECK(saw_shrink_in_flight);
    t.finish_rehash();
    CHECK(t.size() == 10);
    CHECK(t.bucket_count() <= 4);
    for (uint64_t i = 99990; i < 100000; ++i) CHECK(get(t, numbered("f", i)) == numbered("v", i));
  }
  SUBCASE("churn at a steady size keeps lookups correct (ever-full cleanup)") {
    std::mt19937_64 rng(test_seed());
    std::set<uint64_t> live;
    for (uint64_t i = 0; i < 200000; ++i) {
      if (live.size() < 3000) {
        put(t, numbered("c", i), "v");
        live.insert(i);
      } else {
        auto it = live.begin();
        std::advance(it, static_cast<long>(rng() % 50));
        REQUIRE(del(t, numbered("c", *it)));
        live.erase(it);
      }
    }
    CHECK(t.size() == live.size());
    for (uint64_t k : live) REQUIRE(get(t, numbered("c", k)) == "v");
    CHECK(t.bucket_count() <= 2 * buckets_for(3000));
  }
}

TEST_CASE("HashTable::clear") {
  FieldTable t(3);
  for (uint64_t i = 0; i < 5000; ++i) put(t, numbered("c", i), "v");
  t.clear();
  CHECK(t.size() == 0);
  CHECK(t.element_bytes() == 0);
  CHECK(t.table_bytes() == 0);
  CHECK_FALSE(t.rehashing());
  CHECK(get(t, "c1") == std::nullopt);
  put(t, "c1", "again");
  CHECK(get(t, "c1") == "again");
}

TEST_CASE("HashTable::element_bytes") {
  SUBCASE("per-element footprints (the keyspace's table)") {
    PlainTable t(1);
    for (uint64_t i = 0; i < 5000; ++i) {
      const std::string k = numbered(i % 2 ? "k:" : "a-longer-key:", i);
      t.insert(plain(k), t.hash(k));
    }
    CHECK(t.element_bytes() == sum_footprints(t));
    for (uint64_t i = 0; i < 5000; i += 3) {
      const std::string k = numbered(i % 2 ? "k:" : "a-longer-key:", i);
      std::free(t.replace(k, t.hash(k), plain(k)));
    }
    CHECK(t.element_bytes() == sum_footprints(t));
    for (uint64_t i = 0; i < 5000; i += 2) {
      const std::string k = numbered("a-longer-key:", i);
      CHECK(t.erase(k, t.hash(k)));
    }
    CHECK(t.element_bytes() == sum_footprints(t));
    const size_t before = t.element_bytes();
    t.adjust_element_bytes(40);
    CHECK(t.element_bytes() == before + 40);
    t.adjust_element_bytes(-40);
    CHECK(t.element_bytes() == before);
  }
  SUBCASE("FieldTable: the arena's pages, kept when fields go") {
    FieldTable t(1);
    // Values up to 199 bytes: every entry in a slot, none malloc'd.
    for (uint64_t i = 0; i < 5000; ++i) put(t, numbered("field:", i), std::string(i % 100, 'v'));
    CHECK(bytes_add_up(t));
    for (uint64_t i = 0; i < 5000; i += 3) put(t, numbered("field:", i), std::string(i % 200, 'w'));
    CHECK(bytes_add_up(t));
    const size_t held = t.element_bytes();
    for (uint64_t i = 0; i < 5000; i += 2) del(t, numbered("field:", i));
    CHECK(bytes_add_up(t));
    CHECK(t.element_bytes() == held);  // freed slots stay in the pages
    // and are reused: putting the same fields back takes no new page.
    for (uint64_t i = 0; i < 5000; i += 2) {
      put(t, numbered("field:", i), std::string(i % 3 == 0 ? i % 200 : i % 100, 'w'));
    }
    CHECK(t.element_bytes() == held);
    CHECK(bytes_add_up(t));
  }
}

TEST_CASE("HashTable::table_bytes") {
  FieldTable t(2);
  uint64_t i = 0;
  while (t.bucket_count() < 1024) put(t, numbered("t", i++), "v");
  REQUIRE(t.rehashing());
  // Both arrays are counted while the growth runs: 1024 + 512 buckets.
  CHECK(t.table_bytes() >= (1024 + 512) * 64);
  t.finish_rehash();
  CHECK(t.table_bytes() >= 1024 * 64);
  CHECK(t.table_bytes() < 1024 * 64 + 1024 / 8 + 4096 + 64);
}

TEST_CASE("HashTable large arrays") {
  // Arrays of 1 MiB and more (16,384 buckets and up) are mapped, and their
  // drained pages are given back during a rehash: elements must survive
  // growth and shrink through that path, and the mapped bytes must be
  // accounted and returned.
  const size_t mapped_before = hashstore::internal::mapped_table_bytes();
  {
    FieldTable t(11);
    uint64_t i = 0;
    for (; t.bucket_count() < 65536; ++i) put(t, numbered("m", i), numbered("v", i));
    REQUIRE(t.rehashing());  // 32,768 -> 65,536 buckets, both mapped
    CHECK(hashstore::internal::mapped_table_bytes() - mapped_before ==
          t.table_bytes());
    CHECK(t.table_bytes() >= (65536 + 32768) * 64);
    while (t.rehashing()) {
      put(t, numbered("m", i), numbered("v", i));
      ++i;
      if (i % 997 == 0) {
        for (uint64_t j = 0; j < i; j += 101) REQUIRE(get(t, numbered("m", j)) == numbered("v", j));
      }
    }
    for (uint64_t j = 0; j < i; ++j) REQUIRE(get(t, numbered("m", j)) == numbered("v", j));
    // Shrink back through mapped arrays.
    const uint64_t keep = 1000;
    for (uint64_t j = keep; j < i; ++j) REQUIRE(del(t, numbered("m", j)));
    t.finish_rehash();
    CHECK(t.bucket_count() < 16384);
    for (uint64_t j = 0; j < keep; ++j) REQUIRE(get(t, numbered("m", j)) == numbered("v", j));
    CHECK(scan_counts(t).size() == keep);
    CHECK(bytes_add_up(t));
  }
  CHECK(hashstore::internal::mapped_table_bytes() == mapped_before);
}

TEST_CASE("HashTable::scan") {
  SUBCASE("empty table: one step, returns 0, visits nothing") {
    FieldTable empty(3);
    int visits = 0;
    CHECK(empty.scan(0, [&](void*) { ++visits; }) == 0);
    CHECK(visits == 0);
  }
  SUBCASE("without changes every element is returned exactly once") {
    for (uint64_t n : {1, 5, 8, 9, 100, 3000, 20000}) {
      CAPTURE(n);
      FieldTable t(n * 31);
      for (uint64_t i = 0; i < n; ++i) put(t, numbered("k", i), "v");
      t.finish_rehash();
      const auto counts = scan_counts(t);
      CHECK(counts.size() == n);
      for (const auto& [k, c] : counts) {
        CAPTURE(k);
        CHECK(c == 1);
      }
    }
  }
  SUBCASE("exactly once also while a rehash is in flight (no changes during the scan)") {
    FieldTable t(77);
    uint64_t i = 0;
    while (t.bucket_count() < 256) put(t, numbered("k", i++), "v");
    REQUIRE(t.rehashing());  // growth from 128 to 256 buckets half-way
    const auto counts = scan_counts(t);
    CHECK(counts.size() == i);
    for (const auto& [k, c] : counts) CHECK(c == 1);
    // And during a shrink.
    for (uint64_t j = 0; j + 40 < i; ++j) REQUIRE(del(t, numbered("k", j)));
    REQUIRE(t.rehashing());
    const auto after = scan_counts(t);
    CHECK(after.size() == 40);
    for (const auto& [k, c] : after) CHECK(c == 1);
  }
  SUBCASE("growing AND shrinking between every call loses nothing") {
    // "stay" elements are present for the whole scan. Between every two scan
    // calls, "churn" elements are inserted until the table has grown at
    // least once, then all erased until it has shrunk, then a varying number
    // are inserted again and left, so scan calls also meet rehashes in
    // flight (growth and shrink) and different sizes.
    for (uint64_t stay_n : {40, 300, 1000}) {
      CAPTURE(stay_n);
      FieldTable t(stay_n + test_seed());
      std::mt19937_64 rng(test_seed() + stay_n);
      std::set<std::string> stay;
      for (uint64_t i = 0; i < stay_n; ++i) {
        stay.insert(numbered("stay", i));
        put(t, numbered("stay", i), "v");
      }
      std::set<std::string> seen;
      std::vector<std::string> churn;
      uint64_t next_churn = 0, cursor = 0;
      size_t calls = 0, gaps_without_both = 0, calls_in_flight = 0;
      do {
        cursor = t.scan(cursor, [&](void* e) {
          std::string k(field_entry::field(e));
          // Only present elements: a stay one or a churn one left in place.
          CHECK((stay.count(k) == 1 || std::find(churn.begin(), churn.end(), k) != churn.end()));
          seen.insert(std::move(k));
        });
        ++calls;
        calls_in_flight += t.rehashing() ? 1 : 0;
        // Grow past the start and far enough (over stay_n buckets) that
        // erasing the churn leaves the table under 1/8 full.
        const size_t start = t.bucket_count();
        while (t.bucket_count() <= std::max<size_t>(start, stay_n)) {
          churn.push_back(numbered("churn", next_churn++));
          put(t, churn.back(), "x");
        }
        const size_t top = t.bucket_count();
        while (!churn.empty()) {
          REQUIRE(del(t, churn.back()));
          churn.pop_back();
        }
        const bool shrank = t.bucket_count() < top;  // a shrink started (it may still run)
        gaps_without_both += shrank ? 0 : 1;
        const size_t extra = rng() % (2 * stay_n + 8);
        for (size_t i = 0; i < extra; ++i) {
          churn.push_back(numbered("churn", next_churn++));
          put(t, churn.back(), "x");
        }
      } while (cursor != 0 && calls < 1000000);
      CHECK(cursor == 0);
      CHECK(gaps_without_both == 0);
      CHECK(calls_in_flight > 0);
      for (const auto& s : stay) {
        CAPTURE(s);
        CHECK(seen.count(s) == 1);
      }
    }
  }
}

TEST_CASE("HashTable::random_element") {
  std::mt19937_64 rng(test_seed());
  SUBCASE("empty table") {
    FieldTable empty(9);
    CHECK(empty.random_element(rng()) == nullptr);
  }
  // Chi-square over k elements, k * 400 draws. With k - 1 degrees of
  // freedom the statistic has mean k - 1 and standard deviation
  // sqrt(2 (k - 1)); the bound is 6 deviations above the mean, so a correct
  // table passes for any seed in practice while a biased one (e.g. first
  // bucket only, or a bucket chosen first and then a slot in it) fails.
  auto chi_square = [&](const FieldTable& t, size_t k) {
    std::map<std::string, int> counts;
    const int draws = static_cast<int>(k) * 400;
    for (int i = 0; i < draws; ++i) {
      const void* e = t.random_element(rng());
      REQUIRE(e != nullptr);
      counts[std::string(field_entry::field(e))]++;
    }
    CHECK(counts.size() == k);  // every element reachable
    double chi = 0;
    const double expect = static_cast<double>(draws) / static_cast<double>(k);
    for (const auto& [key, n] : counts) chi += (n - expect) * (n - expect) / expect;
    chi += static_cast<double>(k - counts.size()) * expect;  // never drawn
    return chi;
  };
  auto bound = [](size_t k) { return (k - 1) + 6 * std::sqrt(2.0 * (k - 1)); };
  SUBCASE("uniform in a stable table") {
    for (size_t k : {1, 16, 300}) {
      CAPTURE(k);
      FieldTable t(k);
      for (uint64_t i = 0; i < k; ++i) put(t, numbered("r", i), "v");
      t.finish_rehash();
      CHECK(chi_square(t, k) <= bound(k));
    }
  }
  SUBCASE("uniform while a growth is in flight (elements in both arrays)") {
    FieldTable t(4);
    uint64_t i = 0;
    while (t.bucket_count() < 64) put(t, numbered("r", i++), "v");
    REQUIRE(t.rehashing());
    CHECK(chi_square(t, i) <= bound(i));
  }
}

TEST_CASE("HashTable randomized against std::map") {
  const uint64_t seed = test_seed();
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  FieldTable t(seed);
  std::map<std::string, std::string> model;
  // A scan in progress, one step every few operations: the fields present
  // since it started must all be returned; nothing absent may be returned.
  bool scanning = false;
  uint64_t cursor = 0;
  std::set<std::string> stayed, returned;
  size_t scans_done = 0;
  const uint64_t keyspace = 20000;
  for (int step = 0; step < 1000000; ++step) {
    // Slowly vary the key range so the table grows and shrinks repeatedly.
    const uint64_t range = 1 + keyspace * (1 + (step / 100000) % 3) / 3;
    const std::string f = numbered("f", rng() % range);
    switch (rng() % 10) {
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
        stayed.erase(f);
        break;
      case 5: {
        auto it = model.find(f);
        CHECK(get(t, f) == (it == model.end() ? std::nullopt : std::optional(it->second)));
        break;
      }
      case 6:
        // Rare bursts of deletions drive shrinking.
        if (rng() % 2000 == 0) {
          for (auto it = model.begin(); it != model.end() && rng() % 20 != 0;) {
            REQUIRE(del(t, it->first));
            stayed.erase(it->first);
            it = model.erase(it);
          }
        }
        break;
      case 7:
      case 8:
        if (!scanning) {
          scanning = true;
          cursor = 0;
          returned.clear();
          stayed = keys_of(model);
        }
        cursor = t.scan(cursor, [&](void* e) {
          std::string k(field_entry::field(e));
          CHECK(model.count(k) == 1);
          returned.insert(std::move(k));
        });
        if (cursor == 0) {
          for (const auto& k : stayed) {
            CAPTURE(k);
            CHECK(returned.count(k) == 1);
          }
          scanning = false;
          ++scans_done;
        }
        break;
      default:
        REQUIRE(t.size() == model.size());
        break;
    }
    if (step % 100000 == 0) {
      INFO("step " << step);
      std::set<std::string> all;
      for (const auto& [k, c] : scan_counts(t)) all.insert(k);
      REQUIRE(all == keys_of(model));
      CHECK(bytes_add_up(t));
    }
  }
  CHECK(scans_done > 10);
  std::map<std::string, std::string> got;
  t.for_each([&](const void* e) { got.emplace(field_entry::field(e), field_entry::value(e)); });
  CHECK(got == model);
  CHECK(bytes_add_up(t));
}
