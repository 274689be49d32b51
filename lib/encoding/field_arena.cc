// FieldArena slow paths: pages, large blocks, releasing (see field_arena.h).
#include "encoding/field_arena.h"

#include <malloc.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <iterator>
#include <utility>

#include "util/heap.h"

namespace hashstore::internal {

uint8_t* FieldArena::refill(size_t c) {
  const size_t s = class_size(c);
  // (3) The smallest free slot at least 8 bytes larger, split: the
  // remainder must hold a free-list link.
  const size_t first = c + kArenaMinSlot / kArenaStep;
  const uint64_t larger = first < 64 ? nonempty_ >> first << first : 0;
  if (larger != 0) {
    const size_t k = static_cast<size_t>(std::countr_zero(larger));
    uint8_t* p = pop(k);
    push(p + s, class_of(class_size(k) - s));
    return p;
  }
  // (4) A new page; the old one's tail goes on a free list if it can.
  const size_t tail = static_cast<size_t>(bump_end_ - bump_);
  if (tail >= kArenaMinSlot) {
    push(bump_, class_of(tail));  // tail < s <= kArenaMaxSlot, a multiple of 4
  } else {
    lost_bytes_ += tail;
  }
  add_page(s);
  uint8_t* p = bump_;
  bump_ += s;
  return p;
}

void FieldArena::add_page(size_t s) {
  const size_t want = std::clamp(page_bytes_ / kArenaGrowthDen, kArenaFirstPage, max_page_);
  // Room for a whole number of slots of the size asked for (the size that
  // fills the page when requests are alike, as a keyspace's often are), so
  // that no remnant of the page's end goes to a free list of a size nobody
  // asks for: (want - chunk header - page header) rounded down to s. glibc
  // rounds the chunk up to 16 bytes; the extra usable bytes are used.
  const size_t room = (want - kMallocChunkHeader - kArenaPageHeader) / s * s;
  auto* page = static_cast<uint8_t*>(std::malloc(kArenaPageHeader + room));
  if (page == nullptr) std::abort();  // no exceptions: out of memory is fatal
  const size_t usable = malloc_usable_size(page);
  store_next(page, static_cast<uint8_t*>(pages_));
  pages_ = page;
  page_bytes_ += heap_footprint(page);
  const size_t capacity = (usable - kArenaPageHeader) & ~(kArenaStep - 1);
  slot_capacity_ += capacity;  // all of usable under glibc (a multiple of 8)
  bump_ = page + kArenaPageHeader;
  bump_end_ = bump_ + capacity;
  poison(bump_, capacity);
}

void FieldArena::swap(FieldArena& other) {
  std::swap_ranges(std::begin(free_), std::end(free_), std::begin(other.free_));
  std::swap(nonempty_, other.nonempty_);
  std::swap(bump_, other.bump_);
  std::swap(bump_end_, other.bump_end_);
  std::swap(pages_, other.pages_);
  std::swap(large_, other.large_);
  std::swap(page_bytes_, other.page_bytes_);
  std::swap(large_bytes_, other.large_bytes_);
  std::swap(slot_capacity_, other.slot_capacity_);
  std::swap(live_bytes_, other.live_bytes_);
  std::swap(lost_bytes_, other.lost_bytes_);
  std::swap(max_page_, other.max_page_);
}

void* FieldArena::allocate_large(size_t n) {
  auto* l = static_cast<Large*>(std::malloc(kArenaLargeHeader + n));
  if (l == nullptr) std::abort();  // no exceptions: out of memory is fatal
  l->prev = nullptr;
  l->next = large_;
  if (large_ != nullptr) large_->prev = l;
  large_ = l;
  large_bytes_ += heap_footprint(l);
  return reinterpret_cast<uint8_t*>(l) + kArenaLargeHeader;
}

void FieldArena::deallocate_large(void* p) {
  auto* l = reinterpret_cast<Large*>(static_cast<uint8_t*>(p) - kArenaLargeHeader);
  if (l->prev != nullptr) {
    l->prev->next = l->next;
  } else {
    assert(large_ == l);
    large_ = l->next;
  }
  if (l->next != nullptr) l->next->prev = l->prev;
  large_bytes_ -= heap_footprint(l);
  std::free(l);
}

void FieldArena::forget_slots() {
  std::fill(std::begin(free_), std::end(free_), nullptr);
  nonempty_ = 0;
  bump_ = bump_end_ = nullptr;
  live_bytes_ = 0;
  // What the remaining pages held for slots is now all lost space.
  lost_bytes_ = slot_capacity_;
}

size_t FieldArena::release_some(size_t bytes) {
  if (live_bytes_ != 0 || nonempty_ != 0 || bump_ != nullptr) forget_slots();
  size_t freed = 0;
  while (freed < bytes && holds_memory()) {
    if (large_ != nullptr) {
      Large* l = large_;
      large_ = l->next;
      if (large_ != nullptr) large_->prev = nullptr;
      const size_t b = heap_footprint(l);
      large_bytes_ -= b;
      freed += b;
      std::free(l);
      continue;
    }
    auto* page = static_cast<uint8_t*>(pages_);
    const size_t usable = malloc_usable_size(page);
    const size_t capacity = (usable - kArenaPageHeader) & ~(kArenaStep - 1);
    const size_t b = heap_footprint(page);
    pages_ = load_next(page);
    page_bytes_ -= b;
    slot_capacity_ -= capacity;
    lost_bytes_ -= capacity;
    freed += b;
    unpoison(page, usable);  // hand malloc the block as it gave it
    std::free(page);
  }
  return freed;
}

void FieldArena::release_all() {
  while (large_ != nullptr) {
    Large* next = large_->next;
    std::free(large_);
    large_ = next;
  }
  while (pages_ != nullptr) {
    auto* page = static_cast<uint8_t*>(pages_);
    pages_ = load_next(page);
    unpoison(page, malloc_usable_size(page));
    std::free(page);
  }
  std::fill(std::begin(free_), std::end(free_), nullptr);
  nonempty_ = 0;
  bump_ = bump_end_ = nullptr;
  page_bytes_ = large_bytes_ = slot_capacity_ = live_bytes_ = lost_bytes_ = 0;
}

FieldArena::Usage FieldArena::usage() const {
  Usage u;
  for (const uint8_t* p = static_cast<const uint8_t*>(pages_); p != nullptr; p = load_next(p)) {
    ++u.pages;
    u.page_bytes += heap_footprint(p);
  }
  for (const Large* l = large_; l != nullptr; l = l->next) {
    ++u.large_blocks;
    u.large_bytes += heap_footprint(l);
  }
  for (size_t c = 0; c < kArenaClasses; ++c) {
    for (const uint8_t* p = free_[c]; p != nullptr; p = load_next(p)) u.free_bytes += class_size(c);
  }
  u.slot_capacity = slot_capacity_;
  u.live_bytes = live_bytes_;
  u.tail_bytes = static_cast<size_t>(bump_end_ - bump_);
  u.lost_bytes = lost_bytes_;
  return u;
}

}  // namespace hashstore::internal
