// Tests of lib/keyspace (Keyspace, EntryHash) on their own, with no Store
// above them: keys created, found, erased; key TTLs and lazy and active
// expiry; a rename as the Store does it (detach, rekey, insert); the SCAN
// cursor's guarantee; byte accounting back to the empty state.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "hash/hash_object.h"
#include "keyspace/key_entry.h"
#include "keyspace/keyspace.h"

namespace {

// Everything tested here is lib/'s: Keyspace, EntryHash, key_entry, Now...
using namespace hashstore::internal;  // NOLINT(build/namespaces): a test of lib/

constexpr uint64_t kSeed = 0x5eed;

// HSET key field value at time `now`, as the Store's write path does it:
// find (reclaiming what is dead) or create, then write through an EntryHash.
void hset(Keyspace& ks, std::string_view key, std::string_view field, std::string_view value,
          int64_t now = 0) {
  static const HashLimits limits;
  const uint64_t h = ks.hash(key);
  Now at(now);
  void* e = ks.find_for_write(key, h, at);
  if (e == nullptr) e = ks.create(key, h);
  EntryHash storage(ks, e, h);
  HashObject hash(storage, limits);
  hash.set(field, value);
  storage.settle();
}

// HGET key field, on a live key at `now`.
std::optional<std::string> hget(Keyspace& ks, std::string_view key, std::string_view field,
                                int64_t now = 0) {
  static const HashLimits limits;
  const uint64_t h = ks.hash(key);
  Now at(now);
  void* e = ks.find_live(key, h, at);
  if (e == nullptr) return std::nullopt;
  EntryHash storage(ks, e, h);
  HashObject hash(storage, limits);
  ValueBuffer buf;
  std::string_view v;
  if (!hash.find(field, &buf, &v)) return std::nullopt;
  return std::string(v);
}

}  // namespace

TEST_CASE("Keyspace: create, find, erase") {
  Keyspace ks(kSeed);
  const size_t empty_bytes = ks.bytes();
  CHECK(ks.size() == 0);
  CHECK(ks.find("a", ks.hash("a")) == nullptr);
  hset(ks, "a", "f", "1");
  hset(ks, "b", "f", "2");
  hset(ks, "a", "g", "3");
  CHECK(ks.size() == 2);
  void* a = ks.find("a", ks.hash("a"));
  REQUIRE(a != nullptr);
  CHECK(key_entry::key(a) == "a");
  CHECK(key_entry::encoding(a) == HashEncoding::kListpack);
  CHECK(hget(ks, "a", "f") == "1");
  CHECK(hget(ks, "a", "g") == "3");
  CHECK(hget(ks, "b", "f") == "2");
  CHECK(ks.bytes() > empty_bytes);
  CHECK(ks.erase("a", ks.hash("a")));
  CHECK_FALSE(ks.erase("a", ks.hash("a")));
  CHECK(ks.find("a", ks.hash("a")) == nullptr);
  CHECK(ks.size() == 1);
  CHECK(hget(ks, "b", "f") == "2");
}

TEST_CASE("Keyspace: bytes() follows a hash that converts, and goes back when keys go") {
  Keyspace ks(kSeed);
  for (int i = 0; i < 600; ++i) hset(ks, "big", absl::StrCat("f", i), "v");
  hset(ks, "small", "f", "v");
  const void* big = ks.find("big", ks.hash("big"));
  REQUIRE(big != nullptr);
  CHECK(key_entry::encoding(big) == HashEncoding::kTable);
  CHECK(Keyspace::table_usage(big) > 0);
  CHECK(ks.bytes() >= ks.table_bytes() + Keyspace::table_usage(big));
  REQUIRE(ks.erase("big", ks.hash("big")));
  REQUIRE(ks.erase("small", ks.hash("small")));
  // Only the key table's slot arrays remain.
  CHECK(ks.bytes() == ks.table_bytes());
}

