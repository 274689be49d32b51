// Tests of lib/encoding/field_arena.{h,cc}: the size classes, allocation of
// every class, reuse of freed slots (same class, and split from larger
// ones), the malloc fallback for large requests, page growth, byte
// accounting (against its own breakdown and, with glibc's allocator,
// against mallinfo2), bounded release, ASan poisoning, and a randomized
// test against a model whose contents are verified.
//
// Randomized tests use a fixed seed; set HASHSTORE_SEED=<n> to try another.
#include <doctest/doctest.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <set>
#include <vector>

#include "encoding/field_arena.h"
#include "util/heap.h"

using hashstore::internal::FieldArena;
using hashstore::internal::heap_footprint;
using hashstore::internal::kArenaClasses;
using hashstore::internal::kArenaFirstPage;
using hashstore::internal::kArenaMaxPage;
using hashstore::internal::kArenaMaxSlot;

namespace {

// Under ASan the allocator is ASan's: mallinfo2 does not see it.
#ifdef HASHSTORE_ASAN
constexpr bool kGlibcAllocator = false;
#else
constexpr bool kGlibcAllocator = true;
#endif

uint64_t test_seed() {
  const char* s = std::getenv("HASHSTORE_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261124;
}

size_t allocated() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// Fills [p, p + n) with bytes derived from id, and checks them.
void fill(void* p, size_t n, uint64_t id) {
  auto* b = static_cast<uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(id * 131 + i * 7 + (id >> 8));
}
bool intact(const void* p, size_t n, uint64_t id) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != static_cast<uint8_t>(id * 131 + i * 7 + (id >> 8))) return false;
  }
  return true;
}

// The breakdown adds up, and matches bytes().
bool consistent(const FieldArena& a) {
  const FieldArena::Usage u = a.usage();
  INFO("pages " << u.pages << " page_bytes " << u.page_bytes << " capacity " << u.slot_capacity
                << " live " << u.live_bytes << " free " << u.free_bytes << " tail "
                << u.tail_bytes << " lost " << u.lost_bytes << " large " << u.large_bytes);
  return u.page_bytes + u.large_bytes == a.bytes() &&
         u.slot_capacity == u.live_bytes + u.free_bytes + u.tail_bytes + u.lost_bytes &&
         (u.pages == 0 ? u.slot_capacity == 0 && u.page_bytes == 0
                       : u.slot_capacity < u.page_bytes) &&
         a.holds_memory() == (u.pages + u.large_blocks > 0);
}

}  // namespace

TEST_CASE("FieldArena size classes") {
  static_assert(FieldArena::class_of(1) == 0 && FieldArena::class_size(0) == 8);
  static_assert(FieldArena::class_of(19) == 3 && FieldArena::class_size(3) == 20);
  static_assert(FieldArena::class_of(kArenaMaxSlot) == kArenaClasses - 1);
  static_assert(FieldArena::class_size(kArenaClasses - 1) == kArenaMaxSlot);
  for (size_t n = 1; n <= kArenaMaxSlot; ++n) {
    CAPTURE(n);
    const size_t c = FieldArena::class_of(n);
    REQUIRE(c < kArenaClasses);
    const size_t s = FieldArena::class_size(c);
    CHECK(s >= n);
    CHECK(s % 4 == 0);
    CHECK(s - std::max<size_t>(n, 8) < 4);  // the smallest class that fits
    CHECK(FieldArena::slot_bytes(n) == s);
  }
  CHECK(FieldArena::slot_bytes(kArenaMaxSlot + 1) == kArenaMaxSlot + 1 + 16);
}

TEST_CASE("FieldArena::allocate") {
  FieldArena a;
  CHECK(a.bytes() == 0);
  CHECK_FALSE(a.holds_memory());
  SUBCASE("every class, contents kept, then all given back") {
    std::vector<void*> ps;
    size_t live = 0;
    for (int round = 0; round < 3; ++round) {
      for (size_t n = 1; n <= kArenaMaxSlot; ++n) {
        void* p = a.allocate(n);
        CHECK(reinterpret_cast<uintptr_t>(p) % 4 == 0);
        fill(p, n, ps.size());
        ps.push_back(p);
        live += FieldArena::slot_bytes(n);
      }
    }
    CHECK(a.usage().live_bytes == live);
    CHECK(consistent(a));
    for (size_t i = 0; i < ps.size(); ++i) {
      CAPTURE(i);
      CHECK(intact(ps[i], i % kArenaMaxSlot + 1, i));
    }
    for (size_t i = 0; i < ps.size(); ++i) a.deallocate(ps[i], i % kArenaMaxSlot + 1);
    CHECK(a.usage().live_bytes == 0);
    CHECK(a.usage().free_bytes >= live);
    CHECK(consistent(a));
  }
  SUBCASE("a freed slot is reused by its class before anything else") {
    std::vector<void*> ps;
    for (int i = 0; i < 500; ++i) ps.push_back(a.allocate(19));
    const size_t held = a.bytes();
    std::set<void*> freed;
    for (int i = 0; i < 500; i += 2) {
      a.deallocate(ps[i], 19);
      freed.insert(ps[i]);
    }
    for (int i = 0; i < 250; ++i) CHECK(freed.count(a.allocate(20)) == 1);  // same class
    CHECK(a.bytes() == held);
    CHECK(consistent(a));
  }
  SUBCASE("larger free slots are split before a page is added") {
    std::vector<void*> ps;
    for (int i = 0; i < 400; ++i) ps.push_back(a.allocate(256));
    for (void* p : ps) a.deallocate(p, 256);
    const size_t held = a.bytes();
    const size_t freed = a.usage().free_bytes + a.usage().tail_bytes;
    // 90% of the freed bytes in 20-byte slots: no new page.
    for (size_t used = 0; used + 20 <= freed * 9 / 10; used += 20) a.allocate(19);
    CHECK(a.bytes() == held);
    CHECK(consistent(a));
  }
  SUBCASE("requests over the largest class are malloc'd, 16-byte aligned") {
    void* small = a.allocate(10);
    const size_t held = a.bytes();
    std::vector<std::pair<void*, size_t>> big;
    size_t big_bytes = 0;
    for (size_t n : {kArenaMaxSlot + 1, size_t{1000}, size_t{70000}, size_t{300000}}) {
      CAPTURE(n);
      void* p = a.allocate(n);
      CHECK(reinterpret_cast<uintptr_t>(p) % 16 == 0);
      fill(p, n, n);
      big.emplace_back(p, n);
      big_bytes += heap_footprint(static_cast<uint8_t*>(p) - 16);
    }
    CHECK(a.bytes() == held + big_bytes);
    CHECK(a.usage().large_blocks == 4);
    CHECK(consistent(a));
    for (auto [p, n] : big) CHECK(intact(p, n, n));
    // Out of order, so that the list is unlinked in the middle too.
    a.deallocate(big[1].first, big[1].second);
    a.deallocate(big[3].first, big[3].second);
    a.deallocate(big[0].first, big[0].second);
    CHECK(a.usage().large_blocks == 1);
    a.deallocate(big[2].first, big[2].second);
    CHECK(a.bytes() == held);
    CHECK(a.usage().large_blocks == 0);
    a.deallocate(small, 10);
  }
}

TEST_CASE("FieldArena pages start small and grow") {
  SUBCASE("a page holds whole slots of the size that asked for it") {
    FieldArena a;
    a.allocate(116);  // the first page: 1 KiB, eight 116-byte slots and no remnant
    const FieldArena::Usage u = a.usage();
    CHECK(u.pages == 1);
    CHECK(u.slot_capacity >= 8 * 116);
    CHECK(u.slot_capacity - 8 * 116 < 16);  // only what glibc's 16-byte rounding added
    CHECK(consistent(a));
  }
  SUBCASE("600 entries of 19 bytes: about their slots plus one small page") {
    FieldArena a;
    for (int i = 0; i < 600; ++i) a.allocate(19);
    CHECK(a.usage().page_bytes <= 600 * 20 + 600 * 20 / 8 + kArenaFirstPage);
    CHECK(a.usage().pages >= 10);  // 1 KiB pages while small
    CHECK(consistent(a));
  }
  SUBCASE("a million: 64 KiB pages, little waste, few pages") {
    FieldArena a;
    std::vector<size_t> page_sizes;  // footprint of each page as it came
    size_t pages = 0, bytes = 0;
    for (int i = 0; i < 1000000; ++i) {
      a.allocate(19);
      if (a.bytes() != bytes) {
        page_sizes.push_back(a.bytes() - bytes);
        bytes = a.bytes();
        ++pages;
      }
    }
    // A page holds a whole number of 20-byte slots: up to 19 bytes under
    // the size it aimed at (glibc's 16-byte rounding may give some back).
    CHECK(page_sizes.front() <= kArenaFirstPage);
    CHECK(page_sizes.front() + 20 > kArenaFirstPage);
    CHECK(page_sizes.back() <= kArenaMaxPage);
    CHECK(page_sizes.back() + 20 > kArenaMaxPage);
    CHECK(std::is_sorted(page_sizes.begin(), page_sizes.end()));
    CHECK(pages < 400);
    // Beside the slots: the current page's tail, and per page its two
    // headers and a retired tail under 20 bytes.
    CHECK(a.bytes() <= 1000000 * 20 + kArenaMaxPage + pages * 36);
    CHECK(consistent(a));
  }
}