TEST_CASE("Keyspace: key TTLs, lazy and active expiry") {
  Keyspace ks(kSeed);
  std::vector<KeyspaceEvent> log;
  ks.set_event_log(&log);
  hset(ks, "s", "f", "v");
  hset(ks, "forever", "f", "v");
  const uint64_t h = ks.hash("s");
  void* e = ks.set_expire(ks.find("s", h), h, 1000);
  CHECK(key_entry::expire_ms(e) == 1000);
  CHECK(ks.volatile_size() == 1);
  Now before(999), at(1000);
  CHECK(ks.find_live("s", h, before) != nullptr);
  CHECK(ks.find_live("s", h, at) == nullptr);
  CHECK(ks.find("s", h) != nullptr);  // dead, not yet reclaimed
  CHECK(ks.live_size(999) == 2);
  CHECK(ks.live_size(1000) == 1);
  SUBCASE("active: expire_some reclaims the dead key and logs it") {
    CHECK(ks.expire_some(999, 10) == 0);
    CHECK(ks.expire_some(1000, 10) == 1);
  }
  SUBCASE("lazy: a write finds it dead and reclaims it") {
    Now now(1000);
    CHECK(ks.find_for_write("s", h, now) == nullptr);
  }
  CHECK(ks.find("s", h) == nullptr);
  CHECK(ks.size() == 1);
  CHECK(ks.expired_keys() == 1);
  CHECK(ks.volatile_size() == 0);
  REQUIRE(log.size() == 1);
  CHECK(log[0].reason == kEventExpired);
  CHECK(log[0].key == "s");
  CHECK(log[0].fields.empty());
}

TEST_CASE("Keyspace::set_expire: removing a TTL") {
  Keyspace ks(kSeed);
  hset(ks, "k", "f", "v");
  const uint64_t h = ks.hash("k");
  void* e = ks.set_expire(ks.find("k", h), h, 5);
  CHECK(ks.live_size(10) == 0);
  e = ks.set_expire(e, h, std::nullopt);
  CHECK(key_entry::expire_ms(e) == std::nullopt);
  CHECK(ks.volatile_size() == 0);
  CHECK(ks.live_size(10) == 1);
}

TEST_CASE("Keyspace: a rename moves the entry, its hash and its TTL") {
  Keyspace from(kSeed), to(kSeed + 1);
  for (int i = 0; i < 3; ++i) hset(from, "src", absl::StrCat("f", i), std::to_string(i));
  const uint64_t hs = from.hash("src"), hd = to.hash("dst");
  from.set_expire(from.find("src", hs), hs, 5000);
  void* old = from.detach("src", hs);
  REQUIRE(old != nullptr);
  CHECK(from.size() == 0);
  CHECK(from.volatile_size() == 0);  // detach takes the key out of the expiry index
  void* fresh = key_entry::rekey(old, "dst", key_entry::expire_ms(old), to.alloc());
  key_entry::free_shell(old, from.arena());
  CHECK(to.insert(fresh, hd) == fresh);  // already a slot of to's arena
  CHECK(from.find("src", hs) == nullptr);
  void* e = to.find("dst", hd);
  REQUIRE(e != nullptr);
  CHECK(key_entry::key(e) == "dst");
  CHECK(key_entry::expire_ms(e) == 5000);
  CHECK(to.volatile_size() == 1);
  for (int i = 0; i < 3; ++i) CHECK(hget(to, "dst", absl::StrCat("f", i)) == std::to_string(i));
}

TEST_CASE("Keyspace::scan: every key present for the whole scan is returned, across growth") {
  Keyspace ks(kSeed);
  for (int i = 0; i < 500; ++i) hset(ks, absl::StrCat("k", i), "f", "v");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0, added = 0;
  do {
    cursor = ks.scan(cursor, [&](const void* e) { seen.emplace(key_entry::key(e)); });
    // Keys added during the first steps grow the table (and rehash it)
    // under the cursor.
    if (steps < 40) {
      for (int j = 0; j < 20; ++j, ++added) hset(ks, "new" + std::to_string(added), "f", "v");
    }
    REQUIRE(++steps < 100000);
  } while (cursor != 0);
  CHECK(ks.size() == 500 + static_cast<size_t>(added));
  CHECK(added == 800);  // more than doubled the keys: the table grew during the scan
  for (int i = 0; i < 500; ++i) {
    CAPTURE(i);
    CHECK(seen.count(absl::StrCat("k", i)) == 1);
  }
}

TEST_CASE("Keyspace: small entries are slots of its arena, sized in 4-byte steps") {
  Keyspace ks(kSeed);
  for (int i = 0; i < 200; ++i) {
    const std::string key = absl::StrCat("k", i);
    for (int f = 0; f <= i % 7; ++f) hset(ks, key, absl::StrCat("f", f), std::string(i % 13, 'v'));
  }
  // A hash too big for a slot (256 bytes) is its own malloc'd block.
  for (int f = 0; f < 20; ++f) hset(ks, "big", absl::StrCat("field", f), "0123456789");
  size_t footprints = 0, slots = 0;
  ks.for_each([&](const void* e) {
    const size_t block = key_entry::block_bytes(e);
    // No LRU / LFU policy: no access word, the block starts at the flags.
    CHECK_FALSE((key_entry::flags(e) & key_entry::kAccess) != 0);
    CHECK(block == key_entry::used_bytes(e) - 4);
    if (key_entry::key(e) == "big") {
      CHECK_FALSE((key_entry::flags(e) & key_entry::kSlot) != 0);
      CHECK(block > key_entry::kMaxSlotBytes);
    } else {
      // Grown one pair at a time: moved to a slot of the size it needs.
      REQUIRE((key_entry::flags(e) & key_entry::kSlot) != 0);
      CHECK(key_entry::slot_bytes(e) == (block + 3) / 4 * 4);
      slots += key_entry::slot_bytes(e);
    }
    footprints += key_entry::footprint(e);
  });
  CHECK(ks.arena_live_bytes() == slots);
  CHECK(ks.arena_bytes() >= slots);
  CHECK(ks.bytes() == ks.table_bytes() + footprints);
  // Shrinking by a little stays in the slot (at most 16 bytes too big);
  // by more, the entry moves to a smaller one.
  void* before = ks.find("k12", ks.hash("k12"));
  const size_t slot_before = key_entry::slot_bytes(before);
  hset(ks, "k12", "f0", "");
  void* e = ks.find("k12", ks.hash("k12"));
  CHECK(e == before);
  CHECK(key_entry::slot_bytes(e) == slot_before);
  CHECK(slot_before - key_entry::block_bytes(e) == 12);  // the 12 bytes of value, as slack
  hset(ks, "k12", "f1", "");
  hset(ks, "k12", "f2", "");
  e = ks.find("k12", ks.hash("k12"));
  CHECK(key_entry::slot_bytes(e) - key_entry::block_bytes(e) <= 16);
  CHECK(key_entry::slot_bytes(e) < slot_before);
  for (int i = 0; i < 200; ++i) {
    CHECK(hget(ks, absl::StrCat("k", i), "f0") == std::string(i == 12 ? 0 : i % 13, 'v'));
  }
  CHECK(ks.bytes() >= ks.table_bytes());
}

TEST_CASE("Keyspace: access words come and go with set_access_words, and moves keep them") {
  Keyspace ks(kSeed);
  for (int i = 0; i < 100; ++i) hset(ks, absl::StrCat("k", i), "f", absl::StrCat("v", i));
  const size_t without = ks.bytes();
  ks.set_access_words(true);  // an LRU / LFU policy was set
  size_t footprints = 0;
  ks.for_each([&](const void* e) {
    CHECK((key_entry::flags(e) & key_entry::kAccess) != 0);
    CHECK(key_entry::block_bytes(e) == key_entry::used_bytes(e));
    footprints += key_entry::footprint(e);
  });
  CHECK(ks.bytes() == ks.table_bytes() + footprints);
  CHECK(ks.bytes() == without + 100 * 4);  // every slot 4 bytes longer
  void* e = ks.find("k7", ks.hash("k7"));
  key_entry::set_access(e, 12345);
  hset(ks, "k7", "g", std::string(40, 'x'));  // moves to a bigger slot
  e = ks.find("k7", ks.hash("k7"));
  CHECK(key_entry::access(e) == 12345);
  hset(ks, "new", "f", "v");
  CHECK((key_entry::flags(ks.find("new", ks.hash("new"))) & key_entry::kAccess) != 0);
  ks.set_access_words(false);  // new entries without; the old keep theirs
  hset(ks, "newer", "f", "v");
  CHECK_FALSE((key_entry::flags(ks.find("newer", ks.hash("newer"))) & key_entry::kAccess) != 0);
  CHECK(key_entry::access(ks.find("newer", ks.hash("newer"))) == 0);
  CHECK(key_entry::access(ks.find("k7", ks.hash("k7"))) == 12345);
  for (int i = 0; i < 100; ++i) CHECK(hget(ks, absl::StrCat("k", i), "f") == absl::StrCat("v", i));
}