TEST_CASE("FieldArena::bytes is what the allocator handed it") {
  // With glibc's allocator, the heap bytes in use grow by exactly bytes().
  // Nothing else allocates meanwhile (the vector is reserved), and nothing
  // is given back to malloc: freed chunks may wait in glibc's thread cache,
  // which mallinfo2 counts as in use.
  std::vector<std::pair<void*, size_t>> ps;
  ps.reserve(30000);
  std::mt19937_64 rng(test_seed());
  FieldArena a;
  // Empty glibc's thread cache (up to 7 chunks per size up to 1 KiB): its
  // chunks count as in use, so a malloc served from it would not show.
  std::vector<void*> drained;
  drained.reserve(64 * 16);
  for (size_t n = 8; n <= 1032; n += 16) {
    for (int i = 0; i < 16; ++i) drained.push_back(std::malloc(n));
  }
  malloc_trim(0);
  const size_t before = allocated();
  for (int i = 0; i < 30000; ++i) {
    const size_t n = rng() % 8 == 0 ? 257 + rng() % 2000 : 1 + rng() % 256;
    ps.emplace_back(a.allocate(n), n);
    if (n <= kArenaMaxSlot && rng() % 3 == 0) {
      a.deallocate(ps.back().first, n);
      ps.pop_back();
    }
  }
  const size_t delta = allocated() - before, arena_bytes = a.bytes();
  MESSAGE("allocator: ", delta, " bytes, arena: ", arena_bytes, " bytes");
  if (kGlibcAllocator) CHECK(delta == arena_bytes);
  CHECK(consistent(a));
  for (void* p : drained) std::free(p);
}

TEST_CASE("FieldArena::release_some") {
  FieldArena a;
  std::vector<std::pair<void*, size_t>> ps;
  for (int i = 0; i < 200000; ++i) {
    const size_t n = i % 50 == 0 ? 300 + i % 700 : 19 + i % 30;
    ps.emplace_back(a.allocate(n), n);
  }
  const size_t held = a.bytes();
  SUBCASE("bounded steps down to nothing") {
    const size_t step = 100000;
    size_t calls = 0, total = 0;
    while (a.holds_memory()) {
      const size_t before = a.bytes();
      const size_t freed = a.release_some(step);
      ++calls;
      CHECK(freed == before - a.bytes());
      // At least the step unless all is gone; at most one block more.
      CHECK((freed >= step || !a.holds_memory()));
      CHECK(freed < step + kArenaMaxPage + 16);
      total += freed;
      REQUIRE(calls < 100000);
    }
    CHECK(total == held);
    CHECK(a.bytes() == 0);
    CHECK(calls >= held / (step + kArenaMaxPage + 16));
    CHECK(consistent(a));
    // Usable again, on fresh pages.
    void* p = a.allocate(19);
    fill(p, 19, 1);
    CHECK(intact(p, 19, 1));
    CHECK(consistent(a));
  }
  SUBCASE("one byte: one block per call") {
    const size_t blocks = a.usage().pages + a.usage().large_blocks;
    size_t calls = 0;
    while (a.holds_memory()) {
      CHECK(a.release_some(1) > 0);
      ++calls;
    }
    CHECK(calls == blocks);
  }
  SUBCASE("nothing asked, nothing freed") {
    CHECK(a.release_some(0) == 0);
    CHECK(a.bytes() == held);
  }
  SUBCASE("then release_all frees the rest") {
    a.release_some(10);
    CHECK(a.holds_memory());
    a.release_all();
    CHECK(a.bytes() == 0);
    CHECK_FALSE(a.holds_memory());
    CHECK(consistent(a));
  }
}