TEST_CASE("Keyspace: insert moves a malloc'd entry into the arena; a new key's pairs take one resize") {
  Keyspace ks(kSeed);
  uint8_t lp[kLpEmptySize];
  lp::init(lp);
  void* made = key_entry::make_listpack("loaded", 5000, lp, sizeof lp);  // no arena: malloc'd
  CHECK_FALSE((key_entry::flags(made) & key_entry::kSlot) != 0);
  void* e = ks.insert(made, ks.hash("loaded"));
  REQUIRE((key_entry::flags(e) & key_entry::kSlot) != 0);
  CHECK(key_entry::slot_bytes(e) == (key_entry::block_bytes(e) + 3) / 4 * 4);
  CHECK(key_entry::expire_ms(e) == 5000);
  CHECK(ks.soonest_dying() == e);  // the expiry index has the entry as it now is
  // HashObject::fill_empty: a new key's pairs are built aside and taken in
  // one resize: the entry lands in the slot of its final size, a repeated
  // field keeps its last value and counts once.
  static const HashLimits limits;
  {
    const uint64_t h = ks.hash("small");
    EntryHash storage(ks, ks.create("small", h), h);
    HashObject hash(storage, limits);
    const std::pair<std::string_view, std::string_view> pairs[] = {
        {"name", "somebody"}, {"age", "42"}, {"name", "somebody else"}};
    int64_t added = 0;
    REQUIRE(hash.fill_empty(pairs, &added));
    storage.settle();
    CHECK(added == 2);
    CHECK(hash.length() == 2);
    CHECK(key_entry::slot_bytes(storage.entry()) ==
          (key_entry::block_bytes(storage.entry()) + 3) / 4 * 4);
    CHECK_FALSE(hash.fill_empty(pairs, &added));  // no longer empty
  }
  CHECK(hget(ks, "small", "name") == "somebody else");
  CHECK(hget(ks, "small", "age") == "42");
  const uint64_t h = ks.hash("new");
  EntryHash storage(ks, ks.create("new", h), h);
  HashObject hash(storage, limits);
  std::vector<std::string> names, values;
  for (int i = 0; i < 20; ++i) {
    names.push_back(absl::StrCat("field:", i));
    values.push_back(absl::StrCat("value number ", i));
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (int i = 0; i < 20; ++i) pairs.emplace_back(names[i], values[i]);
  int64_t added = 0;
  REQUIRE(hash.fill_empty(pairs, &added));
  storage.settle();
  CHECK(added == 20);
  CHECK((key_entry::flags(storage.entry()) & key_entry::kSlot) == 0);  // too big: malloc'd
  CHECK(hget(ks, "new", "field:19") == "value number 19");
  size_t footprints = 0;
  ks.for_each([&](const void* x) { footprints += key_entry::footprint(x); });
  CHECK(ks.bytes() == ks.table_bytes() + footprints + ks.index_bytes());
}

TEST_CASE("Keyspace: the arena compacts once most of it is free, and goes with its last slot") {
  Keyspace ks(kSeed);
  constexpr int kKeys = 4000;
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = absl::StrCat("user:", i);
    hset(ks, key, "name", absl::StrCat("somebody", i));
    hset(ks, key, "city", "Rome");
    if (i % 10 == 0) ks.set_expire(ks.find(key, ks.hash(key)), ks.hash(key), 1000 + i);
  }
  const size_t held = ks.arena_bytes();
  // Deletes leave free slots: nine keys in ten go.
  for (int i = 0; i < kKeys; ++i) {
    if (i % 10 != 0) CHECK(ks.erase(absl::StrCat("user:", i), ks.hash(absl::StrCat("user:", i))));
  }
  CHECK(ks.arena_bytes() == held);  // nothing moves until a safe point
  CHECK(ks.compaction_due());
  hset(ks, "user:0", "city", "Oslo");  // find_for_write compacts first
  CHECK_FALSE(ks.compaction_due());
  CHECK(ks.arena_bytes() < held / 4);
  CHECK(ks.arena_bytes() - ks.arena_live_bytes() <= 4096);
  for (int i = 0; i < kKeys; i += 10) {
    CHECK(hget(ks, absl::StrCat("user:", i), "name") == absl::StrCat("somebody", i));
  }
  // The expiry index followed the moved entries: every key with a TTL is
  // reclaimed at its time, and nothing else.
  CHECK(ks.volatile_size() == kKeys / 10);
  CHECK(ks.expire_some(1000 + kKeys, 1000000) == kKeys / 10);
  CHECK(ks.size() == 0);
  CHECK(ks.arena_bytes() == 0);  // the last slot took the pages with it
  CHECK(ks.bytes() == ks.table_bytes());
}