#ifdef HASHSTORE_ASAN
TEST_CASE("FieldArena poisons what is not handed out (ASan)") {
  FieldArena a;
  std::vector<uint8_t*> ps;
  // 1 KiB pages hold 25 slots of 40: the 90th sits in the fourth page,
  // with a tail after it.
  for (int i = 0; i < 90; ++i) ps.push_back(static_cast<uint8_t*>(a.allocate(40)));
  for (uint8_t* p : ps) CHECK(__asan_region_is_poisoned(p, 40) == nullptr);
  a.deallocate(ps[50], 40);
  // The 8-byte granules wholly inside the freed 40-byte slot.
  const uintptr_t from = (reinterpret_cast<uintptr_t>(ps[50]) + 7) & ~uintptr_t{7};
  CHECK(__asan_address_is_poisoned(reinterpret_cast<void*>(from)));
  CHECK(__asan_address_is_poisoned(reinterpret_cast<void*>(from + 24)));
  // The neighbours are intact.
  CHECK(__asan_region_is_poisoned(ps[49], 40) == nullptr);
  CHECK(__asan_region_is_poisoned(ps[51], 40) == nullptr);
  // The unused tail of the current page.
  uint8_t* last = ps.back();
  CHECK(__asan_address_is_poisoned(last + 48));
  // Handed out again: addressable.
  uint8_t* again = static_cast<uint8_t*>(a.allocate(40));
  CHECK(again == ps[50]);
  CHECK(__asan_region_is_poisoned(again, 40) == nullptr);
}
#endif

TEST_CASE("FieldArena randomized against a model") {
  const uint64_t seed = test_seed();
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  FieldArena a;
  struct Block {
    size_t n;
    uint64_t id;
  };
  std::vector<std::pair<uint8_t*, Block>> live;
  uint64_t next_id = 0;
  size_t live_small = 0;
  auto check_all = [&] {
    auto sorted = live;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    uint8_t* end = nullptr;
    for (const auto& [p, b] : sorted) {
      REQUIRE(p >= end);  // no overlap with the previous block
      REQUIRE(intact(p, b.n, b.id));
      end = p + b.n;
    }
    CHECK(a.usage().live_bytes == live_small);
    CHECK(consistent(a));
  };
  for (int step = 0; step < 300000; ++step) {
    // Phases: mostly allocating, then mostly freeing, and sizes drifting,
    // so that free lists, splits and new pages all get exercised.
    const int phase = (step / 20000) % 4;
    const bool alloc = live.empty() || rng() % 100 < (phase == 2 ? 30u : 60u);
    if (alloc) {
      const size_t base = phase == 1 ? 200 : 8;
      const size_t n =
          rng() % 20 == 0 ? kArenaMaxSlot + 1 + rng() % 3000 : 1 + (base + rng() % 120) % 256;
      auto* p = static_cast<uint8_t*>(a.allocate(n));
      fill(p, n, next_id);
      live.emplace_back(p, Block{n, next_id++});
      if (n <= kArenaMaxSlot) live_small += FieldArena::slot_bytes(n);
    } else {
      const size_t k = rng() % live.size();
      const auto [p, b] = live[k];
      REQUIRE(intact(p, b.n, b.id));
      if (b.n <= kArenaMaxSlot) live_small -= FieldArena::slot_bytes(b.n);
      a.deallocate(p, b.n);
      live[k] = live.back();
      live.pop_back();
    }
    if (step % 25000 == 0) check_all();
  }
  check_all();
  for (const auto& [p, b] : live) a.deallocate(p, b.n);
  CHECK(a.usage().live_bytes == 0);
  CHECK(a.usage().large_blocks == 0);
  CHECK(consistent(a));
}
